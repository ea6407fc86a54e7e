// cmodel_rope_test.cc — the rope and exp units against FP64/MPFR references and the
// analytic bounds of docs/architecture.md §10; the framework baselines' known errors.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "gtest_c.h"

namespace {
struct Model {
  mpb_model *m = nullptr;
  Model(const mpb_config &c, const mpb_geometry &g) {
    char err[256];
    m = mpb_model_new(&c, &g, err, sizeof err);
    EXPECT_NE(m, nullptr) << err;
  }
  ~Model() { mpb_model_free(m); }
};
const mpb_geometry kLlama3 = {128, 500000.0, MPB_PAIR_HALF};
const mpb_geometry kSmol = {64, 100000.0, MPB_PAIR_HALF};

double cossin_err(const mpb_model *m, const mpb_geometry &g, uint32_t pos, int j) {
  double c, s, rc, rs;
  mpb_rope_cossin(m, pos, (uint32_t)j, &c, &s);
  mpb_baseline_cossin(MPB_BASE_FP64, &g, pos, j, &rc, &rs);
  return std::fmax(std::fabs(c - rc), std::fabs(s - rs));
}

// Positions to probe: every position below 4096, then a stride plus both sides of every
// power of two, up to 2^17.
std::vector<uint32_t> probe_positions(uint64_t *seed) {
  std::vector<uint32_t> p;
  for (uint32_t m = 0; m < 4096; m++) p.push_back(m);
  for (int k = 12; k <= 17; k++)
    for (int d = -3; d <= 3; d++) p.push_back((uint32_t)((1 << k) + d) & 0x1FFFF);
  for (int i = 0; i < 4000; i++) p.push_back((uint32_t)(mpb_test_rand(seed) % 131072));
  p.push_back(131071);
  return p;
}
}  // namespace

// The precision goal of the default configuration: <= 2^-15 for every pair, both geometries.
TEST(Rope, DefaultMeetsGoal_Llama3_SmolLM2) {
  uint64_t seed = mpb_test_seed("Rope.DefaultMeetsGoal");
  mpb_config c;
  mpb_config_default(&c);
  for (const mpb_geometry &g : {kLlama3, kSmol}) {
    Model m(c, g);
    double worst = 0;
    for (uint32_t pos : probe_positions(&seed))
      for (int j = 0; j < g.head_dim / 2; j++) worst = std::fmax(worst, cossin_err(m.m, g, pos, j));
    EXPECT_LE(worst, std::ldexp(1.0, -15)) << "d=" << g.head_dim;
    EXPECT_GT(worst, std::ldexp(1.0, -17)) << "suspiciously exact";
  }
}

// Measured error stays within the analytic bound, and the bound is tight to a factor 8
// where the Taylor remainder dominates (small tables, low order, wide words).
TEST(Horner, ErrorWithinAnalyticBound_SweepNWS) {
  uint64_t seed = mpb_test_seed("Horner.ErrorWithinAnalyticBound");
  struct P { int N, W, S, CW; mpb_rounding r; bool taylor_dominated; };
  const P cases[] = {
      {3, 24, 6, 16, MPB_ROUND_NEAREST, false}, {1, 32, 2, 24, MPB_ROUND_NEAREST, true},
      {2, 32, 2, 24, MPB_ROUND_NEAREST, true},  {2, 30, 4, 24, MPB_ROUND_EVEN, true},
      {5, 28, 3, 20, MPB_ROUND_TRUNC, false},   {3, 20, 6, 16, MPB_ROUND_TRUNC, false},
      {4, 32, 2, 24, MPB_ROUND_EVEN, true},
  };
  for (const P &p : cases) {
    mpb_config c;
    mpb_config_default(&c);
    c.horner_order = p.N;
    c.horner_width = p.W;
    c.cs_table_bits = p.S;
    c.cs_bits = p.CW;
    c.rounding = p.r;
    Model m(c, kSmol);
    double bound = mpb_rope_error_bound(&c, 131071), worst = 0;
    for (int i = 0; i < 60000; i++) {
      uint32_t pos = (uint32_t)(mpb_test_rand(&seed) % 131072);
      int j = (int)(mpb_test_rand(&seed) % 32);
      worst = std::fmax(worst, cossin_err(m.m, kSmol, pos, j));
    }
    EXPECT_LE(worst, bound) << "N=" << p.N << " W=" << p.W << " S=" << p.S;
    if (p.taylor_dominated) {
      EXPECT_GT(worst, bound / 8) << "bound loose: N=" << p.N << " S=" << p.S;
    }
  }
}

