/* tokenizer_spm.c — SentencePiece-style encoder and decoder for GGUF vocabularies with
 * tokenizer.ggml.model = "llama" (Gemma 3's), following llama.cpp's SPM tokenizer
 * (llama-vocab.cpp: tokenizer_st_partition, llm_tokenizer_spm_session):
 *
 * 1. Pre-split: every control (type 3), unknown (2) and user-defined (4) token is cut out
 *    of the text as a whole, longest text first (ties: lower id), each token at all its
 *    non-overlapping occurrences left to right in every not-yet-split fragment. Gemma's
 *    user-defined tokens include runs of "\n", "\t" and spaces, so "\n\n" is one token.
 * 2. In each remaining fragment every ' ' becomes U+2581 "▁" (add_space_prefix is not
 *    supported: Gemma's file sets it false, and the loader refuses true).
 * 3. The fragment is split into UTF-8 characters (length from the lead byte: 0xC0-0xDF 2,
 *    0xE0-0xEF 3, 0xF0-0xFF 4, anything else 1, cut at the end of the text).
 * 4. Every adjacent pair whose concatenation is a vocabulary entry is queued with that
 *    entry's score; the best pair (highest score, then leftmost) is merged, and the pairs
 *    the merged symbol forms with its neighbours are queued, until the queue is empty
 *    (a queued pair whose symbols changed since is skipped).
 * 5. Each final symbol that is a vocabulary entry gives its id; any other symbol (a single
 *    character missing from the vocabulary; merged symbols are always entries) gives the
 *    ids of its bytes' "<0xXX>" tokens (byte fallback).
 *
 * Decoding: byte tokens give their byte, normal and unused tokens their text with "▁"
 * turned back into ' ', control, unknown and user-defined tokens their text. So
 * decode(encode(x)) == x for any bytes x that do not contain "▁" itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "errbuf.h"

#define SPM_SPACE "\xe2\x96\x81" /* U+2581, SentencePiece's visible space */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_USER = 4, TT_UNUSED = 5, TT_BYTE = 6 };

struct tok_spm {
  float *score;         /* per id */
  int32_t byte_id[256]; /* id of "<0xXX>", -1 if absent */
  int32_t *split;       /* ids cut out before merging: longest text first, then lower id */
  uint32_t n_split;
};

void tok_spm_free(tok_spm *s) {
  if (!s) return;
  free(s->score), free(s->split), free(s);
}

typedef struct len_id {
  uint64_t len;
  int32_t id;
} len_id;

static int by_length_desc(const void *a, const void *b) {
  const len_id *x = a, *y = b;
  if (x->len != y->len) return x->len > y->len ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The byte a "<0xXX>" token stands for, or -1. */
static int byte_of(const gguf_str *t) {
  if (t->len != 6 || memcmp(t->ptr, "<0x", 3) || t->ptr[5] != '>') return -1;
  int h = hexval(t->ptr[3]), l = hexval(t->ptr[4]);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

int tok_spm_load(tok_vocab *v, const gguf_file *g, char *err, size_t errlen) {
  const gguf_kv *sc = gguf_find_kv(g, "tokenizer.ggml.scores");
  if (!sc || sc->type != GGUF_ARRAY || sc->arr_type != GGUF_FLOAT32 || sc->arr_n != v->n)
    return fail(err, errlen, "%s: tokenizer.ggml.scores must be a float32 array of %u entries "
                "(one per token) for tokenizer.ggml.model 'llama'", g->path, v->n);
  if (!v->type)
    return fail(err, errlen, "%s: tokenizer.ggml.token_type is required for tokenizer.ggml.model "
                "'llama'", g->path);
  const gguf_kv *sp = gguf_find_kv(g, "tokenizer.ggml.add_space_prefix");
  if (sp && sp->type == GGUF_BOOL && sp->v.u)
    return fail(err, errlen, "%s: tokenizer.ggml.add_space_prefix = true is not supported "
                "(expected false)", g->path);
  tok_spm *s = calloc(1, sizeof *s);
  if (!s || !(s->score = malloc(v->n * sizeof *s->score)) ||
      !(s->split = malloc(v->n * sizeof *s->split))) {
    tok_spm_free(s);
    return fail(err, errlen, "out of memory");
  }
  for (int b = 0; b < 256; b++) s->byte_id[b] = -1;
  for (uint32_t i = 0; i < v->n; i++) {
    memcpy(&s->score[i], sc->arr_data + 4 * (size_t)i, 4);
    if (s->score[i] != s->score[i]) {
      tok_spm_free(s);
      return fail(err, errlen, "%s: tokenizer.ggml.scores[%u] is NaN", g->path, i);
    }
    int t = v->type[i], b;
    if (t == TT_BYTE && (b = byte_of(&v->tokens[i])) >= 0 && s->byte_id[b] < 0) s->byte_id[b] = (int32_t)i;
    if ((t == TT_CONTROL || t == TT_UNKNOWN || t == TT_USER) && v->tokens[i].len > 0)
      s->split[s->n_split++] = (int32_t)i;
  }
  len_id *order = malloc((s->n_split ? s->n_split : 1) * sizeof *order);
  if (!order) {
    tok_spm_free(s);
    return fail(err, errlen, "out of memory");
  }
  for (uint32_t k = 0; k < s->n_split; k++) order[k] = (len_id){v->tokens[s->split[k]].len, s->split[k]};
  qsort(order, s->n_split, sizeof *order, by_length_desc);
  for (uint32_t k = 0; k < s->n_split; k++) s->split[k] = order[k].id;
  free(order);
  v->spm = s;
  return 0;
}

/* ---- step 1: pre-split -------------------------------------------------------------- */

typedef struct frag {
  size_t off, len;
  int32_t id; /* -1: raw text */
} frag;

typedef struct frags {
  frag *f;
  size_t n, cap;
} frags;

static int frags_push(frags *a, size_t off, size_t len, int32_t id) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? 2 * a->cap : 16;
    frag *f = realloc(a->f, cap * sizeof *f);
    if (!f) return -1;
    a->f = f, a->cap = cap;
  }
  a->f[a->n++] = (frag){off, len, id};
  return 0;
}

