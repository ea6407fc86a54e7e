/* import.h — build a trace from tensors saved by NumPy (.npy) or safetensors:
 * Q, K (pre-RoPE projections), positions, and attention logits (softmax inputs).
 *
 * Tensor roles and shapes (docs/trace-format.md §Import):
 *   q: [T, H, D] or [H, T, D] (--layout) or [T, H*D] with heads given; leading 1s allowed
 *   k: the same with the KV head count
 *   positions: [T] integers (default 0..T-1 + pos0)
 *   softmax: [H, Tq, Tk] attention logits; masked entries (-inf or < -1e30) are dropped,
 *            each row minus its max becomes one EXP record (op softmax)
 * Names in a safetensors file: "q", "k", "positions", "softmax", optionally prefixed by
 * "layer<N>." (e.g. "layer3.q"). The .npy equivalent is one file per role:
 * "q=Q.npy", "k:3=K.npy" (role, optional layer, path).
 */
#ifndef MPB_IMPORT_H
#define MPB_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tensor_file.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trace_import_opts {
  const char *model;     /* header model name                         */
  double base;           /* RoPE base (required when q or k is given)  */
  uint32_t pairing;      /* 0 interleaved, 1 half-split                */
  uint32_t heads;        /* for 2-D q [T, H*D]: H (0 = infer from 3-D)  */
  uint32_t kv_heads;     /* for 2-D k                                  */
  bool head_major;       /* 3-D tensors are [H, T, D] instead of [T, H, D] */
  bool keep_f32;         /* keep fp32 originals in ROPE records        */
  uint32_t pos0;         /* first position when no positions tensor    */
  uint64_t *n_masked;    /* out, optional: softmax logits dropped as masks */
} trace_import_opts;

typedef enum { IMPORT_Q = 0, IMPORT_K, IMPORT_POS, IMPORT_SOFTMAX, IMPORT_NROLE } import_role;

typedef struct import_item {
  import_role role;
  uint32_t layer;
  tf_tensor t;
} import_item;

/* Parse "q=PATH", "k:3=PATH" (role names q, k, positions, softmax). */
int import_parse_spec(const char *spec, import_role *role, uint32_t *layer,
                      const char **path, char *err, size_t errlen);
/* Role and layer from a safetensors tensor name; -1 if the name is not an import role. */
int import_role_of_name(const char *name, import_role *role, uint32_t *layer);

/* Write the trace of items[n] to w (header included). Checks shapes across roles, and
 * that no role is given twice for one layer. Softmax logits of -inf or below -1e30 are
 * masks (dropped, counted in *o->n_masked); NaN, +inf and values above 1e30 are errors. */
int trace_import_items(const trace_import_opts *o, const import_item *items, size_t n,
                       trace_writer *w, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
