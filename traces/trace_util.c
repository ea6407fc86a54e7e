/* trace_util.c — trace header/record validation, kind and op names, per-row int8
 * quantization, generator options and the position-window rule. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "trace.h"
#include "errbuf.h"
#include "trace_internal.h"

static const char *const kind_names[TRACE_NKIND] = {"?", "rope", "exp", "gemm"};
static const char *const rope_ops[TRACE_NROPE_OP] = {"q", "k"};
static const char *const exp_ops[TRACE_NEXP_OP] = {"softmax", "ssm_dta", "router", "other"};
static const char *const gemm_ops[TRACE_NGEMM_OP] = {
    "q_proj",     "k_proj",      "v_proj",  "o_proj",  "ffn_gate", "ffn_up",
    "ffn_down",   "attn_score",  "attn_value", "ssm_in", "ssm_x",  "ssm_dt",
    "ssm_out",    "ssm_scan",    "moe_router", "lm_head", "other"};

static const char *const *ops_of(uint32_t kind, uint32_t *n) {
  switch (kind) {
  case TRACE_ROPE: *n = TRACE_NROPE_OP; return rope_ops;
  case TRACE_EXP: *n = TRACE_NEXP_OP; return exp_ops;
  case TRACE_GEMM: *n = TRACE_NGEMM_OP; return gemm_ops;
  default: *n = 0; return NULL;
  }
}

const char *trace_kind_name(uint32_t kind) {
  return kind >= 1 && kind < TRACE_NKIND ? kind_names[kind] : "?";
}

const char *trace_op_name(uint32_t kind, uint32_t op) {
  uint32_t n;
  const char *const *t = ops_of(kind, &n);
  return t && op < n ? t[op] : "?";
}

int trace_kind_parse(const char *s) {
  for (int k = 1; k < TRACE_NKIND; k++)
    if (!strcmp(s, kind_names[k])) return k;
  return -1;
}

int trace_op_parse(uint32_t kind, const char *s) {
  uint32_t n;
  const char *const *t = ops_of(kind, &n);
  for (uint32_t i = 0; t && i < n; i++)
    if (!strcmp(s, t[i])) return (int)i;
  return -1;
}

void trace_header_init(trace_header *h) {
  memset(h, 0, sizeof *h);
  h->quant = TRACE_QUANT_INT8_ROW;
  h->n_layers = 1;
}

static int out_of_range(const char *field, unsigned long long v, unsigned long long lo,
                        unsigned long long hi, char *err, size_t errlen) {
  if (v >= lo && v <= hi) return 0;
  return fail(err, errlen, "field %s = %llu, expected [%llu, %llu]", field, v, lo, hi);
}
#define RANGE(field, v, lo, hi)                                                        \
  do {                                                                                 \
    if (out_of_range(field, (v), (lo), (hi), err, errlen)) return -1;                  \
  } while (0)

int trace_header_validate(const trace_header *h, char *err, size_t errlen) {
  if (strnlen(h->model, TRACE_NAME_MAX) >= TRACE_NAME_MAX)
    return fail(err, errlen, "field model is longer than %d bytes", TRACE_NAME_MAX - 1);
  if (strnlen(h->source, TRACE_NAME_MAX) >= TRACE_NAME_MAX)
    return fail(err, errlen, "field source is longer than %d bytes", TRACE_NAME_MAX - 1);
  RANGE("arch", h->arch, 0, TRACE_ARCH_HYBRID);
  RANGE("n_layers", h->n_layers, 1, TRACE_MAX_LAYERS);
  RANGE("n_heads", h->n_heads, 0, TRACE_MAX_HEADS);
  RANGE("n_kv_heads", h->n_kv_heads, h->n_heads ? 1 : 0, h->n_heads);
  if (h->n_heads && h->n_heads % h->n_kv_heads)
    return fail(err, errlen, "field n_kv_heads = %u does not divide n_heads = %u",
                h->n_kv_heads, h->n_heads);
  RANGE("head_dim", h->head_dim, 0, TRACE_MAX_HEAD_DIM);
  if (h->head_dim % 2) return fail(err, errlen, "field head_dim = %u, expected even", h->head_dim);
  if (h->head_dim) {
    if (!h->n_heads) return fail(err, errlen, "field n_heads = 0 with head_dim = %u", h->head_dim);
    if (!(h->rope_base > 1.0 && h->rope_base <= 1e12))
      return fail(err, errlen, "field rope_base = %g, expected (1, 1e12]", h->rope_base);
  } else if (!(h->rope_base == 0.0 || (h->rope_base > 1.0 && h->rope_base <= 1e12))) {
    return fail(err, errlen, "field rope_base = %g, expected 0 or (1, 1e12]", h->rope_base);
  }
  RANGE("pairing", h->pairing, 0, 1);
  RANGE("quant", h->quant, 0, TRACE_QUANT_INT8_ROW);
  RANGE("d_model", h->d_model, 0, 1u << 20);
  RANGE("d_state", h->d_state, 0, 1024);
  RANGE("d_conv", h->d_conv, 0, 64);
  RANGE("window", h->window, 0, TRACE_MAX_POS);
  RANGE("n_experts", h->n_experts, 0, 1024);
  RANGE("top_k", h->top_k, 0, h->n_experts);
  RANGE("n_tokens", h->n_tokens, 0, TRACE_MAX_POS);
  RANGE("max_pos", h->max_pos, 0, TRACE_MAX_POS - 1);
  return 0;
}

static int all_finite(const float *v, uint64_t n, const char *field, bool positive,
                      char *err, size_t errlen) {
  for (uint64_t i = 0; i < n; i++)
    if (!isfinite(v[i]) || (positive && !(v[i] > 0.0f)))
      return fail(err, errlen, "field %s[%llu] = %g, expected a finite%s value", field,
                  (unsigned long long)i, (double)v[i], positive ? " positive" : "");
  return 0;
}

int trace_record_validate(const trace_header *h, const trace_record *r, char *err,
                          size_t errlen) {
  RANGE("kind", r->kind, TRACE_ROPE, TRACE_NKIND - 1);
  uint32_t nops;
  ops_of(r->kind, &nops);
  RANGE("op", r->op, 0, nops - 1);
  RANGE("flags", r->flags, 0, TRACE_F_F32 | TRACE_F_POS);
  if ((r->flags & TRACE_F_F32) && r->kind != TRACE_ROPE)
    return fail(err, errlen, "field flags = %u: fp32 originals only exist for rope records",
                r->flags);
  RANGE("layer", r->layer, 0, h->n_layers - 1);
  RANGE("ntok", r->ntok, 1, TRACE_MAX_POS);
  RANGE("tok0", r->tok0, 0, UINT32_MAX - r->ntok);
  if (r->kind == TRACE_ROPE) {
    if (!h->head_dim) return fail(err, errlen, "rope record in a trace with head_dim = 0");
    RANGE("width", r->width, h->head_dim, h->head_dim);
    uint32_t nh = r->op == TRACE_ROPE_Q ? h->n_heads : h->n_kv_heads;
    RANGE("head", r->head, 0, nh - 1);
  } else {
    RANGE("width", r->width, 1, TRACE_MAX_WIDTH);
    RANGE("head", r->head, 0, TRACE_MAX_HEADS - 1);
  }
  if (r->kind == TRACE_GEMM) RANGE("cols", r->cols, 1, TRACE_MAX_WIDTH);
  else RANGE("cols", r->cols, 0, 0);
  uint64_t n = (uint64_t)r->ntok * r->width;
  if (n > TRACE_CHUNK_MAX || (uint64_t)r->cols * r->width > TRACE_CHUNK_MAX)
    return fail(err, errlen, "ntok*width = %llu or cols*width = %llu values, more than a "
                "chunk holds (%u bytes)", (unsigned long long)n,
                (unsigned long long)r->cols * r->width, TRACE_CHUNK_MAX);
  bool has_pos = r->kind == TRACE_ROPE || (r->flags & TRACE_F_POS);
  if (has_pos) {
    if (!r->pos) return fail(err, errlen, "field pos is missing");
    uint32_t hi = h->max_pos ? h->max_pos : TRACE_MAX_POS - 1;
    for (uint32_t i = 0; i < r->ntok; i++)
      if (r->pos[i] > hi)
        return fail(err, errlen, "field pos[%u] = %u, expected [0, %u]", i, r->pos[i], hi);
  }
  if (r->kind == TRACE_ROPE || r->kind == TRACE_GEMM) {
    if (!r->x || !r->scale) return fail(err, errlen, "field x or scale is missing");
    if (all_finite(r->scale, r->ntok, "scale", true, err, errlen)) return -1;
  }
  if (r->kind == TRACE_EXP || (r->flags & TRACE_F_F32)) {
    if (!r->f32) return fail(err, errlen, "field f32 is missing");
    if (all_finite(r->f32, n, "f32", false, err, errlen)) return -1;
  }
  if (r->kind == TRACE_GEMM) {
    if (!r->b || !r->b_scale) return fail(err, errlen, "field b or b_scale is missing");
    if (all_finite(r->b_scale, r->cols, "b_scale", true, err, errlen)) return -1;
  }
  return 0;
}

void trace_quantize_row(const float *x, size_t n, int8_t *q, float *scale) {
  float m = 0.0f;
  for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(x[i]));
  float s = m > 0.0f && isfinite(m) ? m / 127.0f : 1.0f;
  for (size_t i = 0; i < n; i++) {
    float v = roundf(x[i] / s);
    q[i] = (int8_t)(v > 127.0f ? 127 : v < -127.0f ? -127 : v);
  }
  *scale = s;
}

void trace_gen_opts_init(trace_gen_opts *o) {
  memset(o, 0, sizeof *o);
  o->tokens = 64;
  o->seed = 1;
  o->windows = 1;
}

uint32_t trace_window_start(const trace_gen_opts *o, uint32_t w) {
  uint32_t t = o->tokens ? o->tokens : 1;
  uint32_t last_pos = o->max_pos >= t - 1 ? o->max_pos : t - 1;
  uint32_t last = last_pos + 1 - t; /* start of the last window */
  uint32_t nw = o->windows ? o->windows : 1;
  if (nw == 1) return last;
  if (w == 0) return 0;
  if (w >= nw - 1) return last;
  if (last <= t || nw == 2) return (uint32_t)((uint64_t)last * w / (nw - 1));
  /* windows 1 .. nw-1 start geometrically from t (right after window 0) to last, so
   * the windows probe every octave of position */
  double f = (double)(w - 1) / (double)(nw - 2);
  double s = exp(log((double)t) + (log((double)last) - log((double)t)) * f);
  uint32_t v = (uint32_t)llround(s);
  return v > last ? last : v;
}
