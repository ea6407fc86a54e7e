/* traces_gen_test.cc — the workload generators: deterministic per seed, the Mamba ZOH
 * structure (dt*A = -dt (n+1) for A_log = log(1..16)), the Bit-Axon sandwich's zones,
 * geometry and masked sliding-window softmax rows, the registry. */
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "gen_common.h"
#include "traces_util.h"

namespace {

std::vector<uint8_t> generate(const char *preset, const trace_gen_opts &o, const std::string &name) {
  const trace_generator *g = trace_gen_find(preset);
  EXPECT_NE(g, nullptr) << preset;
  std::string path = mpb_test_path(name);
  char err[512];
  FILE *f = fopen(path.c_str(), "wb");
  trace_writer *w = trace_writer_open_file(f, path.c_str(), nullptr, err, sizeof err);
  EXPECT_NE(w, nullptr) << err;
  EXPECT_EQ(g->fn(&o, w, err, sizeof err), 0) << err;
  EXPECT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
  fclose(f);
  return tu_read_file(path);
}

TEST(TraceGen, DeterministicPerSeed) {
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 4;
  o.layers = 1;
  auto a = generate("mamba130m", o, "g_a.trace"), b = generate("mamba130m", o, "g_b.trace");
  EXPECT_EQ(a, b);
  o.seed = 2;
  auto c = generate("mamba130m", o, "g_c.trace");
  EXPECT_NE(a, c);
}

TEST(TraceGen, MambaZohStructure) {
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 6;
  auto img = generate("mamba130m", o, "g_mamba.trace");
  char e[512];
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "m", e, sizeof e);
  ASSERT_NE(r, nullptr) << e;
  const trace_header *h = trace_reader_header(r);
  EXPECT_EQ(h->arch, (uint32_t)TRACE_ARCH_SSM);
  EXPECT_EQ(h->d_model, 768u);
  EXPECT_EQ(h->d_state, 16u);
  EXPECT_EQ(h->d_conv, 4u);
  EXPECT_EQ(h->n_layers, 2u);
  EXPECT_EQ(h->head_dim, 0u);
  std::map<uint32_t, uint32_t> gemm_k;
  uint64_t rows = 0;
  double dt_min = 1e9, dt_max = 0;
  trace_record rec;
  while (trace_read(r, &rec, e, sizeof e) == 1) {
    if (rec.kind == TRACE_GEMM) {
      gemm_k[rec.op] = rec.width;
      continue;
    }
    ASSERT_EQ(rec.kind, (uint32_t)TRACE_EXP);
    ASSERT_EQ(rec.op, (uint32_t)TRACE_EXP_SSM_DTA);
    ASSERT_EQ(rec.width, 1536u * 16u);
    for (uint32_t t = 0; t < rec.ntok; t++)
      for (uint32_t ch = 0; ch < 1536; ch++) {
        const float *v = rec.f32 + (size_t)t * rec.width + (size_t)ch * 16;
        double dt = -v[0]; /* A_0 = -exp(log 1) = -1 */
        ASSERT_GT(dt, 0.0);
        dt_min = std::min(dt_min, dt), dt_max = std::max(dt_max, dt);
        for (int n = 0; n < 16; n++) ASSERT_NEAR(v[n], -dt * (n + 1), 1e-6 * dt * (n + 1)) << n;
        rows++;
      }
  }
  EXPECT_EQ(rows, 2u * 6u * 1536u);
  /* softplus(dt_proj(x) + bias), bias from dt log-uniform in [0.001, 0.1] */
  EXPECT_LT(dt_min, 0.01);
  EXPECT_LT(dt_max, 5.0);
  EXPECT_EQ(gemm_k[TRACE_GEMM_SSM_IN], 768u);
  EXPECT_EQ(gemm_k[TRACE_GEMM_SSM_X], 1536u);
  EXPECT_EQ(gemm_k[TRACE_GEMM_SSM_DT], 48u);
  EXPECT_EQ(gemm_k[TRACE_GEMM_SSM_OUT], 1536u);
  EXPECT_EQ(gemm_k[TRACE_GEMM_SSM_SCAN], 16u);
  trace_reader_close(r);
}

