// sweep_run_test.cc — evaluation, storage, execution and analysis of sweeps:
// point metrics against an independent loop and the analytic bound; stored rows round-
// trip bit-exactly and damaged or foreign rows are rejected; Pareto fronts against brute
// force; sensitivity against a synthetic table with known effects; and through the CLI:
// -j 1 and -j 2 give identical bytes, a real kill -9 mid-sweep leaves only complete rows
// and the resumed run gives the same bytes as an uninterrupted one, shards + merge equal
// a local run, and a directory of another spec is refused.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "replay.h"
#include "sweep.h"

static std::string write_spec(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p) << text;
  return p;
}

static std::string slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static void rm_rf(const std::string &d) {
  std::string cmd = "rm -rf '" + d + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

// The mpbsim binary beside this test binary's directory ($(B)/tests/sweep -> $(B)/mpbsim).
static std::string mpbsim_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "build/mpbsim";
  buf[n] = '\0';
  std::string p(buf);
  p = p.substr(0, p.rfind('/'));  // .../tests
  p = p.substr(0, p.rfind('/'));  // .../build
  return p + "/mpbsim";
}

// Run mpbsim with args; stderr+stdout to log; returns the exit code.
static int run_mpbsim(const std::string &args, const std::string &log) {
  std::string cmd = "'" + mpbsim_path() + "' " + args + " > '" + log + "' 2>&1";
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *kOutputs[] = {"results.csv", "results.json", "sensitivity.csv",
                                 "pareto-energy.svg", "pareto-area.svg", "report.html",
                                 "best.cfg"};

static void expect_same_outputs(const std::string &a, const std::string &b) {
  for (const char *f : kOutputs) {
    std::string x = slurp(a + "/" + f), y = slurp(b + "/" + f);
    EXPECT_FALSE(x.empty()) << a << "/" << f;
    EXPECT_TRUE(x == y) << f << " differs between " << a << " and " << b;
  }
}

static const char *kSmall =
    "params = (\n"
    " { name = \"horner_order\"; range = [1, 4, 1]; },\n"
    " { name = \"cs_table_bits\"; values = [4, 6]; },\n"
    " { name = \"phi_mode\"; values = [\"exact\", \"logadd\"]; }\n"
    ");\n"
    "workloads = (\n"
    " { name = \"llama3\"; head_dim = 128; base = 500000.0;\n"
    "   positions = { max = 131072; per_octave = 4; }; },\n"
    " { name = \"smollm2\"; head_dim = 64; base = 100000.0; pairing = \"interleaved\";\n"
    "   positions = { max = 8192; per_octave = 4; }; verify_max = 2048; }\n"
    ");\n"
    "goal = 3.0517578125e-05;\n";

TEST(SweepEval, MetricsMatchAnIndependentLoopAndTheBound) {
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, write_spec("run_small.cfg", kSmall).c_str(), err, sizeof err), 0)
      << err;
  sweep_evaluator *ev = sweep_evaluator_new(&s, err, sizeof err);
  ASSERT_NE(ev, nullptr) << err;
  for (uint64_t idx = 0; idx < sweep_grid_size(&s); idx++) {
    sweep_result r;
    ASSERT_EQ(sweep_eval_point(ev, idx, &r, err, sizeof err), MPB_OK) << err;
    mpb_config cfg;
    ASSERT_EQ(sweep_point_config(&s, idx, &cfg, err, sizeof err), MPB_OK);
    double all = 0;
    for (int k = 0; k < s.nworkloads; k++) {
      mpb_model *m = mpb_model_new(&cfg, &s.wl[k].geo, err, sizeof err);
      ASSERT_NE(m, nullptr) << err;
      double mx = 0;
      for (size_t i = 0; i < s.wl[k].npositions; i++)
        for (int j = 0; j < s.wl[k].geo.head_dim / 2; j++) {
          double c, sn, rc, rs;
          mpb_rope_cossin(m, s.wl[k].positions[i], (uint32_t)j, &c, &sn);
          mpb_baseline_cossin(MPB_BASE_FP64, &s.wl[k].geo, s.wl[k].positions[i], j, &rc, &rs);
          mx = std::fmax(mx, std::fmax(std::fabs(c - rc), std::fabs(sn - rs)));
        }
      mpb_model_free(m);
      EXPECT_EQ(r.v[SWEEP_NMETRIC + k], mx) << "point " << idx << " workload " << k;
      all = std::fmax(all, mx);
    }
    EXPECT_EQ(r.v[SWEEP_M_MAX_ERR], all);
    EXPECT_LE(r.v[SWEEP_M_RMS_ERR], all);
    EXPECT_GT(r.v[SWEEP_M_RMS_ERR], 0);
    EXPECT_DOUBLE_EQ(r.v[SWEEP_M_ERR_BITS], -std::log2(all));
    EXPECT_EQ(r.v[SWEEP_M_MEETS_GOAL], all <= s.goal ? 1.0 : 0.0);
    EXPECT_GT(r.v[SWEEP_M_ENERGY], 0);
    EXPECT_GT(r.v[SWEEP_M_AREA], 0);
    int N = cfg.horner_order;
    EXPECT_EQ(r.v[SWEEP_M_LATENCY], cfg.phi_mode == MPB_PHI_EXACT ? 8 + N : 11 + 2 * N);
    if (cfg.phi_mode == MPB_PHI_EXACT) {
      EXPECT_LE(all, r.v[SWEEP_M_BOUND]) << "point " << idx;
      EXPECT_GE(all, std::ldexp(1.0, -15));  // saturation floor of the 16-bit output
    } else {
      EXPECT_TRUE(std::isinf(r.v[SWEEP_M_BOUND]));
      EXPECT_GT(all, 0.1);  // default LW = 40 log word still drifts at 2^17 (spec §5.2)
    }
  }
  sweep_evaluator_free(ev);
  sweep_spec_free(&s);
}

