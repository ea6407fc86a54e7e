// lm_ssm_cli_test.cc — `mpbsim ssm eval|hybrid` through the CLI: outputs written (JSON of
// the documented schema, CSV), exit codes and messages of bad options (docs/cli.md), no
// partial output on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest_c.h"

namespace {

std::string bin() { return mpb_test_bin("mpbsim"); }

bool exists(const std::string &p) { return std::ifstream(p).good(); }

std::string slurp(const std::string &p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(LmSsmCli, EvalWritesTableJsonAndCsv) {
  std::string j = mpb_test_path("ssm_cli.json"), c = mpb_test_path("ssm_cli.csv"), out;
  std::remove(j.c_str()), std::remove(c.c_str());
  ASSERT_EQ(mpb_test_run(bin() + " ssm eval --model tiny --steps 300 --numerics bridge "
                         "--numerics ref,exp.ssm_da=bridge --dt-range 1e-4:1e-2 --json " + j +
                         " --csv " + c, &out), 0) << out;
  EXPECT_NE(out.find("dt range [0.0001, 0.01]"), std::string::npos) << out;
  EXPECT_NE(out.find("ref,exp.ssm_da=bridge"), std::string::npos) << out;
  std::string js = slurp(j);
  EXPECT_NE(js.find("\"schema\": \"mpbsim-ssm-eval-1\""), std::string::npos);
  EXPECT_NE(js.find("\"near_zero_channel\""), std::string::npos);
  std::string cs = slurp(c);
  EXPECT_EQ(cs.rfind("variant,spec,state,octave,", 0), 0u) << cs.substr(0, 80);
  // 2 variants x 10 octaves (positions 0..299: octave 0 = {0}, 9 = [256, 512)) + header
  EXPECT_EQ(std::count(cs.begin(), cs.end(), '\n'), 21);
}

TEST(LmSsmCli, HybridWritesJson) {
  std::string j = mpb_test_path("hybrid_cli.json"), out;
  std::remove(j.c_str());
  ASSERT_EQ(mpb_test_run(bin() + " ssm hybrid --model bitaxon-tiny --tokens 96 --checkpoints "
                         "32,96 --numerics int8 --json " + j, &out), 0) << out;
  EXPECT_NE(out.find("KLD mean@32"), std::string::npos) << out;
  EXPECT_NE(slurp(j).find("\"schema\": \"mpbsim-hybrid-eval-1\""), std::string::npos);
}

TEST(LmSsmCli, BadOptionsExitCodesAndMessages) {
  std::string j = mpb_test_path("ssm_cli_bad.json"), out;
  std::remove(j.c_str());
  struct { std::string args; int code; const char *msg; } cases[] = {
      {"eval --dt-range 0:1e-2", 2, "dt range"},
      {"eval --dt-range -1e-3:1e-2", 2, "dt range"},
      {"eval --dt-range 1e-2:1e-3", 2, "LO <= HI"},
      {"eval --dt-range 1e-3", 2, "LO:HI"},
      {"eval --steps 0", 2, "--steps"},
      {"eval --steps 4194305", 2, "4194304"},
      {"eval --numerics nope", 2, "unknown backend 'nope'"},
      {"eval --numerics state=fp8", 2, "state=fp8"},
      {"eval --model nope", 2, "mamba130m"},
      {"eval --tokens 5", 2, "ssm hybrid"},
      {"hybrid --steps 5", 2, "--tokens"},
      {"hybrid --tokens 0", 2, "--tokens"},
      {"hybrid --tokens 100 --checkpoints 200", 2, "beyond --tokens"},
      {"hybrid --checkpoints 64,32", 2, "increasing"},
      {"hybrid --model nope", 2, "bitaxon"},
      {"hybrid --attr nope", 2, "unknown backend"},
      {"frobnicate", 2, "unknown action"},
      {"", 2, "expected one action"},
      {"eval --config /nonexistent/x.cfg", 4, "x.cfg"},
      {"eval --set horner_order=99", 2, "horner_order"},
  };
  for (const auto &c : cases) {
    int rc = mpb_test_run(bin() + " ssm " + c.args + " --json " + j, &out);
    EXPECT_EQ(rc, c.code) << c.args << ": " << out;
    EXPECT_NE(out.find(c.msg), std::string::npos) << c.args << ": " << out;
    EXPECT_FALSE(exists(j)) << c.args << ": partial output";
  }
  EXPECT_EQ(mpb_test_run(bin() + " ssm --help", &out), 0);
  EXPECT_NE(out.find("exit codes"), std::string::npos);
}

} // namespace
