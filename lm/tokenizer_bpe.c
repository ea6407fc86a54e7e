/* tokenizer_bpe.c — a small byte-level BPE encoder over the GGUF merges.
 *
 * Pre-tokenization follows the regex llama.cpp uses for SmolLM2 ("smollm": single digits,
 * then GPT-2's 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)
 * with one simplification: bytes >= 0x80 count as letters (exact for ASCII text). Each
 * chunk is mapped through the byte-to-unicode table, then the adjacent pair with the lowest
 * merge rank is merged until none applies; symbols are looked up in the vocabulary.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "errbuf.h"

#define MAX_CHUNK 256 /* bytes per pre-token; longer runs are cut (rare in text) */

static int is_letter(uint8_t c) { return isalpha(c) || c >= 0x80; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Length of the pre-token starting at t[i]. */
static size_t chunk_len(const uint8_t *t, size_t n, size_t i) {
  static const char *contr[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  if (is_digit(t[i])) return 1;
  if (t[i] == '\'')
    for (size_t k = 0; k < sizeof contr / sizeof contr[0]; k++) {
      size_t l = strlen(contr[k]);
      if (i + l <= n && !memcmp(t + i, contr[k], l)) return l;
    }
  size_t j = i;
  if (t[j] == ' ' && j + 1 < n && !is_space(t[j + 1])) j++; /* optional leading space */
  if (is_letter(t[j])) {
    while (j < n && is_letter(t[j])) j++;
    return j - i;
  }
  if (is_digit(t[j])) return j - i ? j - i : 1; /* " " then digits: space alone */
  if (!is_space(t[j])) {
    while (j < n && !is_space(t[j]) && !is_letter(t[j]) && !is_digit(t[j])) j++;
    return j - i;
  }
  /* whitespace run; leave a final ' ' to prefix the following non-space chunk */
  while (j < n && is_space(t[j])) j++;
  if (j < n && j - i > 1 && t[j - 1] == ' ') j--;
  return j - i;
}

static size_t put_cp(char *o, uint32_t cp) {
  if (cp < 0x80) return o[0] = (char)cp, 1;
  o[0] = (char)(0xc0 | cp >> 6);
  o[1] = (char)(0x80 | (cp & 0x3f));
  return 2; /* the table only uses code points < 0x800 */
}

/* BPE over one chunk: symbols are [start, end) ranges of the mapped string s. */
static int encode_chunk(const tok_vocab *v, const uint8_t *c, size_t n, int32_t *ids,
                        size_t max, size_t *no, char *err, size_t errlen) {
  char s[MAX_CHUNK * 2], key[MAX_CHUNK * 2 + 1];
  size_t st[MAX_CHUNK + 1], ns = 0, len = 0;
  for (size_t i = 0; i < n; i++) {
    st[ns++] = len;
    len += put_cp(s + len, tok_byte_to_cp(c[i]));
  }
  st[ns] = len;
  for (;;) {
    int best = -1;
    size_t at = 0;
    for (size_t k = 0; k + 1 < ns; k++) {
      size_t la = st[k + 1] - st[k], lb = st[k + 2] - st[k + 1];
      memcpy(key, s + st[k], la);
      key[la] = ' ';
      memcpy(key + la + 1, s + st[k + 1], lb);
      int r = tok_map_get(v->merge_rank, key, la + lb + 1);
      if (r >= 0 && (best < 0 || r < best)) best = r, at = k;
    }
    if (best < 0) break;
    memmove(st + at + 1, st + at + 2, (ns - at - 1) * sizeof st[0]);
    ns--;
  }
  for (size_t k = 0; k < ns; k++) {
    int id = tok_map_get(v->by_text, s + st[k], st[k + 1] - st[k]);
    if (id < 0)
      return fail(err, errlen, "tokenizer: no vocabulary entry for a symbol of %zu bytes",
                  st[k + 1] - st[k]);
    if (*no >= max) return fail(err, errlen, "tokenizer: more than %zu tokens", max);
    ids[(*no)++] = id;
  }
  return 0;
}

/* Id of the control token spelled at t[i..len), or -1 (longest match wins). */
static int32_t special_at(const tok_vocab *v, const uint8_t *t, size_t len, size_t i,
                          size_t *l) {
  int32_t best = -1;
  *l = 0;
  for (uint32_t k = 0; k < v->n_special; k++) {
    const gguf_str *s = &v->tokens[v->special[k]];
    if (s->len > *l && s->len <= len - i && !memcmp(t + i, s->ptr, (size_t)s->len))
      best = v->special[k], *l = (size_t)s->len;
  }
  return best;
}

int tok_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
               size_t *n, char *err, size_t errlen) {
  if (v->model == TOK_MODEL_SPM) return tok_spm_encode(v, text, len, ids, max, n, err, errlen);
  const uint8_t *t = (const uint8_t *)text;
  *n = 0;
  for (size_t i = 0; i < len;) {
    size_t l;
    int32_t sp = t[i] == '<' ? special_at(v, t, len, i, &l) : -1;
    if (sp >= 0) {
      if (*n >= max) return fail(err, errlen, "tokenizer: more than %zu tokens", max);
      ids[(*n)++] = sp;
      i += l;
      continue;
    }
    l = chunk_len(t, len, i);
    /* a pre-token never swallows the start of a control token */
    for (size_t j = i + 1; j < i + l; j++) {
      size_t sl;
      if (t[j] == '<' && special_at(v, t, len, j, &sl) >= 0) {
        l = j - i;
        break;
      }
    }
    if (l > MAX_CHUNK) l = MAX_CHUNK;
    if (encode_chunk(v, t + i, l, ids, max, n, err, errlen)) return -1;
    i += l;
  }
  return 0;
}
