/* fuzz_gguf_image.h — a growing byte buffer for the fuzz targets that build their
 * vocabulary as an in-memory GGUF image (fuzz_tok.c, fuzz_spm.c): little-endian integers
 * (the hosts these targets run on) and GGUF strings (u64 length + bytes). Aborts on
 * allocation failure, as a fuzz target may. */
#ifndef MPB_FUZZ_GGUF_IMAGE_H
#define MPB_FUZZ_GGUF_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
  uint8_t *p;
  size_t n, cap;
} buf;

static inline void put(buf *b, const void *s, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = 2 * (b->n + n);
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}
static inline void put_u32(buf *b, uint32_t v) { put(b, &v, 4); }
static inline void put_u64(buf *b, uint64_t v) { put(b, &v, 8); }
static inline void put_str(buf *b, const char *s) { put_u64(b, strlen(s)), put(b, s, strlen(s)); }

#endif
