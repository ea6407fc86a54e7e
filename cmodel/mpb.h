/* mpb.h — public API of libmpb, the golden model of the mixed-precision bridge.
 *
 * The datapath it models is specified in docs/architecture.md; every format, rounding
 * rule, latency and parameter range named here is defined there once. Three units:
 *   rope  — position m, pair j, (x, y)  ->  cos/sin (Q1.15) and the rotated pair,
 *   exp2  — u (Q8.16, log2 domain)      ->  2^u as exponent + UQ1.15 mantissa,
 *   dot   — MAC8 lanes: int8 dot products with an A-bit accumulator, wrap/saturate,
 *           promotion every P products.
 * Each unit has a fast functional path (mpb_*_eval) and a cycle-accurate pipeline
 * (mpb_*_pipe) with valid/ready handshakes; both give identical values.
 *
 * Errors are returned, never printed: functions that can fail take a char *err buffer
 * and return a non-zero mpb_status.
 */
#ifndef MPB_H
#define MPB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPB_VERSION "0.1.0"

typedef enum { MPB_OK = 0, MPB_EINVAL = 1, MPB_ENOMEM = 2, MPB_EIO = 3 } mpb_status;

/* ---- configuration ----------------------------------------------------------------- */
typedef enum { MPB_PHI_EXACT = 0, MPB_PHI_LOGADD = 1 } mpb_phi_mode;
typedef enum { MPB_ROUND_TRUNC = 0, MPB_ROUND_NEAREST = 1, MPB_ROUND_EVEN = 2 } mpb_rounding;
typedef enum { MPB_OVF_WRAP = 0, MPB_OVF_SAT = 1 } mpb_overflow;
typedef enum { MPB_PAIR_INTERLEAVED = 0, MPB_PAIR_HALF = 1 } mpb_pairing;

/* Datapath parameters. Ranges and defaults: docs/architecture.md §Parameters, and the
 * table in cmodel/config.c (the one place they are written down in code). */
typedef struct mpb_config {
  mpb_phi_mode phi_mode;  /* how phi is formed                                        */
  int pos_bits;           /* M:  position width                                       */
  int pair_bits;          /* JB: pair-index width (table depth 2^JB)                  */
  int freq_frac_bits;     /* FT: fraction bits of t_j = theta_j/2pi and of the phase  */
  int cs_table_bits;      /* S:  cos/sin table has 2^S entries per quarter turn       */
  int exp_table_bits;     /* H:  2^(k/2^H) table has 2^H entries                      */
  int horner_order;       /* N:  Taylor order of both Horner units                    */
  int horner_width;       /* W:  Horner word, signed Q2.(W-2)                         */
  int cs_bits;            /* CW: cos/sin output, signed Q1.(CW-1)                     */
  int x_bits;             /* XW: rotate input width (8 or 16)                         */
  int rot_frac_bits;      /* OF: fraction bits of the rotated output                  */
  mpb_rounding rounding;  /* rounding of every narrowing step in the datapath         */
  int log_word_bits;      /* LW: LOG-ADD log word, signed Q6.(LW-6)                   */
  int log_mant_bits;      /* T:  log2(1+f) table has 2^T entries (LOG-ADD)            */
  int acc_bits;           /* A:  MAC8 accumulator width                               */
  mpb_overflow acc_overflow;
  int promote_interval;   /* P:  products between promotions (0 = never)              */
  int mac_lanes;          /* L:  MAC8 lanes per cycle                                 */
  double clock_mhz;       /* clock for power figures                                  */
} mpb_config;

void mpb_config_default(mpb_config *cfg);
/* The "patent-literal" configuration: LOG-ADD with 16-bit log words, order-3 Horner. */
void mpb_config_patent_literal(mpb_config *cfg);
/* Check every parameter's range and the cross-parameter constraints. On failure writes
 * "parameter NAME = VALUE is out of range [LO, HI]" (or the violated constraint). */
mpb_status mpb_config_validate(const mpb_config *cfg, char *err, size_t errlen);
/* Set one parameter by name from text ("horner_order", "7"); validates the value. */
mpb_status mpb_config_set(mpb_config *cfg, const char *name, const char *value, char *err,
                          size_t errlen);
