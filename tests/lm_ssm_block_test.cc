// lm_ssm_block_test.cc — the selective scan and the Mamba block on the numerics
// backends: the scan on ref = the FP64 reference scan bit for bit; the hand-computed
// 2-channel, 2-state, 4-step case on every backend's scan; error growth on a constructed
// case with a known closed form (constant dt*A, no input: relative error (1+eps)^t - 1,
// growth exponent 1); the block on ref against plain FP64 loops of the Mamba equations;
// streaming (one token at a time) and batch (chunks of any size) give the same bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "metrics.h"
#include "ssm_block.h"

namespace {

struct Numerics {
  lm_numerics *nm = nullptr;
  explicit Numerics(const char *spec) {
    lm_numerics_spec s;
    lm_numerics_spec_init(&s, LM_BK_REF);
    char err[256];
    EXPECT_EQ(lm_numerics_spec_parse(&s, spec, err, sizeof err), 0) << spec << ": " << err;
    EXPECT_EQ(lm_numerics_new(&nm, &s, err, sizeof err), 0) << spec << ": " << err;
  }
  ~Numerics() { lm_numerics_free(nm); }
};

struct Scan {
  ssm_scan *s = nullptr;
  Scan(lm_numerics *nm, int E, int N, const double *A, const double *D) {
    char err[256];
    EXPECT_EQ(ssm_scan_new(&s, nm, E, N, A, D, lm_numerics_get_spec(nm)->state, err, sizeof err), 0) << err;
  }
  ~Scan() { ssm_scan_free(s); }
  void step(const double *dt, const double *B, const double *C, const double *u, double *y) {
    char err[256];
    ASSERT_EQ(ssm_scan_step(s, dt, B, C, u, y, err, sizeof err), 0) << err;
  }
};

double uniform(uint64_t *s) { return (double)(mpb_test_rand(s) >> 11) * 0x1p-53; }

TEST(LmSsmScan, RefBackendIsTheFp64ScanBitForBit) {
  uint64_t seed = mpb_test_seed("LmSsmScan.RefBackendIsTheFp64ScanBitForBit");
  const int E = 48, N = 16, T = 300;
  std::vector<double> A(E * N), D(E), h(E * N, 0.0), y(E), yr(E), dt(E), B(N), C(N), u(E);
  for (int e = 0; e < E; e++) {
    D[e] = uniform(&seed);
    for (int n = 0; n < N; n++) A[e * N + n] = -(n + 1.0) * (0.5 + uniform(&seed));
  }
  Numerics nm("ref");
  Scan sc(nm.nm, E, N, A.data(), D.data());
  for (int t = 0; t < T; t++) {
    for (int e = 0; e < E; e++) dt[e] = 1e-3 * std::exp(4.6 * uniform(&seed)), u[e] = uniform(&seed) - 0.5;
    for (int n = 0; n < N; n++) B[n] = uniform(&seed) - 0.5, C[n] = uniform(&seed) - 0.5;
    sc.step(dt.data(), B.data(), C.data(), u.data(), y.data());
    ssm_scan_ref_step(E, N, A.data(), D.data(), dt.data(), B.data(), C.data(), u.data(), h.data(), yr.data());
    ASSERT_EQ(std::memcmp(ssm_scan_h(sc.s), h.data(), h.size() * sizeof(double)), 0) << "step " << t;
    ASSERT_EQ(std::memcmp(y.data(), yr.data(), y.size() * sizeof(double)), 0) << "step " << t;
  }
}

// The hand-computed case of lm_ssm_test.cc (decay factors 1/2, 1/4, 1/2, 1/8) through the
// scan on each backend: exact where the backend represents the values exactly.
TEST(LmSsmScan, HandComputedOnEveryBackend) {
  const double ln2 = std::log(2.0);
  double A[4] = {-1.0, -2.0, -0.5, -1.5}, D[2] = {0.5, 0.0}, dt[2] = {ln2, 2 * ln2};
  double B[2] = {1.0, 2.0}, C[2] = {1.0, -1.0};
  double k[2][4] = {{1, 0, 2, -1}, {2, 1, 0, 1}};
  double H[4][4] = {{1, 2, 2, 4}, {0.5, 0.5, 2, 2.5}, {2.25, 4.125, 1, 0.3125},
                    {0.125, -0.96875, 1.5, 2.0390625}};
  double Y[4][2] = {{-1, -2}, {0, -0.5}, {-1.875, 0.6875}, {1.09375, -0.5390625}};
  struct { const char *spec; double tol_h, tol_y; } cases[] = {
      {"ref", 1e-14, 1e-14},
      {"fp32", 1e-6, 1e-6},             // expf, fp32 state, fp32 read-out
      {"bf16", 0.02, 0.08},             // bf16 decay factors are exact; state rounds
      {"ref,state=int16", 1e-4, 1e-4},  // one scale per channel
      {"ref,ssm_scan=int8", 1e-14, 0.05}, // the read-out quantizes C and h to int8
      {"ref,exp.ssm_da=bridge", 1e-14, 1e-14}, // u = -1, -2, -3 in Q8.16: 2^u exact
      {"bridge", 1e-7, 0.05},           // + fp32 state, int8 read-out on the dot unit
  };
  for (const auto &cs : cases) {
    Numerics nm(cs.spec);
    Scan sc(nm.nm, 2, 2, A, D);
    for (int t = 0; t < 4; t++) {
      double u[2] = {k[0][t] / dt[0], k[1][t] / dt[1]}, y[2];
      sc.step(dt, B, C, u, y);
      const double *h = ssm_scan_h(sc.s);
      for (int i = 0; i < 4; i++)
        EXPECT_NEAR(h[i], H[t][i], cs.tol_h * (1 + std::fabs(H[t][i]))) << cs.spec << " step " << t << " i " << i;
      for (int e = 0; e < 2; e++)
        EXPECT_NEAR(y[e], Y[t][e] + D[e] * u[e], cs.tol_y * (1 + std::fabs(Y[t][e]))) << cs.spec << " step " << t;
    }
  }
}

// Constant dt*A near 0 and no input after the first step: h_t = a'^(t-1) b against
// a^(t-1) b, so the relative error is (1+eps)^(t-1) - 1 with eps = a'/a - 1 the exp
// site's relative error at that argument: it grows like eps * t (exponent 1).
TEST(LmSsmScan, ClosedFormGrowthEpsTimesT) {
  for (const char *spec : {"ref,exp.ssm_da=fp32", "ref,exp.ssm_da=bf16", "ref,exp.ssm_da=bridge"}) {
    const double dtA = -1e-3, dt = 0.01;
    double A[1] = {dtA / dt}, Bv[1] = {1.0}, Cv[1] = {1.0}, y;
    Numerics nm(spec), ref("ref");
    Scan sc(nm.nm, 1, 1, A, nullptr), sr(ref.nm, 1, 1, A, nullptr);
    // eps of this backend's exp at x = float(dt*A)
    float xf = (float)(dt * A[0]), af;
    char err[256];
    ASSERT_EQ(lm_exp(nm.nm, LM_EXP_SSM_DA, 1, &xf, &af, err, sizeof err), 0) << err;
    double eps = (double)af / std::exp(dt * A[0]) - 1.0;
    ASSERT_NE(eps, 0.0) << spec << ": the constructed case needs a non-zero eps";
    std::vector<double> x, e;
    const int T = 1 << 14;
    for (int t = 1; t <= T; t++) {
      double u = t == 1 ? 1.0 / dt : 0.0;
      sc.step(&dt, Bv, Cv, &u, &y);
      sr.step(&dt, Bv, Cv, &u, &y);
      double rel = ssm_scan_h(sc.s)[0] / ssm_scan_h(sr.s)[0] - 1.0;
      double want = std::expm1((t - 1) * std::log1p(eps));
      if (t > 1) {
        ASSERT_NEAR(rel, want, 1e-12 + 1e-9 * std::fabs(want)) << spec << " t " << t;
      }
      // eps * t growth holds while (1+eps)^t - 1 is small
      if (t >= 2 && (t & (t - 1)) == 0 && std::fabs(want) < 0.05)
        x.push_back(t - 1), e.push_back(std::fabs(rel));
    }
    ASSERT_GE(x.size(), 4u) << spec;
    mpb_growth_fit f = mpb_fit_power_law(x.data(), e.data(), x.size());
    EXPECT_NEAR(f.b, 1.0, 0.02) << spec << " eps " << eps;
    EXPECT_NEAR(f.a, std::fabs(eps), 0.05 * std::fabs(eps)) << spec;
  }
}

// ---- the block ----------------------------------------------------------------------

struct Weights {
  ssm_weights *w = nullptr;
  explicit Weights(const char *preset, uint64_t seed = 5) {
    ssm_config c = ssm_preset_find(preset)->c;
    char err[256];
    EXPECT_EQ(ssm_weights_synth(&w, &c, seed, err, sizeof err), 0) << err;
  }
  ~Weights() { ssm_weights_free(w); }
};

// The Mamba block written out in plain FP64 loops, token by token.
std::vector<double> plain_block(const ssm_weights *w, const std::vector<double> &x, int T) {
  const ssm_config &c = w->c;
  int Dm = c.d_model, E = c.d_inner, N = c.d_state, K = c.d_conv, R = c.dt_rank;
  std::vector<double> out(T * Dm), h(E * N, 0.0), xs(T * E), zs(T * E);
  for (int t = 0; t < T; t++) {
    for (int o = 0; o < 2 * E; o++) {
      double s = 0;
      for (int i = 0; i < Dm; i++) s += (double)w->w_in[o * Dm + i] * x[t * Dm + i];
      (o < E ? xs[t * E + o] : zs[t * E + o - E]) = s;
    }
    std::vector<double> u(E), dbc(R + 2 * N), dt(E), y(E), g(E);
    for (int e = 0; e < E; e++) {
      double s = w->conv_b[e];
      for (int k = 0; k < K; k++) {
        int ts = t - (K - 1) + k;
        if (ts >= 0) s += (double)w->conv_w[e * K + k] * xs[ts * E + e];
      }
      u[e] = s / (1 + std::exp(-s));
    }
    for (int o = 0; o < R + 2 * N; o++) {
      double s = 0;
      for (int i = 0; i < E; i++) s += (double)w->w_x[o * E + i] * u[i];
      dbc[o] = s;
    }
    for (int e = 0; e < E; e++) {
      double s = w->dt_bias[e];
      for (int r = 0; r < R; r++) s += (double)w->w_dt[e * R + r] * dbc[r];
      dt[e] = std::log1p(std::exp(s));
      double acc = 0;
      for (int n = 0; n < N; n++) {
        double &hn = h[e * N + n];
        hn = std::exp(dt[e] * w->A[e * N + n]) * hn + dt[e] * dbc[R + n] * u[e];
        acc += dbc[R + N + n] * hn;
      }
      double z = zs[t * E + e];
      g[e] = (acc + w->D[e] * u[e]) * z / (1 + std::exp(-z));
    }
    for (int o = 0; o < Dm; o++) {
      double s = 0;
      for (int i = 0; i < E; i++) s += (double)w->w_out[o * E + i] * g[i];
      out[t * Dm + o] = s;
    }
  }
  return out;
}

std::vector<double> inputs(int T, int Dm, uint64_t seed) {
  std::vector<double> x(T * Dm);
  for (auto &v : x) v = 2 * uniform(&seed) - 1;
  return x;
}

struct Block {
  ssm_block *b = nullptr;
  Block(const ssm_weights *w, lm_numerics *nm, int chunk) {
    char err[256];
    EXPECT_EQ(ssm_block_new(&b, w, nm, chunk, err, sizeof err), 0) << err;
  }
  ~Block() { ssm_block_free(b); }
  void forward(const double *x, int T, double *out) {
    char err[256];
    ASSERT_EQ(ssm_block_forward(b, T, x, out, err, sizeof err), 0) << err;
  }
};

TEST(LmSsmBlock, RefIsThePlainFp64Block) {
  Weights W("tiny");
  const int T = 40, Dm = W.w->c.d_model;
  auto x = inputs(T, Dm, 99);
  auto want = plain_block(W.w, x, T);
  Numerics nm("ref");
  Block B(W.w, nm.nm, 16);
  std::vector<double> out(T * Dm);
  B.forward(x.data(), T, out.data());
  double worst = 0;
  for (int i = 0; i < T * Dm; i++) worst = std::fmax(worst, std::fabs(out[i] - want[i]) / (1e-3 + std::fabs(want[i])));
  EXPECT_LT(worst, 1e-12); // the same equations; only summation order differs
}

// Integer paths give the same bits for any split; the floating-point GEMMs (OpenBLAS dgemm
// and sgemm) block differently for different row counts, so those agree to rounding.
TEST(LmSsmBlock, StreamingAndBatchAgree) {
  Weights W("tiny");
  const int T = 150, Dm = W.w->c.d_model;
  auto x = inputs(T, Dm, 7);
  struct { const char *spec; double tol; } cases[] = {
      {"int8", 0}, {"bridge", 0}, {"ref", 1e-13}, {"ref,state=int16", 1e-13}, {"ref,exp=fp16,state=fp16", 1e-12},
      {"fp32", 1e-5}, {"bf16", 2e-2}, {"fp16", 5e-3}};
  for (const auto &cs : cases) {
    Numerics nm(cs.spec);
    std::vector<double> whole(T * Dm);
    {
      Block B(W.w, nm.nm, 64);
      B.forward(x.data(), T, whole.data()); // chunks of 64, 64, 22
    }
    for (int chunk : {1, 5, 150}) {
      Block B(W.w, nm.nm, chunk);
      std::vector<double> out(T * Dm);
      for (int t0 = 0; t0 < T; t0 += 3) { // fed 3 tokens per call, chunked inside
        int n = std::min(3, T - t0);
        B.forward(x.data() + t0 * Dm, n, out.data() + t0 * Dm);
      }
      if (cs.tol == 0) {
        EXPECT_EQ(std::memcmp(out.data(), whole.data(), out.size() * sizeof(double)), 0)
            << cs.spec << " chunk " << chunk;
        continue;
      }
      double d2 = 0, r2 = 0;
      for (int i = 0; i < T * Dm; i++) d2 += (out[i] - whole[i]) * (out[i] - whole[i]), r2 += whole[i] * whole[i];
      EXPECT_LT(std::sqrt(d2 / r2), cs.tol) << cs.spec << " chunk " << chunk;
    }
  }
}

TEST(LmSsmBlock, BadArguments) {
  Weights W("tiny");
  Numerics nm("ref");
  ssm_block *b;
  char err[256];
  EXPECT_NE(ssm_block_new(&b, W.w, nm.nm, 0, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("chunk"), std::string::npos) << err;
  ssm_scan *s;
  double A[1] = {-1};
  EXPECT_NE(ssm_scan_new(&s, nm.nm, 0, 1, A, nullptr, LM_STATE_FP64, err, sizeof err), 0);
  Block B(W.w, nm.nm, 4);
  std::vector<double> x(5 * W.w->c.d_model);
  EXPECT_NE(ssm_block_pre(B.b, 5, x.data(), err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("exceed"), std::string::npos) << err;
}

} // namespace
