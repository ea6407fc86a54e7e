/* numerics.h — substitutable arithmetic for the language-model forward passes: which
 * backend computes each *site* (RoPE, every exp() site, every linear layer, the attention
 * matmuls, activation storage) and the KV-cache format. A model calls these batched
 * operations instead of writing the arithmetic itself; the closed-loop evaluation
 * (lm/eval.c) runs the same tokens under two numerics and compares the logits.
 *
 * Two types:
 *   lm_numerics_spec  plain data (copyable): a backend per site, the KV format, the GEMM
 *                     quantization group and the bridge's mpb_config. Parsed from text
 *                     ("bridge", "ref,rope=bridge", "all=bf16,kv=fp32") in one place.
 *   lm_numerics       the runtime built from a spec: libmpb models per RoPE geometry
 *                     (built lazily), event counters. Not thread-safe.
 *
 * Backends (what each rounds where: docs/model-eval.md):
 *   ref     FP32 forward pass; RoPE angles, cos/sin and rotation in FP64; exp() in FP64 and
 *           softmax sums in double; FP32 GEMM (OpenBLAS sgemm).
 *   fp32    the framework FP32 recipe: RoPE cos/sin cache from float inv_freq and float
 *           angle (docs/baselines.md), rotation in float, expf and float sums; GEMM = ref.
 *   bf16    a framework running the model in bfloat16: weights, GEMM/matmul inputs and
 *           outputs, RoPE cache and rotation, softmax input/output, activations rounded to
 *           bf16 (round to nearest even); products accumulate in FP32.
 *   fp16    the same in IEEE half (overflow to inf).
 *   bridge  the datapath of docs/architecture.md, bit-exact through libmpb: RoPE inputs
 *           quantized to x_bits per row with a scale, exp() as 2^u with u in Q8.16, GEMMs
 *           on int8 operands through the dot unit's accumulator (acc_bits, wrap/sat,
 *           promotion interval).
 *   int8    naive int8: RoPE with int8 inputs and Q1.7 cos/sin, exp() of int8-quantized
 *           inputs (one absmax scale per call), int8 GEMM with an exact int32 accumulator.
 *
 * Functions that can fail return 0, or -1 with a message in err[errlen]; the operations
 * fail only on bad arguments or when scratch memory cannot be allocated. */
#ifndef MPB_LM_NUMERICS_H
#define MPB_LM_NUMERICS_H

#include <stddef.h>
#include <stdint.h>

#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- backends ----------------------------------------------------------------------- */
typedef enum {
  LM_BK_REF = 0,
  LM_BK_FP32,
  LM_BK_BF16,
  LM_BK_FP16,
  LM_BK_BRIDGE,
  LM_BK_INT8,
  LM_NBK
} lm_backend;
const char *lm_backend_name(lm_backend b); /* "ref", "fp32", ... ; "?" out of range */
/* Parse a backend name; the error lists the valid names. */
int lm_backend_parse(const char *s, lm_backend *out, char *err, size_t errlen);

/* ---- sites -------------------------------------------------------------------------- */
/* exp() sites. Each has its own backend, so attribution can select one. */
typedef enum {
  LM_EXP_SOFTMAX = 0, /* attention softmax                                 */
  LM_EXP_SILU,        /* SiLU / sigmoid: x / (1 + exp(-x))                 */
  LM_EXP_GELU,        /* GELU (tanh form, tanh through exp)                */
  LM_EXP_SOFTPLUS,    /* softplus log(1 + exp(x)) (SSM dt)                 */
  LM_EXP_SSM_DA,      /* exp(dt * A), the SSM zero-order-hold discretisation */
  LM_EXP_ROUTER,      /* MoE router softmax                                */
  LM_NEXP
} lm_exp_site;
const char *lm_exp_site_name(lm_exp_site s); /* "softmax", "silu", ... */

/* Matrix-product sites. Weight projections use lm_linear (weights prepared once); the
 * attention matmuls QK^T and PV use lm_matmul (both operands are activations). */