TEST(SweepStore, RowsRoundTripAndDamagedOrForeignRowsAreRejected) {
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, write_spec("run_store.cfg", kSmall).c_str(), err, sizeof err), 0)
      << err;
  std::string dir = mpb_test_path("store");
  rm_rf(dir);
  ASSERT_EQ(sweep_store_init(dir.c_str(), &s, err, sizeof err), MPB_OK) << err;
  uint64_t seed = mpb_test_seed("SweepStore");
  for (int t = 0; t < 50; t++) {
    sweep_result r, g;
    r.index = mpb_test_rand(&seed) % 1000000;
    for (int k = 0; k < SWEEP_NVALUES; k++) {
      uint64_t bits = mpb_test_rand(&seed);
      double v = std::ldexp((double)(bits >> 11), (int)(bits % 200) - 150);
      r.v[k] = k == 3 ? INFINITY : (bits & 1 ? -v : v);
    }
    ASSERT_EQ(sweep_store_put(dir.c_str(), &s, &r, err, sizeof err), MPB_OK) << err;
    ASSERT_EQ(sweep_store_get(dir.c_str(), &s, r.index, &g, err, sizeof err), 1);
    for (int k = 0; k < sweep_nvalues(&s); k++) EXPECT_EQ(r.v[k], g.v[k]) << k;
  }
  sweep_result r = {}, g;
  r.index = 7;
  r.v[0] = 0.125;
  ASSERT_EQ(sweep_store_put(dir.c_str(), &s, &r, err, sizeof err), MPB_OK);
  std::string row = dir + "/points/p000000000007.row";
  std::string text = slurp(row);
  EXPECT_EQ(sweep_store_get(dir.c_str(), &s, 8, &g, err, sizeof err), 0);  // missing
  // Flip one digit: the CRC rejects it (the point will be recomputed).
  std::string bad = text;
  size_t pos = bad.find("0.125");
  ASSERT_NE(pos, std::string::npos);
  bad[pos + 4] = '6';
  std::ofstream(row, std::ios::binary) << bad;
  EXPECT_EQ(sweep_store_get(dir.c_str(), &s, 7, &g, err, sizeof err), 0);
  // A truncated row (no newline) is rejected too.
  std::ofstream(row, std::ios::binary) << text.substr(0, text.size() / 2);
  EXPECT_EQ(sweep_store_get(dir.c_str(), &s, 7, &g, err, sizeof err), 0);
  // A row of a different spec is an error naming both hashes.
  std::ofstream(row, std::ios::binary) << text;
  static sweep_spec other;
  ASSERT_EQ(sweep_spec_load(&other, write_spec("run_store2.cfg", std::string(kSmall) +
                                                                     "seed = 99;\n").c_str(),
                            err, sizeof err),
            0);
  EXPECT_EQ(sweep_store_get(dir.c_str(), &other, 7, &g, err, sizeof err), -1);
  EXPECT_NE(std::string(err).find("different sweep"), std::string::npos) << err;
  EXPECT_EQ(sweep_store_init(dir.c_str(), &other, err, sizeof err), MPB_EINVAL);
  EXPECT_NE(std::string(err).find("different sweep"), std::string::npos) << err;
  sweep_spec_free(&other);
  sweep_spec_free(&s);
}

