// sweep_ssm_test.cc — a sweep's SSM objective (ssm_eval, analysis/sweep_ssm.c): every
// field's error names the file, line and range; the columns follow the trace columns;
// a 2-point sweep of the tiny block runs the SSM closed loop per point, and the verdict
// names the cheapest point meeting the constraint on the state's error.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "gtest_c.h"
#include "sweep.h"

namespace {

std::string write_spec(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p) << text;
  return p;
}

std::string spec(const std::string &ssm_eval, const char *params =
                     "{ name = \"exp_table_bits\"; values = [0, 6]; }") {
  return std::string("params = ( ") + params + " );\n"
         "workloads = ( { name = \"w\"; head_dim = 64; base = 100000.0;\n"
         "  positions = { max = 1024; per_octave = 4; }; } );\n"
         "ssm_eval = { " + ssm_eval + " };\n";
}

std::string load_error(const std::string &name, const std::string &body) {
  static sweep_spec s;
  char err[512] = "";
  std::string p = write_spec(name, spec(body));
  EXPECT_NE(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << body;
  return err;
}

TEST(SweepSsm, SpecErrorsNameTheField) {
  struct { const char *body, *msg; } cases[] = {
      {"model = \"nope\";", "ssm_eval.model = 'nope' is not one of {mamba130m, bitaxon, scan, tiny}"},
      {"steps = 0;", "ssm_eval.steps must be an integer in [1, 4194304]"},
      {"steps = 4194305;", "ssm_eval.steps must be an integer in [1, 4194304]"},
      {"dt_range = [0.0, 0.1];", "ssm_eval.dt_range must be [LO, HI]"},
      {"dt_range = [0.1, 0.01];", "ssm_eval.dt_range must be [LO, HI]"},
      {"numerics = \"ref,exp.ssm_da=fp8\";", "ssm_eval.numerics: numerics 'exp.ssm_da=fp8'"},
      {"metric = \"h_max\";", "ssm_eval.metric = 'h_max' is not one of {h_rel, y_rel, near_zero}"},
      {"max = 0.0;", "ssm_eval.max must be a number > 0"},
      {"frob = 1;", "ssm_eval: unknown field 'frob'"},
  };
  for (const auto &c : cases) {
    std::string e = load_error("ssm-bad.cfg", c.body);
    EXPECT_NE(e.find(c.msg), std::string::npos) << c.body << ": " << e;
    EXPECT_NE(e.find("ssm-bad.cfg:"), std::string::npos) << e;
  }
}

TEST(SweepSsm, ColumnsDefaultsAndHash) {
  static sweep_spec s;
  char err[512];
  std::string p = write_spec("ssm-ok.cfg", spec("max = 1e-3;"));
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_TRUE(s.ssm.on);
  EXPECT_STREQ(s.ssm.model, "scan");
  EXPECT_EQ(s.ssm.steps, 65536u);
  EXPECT_EQ(s.ssm.metric, 0);
  EXPECT_STREQ(s.ssm.numerics, "ref,exp.ssm_da=bridge");
  EXPECT_DOUBLE_EQ(s.ssm.dt_min, 1e-3);
  EXPECT_EQ(sweep_ssm_col(&s), SWEEP_NMETRIC + 1);
  EXPECT_EQ(sweep_nvalues(&s), SWEEP_NMETRIC + 1 + SWEEP_SSM_VALUES);
  char name[64];
  sweep_value_name(&s, sweep_ssm_col(&s) + 2, name, sizeof name);
  EXPECT_STREQ(name, "ssm_near_zero");
  uint64_t h = s.hash;
  sweep_spec_free(&s);
  p = write_spec("ssm-ok2.cfg", spec("max = 1e-3; dt_range = [1e-4, 1e-1];"));
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_NE(s.hash, h) << "the dt range is part of the spec hash";
  sweep_spec_free(&s);
}

// Two points, exp_table_bits 0 and 6, the tiny block for 2048 steps with the bridge's
// exp(dt*A) alone: both table sizes leave the Q8.16 input's rounding, so the constraint
// is chosen loose enough for both; the verdict names the cheaper one.
TEST(SweepSsm, SweepRunsTheStudyPerPoint) {
  std::string dir = mpb_test_path("sweep-ssm-out");
  std::string p = write_spec("ssm-run.cfg", spec("model = \"tiny\"; steps = 2048; max = 0.5;"));
  std::string out;
  ASSERT_EQ(mpb_test_run("rm -rf " + dir + " && " + mpb_test_bin("mpbsim") + " sweep " + p +
                         " -j 1 -o " + dir + " --no-progress", &out), 0) << out;
  EXPECT_NE(out.find("SSM (ssm_h_rel <= 0.5, ref,exp.ssm_da=bridge, tiny block, 2048 steps): point"),
            std::string::npos) << out;
  std::string csv;
  ASSERT_EQ(mpb_test_run("cat " + dir + "/results.csv", &csv), 0);
  EXPECT_NE(csv.find("ssm_h_rel,ssm_y_rel,ssm_near_zero,ssm_h_b"), std::string::npos) << csv;
  std::string js;
  ASSERT_EQ(mpb_test_run("cat " + dir + "/results.json", &js), 0);
  EXPECT_NE(js.find("\"best_ssm\""), std::string::npos);
  // the columns are the study's figures: positive, finite
  size_t row = csv.find('\n') + 1;
  EXPECT_EQ(csv.find("inf", row), std::string::npos) << csv;
  EXPECT_EQ(csv.find("nan", row), std::string::npos) << csv;
}

}  // namespace
