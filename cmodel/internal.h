/* internal.h — libmpb's private structures: the model (configuration + tables), the
 * pipeline slot that carries one operation through the stages of docs/architecture.md,
 * the stage table, and the action-counting helpers shared by the stage functions. */
#ifndef MPB_INTERNAL_H
#define MPB_INTERNAL_H

#include "mpb.h"

#define MPB_MAX_ORDER 8
#define MPB_MAX_STAGES (11 + 2 * MPB_MAX_ORDER)

struct mpb_model {
  mpb_config cfg;
  mpb_geometry geo;
  int npairs;          /* d/2                                        */
  int fw;              /* W-2: Horner fraction bits                  */
  int fl;              /* LW-6: log fraction bits                    */
  int ow;              /* XW+1+OF: rotated output width              */
  uint64_t *freq;      /* 2^JB entries, FT bits                      */
  int64_t *log_freq;   /* 2^JB entries, signed Q6.FL                 */
  int64_t *log_mant;   /* 2^T entries, Q6.FL                         */
  int64_t *exp_tab;    /* 2^H entries, Q2.FW                         */
  int64_t *cs_cos;     /* 2^S entries, Q2.FW                         */
  int64_t *cs_sin;
  int64_t *k_cs;       /* N entries, Q2.FW                           */
  int64_t *k_exp;
  struct mpb_stage *rope_st, *exp_st; /* stage tables, built once */
  int rope_L, exp_L;
};

/* Stage tables, built once per model (see mpb_model_stages). */
typedef struct mpb_stage mpb_stage;

/* Everything one operation carries through a pipeline (rope and exp units). */
typedef struct mpb_slot {
  uint32_t m, j;
  int32_t x, y;
  uint64_t t;              /* freq[j]                                  */
  uint64_t p;              /* phase, FT fraction bits of a turn        */
  bool z;                  /* LOG-ADD: m == 0                          */
  int64_t lambda;          /* LOG-ADD log word, or the exp unit's u    */
  int32_t ie;              /* integer part of lambda                   */
  int64_t e0;              /* exp[u_hi]                                */
  int64_t ulo;             /* exp residual, Q0.FW                      */
  int64_t acc;             /* real Horner accumulator / mantissa       */
  int q;                   /* quadrant                                 */
  int64_t ck, sk;          /* cs_cos[k], cs_sin[k]                     */
  int64_t r;               /* rope residual, Q0.FW                     */
  int64_t tn[MPB_MAX_ORDER + 1]; /* Horner terms, index n = 1..N      */
  int64_t a, b;            /* complex Horner accumulator               */
  int64_t c, s;            /* after CMUL                               */
  int32_t cos, sin, xr, yr;/* rope outputs                             */
  int32_t e;               /* exp outputs                              */
  uint32_t mant;
} mpb_slot;

typedef void (*mpb_stage_fn)(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c);

struct mpb_stage {
  mpb_stage_fn fn;
  int n;            /* Horner step for the Horner stages      */
  int reg_bits;     /* width of the register this stage loads */
  mpb_block blk;    /* block the register is charged to       */
  const char *name;
};

/* The model's stage table of a unit and its length L (built by mpb_model_new). */
const mpb_stage *mpb_model_stages(const mpb_model *mdl, mpb_unit unit, int *L);
/* Stage tables of the rope unit (per phi mode) and of the exp unit; returns L. */
int mpb_stages_rope(const mpb_model *mdl, mpb_stage *out);
int mpb_stages_exp(const mpb_model *mdl, mpb_stage *out);
/* Apply stages [from, to) to one slot, counting register writes. */
void mpb_stages_run(const mpb_model *mdl, const mpb_stage *st, int from, int to,
                    mpb_slot *s, mpb_counts *c);