TEST(SweepAnalyze, ParetoFrontMatchesBruteForce) {
  uint64_t seed = mpb_test_seed("SweepPareto");
  for (int trial = 0; trial < 20; trial++) {
    size_t n = 1 + mpb_test_rand(&seed) % 300;
    std::vector<sweep_result> rs(n);
    for (size_t i = 0; i < n; i++) {
      rs[i].index = i;
      // Coarse values so that ties on one coordinate occur.
      rs[i].v[SWEEP_M_ENERGY] = (double)(mpb_test_rand(&seed) % 50);
      rs[i].v[SWEEP_M_MAX_ERR] = (double)(mpb_test_rand(&seed) % 50);
      if (mpb_test_rand(&seed) % 40 == 0) rs[i].v[SWEEP_M_MAX_ERR] = NAN;
    }
    sweep_table t = {rs.data(), n, 0, 0};
    std::vector<size_t> front(n);
    size_t nf = sweep_pareto(&t, SWEEP_M_ENERGY, SWEEP_M_MAX_ERR, front.data());
    std::vector<bool> on(n, false);
    for (size_t k = 0; k < nf; k++) on[front[k]] = true;
    for (size_t k = 1; k < nf; k++) {
      EXPECT_LT(rs[front[k - 1]].v[SWEEP_M_ENERGY], rs[front[k]].v[SWEEP_M_ENERGY]);
      EXPECT_GT(rs[front[k - 1]].v[SWEEP_M_MAX_ERR], rs[front[k]].v[SWEEP_M_MAX_ERR]);
    }
    for (size_t i = 0; i < n; i++) {
      double xi = rs[i].v[SWEEP_M_ENERGY], yi = rs[i].v[SWEEP_M_MAX_ERR];
      if (std::isnan(yi)) {
        EXPECT_FALSE(on[i]);
        continue;
      }
      // Dominated: another point no worse in both and better in one, or an identical
      // point with a lower index (duplicates keep the first).
      bool dominated = false;
      for (size_t j = 0; j < n && !dominated; j++) {
        double xj = rs[j].v[SWEEP_M_ENERGY], yj = rs[j].v[SWEEP_M_MAX_ERR];
        if (j == i || std::isnan(yj)) continue;
        dominated = (xj <= xi && yj <= yi && (xj < xi || yj < yi)) ||
                    (xj == xi && yj == yi && j < i);
      }
      EXPECT_EQ(on[i], !dominated) << "trial " << trial << " point " << i;
    }
  }
}