static const uint8_t *find(const uint8_t *h, size_t hn, const uint8_t *nd, size_t nn) {
  if (nn > hn) return NULL;
  for (const uint8_t *p = h, *end = h + hn - nn; p <= end; p++) {
    p = memchr(p, nd[0], (size_t)(end - p) + 1);
    if (!p) return NULL;
    if (!memcmp(p, nd, nn)) return p;
  }
  return NULL;
}

/* Cut every pre-split token out of text[0, len) into *out. */
static int presplit(const tok_vocab *v, const uint8_t *t, size_t len, frags *out) {
  frags cur = {0}, next = {0};
  uint8_t present[256] = {0};
  for (size_t i = 0; i < len; i++) present[t[i]] = 1;
  if (len && frags_push(&cur, 0, len, -1)) return -1;
  for (uint32_t k = 0; k < v->spm->n_split; k++) {
    int32_t id = v->spm->split[k];
    const gguf_str *s = &v->tokens[id];
    const uint8_t *sp = (const uint8_t *)s->ptr;
    if (!present[sp[0]]) continue; /* cannot occur anywhere: skip the scan */
    next.n = 0;
    for (size_t j = 0; j < cur.n; j++) {
      frag f = cur.f[j];
      if (f.id >= 0) {
        if (frags_push(&next, f.off, f.len, f.id)) goto oom;
        continue;
      }
      size_t at = f.off, end = f.off + f.len;
      const uint8_t *m;
      while ((m = find(t + at, end - at, sp, (size_t)s->len))) {
        size_t mo = (size_t)(m - t);
        if ((mo > at && frags_push(&next, at, mo - at, -1)) ||
            frags_push(&next, mo, (size_t)s->len, id))
          goto oom;
        at = mo + (size_t)s->len;
      }
      if (at < end && frags_push(&next, at, end - at, -1)) goto oom;
    }
    frags tmp = cur;
    cur = next, next = tmp;
  }
  free(next.f);
  *out = cur;
  return 0;
oom:
  free(cur.f), free(next.f);
  return -1;
}

/* ---- steps 2-5: merges by score ---------------------------------------------------- */

typedef struct sym {
  int prev, next;
  size_t off, n; /* bytes of the escaped fragment; n = 0 once merged away */
} sym;

typedef struct pair {
  float score;
  int left, right;
  size_t size;
} pair;

/* Max-heap order: higher score first, then the leftmost pair. */
static int before(const pair *a, const pair *b) {
  return a->score > b->score || (a->score == b->score && a->left < b->left);
}

typedef struct heap {
  pair *p;
  size_t n, cap;
} heap;

static int heap_push(heap *h, pair x) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 64;
    pair *p = realloc(h->p, cap * sizeof *p);
    if (!p) return -1;
    h->p = p, h->cap = cap;
  }
  size_t i = h->n++;
  while (i > 0 && before(&x, &h->p[(i - 1) / 2])) {
    h->p[i] = h->p[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->p[i] = x;
  return 0;
}

static pair heap_pop(heap *h) {
  pair top = h->p[0], x = h->p[--h->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && before(&h->p[c + 1], &h->p[c])) c++;
    if (!before(&h->p[c], &x)) break;
    h->p[i] = h->p[c];
    i = c;
  }
  if (h->n) h->p[i] = x;
  return top;
}

typedef struct session {
  const tok_vocab *v;
  const char *s; /* escaped fragment */
  sym *sy;
  heap q;
} session;