/* Read a libconfig file; unknown keys and bad values are errors naming file:line. */
mpb_status mpb_config_load(mpb_config *cfg, const char *path, char *err, size_t errlen);
/* Write the resolved configuration in the same libconfig syntax. */
int mpb_config_write(const mpb_config *cfg, FILE *f);

/* Parameter metadata, for CLIs, sweeps and reports. */
typedef struct mpb_param_info {
  const char *name;
  const char *doc;
  long lo, hi, def;            /* integer range; enums use their index             */
  const char *const *choices;  /* NULL-terminated names for enum parameters, or NULL */
} mpb_param_info;
size_t mpb_param_count(void);
const mpb_param_info *mpb_param_get(size_t i);
/* Current value of parameter i as text ("exact", "24", "1000"). */
void mpb_param_format(const mpb_config *cfg, size_t i, char *buf, size_t len);

/* ---- workload geometry ------------------------------------------------------------- */
typedef struct mpb_geometry {
  int head_dim;         /* d, even, 2..1024; pairs = d/2 must fit 2^pair_bits */
  double base;          /* RoPE base (rope_theta), > 1                        */
  mpb_pairing pairing;  /* which vector elements form pair j                  */
} mpb_geometry;

mpb_status mpb_geometry_validate(const mpb_geometry *g, const mpb_config *cfg, char *err,
                                 size_t errlen);
/* Vector indices of pair j: interleaved (2j, 2j+1), half-split (j, j+d/2). */
void mpb_pair_index(const mpb_geometry *g, int j, int *ix, int *iy);

/* ---- model: configuration + tables (LOGLUT) ---------------------------------------- */
typedef struct mpb_model mpb_model;

mpb_model *mpb_model_new(const mpb_config *cfg, const mpb_geometry *g, char *err,
                         size_t errlen);
void mpb_model_free(mpb_model *mdl);
const mpb_config *mpb_model_config(const mpb_model *mdl);
const mpb_geometry *mpb_model_geometry(const mpb_model *mdl);

/* Table export for the RTL ($readmemh, one hex word per line) and for inspection.
 * Names: "freq", "log_freq", "log_mant", "exp", "cs_cos", "cs_sin", "k_cs", "k_exp". */
mpb_status mpb_table_write_memh(const mpb_model *mdl, const char *table, const char *path,
                                char *err, size_t errlen);
/* Entry count and word width (bits) of a table; 0 entries for an unknown name. */
size_t mpb_table_size(const mpb_model *mdl, const char *table, int *width_bits);
int64_t mpb_table_entry(const mpb_model *mdl, const char *table, size_t i);

/* ---- rope unit --------------------------------------------------------------------- */
typedef struct mpb_rope_req {
  uint32_t m;   /* position, < 2^pos_bits               */
  uint32_t j;   /* pair index, < head_dim/2             */
  int32_t x, y; /* pair to rotate, signed x_bits        */
} mpb_rope_req;

typedef struct mpb_rope_resp {
  int32_t cos, sin; /* signed Q1.(cs_bits-1)                       */
  int32_t xr, yr;   /* rotated pair, signed (x_bits+1+rot_frac_bits) with rot_frac_bits
                       fraction bits, in the input's integer units */
} mpb_rope_resp;

/* Action counts per block, for the energy model (docs/energy.md). */
typedef enum {
  MPB_BLK_MAC8 = 0, MPB_BLK_PACK16, MPB_BLK_LOGLUT, MPB_BLK_RANGE, MPB_BLK_HORNER,
  MPB_BLK_ROTATE, MPB_BLK_PIPE, MPB_NBLK
} mpb_block;
const char *mpb_block_name(mpb_block b);

typedef struct mpb_block_counts {
  uint64_t mul_ops;      /* multiplies                                          */
  uint64_t mul_bitprod;  /* sum over multiplies of wa*wb (operand widths)       */
  uint64_t add_ops;      /* adds/subtracts                                      */
  uint64_t add_bits;     /* sum over adds of the adder width                    */
  uint64_t rom_reads;    /* table reads                                         */
  uint64_t rom_bits;     /* bits read from tables                               */
  uint64_t reg_bits;     /* pipeline-register bits written                      */
  uint64_t toggles;      /* operand-bus bit flips at multiplier and adder inputs */
} mpb_block_counts;

