/* batch_simd.h — the rope and exp units on vectors of int64 lanes: the arithmetic of
 * internal.h's mpb_fast_rope / mpb_fast_exp, lane by lane, written once and compiled
 * twice: by batch_avx512.c (8 lanes, zmm) and batch_avx2.c (4 lanes, ymm), each defining
 * MPB_SIMD_SUFFIX first. Private to libmpb.
 *
 * Every product is formed exactly with a 32x32->64 multiply (vpmuldq/vpmuludq), which
 * holds because each operand fits 32 bits (docs/architecture.md §2-6):
 *  - table words, r', u_lo', the Horner terms t_n and the complex Horner pair (a, b) are
 *    W-bit values in [0, 2^(W-1)), W <= 32: t_n >= 0 (k >= 0, r' >= 0), and by induction
 *    over the steps a in [0.6, 1] ONE, b in [0, 0.4] ONE, since t_n <= C ONE <= 0.393 ONE;
 *  - the real Horner accumulator is non-negative and below 3.3 ONE < 2^32 (t_n <= ln2
 *    ONE), used with the unsigned multiply;
 *  - ROTATE multiplies x (16 bits) by cos/sin (24 bits); PHASE splits freq[j] (FT <= 56
 *    bits) into 32-bit halves and keeps the product mod 2^64, then mod 2^FT.
 * R(v, s) is formed with the same add-then-shift as mpb_rshift; s <= 46 here, |v| < 2^61
 * (products of 31-bit magnitudes, sums of two). */
#ifndef MPB_BATCH_SIMD_H
#define MPB_BATCH_SIMD_H

#include <immintrin.h>

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
ALWAYS_INLINE void store_32(void *p, vec v) {
  __m256i lo = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
  _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(lo));
}
#else
#error "batch_simd.h needs -mavx2 or -mavx512f"
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

/* The real Horner chain on lambda (fl fraction bits): mant and *ie (mpb_fast_exp_chain). */
ALWAYS_INLINE vec exp_chain(const mpb_model *mdl, vec lambda, int fl, mpb_rounding md,
                            vec *ie) {
  const mpb_config *c = &mdl->cfg;
  const int fw = mdl->fw, H = c->exp_table_bits, rb = fl - H;
  const vec one = splat(INT64_C(1) << fw);
  *ie = sra(lambda, fl);
  vec uf = and_(lambda, splat((INT64_C(1) << fl) - 1));
  vec uhi = H > 0 ? srl(uf, rb) : splat(0);
  vec ulo = align_res(and_(uf, splat((INT64_C(1) << rb) - 1)), rb, fw);
  vec acc = one;
  for (int k = c->horner_order; k >= 1; k--) {
    vec t = Rp(mul_u32(splat(mdl->k_exp[k - 1]), ulo), fw, md);
    acc = add(one, Rp(mul_u32(t, acc), fw, md));
  }
  return Rp(mul_u32(gather(mdl->exp_tab, uhi), acc), fw, md);
}

/* LOG, the real Horner chain and PHASE of LOG-ADD mode (mpb_fast_phase_logadd); m, j at
 * pin width. The leading one of m comes from its exponent as a double (exact: m < 2^24);
 * PHASE shifts each lane by its own sh = FT - FW + ie in [-46, 72]: left shifts of 64 or
 * more give 0, right shifts are at most 46. */
ALWAYS_INLINE vec phase_logadd(const mpb_model *mdl, vec m, vec j, mpb_rounding md) {
  const mpb_config *c = &mdl->cfg;
  const int T = c->log_mant_bits, ft = c->freq_frac_bits;
  vmask z = eq0(m);
  vec e = ilog2(m);
  e = sel(z, splat(0), e); /* m = 0: leading one 0, f = 0, idx 0 (ROM address driven) */
  vec f = sub(m, sllv(splat(1), e));
  f = sel(z, splat(0), f);
  vec idx = sel(gt(e, splat(T - 1)), srlv(f, sub(e, splat(T))), sllv(f, sub(splat(T), e)));
  vec lambda = wrap(add(add(sll(e, mdl->fl), gather(mdl->log_mant, idx)), gather(mdl->log_freq, j)),
                    c->log_word_bits);
  vec ie, mant = exp_chain(mdl, lambda, mdl->fl, md, &ie);
  vec sh = add(splat(ft - mdl->fw), ie);
  vec left = sllv(mant, sel(gt(splat(0), sh), splat(0), sh)); /* count >= 64 gives 0 */
  vec right = Rpv(mant, sub(splat(0), sh), md);
  vec p = and_(sel(gt(splat(0), sh), right, left), splat((INT64_C(1) << ft) - 1));
  return sel(z, splat(0), p);
}