static int try_pair(session *ss, int left, int right) {
  if (left < 0 || right < 0) return 0;
  size_t n = ss->sy[left].n + ss->sy[right].n;
  int id = tok_map_get(ss->v->by_text, ss->s + ss->sy[left].off, n);
  if (id < 0) return 0;
  return heap_push(&ss->q, (pair){ss->v->spm->score[id], left, right, n});
}

static size_t utf8_len(uint8_t c) {
  return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static int emit(int32_t id, int32_t *ids, size_t max, size_t *n, char *err, size_t errlen) {
  if (*n >= max) return fail(err, errlen, "tokenizer: more than %zu tokens", max);
  ids[(*n)++] = id;
  return 0;
}

/* Encode one raw fragment t[0, len). */
static int encode_fragment(const tok_vocab *v, const uint8_t *t, size_t len, int32_t *ids,
                           size_t max, size_t *n, char *err, size_t errlen) {
  size_t spaces = 0;
  for (size_t i = 0; i < len; i++) spaces += t[i] == ' ';
  size_t elen = len + 2 * spaces;
  char *s = malloc(elen ? elen : 1);
  session ss = {v, s, malloc((elen ? elen : 1) * sizeof(sym)), {0}};
  int rc = -1, ns = 0;
  if (!s || !ss.sy) {
    fail(err, errlen, "tokenizer: out of memory");
    goto done;
  }
  for (size_t i = 0, o = 0; i < len; i++) {
    if (t[i] == ' ') memcpy(s + o, SPM_SPACE, 3), o += 3;
    else s[o++] = (char)t[i];
  }
  for (size_t off = 0; off < elen; ns++) {
    size_t k = utf8_len((uint8_t)s[off]);
    if (k > elen - off) k = elen - off;
    ss.sy[ns] = (sym){ns - 1, off + k == elen ? -1 : ns + 1, off, k};
    off += k;
  }
  for (int i = 1; i < ns; i++)
    if (try_pair(&ss, i - 1, i)) goto oom;
  while (ss.q.n) {
    pair p = heap_pop(&ss.q);
    sym *l = &ss.sy[p.left], *r = &ss.sy[p.right];
    if (!l->n || !r->n || l->n + r->n != p.size) continue; /* stale */
    l->n += r->n;
    r->n = 0;
    l->next = r->next;
    if (r->next >= 0) ss.sy[r->next].prev = p.left;
    if (try_pair(&ss, l->prev, p.left) || try_pair(&ss, p.left, l->next)) goto oom;
  }
  for (int i = ns ? 0 : -1; i >= 0; i = ss.sy[i].next) {
    int id = tok_map_get(v->by_text, s + ss.sy[i].off, ss.sy[i].n);
    if (id >= 0) {
      if (emit(id, ids, max, n, err, errlen)) goto done;
      continue;
    }
    for (size_t j = 0; j < ss.sy[i].n; j++) { /* byte fallback */
      int32_t b = v->spm->byte_id[(uint8_t)s[ss.sy[i].off + j]];
      if (b < 0) {
        fail(err, errlen, "tokenizer: byte 0x%02X has no <0x%02X> token for byte fallback",
             (uint8_t)s[ss.sy[i].off + j], (uint8_t)s[ss.sy[i].off + j]);
        goto done;
      }
      if (emit(b, ids, max, n, err, errlen)) goto done;
    }
  }
  rc = 0;
  goto done;
oom:
  fail(err, errlen, "tokenizer: out of memory");
done:
  free(s), free(ss.sy), free(ss.q.p);
  return rc;
}

int tok_spm_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
                   size_t *n, char *err, size_t errlen) {
  const uint8_t *t = (const uint8_t *)text;
  frags fr = {0};
  *n = 0;
  if (presplit(v, t, len, &fr)) return fail(err, errlen, "tokenizer: out of memory");
  int rc = 0;
  for (size_t j = 0; j < fr.n && !rc; j++)
    rc = fr.f[j].id >= 0 ? emit(fr.f[j].id, ids, max, n, err, errlen)
                         : encode_fragment(v, t + fr.f[j].off, fr.f[j].len, ids, max, n, err, errlen);
  free(fr.f);
  return rc;
}

int tok_spm_decode(const tok_vocab *v, int32_t id, char *out, size_t outlen) {
  const gguf_str *s = &v->tokens[id];
  int t = v->type[id], b;
  size_t o = 0;
  if (t == TT_BYTE && (b = byte_of(s)) >= 0) {
    if (outlen > 1) out[o++] = (char)b;
  } else if (t == TT_NORMAL || t == TT_UNUSED) {
    for (size_t i = 0; i < s->len && o + 1 < outlen;) {
      if (i + 3 <= s->len && !memcmp(s->ptr + i, SPM_SPACE, 3)) {
        out[o++] = ' ';
        i += 3;
      } else {
        out[o++] = s->ptr[i++];
      }
    }
  } else {
    for (; o < s->len && o + 1 < outlen; o++) out[o] = s->ptr[o];
  }
  out[o] = 0;
  return (int)o;
}
