/* rtl_cosim_test.cc — the RTL checks of `make test`: a short lock-step co-simulation of
 * every test configuration (zero mismatches, every unit producing results), the fast
 * mutant subset (each must be caught, with a waveform, reproducibly), and the Icarus
 * smoke test (stimulus and expected outputs from the C model, compared in Verilog).
 * The binaries are built by sim/cosim/module.mk and rtl/module.mk under RTL_BUILD_DIR. */
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sstream>
#include <string>
#include <vector>

#include "gtest_c.h"

namespace {

const std::string kBuild = RTL_BUILD_DIR;

std::vector<std::string> words(const char *s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

/* Run a shell command; returns its exit status, stdout+stderr in *out. */
int run(const std::string &cmd, std::string *out) {
  out->clear();
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

off_t file_size(const std::string &path) {
  struct stat sb;
  return stat(path.c_str(), &sb) == 0 ? sb.st_size : -1;
}

struct CosimResult {
  unsigned long long cycles = 0, rope = 0, exp = 0, dot = 0;
  bool pass = false;
};

CosimResult parse(const std::string &out) {
  CosimResult r;
  size_t at = out.find("cycles=");
  if (at == std::string::npos) return r;
  if (std::sscanf(out.c_str() + at, "cycles=%llu results rope=%llu exp=%llu dot=%llu", &r.cycles,
                  &r.rope, &r.exp, &r.dot) == 4)
    r.pass = out.find("mismatches=0 PASS") != std::string::npos;
  return r;
}

class RtlCosim : public ::testing::TestWithParam<std::string> {};

TEST_P(RtlCosim, LockStepMatchesCModel) {
  uint64_t seed = mpb_test_seed("RtlCosim") & 0xFFFFFFFF;
  const unsigned long long cycles = 300000;
  std::string bin = kBuild + "/cosim/" + GetParam() + "/cosim", out;
  int rc = run(bin + " --seed " + std::to_string(seed) + " --cycles " + std::to_string(cycles),
               &out);
  EXPECT_EQ(rc, 0) << out;
  CosimResult r = parse(out);
  EXPECT_TRUE(r.pass) << out;
  EXPECT_EQ(r.cycles, cycles);
  /* the traffic patterns average well above 10% throughput on each unit */
  EXPECT_GT(r.rope, cycles / 10) << out;
  EXPECT_GT(r.exp, cycles / 10) << out;
  EXPECT_GT(r.dot, 50u) << out;
  /* inputs beyond the pin widths (m >= 2^M, j >= 2^JB, u beyond 24 bits) were driven and
   * the C model wrapped them as the RTL's pins do (docs/architecture.md §8) */
  unsigned long long wr = 0, we = 0;
  size_t at = out.find("wrapped alike: rope=");
  ASSERT_NE(at, std::string::npos) << out;
  ASSERT_EQ(std::sscanf(out.c_str() + at, "wrapped alike: rope=%llu exp=%llu", &wr, &we), 2);
  EXPECT_GT(wr, 100u) << out;
  EXPECT_GT(we, 100u) << out;
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlCosim, ::testing::ValuesIn(words(RTL_TEST_CONFIGS)),
                         [](const ::testing::TestParamInfo<std::string> &i) { return i.param; });

/* The C model's register-level pipeline (stage chain) against the RTL too; the default
 * co-simulation uses the fast DELAY pipeline, whose pins equal it on every cycle. */
TEST_P(RtlCosim, LockStepMatchesCModelStagesPipe) {
  uint64_t seed = mpb_test_seed("RtlCosimStages") & 0xFFFFFFFF;
  const unsigned long long cycles = 100000;
  std::string bin = kBuild + "/cosim/" + GetParam() + "/cosim", out;
  int rc = run(bin + " --model-pipe stages --seed " + std::to_string(seed) + " --cycles " +
                   std::to_string(cycles), &out);
  EXPECT_EQ(rc, 0) << out;
  CosimResult r = parse(out);
  EXPECT_TRUE(r.pass) << out;
  EXPECT_EQ(r.cycles, cycles);
}

TEST(RtlCosimCli, SameSeedSameRun) {
  std::string bin = kBuild + "/cosim/default/cosim", a, b;
  ASSERT_EQ(run(bin + " --seed 7 --cycles 50000", &a), 0) << a;
  ASSERT_EQ(run(bin + " --seed 7 --cycles 50000", &b), 0) << b;
  CosimResult ra = parse(a), rb = parse(b);
  EXPECT_EQ(ra.rope, rb.rope);
  EXPECT_EQ(ra.exp, rb.exp);
  EXPECT_EQ(ra.dot, rb.dot);
  std::string c;
  ASSERT_EQ(run(bin + " --seed 8 --cycles 50000", &c), 0) << c;
  EXPECT_NE(parse(c).rope, ra.rope) << "a different seed should give different traffic";
}

/* The C model on a second thread, ahead of the RTL through the cycle queue, sees the same
 * pins and compares the same outputs: same results as one thread, over a run that wraps
 * the queue many times. */
TEST(RtlCosimCli, TwoThreadsEqualOneThread) {
  uint64_t seed = mpb_test_seed("RtlCosimThreads") & 0xFFFFFFFF;
  std::string bin = kBuild + "/cosim/default/cosim --seed " + std::to_string(seed) +
                    " --cycles 200000 --threads ", a, b;
  ASSERT_EQ(run(bin + "1", &a), 0) << a;
  ASSERT_EQ(run(bin + "2", &b), 0) << b;
  EXPECT_NE(a.find("(cpu "), std::string::npos) << a;
  EXPECT_NE(a.find(", 1 thread)"), std::string::npos) << a;
  EXPECT_NE(b.find(", 2 threads)"), std::string::npos) << b;
  CosimResult ra = parse(a), rb = parse(b);
  EXPECT_TRUE(ra.pass && rb.pass) << a << b;
  EXPECT_GT(ra.rope, 20000u) << a;
  EXPECT_EQ(ra.rope, rb.rope);
  EXPECT_EQ(ra.exp, rb.exp);
  EXPECT_EQ(ra.dot, rb.dot);
}

TEST(RtlCosimCli, BadOptionsAreUsageErrors) {
  std::string bin = kBuild + "/cosim/default/cosim", out;
  EXPECT_EQ(run(bin + " --cycles abc", &out), 2);
  EXPECT_NE(out.find("--cycles"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " --mode fast", &out), 2);
  EXPECT_NE(out.find("is not cosim, rtl, cmodel or stim"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " --model-pipe fast", &out), 2);
  EXPECT_NE(out.find("is not delay or stages"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " --threads 3", &out), 2);
  EXPECT_NE(out.find("--threads: '3' is not 1 or 2"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " stray", &out), 2);
}

/* Workload traces as stimulus: their operations, in order, under the seed's traffic. */
const std::string kWorkloads = RTL_WORKLOADS;

bool built(const std::string &cfg) {
  for (const std::string &c : words(RTL_TEST_CONFIGS))
    if (c == cfg) return true;
  return false;
}

TEST(RtlCosimTrace, DefaultTraceRotationsMatchUntilCycleLimit) {
  std::string out;
  int rc = run(kBuild + "/cosim/default/cosim --seed 3 --cycles 300000 --trace " + kWorkloads +
                   "/default.trace", &out);
  ASSERT_EQ(rc, 0) << out;
  CosimResult r = parse(out);
  EXPECT_TRUE(r.pass) << out;
  EXPECT_EQ(r.cycles, 300000u);
  /* a RoPE-only trace: rotations only, at least the share the traffic patterns allow */
  EXPECT_GT(r.rope, 30000u) << out;
  EXPECT_EQ(r.exp, 0u) << out;
  EXPECT_EQ(r.dot, 0u) << out;
  EXPECT_NE(out.find("exp=0 dot_beats=0 (stopped at --cycles)"), std::string::npos) << out;
}

/* The SmolLM2 trace (ROPE, softmax EXP, GEMM) to its end on the d = 64, base 100000
 * build: every operation compared, every unit drained. */
TEST(RtlCosimTrace, SmolLM2TraceRunsToTheEndOnAllUnits) {
  if (!built("trunc_x16")) GTEST_SKIP() << "trunc_x16 is not built in this build (" RTL_TEST_CONFIGS ")";
  std::string out;
  int rc = run(kBuild + "/cosim/trunc_x16/cosim --seed 4 --cycles 20000000 --trace " +
                   kWorkloads + "/smollm2.trace", &out);
  ASSERT_EQ(rc, 0) << out;
  CosimResult r = parse(out);
  EXPECT_TRUE(r.pass) << out;
  EXPECT_LT(r.cycles, 20000000u) << out;
  unsigned long long rot = 0, ex = 0, beats = 0;
  size_t at = out.find("items rotations=");
  ASSERT_NE(at, std::string::npos) << out;
  ASSERT_EQ(std::sscanf(out.c_str() + at, "items rotations=%llu exp=%llu dot_beats=%llu", &rot,
                        &ex, &beats), 3) << out;
  EXPECT_NE(out.find("(all, drained)"), std::string::npos) << out;
  /* every item fed came out and was compared */
  EXPECT_EQ(r.rope, rot);
  EXPECT_EQ(r.exp, ex);
  EXPECT_GT(r.rope, 10000u);
  EXPECT_GT(r.exp, 10000u);
  EXPECT_GT(r.dot, 1000u);
  EXPECT_GT(beats, r.dot); /* dot products of several beats each */
}

TEST(RtlCosimTrace, MutantIsCaughtOnTheTrace) {
  std::string out;
  int rc = run(kBuild + "/cosim/mut2/cosim --seed 1 --cycles 300000 --fst " +
                   mpb_test_path("mut2-trace.fst") + " --trace " + kWorkloads + "/default.trace",
               &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("FAIL cycle "), std::string::npos) << out;
}

TEST(RtlCosimTrace, BadTraceIsAnInputError) {
  std::string out, bin = kBuild + "/cosim/default/cosim --cycles 1000 --trace ";
  /* geometry the build's tables were not made for */
  EXPECT_EQ(run(bin + kWorkloads + "/smollm2.trace", &out), 3);
  EXPECT_NE(out.find("smollm2.trace: header field head_dim is 64, but this build's tables are "
                     "for head_dim 128"), std::string::npos) << out;
  EXPECT_EQ(out.find("PASS"), std::string::npos) << out;
  /* missing file */
  EXPECT_EQ(run(bin + mpb_test_path("no-such.trace"), &out), 3);
  EXPECT_NE(out.find("no-such.trace"), std::string::npos) << out;
  /* a truncated trace: the reader's error (file, chunk) ends the run, no PASS */
  std::string cut = mpb_test_path("cut.trace");
  ASSERT_EQ(std::system(("head -c 20000 " + kWorkloads + "/default.trace > " + cut).c_str()), 0);
  EXPECT_EQ(run(bin + cut + " --cycles 100000000", &out), 3) << out;
  EXPECT_NE(out.find("cut.trace"), std::string::npos) << out;
  EXPECT_EQ(out.find("PASS"), std::string::npos) << out;
}

class RtlMutant : public ::testing::TestWithParam<std::string> {};

TEST_P(RtlMutant, IsCaughtWithWaveformAndReplays) {
  std::string dir = kBuild + "/cosim/mut" + GetParam(), fst = dir + "/test.fst", out;
  std::remove(fst.c_str());
  int rc = run(dir + "/cosim --seed 1 --cycles 300000 --fst " + fst, &out);
  ASSERT_EQ(rc, 1) << "mutant " << GetParam() << " survived:\n" << out;
  size_t at = out.find("FAIL cycle ");
  ASSERT_NE(at, std::string::npos) << out;
  unsigned long long cyc = 0;
  ASSERT_EQ(std::sscanf(out.c_str() + at, "FAIL cycle %llu", &cyc), 1);
  EXPECT_NE(out.find("expected"), std::string::npos) << out;
  EXPECT_GT(file_size(fst), 100) << "no waveform written: " << fst;
  /* the printed reproduction stops at the same cycle */
  std::string again;
  EXPECT_EQ(run(dir + "/cosim --seed 1 --cycles " + std::to_string(cyc + 1) + " --fst " + fst,
                &again),
            1);
  EXPECT_NE(again.find("FAIL cycle " + std::to_string(cyc) + ":"), std::string::npos) << again;
  /* both schedules (C model on its own thread or not) stop at the same cycle, same text */
  std::string one, two;
  EXPECT_EQ(run(dir + "/cosim --seed 1 --cycles 300000 --threads 1 --fst " + fst, &one), 1);
  EXPECT_EQ(run(dir + "/cosim --seed 1 --cycles 300000 --threads 2 --fst " + fst, &two), 1);
  EXPECT_EQ(one.substr(0, one.find('\n')), two.substr(0, two.find('\n')));
  EXPECT_NE(one.find("FAIL cycle " + std::to_string(cyc) + ":"), std::string::npos) << one;
  /* and one cycle earlier the run passes */
  if (cyc > 0) {
    EXPECT_EQ(run(dir + "/cosim --seed 1 --cycles " + std::to_string(cyc), &again), 0) << again;
  }
}

INSTANTIATE_TEST_SUITE_P(FastSubset, RtlMutant, ::testing::ValuesIn(words(RTL_TEST_MUTANTS)),
                         [](const ::testing::TestParamInfo<std::string> &i) {
                           return "mut" + i.param;
                         });

/* Icarus: vectors from the C model for one configuration, compared by the testbench. */
std::string icarus(const std::string &tb, const std::string &cfg, uint64_t seed, int cycles,
                   int *rc) {
  std::string dir = kBuild + "/cosim/" + cfg, vec = kBuild + "/icarus/" + tb, out;
  std::string gen = kBuild + "/cosim/vectors --config " + dir + "/config.cfg " +
                    (cfg == "trunc_x16" || cfg == "w17" ? "--head-dim 64 --base 100000"
                                                        : "--head-dim 128 --base 500000") +
                    " --seed " + std::to_string(seed) + " --cycles " + std::to_string(cycles) +
                    " --stim " + vec + "/stim.txt --expect " + vec + "/expect.txt";
  *rc = run(gen, &out);
  if (*rc != 0) return out;
  *rc = run("vvp -n " + vec + "/tb.vvp +stim=" + vec + "/stim.txt +expect=" + vec +
                "/expect.txt",
            &out);
  return out;
}

TEST(RtlIcarus, SmokeTestPasses) {
  uint64_t seed = mpb_test_seed("RtlIcarus") & 0xFFFFFFFF;
  for (const char *cfg : {"default", "patent"}) {
    int rc;
    std::string out = icarus(cfg, cfg, seed, 5000, &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("ICARUS PASS cycles=5000"), std::string::npos) << cfg << ":\n" << out;
    unsigned long long results = 0;
    size_t at = out.find("results=");
    ASSERT_NE(at, std::string::npos) << out;
    std::sscanf(out.c_str() + at, "results=%llu", &results);
    EXPECT_GT(results, 1000u) << out;
  }
}

TEST(RtlIcarus, MutantFails) {
  int rc;
  std::string out = icarus("default-mut2", "default", 1, 5000, &rc);
  EXPECT_NE(out.find("ICARUS FAIL cycle"), std::string::npos) << out;
}

}  // namespace

namespace {

/* SystemC: RTL (verilator --sc) and the C model sc_module under one scoreboard, and the
 * TLM-2.0 target checked register by register against the functional model. */
TEST(RtlSystemC, ScoreboardAndTlmTarget) {
  uint64_t seed = mpb_test_seed("RtlSystemC") & 0xFFFFFFFF;
  std::string out;
  int rc = run(kBuild + "/systemc/sc_test --seed " + std::to_string(seed) + " --cycles 20000",
               &out);
  EXPECT_EQ(rc, 0) << out;
  size_t at = out.find("SYSTEMC PASS");
  ASSERT_NE(at, std::string::npos) << out;
  unsigned long long cycles = 0, compared = 0, tx = 0;
  ASSERT_EQ(std::sscanf(out.c_str() + at,
                        "SYSTEMC PASS scoreboard cycles=%llu compared=%llu tlm transactions=%llu",
                        &cycles, &compared, &tx),
            3)
      << out;
  EXPECT_EQ(cycles, 20000u);
  EXPECT_GT(compared, 4000u) << "the scoreboard compared too few results";
  /* 200 x (4 rope writes + 4 reads + 1 exp write + 2 reads) + dot + error cases */
  EXPECT_GE(tx, 2200u);
  EXPECT_EQ(run(kBuild + "/systemc/sc_test --bogus", &out), 2);
}

}  // namespace
