// analysis_ssm_eval_test.cc — the SSM closed-loop study and the hybrid closed loop: a
// variant identical to the reference has zero error (and zero KLD) exactly, the reported
// channels are the ones defined, JSON written and read back gives the same tables, bad
// options are errors naming the field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "gtest_c.h"
#include "hybrid_eval.h"
#include "ssm_eval.h"

namespace {

void add_variant(ssm_eval_opts *o, const char *text) {
  char err[256];
  lm_numerics_spec_init(&o->spec[o->nvar], LM_BK_REF);
  ASSERT_EQ(lm_numerics_spec_parse(&o->spec[o->nvar], text, err, sizeof err), 0) << err;
  snprintf(o->label[o->nvar], sizeof o->label[0], "%s", text);
  o->nvar++;
}

ssm_eval_opts tiny_opts(uint64_t steps) {
  ssm_eval_opts o;
  ssm_eval_opts_default(&o);
  snprintf(o.model, sizeof o.model, "tiny");
  o.c = ssm_preset_find("tiny")->c;
  o.steps = steps;
  o.chunk = 16;
  return o;
}

TEST(SsmEval, ReferenceVariantIsExactlyZeroOthersAreNot) {
  ssm_eval_opts o = tiny_opts(1000);
  add_variant(&o, "ref");
  add_variant(&o, "fp32");
  add_variant(&o, "ref,state=bf16");
  static ssm_eval_result r;
  char err[256];
  ASSERT_EQ(ssm_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0) << err;
  EXPECT_EQ(r.noct, 11); // positions 0..999: octaves 0..10
  uint64_t n = 0;
  for (int k = 0; k < r.noct; k++) {
    n += r.var[0].oct[k].n;
    EXPECT_EQ(r.var[0].oct[k].h_max, 0.0) << k;
    EXPECT_EQ(r.var[0].oct[k].y_max, 0.0) << k;
  }
  EXPECT_EQ(n, 1000u);
  EXPECT_EQ(r.var[0].fit_h.npoints, 0); // no error: nothing to fit
  EXPECT_EQ(r.var[0].h_final, 0.0);
  EXPECT_GT(r.var[1].h_final, 0.0);
  EXPECT_LT(r.var[1].h_final, 1e-5);
  EXPECT_GT(r.var[2].h_final, 1e-3); // bf16 state: 8 significand bits
  EXPECT_EQ(r.var[2].state, LM_STATE_BF16);
  // the dt*A ~ 0 channel: state 0 (A = -1) of the channel with the smallest mean dt
  for (int v = 0; v < 3; v++) {
    const ssm_eval_channel &z = r.var[v].near_zero;
    EXPECT_EQ(z.index, r.var[0].near_zero.index);
    EXPECT_NEAR(z.dta_mean, -z.dt_mean, 1e-6 * z.dt_mean);
    EXPECT_LE(z.dt_mean, r.var[v].worst.dt_mean);
    EXPECT_GE(z.dt_mean, r.dt_min_seen);
  }
  // the worst channel's last octave bounds every octave RMS of the whole state from above
  // only per channel; its error is at least the near-zero channel's there
  int last = r.noct - 1;
  EXPECT_GE(r.var[2].worst.oct_max[last], r.var[2].near_zero.oct_max[last]);
}

TEST(SsmEval, JsonRoundTrip) {
  ssm_eval_opts o = tiny_opts(300);
  add_variant(&o, "fp16");
  add_variant(&o, "int8");
  static ssm_eval_result r, back;
  char err[256];
  ASSERT_EQ(ssm_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0) << err;
  std::string path = mpb_test_path("ssm_eval_rt.json");
  FILE *f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(ssm_eval_write_json(&r, f), 0);
  fclose(f);
  ASSERT_EQ(ssm_eval_read_json(path.c_str(), &back, err, sizeof err), 0) << err;
  EXPECT_EQ(back.opts.steps, 300u);
  EXPECT_EQ(back.opts.nvar, 2);
  EXPECT_EQ(back.noct, r.noct);
  EXPECT_STREQ(back.opts.model, "tiny");
  for (int v = 0; v < 2; v++) {
    EXPECT_STREQ(back.var[v].label, r.var[v].label);
    EXPECT_STREQ(back.var[v].spec, r.var[v].spec);
    EXPECT_EQ(back.var[v].state, r.var[v].state);
    EXPECT_NEAR(back.var[v].fit_h.b, r.var[v].fit_h.b, 1e-8);
    EXPECT_EQ(back.var[v].worst.index, r.var[v].worst.index);
    for (int k = 0; k < r.noct; k++) {
      EXPECT_EQ(back.var[v].oct[k].n, r.var[v].oct[k].n);
      EXPECT_NEAR(back.var[v].oct[k].h_max, r.var[v].oct[k].h_max, 1e-8 * r.var[v].oct[k].h_max);
      EXPECT_NEAR(ssm_eval_oct_rms_y(&back.var[v].oct[k]), ssm_eval_oct_rms_y(&r.var[v].oct[k]),
                  1e-8 * ssm_eval_oct_rms_y(&r.var[v].oct[k]));
    }
  }
  // a foreign file is refused with the field named
  f = fopen(path.c_str(), "w");
  fputs("{\"schema\": \"other\"}\n", f);
  fclose(f);
  EXPECT_NE(ssm_eval_read_json(path.c_str(), &back, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("schema"), std::string::npos) << err;
}

TEST(SsmEval, BadOptionsNameTheField) {
  static ssm_eval_result r;
  char err[256];
  ssm_eval_opts o = tiny_opts(0);
  EXPECT_NE(ssm_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("steps"), std::string::npos) << err;
  o = tiny_opts(SSM_EVAL_MAX_STEPS + 1ull);
  EXPECT_NE(ssm_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("4194304"), std::string::npos) << err;
  o = tiny_opts(10);
  o.c.dt_min = 0;
  EXPECT_NE(ssm_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("dt range"), std::string::npos) << err;
}

TEST(HybridEval, ReferenceVariantHasZeroKld) {
  static hybrid_eval_opts o;
  static hybrid_eval_result r, back;
  char err[256];
  hybrid_eval_opts_default(&o);
  ASSERT_EQ(hybrid_eval_set_model(&o, "bitaxon-tiny", err, sizeof err), 0) << err;
  o.tokens = 160;
  o.ncheck = 2, o.check[0] = 40, o.check[1] = 160; // past the window of 64
  ASSERT_EQ(hybrid_eval_add_spec(&o, "ref", nullptr, err, sizeof err), 0) << err;
  ASSERT_EQ(hybrid_eval_add_spec(&o, "ref,gemm=int8", nullptr, err, sizeof err), 0) << err;
  ASSERT_EQ(hybrid_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0) << err;
  for (int i = 0; i < 2; i++) {
    EXPECT_EQ(r.var[0].at[i].kld_mean, 0.0) << i;
    EXPECT_EQ(r.var[0].at[i].kld_max, 0.0) << i;
    EXPECT_EQ(r.var[0].at[i].same_top1, 1.0) << i;
    EXPECT_GT(r.var[1].at[i].kld_mean, 1e-6) << i;
    EXPECT_GE(r.var[1].at[i].kld_max, r.var[1].at[i].kld_mean) << i;
    EXPECT_GT(r.ref_entropy[i], 0.5) << i;
    EXPECT_LT(r.ref_entropy[i], std::log((double)o.c.n_vocab)) << i;
  }
  EXPECT_EQ(r.var[0].at[0].npos, 40);
  EXPECT_EQ(r.var[0].at[1].npos, HYBRID_KLD_POSITIONS);
  std::string path = mpb_test_path("hybrid_eval_rt.json");
  FILE *f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(hybrid_eval_write_json(&r, f), 0);
  fclose(f);
  ASSERT_EQ(hybrid_eval_read_json(path.c_str(), &back, err, sizeof err), 0) << err;
  EXPECT_EQ(back.opts.ncheck, 2);
  EXPECT_EQ(back.opts.check[1], 160u);
  EXPECT_STREQ(back.var[1].label, "ref,gemm=int8");
  EXPECT_NEAR(back.var[1].at[1].kld_mean, r.var[1].at[1].kld_mean, 1e-8 * r.var[1].at[1].kld_mean);
  // the attribution set: one variant per group, the last is all=B
  hybrid_eval_opts_default(&o);
  ASSERT_EQ(hybrid_eval_add_attribution(&o, LM_BK_BRIDGE, nullptr, err, sizeof err), 0) << err;
  ASSERT_EQ(o.nvar, 6);
  EXPECT_STREQ(o.group[0], "ssm_exp");
  EXPECT_EQ(o.spec[0].exp[LM_EXP_SSM_DA], LM_BK_BRIDGE);
  EXPECT_EQ(o.spec[0].exp[LM_EXP_SOFTPLUS], LM_BK_BRIDGE);
  EXPECT_EQ(o.spec[0].exp[LM_EXP_SOFTMAX], LM_BK_REF);
  EXPECT_EQ(o.spec[0].lin[LM_LIN_SSM_IN], LM_BK_REF);
  EXPECT_EQ(o.spec[4].lin[LM_LIN_SSM_SCAN], LM_BK_BRIDGE); // gemm
  EXPECT_EQ(o.spec[4].exp[LM_EXP_SOFTMAX], LM_BK_REF);
  EXPECT_STREQ(o.group[5], "all");
  EXPECT_EQ(o.spec[5].state, LM_STATE_FP32);
  EXPECT_EQ(o.spec[5].kv, LM_KV_LOG8);
  // bad checkpoints
  o.tokens = 10, o.ncheck = 1, o.check[0] = 11;
  EXPECT_NE(hybrid_eval_run(&o, &r, nullptr, nullptr, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("checkpoint"), std::string::npos) << err;
}

} // namespace
