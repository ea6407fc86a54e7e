// lm_numerics_test.cc — the numerics interface (lm/numerics.h, lm/kv.h): spec parsing and
// its error messages, dtype rounding against libmpb's reference rounding, RoPE / exp /
// softmax / GEMM on each FP and int8 backend against hand-computed values, KV formats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "kv.h"
#include "numerics.h"

namespace {

lm_numerics_spec parse(const char *text, lm_backend base = LM_BK_REF) {
  lm_numerics_spec s;
  char err[256];
  lm_numerics_spec_init(&s, base);
  EXPECT_EQ(lm_numerics_spec_parse(&s, text, err, sizeof err), 0) << text << ": " << err;
  return s;
}

std::string parse_error(const char *text) {
  lm_numerics_spec s;
  char err[256] = "";
  lm_numerics_spec_init(&s, LM_BK_REF);
  EXPECT_NE(lm_numerics_spec_parse(&s, text, err, sizeof err), 0) << text;
  return err;
}

struct Nm {
  lm_numerics *nm = nullptr;
  explicit Nm(const lm_numerics_spec &s) {
    char err[256];
    EXPECT_EQ(lm_numerics_new(&nm, &s, err, sizeof err), 0) << err;
  }
  explicit Nm(const char *text) : Nm(parse(text)) {}
  ~Nm() { lm_numerics_free(nm); }
};

TEST(LmNumericsSpec, GroupsAndSitesExpand) {
  lm_numerics_spec s = parse("bridge");
  EXPECT_EQ(s.rope, LM_BK_BRIDGE);
  for (int i = 0; i < LM_NEXP; i++) EXPECT_EQ(s.exp[i], LM_BK_BRIDGE);
  EXPECT_EQ(s.lin[LM_LIN_Q], LM_BK_BRIDGE);
  EXPECT_EQ(s.lin[LM_LIN_HEAD], LM_BK_BRIDGE);
  EXPECT_EQ(s.lin[LM_LIN_QK], LM_BK_FP32); // attention matmuls have FP implementations only
  EXPECT_EQ(s.act, LM_BK_FP32);
  EXPECT_EQ(s.kv, LM_KV_LOG8);

  s = parse("ref,rope=bridge,exp.softmax=int8,head=bf16,kv=int8,kv_group=32,group=64");
  EXPECT_EQ(s.rope, LM_BK_BRIDGE);
  EXPECT_EQ(s.exp[LM_EXP_SOFTMAX], LM_BK_INT8);
  EXPECT_EQ(s.exp[LM_EXP_SILU], LM_BK_REF);
  EXPECT_EQ(s.lin[LM_LIN_HEAD], LM_BK_BF16);
  EXPECT_EQ(s.lin[LM_LIN_Q], LM_BK_REF);
  EXPECT_EQ(s.kv, LM_KV_INT8);
  EXPECT_EQ(s.kv_group, 32);
  EXPECT_EQ(s.gemm_group, 64);

  s = parse("all=bf16,linear=fp16");
  EXPECT_EQ(s.lin[LM_LIN_DOWN], LM_BK_FP16);
  EXPECT_EQ(s.lin[LM_LIN_HEAD], LM_BK_BF16); // linear excludes the head
  EXPECT_EQ(s.lin[LM_LIN_QK], LM_BK_BF16);
  EXPECT_EQ(s.act, LM_BK_BF16);
  EXPECT_EQ(parse("kv=bridge").kv, LM_KV_LOG8);
  EXPECT_EQ(parse("bf16,kv=fp32").kv, LM_KV_FP32);
}

TEST(LmNumericsSpec, ErrorsNameTheItemAndTheChoices) {
  EXPECT_NE(parse_error("brige").find("unknown backend 'brige' (one of ref, fp32, bf16, fp16, bridge, int8)"),
            std::string::npos);
  EXPECT_NE(parse_error("rope=fp8").find("numerics 'rope=fp8'"), std::string::npos);
  EXPECT_NE(parse_error("ropes=ref").find("unknown site 'ropes'"), std::string::npos);
  EXPECT_NE(parse_error("attn=bridge").find("attn is computed only by ref, fp32, bf16 or fp16"),
            std::string::npos);
  EXPECT_NE(parse_error("kv=log4").find("not a KV format"), std::string::npos);
  EXPECT_NE(parse_error("group=16").find("row, 32 or 64"), std::string::npos);
  EXPECT_NE(parse_error("kv_group=0").find("[1, 1024]"), std::string::npos);
  EXPECT_NE(parse_error("ref,,rope=ref").find("empty item"), std::string::npos);
  EXPECT_NE(parse_error("").find("empty spec"), std::string::npos);
}

TEST(LmNumericsSpec, FormatParsesBackToTheSameSpec) {
  const char *texts[] = {"ref", "bridge", "int8", "fp16", "ref,rope=bridge", "bf16,kv=fp32",
                         "ref,exp.silu=int8,head=fp16,group=32", "bridge,kv=int8,kv_group=16"};
  for (const char *t : texts) {
    lm_numerics_spec a = parse(t);
    char buf[512];
    lm_numerics_spec_format(&a, buf, sizeof buf);
    lm_numerics_spec b = parse(buf);
    EXPECT_EQ(0, std::memcmp(&a, &b, sizeof a)) << t << " -> " << buf;
  }
  lm_numerics_spec a = parse("bridge");
  char buf[64];
  lm_numerics_spec_format(&a, buf, sizeof buf);
  EXPECT_STREQ(buf, "bridge");
}

TEST(LmNumericsSpec, AttributionSelectsOneGroup) {
  char err[256];
  lm_numerics_spec s;
  ASSERT_EQ(lm_numerics_spec_attr(&s, nullptr, LM_BK_BRIDGE, "rope", err, sizeof err), 0);
  EXPECT_EQ(s.rope, LM_BK_BRIDGE);
  EXPECT_EQ(s.exp[LM_EXP_SOFTMAX], LM_BK_REF);
  EXPECT_EQ(s.kv, LM_KV_FP32);
  ASSERT_EQ(lm_numerics_spec_attr(&s, nullptr, LM_BK_BF16, "gemm", err, sizeof err), 0);
  EXPECT_EQ(s.lin[LM_LIN_UP], LM_BK_BF16);
  EXPECT_EQ(s.lin[LM_LIN_PV], LM_BK_BF16);
  EXPECT_EQ(s.rope, LM_BK_REF);
  ASSERT_EQ(lm_numerics_spec_attr(&s, nullptr, LM_BK_BRIDGE, "kv", err, sizeof err), 0);
  EXPECT_EQ(s.kv, LM_KV_LOG8);
  EXPECT_EQ(s.lin[LM_LIN_Q], LM_BK_REF);
  EXPECT_NE(lm_numerics_spec_attr(&s, nullptr, LM_BK_BRIDGE, "softmax", err, sizeof err), 0);
  // fp32 GEMMs are the reference GEMMs; anything else is not the reference
  EXPECT_TRUE(lm_numerics_spec_is_ref(&(s = parse("ref,gemm=fp32"))));
  EXPECT_FALSE(lm_numerics_spec_is_ref(&(s = parse("ref,rope=fp32"))));
  EXPECT_FALSE(lm_numerics_spec_is_ref(&(s = parse("ref,kv=fp16"))));
}

TEST(LmNumerics, DtypeRoundingMatchesLibmpb) {
  uint64_t seed = mpb_test_seed("LmNumerics.DtypeRoundingMatchesLibmpb");
  std::mt19937_64 rng(seed);
  std::vector<float> xs = {0.0f, -0.0f, 1.0f, 65504.0f, 65520.0f, 65519.99f, 1e-8f, 6e-8f,
                           3.0e38f, 3.4028235e38f, -1.00390625f, 1.00390625f, 1.01171875f,
                           INFINITY, -INFINITY};
  for (int i = 0; i < 200000; i++) {
    uint32_t u = (uint32_t)rng();
    float f;
    std::memcpy(&f, &u, 4);
    if (!std::isnan(f)) xs.push_back(f);
  }
  for (float x : xs) {
    ASSERT_EQ(lm_round_bf16(x), (float)mpb_round_float(x, 8, -126, 127)) << x;
    ASSERT_EQ(lm_round_fp16(x), (float)mpb_round_float(x, 11, -14, 15)) << x;
  }
  EXPECT_TRUE(std::isnan(lm_round_bf16(NAN)));
}

TEST(LmNumerics, QuantizeRowIsTheTraceRule) {
  float x[5] = {1.0f, -0.5f, 0.25f, 0.0f, -1.27f};
  int32_t q[5];
  float sc;
  lm_quantize_row(x, 5, 8, q, &sc);
  EXPECT_FLOAT_EQ(sc, 1.27f / 127.0f);
  EXPECT_EQ(q[0], 100);
  EXPECT_EQ(q[1], -50);
  EXPECT_EQ(q[2], 25);
  EXPECT_EQ(q[3], 0);
  EXPECT_EQ(q[4], -127);
  lm_quantize_row(x, 5, 16, q, &sc);
  EXPECT_EQ(q[4], -32767);
  float z[3] = {0, 0, 0};
  lm_quantize_row(z, 3, 8, q, &sc);
  EXPECT_EQ(sc, 1.0f);
}

TEST(LmNumerics, RopeBackendsAgainstTheirRecipes) {
  mpb_geometry g = {8, 10000.0, MPB_PAIR_INTERLEAVED};
  const int64_t pos[2] = {0, 1000};
  char err[256];
  for (lm_backend b : {LM_BK_REF, LM_BK_FP32, LM_BK_BF16, LM_BK_FP16, LM_BK_INT8}) {
    lm_numerics_spec sp;
    lm_numerics_spec_init(&sp, b);
    Nm N(sp);
    std::vector<float> x = {0.5f, -0.25f, 1.0f, 2.0f, -1.5f, 0.75f, 0.1f, 0.2f};
    std::vector<float> in = x;
    x.insert(x.end(), in.begin(), in.end()); // two rows, one head each
    ASSERT_EQ(lm_rope(N.nm, &g, 2, 1, pos, x.data(), 8, err, sizeof err), 0) << err;
    for (int i = 0; i < 8; i++) { // position 0: identity, after the dtype's input rounding
      float want = b == LM_BK_BF16 ? lm_round_bf16(in[i]) : b == LM_BK_FP16 ? lm_round_fp16(in[i]) : in[i];
      if (b != LM_BK_INT8) {
        EXPECT_EQ(x[i], want) << lm_backend_name(b) << " identity at 0";
      }
    }
    for (int j = 0; j < 4; j++) {
      double th = 1000.0 * std::pow(10000.0, -2.0 * j / 8), c = std::cos(th), s = std::sin(th);
      double xr = in[2 * j] * c - in[2 * j + 1] * s, yr = in[2 * j] * s + in[2 * j + 1] * c;
      double tol = b == LM_BK_REF ? 1e-7 : b == LM_BK_FP32 ? 2e-4 : b == LM_BK_INT8 ? 0.05 : b == LM_BK_FP16 ? 4e-3 : 0.05;
      EXPECT_NEAR(x[8 + 2 * j], xr, tol) << lm_backend_name(b) << " pair " << j;
      EXPECT_NEAR(x[8 + 2 * j + 1], yr, tol) << lm_backend_name(b) << " pair " << j;
    }
  }
  // the ref rotation is the FP64 rotation rounded once to float
  Nm R("ref");
  float h[8] = {0.5f, -0.25f, 1.0f, 2.0f, -1.5f, 0.75f, 0.1f, 0.2f};
  float h0[8];
  std::memcpy(h0, h, sizeof h);
  int64_t p = 131071;
  ASSERT_EQ(lm_rope(R.nm, &g, 1, 1, &p, h, 8, err, sizeof err), 0);
  for (int j = 0; j < 4; j++) {
    double th = 131071.0 * std::pow(10000.0, -2.0 * j / 8);
    EXPECT_EQ(h[2 * j], (float)(h0[2 * j] * std::cos(th) - (double)h0[2 * j + 1] * std::sin(th)));
  }
  int64_t bad = -1;
  EXPECT_NE(lm_rope(R.nm, &g, 1, 1, &bad, h, 8, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("position -1 is not in [0, 2^31]"), std::string::npos) << err;
}

TEST(LmNumerics, SoftmaxHandComputed) {
  // row {0, ln 2, ln 3}: exp = {1, 2, 3}, softmax = {1/6, 2/6, 3/6}; second row length 2
  float s[6] = {0.0f, (float)std::log(2.0), (float)std::log(3.0), 1.0f, 1.0f, 99.0f};
  int32_t len[2] = {3, 2};
  char err[256];
  for (const char *b : {"ref", "fp32", "bf16", "fp16", "int8"}) {
    Nm N(b);
    float t[6];
    std::memcpy(t, s, sizeof s);
    ASSERT_EQ(lm_softmax(N.nm, LM_EXP_SOFTMAX, 2, 3, len, t, 3, err, sizeof err), 0) << err;
    double tol = !std::strcmp(b, "ref") ? 1e-7 : !std::strcmp(b, "fp32") ? 1e-6 : 1e-2;
    EXPECT_NEAR(t[0], 1.0 / 6, tol) << b;
    EXPECT_NEAR(t[1], 2.0 / 6, tol) << b;
    EXPECT_NEAR(t[2], 3.0 / 6, tol) << b;
    EXPECT_NEAR(t[3], 0.5, 1e-7) << b;
    EXPECT_EQ(t[5], 0.0f) << b << ": beyond the row length";
  }
}

TEST(LmNumerics, ExpSites) {
  float x[4] = {-1.0f, 0.0f, 0.5f, 10.0f}, y[4];
  char err[256];
  Nm R("ref");
  ASSERT_EQ(lm_exp(R.nm, LM_EXP_SILU, 4, x, y, err, sizeof err), 0);
  for (int i = 0; i < 4; i++) EXPECT_EQ(y[i], (float)std::exp((double)x[i]));
  Nm Q("ref,exp.ssm_da=int8"); // int8: one absmax scale (10/127) for the call
  ASSERT_EQ(lm_exp(Q.nm, LM_EXP_SSM_DA, 4, x, y, err, sizeof err), 0);
  double sc = 10.0f / 127.0f;
  EXPECT_FLOAT_EQ(y[0], (float)std::exp(std::nearbyint(-1.0 / sc) * sc));
  EXPECT_FLOAT_EQ(y[3], (float)std::exp(10.0));
  ASSERT_EQ(lm_exp(Q.nm, LM_EXP_SILU, 4, x, y, err, sizeof err), 0); // other sites stay ref
  EXPECT_EQ(y[0], (float)std::exp(-1.0));
  EXPECT_EQ(lm_numerics_get_stats(Q.nm)->exp_calls[LM_EXP_SSM_DA], 4u);
}

// Y = X W^T against a double reference, and int8's exact integer sums.
TEST(LmNumerics, LinearBackends) {
  uint64_t seed = mpb_test_seed("LmNumerics.LinearBackends");
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int M = 5, N = 7, K = 1536; // K > 1040: int8 per row sums in chunks
  std::vector<float> X(M * K), W(N * K), Y(M * N);
  for (float &v : X) v = nd(rng);
  for (float &v : W) v = nd(rng) * 0.02f;
  char err[256];
  for (const char *b : {"ref", "bf16", "fp16", "int8", "int8,group=32"}) {
    Nm Nmr(b);
    lm_linear *L;
    ASSERT_EQ(lm_linear_new(&L, Nmr.nm, LM_LIN_DOWN, W.data(), N, K, err, sizeof err), 0) << err;
    ASSERT_EQ(lm_linear_apply(L, M, X.data(), K, Y.data(), N, err, sizeof err), 0) << err;
    for (int r = 0; r < M; r++)
      for (int c = 0; c < N; c++) {
        double ref = 0;
        for (int i = 0; i < K; i++) ref += (double)X[r * K + i] * W[c * K + i];
        double got = Y[r * N + c];
        if (!std::strcmp(b, "int8")) { // exact integer dot product times both scales
          std::vector<int32_t> qx(K), qw(K);
          float sx, sw;
          lm_quantize_row(&X[r * K], K, 8, qx.data(), &sx);
          lm_quantize_row(&W[c * K], K, 8, qw.data(), &sw);
          int64_t d = 0;
          for (int i = 0; i < K; i++) d += (int64_t)qx[i] * qw[i];
          EXPECT_EQ(got, (float)((double)d * sx * sw)) << r << "," << c;
        }
        double tol = !std::strcmp(b, "ref") ? 1e-5 : !std::strcmp(b, "fp16") ? 2e-2 : 0.1;
        EXPECT_NEAR(got, ref, tol * (1 + std::fabs(ref))) << b;
        if (!std::strcmp(b, "bf16")) {
          EXPECT_EQ(got, lm_round_bf16((float)got));
        }
      }
    lm_linear_free(L);
  }
  Nm G("int8,group=64");
  lm_linear *L;
  EXPECT_NE(lm_linear_new(&L, G.nm, LM_LIN_Q, W.data(), 1, 100, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("k = 100 is not a multiple of the quantization group 64"),
            std::string::npos) << err;
}

TEST(LmKv, FormatsBytesAndRoundTrip) {
  EXPECT_EQ(lm_kv_bytes_per_elem(LM_KV_FP32, 64), 4.0);
  EXPECT_EQ(lm_kv_bytes_per_elem(LM_KV_BF16, 64), 2.0);
  EXPECT_EQ(lm_kv_bytes_per_elem(LM_KV_LOG8, 64), 1.0 + 2.0 / 64);
  // int8: scale fp16(4/127); log8: code 127 at the group max, steps of 2^(1/8)
  float v[4] = {4.0f, -2.0f, 1.0f, 0.0f}, o[4];
  lm_kv_roundtrip(LM_KV_LOG8, 4, v, 4, o);
  EXPECT_FLOAT_EQ(o[0], 4.0f);
  EXPECT_FLOAT_EQ(o[1], -2.0f);
  EXPECT_FLOAT_EQ(o[2], 1.0f);
  EXPECT_EQ(o[3], 0.0f);
  lm_kv_roundtrip(LM_KV_INT8, 4, v, 4, o);
  double sc = mpb_round_float(4.0 / 127, 11, -14, 15);
  EXPECT_FLOAT_EQ(o[1], (float)(std::nearbyint(-2.0 / sc) * sc));
  lm_kv *kv;
  char err[256];
  ASSERT_EQ(lm_kv_new(&kv, LM_KV_INT8, 64, 30, 8, 192, err, sizeof err), 0);
  // SmolLM2: 30 layers x K,V x 192 values: 192 bytes + 3 fp16 scales each
  EXPECT_EQ(lm_kv_bytes_per_token(kv), 2.0 * 30 * (192 + 3 * 2));
  std::vector<float> row(192, 1.0f);
  EXPECT_NE(lm_kv_store(kv, 0, 7, 2, row.data(), 0, row.data(), 0, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("exceed the capacity of 8 tokens"), std::string::npos) << err;
  lm_kv_free(kv);
}

}  // namespace