TEST(SweepAnalyze, SensitivityRecoversKnownEffects) {
  std::string p = write_spec("run_sens.cfg",
                             "params = (\n"
                             " { name = \"horner_order\"; range = [1, 4, 1]; },\n"
                             " { name = \"cs_table_bits\"; range = [3, 5, 1]; }\n"
                             ");\n"
                             "workloads = ( { name = \"w\"; head_dim = 64; base = 1e5;\n"
                             "  positions = { max = 64; }; } );\n");
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  // energy = 2^(3*a + b): log2 effect of axis 0 is 9 (slope 3), of axis 1 is 2 (slope 1);
  // latency (linear metric) = 10*a + b.
  std::vector<sweep_result> rs(12);
  for (int i = 0; i < 12; i++) {
    int a = i / 3, b = i % 3;
    rs[i].index = (uint64_t)i;
    rs[i].v[SWEEP_M_ENERGY] = std::ldexp(1.0, 3 * a + b);
    rs[i].v[SWEEP_M_LATENCY] = 10 * a + b;
  }
  sweep_table t = {rs.data(), 12, 0, 0};
  sweep_sens ss;
  EXPECT_EQ(sweep_sensitivity(&s, &t, 0, SWEEP_M_ENERGY, &ss), 4);
  EXPECT_NEAR(ss.effect, 9.0, 1e-12);
  EXPECT_NEAR(ss.slope, 3.0, 1e-12);
  for (int a = 0; a < 4; a++) {
    EXPECT_EQ(ss.count[a], 3);
    EXPECT_NEAR(ss.mean[a], 3 * a + 1, 1e-12);
  }
  EXPECT_EQ(sweep_sensitivity(&s, &t, 1, SWEEP_M_ENERGY, &ss), 3);
  EXPECT_NEAR(ss.effect, 2.0, 1e-12);
  EXPECT_NEAR(ss.slope, 1.0, 1e-12);
  EXPECT_EQ(sweep_sensitivity(&s, &t, 0, SWEEP_M_LATENCY, &ss), 4);
  EXPECT_NEAR(ss.effect, 30.0, 1e-12);
  EXPECT_NEAR(ss.slope, 10.0, 1e-12);
  sweep_spec_free(&s);
}

