/* fuzz_trace.c — libFuzzer target: the trace reader on arbitrary bytes must return an
 * error or records, never crash, hang or allocate from an unchecked size.
 *
 * Two modes, chosen by the first input byte, so that mutations reach the record decoder
 * and are not all stopped by the CRC and zstd layers:
 *   even: the rest of the input is a whole trace file;
 *   odd:  the rest is a chunk *payload* (records); the harness wraps it in a valid file
 *         (header, zstd-compressed chunk with a correct CRC-32, end marker), with
 *         n_records = the second byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void read_all(const uint8_t *img, size_t n) {
  char err[512];
  trace_reader *r = trace_reader_open_mem(img, n, "fuzz", err, sizeof err);
  if (!r) return;
  trace_record rec;
  volatile uint64_t sum = 0;
  while (trace_read(r, &rec, err, sizeof err) == 1) {
    /* touch every array the record claims, so an out-of-bounds pointer is caught */
    size_t m = (size_t)rec.ntok * rec.width;
    for (size_t i = 0; rec.x && i < m; i++) sum += (uint8_t)rec.x[i];
    for (size_t i = 0; rec.f32 && i < m; i++) sum += (uint64_t)(rec.f32[i] != 0);
    for (size_t i = 0; rec.pos && i < rec.ntok; i++) sum += rec.pos[i];
    for (size_t i = 0; rec.scale && i < rec.ntok; i++) sum += (uint64_t)(rec.scale[i] > 0);
    for (size_t i = 0; rec.b && i < (size_t)rec.cols * rec.width; i++) sum += (uint8_t)rec.b[i];
    for (size_t i = 0; rec.b_scale && i < rec.cols; i++) sum += (uint64_t)(rec.b_scale[i] > 0);
  }
  trace_reader_close(r);
}

/* The file header of a small valid trace (written once by the library's writer). */
static uint8_t *valid_header(size_t *n) {
  static uint8_t *hdr;
  static size_t hn;
  if (hdr) {
    *n = hn;
    return hdr;
  }
  char *buf = NULL, err[256];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  trace_header h;
  trace_header_init(&h);
  h.n_layers = 4, h.n_heads = 4, h.n_kv_heads = 2, h.head_dim = 8, h.rope_base = 10000.0;
  trace_writer *w = trace_writer_open_file(f, "fuzz", &h, err, sizeof err);
  if (!w || trace_writer_close(w, err, sizeof err)) abort();
  fclose(f);
  hn = len - 20; /* drop the end marker */
  hdr = malloc(hn);
  memcpy(hdr, buf, hn);
  free(buf);
  *n = hn;
  return hdr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (!(data[0] & 1)) {
    read_all(data + 1, size - 1);
    return 0;
  }
  if (size < 2) return 0;
  size_t hn, plen = size - 2;
  const uint8_t *hdr = valid_header(&hn);
  size_t cap = ZSTD_compressBound(plen);
  uint8_t *img = malloc(hn + 28 + cap + 20);
  memcpy(img, hdr, hn);
  uint8_t *ch = img + hn;
  size_t c = ZSTD_compress(ch + 28, cap, data + 2, plen, 1);
  if (ZSTD_isError(c)) abort();
  put32(ch, 0x4342504du);
  put32(ch + 4, 0);
  put32(ch + 8, data[1]);
  put32(ch + 12, (uint32_t)plen);
  put32(ch + 16, (uint32_t)c);
  put32(ch + 24, 0);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, ch, 16);
  crc = crc32(crc, ch + 24, 4);
  crc = crc32(crc, ch + 28, (uInt)c);
  put32(ch + 20, (uint32_t)crc);
  uint8_t *e = ch + 28 + c;
  put32(e, 0x4542504du);
  put32(e + 4, 1);
  put32(e + 8, data[1]);
  put32(e + 12, 0);
  put32(e + 16, (uint32_t)crc32(0L, e, 16));
  read_all(img, hn + 28 + c + 20);
  free(img);
  return 0;
}
