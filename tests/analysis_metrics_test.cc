// analysis_metrics_test.cc — streaming error metrics (exact statistics, octaves, ulp
// histogram, bounded groups, power-law fits) and the model-level checks (attention
// scores / softmax KL, SSM scan, KV-cache formats) against analytic values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gtest_c.h"
#include "metrics.h"
#include "metrics_model.h"

namespace {
struct Metrics {
  mpb_metrics *m;
  explicit Metrics(size_t groups = 1024) : m(mpb_metrics_new(groups, nullptr)) {}
  ~Metrics() { mpb_metrics_free(m); }
};
struct Model {
  mpb_model *m = nullptr;
  Model(const mpb_config &cfg, const mpb_geometry &g) {
    char err[256];
    m = mpb_model_new(&cfg, &g, err, sizeof err);
    EXPECT_TRUE(m) << err;
  }
  ~Model() { mpb_model_free(m); }
};
double gauss(uint64_t *s) {
  double u1 = (mpb_test_rand(s) >> 11) * 0x1p-53 + 0x1p-54;
  double u2 = (mpb_test_rand(s) >> 11) * 0x1p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}
}  // namespace

TEST(AnalysisMetrics, ExactStatistics) {
  Metrics a;
  // errors +1, -1, +2 against references 4, 2, 8 (values = ref + err)
  mpb_metrics_add(a.m, MPB_OP_DOT, 0, 0, 5, 5, 4);
  mpb_metrics_add(a.m, MPB_OP_DOT, 0, 0, 6, 1, 2);
  mpb_metrics_add(a.m, MPB_OP_DOT, 0, 0, 7, 10, 8);
  const mpb_err_stats *s = mpb_metrics_total(a.m, MPB_OP_DOT);
  EXPECT_EQ(s->n, 3u);
  EXPECT_DOUBLE_EQ(s->max_abs, 2);
  EXPECT_EQ(s->worst_pos, 7u);
  EXPECT_DOUBLE_EQ(mpb_stats_mean(s), 2.0 / 3);
  EXPECT_DOUBLE_EQ(mpb_stats_rms(s), std::sqrt(6.0 / 3));
  EXPECT_DOUBLE_EQ(s->max_rel, 0.5);  // 1/2
  EXPECT_DOUBLE_EQ(mpb_stats_sqnr_db(s), 10 * std::log10((16 + 4 + 64) / 6.0));
  EXPECT_EQ(mpb_metrics_total(a.m, MPB_OP_COS)->n, 0u);
  Metrics z;
  mpb_metrics_add(z.m, MPB_OP_COS, 0, 0, 0, 0.5, 0.5);
  EXPECT_TRUE(std::isinf(mpb_stats_sqnr_db(mpb_metrics_total(z.m, MPB_OP_COS))));
}

TEST(AnalysisMetrics, OctavesExhaustive) {
  EXPECT_EQ(mpb_octave(0), 0);
  for (uint32_t m = 1; m < (1u << 20); m++) {
    int k = mpb_octave(m);
    ASSERT_TRUE(m >= (1u << (k - 1)) && m < (1u << k)) << m;
  }
  EXPECT_EQ(mpb_octave(131072), 18);
  EXPECT_EQ(mpb_octave(0xFFFFFFFFu), MPB_OCTAVES - 1);  // clamped
  EXPECT_NEAR(mpb_octave_mid(18), std::sqrt(131072.0 * 262143.0), 1e-6);
}

TEST(AnalysisMetrics, UlpHistogramBins) {
  Metrics a;
  double ulp = mpb_metrics_ulp(a.m, MPB_OP_COS);
  EXPECT_EQ(ulp, 0x1p-15);
  double w = MPB_ULP_MAX / MPB_ULP_BINS;  // bin width in ulps
  // k values with error (i + 0.5) bins, i = 0..7, k = i + 1; 3 beyond the range
  for (int i = 0; i < 8; i++)
    for (int k = 0; k <= i; k++) mpb_metrics_add(a.m, MPB_OP_COS, 0, 0, 1, (i + 0.5) * w * ulp, 0);
  for (int k = 0; k < 3; k++) mpb_metrics_add(a.m, MPB_OP_COS, 0, 0, 1, -100 * ulp, 0);
  double h[MPB_ULP_BINS];
  mpb_metrics_ulp_hist(a.m, MPB_OP_COS, h);
  for (int i = 0; i < MPB_ULP_BINS; i++) EXPECT_EQ(h[i], i < 8 ? i + 1 : 0) << i;
  EXPECT_EQ(mpb_metrics_total(a.m, MPB_OP_COS)->ulp_over, 3u);
}