typedef struct mpb_counts {
  mpb_block_counts blk[MPB_NBLK];
  uint64_t ops;            /* operations completed                              */
  uint64_t cycles;         /* clock edges (cycle-accurate path only)            */
  uint64_t active_cycles;  /* edges on which the pipeline advanced with data    */
  uint64_t stall_cycles;   /* edges held by back-pressure                       */
  uint64_t idle_cycles;    /* edges with an empty pipeline                      */
  uint64_t bus_prev[320];  /* internal: last value seen on each operand bus, for
                              the toggle counts (not added by mpb_counts_add)    */
} mpb_counts;

void mpb_counts_clear(mpb_counts *c);
void mpb_counts_add(mpb_counts *dst, const mpb_counts *src);

/* Fast functional path. counts may be NULL. */
void mpb_rope_eval(const mpb_model *mdl, const mpb_rope_req *in, mpb_rope_resp *out,
                   mpb_counts *counts);
/* cos/sin only, as doubles (value of the Q1.(CW-1) outputs); for error sweeps. */
void mpb_rope_cossin(const mpb_model *mdl, uint32_t m, uint32_t j, double *c, double *s);
/* Bound on |cos/sin error| of the rope unit for positions < m_max
 * (docs/architecture.md §10); +inf in LOG-ADD mode. */
double mpb_rope_error_bound(const mpb_config *cfg, uint32_t m_max);
/* Rotate a whole head vector v[d] (signed x_bits) at position m, out[d] raw outputs,
 * pairing elements by the geometry's convention, or by the one given per call. */
void mpb_rope_vector(const mpb_model *mdl, uint32_t m, const int32_t *v, int32_t *out,
                     mpb_counts *counts);
void mpb_rope_vector_paired(const mpb_model *mdl, mpb_pairing pairing, uint32_t m,
                            const int32_t *v, int32_t *out, mpb_counts *counts);

/* ---- exp2 unit --------------------------------------------------------------------- */
#define MPB_EXP_IN_FRAC 16 /* u is signed Q8.16 in 24 bits */
#define MPB_EXP_MANT_FRAC 15 /* mantissa is UQ1.15 in 16 bits, in [1, 2) */
typedef struct mpb_exp_req { int32_t u; } mpb_exp_req;
typedef struct mpb_exp_resp { int32_t e; uint32_t mant; } mpb_exp_resp; /* 2^u = mant*2^(e-15) */
void mpb_exp_eval(const mpb_model *mdl, const mpb_exp_req *in, mpb_exp_resp *out,
                  mpb_counts *counts);
double mpb_exp_value(const mpb_exp_resp *r);

/* ---- dot unit (MAC8 lanes) --------------------------------------------------------- */
typedef struct mpb_dot_beat {
  int8_t a[64], b[64]; /* mac_lanes operand pairs; unused lanes are ignored */
  bool last;           /* last beat of this dot product                     */
} mpb_dot_beat;
typedef struct mpb_dot_resp {
  int64_t sum;           /* wide register + accumulator at the end            */
  uint32_t sat_events;   /* accumulator saturations (saturate mode)           */
  uint32_t wrap_events;  /* accumulator overflows that wrapped (wrap mode)    */
} mpb_dot_resp;
/* Whole dot product of length n (split into beats of mac_lanes; tail lanes zero). */
void mpb_dot_eval(const mpb_model *mdl, const int8_t *a, const int8_t *b, size_t n,
                  mpb_dot_resp *out, mpb_counts *counts);

/* Building blocks, exposed for exhaustive tests. */
int32_t mpb_mac8_mul(int32_t a, bool a_signed, int32_t b, bool b_signed);
/* Accumulate v into an A-bit accumulator with wrap or saturate; *event set on overflow. */
int64_t mpb_mac8_acc(int64_t acc, int64_t v, int acc_bits, mpb_overflow mode, bool *event);
/* PACK16: hi * 2^shift + lo (hi signed, lo unsigned byte), exact. */
int64_t mpb_pack16(int64_t hi, uint32_t lo, int shift);
/* Round a two's-complement value right by sh bits with the given mode (sh >= 0). */
int64_t mpb_round_shift(int64_t v, int sh, mpb_rounding mode);