TEST(SweepRun, LocalRunsAreByteIdenticalForOneAndTwoWorkers) {
  std::string spec = write_spec("run_cli.cfg", kSmall);
  std::string d1 = mpb_test_path("cli_j1"), d2 = mpb_test_path("cli_j2");
  rm_rf(d1);
  rm_rf(d2);
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -j 1 -o '" + d1 + "'", d1 + ".log"), 0)
      << slurp(d1 + ".log");
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -j 2 -o '" + d2 + "'", d2 + ".log"), 0)
      << slurp(d2 + ".log");
  expect_same_outputs(d1, d2);
  std::string csv = slurp(d1 + "/results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 16);
  std::string log = slurp(d1 + ".log");
  EXPECT_NE(log.find("best (lowest energy"), std::string::npos) << log;
  EXPECT_NE(log.find("exhaustive check smollm2: every position < 2048"), std::string::npos)
      << log;
  // --plan lists the points and runs nothing.
  std::string dp = mpb_test_path("cli_plan");
  rm_rf(dp);
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' --plan -o '" + dp + "'", dp + ".log"), 0);
  std::string plan = slurp(dp + ".log");
  EXPECT_NE(plan.find("grid 16, considered 16, pruned 0, points 16"), std::string::npos) << plan;
  EXPECT_NE(plan.find("\n15 4 6 logadd\n"), std::string::npos) << plan;
  EXPECT_NE(access(dp.c_str(), F_OK), 0);  // nothing written
  // --progress forces the progress bar (points done, rate, ETA) even when not a terminal.
  std::string d3 = mpb_test_path("cli_progress");
  rm_rf(d3);
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' --progress -o '" + d3 + "'", d3 + ".log"), 0);
  std::string plog = slurp(d3 + ".log");
  EXPECT_NE(plog.find("] 16/16 points"), std::string::npos) << plog;
  EXPECT_NE(plog.find("points/s  ETA"), std::string::npos) << plog;
  EXPECT_EQ(slurp(d1 + ".log").find("ETA"), std::string::npos);  // not a terminal: no bar
  expect_same_outputs(d1, d3);
  // A second run resumes everything: nothing evaluated, same bytes.
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -j 2 -o '" + d2 + "'", d2 + ".log"), 0);
  EXPECT_NE(slurp(d2 + ".log").find("16 points, 16 already done (resumed), 0 evaluated"),
            std::string::npos)
      << slurp(d2 + ".log");
  expect_same_outputs(d1, d2);
  // Another spec into the same directory is refused (exit 3), naming the directory.
  std::string other = write_spec("run_cli_other.cfg", std::string(kSmall) + "seed = 5;\n");
  EXPECT_EQ(run_mpbsim("sweep '" + other + "' -o '" + d2 + "'", d2 + ".log2"), 3);
  EXPECT_NE(slurp(d2 + ".log2").find("different sweep"), std::string::npos);
  // Usage errors.
  EXPECT_EQ(run_mpbsim("sweep '" + spec + "' --shard 3/3", d2 + ".log3"), 2);
  EXPECT_EQ(run_mpbsim("sweep '" + spec + "' -j 0", d2 + ".log3"), 2);
  EXPECT_EQ(run_mpbsim("sweep", d2 + ".log3"), 2);
  // Bad input: exit 3 naming the file and line; unreadable spec: exit 4.
  std::string bad = write_spec("run_cli_bad.cfg", "params = ( { name = \"horner_order\"; "
                                                  "values = [0]; } );\n");
  EXPECT_EQ(run_mpbsim("sweep '" + bad + "'", d2 + ".log4"), 3);
  EXPECT_NE(slurp(d2 + ".log4").find("run_cli_bad.cfg:1: parameter horner_order = 0 is out "
                                     "of range [1, 8]"),
            std::string::npos)
      << slurp(d2 + ".log4");
  EXPECT_EQ(run_mpbsim("sweep '" + mpb_test_path("no_such.cfg") + "'", d2 + ".log4"), 4);
  EXPECT_EQ(run_mpbsim("sweep '" + spec + "' --merge --shard 0/2", d2 + ".log3"), 2);
}

static size_t count_rows(const std::string &dir) {
  size_t n = 0;
  DIR *d = opendir((dir + "/points").c_str());
  if (!d) return 0;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] == 'p') n++;
  closedir(d);
  return n;
}

TEST(SweepRun, KillNineThenResumeGivesIdenticalResults) {
  // 8 x 16 x 5 = 640 points on Llama 3 geometry: long enough to be killed mid-way.
  std::string spec = write_spec(
      "run_kill.cfg",
      "params = (\n"
      " { name = \"horner_order\"; range = [1, 8, 1]; },\n"
      " { name = \"horner_width\"; range = [17, 32, 1]; },\n"
      " { name = \"cs_table_bits\"; range = [3, 7, 1]; }\n"
      ");\n"
      "workloads = ( { name = \"llama3\"; head_dim = 128; base = 500000.0;\n"
      "  positions = { max = 131072; per_octave = 6; }; } );\n"
      "goal = 3.0517578125e-05;\n");
  std::string ref = mpb_test_path("kill_ref"), dir = mpb_test_path("kill_run");
  rm_rf(ref);
  rm_rf(dir);
  std::string exe = mpbsim_path();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    FILE *devnull = std::fopen("/dev/null", "w");
    if (devnull) {
      dup2(fileno(devnull), 1);
      dup2(fileno(devnull), 2);
    }
    execl(exe.c_str(), exe.c_str(), "sweep", spec.c_str(), "-j", "2", "-o", dir.c_str(),
          (char *)nullptr);
    _exit(127);
  }
  setpgid(pid, pid);
  // Wait (no time limit: a slow machine only waits longer) until >= 10 rows exist.
  size_t before = 0;
  for (;;) {
    before = count_rows(dir);
    int st;
    if (before >= 10 || waitpid(pid, &st, WNOHANG) == pid) break;
    usleep(500);
  }
  ASSERT_EQ(kill(-pid, SIGKILL), 0);  // the sweep and its workers, at once
  int st;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st)) << "the sweep finished before it could be killed";
  usleep(100000);  // workers die with their parent (PDEATHSIG); let the kernel reap them
  before = count_rows(dir);
  ASSERT_LT(before, 640u);
  ASSERT_GE(before, 10u);
  // Every row present is complete and valid.
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, spec.c_str(), err, sizeof err), MPB_OK) << err;
  size_t valid = 0;
  for (uint64_t i = 0; i < sweep_grid_size(&s); i++) {
    sweep_result r;
    char p[64];
    snprintf(p, sizeof p, "/points/p%012llu.row", (unsigned long long)i);
    if (access((dir + p).c_str(), F_OK) != 0) continue;
    EXPECT_EQ(sweep_store_get(dir.c_str(), &s, i, &r, err, sizeof err), 1) << p;
    valid++;
  }
  EXPECT_EQ(valid, before);
  sweep_spec_free(&s);
  // Resume: exactly the finished points are skipped; results equal an uninterrupted run.
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -j 2 -o '" + dir + "'", dir + ".log"), 0)
      << slurp(dir + ".log");
  std::string want = "640 points, " + std::to_string(before) + " already done (resumed)";
  EXPECT_NE(slurp(dir + ".log").find(want), std::string::npos) << slurp(dir + ".log");
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -j 1 -o '" + ref + "'", ref + ".log"), 0)
      << slurp(ref + ".log");
  expect_same_outputs(ref, dir);
}

