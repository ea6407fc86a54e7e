/* kv.h — the KV cache of a forward pass, stored in one of the formats of numerics.h
 * (fp32, fp16, bf16, int8 and log8 with one FP16 scale per group of elements), and the
 * formats' element round trip and storage cost, which analysis/ reuses.
 * The cache is emulated: a row is rounded through its format when stored and kept as the
 * floats it decodes to (what attention reads); the bytes reported are the format's. */
#ifndef MPB_LM_KV_H
#define MPB_LM_KV_H

#include <stddef.h>

#include "numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Storage per element in bytes, scales included (group elements share one FP16 scale). */
double lm_kv_bytes_per_elem(lm_kv_format f, int group);
/* Quantize-dequantize n values in groups of `group` consecutive values (the last group
 * may be shorter; group 1..1024); in == out allowed. Double and float versions give the same values. */
void lm_kv_roundtrip_d(lm_kv_format f, int group, const double *in, size_t n, double *out);
void lm_kv_roundtrip(lm_kv_format f, int group, const float *in, size_t n, float *out);

typedef struct lm_kv lm_kv;
/* A cache of cap tokens for n_layer layers of kv_dim (= n_head_kv * head_dim) K and V
 * values per token; groups run along each token's row. */
int lm_kv_new(lm_kv **out, lm_kv_format f, int group, int n_layer, int cap, int kv_dim,
              char *err, size_t errlen);
void lm_kv_free(lm_kv *kv);
/* Store n tokens' K and V rows (kv_dim floats each, row strides ldk, ldv) at cache slots
 * slot0 .. slot0+n-1 of a layer. Fails when the slots exceed the capacity. */
int lm_kv_store(lm_kv *kv, int layer, int slot0, int n, const float *k, size_t ldk,
                const float *v, size_t ldv, char *err, size_t errlen);
/* The decoded rows of a layer: [cap][kv_dim]. */
const float *lm_kv_keys(const lm_kv *kv, int layer);
const float *lm_kv_values(const lm_kv *kv, int layer);
lm_kv_format lm_kv_get_format(const lm_kv *kv);
/* Bytes per cached token over all layers, K and V, scales included. */
double lm_kv_bytes_per_token(const lm_kv *kv);

#ifdef __cplusplus
}
#endif
#endif