/* Dot unit pieces shared by the functional and cycle-accurate paths. */
typedef struct mpb_dot_state {
  int64_t acc, wide;
  uint32_t cnt, sat, wrap;
} mpb_dot_state;
/* Register widths of the dot unit: R0 (beat), R1 (lane sum + last), R2 (result). */
#define MPB_DOT_R0_BITS(L) (16 * (L) + 1)
#define MPB_DOT_R1_BITS 23
#define MPB_DOT_R2_BITS 128
int64_t mpb_dot_beat_sum(const mpb_model *mdl, const mpb_dot_beat *beat, mpb_counts *c);
/* Accumulate one beat's sum; if last, fill *out and clear the state. */
void mpb_dot_accumulate(const mpb_model *mdl, mpb_dot_state *st, int64_t s, bool last,
                        mpb_dot_resp *out, mpb_counts *c);

/* Bit helpers: left shift of signed values without UB, masks, sign wrap, saturation. */
static inline int64_t mpb_shl(int64_t v, int s) { return (int64_t)((uint64_t)v << s); }
static inline uint64_t mpb_mask(int bits) {
  return bits >= 64 ? ~0ULL : ((1ULL << bits) - 1);
}
static inline int64_t mpb_wrap(int64_t v, int bits) {
  uint64_t u = (uint64_t)v & mpb_mask(bits);
  if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~mpb_mask(bits);
  return (int64_t)u;
}
static inline int64_t mpb_sat(int64_t v, int bits) {
  int64_t hi = (int64_t)(mpb_mask(bits - 1)), lo = -hi - 1;
  return v > hi ? hi : v < lo ? lo : v;
}