TEST(SweepRun, ShardsThenMergeEqualTheLocalRun) {
  std::string spec = write_spec("run_shard.cfg", kSmall);
  std::string ref = mpb_test_path("shard_ref"), dir = mpb_test_path("shard_run");
  rm_rf(ref);
  rm_rf(dir);
  ASSERT_EQ(run_mpbsim("sweep '" + spec + "' -o '" + ref + "'", ref + ".log"), 0);
  std::string base = "sweep '" + spec + "' -o '" + dir + "' ";
  ASSERT_EQ(run_mpbsim(base + "--shard 0/3", dir + ".log"), 0) << slurp(dir + ".log");
  ASSERT_EQ(run_mpbsim(base + "--shard 2/3 -j 2", dir + ".log"), 0) << slurp(dir + ".log");
  EXPECT_NE(slurp(dir + ".log").find("shard 2/3: 5 points"), std::string::npos)
      << slurp(dir + ".log");
  // Shard 1 missing: merge refuses, naming the count, and writes no report.
  EXPECT_EQ(run_mpbsim(base + "--merge", dir + ".log"), 1);
  EXPECT_NE(slurp(dir + ".log").find("5 of 16 points are not finished"), std::string::npos)
      << slurp(dir + ".log");
  EXPECT_NE(access((dir + "/results.csv").c_str(), F_OK), 0);
  ASSERT_EQ(run_mpbsim(base + "--shard 1/3", dir + ".log"), 0);
  ASSERT_EQ(run_mpbsim(base + "--merge", dir + ".log"), 0) << slurp(dir + ".log");
  expect_same_outputs(ref, dir);
  // --slurm-dry-run writes the job-array and merge scripts.
  ASSERT_EQ(run_mpbsim(base + "--slurm-dry-run --slurm-tasks 3", dir + ".log"), 0)
      << slurp(dir + ".log");
  std::string sh = slurp(dir + "/slurm/shards.sbatch");
  EXPECT_NE(sh.find("#SBATCH --array=0-2"), std::string::npos) << sh;
  EXPECT_NE(sh.find("--shard \"$SLURM_ARRAY_TASK_ID/3\""), std::string::npos) << sh;
  EXPECT_NE(slurp(dir + "/slurm/merge.sbatch").find("--merge"), std::string::npos);
}

