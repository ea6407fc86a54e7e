// sweep_lm_test.cc — a sweep's model-level objective (model_eval, analysis/sweep_lm.c):
// every field's error names the file, line and range; the columns follow the trace
// columns and precede rtl_check; with the real model (after `make models`) a 2-point
// sweep runs the closed loop per point and the verdict names the cheapest point meeting
// the KLD constraint next to the per-op choice.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "gtest_c.h"
#include "sweep.h"

namespace {

const char *kModel = "models/SmolLM2-135M-Instruct.Q4_1.gguf";

std::string write_spec(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p) << text;
  return p;
}

// A model file path: the real one when present, else a placeholder regular file (enough
// for parsing; nothing is evaluated).
std::string model_path() {
  if (FILE *f = std::fopen(kModel, "rb")) {
    std::fclose(f);
    char buf[4096];
    return realpath(kModel, buf) ? buf : kModel;
  }
  std::string p = mpb_test_path("placeholder.gguf");
  std::ofstream(p) << "x";
  return p;
}

std::string tokens_path() {
  char buf[4096];
  return realpath("data/passage.tokens", buf) ? buf : "data/passage.tokens";
}

std::string spec(const std::string &model_eval, std::string tokens = "") {
  if (tokens.empty()) tokens = tokens_path();
  return "params = ( { name = \"x_bits\"; values = [8, 16]; } );\n"
         "workloads = ( { name = \"w\"; head_dim = 64; base = 100000.0;\n"
         "  positions = { max = 4096; per_octave = 4; }; } );\n"
         "goal = 3.0517578125e-05;\n"
         "model_eval = { model = \"" + model_path() + "\"; tokens = \"" + tokens + "\";\n" +
         model_eval + " };\n";
}

std::string load_error(const std::string &name, const std::string &body,
                       const std::string &tokens = "") {
  static sweep_spec s;
  char err[512] = "";
  std::string p = write_spec(name, spec(body, tokens));
  EXPECT_NE(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << body;
  return err;
}

TEST(SweepLm, SpecErrorsNameTheField) {
  EXPECT_NE(load_error("lm1.cfg", "metric = \"kld_p95\";")
                .find("model_eval.metric = 'kld_p95' is not one of {kld_mean, kld_p99, kld_p999, kld_max}"),
            std::string::npos);
  EXPECT_NE(load_error("lm2.cfg", "offset = \"2^x\";").find("model_eval.offset must be an integer"),
            std::string::npos);
  EXPECT_NE(load_error("lm3.cfg", "ctx = 2;").find("model_eval.ctx must be an integer in [4, 8192]"),
            std::string::npos);
  EXPECT_NE(load_error("lm4.cfg", "numerics = \"ref,rope=fp8\";").find("model_eval.numerics: numerics 'rope=fp8'"),
            std::string::npos);
  EXPECT_NE(load_error("lm5.cfg", "max = -1.0;").find("model_eval.max must be a number > 0"),
            std::string::npos);
  EXPECT_NE(load_error("lm6.cfg", "frob = 1;").find("model_eval: unknown field 'frob'"),
            std::string::npos);
  std::string e = load_error("lm7.cfg", "ctx = 16;", "/nonexistent.tokens");
  EXPECT_NE(e.find("model_eval.tokens: cannot read /nonexistent.tokens"), std::string::npos) << e;
  EXPECT_NE(e.find("lm7.cfg:"), std::string::npos) << e;
}

TEST(SweepLm, ColumnsAndOffset) {
  static sweep_spec s;
  char err[512];
  std::string p = write_spec("lm-ok.cfg", spec("ctx = 16; offset = \"2^17-n\"; max = 1e-3;"));
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_TRUE(s.lm.on);
  EXPECT_EQ(s.lm.offset, (1 << 17) - 16);
  EXPECT_EQ(s.lm.metric, 2); // kld_p999 by default
  EXPECT_STREQ(s.lm.numerics, "ref,rope=bridge,exp=bridge");
  EXPECT_EQ(sweep_lm_col(&s), SWEEP_NMETRIC + 1);
  EXPECT_EQ(sweep_nvalues(&s), SWEEP_NMETRIC + 1 + SWEEP_LM_VALUES);
  char name[64];
  sweep_value_name(&s, sweep_lm_col(&s) + 2, name, sizeof name);
  EXPECT_STREQ(name, "lm_kld_p999");
  uint64_t h = s.hash;
  sweep_spec_free(&s);
  p = write_spec("lm-ok2.cfg", spec("ctx = 16; offset = \"2^17-n\"; max = 2e-3;"));
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_NE(s.hash, h) << "the constraint is part of the spec hash";
  sweep_spec_free(&s);
}

// One window of 24 tokens (11 scored) at offset 2^17-24, x_bits 8 and 16 on RoPE + exp.
// Measured on GPL-3 (examples/model-level.cfg, 62 tokens): x_bits 8 gives mean KLD ~5e-3,
// x_bits 16 ~1e-7..1e-6: the 8-bit rotate input dominates the model-level error.
TEST(SweepLm, RealModelSweepChoosesByKld) {
  FILE *f = std::fopen(kModel, "rb");
  if (!f) GTEST_SKIP() << kModel << " is absent: run `make models` to fetch it";
  std::fclose(f);
  std::string dir = mpb_test_path("sweep-lm-out");
  std::string p = write_spec("lm-real.cfg", spec("ctx = 24; offset = \"2^17-n\"; metric = "
                                                 "\"kld_mean\"; max = 1e-4;"));
  std::string out;
  ASSERT_EQ(mpb_test_run("rm -rf " + dir + " && " + mpb_test_bin("mpbsim") + " sweep " + p +
                         " -j 1 -o " + dir + " --no-progress", &out), 0) << out;
  EXPECT_NE(out.find("model level (lm_kld_mean <= 0.0001"), std::string::npos) << out;
  EXPECT_NE(out.find("point 1: x_bits=16"), std::string::npos) << out;
  std::string csv;
  ASSERT_EQ(mpb_test_run("cat " + dir + "/results.csv", &csv), 0);
  EXPECT_NE(csv.find("lm_kld_mean,lm_kld_p99,lm_kld_p999,lm_kld_max,lm_same_top"), std::string::npos) << csv;
  std::string js;
  ASSERT_EQ(mpb_test_run("cat " + dir + "/results.json", &js), 0);
  EXPECT_NE(js.find("\"best_model_level\""), std::string::npos);
}

}  // namespace