TEST(TraceGen, BitAxonSandwich) {
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 5;
  o.windows = 2;
  o.max_pos = 9000;
  auto img = generate("bitaxon", o, "g_ba.trace");
  char e[512];
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "b", e, sizeof e);
  ASSERT_NE(r, nullptr) << e;
  const trace_header *h = trace_reader_header(r);
  EXPECT_EQ(h->head_dim, 80u);
  EXPECT_EQ(h->window, 4096u);
  EXPECT_EQ(h->d_state, 16u);
  EXPECT_EQ(h->n_experts, 8u);
  EXPECT_EQ(h->top_k, 2u);
  EXPECT_EQ(h->n_layers, 3u);
  EXPECT_EQ(h->max_pos, 9000u);
  /* per layer: which record kinds appear */
  std::map<uint32_t, std::map<std::string, int>> seen;
  trace_record rec;
  while (trace_read(r, &rec, e, sizeof e) == 1) {
    seen[rec.layer][std::string(trace_kind_name(rec.kind)) + "." + trace_op_name(rec.kind, rec.op)]++;
    if (rec.kind == TRACE_ROPE) {
      EXPECT_EQ(rec.width, 80u);
      EXPECT_EQ(rec.pos[0], rec.tok0 == 0 ? 0u : 8996u);
    }
    if (rec.kind == TRACE_EXP && rec.op == TRACE_EXP_SOFTMAX) {
      uint32_t i = rec.tok0 % 5;
      EXPECT_EQ(rec.width, i + 1); /* causal, inside the 4096 window */
      float mx = -1;
      for (uint32_t j = 0; j < rec.width; j++) mx = std::max(mx, rec.f32[j]);
      EXPECT_EQ(mx, 0.0f);
    }
    if (rec.kind == TRACE_EXP && rec.op == TRACE_EXP_ROUTER) {
      EXPECT_EQ(rec.width, 8u);
    }
  }
  EXPECT_EQ(seen[0].count("rope.q"), 0u); /* zone 1: pure SSM */
  EXPECT_GT(seen[0]["exp.ssm_dta"], 0);
  EXPECT_EQ(seen[0].count("exp.router"), 0u);
  EXPECT_EQ(seen[1]["rope.q"], 2 * 8); /* zone 2: SWA + MoE, 8 heads x 2 windows */
  EXPECT_EQ(seen[1]["exp.softmax"], 2 * 8 * 5);
  EXPECT_GT(seen[1]["exp.router"], 0);
  EXPECT_EQ(seen[1].count("exp.ssm_dta"), 0u);
  EXPECT_GT(seen[2]["exp.ssm_dta"], 0); /* zone 3: SSM + MoE */
  EXPECT_GT(seen[2]["exp.router"], 0);
  EXPECT_GT(seen[2]["gemm.ffn_down"], 0);
  trace_reader_close(r);
}

TEST(TraceGen, SlidingWindowMasksOlderKeys) {
  /* window 3 over 7 tokens: query i sees keys max(0, i-2)..i */
  gen_rng rng = {42};
  gen_attn a;
  ASSERT_EQ(gen_attn_init(&a, 16, 2, 1, 8, 10000.0, 3, 1, &rng), 0);
  trace_header h = tu_header(1, 2, 1, 8);
  std::string path = mpb_test_path("g_win.trace");
  char err[512];
  trace_writer *w = trace_writer_open(path.c_str(), &h, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  const uint32_t T = 7;
  std::vector<uint32_t> pos(T);
  for (uint32_t i = 0; i < T; i++) pos[i] = 100 + i;
  float *x;
  ASSERT_EQ(gen_inputs(&x, T, 16, &rng), 0);
  std::vector<float> y(T * 16);
  gen_ctx c = {w, &o, 0, 0, T, pos.data(), err, sizeof err};
  ASSERT_EQ(gen_attn_forward(&a, &c, x, y.data()), 0) << err;
  ASSERT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
  free(x);
  gen_attn_free(&a);
  auto img = tu_read_file(path);
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "win", err, sizeof err);
  ASSERT_NE(r, nullptr) << err;
  trace_record rec;
  int rows = 0;
  while (trace_read(r, &rec, err, sizeof err) == 1) {
    if (rec.kind != TRACE_EXP) continue;
    EXPECT_EQ(rec.width, std::min(rec.tok0 + 1, 3u)) << rec.tok0;
    EXPECT_EQ(rec.pos[0], 100 + rec.tok0);
    rows++;
  }
  EXPECT_EQ(rows, (int)(2 * T));
  trace_reader_close(r);
}

TEST(TraceGen, RegistryAndRopePresets) {
  EXPECT_GE(trace_gen_count(), 4u);
  for (size_t i = 0; i < trace_gen_count(); i++)
    EXPECT_EQ(trace_gen_find(trace_gen_get(i)->name), trace_gen_get(i));
  EXPECT_EQ(trace_gen_find("nope"), nullptr);
  EXPECT_EQ(trace_gen_get(trace_gen_count()), nullptr);
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 3, o.windows = 4, o.max_pos = 131071;
  auto img = generate("rope-llama3", o, "g_l3.trace");
  std::string err;
  uint64_t n;
  ASSERT_EQ(tu_read_all(img, &err, &n), 0) << err;
  EXPECT_EQ(n, 4u * 40u); /* 4 windows x (32 q + 8 kv heads) */
  char e[512];
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "l3", e, sizeof e);
  uint32_t maxp = 0;
  trace_record rec;
  while (trace_read(r, &rec, e, sizeof e) == 1)
    for (uint32_t t = 0; t < rec.ntok; t++) maxp = std::max(maxp, rec.pos[t]);
  EXPECT_EQ(maxp, 131071u);
  EXPECT_EQ(trace_reader_header(r)->head_dim, 128u);
  EXPECT_EQ(trace_reader_header(r)->rope_base, 500000.0);
  trace_reader_close(r);
}

}  // namespace
