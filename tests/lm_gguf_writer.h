// lm_gguf_writer.h — test helper: write a llama_model (synthetic weights) as a GGUF file,
// F32 tensors with GGUF's [in, out] shapes, as architecture 'llama' or 'gemma3' (by the
// model's config: the gemma3.* keys and the Q/K-norm and post-norm tensors), with a
// vocabulary the test chooses. Used by lm_gguf_llama_test.cc and lm_passkey_test.cc.
#ifndef MPB_TESTS_LM_GGUF_WRITER_H
#define MPB_TESTS_LM_GGUF_WRITER_H

#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "llama.h"
#include "lm_util.h"

namespace gguf_writer {

using Img = GgufBuilder;  // tests/lm_util.h

// The vocabulary: token texts (default "t0", "t1", ...), optional token types and bos id.
struct Vocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;  // empty: no tokenizer.ggml.token_type
  int bos = -1;
  std::string pre;  // tokenizer.ggml.pre ("" = none); a BPE vocabulary needs one to encode
};

// GPT-2 byte-level tokens for the 256 bytes (no merges: every byte is one token), then
// <bos> as a control token: any text encodes, each digit is one token.
inline Vocab byte_vocab() {
  Vocab v;
  for (int b = 0; b < 256; b++) {
    uint32_t cp = tok_byte_to_cp((uint8_t)b);
    std::string s;
    if (cp < 0x80) s += (char)cp;
    else s += (char)(0xc0 | cp >> 6), s += (char)(0x80 | (cp & 0x3f));
    v.tokens.push_back(s);
    v.types.push_back(1);
  }
  v.tokens.push_back("<bos>");
  v.types.push_back(3);
  v.bos = 256;
  v.pre = "gpt2";
  return v;
}

struct Key {  // one metadata key/value, written by a callback
  std::string name;
  std::function<void(Img &)> value;
};

inline Key kv_u32(const std::string &k, uint32_t v) {
  return {k, [v](Img &f) { f.u32(GGUF_UINT32); f.u32(v); }};
}
inline Key kv_f32(const std::string &k, float v) {
  return {k, [v](Img &f) { f.u32(GGUF_FLOAT32); f.f32(v); }};
}
inline Key kv_str(const std::string &k, const std::string &v) {
  return {k, [v](Img &f) { f.u32(GGUF_STRING); f.str(v); }};
}

struct T {
  std::string name;
  std::vector<uint64_t> ne;
  const float *data;
};

// Serialize model m (tied head) as a GGUF at mpb_test_path(file); skip drops a tensor,
// bad_shape changes one; drop_key leaves one metadata key out, extra adds keys.
inline std::string write_gguf(const llama_model *m, const std::string &file,
                              const std::string &skip = "", const std::string &bad_shape = "",
                              const Vocab *vocab = nullptr, const std::string &drop_key = "",
                              const std::vector<Key> &extra = {}) {
  const llama_config &c = m->c;
  bool gemma = c.arch == LLAMA_ARCH_GEMMA3;
  std::string a = gemma ? "gemma3" : "llama";
  uint64_t e = c.n_embd, hd = c.head_dim, qd = (uint64_t)c.n_head * c.head_dim,
           kvd = (uint64_t)c.n_head_kv * c.head_dim, ff = c.n_ff;
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
    if (gemma) {
      ts.push_back({p + "attn_q_norm.weight", {hd}, L.q_norm});
      ts.push_back({p + "attn_k_norm.weight", {hd}, L.k_norm});
      ts.push_back({p + "post_attention_norm.weight", {e}, L.post_attn_norm});
      ts.push_back({p + "post_ffw_norm.weight", {e}, L.post_ffn_norm});
    }
  }
  std::vector<T> keep;
  for (T &t : ts)
    if (t.name != skip) {
      if (t.name == bad_shape) t.ne.back() += 1;
      keep.push_back(t);
    }
  Vocab dflt;
  if (!vocab) {
    for (int i = 0; i < c.n_vocab; i++) dflt.tokens.push_back("t" + std::to_string(i));
    vocab = &dflt;
  }
  std::vector<Key> keys = {
      kv_str("general.architecture", a),
      kv_u32(a + ".embedding_length", c.n_embd),
      kv_u32(a + ".block_count", c.n_layer),
      kv_u32(a + ".attention.head_count", c.n_head),
      kv_u32(a + ".attention.head_count_kv", c.n_head_kv),
      kv_u32(a + ".feed_forward_length", c.n_ff),
      kv_u32(a + ".context_length", c.n_ctx),
      kv_f32(a + ".rope.freq_base", (float)c.rope_base),
      kv_f32(a + ".attention.layer_norm_rms_epsilon", (float)c.rms_eps),
  };
  if (gemma) {
    keys.push_back(kv_u32(a + ".attention.key_length", c.head_dim));
    keys.push_back(kv_u32(a + ".attention.value_length", c.head_dim));
    keys.push_back(kv_u32(a + ".attention.sliding_window", c.swa_window));
    keys.push_back(kv_str("tokenizer.ggml.model", "llama"));
  }
  Vocab vc = *vocab;
  if (gemma && vc.types.empty()) vc.types.assign(vc.tokens.size(), 1);  // SPM needs types
  keys.push_back({"tokenizer.ggml.tokens", [vc](Img &f) {
                    f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(vc.tokens.size());
                    for (const std::string &t : vc.tokens) f.str(t);
                  }});
  if (!vc.types.empty())
    keys.push_back({"tokenizer.ggml.token_type", [vc](Img &f) {
                      f.u32(GGUF_ARRAY); f.u32(GGUF_INT32); f.u64(vc.types.size());
                      for (int32_t t : vc.types) f.u32((uint32_t)t);
                    }});
  if (!vc.pre.empty()) keys.push_back(kv_str("tokenizer.ggml.pre", vc.pre));
  if (vc.bos >= 0) keys.push_back(kv_u32("tokenizer.ggml.bos_token_id", (uint32_t)vc.bos));
  if (gemma) /* the SentencePiece model needs scores: rank order */
    keys.push_back({"tokenizer.ggml.scores", [vc](Img &f) {
                      f.u32(GGUF_ARRAY); f.u32(GGUF_FLOAT32); f.u64(vc.tokens.size());
                      for (size_t i = 0; i < vc.tokens.size(); i++) f.f32(-(float)i);
                    }});
  std::vector<Key> kept;
  for (const Key &k : keys)
    if (k.name != drop_key) kept.push_back(k);
  for (const Key &k : extra) kept.push_back(k);  // may replace a dropped key
  Img f;
  f.u32(GGUF_MAGIC); f.u32(3); f.u64(keep.size()); f.u64(kept.size());
  for (const Key &k : kept) {
    f.str(k.name);
    k.value(f);
  }
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

}  // namespace gguf_writer

#endif
