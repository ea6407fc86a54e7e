/* gguf_quant.c — ggml tensor layouts and their dequantization to FP32.
 *
 * Block layouts (ggml reference, little-endian, fp16 = IEEE binary16):
 *   F32  1 element, 4 bytes;  F16 1 element, 2 bytes
 *   Q4_0 32 elements, 18 bytes: fp16 d, 16 bytes of codes; x = d * (q - 8)
 *   Q4_1 32 elements, 20 bytes: fp16 d, fp16 m, 16 bytes of codes; x = d * q + m
 *   Q8_0 32 elements, 34 bytes: fp16 d, 32 int8 codes; x = d * q
 * 4-bit codes: byte j (0..15) holds element j in its LOW nibble and element j + 16 in its
 * HIGH nibble (ggml's dequantize_row_q4_0/q4_1), not adjacent elements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gguf.h"
#include "errbuf.h"

uint64_t gguf_block_elems(uint32_t t) {
  switch (t) {
  case GGML_F32: case GGML_F16: return 1;
  case GGML_Q4_0: case GGML_Q4_1: case GGML_Q8_0: return 32;
  default: return 0;
  }
}

uint64_t gguf_block_bytes(uint32_t t) {
  switch (t) {
  case GGML_F32: return 4;
  case GGML_F16: return 2;
  case GGML_Q4_0: return 18;
  case GGML_Q4_1: return 20;
  case GGML_Q8_0: return 34;
  default: return 0;
  }
}

float gguf_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, w;
  if (e == 0x1f) {
    w = sign | 0x7f800000u | (m << 13); /* inf / nan */
  } else if (e == 0) {
    if (!m) {
      w = sign;
    } else { /* subnormal: normalise */
      int s = -1;
      do {
        s++;
        m <<= 1;
      } while (!(m & 0x400));
      w = sign | (uint32_t)(127 - 15 - s) << 23 | (m & 0x3ff) << 13;
    }
  } else {
    w = sign | (e + 127 - 15) << 23 | m << 13;
  }
  float f;
  memcpy(&f, &w, 4);
  return f;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

int gguf_dequant(uint32_t t, const uint8_t *raw, uint64_t first, uint64_t n, float *out,
                 char *err, size_t errlen) {
  uint64_t be = gguf_block_elems(t), bb = gguf_block_bytes(t);
  if (!be) return fail(err, errlen, "tensor type %u cannot be dequantized", t);
  if (first % be || n % be)
    return fail(err, errlen, "dequantize %s: range [%llu, +%llu) is not block-aligned (%llu)",
                gguf_type_name(t), (unsigned long long)first, (unsigned long long)n,
                (unsigned long long)be);
  const uint8_t *p = raw + first / be * bb;
  for (uint64_t b = 0; b < n / be; b++, p += bb, out += be) {
    switch (t) {
    case GGML_F32:
      memcpy(out, p, 4);
      break;
    case GGML_F16:
      out[0] = gguf_f16_to_f32(le16(p));
      break;
    case GGML_Q4_0: {
      float d = gguf_f16_to_f32(le16(p));
      for (int j = 0; j < 16; j++) {
        out[j] = d * (float)((p[2 + j] & 0x0f) - 8);
        out[j + 16] = d * (float)((p[2 + j] >> 4) - 8);
      }
      break;
    }
    case GGML_Q4_1: {
      float d = gguf_f16_to_f32(le16(p)), m = gguf_f16_to_f32(le16(p + 2));
      for (int j = 0; j < 16; j++) {
        out[j] = d * (float)(p[4 + j] & 0x0f) + m;
        out[j + 16] = d * (float)(p[4 + j] >> 4) + m;
      }
      break;
    }
    case GGML_Q8_0: {
      float d = gguf_f16_to_f32(le16(p));
      for (int j = 0; j < 32; j++) out[j] = d * (float)(int8_t)p[2 + j];
      break;
    }
    }
  }
  return 0;
}

int gguf_tensor_f32(const gguf_file *g, const char *name, uint32_t expect_dims,
                    const uint64_t *expect_ne, float *out, char *err, size_t errlen) {
  const gguf_tensor *t = gguf_find_tensor(g, name);
  if (!t) return fail(err, errlen, "%s: tensor '%s' is missing", g->path, name);
  if (t->n_dims != expect_dims)
    return fail(err, errlen, "%s: tensor '%s' has %u dimensions, expected %u", g->path, name,
                t->n_dims, expect_dims);
  for (uint32_t d = 0; d < expect_dims; d++)
    if (expect_ne && expect_ne[d] && t->ne[d] != expect_ne[d])
      return fail(err, errlen, "%s: tensor '%s': ne[%u] = %llu, expected %llu (from metadata)",
                  g->path, name, d, (unsigned long long)t->ne[d],
                  (unsigned long long)expect_ne[d]);
  if (gguf_dequant(t->type, t->data, 0, t->nelem, out, err, errlen)) return -1;
  for (uint64_t i = 0; i < t->nelem; i++)
    if (out[i] != out[i] || out[i] > 3e38f || out[i] < -3e38f)
      return fail(err, errlen, "%s: tensor '%s': element %llu is not finite", g->path, name,
                  (unsigned long long)i);
  return 0;
}
