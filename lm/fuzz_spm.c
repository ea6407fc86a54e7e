/* fuzz_spm.c — libFuzzer target for the SentencePiece-style encoder (tokenizer_spm.c):
 * any bytes in, encode, then decode every id: every id must be in range, encoding must
 * not fail, and the bytes must come back (exactly for valid UTF-8; for invalid UTF-8 up to
 * U+2581 -> ' ', where a lead byte swallowed the escaped space after it, as in llama.cpp).
 * Inputs holding U+2581 itself are encoded but not compared (it decodes to a space). The
 * vocabulary is built here as an in-memory GGUF: the 256 byte tokens, control tokens (one
 * the prefix of another), user-defined newline/space runs and a tag, single characters and
 * merged pieces with tied and out-of-order scores. Built by `make fuzz-spm` (clang
 * -fsanitize=fuzzer,address,undefined), seeded from lm/fuzz_seeds/spm.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_gguf_image.h"
#include "gguf.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define SP "\xe2\x96\x81" /* U+2581 */
#define MAXV 400
static char text[MAXV][32];
static float score[MAXV];
static int32_t type[MAXV];
static int n_tok;

static void add(const char *t, float s, int32_t ty) {
  snprintf(text[n_tok], sizeof text[0], "%s", t);
  score[n_tok] = s, type[n_tok++] = ty;
}

static gguf_file *G;
static tok_vocab *V;

static void build_vocab(void) {
  static const char *ctl[] = {"<pad>", "<eos>", "<bos>", "<start_of_turn>", "<start"};
  static const char *user[] = {"\n", "\n\n", "\n\n\n", "  ", "   ", "\t", "<b>"};
  static const char *chars[] = {SP, "a", "b", "c", "d", "e", "h", "t", "x", "0", "1", "7",
                                ".", ",", "'", "<", ">", "\xc3\xa9", "\xe6\x97\xa5",
                                "\xe6\x9c\xac"};
  static const struct { const char *t; float s; } pieces[] = {
      {SP "t", -1}, {"he", -2}, {SP "the", -3}, {"ab", -4}, {"ba", -4}, {"bc", -3.5f},
      {"abc", -9}, {"aa", -5}, {"aaaa", -6}, {SP "a", -2}, {"c\xc3\xa9", -7},
      {"\xe6\x97\xa5\xe6\x9c\xac", -8}, {SP SP, -10}, {"01", -3}, {"<s", -12}};
  add("<unk>", 0, 2);
  for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) add(ctl[i], 0, 3);
  for (size_t i = 0; i < sizeof user / sizeof user[0]; i++) add(user[i], 0, 4);
  for (int b = 0; b < 256; b++) {
    char t[8];
    snprintf(t, sizeof t, "<0x%02X>", b);
    add(t, 0, 6);
  }
  for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++) add(chars[i], -20.0f - (float)i, 1);
  for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) add(pieces[i].t, pieces[i].s, 1);
  buf b = {0};
  put_u32(&b, GGUF_MAGIC), put_u32(&b, 3), put_u64(&b, 0), put_u64(&b, 4);
  put_str(&b, "tokenizer.ggml.model"), put_u32(&b, GGUF_STRING), put_str(&b, "llama");
  put_str(&b, "tokenizer.ggml.tokens"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_STRING);
  put_u64(&b, (uint64_t)n_tok);
  for (int i = 0; i < n_tok; i++) put_str(&b, text[i]);
  put_str(&b, "tokenizer.ggml.scores"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_FLOAT32);
  put_u64(&b, (uint64_t)n_tok);
  put(&b, score, (size_t)n_tok * 4);
  put_str(&b, "tokenizer.ggml.token_type"), put_u32(&b, GGUF_ARRAY), put_u32(&b, GGUF_INT32);
  put_u64(&b, (uint64_t)n_tok);
  put(&b, type, (size_t)n_tok * 4);
  char err[512];
  if (gguf_parse(&G, b.p, b.n, "fuzz-spm.gguf", err, sizeof err) || tok_load(&V, G, err, sizeof err)) {
    fprintf(stderr, "fuzz-spm: %s\n", err);
    abort();
  }
  free(b.p);
}

static int valid_utf8(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3
             : (s[i] & 0xf8) == 0xf0 ? 4 : 0;
    if (!k || i + k > n) return 0;
    for (size_t j = 1; j < k; j++)
      if ((s[i + j] & 0xc0) != 0x80) return 0;
    i += k;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!V) build_vocab();
  size_t max = TOK_MAX_IDS_PER_BYTE * size + 16, n;
  int32_t *ids = malloc(max * sizeof *ids);
  char *back = malloc(size * 8 + 64), err[512];
  if (!ids || !back) abort();
  if (tok_encode(V, (const char *)data, size, ids, max, &n, err, sizeof err)) {
    fprintf(stderr, "fuzz-spm: encoding failed: %s\n", err);
    abort();
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (ids[i] < 0 || (uint32_t)ids[i] >= V->n) abort();
    int k = tok_decode(V, ids[i], back + o, 64);
    if (k < 0) abort();
    o += (size_t)k;
  }
  int has_sp = 0;
  for (size_t i = 0; i + 2 < size; i++) has_sp |= !memcmp(data + i, SP, 3);
  if (!has_sp) {
    if (!valid_utf8(data, size)) { /* turn escaped spaces that came back as U+2581 into ' ' */
      size_t w = 0;
      for (size_t i = 0; i < o;)
        if (i + 2 < o && !memcmp(back + i, SP, 3)) back[w++] = ' ', i += 3;
        else back[w++] = back[i++];
      o = w;
    }
    if (o != size || memcmp(back, data, size)) {
      fprintf(stderr, "fuzz-spm: decode(encode(x)) != x (%zu bytes in, %zu out)\n", size, o);
      abort();
    }
  }
  free(ids);
  free(back);
  return 0;
}