// Exp unit: the third-order Taylor polynomial of e^t on t in [0, ln2/2^H). Its error is of
// order t^4/24 (9.6e-3 at t = ln2, the brief's figure); the exact worst relative error,
// max |e^t - P3(t)| / e^t, is computed here independently and the unit must reproduce it.
TEST(Exp, TaylorTruncationMatchesTheory_H0H1H2) {
  for (int H : {0, 1, 2}) {
    mpb_config c;
    mpb_config_default(&c);
    c.exp_table_bits = H;
    c.horner_width = 32;
    Model m(c, kSmol);
    double worst = 0;
    for (int32_t u = -(1 << 17); u < (1 << 17); u += 7) {  // u in [-2, 2) step 7/65536
      mpb_exp_req in = {u};
      mpb_exp_resp out;
      mpb_exp_eval(m.m, &in, &out, nullptr);
      double exact = std::exp2(u / 65536.0);
      worst = std::fmax(worst, std::fabs(mpb_exp_value(&out) - exact) / exact);
    }
    double tmax = std::log(2.0) / std::ldexp(1.0, H), theory = 0;
    for (int i = 0; i <= 10000; i++) {
      double t = tmax * i / 10000;
      theory = std::fmax(theory, std::fabs(std::exp(t) - (1 + t * (1 + t / 2 * (1 + t / 3)))) / std::exp(t));
    }
    EXPECT_NEAR(worst, theory, 0.02 * theory + std::ldexp(1.0, -15)) << "H=" << H;
    EXPECT_NEAR(theory, std::pow(tmax, 4) / 24, 0.5 * std::pow(tmax, 4) / 24) << "H=" << H;
  }
}

TEST(Exp, DefaultWithinOutputRounding) {
  mpb_config c;
  mpb_config_default(&c);
  Model m(c, kSmol);
  double worst = 0;
  for (int32_t u = -(128 << 16); u < (128 << 16); u += 997) {
    mpb_exp_req in = {u};
    mpb_exp_resp out;
    mpb_exp_eval(m.m, &in, &out, nullptr);
    ASSERT_GE(out.mant, 1u << 15);
    ASSERT_LT(out.mant, 1u << 16);
    double exact = std::exp2(u / 65536.0);
    worst = std::fmax(worst, std::fabs(mpb_exp_value(&out) - exact) / exact);
  }
  EXPECT_LE(worst, std::ldexp(1.0, -16) + 2e-7);  // half-ulp of UQ1.15 + Horner error
  EXPECT_GT(worst, std::ldexp(1.0, -18));
}

// RANGE + ROTATE: the rotated int8 pair against the exact FP64 rotation.
TEST(Rotate, AgainstFp64_AllXYCorners) {
  uint64_t seed = mpb_test_seed("Rotate.AgainstFp64");
  for (int xw : {8, 16}) {
    mpb_config c;
    mpb_config_default(&c);
    c.x_bits = xw;
    Model m(c, kLlama3);
    int lim = 1 << (xw - 1);
    double bound_cs = mpb_rope_error_bound(&c, 1 << 20), worst = 0;
    for (int i = 0; i < 50000; i++) {
      uint32_t pos = (uint32_t)(mpb_test_rand(&seed) % (1 << 20));
      int j = (int)(mpb_test_rand(&seed) % 64);
      int32_t x = (int32_t)(mpb_test_rand(&seed) % (2 * lim)) - lim;
      int32_t y = (int32_t)(mpb_test_rand(&seed) % (2 * lim)) - lim;
      if (i < 4) { x = i & 1 ? lim - 1 : -lim; y = i & 2 ? lim - 1 : -lim; }
      mpb_rope_req in = {pos, (uint32_t)j, x, y};
      mpb_rope_resp out;
      mpb_rope_eval(m.m, &in, &out, nullptr);
      double rc, rs;
      mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, pos, j, &rc, &rs);
      double ex = x * rc - y * rs, ey = x * rs + y * rc;
      double scale = std::ldexp(1.0, -c.rot_frac_bits);
      // cos/sin error bound per component times |x|+|y|, plus output rounding.
      double b = (std::abs(x) + std::abs(y)) * bound_cs + scale / 2;
      double e = std::fmax(std::fabs(out.xr * scale - ex), std::fabs(out.yr * scale - ey));
      ASSERT_LE(e, b) << "pos=" << pos << " j=" << j << " x=" << x << " y=" << y;
      worst = std::fmax(worst, e / b);
    }
    EXPECT_GT(worst, 0.2) << "bound never approached";
  }
}

