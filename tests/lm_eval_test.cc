// lm_eval_test.cc — the closed-loop evaluation (lm/kld.h, lm/eval.h, `mpbsim lm eval`):
// KL-divergence statistics against hand-computed distributions; the batched prefill
// against one-token steps; a backend identical to the reference gives KLD 0 exactly; the
// reference is offset-invariant; the bridge with every width at its maximum is close to
// the reference; bad input gets exit 2 (or 4 for a missing model) and a message naming
// the limit. Real-model tests skip when `make models` has not run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "eval.h"
#include "gtest_c.h"
#include "kld.h"
#include "llama.h"
#include "llama_presets.h"

namespace {

TEST(LmKld, HandComputedDistributions) {
  // token 0: ref p = {1/6, 2/6, 3/6}, variant uniform 1/3; target 2
  // token 1: identical rows {0, 1, 5}; target 0
  const float l2 = (float)std::log(2.0), l3 = (float)std::log(3.0);
  float ref0[3] = {0.0f, l2, l3}, var0[3] = {0.0f, 0.0f, 0.0f};
  float ref1[3] = {0.0f, 1.0f, 5.0f};
  lm_kld_acc a;
  ASSERT_EQ(lm_kld_init(&a, 2, nullptr, 0), 0);
  ASSERT_EQ(lm_kld_add(&a, ref0, var0, 3, 2), 0);
  ASSERT_EQ(lm_kld_add(&a, ref1, ref1, 3, 0), 0);
  EXPECT_NE(lm_kld_add(&a, ref1, ref1, 3, 0), 0) << "full";
  lm_kld_result r;
  lm_kld_finish(&a, &r);
  double p[3] = {1.0 / 6, 2.0 / 6, 3.0 / 6}, kld0 = 0;
  for (double pi : p) kld0 += pi * std::log(pi / (1.0 / 3));
  EXPECT_EQ(r.n, 2u);
  EXPECT_NEAR(a.kld[0], kld0, 1e-7);
  EXPECT_EQ(a.kld[1], 0.0) << "identical rows give exactly 0";
  EXPECT_NEAR(r.kld_mean, kld0 / 2, 1e-7);
  EXPECT_NEAR(r.kld_max, kld0, 1e-7);
  EXPECT_NEAR(r.kld_median, kld0 / 2, 1e-7); // two values: their mean
  EXPECT_NEAR(r.kld_p99, 0.99 * kld0, 1e-7);
  EXPECT_DOUBLE_EQ(r.same_top, 0.5); // uniform picks index 0, ref picks 2
  // nll: token 0 ref -ln(1/2), var -ln(1/3); token 1 both -ln(softmax(ref1)[0])
  double z1 = 1 + std::exp(1.0) + std::exp(5.0), nll1 = std::log(z1);
  EXPECT_NEAR(r.ppl_ref, std::exp((std::log(2.0) + nll1) / 2), 1e-6);
  EXPECT_NEAR(r.ppl, std::exp((std::log(3.0) + nll1) / 2), 1e-6);
  EXPECT_NEAR(r.ln_ratio, (std::log(3.0) - std::log(2.0)) / 2, 1e-7);
  EXPECT_NEAR(r.rms_dp, std::sqrt((1.0 / 6) * (1.0 / 6) / 2), 1e-7); // dp0 = 1/3 - 1/2
  EXPECT_EQ(r.kld_se, 0.0) << "llama.cpp reports no error below 11 tokens";
  lm_kld_free(&a);
}

TEST(LmKld, PercentilesAndErrors) {
  std::vector<double> v;
  for (int i = 0; i < 10; i++) v.push_back(i);
  EXPECT_DOUBLE_EQ(lm_percentile(v.data(), 10, 0.5), 4.5);
  EXPECT_DOUBLE_EQ(lm_percentile(v.data(), 10, 0.99), 8.91);
  EXPECT_DOUBLE_EQ(lm_percentile(v.data(), 10, 0.999), 8.991);
  EXPECT_DOUBLE_EQ(lm_percentile(v.data(), 10, 1.0), 9.0);
  // 20 tokens with KLD alternating: the standard error follows llama.cpp's formula
  lm_kld_acc a;
  ASSERT_EQ(lm_kld_init(&a, 20, nullptr, 0), 0);
  const float l2 = (float)std::log(2.0);
  float ref[2] = {0.0f, l2}, same[2] = {0.0f, l2}, flat[2] = {0.0f, 0.0f};
  for (int i = 0; i < 20; i++) lm_kld_add(&a, ref, i % 2 ? flat : same, 2, 1);
  lm_kld_result r;
  lm_kld_finish(&a, &r);
  double k = (1.0 / 3) * std::log((1.0 / 3) / 0.5) + (2.0 / 3) * std::log((2.0 / 3) / 0.5);
  EXPECT_NEAR(r.kld_mean, k / 2, 1e-7);
  EXPECT_NEAR(r.kld_se, std::sqrt((k * k / 2 - k * k / 4) / 19), 1e-7);
  EXPECT_EQ(r.same_top, 0.5); // ref's top is 1; the flat row's tie picks index 0
  lm_kld_free(&a);
}

TEST(LmKld, NonFiniteVariantIsInfinite) {
  float ref[3] = {0.0f, 1.0f, 2.0f}, var[3] = {0.0f, NAN, 2.0f};
  lm_kld_acc a;
  ASSERT_EQ(lm_kld_init(&a, 1, nullptr, 0), 0);
  ASSERT_EQ(lm_kld_add(&a, ref, var, 3, 2), 0);
  lm_kld_result r;
  lm_kld_finish(&a, &r);
  EXPECT_TRUE(std::isinf(r.kld_mean));
  EXPECT_TRUE(std::isinf(r.ppl));
  EXPECT_EQ(r.same_top, 0.0);
  lm_kld_free(&a);
}

// A tiny synthetic model with peaked distributions (embeddings x 40) and peaked attention
// (Q and K weights x 10), so that numerics differences show in the KLD.
struct Tiny {
  llama_model *m = nullptr;
  Tiny() {
    char err[256];
    llama_config c = llama_preset_find("tiny")->c;
    EXPECT_EQ(llama_init_synthetic(&m, &c, 11, err, sizeof err), 0) << err;
    for (size_t i = 0; i < (size_t)c.n_vocab * c.n_embd; i++) m->tok_embd[i] *= 40.0f;
    size_t nq = (size_t)c.n_head * c.head_dim * c.n_embd, nk = (size_t)c.n_head_kv * c.head_dim * c.n_embd;
    for (int l = 0; l < c.n_layer; l++) {
      for (size_t i = 0; i < nq; i++) m->layers[l].wq[i] *= 10.0f;
      for (size_t i = 0; i < nk; i++) m->layers[l].wk[i] *= 10.0f;
    }
  }
  ~Tiny() { llama_free(m); }
};

std::vector<int32_t> tokens(int n, int vocab, uint64_t seed) {
  std::vector<int32_t> t(n);
  for (int i = 0; i < n; i++) t[i] = (int32_t)(mpb_test_rand(&seed) % (uint64_t)vocab);
  return t;
}

lm_numerics_spec spec(const char *text) {
  lm_numerics_spec s;
  char err[256];
  lm_numerics_spec_init(&s, LM_BK_REF);
  EXPECT_EQ(lm_numerics_spec_parse(&s, text, err, sizeof err), 0) << err;
  return s;
}

TEST(LmEval, BatchedPrefillEqualsOneTokenSteps) {
  Tiny T;
  auto ids = tokens(40, T.m->c.n_vocab, 3);
  std::vector<int64_t> pos(40);
  for (int i = 0; i < 40; i++) pos[i] = 5000 + i;
  char err[256];
  llama_state *a, *b;
  ASSERT_EQ(llama_state_new(&a, T.m, 40, err, sizeof err), 0);
  ASSERT_EQ(llama_state_new(&b, T.m, 40, err, sizeof err), 0);
  const int V = T.m->c.n_vocab;
  std::vector<float> batch(40 * V);
  ASSERT_EQ(llama_forward_batch(a, ids.data(), pos.data(), 40, batch.data(), 0, err, sizeof err), 0);
  double worst = 0;
  for (int t = 0; t < 40; t++) {
    ASSERT_EQ(llama_forward(b, ids[t], pos[t], 1, err, sizeof err), 0);
    for (int i = 0; i < V; i++) worst = std::max(worst, (double)std::fabs(b->logits[i] - batch[t * V + i]));
  }
  // the same arithmetic; only the GEMM kernels' summation order may differ with the rows
  EXPECT_LT(worst, 1e-4);
  EXPECT_EQ(0, std::memcmp(a->logits, &batch[39 * V], V * sizeof(float)));
  // pieces of max_batch rows give the same result as one batch
  llama_state *c;
  lm_numerics *nm;
  lm_numerics_spec sp = spec("ref");
  ASSERT_EQ(lm_numerics_new(&nm, &sp, err, sizeof err), 0);
  ASSERT_EQ(llama_state_new_numerics(&c, T.m, 40, 7, nm, err, sizeof err), 0);
  std::vector<float> pieces(20 * V);
  ASSERT_EQ(llama_forward_batch(c, ids.data(), pos.data(), 40, pieces.data(), 20, err, sizeof err), 0);
  for (int i = 0; i < 20 * V; i++) ASSERT_NEAR(pieces[i], batch[20 * V + i], 1e-4);
  llama_state_free(a), llama_state_free(b), llama_state_free(c);
  lm_numerics_free(nm);
}

struct TinyEval {
  Tiny T;
  lm_eval *ev = nullptr;
  std::vector<int32_t> ids;
  explicit TinyEval(int ctx = 32, int chunks = 2) {
    ids = tokens(ctx * chunks, T.m->c.n_vocab, 9);
    lm_model_ops ops = llama_model_ops(T.m);
    char err[256];
    EXPECT_EQ(lm_eval_new(&ev, &ops, ids.data(), ids.size(), ctx, chunks, err, sizeof err), 0) << err;
  }
  ~TinyEval() { lm_eval_free(ev); }
  lm_eval_point run(const char *text, int64_t p0) {
    lm_eval_point p;
    char err[256];
    lm_numerics_spec s = spec(text);
    EXPECT_EQ(lm_eval_run(ev, &s, p0, &p, err, sizeof err), 0) << err;
    return p;
  }
};

TEST(LmEval, IdenticalBackendGivesZeroKldExactly) {
  TinyEval E;
  EXPECT_EQ(lm_eval_n_scored(E.ev), 2u * (32 - 1 - 16));
  for (const char *s : {"ref", "ref,gemm=fp32", "ref,act=fp32,kv=fp32"}) {
    lm_eval_point p = E.run(s, 0);
    EXPECT_EQ(p.r.kld_mean, 0.0) << s;
    EXPECT_EQ(p.r.kld_max, 0.0) << s;
    EXPECT_EQ(p.r.ln_ratio, 0.0) << s;
    EXPECT_EQ(p.r.rms_dp, 0.0) << s;
    EXPECT_EQ(p.r.same_top, 1.0) << s;
    EXPECT_EQ(p.r.ppl, p.r.ppl_ref) << s;
  }
  // and a real difference is seen: fp32 RoPE recipe, a bf16 model
  EXPECT_GT(E.run("ref,rope=fp32", 0).r.kld_max, 0.0);
  EXPECT_GT(E.run("bf16", 0).r.kld_mean, 1e-9); // measured 6.6e-8
}

TEST(LmEval, TinyModelOffsetsAndBackends) {
  TinyEval E;
  const int n = 32;
  double ref_worst = 0;
  for (int64_t p0 : {(int64_t)1 << 10, ((int64_t)1 << 17) - n, ((int64_t)1 << 20) - n})
    ref_worst = std::max(ref_worst, E.run("ref", p0).r.kld_max);
  std::printf("[ measure  ] tiny model: ref max KLD over offsets 2^10..2^20-n vs 0 = %.3g\n", ref_worst);
  EXPECT_LT(ref_worst, 1e-9);
  // bf16 angles are wrong at 2^17: far worse than at offset 0
  double b0 = E.run("ref,rope=bf16", 0).r.kld_mean, b17 = E.run("ref,rope=bf16", (1 << 17) - n).r.kld_mean;
  std::printf("[ measure  ] tiny model: rope=bf16 mean KLD offset 0 %.3g, 2^17-n %.3g\n", b0, b17);
  EXPECT_GT(b17, 100 * b0);
  // fp16 positions overflow beyond 65504: the model output is NaN, KLD infinite
  EXPECT_TRUE(std::isinf(E.run("ref,rope=fp16", 1 << 17).r.kld_mean));
  lm_eval_point kv = E.run("ref,kv=int8", 0);
  EXPECT_EQ(kv.kv_bytes_per_token, 2.0 * 2 * (16 + 2)); // 2 layers, K+V, 16 values + 1 scale
  EXPECT_GT(kv.r.kld_mean, 0.0);
}

TEST(LmEval, BridgeRunsAndCountsEvents) {
  TinyEval E(16, 1);
  lm_eval_point p = E.run("bridge", 1000);
  EXPECT_GT(p.stats.rope_pairs, 0u);
  EXPECT_GT(p.stats.exp_calls[LM_EXP_SOFTMAX], 0u);
  EXPECT_GT(p.stats.gemm_macs[LM_LIN_Q], 0u);
  EXPECT_EQ(p.stats.gemm_events[LM_LIN_Q], 0u) << "32-bit accumulator: no overflow";
  EXPECT_TRUE(std::isfinite(p.r.kld_mean));
  // a 16-bit accumulator that wraps: events counted
  lm_numerics_spec s = spec("bridge");
  char err[256];
  ASSERT_EQ(mpb_config_set(&s.bridge, "acc_bits", "16", err, sizeof err), MPB_OK) << err;
  lm_eval_point q;
  ASSERT_EQ(lm_eval_run(E.ev, &s, 0, &q, err, sizeof err), 0) << err;
  uint64_t ev = 0;
  for (int i = 0; i < LM_NLIN; i++) ev += q.stats.gemm_events[i];
  EXPECT_GT(ev, 0u);
  // bridge GEMM with an accumulator that cannot overflow = int8 GEMM, bit for bit
  lm_eval_point b = E.run("ref,gemm=bridge", 0), i8 = E.run("ref,gemm=int8", 0);
  EXPECT_EQ(b.r.kld_mean, i8.r.kld_mean);
  EXPECT_EQ(b.r.kld_max, i8.r.kld_max);
}

TEST(LmEval, ErrorsNameTheLimit) {
  TinyEval E(16, 1);
  char err[256];
  lm_eval_point p;
  lm_numerics_spec s = spec("bridge");
  EXPECT_EQ(lm_eval_max_offset(E.ev, &s), (1 << 20) - 16);
  EXPECT_NE(lm_eval_run(E.ev, &s, (1 << 20) - 15, &p, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("exceed the bridge's pos_bits = 20 (positions 0 .. 1048575"),
            std::string::npos) << err;
  EXPECT_EQ(lm_eval_run(E.ev, &s, (1 << 20) - 16, &p, err, sizeof err), 0) << err;
  lm_model_ops ops = llama_model_ops(E.T.m);
  lm_eval *ev;
  EXPECT_NE(lm_eval_new(&ev, &ops, E.ids.data(), E.ids.size(), 512, 1, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("window of 512 tokens: must be in [4, 256] (the KV capacity)"),
            std::string::npos) << err;
  EXPECT_NE(lm_eval_new(&ev, &ops, E.ids.data(), E.ids.size(), 16, 2, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("2 windows of 16 tokens need 32 tokens, the token file has 16"),
            std::string::npos) << err;
}

// ---- the real model ------------------------------------------------------------------
const char *kReal = "models/SmolLM2-135M-Instruct.Q4_1.gguf";

// The sanitizer build is ~30x slower: one window of 24 tokens (11 scored) there, two of 48
// (46 scored) in the normal build. Tokens: data/passage.tokens.
#if defined(__SANITIZE_ADDRESS__)
const int kCtx = 24, kChunks = 1;
#else
const int kCtx = 48, kChunks = 2;
#endif

struct RealEval {
  static llama_model *m;
  static lm_eval *ev;
  static bool tried;
  static lm_eval *get() {
    if (tried) return ev;
    tried = true;
    char err[512];
    FILE *f = std::fopen(kReal, "rb");
    if (!f) return nullptr;
    std::fclose(f);
    EXPECT_EQ(llama_load_gguf(&m, kReal, err, sizeof err), 0) << err;
    std::vector<int32_t> ids(4096);
    size_t n = 0;
    EXPECT_EQ(tok_read_ids("data/passage.tokens", m->c.n_vocab, ids.data(), ids.size(), &n, err, sizeof err), 0);
    lm_model_ops ops = llama_model_ops(m);
    EXPECT_EQ(lm_eval_new(&ev, &ops, ids.data(), n, kCtx, kChunks, err, sizeof err), 0) << err;
    return ev;
  }
};
llama_model *RealEval::m = nullptr;
lm_eval *RealEval::ev = nullptr;
bool RealEval::tried = false;

#define NEED_REAL()                                                                        \
  lm_eval *ev = RealEval::get();                                                           \
  if (!ev) GTEST_SKIP() << kReal << " is absent: run `make models` to fetch it";

lm_eval_point run_real(lm_eval *ev, const lm_numerics_spec &s, int64_t p0) {
  lm_eval_point p;
  char err[512];
  EXPECT_EQ(lm_eval_run(ev, &s, p0, &p, err, sizeof err), 0) << err;
  return p;
}

// Exact RoPE is relative, so the reference's logits at offset p0 equal those at 0 up to
// FP32 rounding (angles and cos/sin are FP64; the rotated values round to float once).
// Measured: max per-token KLD 1.8e-10 (2 windows of 64 on GPL-3, offsets to 2^20-n).
// Tolerance 1e-8: 2500x below BF16's mean KLD on Llama-3-8B (2.5e-5).
TEST(LmEvalReal, ReferenceIsOffsetInvariant) {
  NEED_REAL();
  lm_numerics_spec s = spec("ref");
  double worst = 0;
  for (int64_t p0 : {(int64_t)1 << 10, ((int64_t)1 << 17) - kCtx, ((int64_t)1 << 20) - kCtx}) {
    lm_eval_point p = run_real(ev, s, p0);
    worst = std::max(worst, p.r.kld_max);
    EXPECT_EQ(p.r.same_top, 1.0) << p0;
  }
  std::printf("[ measure  ] SmolLM2: ref max KLD at offsets 2^10..2^20-n vs offset 0 = %.3g\n", worst);
  EXPECT_LT(worst, 1e-8);
}

// RoPE and exp on the bridge with every width at its maximum (x_bits 16, cs_bits 24,
// horner_width 32, horner_order 8, freq_frac_bits 56, rot_frac_bits 15, tables 2^10) at
// offset 2^20-n. Measured (2 windows of 64, GPL-3): mean KLD 7.7e-8, max 1.1e-6 — the
// 16-bit input quantization dominates. Bound: mean < 1e-6, max < 1e-5, same top 100%.
TEST(LmEvalReal, BridgeAtMaximumWidthsIsCloseToTheReference) {
  NEED_REAL();
  lm_numerics_spec s = spec("ref,rope=bridge,exp=bridge");
  const char *kv[][2] = {{"x_bits", "16"}, {"cs_bits", "24"}, {"horner_width", "32"},
                         {"horner_order", "8"}, {"freq_frac_bits", "56"}, {"rot_frac_bits", "15"},
                         {"cs_table_bits", "10"}, {"exp_table_bits", "10"}, {"pos_bits", "24"}};
  char err[256];
  for (auto &p : kv) ASSERT_EQ(mpb_config_set(&s.bridge, p[0], p[1], err, sizeof err), MPB_OK) << err;
  lm_eval_point p = run_real(ev, s, ((int64_t)1 << 20) - kCtx);
  std::printf("[ measure  ] SmolLM2: bridge rope+exp at maximum widths, offset 2^20-n: mean KLD "
              "%.3g, max %.3g\n", p.r.kld_mean, p.r.kld_max);
  EXPECT_LT(p.r.kld_mean, 1e-6);
  EXPECT_LT(p.r.kld_max, 1e-5);
  EXPECT_EQ(p.r.same_top, 1.0);
}

// ---- the CLI -------------------------------------------------------------------------
std::string mpbsim() { return mpb_test_bin("mpbsim"); }

TEST(LmEvalCli, BadInputNamesTheLimit) {
  std::string out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --backends ref,brige", &out), 2);
  EXPECT_NE(out.find("unknown backend 'brige' (one of ref, fp32, bf16, fp16, bridge, int8)"),
            std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --attr rope,softmax", &out), 2);
  EXPECT_NE(out.find("'softmax' is not one of rope, exp, gemm, kv, all"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --backends bridge --offsets 0,2^20", &out), 2);
  EXPECT_NE(out.find("offset 1048576 for bridge: positions up to 1048703 exceed the bridge's "
                     "pos_bits (largest offset for a 128-token window: 1048448)"),
            std::string::npos) << out;
  EXPECT_NE(out.find("pos_bits = 20 allows positions 0 .. 1048575"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --ctx 512 --kv-cap 256", &out), 2);
  EXPECT_NE(out.find("--ctx 512 is longer than the KV capacity of 256 tokens"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --offsets 2^x", &out), 2);
  EXPECT_NE(out.find("'2^x' is not an integer >= 0, 2^K or 2^K-n"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --spec 'ref,rope=fp8'", &out), 2);
  EXPECT_NE(out.find("unknown backend 'fp8'"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --model /nonexistent/m.gguf", &out), 4);
  EXPECT_NE(out.find("cannot read /nonexistent/m.gguf"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --set pos_bits=99", &out), 2);
  EXPECT_NE(out.find("pos_bits"), std::string::npos) << out;
}

TEST(LmEvalCli, RealModelWindowLimits) {
  if (!RealEval::get()) GTEST_SKIP() << kReal << " is absent: run `make models` to fetch it";
  std::string out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --ctx 16384", &out), 2);
  EXPECT_NE(out.find("--ctx 16384 is longer than the KV capacity of 8192 tokens (the model's "
                     "context length)"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm eval --ctx 200 --chunks 2", &out), 2);
  EXPECT_NE(out.find("2 windows of 200 tokens need 400 tokens; data/passage.tokens has 237"),
            std::string::npos) << out;
}

TEST(LmEvalCli, JsonAndCsvOnTheRealModel) {
  if (!RealEval::get()) GTEST_SKIP() << kReal << " is absent: run `make models` to fetch it";
  std::string out, js = mpb_test_path("lm_eval.json"), csv = mpb_test_path("lm_eval.csv");
  ASSERT_EQ(mpb_test_run(mpbsim() + " lm eval --ctx 16 --backends ref,fp32 --offsets 0,2^16 "
                         "--json " + js + " --csv " + csv, &out), 0) << out;
  EXPECT_NE(out.find("reference offset invariance"), std::string::npos) << out;
  std::string j, c;
  ASSERT_EQ(mpb_test_run("cat " + js, &j), 0);
  ASSERT_EQ(mpb_test_run("cat " + csv, &c), 0);
  EXPECT_NE(j.find("\"schema\": \"mpbsim-lm-eval-1\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"offset\": 65536"), std::string::npos) << j;
  EXPECT_NE(c.find("backend,attr,spec,offset,skipped,n,ppl"), std::string::npos) << c;
  int rows = 0;
  for (char ch : c) rows += ch == '\n';
  EXPECT_EQ(rows, 5); // header + 2 backends x 2 offsets
}

}  // namespace
