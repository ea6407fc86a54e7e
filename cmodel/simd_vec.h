/* simd_vec.h — a vector of int64 lanes and the operations the SIMD kernels need, mapped
 * to AVX-512 (8 lanes, zmm) or AVX2 (4 lanes, ymm) by the file's -m flags: the one place
 * that knows the intrinsics, shared by batch_simd.h (rope, exp) and gemm_beats.h.
 * Private to libmpb; include only from files compiled with -mavx2 or -mavx512f. */
#ifndef MPB_SIMD_VEC_H
#define MPB_SIMD_VEC_H

#include <immintrin.h>
#include <string.h>

#include "batch_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

#if defined(__AVX512F__)
#define VL 8
typedef __m512i vec;
ALWAYS_INLINE vec splat(int64_t v) { return _mm512_set1_epi64(v); }
ALWAYS_INLINE vec add(vec a, vec b) { return _mm512_add_epi64(a, b); }
ALWAYS_INLINE vec sub(vec a, vec b) { return _mm512_sub_epi64(a, b); }
ALWAYS_INLINE vec and_(vec a, vec b) { return _mm512_and_si512(a, b); }
ALWAYS_INLINE vec sra(vec a, int s) { return _mm512_srai_epi64(a, (unsigned)s); }
ALWAYS_INLINE vec srl(vec a, int s) { return _mm512_srli_epi64(a, (unsigned)s); }
ALWAYS_INLINE vec sll(vec a, int s) { return _mm512_slli_epi64(a, (unsigned)s); }
ALWAYS_INLINE vec sllv(vec a, vec s) { return _mm512_sllv_epi64(a, s); }
ALWAYS_INLINE vec srlv(vec a, vec s) { return _mm512_srlv_epi64(a, s); }
/* floor(log2 m) for 0 < m < 2^52: the exponent of m as a double (exact) */
ALWAYS_INLINE vec ilog2(vec m) {
  const __m512i magic = _mm512_set1_epi64(0x4330000000000000);
  __m512d d = _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(m, magic)),
                            _mm512_castsi512_pd(magic));
  return _mm512_sub_epi64(_mm512_srli_epi64(_mm512_castpd_si512(d), 52), _mm512_set1_epi64(1023));
}
ALWAYS_INLINE vec mul_s32(vec a, vec b) { return _mm512_mul_epi32(a, b); }
ALWAYS_INLINE vec mul_u32(vec a, vec b) { return _mm512_mul_epu32(a, b); }
ALWAYS_INLINE vec min_(vec a, vec b) { return _mm512_min_epi64(a, b); }
ALWAYS_INLINE vec max_(vec a, vec b) { return _mm512_max_epi64(a, b); }
/* m ? a : b, m from the comparisons below (all ones / zero per lane) */
typedef __mmask8 vmask;
ALWAYS_INLINE vec sel(vmask m, vec a, vec b) { return _mm512_mask_blend_epi64(m, b, a); }
ALWAYS_INLINE vmask eq0(vec a) { return _mm512_testn_epi64_mask(a, a); }
ALWAYS_INLINE vmask gt(vec a, vec b) { return _mm512_cmpgt_epi64_mask(a, b); }
ALWAYS_INLINE vec gather(const void *base, vec idx) {
  return _mm512_i64gather_epi64(idx, base, 8);
}
ALWAYS_INLINE vec load_s32(const int32_t *p) {
  return _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)p));
}
ALWAYS_INLINE vec load_u32(const uint32_t *p) {
  return _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)p));
}
ALWAYS_INLINE vec load_s8(const int8_t *p) { /* VL bytes */
  return _mm512_cvtepi8_epi64(_mm_loadl_epi64((const __m128i *)p));
}
ALWAYS_INLINE void store_64(int64_t *p, vec v) { _mm512_storeu_si512(p, v); }
ALWAYS_INLINE void store_32(void *p, vec v) {
  _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi64_epi32(v));
}
#elif defined(__AVX2__)
#define VL 4
typedef __m256i vec;
ALWAYS_INLINE vec splat(int64_t v) { return _mm256_set1_epi64x(v); }
ALWAYS_INLINE vec add(vec a, vec b) { return _mm256_add_epi64(a, b); }
ALWAYS_INLINE vec sub(vec a, vec b) { return _mm256_sub_epi64(a, b); }
ALWAYS_INLINE vec and_(vec a, vec b) { return _mm256_and_si256(a, b); }
ALWAYS_INLINE vec srl(vec a, int s) { return _mm256_srli_epi64(a, s); }
ALWAYS_INLINE vec sll(vec a, int s) { return _mm256_slli_epi64(a, s); }
/* AVX2 has no 64-bit arithmetic shift: flip negative lanes, shift, flip back. */
ALWAYS_INLINE vec sra(vec a, int s) {
  vec sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), a);
  return _mm256_xor_si256(_mm256_srli_epi64(_mm256_xor_si256(a, sign), s), sign);
}
ALWAYS_INLINE vec sllv(vec a, vec s) { return _mm256_sllv_epi64(a, s); }
ALWAYS_INLINE vec srlv(vec a, vec s) { return _mm256_srlv_epi64(a, s); }
ALWAYS_INLINE vec ilog2(vec m) {
  const __m256i magic = _mm256_set1_epi64x(0x4330000000000000);
  __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(m, magic)),
                            _mm256_castsi256_pd(magic));
  return _mm256_sub_epi64(_mm256_srli_epi64(_mm256_castpd_si256(d), 52), _mm256_set1_epi64x(1023));
}
ALWAYS_INLINE vec mul_s32(vec a, vec b) { return _mm256_mul_epi32(a, b); }
ALWAYS_INLINE vec mul_u32(vec a, vec b) { return _mm256_mul_epu32(a, b); }
typedef __m256i vmask;
ALWAYS_INLINE vec sel(vmask m, vec a, vec b) { return _mm256_blendv_epi8(b, a, m); }
ALWAYS_INLINE vmask eq0(vec a) { return _mm256_cmpeq_epi64(a, _mm256_setzero_si256()); }
ALWAYS_INLINE vmask gt(vec a, vec b) { return _mm256_cmpgt_epi64(a, b); }
ALWAYS_INLINE vec min_(vec a, vec b) { return sel(gt(a, b), b, a); }
ALWAYS_INLINE vec max_(vec a, vec b) { return sel(gt(a, b), a, b); }
ALWAYS_INLINE vec gather(const void *base, vec idx) {
  return _mm256_i64gather_epi64((const long long *)base, idx, 8);
}
ALWAYS_INLINE vec load_s32(const int32_t *p) {
  return _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)p));
}
ALWAYS_INLINE vec load_u32(const uint32_t *p) {
  return _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)p));
}
ALWAYS_INLINE vec load_s8(const int8_t *p) { /* VL bytes */
  int32_t w;
  memcpy(&w, p, 4);
  return _mm256_cvtepi8_epi64(_mm_cvtsi32_si128(w));
}
ALWAYS_INLINE void store_64(int64_t *p, vec v) { _mm256_storeu_si256((__m256i *)p, v); }
ALWAYS_INLINE void store_32(void *p, vec v) {
  __m256i lo = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
  _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(lo));
}
#else
#error "simd_vec.h needs -mavx2 or -mavx512f"
#endif