// Both pairing conventions pick the right elements.
TEST(Rope, PairingConventions_InterleavedAndHalf) {
  mpb_config c;
  mpb_config_default(&c);
  for (mpb_pairing pr : {MPB_PAIR_INTERLEAVED, MPB_PAIR_HALF}) {
    mpb_geometry g = kSmol;
    g.pairing = pr;
    Model m(c, g);
    int32_t v[64], out[64];
    for (int i = 0; i < 64; i++) v[i] = (i * 37) % 255 - 127;
    mpb_rope_vector(m.m, 1234, v, out, nullptr);
    for (int j = 0; j < 32; j++) {
      int ix = pr == MPB_PAIR_INTERLEAVED ? 2 * j : j, iy = pr == MPB_PAIR_INTERLEAVED ? 2 * j + 1 : j + 32;
      mpb_rope_req in = {1234, (uint32_t)j, v[ix], v[iy]};
      mpb_rope_resp r;
      mpb_rope_eval(m.m, &in, &r, nullptr);
      EXPECT_EQ(out[ix], r.xr);
      EXPECT_EQ(out[iy], r.yr);
    }
    // the per-call convention overrides the geometry's
    mpb_pairing other = pr == MPB_PAIR_HALF ? MPB_PAIR_INTERLEAVED : MPB_PAIR_HALF;
    int32_t out2[64];
    mpb_rope_vector_paired(m.m, other, 1234, v, out2, nullptr);
    mpb_geometry g2 = g;
    g2.pairing = other;
    Model m2(c, g2);
    int32_t out3[64];
    mpb_rope_vector(m2.m, 1234, v, out3, nullptr);
    for (int i = 0; i < 64; i++) EXPECT_EQ(out2[i], out3[i]) << i;
    EXPECT_NE(0, memcmp(out, out2, sizeof out));
    // position 0 is the identity (up to cos(0) = 1 - 2^-15)
    mpb_rope_vector(m.m, 0, v, out, nullptr);
    for (int i = 0; i < 64; i++) EXPECT_NEAR(out[i], v[i] * 128, 1) << i;
  }
}

// LOG-ADD (the patent read literally): fine at small positions, useless at 128k.
TEST(Rope, PatentLiteralErrorGrowsWithPosition) {
  mpb_config c;
  mpb_config_patent_literal(&c);
  Model m(c, kLlama3);
  double small = 0, large = 0;
  for (uint32_t pos = 0; pos < 4; pos++)
    for (int j = 0; j < 64; j++) small = std::fmax(small, cossin_err(m.m, kLlama3, pos, j));
  for (uint32_t pos = 131000; pos < 131072; pos++)
    for (int j = 0; j < 64; j++) large = std::fmax(large, cossin_err(m.m, kLlama3, pos, j));
  EXPECT_LT(small, 1e-3);
  EXPECT_GT(large, 1.0);
}

// FP32 framework recipe: ~1e-5 at m = 255, ~3.7e-3 at m = 131071 (d=128, base 500000).
TEST(Baseline, Fp32RecipeKnownErrors_Llama3) {
  double e255 = 0, e131071 = 0;
  for (int j = 0; j < 64; j++) {
    double c, s, rc, rs;
    mpb_baseline_cossin(MPB_BASE_FP32, &kLlama3, 255, j, &c, &s);
    mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, 255, j, &rc, &rs);
    e255 = std::fmax(e255, std::fmax(std::fabs(c - rc), std::fabs(s - rs)));
    mpb_baseline_cossin(MPB_BASE_FP32, &kLlama3, 131071, j, &c, &s);
    mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, 131071, j, &rc, &rs);
    e131071 = std::fmax(e131071, std::fmax(std::fabs(c - rc), std::fabs(s - rs)));
  }
  EXPECT_GT(e255, 3e-6);
  EXPECT_LT(e255, 3e-5);
  EXPECT_GT(e131071, 3.0e-3);
  EXPECT_LT(e131071, 4.5e-3);
}