typedef enum {
  LM_LIN_Q = 0, LM_LIN_K, LM_LIN_V, LM_LIN_O, /* attention projections             */
  LM_LIN_GATE, LM_LIN_UP, LM_LIN_DOWN,        /* MLP                               */
  LM_LIN_SSM_IN, LM_LIN_SSM_X, LM_LIN_SSM_DT, LM_LIN_SSM_OUT, /* SSM projections   */
  LM_LIN_SSM_SCAN,                            /* SSM read-out y = C.h (lm_matmul)  */
  LM_LIN_ROUTER,                              /* MoE router                        */
  LM_LIN_HEAD,                                /* output head (logits)              */
  LM_LIN_QK, LM_LIN_PV,                       /* attention matmuls (lm_matmul)     */
  LM_NLIN
} lm_lin_site;
const char *lm_lin_site_name(lm_lin_site s); /* "q", "k", ..., "head", "qk", "pv" */

/* ---- recurrent-state formats (the SSM's h) ------------------------------------------ */
typedef enum {
  LM_STATE_FP64 = 0, /* double: the reference                                          */
  LM_STATE_FP32,
  LM_STATE_BF16,
  LM_STATE_FP16,
  LM_STATE_INT16,    /* int16, one FP32 absmax/32767 scale per group (an SSM channel's
                        d_state values), rescaled at every store                       */
  LM_NSTATE
} lm_state_format;
const char *lm_state_format_name(lm_state_format f);
int lm_state_format_parse(const char *s, lm_state_format *out, char *err, size_t errlen);
/* The format a backend implies when `state=BACKEND` or `all=BACKEND` is given:
 * ref -> fp64, fp32 -> fp32, bf16 -> bf16, fp16 -> fp16, bridge -> fp32, int8 -> int16. */
lm_state_format lm_state_format_of(lm_backend b);
/* Round n state values in place to what the format stores (doubles holding the stored
 * values), int16 in groups of `group` consecutive values (the last may be shorter). */
void lm_state_round(lm_state_format f, size_t n, size_t group, double *h);
/* Storage per element in bytes, scales included. */
double lm_state_bytes_per_elem(lm_state_format f, size_t group);

/* ---- KV-cache formats --------------------------------------------------------------- */
typedef enum {
  LM_KV_FP32 = 0,
  LM_KV_FP16,
  LM_KV_BF16,
  LM_KV_INT8, /* int8, one FP16 absmax scale per group (default 64)                    */
  LM_KV_LOG8, /* sign + 7-bit code of log2(|v|/scale) with 3 fraction bits (code 0 =
                 zero), one FP16 scale per group: the report's log-form storage         */
  LM_NKV
} lm_kv_format;
const char *lm_kv_format_name(lm_kv_format f);
int lm_kv_format_parse(const char *s, lm_kv_format *out, char *err, size_t errlen);
/* The format a backend implies when `kv=BACKEND` or `all=BACKEND` is given:
 * ref/fp32 -> fp32, bf16 -> bf16, fp16 -> fp16, int8 -> int8, bridge -> log8. */
lm_kv_format lm_kv_format_of(lm_backend b);

/* ---- the spec ----------------------------------------------------------------------- */
typedef struct lm_numerics_spec {
  lm_backend rope;           /* RoPE: cos/sin and the rotation of Q/K pairs           */
  lm_backend exp[LM_NEXP];   /* per exp() site                                        */
  lm_backend lin[LM_NLIN];   /* per matrix-product site                               */
  lm_backend act;            /* activation storage (residual stream, norm outputs):
                                ref/fp32 keep FP32, bf16/fp16 round                    */
  lm_kv_format kv;
  lm_state_format state;     /* SSM state storage                                     */
  int kv_group;              /* elements per scale for int8/log8 KV (default 64)      */
  int gemm_group;            /* bridge/int8 GEMM operand quantization: 0 = one scale
                                per row, or 32 / 64 elements per scale                 */
  mpb_config bridge;         /* the datapath configuration of the bridge backend      */
  char bridge_label[64];     /* e.g. "default", a config file's name                  */
} lm_numerics_spec;

/* Every site on backend b (kv = lm_kv_format_of(b)), groups 64 / per row, the default
 * datapath configuration. Sites a backend does not implement take its nearest FP
 * equivalent: for bridge and int8 the attention matmuls and activations stay FP32. */
void lm_numerics_spec_init(lm_numerics_spec *s, lm_backend all);