/* ---- batched functional paths ------------------------------------------------------ *
 * Many operations per call, bit-identical to the per-operation functional path for every
 * configuration (tests/cmodel_batch_test.cc), on a scalar path or a SIMD one.
 * Instruction set: each call has an _isa variant taking the ISA explicitly; the plain
 * call uses mpb_isa_default(). An ISA the CPU lacks is never run: the call falls back to
 * the widest supported ISA below it. There is no setter and no cached choice: the
 * functions keep no state between calls and are thread-safe for distinct outputs.
 * docs/architecture.md §9. */
typedef enum { MPB_ISA_SCALAR = 0, MPB_ISA_AVX2 = 1, MPB_ISA_AVX512 = 2 } mpb_isa;
#define MPB_NISA 3
/* "scalar", "avx2" (AVX2), "avx512" (AVX-512 F/BW/DQ/VL + VNNI); NULL for other values. */
const char *mpb_isa_name(mpb_isa isa);
/* Whether this CPU can run the ISA's code (scalar always). */
bool mpb_isa_supported(mpb_isa isa);
/* The widest ISA this CPU supports. */
mpb_isa mpb_isa_best(void);
/* Parse a name of mpb_isa_name; error "unknown ISA 'x' (expected scalar, avx2, avx512)". */
mpb_status mpb_isa_parse(const char *name, mpb_isa *isa, char *err, size_t errlen);
/* $MPB_ISA (read on every call, so a test can set and restore it) when it names an ISA,
 * clamped to the CPU's best; mpb_isa_best() when unset or not a name. Callers that make
 * many small calls read it once and use the _isa variants. */
mpb_isa mpb_isa_default(void);

/* n rotations; element i equals mpb_rope_eval(mdl, {m[i], j[i], x[i], y[i]}) (inputs
 * truncated to their pin widths exactly as the unit does), EXACT and LOG-ADD mode.
 * x and y may be NULL (read as 0: cos/sin only); any output pointer may be NULL. */
void mpb_rope_batch(const mpb_model *mdl, size_t n, const uint32_t *m, const uint32_t *j,
                    const int32_t *x, const int32_t *y,
                    int32_t *cos, int32_t *sin, int32_t *xr, int32_t *yr);
void mpb_rope_batch_isa(mpb_isa isa, const mpb_model *mdl, size_t n, const uint32_t *m,
                        const uint32_t *j, const int32_t *x, const int32_t *y,
                        int32_t *cos, int32_t *sin, int32_t *xr, int32_t *yr);
/* n exps; element i equals mpb_exp_eval(mdl, {u[i]}). Either output may be NULL. */
void mpb_exp_batch(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                   uint32_t *mant);
void mpb_exp_batch_isa(mpb_isa isa, const mpb_model *mdl, size_t n, const int32_t *u,
                       int32_t *e, uint32_t *mant);
/* Int8 GEMM through the dot unit: C[i*ldc + k] = mpb_dot_eval(mdl, A + i*lda, B + k*ldb,
 * K).sum for i < M, k < N (A is M x K row-major, B is N x K row-major, i.e. weight rows;
 * lda, ldb >= K, ldc >= N), with the unit's accumulator rules (acc_bits, wrap/sat,
 * promotion interval, mac_lanes beats). K = 0 is one empty beat: sum 0, no events.
 * events (may be NULL; row stride ldc like C): per element, sat_events + wrap_events of
 * that dot product. Allocates a packing buffer; if that fails it computes without one
 * (scalar, same bits). Single-threaded: callers split M or N across threads. */
void mpb_gemm_i8(const mpb_model *mdl, size_t M, size_t N, size_t K, const int8_t *A,
                 size_t lda, const int8_t *B, size_t ldb, int64_t *C, size_t ldc,
                 uint32_t *events);
void mpb_gemm_i8_isa(mpb_isa isa, const mpb_model *mdl, size_t M, size_t N, size_t K,
                     const int8_t *A, size_t lda, const int8_t *B, size_t ldb, int64_t *C,
                     size_t ldc, uint32_t *events);

/* ---- cycle-accurate pipelines ------------------------------------------------------ */
/* Per-cycle pins. Drive *_in, call mpb_X_pipe_eval() to read this cycle's outputs
 * (in_ready depends combinationally on out_ready), then mpb_X_pipe_clock() for the
 * rising edge. mpb_X_pipe_step() does both. */