// The Slurm path for real: tools/slurm-test.sh starts a private single-node Slurm on
// localhost, runs a sweep as a job array and compares the merged results with a local run
// byte for byte (see the script). Skipped, with the script's reason, where Slurm cannot be
// started (not root, not installed, daemons refuse to start).
TEST(SweepSlurm, JobArrayResultsEqualTheLocalRun) {
  std::string log = mpb_test_path("slurm-test.log");
  std::string cmd = "tools/slurm-test.sh '" + mpbsim_path() +
                    "' examples/slurm-small.cfg > '" + log + "' 2>&1";
  int st = std::system(cmd.c_str());
  std::string out = slurp(log);
  std::printf("%s", out.c_str());
  size_t skip = out.find("slurm-test: SKIP: ");
  if (skip != std::string::npos) GTEST_SKIP() << out.substr(skip);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_NE(out.find("slurm-test: PASS"), std::string::npos) << out;
}

// Trace workloads: a recorded trace (traces/replay.h) is replayed through every point and
// its columns follow the parameters of the exp and dot units.

TEST(SweepTrace, TraceColumnsFollowTheReplayAndTheParameters) {
  std::string trace = mpb_test_path("sweep_smol.trace");
  ASSERT_EQ(run_mpbsim("gen --preset smollm2-135m --tokens 8 --seed 3 --out '" + trace + "'",
                       trace + ".log"),
            0)
      << slurp(trace + ".log");
  std::string spec = write_spec(
      "run_trace.cfg",
      "params = (\n"
      " { name = \"acc_bits\"; values = [16, 32]; },\n"
      " { name = \"exp_table_bits\"; values = [0, 4]; }\n"
      ");\n"
      "workloads = ( { name = \"w\"; head_dim = 64; base = 100000.0; positions = { max = 64; }; } );\n"
      "traces = ( { name = \"smol\"; path = \"sweep_smol.trace\"; } );\n");  // beside the spec
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, spec.c_str(), err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(s.ntraces, 1);
  EXPECT_EQ(sweep_nvalues(&s), SWEEP_NMETRIC + 1 + SWEEP_TRACE_VALUES);
  char name[96];
  sweep_value_name(&s, sweep_trace_col(&s, 0) + 2, name, sizeof name);
  EXPECT_STREQ(name, "smol_dot_err");
  sweep_evaluator *ev = sweep_evaluator_new(&s, err, sizeof err);
  ASSERT_NE(ev, nullptr) << err;
  double exp_err[2][2], dot_err[2], events[2];
  for (uint64_t idx = 0; idx < 4; idx++) {
    sweep_result r;
    ASSERT_EQ(sweep_eval_point(ev, idx, &r, err, sizeof err), MPB_OK) << err;
    mpb_config cfg;
    ASSERT_EQ(sweep_point_config(&s, idx, &cfg, err, sizeof err), MPB_OK);
    replay_opts o;
    replay_opts_init(&o);
    replay_result rr;
    ASSERT_EQ(replay_run(trace.c_str(), &cfg, &o, &rr, err, sizeof err), 0) << err;
    const double *v = &r.v[sweep_trace_col(&s, 0)];
    EXPECT_EQ(v[0], rr.kind[TRACE_ROPE].max_abs);
    EXPECT_EQ(v[1], rr.kind[TRACE_EXP].max_abs);
    EXPECT_EQ(v[2], rr.kind[TRACE_GEMM].max_abs);
    EXPECT_EQ(v[3], (double)(rr.dot_wrap_events + rr.dot_sat_events));
    EXPECT_GT(rr.ops[TRACE_GEMM], 0u);
    replay_result_free(&rr);
    exp_err[idx / 2][idx % 2] = v[1];
    dot_err[idx / 2] = v[2];
    events[idx / 2] = v[3];
  }
  // A 32-bit accumulator holds every int8 dot product of the trace exactly; 16 bits wrap.
  EXPECT_EQ(dot_err[1], 0.0);
  EXPECT_EQ(events[1], 0.0);
  EXPECT_GT(events[0], 0.0);
  EXPECT_GT(dot_err[0], 0.0);
  // exp: a 2^4-entry table leaves a Taylor remainder ~(ln2/16)^4/24 instead of (ln2)^4/24.
  for (int a = 0; a < 2; a++) {
    EXPECT_LT(exp_err[a][1], exp_err[a][0] / 16);
    EXPECT_LT(exp_err[a][1], 1e-4);
    EXPECT_GT(exp_err[a][0], 1e-3);
  }
  sweep_evaluator_free(ev);
  sweep_spec_free(&s);
}