/* The rounding rule R(v, sh) of docs/architecture.md §2 (mpb_round_shift is this). */
static inline int64_t mpb_rshift(int64_t v, int sh, mpb_rounding mode) {
  if (sh <= 0) return v;
  if (sh > 62) return mode == MPB_ROUND_TRUNC && v < 0 ? -1 : 0; /* |v| < 2^62 always */
  int64_t q = v >> sh; /* floor: arithmetic shift */
  if (mode == MPB_ROUND_NEAREST) return (v + (INT64_C(1) << (sh - 1))) >> sh;
  if (mode == MPB_ROUND_EVEN) {
    int64_t rem = v - mpb_shl(q, sh), half = INT64_C(1) << (sh - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
  }
  return q;
}

/* ---- the fast paths' per-element arithmetic --------------------------------------- *
 * The stages of docs/architecture.md §5-7 as straight-line code with no counting: the
 * one definition used by the per-operation fast paths (cmodel/fast.c) and the scalar
 * batched paths (cmodel/batch.c, cmodel/gemm.c). Bit-identical to the stage chain
 * (tests/cmodel_pipe_test.cc, tests/cmodel_batch_test.cc). The byte-sliced products of
 * PHASE and ROTATE are replaced by the wide products they are equal to (dropped partial
 * products of PHASE are multiples of 2^FT). 'md' is the configured rounding, passed
 * separately so that a caller looping over many elements can make it a constant. */

/* Align a residual of 'bits' bits to FW fraction bits (truncating). */
static inline int64_t mpb_align_residual(uint64_t rr, int bits, int fw) {
  return bits >= fw ? (int64_t)(rr >> (bits - fw)) : (int64_t)(rr << (fw - bits));
}

/* FREQ, PHASE (EXACT): p = (m * freq[j]) mod 2^FT; m, j at pin width. */
static inline uint64_t mpb_fast_phase_exact(const mpb_model *mdl, uint32_t m, uint32_t j) {
  return ((uint64_t)m * mdl->freq[j]) & mpb_mask(mdl->cfg.freq_frac_bits);
}

/* The real Horner chain EXP_SPLIT .. EXP_MUL on lambda (fl fraction bits): returns mant
 * (Q2.FW plus the carry bit of §5.2) and the integer part in *ie. */
static inline int64_t mpb_fast_exp_chain(const mpb_model *mdl, int64_t lambda, int fl,
                                         mpb_rounding md, int32_t *ie) {
  const int fw = mdl->fw, H = mdl->cfg.exp_table_bits, rb = fl - H;
  const int64_t one = INT64_C(1) << fw;
  *ie = (int32_t)(lambda >> fl);
  uint64_t uf = (uint64_t)lambda & mpb_mask(fl);
  uint64_t uhi = H > 0 ? uf >> rb : 0;
  int64_t ulo = mpb_align_residual(uf & mpb_mask(rb), rb, fw);
  int64_t acc = one;
  for (int n = mdl->cfg.horner_order; n >= 1; n--) {
    int64_t t = mpb_rshift(mdl->k_exp[n - 1] * ulo, fw, md);
    acc = one + mpb_rshift(t * acc, fw, md);
  }
  return mpb_rshift(mdl->exp_tab[uhi] * acc, fw, md);
}

/* LOG, the real Horner chain and PHASE of LOG-ADD mode (§5.2): the phase p. */
static inline uint64_t mpb_fast_phase_logadd(const mpb_model *mdl, uint32_t m, uint32_t j,
                                             mpb_rounding md) {
  const mpb_config *c = &mdl->cfg;
  if (m == 0) return 0; /* z: the phase register loads 0 */
  const int T = c->log_mant_bits, ft = c->freq_frac_bits;
  int e = 31 - __builtin_clz(m);
  uint32_t f = m - (1u << e);
  uint32_t idx = e >= T ? f >> (e - T) : f << (T - e);
  int64_t lambda =
      mpb_wrap(mpb_shl(e, mdl->fl) + mdl->log_mant[idx] + mdl->log_freq[j], c->log_word_bits);
  int32_t ie;
  int64_t mant = mpb_fast_exp_chain(mdl, lambda, mdl->fl, md, &ie);
  int sh = ft - mdl->fw + ie;
  uint64_t p;
  if (sh >= 0)
    p = sh >= 64 ? 0 : (uint64_t)mant << sh;
  else
    p = (uint64_t)mpb_rshift(mant, -sh, md);
  return p & mpb_mask(ft);
}

/* RANGE, TERMS, HORNER, CMUL, OUT, ROTATE from the phase p; x, y at pin width. */
static inline void mpb_fast_rope_back(const mpb_model *mdl, uint64_t p, int64_t x, int64_t y,
                                      mpb_rounding md, mpb_rope_resp *out) {
  const mpb_config *c = &mdl->cfg;
  const int fw = mdl->fw, ft = c->freq_frac_bits, S = c->cs_table_bits, rb = ft - 2 - S;
  const int64_t one = INT64_C(1) << fw;
  /* RANGE */
  int q = (int)((p >> (ft - 2)) & 3);
  uint32_t k = (uint32_t)((p >> rb) & mpb_mask(S));
  int64_t r = mpb_align_residual(p & mpb_mask(rb), rb, fw);
  int64_t ck = mdl->cs_cos[k], sk = mdl->cs_sin[k];
  /* TERMS and the complex Horner steps n = N..1 */
  int64_t a = one, b = 0;
  for (int n = c->horner_order; n >= 1; n--) {
    int64_t t = mpb_rshift(mdl->k_cs[n - 1] * r, fw, md);
    int64_t a2 = one - mpb_rshift(t * b, fw, md);
    b = mpb_rshift(t * a, fw, md);
    a = a2;
  }
  /* CMUL */
  int64_t cc = mpb_rshift(ck * a - sk * b, fw, md);
  int64_t ss = mpb_rshift(sk * a + ck * b, fw, md);
  /* OUT */
  int64_t cq, sq;
  switch (q) {
  case 0: cq = cc; sq = ss; break;
  case 1: cq = -ss; sq = cc; break;
  case 2: cq = -cc; sq = -ss; break;
  default: cq = ss; sq = -cc; break;
  }
  int cw = c->cs_bits, sh = fw - (cw - 1);
  int64_t cs = mpb_sat(mpb_rshift(cq, sh, md), cw), sn = mpb_sat(mpb_rshift(sq, sh, md), cw);
  /* ROTATE */
  int sh2 = cw - 1 - c->rot_frac_bits;
  out->cos = (int32_t)cs;
  out->sin = (int32_t)sn;
  out->xr = (int32_t)mpb_sat(mpb_rshift(x * cs - y * sn, sh2, md), mdl->ow);
  out->yr = (int32_t)mpb_sat(mpb_rshift(x * sn + y * cs, sh2, md), mdl->ow);
}

/* The whole rope unit, either phi mode; inputs cut to their pin widths as R0 does. */
static inline void mpb_fast_rope(const mpb_model *mdl, uint32_t m, uint32_t j, int32_t x,
                                 int32_t y, mpb_rounding md, mpb_rope_resp *out) {
  const mpb_config *c = &mdl->cfg;
  m &= (uint32_t)mpb_mask(c->pos_bits);
  j &= (uint32_t)mpb_mask(c->pair_bits);
  uint64_t p = c->phi_mode == MPB_PHI_EXACT ? mpb_fast_phase_exact(mdl, m, j)
                                            : mpb_fast_phase_logadd(mdl, m, j, md);
  mpb_fast_rope_back(mdl, p, mpb_wrap(x, c->x_bits), mpb_wrap(y, c->x_bits), md, out);
}

/* The whole exp unit (§6): EXP chain on the 24-bit u, then NORM. */
static inline void mpb_fast_exp(const mpb_model *mdl, int32_t u, mpb_rounding md,
                                mpb_exp_resp *out) {
  int32_t ie;
  int64_t mant = mpb_fast_exp_chain(mdl, mpb_wrap(u, 24), MPB_EXP_IN_FRAC, md, &ie);
  int64_t m16 = mpb_rshift(mant, mdl->fw - MPB_EXP_MANT_FRAC, md);
  if (m16 >= (INT64_C(1) << (MPB_EXP_MANT_FRAC + 1))) {
    out->mant = 1u << MPB_EXP_MANT_FRAC;
    out->e = ie + 1;
  } else {
    out->mant = (uint32_t)m16;
    out->e = ie;
  }
}

/* The dot unit's accumulator add (§7 step 1): acc + v into A bits, wrapped or
 * saturated; *event set on overflow. mpb_mac8_acc is this. */
static inline int64_t mpb_acc_add(int64_t acc, int64_t v, int acc_bits, mpb_overflow mode,
                                  bool *event) {
  int64_t s = acc + v, r = mode == MPB_OVF_SAT ? mpb_sat(s, acc_bits) : mpb_wrap(s, acc_bits);
  *event = (r != s);
  return r;
}

/* One beat's accumulator update (§7 steps 1-2) on the state; returns true when the beat
 * promoted acc into wide. */
static inline bool mpb_dot_step(const mpb_config *cfg, mpb_dot_state *st, int64_t s) {
  bool ev;
  st->acc = mpb_acc_add(st->acc, s, cfg->acc_bits, cfg->acc_overflow, &ev);
  if (ev) {
    if (cfg->acc_overflow == MPB_OVF_SAT)
      st->sat++;
    else
      st->wrap++;
  }
  st->cnt += (uint32_t)cfg->mac_lanes;
  if (cfg->promote_interval > 0 && st->cnt == (uint32_t)cfg->promote_interval) {
    st->wide += st->acc;
    st->acc = 0;
    st->cnt = 0;
    return true;
  }
  return false;
}

/* Straight-line functional rope evaluation (either phi mode, no counting). */
void mpb_rope_eval_fast(const mpb_model *mdl, const mpb_rope_req *in, mpb_rope_resp *out);
/* The same for the exp unit (docs/architecture.md §6). */
void mpb_exp_eval_fast(const mpb_model *mdl, const mpb_exp_req *in, mpb_exp_resp *out);

/* Action counting (c may be NULL). */
static inline void cnt_mul(mpb_counts *c, mpb_block b, int wa, int wb) {
  if (!c) return;
  c->blk[b].mul_ops++;
  c->blk[b].mul_bitprod += (uint64_t)(wa * wb);
}
static inline void cnt_add(mpb_counts *c, mpb_block b, int w) {
  if (!c) return;
  c->blk[b].add_ops++;
  c->blk[b].add_bits += (uint64_t)w;
}
static inline void cnt_rom(mpb_counts *c, mpb_block b, int w) {
  if (!c) return;
  c->blk[b].rom_reads++;
  c->blk[b].rom_bits += (uint64_t)w;
}
/* Toggle count of an operand bus: bit flips since the bus's previous value. */
static inline void cnt_bus(mpb_counts *c, mpb_block b, int site, int64_t v, int w) {
  if (!c) return;
  uint64_t cur = (uint64_t)v & mpb_mask(w);
  c->blk[b].toggles += (uint64_t)__builtin_popcountll(cur ^ c->bus_prev[site]);
  c->bus_prev[site] = cur;
}

/* Operand-bus sites for toggle counting. */
enum {
  SITE_PHASE_M = 0, SITE_PHASE_T, SITE_TERMS_R, SITE_CMUL_CK, SITE_CMUL_SK, SITE_CMUL_A,
  SITE_CMUL_B, SITE_ROT_X, SITE_ROT_Y, SITE_ROT_C, SITE_ROT_S, SITE_LOG_L, SITE_EXP_U,
  SITE_EXP_E0, SITE_EXP_ACC, SITE_PHASE_MANT,
  SITE_H_T = 16,                       /* + n: complex Horner t_n   */
  SITE_H_A = SITE_H_T + 9,             /* + n: complex Horner a     */
  SITE_H_B = SITE_H_A + 9,             /* + n: complex Horner b     */
  SITE_E_T = SITE_H_B + 9,             /* + n: real Horner t_n      */
  SITE_E_ACC = SITE_E_T + 9,           /* + n: real Horner acc      */
  SITE_DOT_A = 64,                     /* + lane                    */
  SITE_DOT_B = SITE_DOT_A + 64,        /* + lane                    */
  /* pipe: the IN register's fields (rope m, j, x, y; exp u; dot: SITE_DOT_LAST) */
  SITE_IN_M = SITE_DOT_B + 64, SITE_IN_J, SITE_IN_X, SITE_IN_Y, SITE_IN_U,
  /* loglut: the address input of each table ROM */
  SITE_ADDR_FREQ, SITE_ADDR_COS, SITE_ADDR_SIN, SITE_ADDR_LOGF, SITE_ADDR_LOGM,
  SITE_ADDR_EXP,
  /* range: RANGE's phase input, OUT's q, c, s; LOG-ADD PHASE's z, ie, mant */
  SITE_RANGE_P, SITE_OUT_Q, SITE_OUT_C, SITE_OUT_S, SITE_LPH_Z, SITE_LPH_IE,
  SITE_LPH_MANT,
  /* pipe: the dot unit's R0 last bit (its a and b fields are the SITE_DOT_* buses) */
  SITE_DOT_LAST,
  /* pack16: product and running-sum inputs of each PACK16 adder; + byte pair
     (PHASE: a*nbt + b < 24; ROTATE: 24 + 6*product + a*nw + b < 48) */
  SITE_PK_PROD = SITE_IN_M + 20,
  SITE_PK_ACC = SITE_PK_PROD + 48,
  SITE_COUNT = SITE_PK_ACC + 48
};
_Static_assert(SITE_DOT_LAST < SITE_PK_PROD, "toggle sites overlap");
_Static_assert(SITE_COUNT <= sizeof(((mpb_counts *)0)->bus_prev) / sizeof(uint64_t),
               "mpb_counts.bus_prev too small for the toggle sites");

#endif
