// lm_gguf_llama_test.cc — the GGUF model loader against the synthetic model: a tiny
// Llama written as a GGUF file by the test (F32 tensors with GGUF's [in, out] shapes)
// must load with the geometry of its metadata and give bit-identical logits; a missing or
// misshapen tensor is named in the error.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "llama.h"
#include "llama_presets.h"
#include "lm_util.h"

namespace {

using Img = GgufBuilder;  // tests/lm_util.h

struct T {
  std::string name;
  std::vector<uint64_t> ne;
  const float *data;
};

// Serialize model m (tied head) as a GGUF; skip drops one tensor, bad_shape changes one.
std::string write_gguf(const llama_model *m, const std::string &file, const std::string &skip = "",
                       const std::string &bad_shape = "") {
  const llama_config &c = m->c;
  uint64_t e = c.n_embd, qd = (uint64_t)c.n_head * c.head_dim, kvd = (uint64_t)c.n_head_kv * c.head_dim, ff = c.n_ff;
  std::vector<T> ts = {{"token_embd.weight", {e, (uint64_t)c.n_vocab}, m->tok_embd},
                       {"output_norm.weight", {e}, m->out_norm}};
  for (int l = 0; l < c.n_layer; l++) {
    const llama_layer &L = m->layers[l];
    std::string p = "blk." + std::to_string(l) + ".";
    ts.push_back({p + "attn_norm.weight", {e}, L.attn_norm});
    ts.push_back({p + "attn_q.weight", {e, qd}, L.wq});
    ts.push_back({p + "attn_k.weight", {e, kvd}, L.wk});
    ts.push_back({p + "attn_v.weight", {e, kvd}, L.wv});
    ts.push_back({p + "attn_output.weight", {qd, e}, L.wo});
    ts.push_back({p + "ffn_norm.weight", {e}, L.ffn_norm});
    ts.push_back({p + "ffn_gate.weight", {e, ff}, L.w_gate});
    ts.push_back({p + "ffn_up.weight", {e, ff}, L.w_up});
    ts.push_back({p + "ffn_down.weight", {ff, e}, L.w_down});
  }
  std::vector<T> keep;
  for (T &t : ts)
    if (t.name != skip) {
      if (t.name == bad_shape) t.ne[0] += 0, t.ne.back() += 1;
      keep.push_back(t);
    }
  Img f;
  f.u32(GGUF_MAGIC); f.u32(3); f.u64(keep.size()); f.u64(10);
  f.str("general.architecture"); f.u32(GGUF_STRING); f.str("llama");
  f.kv_u32("llama.embedding_length", c.n_embd);
  f.kv_u32("llama.block_count", c.n_layer);
  f.kv_u32("llama.attention.head_count", c.n_head);
  f.kv_u32("llama.attention.head_count_kv", c.n_head_kv);
  f.kv_u32("llama.feed_forward_length", c.n_ff);
  f.kv_u32("llama.context_length", c.n_ctx);
  f.kv_f32("llama.rope.freq_base", (float)c.rope_base);
  f.kv_f32("llama.attention.layer_norm_rms_epsilon", (float)c.rms_eps);
  f.str("tokenizer.ggml.tokens"); f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(c.n_vocab);
  for (int i = 0; i < c.n_vocab; i++) f.str("t" + std::to_string(i));
  uint64_t off = 0;
  std::vector<uint64_t> offs;
  for (const T &t : keep) {
    f.str(t.name); f.u32((uint32_t)t.ne.size());
    uint64_t n = 1;
    for (uint64_t d : t.ne) f.u64(d), n *= d;
    f.u32(GGML_F32); f.u64(off);
    offs.push_back(off);
    off += (n * 4 + 31) / 32 * 32;
  }
  while (f.b.size() % 32) f.b.push_back(0);
  size_t base = f.b.size();
  f.b.resize(base + off, 0);
  for (size_t i = 0; i < keep.size(); i++) {
    uint64_t n = 1;
    for (uint64_t d : keep[i].ne) n *= d;
    if (keep[i].name == bad_shape) continue;  // data size of the wrong shape stays zero
    std::memcpy(f.b.data() + base + offs[i], keep[i].data, n * 4);
  }
  std::string path = mpb_test_path(file);
  std::ofstream(path, std::ios::binary).write((const char *)f.b.data(), (std::streamsize)f.b.size());
  return path;
}

llama_config tiny_f32() {
  llama_config c = llama_preset_find("tiny")->c;
  c.rms_eps = (double)(float)c.rms_eps;  // the GGUF stores float32
  c.n_head_kv = 1;                        // a different GQA ratio than the preset
  c.n_layer = 3;
  return c;
}

TEST(LmGgufLlama, LoadsWhatItWasGivenBitForBit) {
  llama_config c = tiny_f32();
  llama_model *syn, *ld;
  char err[512];
  ASSERT_EQ(llama_init_synthetic(&syn, &c, 99, err, sizeof err), 0) << err;
  std::string path = write_gguf(syn, "tiny_llama.gguf");
  ASSERT_EQ(llama_load_gguf(&ld, path.c_str(), err, sizeof err), 0) << err;
  EXPECT_EQ(ld->c.n_embd, c.n_embd);
  EXPECT_EQ(ld->c.n_layer, 3);
  EXPECT_EQ(ld->c.n_head, c.n_head);
  EXPECT_EQ(ld->c.n_head_kv, 1);
  EXPECT_EQ(ld->c.head_dim, c.head_dim);
  EXPECT_EQ(ld->c.n_ff, c.n_ff);
  EXPECT_EQ(ld->c.n_vocab, c.n_vocab);
  EXPECT_EQ(ld->c.rope_base, c.rope_base);
  EXPECT_EQ(ld->c.rms_eps, c.rms_eps);
  EXPECT_EQ(ld->c.pairing, LLAMA_ROPE_ADJACENT);
  EXPECT_EQ(ld->output, ld->tok_embd);
  llama_state *a, *b;
  ASSERT_EQ(llama_state_new(&a, syn, 8, err, sizeof err), 0);
  ASSERT_EQ(llama_state_new(&b, ld, 8, err, sizeof err), 0);
  for (int t = 0; t < 8; t++) {
    ASSERT_EQ(llama_forward(a, (7 * t + 3) % c.n_vocab, t, 1, err, sizeof err), 0);
    ASSERT_EQ(llama_forward(b, (7 * t + 3) % c.n_vocab, t, 1, err, sizeof err), 0);
    ASSERT_EQ(0, std::memcmp(a->logits, b->logits, c.n_vocab * sizeof(float))) << "token " << t;
  }
  char piece[32];
  tok_decode(ld->vocab, 12, piece, sizeof piece);
  EXPECT_STREQ(piece, "t12");
  llama_state_free(a);
  llama_state_free(b);
  llama_free(ld);
  llama_free(syn);
}

TEST(LmGgufLlama, MissingOrMisshapenTensorsAreNamed) {
  llama_config c = tiny_f32();
  llama_model *syn, *ld;
  char err[512];
  ASSERT_EQ(llama_init_synthetic(&syn, &c, 1, err, sizeof err), 0) << err;
  std::string p1 = write_gguf(syn, "tiny_missing.gguf", "blk.2.ffn_up.weight");
  EXPECT_NE(llama_load_gguf(&ld, p1.c_str(), err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("tensor 'blk.2.ffn_up.weight' is missing"), std::string::npos) << err;
  std::string p2 = write_gguf(syn, "tiny_shape.gguf", "", "blk.1.attn_k.weight");
  EXPECT_NE(llama_load_gguf(&ld, p2.c_str(), err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("'blk.1.attn_k.weight': ne[1] = 9, expected 8"), std::string::npos) << err;
  llama_free(syn);
}

}  // namespace
