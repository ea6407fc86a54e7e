// lm_gguf_llama_test.cc — the GGUF model loader against the synthetic model: a tiny
// Llama or Gemma 3 written as a GGUF file by the test (lm_gguf_writer.h: F32 tensors with
// GGUF's [in, out] shapes) must load with the geometry of its metadata and give
// bit-identical logits; a missing or misshapen tensor, and Gemma 3 metadata the reader
// does not support, are named in the error.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "llama.h"
#include "llama_presets.h"
#include "lm_gguf_writer.h"

namespace {

using gguf_writer::write_gguf;

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

llama_config tiny_gemma_f32() {
  llama_config c = tiny_f32();
  c.arch = LLAMA_ARCH_GEMMA3;
  c.act = LLAMA_ACT_GELU_TANH;
  c.embed_scaled = c.qk_norm = c.post_norms = 1;
  c.n_layer = 6;            // layer 5 global (pattern 6), 0-4 local
  c.swa_window = 3;
  c.swa_pattern = 6;
  c.rope_base_local = 10000.0;
  c.rope_base = 1000000.0;
  c.pairing = LLAMA_ROPE_HALF;
  return c;
}

// Norm weights that are not all 1, so that a norm applied to the wrong vector shows.
void vary_norms(llama_model *m) {
  for (int l = 0; l < m->c.n_layer; l++) {
    llama_layer &L = m->layers[l];
    for (int i = 0; i < m->c.head_dim; i++) L.q_norm[i] = 1.0f + 0.01f * i, L.k_norm[i] = 2.0f - 0.01f * i;
    for (int i = 0; i < m->c.n_embd; i++) L.post_attn_norm[i] = 0.5f + 0.02f * i, L.post_ffn_norm[i] = 1.5f;
  }
}

TEST(LmGgufLlama, LoadsGemma3BitForBit) {
  llama_config c = tiny_gemma_f32();
  llama_model *syn, *ld;
  char err[512];
  ASSERT_EQ(llama_init_synthetic(&syn, &c, 5, err, sizeof err), 0) << err;
  vary_norms(syn);
  std::string path = write_gguf(syn, "tiny_gemma3.gguf");
  ASSERT_EQ(llama_load_gguf(&ld, path.c_str(), err, sizeof err), 0) << err;
  EXPECT_EQ(ld->c.arch, LLAMA_ARCH_GEMMA3);
  EXPECT_EQ(ld->c.swa_window, 3);
  EXPECT_EQ(ld->c.swa_pattern, 6);
  EXPECT_EQ(ld->c.rope_base_local, 10000.0);
  EXPECT_EQ(ld->c.pairing, LLAMA_ROPE_HALF);
  EXPECT_EQ(ld->vocab->model, TOK_MODEL_SPM);
  EXPECT_TRUE(ld->c.embed_scaled && ld->c.qk_norm && ld->c.post_norms);
  llama_state *a, *b;
  ASSERT_EQ(llama_state_new(&a, syn, 10, err, sizeof err), 0);
  ASSERT_EQ(llama_state_new(&b, ld, 10, err, sizeof err), 0);
  for (int t = 0; t < 10; t++) {
    ASSERT_EQ(llama_forward(a, (5 * t + 1) % c.n_vocab, t, 1, err, sizeof err), 0);
    ASSERT_EQ(llama_forward(b, (5 * t + 1) % c.n_vocab, t, 1, err, sizeof err), 0);
    ASSERT_EQ(0, std::memcmp(a->logits, b->logits, c.n_vocab * sizeof(float))) << "token " << t;
  }
  llama_state_free(a);
  llama_state_free(b);
  llama_free(ld);
  llama_free(syn);
}

TEST(LmGgufLlama, Gemma3MetadataErrorsAreNamed) {
  llama_config c = tiny_gemma_f32();
  llama_model *syn, *ld;
  char err[512];
  ASSERT_EQ(llama_init_synthetic(&syn, &c, 5, err, sizeof err), 0) << err;
  using gguf_writer::kv_str;
  using gguf_writer::kv_u32;
  struct Case {
    std::string drop;
    std::vector<gguf_writer::Key> extra;
    std::string skip, message;
  } cases[] = {
      {"gemma3.attention.sliding_window", {}, "", "metadata key 'gemma3.attention.sliding_window' is missing"},
      {"gemma3.attention.value_length", {kv_u32("gemma3.attention.value_length", 16)}, "",
       "'gemma3.attention.value_length' = 16 is not in [8, 8]"},
      {"", {kv_str("gemma3.rope.scaling.type", "linear")}, "", "gemma3.rope.scaling.type = 'linear' is not supported"},
      {"", {kv_u32("gemma3.attention.sliding_window_pattern", 0)}, "", "sliding_window_pattern' = 0 is not in [1, 6]"},
      {"", {}, "blk.3.attn_k_norm.weight", "tensor 'blk.3.attn_k_norm.weight' is missing"},
      {"", {}, "blk.0.post_ffw_norm.weight", "tensor 'blk.0.post_ffw_norm.weight' is missing"},
      {"tokenizer.ggml.scores", {}, "", "tokenizer.ggml.scores must be a float32 array"},
  };
  for (const Case &k : cases) {
    std::string p = write_gguf(syn, "tiny_gemma3_bad.gguf", k.skip, "", nullptr, k.drop, k.extra);
    EXPECT_NE(llama_load_gguf(&ld, p.c_str(), err, sizeof err), 0) << k.message;
    EXPECT_NE(std::string(err).find(k.message), std::string::npos) << err;
  }
  llama_free(syn);
}

}  // namespace
