/* metrics_model.h — model-level effects of the datapath's errors (docs/metrics.md):
 * attention scores and softmax outputs with rotated int8 q/k versus FP64, the SSM scan
 * output with the exp unit versus FP64, and KV-cache storage formats (bytes and error).
 * Library rules: no printing; invalid arguments return non-zero. */
#ifndef MPB_METRICS_MODEL_H
#define MPB_METRICS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How q and k are rotated before the scores q.k/sqrt(d) (all against FP64 RoPE on the
 * unquantized vectors). */
typedef enum {
  MPB_ATT_INT8_EXACT = 0, /* q/k quantized to x_bits (per-vector absmax), FP64 rotation:
                             the quantization floor                                   */
  MPB_ATT_BRIDGE,         /* the same integers rotated by the model (mpb_rope_vector)  */
  MPB_ATT_FP32,           /* unquantized, cos/sin from the framework FP32 recipe       */
  MPB_ATT_BF16,           /* unquantized, cos/sin from the BF16 recipe                 */
  MPB_NATT
} mpb_attn_variant;
const char *mpb_attn_variant_name(mpb_attn_variant v);

typedef struct mpb_attn_result {
  double score_max_err; /* max |score - score_fp64| over keys              */
  double score_rms_err;
  double kl;            /* KL(softmax_fp64 || softmax_variant), nats       */
} mpb_attn_result;

/* One query (d = head_dim doubles, position qpos) against nk keys (row-major nk x d,
 * positions kpos). Adds the bridge's score errors to acc (MPB_OP_SCORE, position =
 * qpos - kpos distance) when acc is non-NULL. Returns 0, or -1 on bad arguments. */
int mpb_attn_compare(const mpb_model *mdl, const double *q, uint32_t qpos, const double *k,
                     const uint32_t *kpos, size_t nk, mpb_attn_result out[MPB_NATT],
                     mpb_metrics *acc, int layer, int head);

/* Selective scan, one channel, d_state states: h_t = exp(dt_t A_n) h + dt_t B_n x_t,
 * y_t = sum_n C_n h_t,n. The model computes exp(dt A) with the exp unit (u = dt A log2 e
 * rounded to Q8.16); everything else is double. Errors of y_t go to acc (MPB_OP_SSM,
 * position t) when non-NULL. */
typedef struct mpb_ssm_result {
  double max_err, rms_err, final_err; /* |y - y_fp64|: max, RMS over t, at t = T-1 */
  double max_ref;                     /* max |y_fp64|                              */
} mpb_ssm_result;
int mpb_ssm_compare(const mpb_model *mdl, size_t T, int d_state, const double *dt,
                    const double *x, const double *A, const double *B, const double *C,
                    mpb_ssm_result *out, mpb_metrics *acc);

/* KV-cache element formats. */
typedef enum {
  MPB_KV_FP16 = 0, /* IEEE half                                                         */
  MPB_KV_INT8,     /* int8 with one FP16 absmax scale per group                          */
  MPB_KV_LOG8,     /* log form: sign + 7-bit code of log2(|v|/scale) with 3 fraction bits
                      (code 0 = zero), one FP16 scale per group                          */
  MPB_NKV
} mpb_kv_format;
const char *mpb_kv_format_name(mpb_kv_format f);
/* Storage per element in bytes, scales included (group elements share a scale). */
double mpb_kv_bytes_per_elem(mpb_kv_format f, int group);
/* Quantize-dequantize n values (groups of 'group' consecutive values). */
int mpb_kv_roundtrip(mpb_kv_format f, const double *v, size_t n, int group, double *out);

#ifdef __cplusplus
}
#endif
#endif /* MPB_METRICS_MODEL_H */
