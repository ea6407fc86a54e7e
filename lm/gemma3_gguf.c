/* gemma3_gguf.c — the geometry of a Gemma 3 GGUF file (general.architecture 'gemma3'),
 * read from its gemma3.* metadata, as llama.cpp reads it (llama-model.cpp, LLM_ARCH_GEMMA3):
 *   embedding, blocks, heads, KV heads, FFN, context, RMS epsilon, RoPE base of the global
 *   layers (rope.freq_base), sliding window (attention.sliding_window), head_dim =
 *   attention.key_length (= value_length), the attention scale 1/sqrt(key_length);
 * and what llama.cpp fixes for the architecture rather than reading:
 *   every 6th layer is global (layer l is local unless l % 6 == 5; a
 *   gemma3.attention.sliding_window_pattern integer overrides 6), local layers use RoPE
 *   base 10000, RoPE is NEOX-style (pairs (j, j + d/2): the converter does not permute
 *   Gemma's Q/K rows), the embedding is scaled by sqrt(n_embd), Q/K heads and both
 *   block outputs are RMSNormed, the FFN is GeGLU with GELU's tanh form.
 * RMSNorm weights are used as stored: the converter already added Gemma's +1 offset
 * (docs/models.md shows the file's values). The weights are read by llama_load_weights.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"
#include "errbuf.h"

#define GEMMA3_SWA_PATTERN 6          /* llama.cpp: hparams.set_swa_pattern(6) */
#define GEMMA3_ROPE_BASE_LOCAL 10000.0 /* llama.cpp: rope_freq_base_train_swa */

static int has(const gguf_file *g, const char *key) { return gguf_find_kv(g, key) != NULL; }

static int read_config(const gguf_file *g, llama_config *c, char *err, size_t errlen) {
  int64_t v;
  if (llama_gguf_read_common(g, "gemma3", c, err, errlen) ||
      gguf_get_int(g, "gemma3.attention.sliding_window", 1, 1 << 24, &v, err, errlen))
    return -1;
  c->swa_window = (int)v;
  c->head_dim = c->n_embd / c->n_head; /* llama.cpp's default for key_length */
  if (has(g, "gemma3.attention.key_length")) {
    if (gguf_get_int(g, "gemma3.attention.key_length", 2, 1024, &v, err, errlen)) return -1;
    c->head_dim = (int)v;
  }
  if (has(g, "gemma3.attention.value_length") &&
      gguf_get_int(g, "gemma3.attention.value_length", c->head_dim, c->head_dim, &v, err, errlen))
    return -1; /* one head size for keys and values */
  if (has(g, "gemma3.rope.dimension_count") &&
      gguf_get_int(g, "gemma3.rope.dimension_count", c->head_dim, c->head_dim, &v, err, errlen))
    return -1; /* partial rotary dimensions are not supported */
  if (c->n_layer == 62)
    return fail(err, errlen, "%s: gemma3.block_count = 62 (Gemma 3 27B) scales attention by "
                "1/sqrt(embedding_length / head_count), which is not supported", g->path);
  if (has(g, "gemma3.rope.scaling.type")) {
    char t[32];
    if (gguf_get_string(g, "gemma3.rope.scaling.type", t, sizeof t, err, errlen)) return -1;
    if (strcmp(t, "none"))
      return fail(err, errlen, "%s: gemma3.rope.scaling.type = '%s' is not supported (expected "
                  "none)", g->path, t);
  }
  c->swa_pattern = GEMMA3_SWA_PATTERN;
  if (has(g, "gemma3.attention.sliding_window_pattern")) {
    if (gguf_get_int(g, "gemma3.attention.sliding_window_pattern", 1, c->n_layer, &v, err,
                     errlen))
      return -1;
    c->swa_pattern = (int)v;
  }
  c->arch = LLAMA_ARCH_GEMMA3;
  c->pairing = LLAMA_ROPE_HALF;
  c->act = LLAMA_ACT_GELU_TANH;
  c->embed_scaled = 1;
  c->qk_norm = 1;
  c->post_norms = 1;
  c->rope_base_local = GEMMA3_ROPE_BASE_LOCAL;
  return llama_config_check(c, err, errlen);
}

int gemma3_load(llama_model *m, char *err, size_t errlen) {
  if (read_config(m->gguf, &m->c, err, errlen) || llama_load_weights(m, err, errlen)) return -1;
  if (m->vocab->model != TOK_MODEL_SPM)
    return fail(err, errlen, "%s: tokenizer.ggml.model is not 'llama' (SentencePiece), as "
                "Gemma 3 needs", m->gguf->path);
  return 0;
}
