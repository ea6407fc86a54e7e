/* hybrid_eval.c — the Bit-Axon hybrid in closed loop (hybrid_eval.h): the reference run
 * keeps the log-probabilities of the compared positions, each variant's run is compared
 * with them position by position. */
#include "hybrid_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "kld.h"
#include "rng.h"

void hybrid_eval_opts_default(hybrid_eval_opts *o) {
  memset(o, 0, sizeof *o);
  snprintf(o->model, sizeof o->model, "bitaxon");
  o->c = hybrid_preset_find("bitaxon")->c;
  o->seed = 1;
  o->tokens = 8192;
  o->chunk = 64;
  o->ncheck = 2;
  o->check[0] = 1024, o->check[1] = 8192;
}

int hybrid_eval_set_model(hybrid_eval_opts *o, const char *name, char *err, size_t errlen) {
  const hybrid_preset *p = hybrid_preset_find(name);
  if (!p) {
    char list[256] = "";
    for (size_t i = 0, n = 0; i < hybrid_preset_count(); i++)
      n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                            hybrid_preset_at(i)->name);
    return fail(err, errlen, "'%s' is not one of {%s}", name, list);
  }
  snprintf(o->model, sizeof o->model, "%s", name);
  o->c = p->c;
  return 0;
}

static int add(hybrid_eval_opts *o, const char *text, const char *label, const char *group,
               const lm_numerics_spec *base, char *err, size_t errlen) {
  if (o->nvar == HYBRID_MAX_VARIANTS)
    return fail(err, errlen, "at most %d hybrid variants", HYBRID_MAX_VARIANTS);
  lm_numerics_spec *s = &o->spec[o->nvar];
  lm_numerics_spec_init(s, LM_BK_REF);
  if (base) {
    s->bridge = base->bridge;
    s->gemm_group = base->gemm_group, s->kv_group = base->kv_group;
    snprintf(s->bridge_label, sizeof s->bridge_label, "%s", base->bridge_label);
  }
  if (lm_numerics_spec_parse(s, text, err, errlen)) return -1;
  snprintf(o->label[o->nvar], sizeof o->label[0], "%s", label);
  snprintf(o->group[o->nvar], sizeof o->group[0], "%s", group);
  o->nvar++;
  return 0;
}

int hybrid_eval_add_spec(hybrid_eval_opts *o, const char *text, const lm_numerics_spec *base,
                         char *err, size_t errlen) {
  return add(o, text, text, "", base, err, errlen);
}

/* The attribution groups: name, spec items with %1$s = the backend. */
static const struct {
  const char *group, *fmt;
} kAttr[] = {
    {"ssm_exp", "exp.ssm_da=%s,exp.softplus=%s"},
    {"attn_exp", "exp.softmax=%s"},
    {"router", "exp.router=%s"},
    {"silu", "exp.silu=%s"},
    {"gemm", "gemm=%s"},
    {"all", "all=%s"},
};

