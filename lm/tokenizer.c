/* tokenizer.c — the GGUF vocabulary: load tokens and merges, hash tables, and decoding of
 * token ids through GPT-2's byte-to-unicode table (e.g. U+0120 'Ġ' = byte 0x20 space,
 * U+010A 'Ċ' = byte 0x0A newline). */
#include "tokenizer.h"
#include "errbuf.h"
#include "tokenizer_pre.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tok_map {
  uint64_t cap; /* power of two */
  const char **key;
  uint32_t *len;
  int32_t *val;
};

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
  return h;
}

static tok_map *map_new(uint64_t n) {
  tok_map *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->cap = 16;
  while (m->cap < 2 * n) m->cap *= 2;
  m->key = calloc(m->cap, sizeof *m->key);
  m->len = calloc(m->cap, sizeof *m->len);
  m->val = calloc(m->cap, sizeof *m->val);
  if (!m->key || !m->len || !m->val) {
    free(m->key), free(m->len), free(m->val), free(m);
    return NULL;
  }
  return m;
}

static void map_free(tok_map *m) {
  if (!m) return;
  free(m->key), free(m->len), free(m->val), free(m);
}

/* First insertion of a key wins (keeps the lowest id / rank). */
static void map_put(tok_map *m, const char *s, uint32_t n, int32_t v) {
  for (uint64_t i = hash_bytes(s, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->key[i]) {
      m->key[i] = s, m->len[i] = n, m->val[i] = v;
      return;
    }
    if (m->len[i] == n && !memcmp(m->key[i], s, n)) return;
  }
}

int tok_map_get(const tok_map *m, const char *s, size_t n) {
  for (uint64_t i = hash_bytes(s, n) & (m->cap - 1); m->key[i]; i = (i + 1) & (m->cap - 1))
    if (m->len[i] == n && !memcmp(m->key[i], s, n)) return m->val[i];
  return -1;
}

uint32_t tok_byte_to_cp(uint8_t b) {
  if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae)) return b;
  /* The other 68 bytes map in increasing order to 256, 257, ... */
  uint32_t n = 0;
  for (uint32_t c = 0; c < b; c++)
    if (!((c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || c >= 0xae)) n++;
  return 256 + n;
}

/* Inverse of tok_byte_to_cp; -1 if cp is not in the table. */
static int cp_to_byte(uint32_t cp) {
  static int16_t inv[324];
  static int ready;
  if (!ready) {
    for (int i = 0; i < 324; i++) inv[i] = -1;
    for (int b = 0; b < 256; b++) inv[tok_byte_to_cp((uint8_t)b)] = (int16_t)b;
    ready = 1;
  }
  return cp < 324 ? inv[cp] : -1;
}

void tok_free(tok_vocab *v) {
  if (!v) return;
  map_free(v->by_text);
  map_free(v->merge_rank);
  tok_spm_free(v->spm);
  free(v->type);
  free(v->special);
  tok_pre_close(v->pre);
  free(v);
}