ALWAYS_INLINE vec neg(vec a) { return sub(splat(0), a); }

/* R(v, s) (mpb_rshift) for any sign of v, |v| < 2^61. AVX2 has no 64-bit arithmetic
 * shift: there floor(v / 2^s) = ((v + 2^62) >> s, logical) - 2^(62-s), exactly, the bias
 * folded into the rounding constant. */
ALWAYS_INLINE vec R(vec v, int sh, mpb_rounding md) {
  if (sh <= 0) return v;
  int64_t k = md == MPB_ROUND_TRUNC     ? 0
              : md == MPB_ROUND_NEAREST ? INT64_C(1) << (sh - 1)
                                        : (INT64_C(1) << (sh - 1)) - 1;
  if (md == MPB_ROUND_EVEN) v = add(v, and_(srl(v, sh), splat(1))); /* + (floor is odd) */
#if VL == 4
  return sub(srl(add(v, splat(k + (INT64_C(1) << 62))), sh), splat(INT64_C(1) << (62 - sh)));
#else
  return sra(add(v, splat(k)), sh);
#endif
}
/* the same for v >= 0 */
ALWAYS_INLINE vec Rp(vec v, int sh, mpb_rounding md) {
  if (sh <= 0) return v;
  if (md == MPB_ROUND_TRUNC) return srl(v, sh);
  if (md == MPB_ROUND_NEAREST) return srl(add(v, splat(INT64_C(1) << (sh - 1))), sh);
  vec odd = and_(srl(v, sh), splat(1));
  return srl(add(add(v, splat((INT64_C(1) << (sh - 1)) - 1)), odd), sh);
}

/* R(v, s) for v >= 0 with a shift s in [1, 62] per lane */
ALWAYS_INLINE vec Rpv(vec v, vec sh, mpb_rounding md) {
  if (md == MPB_ROUND_TRUNC) return srlv(v, sh);
  vec half = sllv(splat(1), sub(sh, splat(1)));
  if (md == MPB_ROUND_NEAREST) return srlv(add(v, half), sh);
  vec odd = and_(srlv(v, sh), splat(1));
  return srlv(add(add(v, sub(half, splat(1))), odd), sh);
}

/* mpb_sat, mpb_wrap (bits < 64) */
ALWAYS_INLINE vec sat(vec v, int bits) {
  int64_t hi = (INT64_C(1) << (bits - 1)) - 1;
  return max_(min_(v, splat(hi)), splat(-hi - 1));
}
ALWAYS_INLINE vec wrap(vec v, int bits) {
  vec h = splat(INT64_C(1) << (bits - 1));
  return sub(and_(add(v, h), splat((INT64_C(1) << bits) - 1)), h);
}
/* mpb_align_residual */
ALWAYS_INLINE vec align_res(vec rr, int bits, int fw) {
  return bits >= fw ? srl(rr, bits - fw) : sll(rr, fw - bits);
}

#endif
