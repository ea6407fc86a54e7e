// lm_hybrid_test.cc — the pieces of the Bit-Axon hybrid: the sliding-window attention
// against a plain double implementation, the MoE layer's routing against a hand
// computation, the hybrid's zones, and the hybrid fed token by token against batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "attention.h"
#include "gtest_c.h"
#include "hybrid.h"
#include "moe.h"

namespace {

struct Numerics {
  lm_numerics *nm = nullptr;
  explicit Numerics(const char *spec) {
    lm_numerics_spec s;
    lm_numerics_spec_init(&s, LM_BK_REF);
    char err[256];
    EXPECT_EQ(lm_numerics_spec_parse(&s, spec, err, sizeof err), 0) << err;
    EXPECT_EQ(lm_numerics_new(&nm, &s, err, sizeof err), 0) << err;
  }
  ~Numerics() { lm_numerics_free(nm); }
};

double uniform(uint64_t *s) { return (double)(mpb_test_rand(s) >> 11) * 0x1p-53; }

// Row r (slot n_past + r) sees the last `window` slots up to its own: softmax in double.
TEST(LmAttention, SlidingWindowAgainstPlainDouble) {
  uint64_t seed = mpb_test_seed("LmAttention.SlidingWindowAgainstPlainDouble");
  const int H = 4, KV = 2, hd = 8, kvd = KV * hd, qd = H * hd;
  Numerics nm("ref");
  for (int window : {0, 1, 5, 16}) {
    for (int n_past : {0, 3, 20}) {
      const int rows = 7, slots = n_past + rows;
      std::vector<float> kc(slots * kvd), vc(slots * kvd), q(rows * qd), out(rows * qd);
      for (auto &v : kc) v = (float)(2 * uniform(&seed) - 1);
      for (auto &v : vc) v = (float)(2 * uniform(&seed) - 1);
      for (auto &v : q) v = (float)(2 * uniform(&seed) - 1);
      lm_attn_shape a = {H, KV, hd, window};
      size_t span = lm_attention_span(&a, n_past, rows, nullptr);
      std::vector<float> att(rows * span);
      std::vector<int32_t> len(2 * rows);
      char err[256];
      ASSERT_EQ(lm_attention(nm.nm, &a, kc.data(), vc.data(), n_past, rows, q.data(), qd,
                             out.data(), qd, att.data(), len.data(), nullptr, nullptr, err,
                             sizeof err), 0) << err;
      for (int r = 0; r < rows; r++)
        for (int h = 0; h < H; h++) {
          int g = h / (H / KV), last = n_past + r;
          int first = window ? std::max(0, last + 1 - window) : 0;
          std::vector<double> s;
          double mx = -1e300;
          for (int j = first; j <= last; j++) {
            double d = 0;
            for (int i = 0; i < hd; i++) d += (double)q[r * qd + h * hd + i] * kc[j * kvd + g * hd + i];
            s.push_back(d / std::sqrt((double)hd));
            mx = std::max(mx, s.back());
          }
          double z = 0;
          for (double &v : s) z += v = std::exp(v - mx);
          for (int i = 0; i < hd; i++) {
            double o = 0;
            for (int j = first; j <= last; j++) o += s[j - first] / z * vc[j * kvd + g * hd + i];
            EXPECT_NEAR(out[r * qd + h * hd + i], o, 1e-5) << "window " << window << " n_past "
                                                            << n_past << " row " << r;
          }
        }
    }
  }
}

// Two experts of width 1 on d_model 1 with hand-set weights: the router softmax picks the
// top 2 of 3, weights renormalised; the shared expert adds sigmoid(g x) times its output.
TEST(LmMoe, RoutingAndSharedExpertByHand) {
  char err[256];
  moe_weights *w;
  ASSERT_EQ(moe_weights_synth(&w, 1, 1, 3, 2, 1, err, sizeof err), 0) << err;
  float logits[3] = {1.0f, 3.0f, 2.0f};
  for (int e = 0; e < 3; e++) w->router[e] = logits[e];
  w->shared_gate[0] = 0.5f;
  for (int e = 0; e <= 3; e++) w->gate[e][0] = 1.0f, w->up[e][0] = 1.0f, w->down[e][0] = (float)(e + 1);
  Numerics nm("ref");
  moe_layer *l;
  ASSERT_EQ(moe_layer_new(&l, w, nm.nm, 4, err, sizeof err), 0) << err;
  float x[2] = {1.0f, -2.0f}, out[2];
  uint8_t sel[4];
  ASSERT_EQ(moe_layer_forward(l, 2, x, out, sel, err, sizeof err), 0) << err;
  for (int r = 0; r < 2; r++) {
    double xv = x[r], p[3], z = 0;
    for (int e = 0; e < 3; e++) z += p[e] = std::exp(logits[e] * xv);
    int a = r == 0 ? 1 : 0, b = r == 0 ? 2 : 2; // x = 1: experts 1, 2; x = -2: 0, 2
    EXPECT_EQ(sel[r * 2], a) << r;
    EXPECT_EQ(sel[r * 2 + 1], b) << r;
    double wa = p[a] / (p[a] + p[b]), wb = p[b] / (p[a] + p[b]);
    double swiglu = xv / (1 + std::exp(-xv)) * xv; // gate = up = x
    double shared = 1 / (1 + std::exp(-0.5 * xv)) * 4 * swiglu;
    double want = wa * (a + 1) * swiglu + wb * (b + 1) * swiglu + shared;
    EXPECT_NEAR(out[r], want, 1e-5 * (1 + std::fabs(want))) << r;
  }
  moe_layer_free(l);
  moe_weights_free(w);
}

TEST(LmHybrid, ZonesAndGeometry) {
  hybrid_config c = hybrid_preset_find("bitaxon")->c;
  EXPECT_EQ(c.n_layer, 3);
  EXPECT_EQ(c.head_dim, 80);
  EXPECT_EQ(c.window, 4096);
  EXPECT_EQ(c.n_expert, 8);
  EXPECT_EQ(c.top_k, 2);
  for (int l = 0; l < 3; l++) EXPECT_EQ(hybrid_zone(&c, l), l);
  c.n_layer = 24; // the real plan: 8 per zone
  for (int l = 0; l < 24; l++) EXPECT_EQ(hybrid_zone(&c, l), l / 8);
  char err[256];
  EXPECT_EQ(hybrid_config_check(&c, err, sizeof err), 0) << err;
  c.d_model = 641;
  EXPECT_NE(hybrid_config_check(&c, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("d_model"), std::string::npos) << err;
  EXPECT_EQ(hybrid_preset_find("nope"), nullptr);
}

std::vector<float> run(const hybrid_model *m, lm_numerics *nm, const std::vector<int32_t> &tok,
                       int batch, int feed) {
  hybrid_state *s;
  char err[256];
  int V = m->c.n_vocab, n = (int)tok.size();
  std::vector<float> lg(n * V);
  EXPECT_EQ(hybrid_state_new(&s, m, nm, n, batch, err, sizeof err), 0) << err;
  for (int t0 = 0; t0 < n; t0 += feed) {
    int k = std::min(feed, n - t0);
    EXPECT_EQ(hybrid_forward(s, tok.data() + t0, k, lg.data() + t0 * V, 0, err, sizeof err), 0) << err;
  }
  EXPECT_EQ(hybrid_state_tokens(s), n);
  hybrid_state_free(s);
  return lg;
}

// Token by token against batches, past the window (64 in bitaxon-tiny): the same logits
// (bit for bit on the integer GEMM path, to FP rounding otherwise).
TEST(LmHybrid, TokenByTokenEqualsBatches) {
  hybrid_model *m;
  char err[256];
  hybrid_config c = hybrid_preset_find("bitaxon-tiny")->c;
  ASSERT_EQ(hybrid_model_synth(&m, &c, 3, err, sizeof err), 0) << err;
  std::vector<int32_t> tok(100);
  uint64_t seed = 17;
  for (auto &t : tok) t = (int32_t)(mpb_test_rand(&seed) % c.n_vocab);
  for (const char *spec : {"ref", "int8,act=fp32"}) {
    Numerics nm(spec);
    auto a = run(m, nm.nm, tok, 1, 1), b = run(m, nm.nm, tok, 32, 100);
    double worst = 0;
    for (size_t i = 0; i < a.size(); i++) worst = std::max(worst, (double)std::fabs(a[i] - b[i]));
    EXPECT_LT(worst, 1e-4) << spec;
  }
  // the cache capacity and token ids are checked
  Numerics nm("ref");
  hybrid_state *s;
  ASSERT_EQ(hybrid_state_new(&s, m, nm.nm, 4, 4, err, sizeof err), 0) << err;
  int32_t bad = c.n_vocab;
  EXPECT_NE(hybrid_forward(s, &bad, 1, nullptr, 1, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("token id"), std::string::npos) << err;
  EXPECT_NE(hybrid_forward(s, tok.data(), 5, nullptr, 5, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("capacity"), std::string::npos) << err;
  hybrid_state_free(s);
  hybrid_model_free(m);
}

} // namespace
