/* fuzz_gguf.c — libFuzzer target for the strict GGUF reader: parse the input; if it is
 * accepted, touch every metadata value, dequantize every tensor and load the vocabulary,
 * so that any out-of-bounds read shows up under ASan. Built by `make fuzz-gguf` (clang
 * -fsanitize=fuzzer,address,undefined); seeds are written by the same binary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  gguf_file *g;
  char err[512];
  if (gguf_parse(&g, data, size, "fuzz.gguf", err, sizeof err)) return 0;
  volatile uint64_t sink = 0;
  for (uint64_t i = 0; i < g->n_kv; i++) {
    const gguf_kv *kv = &g->kv[i];
    sink += kv->v.u + kv->str.len;
    for (uint64_t j = 0; kv->arr_str && j < kv->arr_n; j++)
      sink += kv->arr_str[j].len ? (uint8_t)kv->arr_str[j].ptr[kv->arr_str[j].len - 1] : 0;
  }
  for (uint64_t i = 0; i < g->n_tensors; i++) {
    const gguf_tensor *t = &g->tensors[i];
    if (t->nelem > (1u << 20)) continue; /* bounded work per input */
    float *out = malloc(t->nelem * sizeof(float));
    if (out && !gguf_dequant(t->type, t->data, 0, t->nelem, out, err, sizeof err)) {
      uint32_t bits;
      memcpy(&bits, &out[t->nelem - 1], 4);
      sink += bits;
    }
    free(out);
  }
  tok_vocab *v;
  if (!tok_load(&v, g, err, sizeof err)) {
    char piece[64];
    for (uint32_t i = 0; i < v->n && i < 4096; i++) sink += (uint64_t)tok_decode(v, (int32_t)i, piece, sizeof piece);
    int32_t ids[64];
    size_t n;
    tok_encode(v, "Hello world, 123 it's", 21, ids, 64, &n, err, sizeof err);
    tok_free(v);
  }
  gguf_close(g);
  return 0;
}