// The exhaustive re-check catches what sparse sampling misses: with positions < 16 only,
// FT = 24 meets the goal (phase error 2 pi m 2^-25 ~ 3e-6), but at positions up to 32767 it
// is ~6e-3: the cheaper FT = 24 point must be rejected and FT = 40 chosen.
TEST(SweepVerdict, ExhaustiveCheckRejectsWhatSamplingMissed) {
  std::string spec = write_spec(
      "run_verdict.cfg",
      "params = ( { name = \"freq_frac_bits\"; values = [24, 40]; } );\n"
      "workloads = ( { name = \"smollm2\"; head_dim = 64; base = 100000.0;\n"
      "  positions = { lo = 0; hi = 16; step = 1; }; verify_max = 32768; } );\n"
      "goal = 3.0517578125e-05;\n");
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, spec.c_str(), err, sizeof err), MPB_OK) << err;
  sweep_plan p;
  ASSERT_EQ(sweep_plan_make(&s, &p, err, sizeof err), MPB_OK) << err;
  sweep_evaluator *ev = sweep_evaluator_new(&s, err, sizeof err);
  ASSERT_NE(ev, nullptr) << err;
  std::vector<sweep_result> rs(2);
  for (uint64_t i = 0; i < 2; i++)
    ASSERT_EQ(sweep_eval_point(ev, i, &rs[i], err, sizeof err), MPB_OK) << err;
  sweep_evaluator_free(ev);
  ASSERT_LE(rs[0].v[SWEEP_M_MAX_ERR], s.goal);  // both meet the goal on the samples
  ASSERT_LE(rs[1].v[SWEEP_M_MAX_ERR], s.goal);
  ASSERT_LT(rs[0].v[SWEEP_M_ENERGY], rs[1].v[SWEEP_M_ENERGY]);  // FT = 24 is cheaper
  sweep_table t = {rs.data(), 2, 0, 0};
  sweep_verdict v;
  ASSERT_EQ(sweep_verdict_make(&s, &t, 4, false, &v, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(v.best, 1);
  EXPECT_TRUE(v.verified);
  EXPECT_EQ(v.rejected, 1);
  EXPECT_FALSE(v.all);
  EXPECT_LE(v.verify_err[0], s.goal);
  // With one try only, the cheaper candidate fails and nothing is chosen.
  ASSERT_EQ(sweep_verdict_make(&s, &t, 1, false, &v, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(v.best, -1);
  // verify-all checks both and counts the failure.
  ASSERT_EQ(sweep_verdict_make(&s, &t, 1, true, &v, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(v.best, 1);
  EXPECT_TRUE(v.all);
  EXPECT_EQ(v.checked, 2);
  EXPECT_EQ(v.failed, 1);
  // The FT = 24 error at the last position is the phase term: ~2 pi m 2^-25 at m = 32767.
  mpb_config cfg;
  ASSERT_EQ(sweep_point_config(&s, 0, &cfg, err, sizeof err), MPB_OK);
  double e;
  uint32_t wm;
  ASSERT_EQ(sweep_verify(&s, &cfg, 0, &e, &wm, err, sizeof err), MPB_OK) << err;
  EXPECT_GT(e, 1e-3);
  EXPECT_LT(e, 2 * M_PI * 32768 * std::ldexp(1.0, -25) * 1.5);
  EXPECT_GT(wm, 16384u);
  sweep_plan_free(&p);
  sweep_spec_free(&s);
}