int tok_load(tok_vocab **out, const gguf_file *g, char *err, size_t errlen) {
  *out = NULL;
  const gguf_kv *t = gguf_find_kv(g, "tokenizer.ggml.tokens");
  const gguf_kv *mg = gguf_find_kv(g, "tokenizer.ggml.merges");
  const gguf_kv *ty = gguf_find_kv(g, "tokenizer.ggml.token_type");
  if (!t || t->type != GGUF_ARRAY || t->arr_type != GGUF_STRING || t->arr_n < 1 ||
      t->arr_n > (1u << 24))
    return fail(err, errlen,
                "%s: tokenizer.ggml.tokens must be an array of 1..2^24 strings", g->path);
  if (mg && (mg->type != GGUF_ARRAY || mg->arr_type != GGUF_STRING))
    return fail(err, errlen, "%s: tokenizer.ggml.merges must be an array of strings", g->path);
  if (ty && (ty->type != GGUF_ARRAY || ty->arr_type != GGUF_INT32 || ty->arr_n != t->arr_n))
    return fail(err, errlen,
                "%s: tokenizer.ggml.token_type must be an int32 array of %llu entries", g->path,
                (unsigned long long)t->arr_n);
  tok_vocab *v = calloc(1, sizeof *v);
  if (!v) return fail(err, errlen, "out of memory");
  v->n = (uint32_t)t->arr_n;
  v->tokens = t->arr_str;
  v->by_text = map_new(v->n);
  v->merge_rank = map_new(mg ? mg->arr_n : 0);
  if (ty) v->type = malloc(v->n * sizeof *v->type);
  if (!v->by_text || !v->merge_rank || (ty && !v->type)) {
    tok_free(v);
    return fail(err, errlen, "out of memory");
  }
  for (uint32_t i = 0; i < v->n; i++) {
    if (v->tokens[i].len > 1024) {
      tok_free(v);
      return fail(err, errlen, "%s: tokenizer.ggml.tokens[%u] is %llu bytes, expected <= 1024",
                  g->path, i, (unsigned long long)v->tokens[i].len);
    }
    map_put(v->by_text, v->tokens[i].ptr, (uint32_t)v->tokens[i].len, (int32_t)i);
    if (ty) memcpy(&v->type[i], ty->arr_data + 4 * (size_t)i, 4);
    if (ty && v->type[i] == 3 && v->tokens[i].len > 0) v->n_special++;
  }
  if (v->n_special && !(v->special = malloc(v->n_special * sizeof *v->special))) {
    tok_free(v);
    return fail(err, errlen, "out of memory");
  }
  v->n_special = 0;
  for (uint32_t i = 0; ty && i < v->n; i++)
    if (v->type[i] == 3 && v->tokens[i].len > 0) v->special[v->n_special++] = (int32_t)i;
  for (uint64_t i = 0; mg && i < mg->arr_n; i++)
    if (mg->arr_str[i].len <= TOK_MERGE_MAX)
      map_put(v->merge_rank, mg->arr_str[i].ptr, (uint32_t)mg->arr_str[i].len, (int32_t)i);
  const gguf_kv *pre = gguf_find_kv(g, "tokenizer.ggml.pre");
  if (pre && pre->type == GGUF_STRING) {
    v->pre_name = pre->str; /* an unsupported name leaves v->pre NULL: tok_encode says so */
    if (tok_pre_open(&v->pre, pre->str.ptr, (size_t)pre->str.len, err, errlen)) v->pre = NULL;
  }
  char model[16] = "gpt2";
  if (gguf_find_kv(g, "tokenizer.ggml.model") &&
      gguf_get_string(g, "tokenizer.ggml.model", model, sizeof model, err, errlen)) {
    tok_free(v);
    return -1;
  }
  if (!strcmp(model, "llama")) {
    v->model = TOK_MODEL_SPM;
    if (tok_spm_load(v, g, err, errlen)) {
      tok_free(v);
      return -1;
    }
  } else if (strcmp(model, "gpt2")) {
    tok_free(v);
    return fail(err, errlen, "%s: tokenizer.ggml.model = '%s' is not 'gpt2' or 'llama'", g->path,
                model);
  }
  const gguf_kv *ab = gguf_find_kv(g, "tokenizer.ggml.add_bos_token");
  v->add_bos = ab && ab->type == GGUF_BOOL && ab->v.u;
  int64_t id;
  v->bos = gguf_get_int(g, "tokenizer.ggml.bos_token_id", 0, v->n - 1, &id, err, errlen) ? -1
                                                                                         : (int32_t)id;
  v->eos = gguf_get_int(g, "tokenizer.ggml.eos_token_id", 0, v->n - 1, &id, err, errlen) ? -1
                                                                                         : (int32_t)id;
  err[0] = 0;
  *out = v;
  return 0;
}

/* Decode one UTF-8 code point at s[0..n); returns its length (1 for invalid bytes). */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp) {
  if (s[0] < 0x80) return *cp = s[0], 1;
  int len = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
  if (!len || (size_t)len > n) return *cp = 0xffffffffu, 1;
  uint32_t c = s[0] & (0x7f >> len);
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return *cp = 0xffffffffu, 1;
    c = c << 6 | (s[i] & 0x3f);
  }
  return *cp = c, (size_t)len;
}

int tok_decode(const tok_vocab *v, int32_t id, char *out, size_t outlen) {
  if (id < 0 || (uint32_t)id >= v->n || !outlen) return -1;
  if (v->model == TOK_MODEL_SPM) return tok_spm_decode(v, id, out, outlen);
  const gguf_str *s = &v->tokens[id];
  size_t o = 0;
  int control = v->type && v->type[id] == 3;
  for (size_t i = 0; i < s->len && o + 1 < outlen;) {
    uint32_t cp;
    size_t k = utf8_next((const uint8_t *)s->ptr + i, (size_t)s->len - i, &cp);
    int b = control ? -1 : cp_to_byte(cp);
    if (b >= 0) {
      out[o++] = (char)b;
    } else { /* control token or a code point outside the table: copy its bytes */
      for (size_t j = 0; j < k && o + 1 < outlen; j++) out[o++] = s->ptr[i + j];
    }
    i += k;
  }
  out[o] = 0;
  return (int)o;
}
