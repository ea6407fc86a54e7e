/* llama_gguf.c — build a llama_model from a GGUF file: general.architecture picks the
 * reader ('llama' here, 'gemma3' in gemma3_gguf.c); geometry, RoPE base and RMS epsilon
 * from the llama.* metadata (never from assumptions), every tensor's shape checked against
 * that geometry, weights dequantized to FP32. The RoPE pairing is ADJACENT because
 * llama.cpp's converter permutes the rows of Q and K for its NORM rope (see docs/models.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"
#include "errbuf.h"

int llama_gguf_read_common(const gguf_file *g, const char *arch, llama_config *c, char *err,
                           size_t errlen) {
  static const struct { const char *key; size_t off; int lo, hi; } ints[] = {
      {"embedding_length", offsetof(llama_config, n_embd), 2, 1 << 16},
      {"block_count", offsetof(llama_config, n_layer), 1, 1024},
      {"attention.head_count", offsetof(llama_config, n_head), 1, 1024},
      {"feed_forward_length", offsetof(llama_config, n_ff), 1, 1 << 18},
      {"context_length", offsetof(llama_config, n_ctx), 1, 1 << 24},
  };
  char key[96];
  int64_t v;
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    snprintf(key, sizeof key, "%s.%s", arch, ints[i].key);
    if (gguf_get_int(g, key, ints[i].lo, ints[i].hi, &v, err, errlen)) return -1;
    *(int *)((char *)c + ints[i].off) = (int)v;
  }
  c->n_head_kv = c->n_head;
  snprintf(key, sizeof key, "%s.attention.head_count_kv", arch);
  if (gguf_find_kv(g, key)) {
    if (gguf_get_int(g, key, 1, c->n_head, &v, err, errlen)) return -1;
    c->n_head_kv = (int)v;
  }
  c->rope_base = 10000.0; /* llama.cpp's default when the key is absent */
  snprintf(key, sizeof key, "%s.rope.freq_base", arch);
  if (gguf_find_kv(g, key) && gguf_get_float(g, key, 1.0001, 1e9, &c->rope_base, err, errlen))
    return -1;
  snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", arch);
  if (gguf_get_float(g, key, 1e-12, 1e-2, &c->rms_eps, err, errlen)) return -1;
  const gguf_tensor *te = gguf_find_tensor(g, "token_embd.weight");
  if (!te) return fail(err, errlen, "%s: tensor 'token_embd.weight' is missing", g->path);
  if (te->n_dims != 2 || te->ne[0] != (uint64_t)c->n_embd || te->ne[1] > (1u << 20))
    return fail(err, errlen, "%s: tensor 'token_embd.weight' has shape [%llu, %llu], expected "
                "[%d, n_vocab <= 2^20]", g->path, (unsigned long long)te->ne[0],
                (unsigned long long)te->ne[1], c->n_embd);
  c->n_vocab = (int)te->ne[1];
  return 0;
}

static int read_config(const gguf_file *g, llama_config *c, char *err, size_t errlen) {
  int64_t v;
  if (llama_gguf_read_common(g, "llama", c, err, errlen)) return -1;
  if (c->n_embd % c->n_head)
    return fail(err, errlen, "%s: llama.embedding_length = %d is not a multiple of "
                "llama.attention.head_count = %d", g->path, c->n_embd, c->n_head);
  c->head_dim = c->n_embd / c->n_head;
  if (gguf_find_kv(g, "llama.rope.dimension_count")) {
    if (gguf_get_int(g, "llama.rope.dimension_count", c->head_dim, c->head_dim, &v, err, errlen))
      return -1; /* partial rotary dimensions are not supported */
  }
  if (gguf_find_kv(g, "llama.vocab_size") &&
      gguf_get_int(g, "llama.vocab_size", c->n_vocab, c->n_vocab, &v, err, errlen))
    return -1;
  c->pairing = LLAMA_ROPE_ADJACENT;
  return llama_config_check(c, err, errlen);
}