typedef struct { bool in_valid; mpb_rope_req in; bool out_ready; } mpb_rope_pins_in;
typedef struct { bool in_ready; bool out_valid; mpb_rope_resp out; } mpb_rope_pins_out;
typedef struct { bool in_valid; mpb_exp_req in; bool out_ready; } mpb_exp_pins_in;
typedef struct { bool in_ready; bool out_valid; mpb_exp_resp out; } mpb_exp_pins_out;
typedef struct { bool in_valid; mpb_dot_beat in; bool out_ready; } mpb_dot_pins_in;
typedef struct { bool in_ready; bool out_valid; mpb_dot_resp out; } mpb_dot_pins_out;

typedef struct mpb_pipe mpb_pipe; /* one type for the three units */
typedef enum { MPB_UNIT_ROPE = 0, MPB_UNIT_EXP = 1, MPB_UNIT_DOT = 2 } mpb_unit;

mpb_pipe *mpb_pipe_new(const mpb_model *mdl, mpb_unit unit);
void mpb_pipe_free(mpb_pipe *p);
void mpb_pipe_reset(mpb_pipe *p);
/* How the pipeline computes; the pins behave identically on every cycle in both modes.
 * STAGES (default): registers R0..R(L-1) hold each stage's fields and the stage functions
 * run as data moves, counting every action for the energy model. DELAY: an operation is
 * evaluated by the fast functional path when accepted and its result moves through the L
 * registers; only cycle counts are kept. For long co-simulations and benchmarks. */
typedef enum { MPB_PIPE_STAGES = 0, MPB_PIPE_DELAY = 1 } mpb_pipe_mode;
void mpb_pipe_set_mode(mpb_pipe *p, mpb_pipe_mode mode);
/* Latency in cycles from the accepting edge to out_valid (docs/architecture.md). */
int mpb_pipe_latency(const mpb_pipe *p);
const mpb_counts *mpb_pipe_counts(const mpb_pipe *p);

void mpb_rope_pipe_eval(mpb_pipe *p, const mpb_rope_pins_in *in, mpb_rope_pins_out *out);
void mpb_rope_pipe_clock(mpb_pipe *p, const mpb_rope_pins_in *in);
void mpb_rope_pipe_step(mpb_pipe *p, const mpb_rope_pins_in *in, mpb_rope_pins_out *out);
void mpb_exp_pipe_eval(mpb_pipe *p, const mpb_exp_pins_in *in, mpb_exp_pins_out *out);
void mpb_exp_pipe_clock(mpb_pipe *p, const mpb_exp_pins_in *in);
void mpb_exp_pipe_step(mpb_pipe *p, const mpb_exp_pins_in *in, mpb_exp_pins_out *out);
void mpb_dot_pipe_eval(mpb_pipe *p, const mpb_dot_pins_in *in, mpb_dot_pins_out *out);
void mpb_dot_pipe_clock(mpb_pipe *p, const mpb_dot_pins_in *in);
void mpb_dot_pipe_step(mpb_pipe *p, const mpb_dot_pins_in *in, mpb_dot_pins_out *out);

/* ---- baselines: cos/sin the way frameworks compute them ---------------------------- */
typedef enum {
  MPB_BASE_FP64 = 0, /* reference: double, theta_j = base^(-2j/d), cos/sin of m*theta_j */
  MPB_BASE_FP32,     /* inv_freq = 1/powf(base, 2j/d) in float, phi = (float)m*inv_freq */
  MPB_BASE_BF16,     /* the same recipe with every value rounded to bfloat16            */
  MPB_BASE_FP16,     /* the same recipe in IEEE half (positions > 65504 overflow)       */
  MPB_BASE_INT8,     /* FP64 cos/sin rounded to signed Q1.7                             */
  MPB_NBASE
} mpb_baseline;
const char *mpb_baseline_name(mpb_baseline b);
void mpb_baseline_cossin(mpb_baseline b, const mpb_geometry *g, uint32_t m, int j,
                         double *c, double *s);
/* Round x to a binary floating format with p significand bits (incl. the hidden one),
 * exponent range [emin, emax] of normal numbers, round-to-nearest-even, subnormals,
 * overflow to +-inf. float: (24,-126,127); bf16: (8,-126,127); fp16: (11,-14,15). */
double mpb_round_float(double x, int p, int emin, int emax);

#ifdef __cplusplus
}
#endif
#endif /* MPB_H */