/* RANGE .. ROTATE on VL phases (mpb_fast_rope_back). */
ALWAYS_INLINE void rope_back(const mpb_model *mdl, vec p, vec x, vec y, mpb_rounding md,
                             vec out[4]) {
  const mpb_config *c = &mdl->cfg;
  const int fw = mdl->fw, ft = c->freq_frac_bits, S = c->cs_table_bits, rb = ft - 2 - S;
  const vec one = splat(INT64_C(1) << fw);
  vec q = and_(srl(p, ft - 2), splat(3));
  vec k = and_(srl(p, rb), splat((INT64_C(1) << S) - 1));
  vec r = align_res(and_(p, splat((INT64_C(1) << rb) - 1)), rb, fw);
  vec ck = gather(mdl->cs_cos, k), sk = gather(mdl->cs_sin, k);
  vec a = one, b = splat(0);
  for (int n = c->horner_order; n >= 1; n--) {
    vec t = Rp(mul_s32(splat(mdl->k_cs[n - 1]), r), fw, md);
    vec a2 = sub(one, Rp(mul_s32(t, b), fw, md));
    b = Rp(mul_s32(t, a), fw, md);
    a = a2;
  }
  vec cc = R(sub(mul_s32(ck, a), mul_s32(sk, b)), fw, md);
  vec ss = Rp(add(mul_s32(sk, a), mul_s32(ck, b)), fw, md); /* all four >= 0 */
  /* OUT: odd quadrants give (-s, c), quadrants 2 and 3 negate both */
  vmask even = eq0(and_(q, splat(1))), lowq = eq0(and_(q, splat(2)));
  vec c1 = sel(even, cc, neg(ss)), s1 = sel(even, ss, cc);
  vec cq = sel(lowq, c1, neg(c1)), sq = sel(lowq, s1, neg(s1));
  const int cw = c->cs_bits, sh = fw - (cw - 1), sh2 = cw - 1 - c->rot_frac_bits;
  vec cs = sat(R(cq, sh, md), cw), sn = sat(R(sq, sh, md), cw);
  out[0] = cs;
  out[1] = sn;
  out[2] = sat(R(sub(mul_s32(x, cs), mul_s32(y, sn)), sh2, md), mdl->ow);
  out[3] = sat(R(add(mul_s32(x, sn), mul_s32(y, cs)), sh2, md), mdl->ow);
}

ALWAYS_INLINE size_t rope_kernel(const mpb_model *mdl, size_t n, const mpb_rope_io *io,
                                 mpb_phi_mode phi, mpb_rounding md) {
  const mpb_config *c = &mdl->cfg;
  const vec mmask = splat((INT64_C(1) << c->pos_bits) - 1);
  const vec jmask = splat((INT64_C(1) << c->pair_bits) - 1);
  const vec pmask = splat((INT64_C(1) << c->freq_frac_bits) - 1);
  size_t i = 0;
  for (; i + VL <= n; i += VL) {
    vec m = and_(load_u32(io->m + i), mmask), j = and_(load_u32(io->j + i), jmask);
    vec x = io->x ? wrap(load_s32(io->x + i), c->x_bits) : splat(0);
    vec y = io->y ? wrap(load_s32(io->y + i), c->x_bits) : splat(0);
    vec p;
    if (phi == MPB_PHI_EXACT) {
      /* PHASE: m * freq[j] mod 2^64 from the 32-bit halves of freq[j], then mod 2^FT */
      vec t = gather(mdl->freq, j);
      p = and_(add(mul_u32(m, t), sll(mul_u32(m, srl(t, 32)), 32)), pmask);
    } else {
      p = phase_logadd(mdl, m, j, md);
    }
    vec o[4];
    rope_back(mdl, p, x, y, md, o);
    if (io->cos) store_32(io->cos + i, o[0]);
    if (io->sin) store_32(io->sin + i, o[1]);
    if (io->xr) store_32(io->xr + i, o[2]);
    if (io->yr) store_32(io->yr + i, o[3]);
  }
  return i;
}

ALWAYS_INLINE size_t exp_kernel(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                                uint32_t *mant, mpb_rounding md) {
  const int fw = mdl->fw;
  size_t i = 0;
  for (; i + VL <= n; i += VL) {
    vec ie, mt = exp_chain(mdl, wrap(load_s32(u + i), 24), MPB_EXP_IN_FRAC, md, &ie);
    vec m16 = Rp(mt, fw - MPB_EXP_MANT_FRAC, md);
    vmask big = gt(m16, splat((INT64_C(1) << (MPB_EXP_MANT_FRAC + 1)) - 1));
    if (mant) store_32(mant + i, sel(big, splat(INT64_C(1) << MPB_EXP_MANT_FRAC), m16));
    if (e) store_32(e + i, sel(big, add(ie, splat(1)), ie));
  }
  return i;
}

/* The entry points, one instantiation per rounding mode. */
size_t CAT(mpb_rope_batch_, MPB_SIMD_SUFFIX)(const mpb_model *mdl, size_t n,
                                             const mpb_rope_io *io) {
  mpb_phi_mode phi = mdl->cfg.phi_mode;
  switch (mdl->cfg.rounding) {
  case MPB_ROUND_TRUNC:
    return phi == MPB_PHI_EXACT ? rope_kernel(mdl, n, io, MPB_PHI_EXACT, MPB_ROUND_TRUNC)
                                : rope_kernel(mdl, n, io, MPB_PHI_LOGADD, MPB_ROUND_TRUNC);
  case MPB_ROUND_NEAREST:
    return phi == MPB_PHI_EXACT ? rope_kernel(mdl, n, io, MPB_PHI_EXACT, MPB_ROUND_NEAREST)
                                : rope_kernel(mdl, n, io, MPB_PHI_LOGADD, MPB_ROUND_NEAREST);
  default:
    return phi == MPB_PHI_EXACT ? rope_kernel(mdl, n, io, MPB_PHI_EXACT, MPB_ROUND_EVEN)
                                : rope_kernel(mdl, n, io, MPB_PHI_LOGADD, MPB_ROUND_EVEN);
  }
}

size_t CAT(mpb_exp_batch_, MPB_SIMD_SUFFIX)(const mpb_model *mdl, size_t n, const int32_t *u,
                                            int32_t *e, uint32_t *mant) {
  switch (mdl->cfg.rounding) {
  case MPB_ROUND_TRUNC: return exp_kernel(mdl, n, u, e, mant, MPB_ROUND_TRUNC);
  case MPB_ROUND_NEAREST: return exp_kernel(mdl, n, u, e, mant, MPB_ROUND_NEAREST);
  default: return exp_kernel(mdl, n, u, e, mant, MPB_ROUND_EVEN);
  }
}

#endif
