// lm_numerics_state_test.cc — the numerics interface's SSM additions: state formats
// (names, parsing, the format each backend implies, rounding, bytes), the ssm_scan
// matrix-product site, and lm_matmul on int8 operands.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "numerics.h"

namespace {

TEST(LmNumericsState, NamesParseAndBackendDefaults) {
  char err[256];
  const char *names[] = {"fp64", "fp32", "bf16", "fp16", "int16"};
  for (int i = 0; i < LM_NSTATE; i++) {
    EXPECT_STREQ(lm_state_format_name((lm_state_format)i), names[i]);
    lm_state_format f;
    ASSERT_EQ(lm_state_format_parse(names[i], &f, err, sizeof err), 0) << err;
    EXPECT_EQ(f, (lm_state_format)i);
  }
  lm_state_format f;
  EXPECT_NE(lm_state_format_parse("fp8", &f, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("fp64, fp32, bf16, fp16, int16"), std::string::npos) << err;
  EXPECT_EQ(lm_state_format_of(LM_BK_REF), LM_STATE_FP64);
  EXPECT_EQ(lm_state_format_of(LM_BK_FP32), LM_STATE_FP32);
  EXPECT_EQ(lm_state_format_of(LM_BK_BF16), LM_STATE_BF16);
  EXPECT_EQ(lm_state_format_of(LM_BK_FP16), LM_STATE_FP16);
  EXPECT_EQ(lm_state_format_of(LM_BK_BRIDGE), LM_STATE_FP32);
  EXPECT_EQ(lm_state_format_of(LM_BK_INT8), LM_STATE_INT16);
}

TEST(LmNumericsState, SpecItems) {
  char err[256], buf[256];
  lm_numerics_spec s;
  lm_numerics_spec_init(&s, LM_BK_REF);
  EXPECT_EQ(s.state, LM_STATE_FP64);
  EXPECT_TRUE(lm_numerics_spec_is_ref(&s));
  ASSERT_EQ(lm_numerics_spec_parse(&s, "state=bf16", err, sizeof err), 0) << err;
  EXPECT_EQ(s.state, LM_STATE_BF16);
  EXPECT_FALSE(lm_numerics_spec_is_ref(&s)); // the state changes an SSM's results
  lm_numerics_spec_format(&s, buf, sizeof buf);
  EXPECT_STREQ(buf, "ref,state=bf16");
  lm_numerics_spec t;
  lm_numerics_spec_init(&t, LM_BK_REF);
  ASSERT_EQ(lm_numerics_spec_parse(&t, buf, err, sizeof err), 0) << err;
  EXPECT_EQ(std::memcmp(&s, &t, sizeof s), 0);
  ASSERT_EQ(lm_numerics_spec_parse(&s, "state=int8", err, sizeof err), 0) << err; // backend
  EXPECT_EQ(s.state, LM_STATE_INT16);
  ASSERT_EQ(lm_numerics_spec_parse(&s, "bridge", err, sizeof err), 0) << err;
  EXPECT_EQ(s.state, LM_STATE_FP32);
  EXPECT_EQ(s.lin[LM_LIN_SSM_SCAN], LM_BK_BRIDGE); // all= and gemm= include the read-out
  lm_numerics_spec_init(&s, LM_BK_REF);
  ASSERT_EQ(lm_numerics_spec_parse(&s, "ssm_scan=int8", err, sizeof err), 0) << err;
  EXPECT_EQ(s.lin[LM_LIN_SSM_SCAN], LM_BK_INT8);
  EXPECT_STREQ(lm_lin_site_name(LM_LIN_SSM_SCAN), "ssm_scan");
  EXPECT_NE(lm_numerics_spec_parse(&s, "state=fp8", err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("state=fp8"), std::string::npos) << err;
}

TEST(LmNumericsState, RoundingAndBytes) {
  uint64_t seed = mpb_test_seed("LmNumericsState.RoundingAndBytes");
  for (int i = 0; i < 1000; i++) {
    double v = ((double)(mpb_test_rand(&seed) >> 11) * 0x1p-53 - 0.5) * 1e3;
    double a = v, b = v, c = v;
    lm_state_round(LM_STATE_FP32, 1, 1, &a);
    EXPECT_EQ(a, (double)(float)v);
    lm_state_round(LM_STATE_BF16, 1, 1, &b);
    // bf16 keeps 8 significand bits: within half an ulp, and exactly representable
    EXPECT_LE(std::fabs(b - v), std::ldexp(std::fabs(v), -8));
    EXPECT_EQ(b, (double)lm_round_bf16((float)b));
    lm_state_round(LM_STATE_FP64, 1, 1, &c);
    EXPECT_EQ(c, v);
  }
  // every format against libmpb's rounding, over the whole exponent range of each format
  // (subnormals, the largest finite values, overflow to inf)
  for (int i = 0; i < 200000; i++) {
    double m = (double)(mpb_test_rand(&seed) >> 11) * 0x1p-53 + 0.5;
    int e = (int)(mpb_test_rand(&seed) % 300) - 160;
    double v = std::ldexp((mpb_test_rand(&seed) & 1) ? -m : m, e);
    if (i % 1000 == 0) v = std::ldexp(1.0, (int)(mpb_test_rand(&seed) % 40) - 25) * (1 - 0x1p-12); // ties region
    struct { lm_state_format f; int p, emin, emax; } fm[] = {
        {LM_STATE_FP32, 24, -126, 127}, {LM_STATE_BF16, 8, -126, 127}, {LM_STATE_FP16, 11, -14, 15}};
    for (const auto &F : fm) {
      double a = v;
      lm_state_round(F.f, 1, 1, &a);
      double want = mpb_round_float(v, F.p, F.emin, F.emax);
      ASSERT_TRUE(a == want || (std::isnan(a) && std::isnan(want)))
          << lm_state_format_name(F.f) << " " << v << ": " << a << " vs " << want;
    }
  }
  // int16 with one scale per group of 4: the group max is exact, the rest within half a step
  double h[8] = {1.0, -0.5, 0.25, 1e-6, 100.0, 3.0, -7.0, 0.0};
  double r[8];
  std::memcpy(r, h, sizeof h);
  lm_state_round(LM_STATE_INT16, 8, 4, r);
  float s0 = (float)(1.0 / 32767), s1 = (float)(100.0 / 32767);
  for (int i = 0; i < 8; i++) {
    double s = i < 4 ? s0 : s1;
    EXPECT_LE(std::fabs(r[i] - h[i]), 0.5 * s + 1e-15) << i;
    EXPECT_DOUBLE_EQ(r[i] / s, std::nearbyint(r[i] / s)) << i;
  }
  EXPECT_EQ(r[3], 0.0); // 1e-6 is below half a step of 1/32767
  EXPECT_EQ(lm_state_bytes_per_elem(LM_STATE_FP64, 16), 8.0);
  EXPECT_EQ(lm_state_bytes_per_elem(LM_STATE_BF16, 16), 2.0);
  EXPECT_EQ(lm_state_bytes_per_elem(LM_STATE_INT16, 16), 2.25);
}

TEST(LmNumericsState, MatmulInt8ReadOut) {
  char err[256];
  lm_numerics_spec s;
  lm_numerics_spec_init(&s, LM_BK_REF);
  ASSERT_EQ(lm_numerics_spec_parse(&s, "ssm_scan=int8", err, sizeof err), 0) << err;
  lm_numerics *nm;
  ASSERT_EQ(lm_numerics_new(&nm, &s, err, sizeof err), 0) << err;
  // C (1 x 4) . h rows (3 x 4): codes worked out by hand (absmax per row -> 127)
  float C[4] = {1.0f, -0.5f, 0.25f, 0.0f};
  float h[12] = {2, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1};
  float y[3];
  ASSERT_EQ(lm_matmul(nm, LM_LIN_SSM_SCAN, 1, 1, 3, 4, 1.0f, C, 4, h, 4, y, 3, err, sizeof err), 0) << err;
  // C codes 127, -64 (round(-63.5) away from zero), 32 (31.75), 0; scale 1/127
  double sc = 1.0 / 127;
  EXPECT_NEAR(y[0], 127 * 127 * sc * (2.0 / 127), 1e-6);
  EXPECT_NEAR(y[1], -64 * 127 * sc * (1.0 / 127), 1e-6);
  EXPECT_NEAR(y[2], (127 - 64 + 32) * 127 * sc * (1.0 / 127), 1e-6);
  EXPECT_NE(lm_matmul(nm, LM_LIN_SSM_SCAN, 0, 1, 3, 4, 1.0f, C, 4, h, 3, y, 3, err, sizeof err), 0);
  lm_numerics_free(nm);
}

} // namespace

// The bridge's and the quantizer's fast paths against the formulations they replace:
// roundf(x / s) with the clamp, nearbyint for the Q8.16 input, ldexpf for 2^u's value.
extern "C" {
#include "numerics_internal.h" // internal: no C++ guards of its own
}

namespace {

TEST(LmNumericsFastPaths, EqualTheLibmFormulations) {
  uint64_t seed = mpb_test_seed("LmNumericsFastPaths.EqualTheLibmFormulations");
  std::vector<float> x(4096);
  std::vector<int32_t> q(4096);
  for (int rep = 0; rep < 200; rep++) {
    for (size_t i = 0; i < x.size(); i++) {
      double m = (double)(mpb_test_rand(&seed) >> 11) * 0x1p-53 - 0.5;
      x[i] = (float)std::ldexp(m, (int)(mpb_test_rand(&seed) % 40) - 20);
      if (i % 97 == 0) x[i] = (float)(((int)(mpb_test_rand(&seed) % 255) - 127) + 0.5) / 127.0f;
    }
    x[rep % x.size()] = rep % 3 ? x[0] : NAN;
    for (int bits : {8, 16}) {
      float s;
      lm_quantize_row(x.data(), x.size(), bits, q.data(), &s);
      float lim = (float)((1 << (bits - 1)) - 1);
      for (size_t i = 0; i < x.size(); i++) {
        float v = x[i] / s;
        int32_t want = v != v ? 0 : v >= lim ? (int32_t)lim : v <= -lim ? -(int32_t)lim
                                                                      : (int32_t)roundf(v);
        ASSERT_EQ(q[i], want) << x[i] << " / " << s;
      }
    }
  }
  std::vector<double> xd(100000);
  std::vector<int32_t> u(xd.size());
  for (size_t i = 0; i < xd.size(); i++) {
    double m = (double)(mpb_test_rand(&seed) >> 11) * 0x1p-53 - 0.5;
    xd[i] = std::ldexp(m, (int)(mpb_test_rand(&seed) % 70) - 60);
    if (i % 10 == 0) // exact ties of u: (k + 1/2) / 2^16 / log2(e)
      xd[i] = ((double)((int64_t)(mpb_test_rand(&seed) % 200000) - 100000) + 0.5) / 65536.0 /
              1.4426950408889634074;
  }
  xd[0] = NAN, xd[1] = INFINITY, xd[2] = -INFINITY, xd[3] = 1e300;
  lm_bridge_u(xd.size(), xd.data(), u.data());
  for (size_t i = 0; i < xd.size(); i++) {
    double v = std::nearbyint(xd[i] * 65536.0 * 1.4426950408889634074);
    int32_t want = !(v <= 8388607.0) ? 8388607 : v < -8388608.0 ? -8388608 : (int32_t)v;
    ASSERT_EQ(u[i], want) << xd[i];
  }
  // 2^u's value for every u in steps of 7 over Q8.16 (and the ends)
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_BRIDGE);
  lm_numerics *nm;
  char err[256];
  ASSERT_EQ(lm_numerics_new(&nm, &sp, err, sizeof err), 0) << err;
  std::vector<int32_t> us;
  for (int64_t v = -8388608; v <= 8388607; v += 7) us.push_back((int32_t)v);
  us.push_back(8388607);
  std::vector<float> y(us.size());
  ASSERT_EQ(lm_bridge_exp2(nm, us.size(), us.data(), y.data(), err, sizeof err), 0) << err;
  for (size_t i = 0; i < us.size(); i++) {
    mpb_exp_req rq = {us[i]};
    mpb_exp_resp rs;
    mpb_exp_eval(nm->unit, &rq, &rs, nullptr);
    ASSERT_EQ(y[i], ldexpf((float)rs.mant, rs.e - MPB_EXP_MANT_FRAC)) << us[i];
  }
  lm_numerics_free(nm);
}

} // namespace
