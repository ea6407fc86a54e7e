/* sweep_lm.c — the model-level objective of a sweep: the spec's model and token windows,
 * the reference logits at offset 0 computed once, then per point the closed-loop
 * evaluation (lm/eval.h) with the point's configuration as the bridge on the sites the
 * spec's `numerics` names, at the spec's offset. */
#include "sweep_lm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "llama.h"

struct sweep_lm_ctx {
  const sweep_spec *s;
  llama_model *m;
  lm_eval *ev;
  lm_numerics_spec base;
};

void sweep_lm_close(sweep_lm_ctx *c) {
  if (!c) return;
  lm_eval_free(c->ev);
  llama_free(c->m);
  free(c);
}

sweep_lm_ctx *sweep_lm_open(const sweep_spec *s, char *err, size_t errlen) {
  const sweep_lm *l = &s->lm;
  sweep_lm_ctx *c = calloc(1, sizeof *c);
  int32_t *ids = malloc((size_t)(1 << 20) * sizeof *ids);
  size_t n = 0;
  char e2[400];
  if (!c || !ids) {
    snprintf(err, errlen, "out of memory");
    goto bad;
  }
  c->s = s;
  lm_numerics_spec_init(&c->base, LM_BK_REF);
  if (lm_numerics_spec_parse(&c->base, l->numerics, e2, sizeof e2)) {
    snprintf(err, errlen, "model_eval.numerics: %s", e2);
    goto bad;
  }
  if (llama_load_gguf(&c->m, l->model, e2, sizeof e2)) {
    snprintf(err, errlen, "model_eval: %s", e2);
    goto bad;
  }
  if (tok_read_ids(l->tokens, c->m->c.n_vocab, ids, (size_t)1 << 20, &n, e2, sizeof e2)) {
    snprintf(err, errlen, "model_eval: %s", e2);
    goto bad;
  }
  lm_model_ops ops = llama_model_ops(c->m);
  if (lm_eval_new(&c->ev, &ops, ids, n, l->ctx, l->chunks, e2, sizeof e2)) {
    snprintf(err, errlen, "model_eval: %s", e2);
    goto bad;
  }
  free(ids);
  return c;
bad:
  free(ids);
  sweep_lm_close(c);
  return NULL;
}

mpb_status sweep_lm_point(sweep_lm_ctx *c, const mpb_config *cfg, double *v, char *err,
                          size_t errlen) {
  lm_numerics_spec sp = c->base;
  sp.bridge = *cfg;
  snprintf(sp.bridge_label, sizeof sp.bridge_label, "sweep point");
  if (c->s->lm.offset > lm_eval_max_offset(c->ev, &sp)) { /* pos_bits too small */
    v[0] = v[1] = v[2] = v[3] = INFINITY;
    v[4] = 0;
    return MPB_OK;
  }
  lm_eval_point p;
  char e2[400];
  if (lm_eval_run(c->ev, &sp, c->s->lm.offset, &p, e2, sizeof e2)) {
    snprintf(err, errlen, "model_eval: %s", e2);
    return MPB_EINVAL;
  }
  v[0] = p.r.kld_mean, v[1] = p.r.kld_p99, v[2] = p.r.kld_p999, v[3] = p.r.kld_max;
  v[4] = p.r.same_top;
  return MPB_OK;
}