/* Apply a spec text on top of s: comma-separated items, later items win.
 *   BACKEND           same as all=BACKEND
 *   all=BACKEND       every site (as lm_numerics_spec_init)
 *   rope=B            RoPE
 *   exp=B             every exp() site;   exp.SITE=B one site (exp.softmax, exp.silu, ...)
 *   gemm=B            every matrix product (linear + head + attn)
 *   linear=B          every weight projection except the head
 *   head=B            the output head;    SITE=B one site (q, k, v, o, gate, up, down,
 *                                        ssm_in, ssm_x, ssm_dt, ssm_out, ssm_scan, router,
 *                                        qk, pv)
 *   attn=B            the attention matmuls qk and pv (ref, fp32, bf16, fp16 only;
 *                     through gemm= / all= the bridge and int8 map them to fp32)
 *   act=B             activation storage (ref, fp32, bf16, fp16; likewise)
 *   kv=F              KV format (fp32, fp16, bf16, int8, log8) or a backend name
 *   state=F           SSM state format (fp64, fp32, bf16, fp16, int16) or a backend name
 *   kv_group=N        1..1024;  group=N  GEMM quantization group: row, 32 or 64
 * Errors name the item and the valid choices. */
int lm_numerics_spec_parse(lm_numerics_spec *s, const char *text, char *err, size_t errlen);
/* Canonical text of a spec (parses back to the same spec; the bridge config is not
 * included, only its label). Returns the length snprintf would write. */
int lm_numerics_spec_format(const lm_numerics_spec *s, char *buf, size_t len);
/* 1 if every site is computed exactly as the ref backend computes it (fp32 GEMMs are the
 * ref GEMMs, for example), so the logits are identical bit for bit. */
int lm_numerics_spec_is_ref(const lm_numerics_spec *s);

/* Attribution: the spec "ref with only GROUP on backend b". Groups: "rope", "exp",
 * "gemm", "kv", "all" (= lm_numerics_spec_init(b)). The bridge config and groups are
 * copied from base (may be NULL for the defaults). */
#define LM_ATTR_GROUPS "rope", "exp", "gemm", "kv", "all"
enum { LM_NATTR = 5 };
int lm_numerics_spec_attr(lm_numerics_spec *s, const lm_numerics_spec *base, lm_backend b,
                          const char *group, char *err, size_t errlen);

/* ---- the runtime -------------------------------------------------------------------- */
typedef struct lm_numerics lm_numerics;

/* Validates the spec (bridge config, groups); builds the bridge's exp/dot model. */
int lm_numerics_new(lm_numerics **out, const lm_numerics_spec *spec, char *err,
                    size_t errlen);
void lm_numerics_free(lm_numerics *nm);
const lm_numerics_spec *lm_numerics_get_spec(const lm_numerics *nm);

/* Events counted while computing (all zero for the FP backends). */
typedef struct lm_numerics_stats {
  uint64_t rope_pairs;             /* pairs rotated through the bridge/int8 RoPE   */
  uint64_t exp_calls[LM_NEXP];     /* exp() values computed per site (any backend) */
  uint64_t exp_clamped[LM_NEXP];   /* bridge: u outside Q8.16, saturated           */
  uint64_t gemm_macs[LM_NLIN];     /* bridge/int8 multiply-accumulates per site    */
  uint64_t gemm_events[LM_NLIN];   /* bridge: accumulator wrap/saturation events   */
} lm_numerics_stats;
const lm_numerics_stats *lm_numerics_get_stats(const lm_numerics *nm);
void lm_numerics_clear_stats(lm_numerics *nm);

/* RoPE, in place: n_rows rows, row r holding n_heads head vectors of g->head_dim floats
 * at x + r*ld (heads contiguous), all at position pos[r]. The geometry names head_dim,
 * base and pairing (a model may use several, e.g. Gemma 3's local and global layers);
 * the bridge builds and caches a libmpb model per geometry on first use. The bridge
 * quantizes each head vector to x_bits with its own absmax scale (lm_quantize_row).
 * Fails on positions < 0, or >= 2^pos_bits for the bridge, or an invalid geometry. */
int lm_rope(lm_numerics *nm, const mpb_geometry *g, size_t n_rows, int n_heads,
            const int64_t *pos, float *x, size_t ld, char *err, size_t errlen);