TEST(AnalysisMetrics, GroupsAreBoundedAndTotalsComplete) {
  Metrics a(4);
  for (int h = 0; h < 10; h++) mpb_metrics_add(a.m, MPB_OP_ROT, 1, h, 100, 1.0 + h, 1.0);
  EXPECT_EQ(mpb_metrics_total(a.m, MPB_OP_ROT)->n, 10u);
  EXPECT_EQ(mpb_metrics_total(a.m, MPB_OP_ROT)->max_abs, 9.0);
  EXPECT_EQ(mpb_metrics_dropped(a.m), 6u);
  const mpb_err_stats *g = mpb_metrics_group(a.m, MPB_OP_ROT, 1, 3, mpb_octave(100));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->max_abs, 3.0);
  EXPECT_EQ(mpb_metrics_group(a.m, MPB_OP_ROT, 1, 7, mpb_octave(100)), nullptr);
  size_t n = 0;
  mpb_op_kind op;
  int layer, head, k;
  const mpb_err_stats *st;
  while (mpb_metrics_group_at(a.m, n, &op, &layer, &head, &k, &st)) {
    EXPECT_EQ(head, (int)n);
    n++;
  }
  EXPECT_EQ(n, 4u);
}

TEST(AnalysisMetrics, PowerLawFit) {
  Metrics a;
  // exact law err = 3 * m^1.5 at the octave middles: a = 3, b = 1.5, R^2 = 1
  for (int k = 1; k < 18; k++) {
    double m = mpb_octave_mid(k);
    mpb_metrics_add(a.m, MPB_OP_SIN, 0, 0, (uint32_t)std::lround(m), 3 * std::pow(m, 1.5), 0);
  }
  // the fit uses the octave middle, not the rounded position: exact within rounding of m
  mpb_growth_fit f = mpb_metrics_fit_growth(a.m, MPB_OP_SIN, 0);
  EXPECT_EQ(f.npoints, 17);
  EXPECT_NEAR(f.b, 1.5, 1e-6);
  EXPECT_NEAR(f.a, 3.0, 1e-4);
  EXPECT_NEAR(f.r2, 1.0, 1e-9);
  // noisy law: b recovered within noise, R^2 < 1
  uint64_t seed = mpb_test_seed("AnalysisMetrics.PowerLawFit");
  std::vector<double> x, y;
  for (int i = 0; i < 200; i++) {
    double m = std::exp2(1 + 16.0 * i / 200);
    x.push_back(m);
    y.push_back(1e-6 * m * std::exp2(0.3 * gauss(&seed)));
  }
  f = mpb_fit_power_law(x.data(), y.data(), x.size());
  EXPECT_NEAR(f.b, 1.0, 0.05);
  EXPECT_LT(f.r2, 0.999);
  EXPECT_GT(f.r2, 0.9);
  double one = 1;
  EXPECT_EQ(mpb_fit_power_law(&one, &one, 1).npoints, 1);  // too few points: no fit
}

TEST(AnalysisMetrics, KvFormats) {
  uint64_t seed = mpb_test_seed("AnalysisMetrics.KvFormats");
  std::vector<double> v(4096), out(4096);
  for (double &e : v) e = 3 * gauss(&seed);
  v[7] = 0;
  // FP16 of an FP16-representable value is exact
  std::vector<double> r = {1.5, -0.25, 1024, 0};
  std::vector<double> ro(4);
  ASSERT_EQ(mpb_kv_roundtrip(MPB_KV_FP16, r.data(), 4, 64, ro.data()), 0);
  EXPECT_EQ(ro, r);
  // INT8: |error| <= half a step of the group's FP16-rounded scale (absmax / 127)
  ASSERT_EQ(mpb_kv_roundtrip(MPB_KV_INT8, v.data(), v.size(), 64, out.data()), 0);
  for (size_t g = 0; g < v.size(); g += 64) {
    double mx = 0;
    for (size_t i = g; i < g + 64; i++) mx = std::max(mx, std::fabs(v[i]));
    double sc = mpb_round_float(mx / 127, 11, -14, 15);
    for (size_t i = g; i < g + 64; i++) ASSERT_LE(std::fabs(out[i] - v[i]), sc / 2 * 1.0001 + 1e-3 * sc) << i;
  }
  // LOG8: relative error <= 2^(1/16) - 1 for values within 2^-15 of the group max
  ASSERT_EQ(mpb_kv_roundtrip(MPB_KV_LOG8, v.data(), v.size(), 64, out.data()), 0);
  EXPECT_EQ(out[7], 0);
  for (size_t g = 0; g < v.size(); g += 64) {
    double mx = 0;
    for (size_t i = g; i < g + 64; i++) mx = std::max(mx, std::fabs(v[i]));
    double sc = mpb_round_float(mx, 11, -14, 15);
    for (size_t i = g; i < g + 64; i++) {
      if (std::fabs(v[i]) < sc * std::exp2(-15)) continue;
      double rel = std::fabs(out[i] - v[i]) / std::fabs(v[i]);
      // FP16 rounding of the scale adds up to 2^-11 relative
      ASSERT_LE(rel, std::exp2(1.0 / 16) - 1 + std::exp2(-10)) << i << " " << v[i];
      ASSERT_EQ(std::signbit(out[i]), std::signbit(v[i]));
    }
  }
  EXPECT_EQ(mpb_kv_bytes_per_elem(MPB_KV_FP16, 64), 2.0);
  EXPECT_EQ(mpb_kv_bytes_per_elem(MPB_KV_INT8, 64), 1.0 + 2.0 / 64);
  EXPECT_EQ(mpb_kv_bytes_per_elem(MPB_KV_LOG8, 32), 1.0 + 2.0 / 32);
  EXPECT_NE(mpb_kv_roundtrip(MPB_KV_INT8, v.data(), v.size(), 0, out.data()), 0);
}

