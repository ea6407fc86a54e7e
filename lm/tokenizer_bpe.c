/* tokenizer_bpe.c — the byte-level BPE encoder over the GGUF merges, as Hugging Face
 * tokenizers' BPE model and llama.cpp's llm_tokenizer_bpe_session do it:
 *  1. control tokens written literally split the text (leftmost, then longest match) and
 *     encode to their own ids;
 *  2. each fragment between them is cut into pre-tokens by the vocabulary's pre-tokenizer
 *     (tokenizer_pre.c: for SmolLM2, every \p{N} alone, then GPT-2's regex);
 *  3. a pre-token's bytes become symbols of GPT-2's byte-to-unicode alphabet, one per
 *     byte, and the adjacent pair with the lowest rank in tokenizer.ggml.merges (the
 *     leftmost among equal ranks) is merged until none applies, with a binary heap of
 *     candidate pairs (O(n log n) per pre-token, no length limit); each final symbol is
 *     looked up in the vocabulary.
 */
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "tokenizer_pre.h"
#include "errbuf.h"

/* One candidate merge: symbols left and right (adjacent when pushed), their combined
 * length in bytes of the mapped string, and the merge's rank. */
typedef struct pair {
  int32_t rank;
  uint32_t left, right, size;
} pair;

/* Scratch space of one tok_encode call, grown to the longest pre-token. */
typedef struct work {
  size_t cap;     /* bytes of pre-token it can hold */
  char *s;        /* mapped string, 2 bytes per input byte at most */
  uint32_t *start, *len; /* symbol i: s[start[i] .. start[i]+len[i]), len 0 once merged away */
  int32_t *prev, *next;
  pair *heap;     /* min-heap by (rank, left) */
  size_t nheap;
  char key[2 * TOK_MERGE_MAX + 2];
} work;

static void work_free(work *w) {
  free(w->s), free(w->start), free(w->len), free(w->prev), free(w->next), free(w->heap);
}

static int work_reserve(work *w, size_t n) {
  if (n <= w->cap) return 0;
  work_free(w);
  w->cap = n;
  w->s = malloc(2 * n);
  w->start = malloc(n * sizeof *w->start);
  w->len = malloc(n * sizeof *w->len);
  w->prev = malloc(n * sizeof *w->prev);
  w->next = malloc(n * sizeof *w->next);
  w->heap = malloc(3 * n * sizeof *w->heap); /* n-1 pairs, then at most 2 per merge */
  if (w->s && w->start && w->len && w->prev && w->next && w->heap) return 0;
  work_free(w);
  memset(w, 0, sizeof *w);
  return -1;
}

static int pair_less(const pair *a, const pair *b) {
  return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

static void heap_push(work *w, pair p) {
  size_t i = w->nheap++;
  while (i > 0 && pair_less(&p, &w->heap[(i - 1) / 2])) {
    w->heap[i] = w->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  w->heap[i] = p;
}

static pair heap_pop(work *w) {
  pair top = w->heap[0], last = w->heap[--w->nheap];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= w->nheap) break;
    if (c + 1 < w->nheap && pair_less(&w->heap[c + 1], &w->heap[c])) c++;
    if (!pair_less(&w->heap[c], &last)) break;
    w->heap[i] = w->heap[c];
    i = c;
  }
  if (w->nheap) w->heap[i] = last;
  return top;
}

/* Push the merge of symbols l and r if "left right" is in tokenizer.ggml.merges. */
static void try_pair(const tok_vocab *v, work *w, int32_t l, int32_t r) {
  if (l < 0 || r < 0) return;
  uint32_t la = w->len[l], lb = w->len[r];
  if ((size_t)la + 1 + lb > TOK_MERGE_MAX) return;
  memcpy(w->key, w->s + w->start[l], la);
  w->key[la] = ' ';
  memcpy(w->key + la + 1, w->s + w->start[r], lb);
  int rank = tok_map_get(v->merge_rank, w->key, (size_t)la + 1 + lb);
  if (rank >= 0) heap_push(w, (pair){rank, (uint32_t)l, (uint32_t)r, la + lb});
}

static size_t put_cp(char *o, uint32_t cp) {
  if (cp < 0x80) return o[0] = (char)cp, 1;
  o[0] = (char)(0xc0 | cp >> 6);
  o[1] = (char)(0x80 | (cp & 0x3f));
  return 2; /* the byte-to-unicode table only uses code points < 0x800 */
}

