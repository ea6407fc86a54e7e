/* fuzz_tok.c — libFuzzer target for the BPE encoder (tokenizer_bpe.c, tokenizer_pre.c):
 * any bytes in, encode, then decode every id: the bytes must come back exactly, every id
 * must be in range and encoding must not fail. The vocabulary is built here as an
 * in-memory GGUF (no model file needed): the 256 byte symbols, merges that fold a list of
 * words left to right plus a few that make ties and out-of-order ranks, and control tokens
 * (one the prefix of another). Built by `make fuzz-tok` (clang -fsanitize=fuzzer,address,
 * undefined), seeded from lm/fuzz_seeds/tok.txt and data/passage.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_gguf_image.h"
#include "gguf.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* Byte-level spelling of bytes s[0..n) (GPT-2's byte-to-unicode table). */
static size_t spell(const char *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t cp = tok_byte_to_cp((uint8_t)s[i]);
    if (cp < 0x80) out[o++] = (char)cp;
    else out[o++] = (char)(0xc0 | cp >> 6), out[o++] = (char)(0x80 | (cp & 0x3f));
  }
  out[o] = 0;
  return o;
}

#define MAXV 512
static char tok_text[MAXV][64], merge_text[MAXV][130];
static int32_t tok_type[MAXV];
static int n_tok, n_merge;

static void add_token(const char *t, int32_t type) {
  for (int i = 0; i < n_tok; i++)
    if (!strcmp(tok_text[i], t)) return;
  snprintf(tok_text[n_tok], sizeof tok_text[0], "%s", t);
  tok_type[n_tok++] = type;
}

/* Merge "a b" (spelled) and its result as a token. */
static void add_merge(const char *a, const char *b) {
  char m[130], t[130];
  snprintf(m, sizeof m, "%s %s", a, b);
  snprintf(t, sizeof t, "%s%s", a, b);
  for (int i = 0; i < n_merge; i++)
    if (!strcmp(merge_text[i], m)) return;
  snprintf(merge_text[n_merge++], sizeof merge_text[0], "%s", m);
  add_token(t, 1);
}

static gguf_file *G;
static tok_vocab *V;

static void build_vocab(void) {
  static const char *words[] = {"the", " the", " a", "aaaaaaaa", "\n\n\n", "   ", "\r\n\r\n",
                                "\t\t", " \n", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
                                "'s", "'''", "ing", " ing", "<|", "|>", "12", " 1", "\xc2\xa0"};
  static const char *extra[][2] = {{"b", "c"}, {"a", "bc"}, {"aa", "aa"}, {"aaaa", "aaaa"},
                                   {"\xc4\xa0", "\xc4\xa0"}, {"\xc4\x8a", "\xc4\x8a"}};
  char sp[64], acc[64], one[8];
  for (int b = 0; b < 256; b++) {
    char c = (char)b;
    spell(&c, 1, sp);
    add_token(sp, 1);
  }
  for (size_t e = 0; e < sizeof extra / sizeof extra[0]; e++) add_merge(extra[e][0], extra[e][1]);
  for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
    const char *s = words[w];
    spell(s, 1, acc);
    for (size_t i = 1; i < strlen(s); i++) {
      spell(s + i, 1, one);
      add_merge(acc, one);
      strcat(acc, one);
    }
  }
  add_token("<|im_start|>", 3);
  add_token("<|im_end|>", 3);
  add_token("<e>", 3);
  add_token("<e><e>", 3);
  buf b = {0};
  put_u32(&b, GGUF_MAGIC), put_u32(&b, 3), put_u64(&b, 0), put_u64(&b, 4);
  put_str(&b, "tokenizer.ggml.tokens"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_STRING);
  put_u64(&b, (uint64_t)n_tok);
  for (int i = 0; i < n_tok; i++) put_str(&b, tok_text[i]);
  put_str(&b, "tokenizer.ggml.token_type"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_INT32);
  put_u64(&b, (uint64_t)n_tok);
  for (int i = 0; i < n_tok; i++) put_u32(&b, (uint32_t)tok_type[i]);
  put_str(&b, "tokenizer.ggml.merges"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_STRING);
  put_u64(&b, (uint64_t)n_merge);
  for (int i = 0; i < n_merge; i++) put_str(&b, merge_text[i]);
  put_str(&b, "tokenizer.ggml.pre"), put_u32(&b, GGUF_STRING), put_str(&b, "smollm");
  char err[512];
  if (gguf_parse(&G, b.p, b.n, "fuzz-vocab.gguf", err, sizeof err) ||
      tok_load(&V, G, err, sizeof err)) {
    fprintf(stderr, "fuzz_tok: %s\n", err);
    abort();
  }
  free(b.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!V) build_vocab();
  int32_t *ids = malloc((size + 1) * sizeof *ids);
  char *back = malloc(size + 1), err[512], piece[64];
  size_t n, o = 0;
  if (!ids || !back) abort();
  /* every id covers at least one byte, so size ids always suffice */
  if (tok_encode(V, (const char *)data, size, ids, size + 1, &n, err, sizeof err)) {
    fprintf(stderr, "fuzz_tok: encode failed: %s\n", err);
    abort();
  }
  for (size_t i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= n_tok) abort();
    int k = tok_decode(V, ids[i], piece, sizeof piece);
    if (k <= 0 || o + (size_t)k > size) abort();
    memcpy(back + o, piece, (size_t)k);
    o += (size_t)k;
  }
  if (o != size || memcmp(back, data, size)) abort(); /* decode(encode(x)) == x */
  free(ids), free(back);
  return 0;
}
