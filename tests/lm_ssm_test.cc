// lm_ssm_test.cc — the SSM runtime's reference pieces: the FP64 selective scan against a
// hand-computed 2-channel, 2-state scan over 4 steps, the reference Mamba initialisation
// (A = -(1..d_state), dt0 in the dt range, dt_proj bias = softplus^-1(dt0)), geometry and
// dt-range checks.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "ssm.h"

namespace {

// The hand-computed case (docs in the test body): dt*A chosen so that the decay factors
// are 1/2, 1/4 (channel 0) and 1/2, 1/8 (channel 1); inputs chosen so that dt*B*u are
// small integers. Expected states and outputs worked out by hand.
struct HandCase {
  const double ln2 = std::log(2.0);
  double A[4] = {-1.0, -2.0, -0.5, -1.5};
  double D[2] = {0.5, 0.0};
  double dt[2] = {ln2, 2 * ln2};
  double B[2] = {1.0, 2.0};
  double C[2] = {1.0, -1.0};
  double k0[4] = {1, 0, 2, -1}, k1[4] = {2, 1, 0, 1}; // dt*u per step, per channel
  // h[step][channel][state] and y[step][channel]
  double h[4][2][2] = {{{1, 2}, {2, 4}},
                       {{0.5, 0.5}, {2, 2.5}},
                       {{2.25, 4.125}, {1, 0.3125}},
                       {{0.125, -0.96875}, {1.5, 2.0390625}}};
  double y_scan[4][2] = {{-1, -2}, {0, -0.5}, {-1.875, 0.6875}, {1.09375, -0.5390625}};
  double u(int t, int e) const { return (e ? k1[t] : k0[t]) / dt[e]; }
  double y(int t, int e) const { return y_scan[t][e] + D[e] * u(t, e); }
};

TEST(LmSsm, RefScanHandComputed) {
  HandCase hc;
  double h[4] = {0, 0, 0, 0}, y[2];
  for (int t = 0; t < 4; t++) {
    double u[2] = {hc.u(t, 0), hc.u(t, 1)};
    ssm_scan_ref_step(2, 2, hc.A, hc.D, hc.dt, hc.B, hc.C, u, h, y);
    for (int e = 0; e < 2; e++) {
      for (int n = 0; n < 2; n++)
        EXPECT_NEAR(h[e * 2 + n], hc.h[t][e][n], 1e-14) << "step " << t << " ch " << e << " n " << n;
      EXPECT_NEAR(y[e], hc.y(t, e), 1e-14) << "step " << t << " ch " << e;
    }
  }
  // without D the skip term is absent
  double h2[4] = {0, 0, 0, 0};
  double u[2] = {hc.u(0, 0), hc.u(0, 1)};
  ssm_scan_ref_step(2, 2, hc.A, nullptr, hc.dt, hc.B, hc.C, u, h2, y);
  EXPECT_NEAR(y[0], hc.y_scan[0][0], 1e-14);
}

TEST(LmSsm, ReferenceMambaInitialisation) {
  char err[256];
  for (const char *name : {"mamba130m", "tiny"}) {
    ssm_config c = ssm_preset_find(name)->c;
    ssm_weights *w = nullptr;
    ASSERT_EQ(ssm_weights_synth(&w, &c, 11, err, sizeof err), 0) << err;
    double lo = 1e9, hi = 0;
    for (int e = 0; e < c.d_inner; e++) {
      for (int n = 0; n < c.d_state; n++) {
        EXPECT_FLOAT_EQ(w->A_log[e * c.d_state + n], std::log((float)(n + 1)));
        EXPECT_NEAR(w->A[e * c.d_state + n], -(n + 1.0), 1e-6 * (n + 1));
      }
      double dt0 = w->dt0[e];
      lo = std::fmin(lo, dt0), hi = std::fmax(hi, dt0);
      EXPECT_GE(dt0, c.dt_min);
      EXPECT_LE(dt0, c.dt_max);
      // softplus(bias) = dt0 (bias stored in FP32)
      double b = w->dt_bias[e];
      EXPECT_NEAR(std::log1p(std::exp(b)), dt0, 1e-6 * dt0) << e;
      EXPECT_EQ(w->D[e], 1.0f);
    }
    if (c.d_inner > 1000) { // log-uniform: both ends of [1e-3, 1e-1] are reached
      EXPECT_LT(lo, 1.2e-3);
      EXPECT_GT(hi, 0.08);
    }
    ssm_weights_free(w);
  }
  // a pushed dt range
  ssm_config c = ssm_preset_find("tiny")->c;
  c.dt_min = 1e-6, c.dt_max = 1e-5;
  ssm_weights *w = nullptr;
  ASSERT_EQ(ssm_weights_synth(&w, &c, 3, err, sizeof err), 0) << err;
  for (int e = 0; e < c.d_inner; e++) {
    EXPECT_GE(w->dt0[e], 1e-6);
    EXPECT_LE(w->dt0[e], 1e-5);
  }
  ssm_weights_free(w);
}

TEST(LmSsm, GeometryAndDtRangeChecks) {
  char err[256];
  ssm_config c = ssm_preset_find("tiny")->c;
  c.d_state = 0;
  EXPECT_NE(ssm_config_check(&c, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("d_state"), std::string::npos) << err;
  c = ssm_preset_find("tiny")->c;
  c.dt_min = 0;
  EXPECT_NE(ssm_config_check(&c, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("dt range"), std::string::npos) << err;
  double lo, hi;
  EXPECT_EQ(ssm_dt_range_parse("1e-4:1e-2", &lo, &hi, err, sizeof err), 0) << err;
  EXPECT_DOUBLE_EQ(lo, 1e-4);
  EXPECT_DOUBLE_EQ(hi, 1e-2);
  for (const char *bad : {"0:1e-2", "-1e-3:1e-2", "1e-2:1e-3", "1e-3", "a:b", "1e-3:20", "1e-3:1e-2x"})
    EXPECT_NE(ssm_dt_range_parse(bad, &lo, &hi, err, sizeof err), 0) << bad;
  EXPECT_EQ(ssm_preset_find("nope"), nullptr);
  EXPECT_EQ(ssm_preset_count(), 4u);
}

} // namespace