/* BPE over the n bytes of one pre-token; ids appended at ids[*no]. */
static int encode_piece(const tok_vocab *v, work *w, const uint8_t *c, size_t n, int32_t *ids,
                        size_t max, size_t *no, char *err, size_t errlen) {
  if (n > UINT32_MAX / 4) return fail(err, errlen, "tokenizer: a pre-token of %zu bytes", n);
  if (work_reserve(w, n)) return fail(err, errlen, "out of memory");
  uint32_t o = 0;
  for (size_t i = 0; i < n; i++) {
    w->start[i] = o;
    w->len[i] = (uint32_t)put_cp(w->s + o, tok_byte_to_cp(c[i]));
    o += w->len[i];
    w->prev[i] = (int32_t)i - 1;
    w->next[i] = i + 1 < n ? (int32_t)i + 1 : -1;
  }
  w->nheap = 0;
  for (size_t i = 0; i + 1 < n; i++) try_pair(v, w, (int32_t)i, (int32_t)i + 1);
  while (w->nheap) {
    pair p = heap_pop(w);
    /* stale if either side was merged away or grew since the pair was pushed */
    if (!w->len[p.left] || !w->len[p.right] || w->next[p.left] != (int32_t)p.right ||
        w->len[p.left] + w->len[p.right] != p.size)
      continue;
    w->len[p.left] += w->len[p.right];
    w->len[p.right] = 0;
    w->next[p.left] = w->next[p.right];
    if (w->next[p.right] >= 0) w->prev[w->next[p.right]] = (int32_t)p.left;
    try_pair(v, w, w->prev[p.left], (int32_t)p.left);
    try_pair(v, w, (int32_t)p.left, w->next[p.left]);
  }
  for (int32_t k = 0; k >= 0; k = w->next[k]) {
    int id = tok_map_get(v->by_text, w->s + w->start[k], w->len[k]);
    if (id < 0)
      return fail(err, errlen, "tokenizer: no vocabulary entry for a symbol of %u bytes",
                  w->len[k]);
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

/* Pre-tokenize t[0..len) (text between control tokens) and BPE every piece. */
static int encode_fragment(const tok_vocab *v, work *w, const uint8_t *t, size_t len,
                           int32_t *ids, size_t max, size_t *n, char *err, size_t errlen) {
  size_t *ends, ne;
  if (tok_pre_split(v->pre, (const char *)t, len, &ends, &ne, err, errlen)) return -1;
  size_t a = 0;
  for (size_t k = 0; k < ne; a = ends[k++])
    if (encode_piece(v, w, t + a, ends[k] - a, ids, max, n, err, errlen)) {
      free(ends);
      return -1;
    }
  free(ends);
  return 0;
}

int tok_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
               size_t *n, char *err, size_t errlen) {
  if (v->model == TOK_MODEL_SPM) return tok_spm_encode(v, text, len, ids, max, n, err, errlen);
  const uint8_t *t = (const uint8_t *)text;
  *n = 0;
  if (!v->pre) {
    tok_pre *p;
    if (!v->pre_name.len)
      return fail(err, errlen, "tokenizer: the vocabulary has no tokenizer.ggml.pre "
                               "(supported: %s)", tok_pre_names());
    if (tok_pre_open(&p, v->pre_name.ptr, (size_t)v->pre_name.len, err, errlen)) return -1;
    tok_pre_close(p);
    return fail(err, errlen, "tokenizer: the pre-tokenizer failed to load");
  }
  uint8_t first[256] = {0}; /* first bytes of control tokens */
  for (uint32_t k = 0; k < v->n_special; k++) first[(uint8_t)v->tokens[v->special[k]].ptr[0]] = 1;
  work w = {0};
  int rc = 0;
  size_t frag = 0; /* start of the current fragment */
  for (size_t i = 0; i <= len && !rc; i++) {
    size_t l = 0;
    int32_t sp = i < len && first[t[i]] ? special_at(v, t, len, i, &l) : -1;
    if (sp < 0 && i < len) continue;
    if (i > frag) rc = encode_fragment(v, &w, t + frag, i - frag, ids, max, n, err, errlen);
    if (!rc && sp >= 0) {
      if (*n >= max) rc = fail(err, errlen, "tokenizer: more than %zu tokens", max);
      else ids[(*n)++] = sp;
      i += l - 1;
      frag = i + 1;
    }
  }
  work_free(&w);
  return rc;
}