TEST(AnalysisMetrics, AttentionScoresAndKl) {
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_geometry g = {64, 100000, MPB_PAIR_HALF};
  Model def(cfg, g);
  mpb_config lit;
  mpb_config_patent_literal(&lit);
  Model pat(lit, g);
  ASSERT_TRUE(def.m && pat.m);
  uint64_t seed = mpb_test_seed("AnalysisMetrics.AttentionScoresAndKl");
  const int d = 64, nk = 64;
  std::vector<double> q(d), k((size_t)nk * d);
  std::vector<uint32_t> kp(nk);
  for (double &e : q) e = gauss(&seed);
  for (double &e : k) e = gauss(&seed);
  for (int i = 0; i < nk; i++) kp[i] = (uint32_t)(i * 2000);
  mpb_attn_result rd[MPB_NATT], rp[MPB_NATT];
  Metrics acc;
  ASSERT_EQ(mpb_attn_compare(def.m, q.data(), 130000, k.data(), kp.data(), nk, rd, acc.m, 0, 0), 0);
  ASSERT_EQ(mpb_attn_compare(pat.m, q.data(), 130000, k.data(), kp.data(), nk, rp, nullptr, 0, 0), 0);
  EXPECT_EQ(mpb_metrics_total(acc.m, MPB_OP_SCORE)->n, (uint64_t)nk);
  for (int v = 0; v < MPB_NATT; v++) {
    EXPECT_GE(rd[v].kl, 0) << v;
    EXPECT_GE(rd[v].score_max_err, rd[v].score_rms_err) << v;
  }
  // the bridge adds little to the int8 quantization floor: its extra score error is
  // bounded by the rotation error (cos/sin 2^-15 and output rounding 2^-8 of a unit per
  // element, times |q||k|/sqrt(d) ~ sqrt(d) * 127^2 scaled back) -- well under 10%
  EXPECT_NEAR(rd[MPB_ATT_BRIDGE].score_rms_err, rd[MPB_ATT_INT8_EXACT].score_rms_err,
              0.1 * rd[MPB_ATT_INT8_EXACT].score_rms_err);
  // FP32 recipe at 130000: cos/sin errors ~1e-3 -> score errors far below int8's
  EXPECT_LT(rd[MPB_ATT_FP32].score_rms_err, rd[MPB_ATT_INT8_EXACT].score_rms_err);
  // the patent-literal LOG-ADD design scrambles angles at long context: scores break
  EXPECT_GT(rp[MPB_ATT_BRIDGE].score_rms_err, 5 * rd[MPB_ATT_BRIDGE].score_rms_err);
  EXPECT_GT(rp[MPB_ATT_BRIDGE].kl, 10 * rd[MPB_ATT_BRIDGE].kl);
  EXPECT_NE(mpb_attn_compare(def.m, q.data(), 0, k.data(), kp.data(), 0, rd, nullptr, 0, 0), 0);
}

TEST(AnalysisMetrics, SsmScan) {
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_geometry g = {64, 100000, MPB_PAIR_HALF};
  Model def(cfg, g);
  ASSERT_TRUE(def.m);
  uint64_t seed = mpb_test_seed("AnalysisMetrics.SsmScan");
  const size_t T = 2000;
  const int ds = 16;
  std::vector<double> dt(T), x(T), A(ds), B(ds), C(ds);
  for (size_t t = 0; t < T; t++) {
    dt[t] = std::exp(std::log(1e-3) + (mpb_test_rand(&seed) >> 11) * 0x1p-53 * std::log(100.0));
    x[t] = gauss(&seed);
  }
  for (int n = 0; n < ds; n++) A[n] = -(n + 1.0), B[n] = gauss(&seed), C[n] = gauss(&seed);
  Metrics acc;
  mpb_ssm_result r;
  ASSERT_EQ(mpb_ssm_compare(def.m, T, ds, dt.data(), x.data(), A.data(), B.data(), C.data(), &r,
                            acc.m), 0);
  EXPECT_EQ(mpb_metrics_total(acc.m, MPB_OP_SSM)->n, T);
  EXPECT_GT(r.max_err, 0);  // the exp unit is not exact
  // each exp has relative error <= ~2^-14 and the scan contracts (dA < 1): the state error
  // stays within 2^-14 * sum |h| / (1 - max dA) ~ a small multiple of 2^-14 * max|y|
  // per unit of memory 1/(dt |A|); bound loosely by 1e-2 relative
  EXPECT_LT(r.max_err, 1e-2 * r.max_ref);
  EXPECT_LE(r.rms_err, r.max_err);
  EXPECT_LE(r.final_err, r.max_err);
  EXPECT_NE(mpb_ssm_compare(def.m, 0, ds, dt.data(), x.data(), A.data(), B.data(), C.data(), &r,
                            nullptr), 0);
}