/* y[i] = exp(x[i]) for one site (x == y allowed). The int8 backend quantizes the n inputs
 * with one absmax scale per call: call it per row. The bridge computes 2^u with
 * u = x log2(e) rounded to Q8.16 and saturated to its 24 bits. */
int lm_exp(lm_numerics *nm, lm_exp_site site, size_t n, const float *x, float *y, char *err,
           size_t errlen);

/* Softmax of rows in place: row r is s[r*ld .. r*ld + len[r]) (len NULL: n_cols each;
 * entries len[r]..n_cols-1 are set to 0). max-subtracted; the exp through the site's
 * backend; ref and bridge sum in double, fp32 in float, bf16/fp16 round the input and
 * the output to the dtype (the framework computes in FP32 in between). */
int lm_softmax(lm_numerics *nm, lm_exp_site site, size_t n_rows, size_t n_cols,
               const int32_t *len, float *s, size_t ld, char *err, size_t errlen);
/* The same over a span per row: row r's softmax covers s[r*ld + first[r] .. r*ld + len[r])
 * and every other entry of the row's n_cols is set to 0 (first NULL: from 0). For a
 * sliding window, whose masked keys take no part in the max, the sum or the exp unit. */
int lm_softmax_span(lm_numerics *nm, lm_exp_site site, size_t n_rows, size_t n_cols,
                    const int32_t *first, const int32_t *len, float *s, size_t ld, char *err,
                    size_t errlen);

/* Round n activations in place to the act backend's storage (no-op for ref/fp32). */
void lm_act_round(const lm_numerics *nm, size_t n, float *x);

/* A weight matrix W[n_out][k] (row-major) prepared once for a site's backend:
 * ref/fp32 keep a pointer to w (it must outlive the lm_linear), bf16/fp16 a rounded
 * copy, bridge/int8 int8 rows with scales (per row or per gemm_group). */
typedef struct lm_linear lm_linear;
int lm_linear_new(lm_linear **out, lm_numerics *nm, lm_lin_site site, const float *w,
                  int n_out, int k, char *err, size_t errlen);
void lm_linear_free(lm_linear *l);
/* Y[rows][n_out] = X[rows][k] W^T (row strides ldx, ldy; Y must not alias X). */
int lm_linear_apply(lm_linear *l, size_t rows, const float *x, size_t ldx, float *y,
                    size_t ldy, char *err, size_t errlen);
/* Bytes held for the prepared weights (0 when they are the caller's FP32 array). */
size_t lm_linear_bytes(const lm_linear *l);

/* C[M][N] = alpha * A[M][K] B^T (b_trans = 1, B is [N][K]) or alpha * A B (b_trans = 0,
 * B is [K][N]) for an activation x activation site (qk, pv, ssm_scan) on its backend.
 * On int8 and bridge (ssm_scan; b_trans = 1 only) both operands are quantized to int8
 * with one absmax scale per row of A and of B, and the integer sums are exact (int8) or
 * the dot unit's (bridge). */
int lm_matmul(lm_numerics *nm, lm_lin_site site, int b_trans, size_t M, size_t N, size_t K,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float *C,
              size_t ldc, char *err, size_t errlen);

/* ---- shared helpers ----------------------------------------------------------------- */
/* Symmetric quantization of n floats to signed `bits` (2..16): scale = absmax / (2^(bits-1)
 * - 1) in float (1 for an all-zero or non-finite absmax; NaN inputs are ignored by the
 * absmax and quantize to 0), q = roundf(x / scale) clamped to +-(2^(bits-1) - 1). For
 * bits = 8 and finite rows this is the trace capture's int8 rule (trace_quantize_row). */
void lm_quantize_row(const float *x, size_t n, int bits, int32_t *q, float *scale);
/* Round to bfloat16 / IEEE half, nearest even, as floats (NaN stays NaN, overflow -> inf). */
float lm_round_bf16(float x);
float lm_round_fp16(float x);
/* Round n floats in place to a backend's dtype (bf16, fp16; others: no-op). */
void lm_round_dtype(lm_backend b, size_t n, float *x);

#ifdef __cplusplus
}
#endif
#endif
