// sweep_rtl_test.cc — RTL in the loop for sweeps (rtl_check, docs/sweeps.md): the spec
// option (defaults, errors, part of the spec hash), the store row with the co-simulation's
// text (round trip, CRC), the sweep's handling of every answer of the build script and
// the binary (through a stub source tree, fast, also under the sanitizers), and for real:
// a build killed half-way is not taken for a cache entry, a 4-point sweep over 2 RTL parameter sets builds 2 Verilated models once (concurrent
// workers included), a second run builds nothing and gives the same bytes with -j 1,
// a resume recomputes only the missing point, and a corrupted table in a cached build
// makes its points fail (reported, not chosen, exit 1).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest_c.h"
#include "sweep.h"

namespace {

std::string write_file(const std::string &path, const std::string &text) {
  std::ofstream(path) << text;
  return path;
}

std::string slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void rm_rf(const std::string &d) {
  std::string cmd = "rm -rf '" + d + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

// The mpbsim binary beside this test binary's directory ($(B)/tests/sweep -> $(B)/mpbsim).
std::string mpbsim_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "build/mpbsim";
  buf[n] = '\0';
  std::string p(buf);
  p = p.substr(0, p.rfind('/'));
  p = p.substr(0, p.rfind('/'));
  return p + "/mpbsim";
}

// Run mpbsim with args (and env assignments before it); output in *out; exit code.
int sweep_cli(const std::string &env, const std::string &args, std::string *out) {
  return mpb_test_run(env + " '" + mpbsim_path() + "' " + args, out);
}

size_t count_lines(const std::string &s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// CSV column of one row (no quoted commas before it).
std::string csv_field(const std::string &csv, int row, const std::string &col) {
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  int idx = -1, i = 0;
  std::istringstream hs(header);
  for (std::string f; std::getline(hs, f, ','); i++)
    if (f == col) idx = i;
  for (int r = 0; r <= row; r++) std::getline(in, line);
  std::istringstream ls(line);
  std::string f;
  for (i = 0; i <= idx; i++) std::getline(ls, f, ',');
  return idx < 0 ? "<no column " + col + ">" : f;
}

const char *kWorkload =
    "workloads = (\n"
    " { name = \"llama3\"; head_dim = 128; base = 500000.0;\n"
    "   positions = { max = 4096; per_octave = 4; }; },\n"
    " { name = \"smollm2\"; head_dim = 64; base = 100000.0;\n"
    "   positions = { max = 4096; per_octave = 4; }; }\n"
    ");\n"
    "goal = 3.0517578125e-05;\n";

// Two RTL parameter sets (horner_order) x two clocks (not an RTL parameter): 4 points,
// 2 builds. The clock axis comes first so that concurrent workers ask for both builds,
// and for the same build twice, at once.
std::string rtl_spec(const std::string &name, const std::string &rtl) {
  return write_file(mpb_test_path(name),
                    "params = (\n"
                    " { name = \"clock_mhz\"; values = [500.0, 1000.0]; },\n"
                    " { name = \"horner_order\"; values = [2, 3]; }\n"
                    ");\n" +
                        std::string(kWorkload) + rtl);
}

}  // namespace

TEST(SweepRtlSpec, OptionDefaultsErrorsAndHash) {
  static sweep_spec a, b, c;
  char err[512];
  std::string none = rtl_spec("rtl_none.cfg", "");
  ASSERT_EQ(sweep_spec_load(&a, none.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_FALSE(a.rtl.on);
  EXPECT_EQ(sweep_rtl_col(&a), -1);
  EXPECT_EQ(sweep_nvalues(&a), SWEEP_NMETRIC + 2);
  std::string on = rtl_spec("rtl_on.cfg", "rtl_check = { };\n");
  ASSERT_EQ(sweep_spec_load(&b, on.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_TRUE(b.rtl.on);
  EXPECT_EQ(b.rtl.cycles, 20000u);
  EXPECT_EQ(b.rtl.seeds, 1);
  EXPECT_EQ(b.rtl.workloads, 3u);  // every workload
  EXPECT_EQ(sweep_rtl_col(&b), SWEEP_NMETRIC + 2);
  EXPECT_EQ(sweep_nvalues(&b), SWEEP_NMETRIC + 2 + SWEEP_RTL_VALUES);
  char name[64];
  sweep_value_name(&b, sweep_rtl_col(&b), name, sizeof name);
  EXPECT_STREQ(name, "rtl_check");
  sweep_value_name(&b, sweep_rtl_col(&b) + 1, name, sizeof name);
  EXPECT_STREQ(name, "rtl_cycles");
  EXPECT_NE(a.hash, b.hash);  // the option keys the store
  std::string sel = rtl_spec("rtl_sel.cfg",
                             "rtl_check = { cycles = 500; seeds = 3; workloads = [\"smollm2\"]; "
                             "cache = \"c\"; };\n");
  ASSERT_EQ(sweep_spec_load(&c, sel.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(c.rtl.cycles, 500u);
  EXPECT_EQ(c.rtl.seeds, 3);
  EXPECT_EQ(c.rtl.workloads, 2u);
  EXPECT_EQ(std::string(c.rtl.cache), mpb_test_path("c"));  // relative to the spec
  EXPECT_NE(c.hash, b.hash);
  // The cache directory does not change the results, so not the hash either.
  std::string sel2 = rtl_spec("rtl_sel2.cfg",
                              "rtl_check = { cycles = 500; seeds = 3; workloads = [\"smollm2\"]; "
                              "cache = \"elsewhere\"; };\n");
  sweep_spec_free(&a);
  ASSERT_EQ(sweep_spec_load(&a, sel2.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(a.hash, c.hash);
  sweep_spec_free(&a);
  sweep_spec_free(&b);
  sweep_spec_free(&c);
  struct Bad {
    const char *rtl, *msg;
  } bad[] = {
      {"rtl_check = { cycle = 5; };", "rtl_check: unknown field 'cycle'"},
      {"rtl_check = { cycles = 0; };", "rtl_check.cycles must be an integer in [1, 100000000]"},
      {"rtl_check = { cycles = 1.5; };", "rtl_check.cycles must be an integer"},
      {"rtl_check = { seeds = 65; };", "rtl_check.seeds must be an integer in [1, 64]"},
      {"rtl_check = { workloads = [\"gpt\"]; };",
       "rtl_check.workloads[0] = 'gpt' is not a workload of this spec"},
      {"rtl_check = { workloads = []; };", "rtl_check.workloads must be a non-empty list"},
      {"rtl_check = true;", "'rtl_check' must be a group"},
  };
  for (const Bad &t : bad) {
    std::string p = rtl_spec("rtl_bad.cfg", std::string(t.rtl) + "\n");
    EXPECT_EQ(sweep_spec_load(&a, p.c_str(), err, sizeof err), MPB_EINVAL) << t.rtl;
    EXPECT_NE(std::string(err).find(t.msg), std::string::npos) << t.rtl << " -> " << err;
    EXPECT_NE(std::string(err).find("rtl_bad.cfg:"), std::string::npos) << err;  // names file:line
  }
}

TEST(SweepRtlSpec, StoreRowKeepsTheTextUnderTheCrc) {
  static sweep_spec s;
  char err[512];
  std::string p = rtl_spec("rtl_store.cfg", "rtl_check = { seeds = 2; };\n");
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  std::string dir = mpb_test_path("rtl_store");
  rm_rf(dir);
  ASSERT_EQ(sweep_store_init(dir.c_str(), &s, err, sizeof err), MPB_OK) << err;
  const char *texts[] = {"", "llama3 seed 2: cycle 11: rope.xr expected -16383 (C model) but "
                             "RTL has -16384 (build 0123abc)",
                         "odd: 100% \"quoted\", tab\tnew\nline <&> \xc3\xa9 rtl=x crc=0"};
  int col = sweep_rtl_col(&s);
  for (uint64_t i = 0; i < 3; i++) {
    sweep_result r = {}, g;
    r.index = i;
    for (int k = 0; k < col; k++) r.v[k] = 0.25 * (double)(k + 1);
    r.v[col] = i == 0 ? SWEEP_RTL_PASS : i == 1 ? SWEEP_RTL_FAIL : SWEEP_RTL_SKIPPED;
    r.v[col + 1] = 40000;
    snprintf(r.rtl_detail, sizeof r.rtl_detail, "%s", texts[i]);
    ASSERT_EQ(sweep_store_put(dir.c_str(), &s, &r, err, sizeof err), MPB_OK) << err;
    ASSERT_EQ(sweep_store_get(dir.c_str(), &s, i, &g, err, sizeof err), 1);
    for (int k = 0; k < sweep_nvalues(&s); k++) EXPECT_EQ(r.v[k], g.v[k]) << k;
    EXPECT_STREQ(g.rtl_detail, texts[i]);
    EXPECT_STREQ(sweep_rtl_status_name(g.v[col]), i == 0 ? "pass" : i == 1 ? "fail" : "skipped");
  }
  // One changed character of the text breaks the CRC: the point is recomputed.
  std::string row = dir + "/points/p000000000001.row", text = slurp(row);
  size_t at = text.find("16384");
  ASSERT_NE(at, std::string::npos) << text;
  text[at] = '2';
  write_file(row, text);
  sweep_result g;
  EXPECT_EQ(sweep_store_get(dir.c_str(), &s, 1, &g, err, sizeof err), 0);
  sweep_spec_free(&s);
}

// The sweep's side of every answer, without Verilator: a stub source tree whose
// tools/cosim-build.sh skips horner_order 3 (exit 3 with a reason), fails the build for
// head_dim 64 when asked to (exit 4) and otherwise prints a stub "binary" that passes,
// fails on seed 2 with the co-simulation's message, or crashes.
TEST(SweepRtlStub, PassFailSkipAndBuildErrors) {
  std::string src = mpb_test_path("rtl_stub_src");
  rm_rf(src);
  ASSERT_EQ(mkdir(src.c_str(), 0777), 0);
  ASSERT_EQ(mkdir((src + "/tools").c_str(), 0777), 0);
  write_file(src + "/cosim",
             "#!/bin/sh\n"
             "# stub co-simulation: $STUB_MODE = pass | fail | crash\n"
             "case \"$2:$STUB_MODE\" in\n"
             "  2:fail) echo \"cosim stub seed=2 FAIL cycle 42: exp.e expected 3 (C model) but "
             "RTL has 4\"; echo '  reproduce: ...'; exit 1 ;;\n"
             "  *:crash) kill -SEGV $$ ;;\n"
             "esac\nexit 0\n");
  write_file(src + "/tools/cosim-build.sh",
             "#!/bin/sh\n"
             "cfg=$2; hd=$4\n"
             "if grep -q '^horner_order *= *3;' \"$cfg\"; then echo 'cosim-build.sh: %Error: "
             "width 99 not supported' >&2; exit 3; fi\n"
             "if [ \"$hd\" = 64 ] && [ -n \"$STUB_BREAK\" ]; then echo 'cc1: out of memory' >&2; "
             "exit 4; fi\n"
             "echo \"building...\"; echo \"$(dirname \"$0\")/../cosim\"\n");
  ASSERT_EQ(chmod((src + "/cosim").c_str(), 0755), 0);
  ASSERT_EQ(chmod((src + "/tools/cosim-build.sh").c_str(), 0755), 0);
  std::string spec = rtl_spec("rtl_stub.cfg", "rtl_check = { cycles = 100; seeds = 2; };\n");
  std::string out, dir = mpb_test_path("rtl_stub_out");
  std::string env = "MPB_SOURCE_DIR='" + src + "'";
  // pass: order 2 passes on both workloads (2 x 2 seeds x 100 cycles), order 3 is skipped.
  rm_rf(dir);
  ASSERT_EQ(sweep_cli(env + " STUB_MODE=pass", "sweep '" + spec + "' -j 2 -o '" + dir + "'", &out),
            0)
      << out;
  std::string csv = slurp(dir + "/results.csv");
  EXPECT_EQ(csv_field(csv, 0, "rtl_check"), "pass") << csv;
  EXPECT_EQ(csv_field(csv, 0, "rtl_cycles"), "400") << csv;
  EXPECT_EQ(csv_field(csv, 1, "rtl_check"), "skipped") << csv;
  EXPECT_EQ(csv_field(csv, 1, "rtl_detail"), "\"llama3: %Error: width 99 not supported\"") << csv;
  EXPECT_NE(out.find("rtl_check (100 cycles x 2 seed(s) per workload): 2 pass, 0 fail, 2 skipped"),
            std::string::npos)
      << out;
  // fail: every order-2 point fails on seed 2 of the first workload; reported with the
  // message, on stdout, in the CSV, JSON and HTML; exit 1; no failing point is chosen.
  rm_rf(dir);
  EXPECT_EQ(sweep_cli(env + " STUB_MODE=fail", "sweep '" + spec + "' -o '" + dir + "'", &out), 1)
      << out;
  csv = slurp(dir + "/results.csv");
  EXPECT_EQ(csv_field(csv, 0, "rtl_check"), "fail") << csv;
  EXPECT_EQ(csv_field(csv, 0, "rtl_cycles"), "100") << csv;  // seed 1 passed
  const char *msg = "llama3 seed 2: cycle 42: exp.e expected 3 (C model) but RTL has 4 (build ";
  EXPECT_NE(csv.find(msg), std::string::npos) << csv;
  EXPECT_NE(out.find(std::string("point 0: rtl_check fail: ") + msg), std::string::npos) << out;
  EXPECT_NE(out.find("2 fail, 2 skipped"), std::string::npos) << out;
  EXPECT_NE(slurp(dir + "/report.html").find(msg), std::string::npos);
  std::string js = slurp(dir + "/results.json");
  EXPECT_NE(js.find("\"fail\": 2"), std::string::npos) << js;
  EXPECT_NE(js.find("\"rtl_check\": \"fail\""), std::string::npos);
  EXPECT_EQ(slurp(dir + "/best.cfg").find("horner_order      = 2;"), std::string::npos);
  // crash: a binary killed by a signal is a failing point, with the signal named.
  rm_rf(dir);
  EXPECT_EQ(sweep_cli(env + " STUB_MODE=crash", "sweep '" + spec + "' -o '" + dir + "'", &out), 1)
      << out;
  EXPECT_NE(slurp(dir + "/results.csv").find("llama3 seed 1: co-simulation killed by signal 11"),
            std::string::npos)
      << slurp(dir + "/results.csv");
  // A build that breaks (not a property of the configuration) stops the sweep, stores no
  // row for that point (so a resume retries it) and names the script's message.
  rm_rf(dir);
  EXPECT_EQ(sweep_cli(env + " STUB_MODE=pass STUB_BREAK=1",
                      "sweep '" + spec + "' -o '" + dir + "'", &out),
            3)
      << out;
  EXPECT_NE(out.find("for workload smollm2: cc1: out of memory"), std::string::npos) << out;
  EXPECT_NE(access((dir + "/points/p000000000000.row").c_str(), F_OK), 0);
  // No source tree: a clear error before anything runs.
  EXPECT_EQ(sweep_cli("MPB_SOURCE_DIR=/nonexistent", "sweep '" + spec + "' -o '" + dir + "'", &out),
            3);
  EXPECT_NE(out.find("rtl_check needs the mpbsim source tree"), std::string::npos) << out;
}

// The real thing: Verilator builds into a scratch cache.
TEST(SweepRtlCosim, BuildsOnceCachesPassesAndReportsAFailure) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "sanitizer build: the Verilator builds (~40 s) run in the plain build's "
                  "suite only; SweepRtlStub covers the sweep's side here";
#endif
  std::string cache = mpb_test_path("rtl_cache"), d1 = mpb_test_path("rtl_run1"),
              d2 = mpb_test_path("rtl_run2"), d3 = mpb_test_path("rtl_run3"), out;
  rm_rf(cache);
  rm_rf(d1);
  rm_rf(d2);
  rm_rf(d3);
  std::string spec = rtl_spec("rtl_real.cfg",
                              "rtl_check = { cycles = 20000; seeds = 2; workloads = [\"llama3\"]; "
                              "cache = \"rtl_cache\"; };\n");
  // 0. A build killed half-way (kill -9 of its process group while Verilator runs) leaves
  // a directory without the .complete stamp and no line in builds.log: not an entry.
  std::string cfg = write_file(mpb_test_path("rtl_order2.cfg"), "horner_order = 2;\n");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setsid();
    execl("tools/cosim-build.sh", "cosim-build.sh", "--config", cfg.c_str(), "--head-dim", "128",
          "--base", "500000", "--cache", cache.c_str(), (char *)nullptr);
    _exit(127);
  }
  std::string killed;
  for (int i = 0; i < 600 && killed.empty(); i++) {  // up to 60 s for Verilator to start
    usleep(100000);
    std::string found;
    if (mpb_test_run("ls -d '" + cache + "'/*/obj/verilator.log 2>/dev/null", &found) == 0 &&
        !found.empty())
      killed = found.substr(0, found.find("/obj/"));
  }
  kill(-pid, SIGKILL);
  int wst;
  waitpid(pid, &wst, 0);
  ASSERT_FALSE(killed.empty()) << "the build never reached Verilator";
  EXPECT_NE(access((killed + "/.complete").c_str(), F_OK), 0);
  EXPECT_NE(access((cache + "/builds.log").c_str(), F_OK), 0);
  // 1. Three workers on 4 points: two builds run side by side, and two workers ask for
  // the same build at once; each of the 2 parameter sets is built exactly once (the
  // killed one again, from scratch).
  ASSERT_EQ(sweep_cli("", "sweep '" + spec + "' -j 3 -o '" + d1 + "'", &out), 0) << out;
  std::string builds = slurp(cache + "/builds.log");
  ASSERT_EQ(count_lines(builds), 2u) << builds;
  std::string csv = slurp(d1 + "/results.csv");
  for (int r = 0; r < 4; r++) {
    EXPECT_EQ(csv_field(csv, r, "rtl_check"), "pass") << csv;
    EXPECT_EQ(csv_field(csv, r, "rtl_cycles"), "40000") << csv;
  }
  EXPECT_NE(out.find("4 pass, 0 fail, 0 skipped"), std::string::npos) << out;
  EXPECT_EQ(access((killed + "/.complete").c_str(), F_OK), 0) << killed;
  // Each build is complete; remember when it was stamped.
  std::string keys[2];
  struct stat st[2];
  for (int i = 0; i < 2; i++) {
    keys[i] = builds.substr(i ? builds.find('\n') + 1 : 0, 24);
    ASSERT_EQ(stat((cache + "/" + keys[i] + "/.complete").c_str(), &st[i]), 0) << keys[i];
  }
  // 2. Again, one worker, fresh output: no build (log and stamps unchanged), same bytes.
  ASSERT_EQ(sweep_cli("", "sweep '" + spec + "' -j 1 -o '" + d2 + "'", &out), 0) << out;
  EXPECT_EQ(slurp(cache + "/builds.log"), builds);
  for (int i = 0; i < 2; i++) {
    struct stat now;
    ASSERT_EQ(stat((cache + "/" + keys[i] + "/.complete").c_str(), &now), 0);
    EXPECT_EQ(now.st_mtim.tv_sec, st[i].st_mtim.tv_sec);
    EXPECT_EQ(now.st_mtim.tv_nsec, st[i].st_mtim.tv_nsec);
  }
  for (const char *f : {"results.csv", "results.json", "report.html", "best.cfg"})
    EXPECT_EQ(slurp(d1 + "/" + f), slurp(d2 + "/" + f)) << f;
  // 3. Resume: a lost row is recomputed (and only it), same bytes.
  ASSERT_EQ(unlink((d2 + "/points/p000000000002.row").c_str()), 0);
  ASSERT_EQ(sweep_cli("", "sweep '" + spec + "' -j 2 -o '" + d2 + "'", &out), 0) << out;
  EXPECT_NE(out.find("4 points, 3 already done (resumed), 1 evaluated"), std::string::npos) << out;
  EXPECT_EQ(slurp(d1 + "/results.csv"), slurp(d2 + "/results.csv"));
  // 4. A real mismatch: one bit of the cos/sin table of the horner_order = 2 build flipped
  // in the cache; the RTL reads it at start-up, the C model does not.
  std::string dir2;
  for (const std::string &k : keys)
    if (slurp(cache + "/" + k + "/config.cfg").find("horner_order      = 2;") != std::string::npos)
      dir2 = cache + "/" + k;
  ASSERT_FALSE(dir2.empty());
  std::string tab = slurp(dir2 + "/tables/cs_cos.memh");
  size_t line = 0;
  for (int i = 0; i < 6; i++) line = tab.find('\n', line) + 1;  // entry 5 (after the comment)
  char &ch = tab[line + 5];                                        // last hex digit
  ch = ch == '0' ? '1' : '0';
  write_file(dir2 + "/tables/cs_cos.memh", tab);
  EXPECT_EQ(sweep_cli("", "sweep '" + spec + "' -j 2 -o '" + d3 + "'", &out), 1) << out;
  EXPECT_EQ(slurp(cache + "/builds.log"), builds);  // still no build
  csv = slurp(d3 + "/results.csv");
  for (int r = 0; r < 4; r++) {
    bool order2 = csv_field(csv, r, "horner_order") == "2";
    EXPECT_EQ(csv_field(csv, r, "rtl_check"), order2 ? "fail" : "pass") << csv;
  }
  EXPECT_NE(csv.find("llama3 seed 1: cycle "), std::string::npos) << csv;
  EXPECT_NE(csv.find("(C model) but RTL has"), std::string::npos) << csv;
  EXPECT_NE(out.find("2 pass, 2 fail, 0 skipped; chosen point: pass"), std::string::npos) << out;
  // The cheaper order-2 points failed, so the chosen configuration is order 3.
  EXPECT_NE(slurp(d3 + "/best.cfg").find("horner_order      = 3;"), std::string::npos);
  EXPECT_NE(slurp(d1 + "/best.cfg").find("horner_order      = 2;"), std::string::npos);
  // The failing points' waveforms are in the sweep's output (named in the detail), none
  // in the cache; the sources were hashed once per sweep (the key file in OUT/rtl/).
  std::string fsts;
  mpb_test_run("cd '" + d3 + "/rtl' && ls *.fst", &fsts);
  EXPECT_EQ(count_lines(fsts), 2u) << fsts;  // the two order-2 points, seed 1
  EXPECT_NE(csv.find("waveform " + d3 + "/rtl/p"), std::string::npos) << csv;
  std::string in_cache;
  mpb_test_run("ls '" + cache + "'/*/*.fst 2>/dev/null | wc -l", &in_cache);
  EXPECT_EQ(in_cache, "0\n");
  EXPECT_NE(slurp(d3 + "/rtl/source.key").find("sha: "), std::string::npos);
  // 5. The cap: pruning to 1 MiB (less than one build) removes both builds, least
  // recently used first; the next sweep builds again.
  ASSERT_EQ(sweep_cli("", "sweep --prune-cache --rtl-cache '" + cache + "' --rtl-cache-max 1M",
                      &out), 0) << out;
  for (const std::string &k : keys) EXPECT_NE(access((cache + "/" + k).c_str(), F_OK), 0) << k;
  EXPECT_EQ(count_lines(slurp(cache + "/builds.log")), 4u) << slurp(cache + "/builds.log");
  rm_rf(cache);
}

// The cache hygiene of the sweep side, with a stub build script that logs its calls: the
// sources are hashed once per sweep (one --prepare-key, then every point passes the key
// file), --rtl-cache-max reaches the script, and a failing point's waveform is written
// under the sweep's output directory (OUT/rtl/p<index>-<workload>-seed<S>.fst).
TEST(SweepRtlStub, HashOncePerSweepAndWaveformsInTheOutput) {
  std::string src = mpb_test_path("rtl_stub2_src");
  rm_rf(src);
  ASSERT_EQ(mkdir(src.c_str(), 0777), 0);
  ASSERT_EQ(mkdir((src + "/tools").c_str(), 0777), 0);
  std::string log = src + "/calls.log";
  write_file(src + "/cosim",
             "#!/bin/sh\n"
             "# stub co-simulation: fails on seed 2, writing the waveform it is given\n"
             "prev=; for a; do [ \"$prev\" = --fst ] && echo waveform > \"$a\"; prev=$a; done\n"
             "[ \"$2\" = 2 ] && { echo \"cosim stub seed=2 FAIL cycle 7: rope.xr expected 1 (C "
             "model) but RTL has 2\"; exit 1; }\nexit 0\n");
  write_file(src + "/tools/cosim-build.sh",
             "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/../calls.log\"\n"
             "case \" $* \" in *' --prepare-key '*) k=; for a; do [ \"$k\" = 1 ] && echo 'sha: x' "
             "> \"$a\"; [ \"$a\" = --prepare-key ] && k=1 || k=; done; exit 0 ;; esac\n"
             "echo \"$(dirname \"$0\")/../cosim\"\n");
  ASSERT_EQ(chmod((src + "/cosim").c_str(), 0755), 0);
  ASSERT_EQ(chmod((src + "/tools/cosim-build.sh").c_str(), 0755), 0);
  std::string spec = rtl_spec("rtl_stub2.cfg", "rtl_check = { cycles = 100; seeds = 2; };\n");
  std::string out, dir = mpb_test_path("rtl_stub2_out");
  rm_rf(dir);
  EXPECT_EQ(sweep_cli("MPB_SOURCE_DIR='" + src + "'", "sweep '" + spec + "' -j 2 -o '" + dir +
                          "' --rtl-cache-max 64M", &out), 1) << out;
  std::string calls = slurp(log);
  size_t prepares = 0, points = 0, keyed = 0, capped = 0;
  std::istringstream in(calls);
  for (std::string l; std::getline(in, l);) {
    if (l.find("--prepare-key " + dir + "/rtl/source.key") != std::string::npos) prepares++;
    if (l.find("--config") == std::string::npos) continue;
    points++;
    keyed += l.find("--src-key " + dir + "/rtl/source.key") != std::string::npos;
    capped += l.find("--max-size 67108864") != std::string::npos;
  }
  EXPECT_EQ(prepares, 1u) << calls;
  EXPECT_EQ(points, 4u) << calls;  // 4 points; each fails on its first workload and stops
  EXPECT_EQ(keyed, points) << calls;
  EXPECT_EQ(capped, points) << calls;
  // every point fails on seed 2 of its first workload (llama3): 4 waveforms, named
  for (int p = 0; p < 4; p++)
    EXPECT_EQ(slurp(dir + "/rtl/p" + std::to_string(p) + "-llama3-seed2.fst"), "waveform\n") << p;
  EXPECT_NE(slurp(dir + "/results.csv").find("waveform " + dir + "/rtl/p0-llama3-seed2.fst"),
            std::string::npos) << slurp(dir + "/results.csv");
  // a resumed run prepares the key again (once) and evaluates nothing
  ASSERT_EQ(unlink(log.c_str()), 0);
  EXPECT_EQ(sweep_cli("MPB_SOURCE_DIR='" + src + "'", "sweep '" + spec + "' -o '" + dir + "'",
                      &out), 1) << out;
  EXPECT_EQ(count_lines(slurp(log)), 1u) << slurp(log);
  // sizes: bytes or K/M/G, at least 1M
  EXPECT_EQ(sweep_cli("", "sweep '" + spec + "' --rtl-cache-max 10K", &out), 2) << out;
  EXPECT_NE(out.find("--rtl-cache-max: '10K' is not a size"), std::string::npos) << out;
  EXPECT_EQ(sweep_cli("", "sweep --prune-cache", &out), 2) << out;
  EXPECT_NE(out.find("--prune-cache needs --rtl-cache-max SIZE"), std::string::npos) << out;
}

// Pruning by the real script, without Verilator: a fake cache of 1 MiB entries with set
// use times. Least recently used go first, half-built (no .complete) ones before all,
// a locked entry (a build or a running sweep holds it) is never removed.
TEST(SweepRtlCache, PruneRemovesLeastRecentlyUsedFirst) {
  std::string cache = mpb_test_path("prune_cache"), out;
  rm_rf(cache);
  ASSERT_EQ(mkdir(cache.c_str(), 0777), 0);
  // key: age of last use in minutes (-1: half-built)
  struct E {
    const char *key;
    int age;
  } es[] = {{"aaa", 50}, {"bbb", 10}, {"ccc", 30}, {"ddd", 40}, {"eee", -1}, {"fff", 5}};
  for (const E &e : es) {
    std::string d = cache + "/" + e.key;
    ASSERT_EQ(mkdir(d.c_str(), 0777), 0);
    mpb_test_run("dd if=/dev/zero of='" + d + "/blob' bs=1024 count=1024 2>/dev/null", &out);
    if (e.age >= 0) {
      write_file(d + "/.complete", "");
      mpb_test_run("touch -d '-" + std::to_string(e.age) + " minutes' '" + d + "/.used'", &out);
    }
  }
  // ddd (40 min, second oldest) is in use: its lock is held while pruning
  std::string held = "flock -s '" + cache + "/ddd.lock' ";
  // 6 entries of ~1 MiB; cap 3.5 MiB: remove eee (half-built), aaa (oldest), ddd is
  // locked so skip it, then ccc: left bbb, ddd, fff
  ASSERT_EQ(mpb_test_run(held + "tools/cosim-build.sh --prune --max-size 3670016 --cache '" +
                             cache + "'", &out), 0) << out;
  for (const E &e : es) {
    bool kept = std::string("bbb ddd fff").find(e.key) != std::string::npos;
    EXPECT_EQ(access((cache + "/" + e.key).c_str(), F_OK) == 0, kept) << e.key << "\n" << out;
  }
  std::string blog = slurp(cache + "/builds.log");
  EXPECT_EQ(count_lines(blog), 3u) << blog;
  EXPECT_NE(blog.find("eee pruned"), std::string::npos) << blog;
  // the same through the CLI, unlocked: down to 1.5 MiB keeps the most recent (fff)
  ASSERT_EQ(sweep_cli("", "sweep --prune-cache --rtl-cache '" + cache +
                          "' --rtl-cache-max 1572864", &out), 0) << out;
  EXPECT_EQ(access((cache + "/fff").c_str(), F_OK), 0) << out;
  EXPECT_NE(access((cache + "/bbb").c_str(), F_OK), 0) << out;
  EXPECT_NE(access((cache + "/ddd").c_str(), F_OK), 0) << out;
  rm_rf(cache);
}