TEST(Baseline, LowPrecisionFailureModes) {
  double c, s, rc, rs;
  // BF16 cannot hold position 257: the angle of pair 0 (theta = 1) is off by ~1 rad.
  mpb_baseline_cossin(MPB_BASE_BF16, &kLlama3, 257, 0, &c, &s);
  mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, 257, 0, &rc, &rs);
  EXPECT_GT(std::fmax(std::fabs(c - rc), std::fabs(s - rs)), 0.3);
  // FP16 positions past 65504 overflow.
  mpb_baseline_cossin(MPB_BASE_FP16, &kLlama3, 65520, 0, &c, &s);
  EXPECT_TRUE(std::isnan(c));
  mpb_baseline_cossin(MPB_BASE_FP16, &kLlama3, 65504, 0, &c, &s);
  EXPECT_FALSE(std::isnan(c));
  // INT8: within half an 8-bit step everywhere.
  for (uint32_t m = 0; m < 5000; m += 7)
    for (int j = 0; j < 64; j += 5) {
      mpb_baseline_cossin(MPB_BASE_INT8, &kLlama3, m, j, &c, &s);
      mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, m, j, &rc, &rs);
      ASSERT_LE(std::fabs(c - rc), 1.0 / 128);
    }
}

// The FP64 reference against 200-bit MPFR at sample points.
TEST(Baseline, Fp64ReferenceAgainstMpfr) {
  uint64_t seed = mpb_test_seed("Baseline.Fp64ReferenceAgainstMpfr");
  mpfr_t th, phi, cc, ss, t;
  mpfr_inits2(200, th, phi, cc, ss, t, (mpfr_ptr)0);
  double worst = 0;
  for (int i = 0; i < 2000; i++) {
    uint32_t m = (uint32_t)(mpb_test_rand(&seed) % (1 << 20));
    int j = (int)(mpb_test_rand(&seed) % 64);
    mpfr_set_d(t, -2.0 * j / 128.0, MPFR_RNDN);     // exact: j/64 is dyadic
    mpfr_set_d(th, 500000.0, MPFR_RNDN);
    mpfr_pow(th, th, t, MPFR_RNDN);
    mpfr_mul_ui(phi, th, m, MPFR_RNDN);
    mpfr_sin_cos(ss, cc, phi, MPFR_RNDN);
    double c, s;
    mpb_baseline_cossin(MPB_BASE_FP64, &kLlama3, m, j, &c, &s);
    worst = std::fmax(worst, std::fmax(std::fabs(c - mpfr_get_d(cc, MPFR_RNDN)),
                                       std::fabs(s - mpfr_get_d(ss, MPFR_RNDN))));
  }
  mpfr_clears(th, phi, cc, ss, t, (mpfr_ptr)0);
  EXPECT_LT(worst, 1e-10);  // ~1e-16 relative on angles up to 1e6 rad
}

// Table contents are the rounded extended-precision values (spot checks by hand).
TEST(Tables, ContentsAndMemhExport) {
  mpb_config c;
  mpb_config_default(&c);
  Model m(c, kLlama3);
  int w;
  EXPECT_EQ(mpb_table_size(m.m, "freq", &w), 128u);
  EXPECT_EQ(w, 40);
  // t_0 = 1/(2 pi) turns at 40 fraction bits
  EXPECT_EQ(mpb_table_entry(m.m, "freq", 0), (int64_t)std::llround(std::ldexp(1.0, 40) / (2 * M_PI)));
  EXPECT_EQ(mpb_table_entry(m.m, "freq", 64), 0);  // beyond d/2
  EXPECT_EQ(mpb_table_entry(m.m, "cs_cos", 0), 1 << 22);
  EXPECT_EQ(mpb_table_entry(m.m, "exp", 0), 1 << 22);
  char err[256];
  std::string path = mpb_test_path("cs_sin.memh");
  ASSERT_EQ(mpb_table_write_memh(m.m, "cs_sin", path.c_str(), err, sizeof err), MPB_OK);
  FILE *f = fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char line[128];
  ASSERT_TRUE(fgets(line, sizeof line, f));  // comment
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    long long v = std::strtoll(line, nullptr, 16);
    EXPECT_EQ(v, mpb_table_entry(m.m, "cs_sin", (size_t)n) & 0xFFFFFF);
    n++;
  }
  fclose(f);
  EXPECT_EQ(n, 64);
  EXPECT_NE(mpb_table_write_memh(m.m, "nope", mpb_test_path("x.memh").c_str(), err, sizeof err), MPB_OK);
}
