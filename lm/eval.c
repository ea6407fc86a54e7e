/* eval.c — the closed-loop evaluation driver: reference logits per window at offset 0,
 * then any numerics at any offset compared against them (eval.h). */
#include "eval.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"

struct lm_eval {
  lm_model_ops ops;
  int32_t *ids; /* n_chunks * n_ctx */
  int n_ctx, n_chunks, first;
  float *ref;   /* [n_chunks][n_score][n_vocab] */
  double ref_seconds;
  /* the last variant's runner, kept while the next run uses the same spec (its weights
   * are prepared once for every offset) */
  lm_numerics_spec cur_spec;
  lm_numerics *cur_nm;
  void *cur_run;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static size_t n_score(const lm_eval *ev) { return (size_t)(ev->n_ctx - 1 - ev->first); }
int lm_eval_n_ctx(const lm_eval *ev) { return ev->n_ctx; }
size_t lm_eval_n_scored(const lm_eval *ev) { return (size_t)ev->n_chunks * n_score(ev); }
double lm_eval_ref_seconds(const lm_eval *ev) { return ev->ref_seconds; }

int64_t lm_eval_max_offset(const lm_eval *ev, const lm_numerics_spec *spec) {
  int64_t top = (int64_t)1 << 31;
  if (spec->rope == LM_BK_BRIDGE) top = ((int64_t)1 << spec->bridge.pos_bits) - 1;
  return top - (ev->n_ctx - 1);
}

/* Run every window through runner `run` at offset p0; each window's scored logits go to
 * keep (per chunk) when non-NULL, else are compared with the reference into acc. */
static int run_windows(lm_eval *ev, void *run, int64_t p0, float *keep, lm_kld_acc *acc,
                       char *err, size_t errlen) {
  size_t V = (size_t)ev->ops.n_vocab, ns = n_score(ev);
  int n = ev->n_ctx - 1; /* the last token is only a target */
  float *lg = keep ? NULL : malloc(ns * V * sizeof(float));
  int64_t *pos = malloc((size_t)n * sizeof *pos);
  int rc = 0;
  if ((!keep && !lg) || !pos) rc = fail(err, errlen, "out of memory for %zu rows of logits", ns);
  for (int i = 0; !rc && i < n; i++) pos[i] = p0 + i;
  for (int c = 0; !rc && c < ev->n_chunks; c++) {
    const int32_t *tok = ev->ids + (size_t)c * ev->n_ctx;
    float *dst = keep ? keep + (size_t)c * ns * V : lg;
    rc = ev->ops.window(run, tok, pos, n, dst, ev->first, err, errlen);
    for (size_t r = 0; !rc && !keep && r < ns; r++)
      if (lm_kld_add(acc, ev->ref + ((size_t)c * ns + r) * V, lg + r * V, (int)V,
                     tok[ev->first + 1 + r]))
        rc = fail(err, errlen, "internal: KLD accumulator full");
  }
  free(lg), free(pos);
  return rc;
}

static void drop_runner(lm_eval *ev) {
  if (ev->cur_run) ev->ops.close(ev->cur_run);
  lm_numerics_free(ev->cur_nm);
  ev->cur_run = NULL, ev->cur_nm = NULL;
}

static int same_spec(const lm_numerics_spec *a, const lm_numerics_spec *b) {
  char fa[512], fb[512];
  lm_numerics_spec_format(a, fa, sizeof fa);
  lm_numerics_spec_format(b, fb, sizeof fb);
  return !strcmp(fa, fb) && !memcmp(&a->bridge, &b->bridge, sizeof a->bridge);
}

/* The runner for spec: the cached one when the spec is the same, else a new one. */
static int get_runner(lm_eval *ev, const lm_numerics_spec *spec, char *err, size_t errlen) {
  if (ev->cur_run && same_spec(spec, &ev->cur_spec)) {
    lm_numerics_clear_stats(ev->cur_nm);
    return 0;
  }
  drop_runner(ev);
  if (lm_numerics_new(&ev->cur_nm, spec, err, errlen)) return -1;
  if (ev->ops.open(ev->ops.model, ev->cur_nm, ev->n_ctx, &ev->cur_run, err, errlen)) {
    ev->cur_run = NULL;
    drop_runner(ev);
    return -1;
  }
  ev->cur_spec = *spec;
  return 0;
}

void lm_eval_free(lm_eval *ev) {
  if (!ev) return;
  drop_runner(ev);
  free(ev->ids), free(ev->ref);
  free(ev);
}

int lm_eval_new(lm_eval **out, const lm_model_ops *ops, const int32_t *ids, size_t n_ids,
                int n_ctx, int n_chunks, char *err, size_t errlen) {
  *out = NULL;
  if (n_ctx < 4 || n_ctx > ops->n_ctx_max)
    return fail(err, errlen, "window of %d tokens: must be in [4, %d] (the KV capacity)", n_ctx,
                ops->n_ctx_max);
  if (n_chunks < 1 || (size_t)n_chunks * (size_t)n_ctx > n_ids)
    return fail(err, errlen, "%d windows of %d tokens need %zu tokens, the token file has %zu",
                n_chunks, n_ctx, (size_t)(n_chunks > 0 ? n_chunks : 1) * (size_t)n_ctx, n_ids);
  for (size_t i = 0; i < (size_t)n_chunks * n_ctx; i++)
    if (ids[i] < 0 || ids[i] >= ops->n_vocab)
      return fail(err, errlen, "token id %d at index %zu is not in [0, %d]", ids[i], i,
                  ops->n_vocab - 1);
  lm_eval *ev = calloc(1, sizeof *ev);
  if (!ev) return fail(err, errlen, "out of memory");
  ev->ops = *ops, ev->n_ctx = n_ctx, ev->n_chunks = n_chunks, ev->first = n_ctx / 2;
  size_t nt = (size_t)n_chunks * n_ctx;
  ev->ids = malloc(nt * sizeof *ev->ids);
  ev->ref = malloc((size_t)n_chunks * n_score(ev) * (size_t)ops->n_vocab * sizeof(float));
  if (!ev->ids || !ev->ref) {
    lm_eval_free(ev);
    return fail(err, errlen, "out of memory for the reference logits of %d windows", n_chunks);
  }
  memcpy(ev->ids, ids, nt * sizeof *ids);
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  double t0 = now_s();
  int rc = get_runner(ev, &sp, err, errlen) || run_windows(ev, ev->cur_run, 0, ev->ref, NULL, err, errlen);
  ev->ref_seconds = now_s() - t0;
  if (rc) {
    lm_eval_free(ev);
    return -1;
  }
  *out = ev;
  return 0;
}

int lm_eval_run(lm_eval *ev, const lm_numerics_spec *spec, int64_t p0, lm_eval_point *out,
                char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  int64_t mx = lm_eval_max_offset(ev, spec);
  if (p0 < 0 || p0 > mx) {
    if (spec->rope == LM_BK_BRIDGE)
      return fail(err, errlen, "offset %lld: window positions up to %lld exceed the bridge's "
                  "pos_bits = %d (positions 0 .. %lld; largest offset for a %d-token window "
                  "is %lld)", (long long)p0, (long long)(p0 + ev->n_ctx - 1),
                  spec->bridge.pos_bits, ((long long)1 << spec->bridge.pos_bits) - 1,
                  ev->n_ctx, (long long)mx);
    return fail(err, errlen, "offset %lld is not in [0, %lld] (positions up to 2^31)",
                (long long)p0, (long long)mx);
  }
  lm_kld_acc acc;
  if (lm_kld_init(&acc, lm_eval_n_scored(ev), err, errlen)) return -1;
  double t0 = now_s();
  int rc = get_runner(ev, spec, err, errlen);
  double t1 = now_s();
  if (!rc) rc = run_windows(ev, ev->cur_run, p0, NULL, &acc, err, errlen);
  out->seconds = now_s() - t1;
  out->prepare_seconds = t1 - t0;
  if (!rc) {
    lm_kld_finish(&acc, &out->r);
    out->stats = *lm_numerics_get_stats(ev->cur_nm);
    out->kv_bytes_per_token = ev->ops.kv_bytes_per_token(ev->cur_run);
  }
  lm_kld_free(&acc);
  return rc;
}
