/* gguf_quant.c — ggml tensor layouts and their dequantization to FP32.
 *
 * Block layouts (ggml reference, little-endian, fp16 = IEEE binary16; the table below is
 * the one source of block sizes, byte counts and names):
 *   F32  1 element, 4 bytes;  F16 1 element, 2 bytes
 *   Q4_0 32 elements, 18 bytes: fp16 d, 16 bytes of codes; x = d * (q - 8)
 *   Q4_1 32 elements, 20 bytes: fp16 d, fp16 m, 16 bytes of codes; x = d * q + m
 *   Q5_0 32 elements, 22 bytes: fp16 d, u32 qh (little-endian), 16 bytes of codes;
 *        q = low 4 bits from the nibble, bit 4 = bit i of qh (element i); x = d * (q - 16)
 *   Q8_0 32 elements, 34 bytes: fp16 d, 32 int8 codes; x = d * q
 *   Q4_K 256 elements, 144 bytes: fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins,
 *        128 bytes of codes; 8 sub-blocks of 32: x = (d * sc_s) * q - (dmin * m_s)
 *   Q6_K 256 elements, 210 bytes: 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits),
 *        16 int8 scales, fp16 d (LAST); 16 sub-blocks of 16: x = (d * sc_s) * (q - 32)
 * 4- and 5-bit codes of the 32-element types: byte j (0..15) holds element j in its LOW
 * nibble and element j + 16 in its HIGH nibble (ggml's dequantize_row_q4_0/q4_1/q5_0),
 * not adjacent elements. The K-quant layouts are spelled out at their decoders. Every
 * product and difference is evaluated in float in ggml's order, one rounding each (no
 * contraction: C11 mode compiles with -ffp-contract=off), so the values are ggml's
 * dequantize_row_* results bit for bit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gguf.h"
#include "errbuf.h"

typedef struct type_info {
  uint32_t type;
  const char *name;
  uint32_t elems, bytes; /* per block */
} type_info;

static const type_info kTypes[] = {
    {GGML_F32, "F32", 1, 4},     {GGML_F16, "F16", 1, 2},     {GGML_Q4_0, "Q4_0", 32, 18},
    {GGML_Q4_1, "Q4_1", 32, 20}, {GGML_Q5_0, "Q5_0", 32, 22}, {GGML_Q8_0, "Q8_0", 32, 34},
    {GGML_Q4_K, "Q4_K", 256, 144}, {GGML_Q6_K, "Q6_K", 256, 210},
};
#define NTYPES (sizeof kTypes / sizeof kTypes[0])

static const type_info *find_type(uint32_t t) {
  for (size_t i = 0; i < NTYPES; i++)
    if (kTypes[i].type == t) return &kTypes[i];
  return NULL;
}

uint64_t gguf_block_elems(uint32_t t) {
  const type_info *i = find_type(t);
  return i ? i->elems : 0;
}

uint64_t gguf_block_bytes(uint32_t t) {
  const type_info *i = find_type(t);
  return i ? i->bytes : 0;
}

const char *gguf_type_name(uint32_t t) {
  const type_info *i = find_type(t);
  return i ? i->name : "unknown";
}

