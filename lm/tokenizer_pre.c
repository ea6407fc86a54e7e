/* tokenizer_pre.c — pre-tokenization of byte-level BPE vocabularies by the regexes that
 * llama.cpp's src/llama-vocab.cpp lists for a tokenizer.ggml.pre name, matched with ICU's
 * regex engine (libicu) on a UTF-8 UText, so the pieces are byte offsets of the input.
 *
 * The patterns are compiled as the references write them. In ICU, as in the engines that
 * define the reference tokenization (Oniguruma in Hugging Face tokenizers, llama.cpp's
 * tables), \s is the Unicode White_Space property (25 code points, U+000B and U+0085
 * included), \p{L} the general categories Lu Ll Lt Lm Lo and \p{N} Nd Nl No, from ICU's
 * Unicode data; tests/lm_tokenizer_test.cc checks every White_Space code point.
 */
#include "tokenizer_pre.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uregex.h>
#include <unicode/utext.h>

#include "errbuf.h"

/* GPT-2's pattern, as in Hugging Face tokenizers' ByteLevel pre-tokenizer (llama.cpp lists
 * it without the last alternative and adds it back in unicode_regex_split_custom_gpt2). */
#define GPT2_RE "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
#define MAX_RE 2

static const struct {
  const char *name;
  const char *re[MAX_RE]; /* applied in order; NULL ends the list */
} kPre[] = {
    /* llama.cpp LLAMA_VOCAB_PRE_TYPE_SMOLLM (also StarCoder, Refact, Command-R, ...):
     * every \p{N} code point alone first (HF: Digits(individual_digits=true)), then GPT-2. */
    {"smollm", {"\\p{N}", GPT2_RE}},
    /* LLAMA_VOCAB_PRE_TYPE_GPT2: GPT-2's pattern alone (digit runs stay together). */
    {"gpt2", {GPT2_RE, NULL}},
};
#define N_PRE (sizeof kPre / sizeof kPre[0])

struct tok_pre {
  URegularExpression *re[MAX_RE];
  int n_re;
};

const char *tok_pre_names(void) { return "smollm, gpt2"; }

void tok_pre_close(tok_pre *p) {
  if (!p) return;
  for (int i = 0; i < p->n_re; i++) uregex_close(p->re[i]);
  free(p);
}

int tok_pre_open(tok_pre **out, const char *name, size_t len, char *err, size_t errlen) {
  *out = NULL;
  size_t k = 0;
  while (k < N_PRE && !(strlen(kPre[k].name) == len && !memcmp(kPre[k].name, name, len))) k++;
  if (k == N_PRE)
    return fail(err, errlen, "tokenizer.ggml.pre '%.*s' is not supported (supported: %s)",
                (int)(len > 64 ? 64 : len), name, tok_pre_names());
  tok_pre *p = calloc(1, sizeof *p);
  if (!p) return fail(err, errlen, "out of memory");
  for (int i = 0; i < MAX_RE && kPre[k].re[i]; i++) {
    UErrorCode st = U_ZERO_ERROR;
    UParseError pe;
    p->re[p->n_re] = uregex_openC(kPre[k].re[i], 0, &pe, &st);
    if (U_FAILURE(st)) {
      tok_pre_close(p);
      return fail(err, errlen, "pre-tokenizer '%s': regex %d: %s", kPre[k].name, i,
                  u_errorName(st));
    }
    p->n_re++;
  }
  *out = p;
  return 0;
}

typedef struct offs {
  size_t *v, n, cap;
} offs;

static int push(offs *o, size_t end) {
  if (o->n == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 64;
    size_t *v = realloc(o->v, cap * sizeof *v);
    if (!v) return -1;
    o->v = v, o->cap = cap;
  }
  o->v[o->n++] = end;
  return 0;
}

/* Cut each piece of in (ends) into the matches of re and the gaps between them. */
static int split_pieces(URegularExpression *re, const offs *in, offs *out, UErrorCode *st) {
  size_t a = 0;
  for (size_t k = 0; k < in->n; a = in->v[k++]) {
    size_t b = in->v[k], pos = a;
    /* opaque bounds (the default): lookahead sees the piece's end as the string's end */
    uregex_setRegion64(re, (int64_t)a, (int64_t)b, st);
    while (U_SUCCESS(*st) && uregex_findNext(re, st)) {
      int64_t ms = uregex_start64(re, 0, st), me = uregex_end64(re, 0, st);
      if (U_FAILURE(*st)) return -1;
      if (me <= (int64_t)pos) continue; /* empty match */
      if (me > (int64_t)b) me = (int64_t)b;
      if (ms > (int64_t)pos && push(out, (size_t)ms)) return -1; /* gap before the match */
      if (push(out, (size_t)me)) return -1;
      pos = (size_t)me;
    }
    if (U_FAILURE(*st)) return -1;
    if (pos < b && push(out, b)) return -1;
  }
  return 0;
}

int tok_pre_split(const tok_pre *p, const char *text, size_t len, size_t **ends, size_t *n,
                  char *err, size_t errlen) {
  *ends = NULL, *n = 0;
  if (!len) return 0;
  offs cur = {0}, next = {0};
  UErrorCode st = U_ZERO_ERROR;
  UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
  int rc = push(&cur, len);
  for (int i = 0; !rc && U_SUCCESS(st) && i < p->n_re; i++) {
    URegularExpression *re = uregex_clone(p->re[i], &st); /* the matcher keeps state */
    if (U_SUCCESS(st)) uregex_setUText(re, ut, &st);
    next.n = 0;
    if (U_SUCCESS(st)) rc = split_pieces(re, &cur, &next, &st);
    uregex_close(re);
    offs t = cur;
    cur = next, next = t;
  }
  utext_close(ut);
  free(next.v);
  if (rc || U_FAILURE(st)) {
    free(cur.v);
    return fail(err, errlen, "tokenizer: pre-tokenizer: %s",
                U_FAILURE(st) ? u_errorName(st) : "out of memory");
  }
  *ends = cur.v, *n = cur.n;
  return 0;
}