int hybrid_eval_add_attribution(hybrid_eval_opts *o, lm_backend b,
                                const lm_numerics_spec *base, char *err, size_t errlen) {
  const char *n = lm_backend_name(b);
  for (size_t i = 0; i < sizeof kAttr / sizeof kAttr[0]; i++) {
    char text[128], label[64];
    snprintf(text, sizeof text, kAttr[i].fmt, n, n);
    snprintf(label, sizeof label, "%s %s", n, kAttr[i].group);
    if (add(o, text, label, kAttr[i].group, base, err, errlen)) return -1;
  }
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Positions compared at checkpoint N: [N - npos, N). */
static int check_npos(uint32_t N) { return N < HYBRID_KLD_POSITIONS ? (int)N : HYBRID_KLD_POSITIONS; }

/* One run over the token stream tok[0..tokens): the logits of the compared positions into
 * lg ([checkpoint][position][vocab]). */
static int run_one(const hybrid_model *m, const lm_numerics_spec *sp, const hybrid_eval_opts *o,
                   const int32_t *tok, float *lg, double *seconds, uint64_t *clamped,
                   uint64_t *events, void (*progress)(void *, uint64_t, uint64_t), void *user,
                   uint64_t done0, uint64_t total, char *err, size_t errlen) {
  lm_numerics *nm = NULL;
  hybrid_state *s = NULL;
  int V = m->c.n_vocab, C = o->chunk, rc = -1;
  float *rows = malloc((size_t)C * V * sizeof *rows);
  if (!rows) {
    fail(err, errlen, "out of memory for %d logits rows", C);
    goto done;
  }
  if (lm_numerics_new(&nm, sp, err, errlen) ||
      hybrid_state_new(&s, m, nm, (int)o->tokens, C, err, errlen))
    goto done;
  double t0 = now();
  for (uint32_t p0 = 0; p0 < o->tokens; p0 += (uint32_t)C) {
    int n = o->tokens - p0 < (uint32_t)C ? (int)(o->tokens - p0) : C;
    /* rows of this batch inside some checkpoint's window: the head runs from the first */
    int from = n;
    for (int c = 0; c < o->ncheck; c++) {
      uint32_t lo = o->check[c] - (uint32_t)check_npos(o->check[c]), hi = o->check[c];
      if (hi > p0 && lo < p0 + (uint32_t)n) {
        int f = lo > p0 ? (int)(lo - p0) : 0;
        if (f < from) from = f;
      }
    }
    if (hybrid_forward(s, tok + p0, n, rows, from, err, errlen)) goto done;
    for (int i = from; i < n; i++) {
      uint32_t pos = p0 + (uint32_t)i;
      for (int c = 0; c < o->ncheck; c++) {
        uint32_t lo = o->check[c] - (uint32_t)check_npos(o->check[c]);
        if (pos < lo || pos >= o->check[c]) continue;
        memcpy(lg + ((size_t)c * HYBRID_KLD_POSITIONS + (pos - lo)) * V,
               rows + (size_t)(i - from) * V, (size_t)V * sizeof(float));
      }
    }
    if (progress) progress(user, done0 + p0 + (uint64_t)n, total);
  }
  *seconds = now() - t0;
  const lm_numerics_stats *st = lm_numerics_get_stats(nm);
  *clamped = *events = 0;
  for (int i = 0; i < LM_NEXP; i++) *clamped += st->exp_clamped[i];
  for (int i = 0; i < LM_NLIN; i++) *events += st->gemm_events[i];
  rc = 0;
done:
  hybrid_state_free(s);
  lm_numerics_free(nm);
  free(rows);
  return rc;
}

int hybrid_eval_run(const hybrid_eval_opts *o, hybrid_eval_result *r,
                    void (*progress)(void *user, uint64_t done, uint64_t total), void *user,
                    char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  r->opts = *o;
  hybrid_config c = o->c;
  if (o->dt_min > 0) c.dt_min = o->dt_min, c.dt_max = o->dt_max;
  if (o->tokens < 1 || o->tokens > HYBRID_MAX_TOKENS)
    return fail(err, errlen, "tokens = %u is not in [1, %u]", o->tokens, HYBRID_MAX_TOKENS);
  if (o->chunk < 1 || o->chunk > 4096)
    return fail(err, errlen, "chunk = %d is not in [1, 4096]", o->chunk);
  if (o->ncheck < 1 || o->ncheck > HYBRID_MAX_CHECKPOINTS)
    return fail(err, errlen, "%d checkpoints is not in [1, %d]", o->ncheck, HYBRID_MAX_CHECKPOINTS);
  for (int i = 0; i < o->ncheck; i++)
    if (o->check[i] < 1 || o->check[i] > o->tokens || (i && o->check[i] <= o->check[i - 1]))
      return fail(err, errlen, "checkpoint %u: checkpoints must increase within [1, tokens = %u]",
                  o->check[i], o->tokens);
  r->opts.c = c;
  hybrid_model *m;
  if (hybrid_model_synth(&m, &c, o->seed, err, errlen)) return -1;
  size_t V = (size_t)c.n_vocab, per = (size_t)o->ncheck * HYBRID_KLD_POSITIONS * V;
  float *ref = malloc(per * sizeof *ref), *var = malloc(per * sizeof *var);
  int32_t *tok = malloc(((size_t)o->tokens + 1) * sizeof *tok);
  int rc = -1;
  if (!ref || !var || !tok) {
    fail(err, errlen, "out of memory for %d checkpoints x %d positions x %zu logits",
         o->ncheck, HYBRID_KLD_POSITIONS, V);
    goto done;
  }
  lm_rng r0 = {o->seed + 1};
  for (uint32_t i = 0; i <= o->tokens; i++) tok[i] = (int32_t)(lm_rng_u64(&r0) % (uint64_t)V);
  lm_numerics_spec sref;
  lm_numerics_spec_init(&sref, LM_BK_REF);
  uint64_t total = (uint64_t)o->tokens * (uint64_t)(o->nvar + 1), clamped, events;
  char e2[400];
  if (run_one(m, &sref, o, tok, ref, &r->ref_seconds, &clamped, &events, progress, user, 0,
              total, e2, sizeof e2)) {
    fail(err, errlen, "reference: %s", e2);
    goto done;
  }
  for (int ci = 0; ci < o->ncheck; ci++) { /* mean entropy of the reference */
    int np = check_npos(o->check[ci]);
    double h = 0;
    for (int p = 0; p < np; p++) {
      const float *z = ref + ((size_t)ci * HYBRID_KLD_POSITIONS + p) * V;
      double mx = z[0], sum = 0, ez = 0;
      for (size_t i = 1; i < V; i++) mx = z[i] > mx ? z[i] : mx;
      for (size_t i = 0; i < V; i++) {
        double e = exp((double)z[i] - mx);
        sum += e, ez += e * ((double)z[i] - mx);
      }
      h += log(sum) - ez / sum;
    }
    r->ref_entropy[ci] = h / np;
  }
  for (int v = 0; v < o->nvar; v++) {
    hybrid_eval_variant *H = &r->var[v];
    snprintf(H->label, sizeof H->label, "%s", o->label[v]);
    snprintf(H->group, sizeof H->group, "%s", o->group[v]);
    lm_numerics_spec_format(&o->spec[v], H->spec, sizeof H->spec);
    if (run_one(m, &o->spec[v], o, tok, var, &H->seconds, &H->exp_clamped, &H->gemm_events,
                progress, user, (uint64_t)o->tokens * (uint64_t)(v + 1), total, e2, sizeof e2)) {
      fail(err, errlen, "%s: %s", o->label[v], e2);
      goto done;
    }
    for (int ci = 0; ci < o->ncheck; ci++) {
      hybrid_eval_point *P = &H->at[ci];
      int np = check_npos(o->check[ci]);
      uint32_t lo = o->check[ci] - (uint32_t)np;
      lm_kld_acc acc;
      if (lm_kld_init(&acc, (size_t)np, err, errlen)) goto done;
      for (int p = 0; p < np; p++) {
        size_t off = ((size_t)ci * HYBRID_KLD_POSITIONS + p) * V;
        lm_kld_add(&acc, ref + off, var + off, (int)V, tok[lo + (uint32_t)p + 1]);
      }
      lm_kld_result kr;
      lm_kld_finish(&acc, &kr);
      P->tokens = o->check[ci];
      P->npos = np;
      P->kld_mean = kr.kld_mean, P->kld_se = kr.kld_se, P->kld_max = kr.kld_max;
      P->kld_final = acc.kld[np - 1];
      P->same_top1 = kr.same_top;
      lm_kld_free(&acc);
    }
  }
  rc = 0;
done:
  free(ref), free(var), free(tok);
  hybrid_model_free(m);
  return rc;
}
