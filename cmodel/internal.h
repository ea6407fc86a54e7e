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

/* Straight-line functional rope evaluation (EXACT mode, no counting); bit-identical to
 * the stage chain, checked by tests/cmodel_pipe_test.cc. */
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