const char *gguf_supported_types(void) {
  static char buf[128];
  if (!buf[0])
    for (size_t i = 0, o = 0; i < NTYPES; i++)
      o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", kTypes[i].name);
  return buf;
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

/* Q4_K's 12 scale bytes hold 8 six-bit scales and 8 six-bit mins (ggml's
 * get_scale_min_k4): for sub-block s < 4, scale = q[s] & 63 and min = q[s + 4] & 63; for
 * s >= 4, the low 4 bits come from q[s + 4] (scale: low nibble, min: high nibble) and the
 * high 2 bits from the top bits of q[s - 4] (scale) and q[s] (min). */
static void q4k_scale_min(int s, const uint8_t *q, uint8_t *sc, uint8_t *m) {
  if (s < 4) {
    *sc = q[s] & 63;
    *m = q[s + 4] & 63;
  } else {
    *sc = (uint8_t)((q[s + 4] & 0x0f) | (q[s - 4] >> 6) << 4);
    *m = (uint8_t)((q[s + 4] >> 4) | (q[s] >> 6) << 4);
  }
}

/* Q4_K block: 4 groups of 64 elements; group g uses code bytes qs[32g .. 32g + 32): the
 * low nibbles are sub-block 2g (elements 64g + l), the high nibbles sub-block 2g + 1
 * (elements 64g + 32 + l). */
static void dequant_q4_k(const uint8_t *p, float *out) {
  float d = gguf_f16_to_f32(le16(p)), dmin = gguf_f16_to_f32(le16(p + 2));
  const uint8_t *scales = p + 4, *qs = p + 16;
  for (int g = 0; g < 4; g++, qs += 32) {
    uint8_t sc, m;
    q4k_scale_min(2 * g, scales, &sc, &m);
    float d1 = d * (float)sc, m1 = dmin * (float)m;
    q4k_scale_min(2 * g + 1, scales, &sc, &m);
    float d2 = d * (float)sc, m2 = dmin * (float)m;
    for (int l = 0; l < 32; l++) {
      float lo = d1 * (float)(qs[l] & 0x0f), hi = d2 * (float)(qs[l] >> 4);
      out[64 * g + l] = lo - m1;
      out[64 * g + 32 + l] = hi - m2;
    }
  }
}

/* Q6_K block: 2 halves of 128 elements; half h uses ql[64h .. 64h + 64),
 * qh[32h .. 32h + 32) and scales[8h .. 8h + 8). For l in 0..31, with L = ql + 64h,
 * H = qh[32h + l] and S = scales + 8h (s = l / 16):
 *   element 128h + l      : (L[l] & 15)      | ((H >> 0) & 3) << 4, scale S[s]
 *   element 128h + l + 32 : (L[l + 32] & 15) | ((H >> 2) & 3) << 4, scale S[s + 2]
 *   element 128h + l + 64 : (L[l] >> 4)      | ((H >> 4) & 3) << 4, scale S[s + 4]
 *   element 128h + l + 96 : (L[l + 32] >> 4) | ((H >> 6) & 3) << 4, scale S[s + 6]
 * each code minus 32. */
static void dequant_q6_k(const uint8_t *p, float *out) {
  float d = gguf_f16_to_f32(le16(p + 208));
  for (int h = 0; h < 2; h++) {
    const uint8_t *ql = p + 64 * h, *qh = p + 128 + 32 * h;
    const int8_t *sc = (const int8_t *)(p + 192 + 8 * h);
    float *y = out + 128 * h;
    for (int l = 0; l < 32; l++) {
      int s = l / 16;
      int q1 = ((ql[l] & 15) | ((qh[l] >> 0) & 3) << 4) - 32;
      int q2 = ((ql[l + 32] & 15) | ((qh[l] >> 2) & 3) << 4) - 32;
      int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
      int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
      y[l] = d * (float)sc[s] * (float)q1;
      y[l + 32] = d * (float)sc[s + 2] * (float)q2;
      y[l + 64] = d * (float)sc[s + 4] * (float)q3;
      y[l + 96] = d * (float)sc[s + 6] * (float)q4;
    }
  }
}

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
    case GGML_Q5_0: {
      float d = gguf_f16_to_f32(le16(p));
      uint32_t qh = (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16 |
                    (uint32_t)p[5] << 24;
      for (int j = 0; j < 16; j++) {
        int lo = (p[6 + j] & 0x0f) | (int)((qh >> j) & 1) << 4;
        int hi = (p[6 + j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
        out[j] = (float)(lo - 16) * d;
        out[j + 16] = (float)(hi - 16) * d;
      }
      break;
    }
    case GGML_Q8_0: {
      float d = gguf_f16_to_f32(le16(p));
      for (int j = 0; j < 32; j++) out[j] = d * (float)(int8_t)p[2 + j];
      break;
    }
    case GGML_Q4_K: dequant_q4_k(p, out); break;
    case GGML_Q6_K: dequant_q6_k(p, out); break;
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