float *llama_load_tensor(const gguf_file *g, const char *name, uint64_t n0, uint64_t n1,
                         char *err, size_t errlen) {
  uint64_t ne[2] = {n0, n1};
  float *w = malloc((size_t)(n0 * (n1 ? n1 : 1)) * sizeof(float));
  if (!w) {
    fail(err, errlen, "out of memory loading '%s'", name);
    return NULL;
  }
  if (gguf_tensor_f32(g, name, n1 ? 2 : 1, ne, w, err, errlen)) {
    free(w);
    return NULL;
  }
  return w;
}

static int load_llama(llama_model *m, char *err, size_t errlen) {
  return read_config(m->gguf, &m->c, err, errlen) || llama_load_weights(m, err, errlen) ? -1 : 0;
}

int llama_load_gguf(llama_model **out, const char *path, char *err, size_t errlen) {
  *out = NULL;
  llama_model *m = calloc(1, sizeof *m);
  if (!m) return fail(err, errlen, "out of memory");
  char arch[32];
  int rc = gguf_open(&m->gguf, path, err, errlen) ||
           gguf_get_string(m->gguf, "general.architecture", arch, sizeof arch, err, errlen);
  if (!rc) {
    if (!strcmp(arch, "llama")) rc = load_llama(m, err, errlen);
    else if (!strcmp(arch, "gemma3")) rc = gemma3_load(m, err, errlen);
    else rc = fail(err, errlen, "%s: general.architecture = '%s', expected 'llama' or 'gemma3'",
                   path, arch);
  }
  if (rc) {
    llama_free(m);
    return -1;
  }
  *out = m;
  return 0;
}

int llama_load_weights(llama_model *m, char *err, size_t errlen) {
  const gguf_file *g = m->gguf;
  const char *path = g->path;
  const llama_config *c = &m->c;
  uint64_t e = c->n_embd, qd = (uint64_t)c->n_head * c->head_dim,
           kvd = (uint64_t)c->n_head_kv * c->head_dim, ff = c->n_ff;
  m->layers = calloc(c->n_layer, sizeof *m->layers);
  if (!m->layers) goto oom;
  if (!(m->tok_embd = llama_load_tensor(g, "token_embd.weight", e, c->n_vocab, err, errlen)))
    goto bad;
  if (!(m->out_norm = llama_load_tensor(g, "output_norm.weight", e, 0, err, errlen))) goto bad;
  if (gguf_find_tensor(g, "output.weight")) {
    if (!(m->output = llama_load_tensor(g, "output.weight", e, c->n_vocab, err, errlen)))
      goto bad;
  } else {
    m->output = m->tok_embd; /* tied embeddings */
  }
  for (int l = 0; l < c->n_layer; l++) {
    llama_layer *L = &m->layers[l];
    char n[64];
#define LOAD(field, suffix, a, b)                                                           \
  snprintf(n, sizeof n, "blk.%d.%s.weight", l, suffix);                                    \
  if (!(L->field = llama_load_tensor(g, n, a, b, err, errlen))) goto bad;
    LOAD(attn_norm, "attn_norm", e, 0)
    LOAD(wq, "attn_q", e, qd)
    LOAD(wk, "attn_k", e, kvd)
    LOAD(wv, "attn_v", e, kvd)
    LOAD(wo, "attn_output", qd, e)
    LOAD(ffn_norm, "ffn_norm", e, 0)
    LOAD(w_gate, "ffn_gate", e, ff)
    LOAD(w_up, "ffn_up", e, ff)
    LOAD(w_down, "ffn_down", ff, e)
    if (c->qk_norm) {
      LOAD(q_norm, "attn_q_norm", c->head_dim, 0)
      LOAD(k_norm, "attn_k_norm", c->head_dim, 0)
    }
    if (c->post_norms) {
      LOAD(post_attn_norm, "post_attention_norm", e, 0)
      LOAD(post_ffn_norm, "post_ffw_norm", e, 0)
    }
#undef LOAD
  }
  if (tok_load(&m->vocab, g, err, errlen)) goto bad;
  if (m->vocab->n != (uint32_t)c->n_vocab) {
    fail(err, errlen, "%s: tokenizer.ggml.tokens has %u entries, token_embd.weight %d rows",
         path, m->vocab->n, c->n_vocab);
    goto bad;
  }
  return 0;
oom:
  fail(err, errlen, "out of memory");
bad:
  return -1;
}
