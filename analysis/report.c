/* report.c — builds a report (report.h): the cos/sin sweep against FP64, energy per
 * operation with activity and baselines, model-level effects on a seeded synthetic
 * workload, the claims table; the RTL toggle cross-check is report_rtl.c, the trace
 * section report_trace.c. Writers: report_html.c, report_csv.c, report_json.c. */
#include "report.h"
#include "errbuf.h"
#include "report_lm.h"
#include "report_ssm.h"
#include "report_trace.h"
#include "llama_presets.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const variant_names[MPB_NRV] = {"bridge", "fp32", "bf16", "fp16", "int8"};
const char *mpb_report_variant_name(int v) {
  return v >= 0 && v < MPB_NRV ? variant_names[v] : "?";
}

void mpb_report_opts_default(mpb_report_opts *o) {
  memset(o, 0, sizeof *o);
  mpb_config_default(&o->cfg);
  snprintf(o->config_name, sizeof o->config_name, "default");
  o->geo.head_dim = 128;
  o->geo.base = 500000;
  o->geo.pairing = MPB_PAIR_HALF;
  snprintf(o->geometry_name, sizeof o->geometry_name, "llama3");
  o->pos_max = 131072;
  o->per_octave = 1024;
  o->seed = 0x5eed2026ULL;
  o->attn_keys = 256;
  o->ssm_tokens = 4096;
}


/* ---- seeded synthetic data --------------------------------------------------------- */

static uint64_t mix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double unif(uint64_t *s) { return ((double)(mix64(s) >> 11) + 0.5) * 0x1p-53; }
static double gauss(uint64_t *s) {
  return sqrt(-2 * log(unif(s))) * cos(2 * M_PI * unif(s));
}

/* ---- the cos/sin sweep ------------------------------------------------------------- */

/* Positions: all m < 2048, then per_octave evenly spaced per octave (ends included). */
static uint32_t *make_positions(const mpb_report_opts *o, size_t *np) {
  size_t cap = o->dense ? (size_t)o->pos_max + 1 : 2048 + 24 * ((size_t)o->per_octave + 2);
  uint32_t *p = malloc(cap * sizeof *p);
  if (!p) return NULL;
  size_t n = 0;
  uint32_t dense_to = o->dense ? o->pos_max : (o->pos_max < 2047 ? o->pos_max : 2047);
  for (uint32_t m = 0; m <= dense_to; m++) p[n++] = m;
  if (!o->dense) {
    for (uint64_t lo = 2048; lo <= o->pos_max; lo *= 2) {
      uint64_t hi = lo * 2 - 1 < o->pos_max ? lo * 2 - 1 : o->pos_max;
      uint64_t k = o->per_octave < 2 ? 2 : o->per_octave;
      uint32_t last = 0;
      for (uint64_t i = 0; i < k && n < cap; i++) {
        uint32_t m = (uint32_t)(lo + (hi - lo) * i / (k - 1));
        if (i && m == last) continue;
        p[n++] = last = m;
      }
    }
  }
  *np = n;
  return p;
}

static int sweep_cossin(const mpb_model *mdl, mpb_report *r, char *err, size_t en) {
  const mpb_geometry *g = &r->opts.geo;
  size_t np;
  uint32_t *pos = make_positions(&r->opts, &np);
  if (!pos) {
    set_err(err, en, "out of memory");
    return -1;
  }
  r->npositions = np;
  static const mpb_baseline base_of[MPB_NRV] = {MPB_BASE_FP64, MPB_BASE_FP32, MPB_BASE_BF16,
                                                MPB_BASE_FP16, MPB_BASE_INT8};
  for (int v = 0; v < MPB_NRV; v++) {
    r->cs[v] = mpb_metrics_new(1024, NULL);
    if (!r->cs[v]) {
      free(pos);
      set_err(err, en, "out of memory");
      return -1;
    }
  }
  double ulp = ldexp(1.0, -(r->opts.cfg.cs_bits - 1));
  mpb_metrics_set_ulp(r->cs[MPB_RV_BRIDGE], MPB_OP_COS, ulp);
  mpb_metrics_set_ulp(r->cs[MPB_RV_BRIDGE], MPB_OP_SIN, ulp);
  for (size_t i = 0; i < np; i++) {
    uint32_t m = pos[i];
    for (int j = 0; j < g->head_dim / 2; j++) {
      double c0, s0, c, s;
      mpb_baseline_cossin(MPB_BASE_FP64, g, m, j, &c0, &s0);
      for (int v = 0; v < MPB_NRV; v++) {
        if (v == MPB_RV_BRIDGE) mpb_rope_cossin(mdl, m, (uint32_t)j, &c, &s);
        else mpb_baseline_cossin(base_of[v], g, m, j, &c, &s);
        if (!isfinite(c)) c = 2; /* FP16 overflow: an error beyond any valid output */
        if (!isfinite(s)) s = 2;
        mpb_metrics_add(r->cs[v], MPB_OP_COS, MPB_ANY, MPB_ANY, m, c, c0);
        mpb_metrics_add(r->cs[v], MPB_OP_SIN, MPB_ANY, MPB_ANY, m, s, s0);
      }
    }
  }
  free(pos);
  for (int v = 0; v < MPB_NRV; v++) {
    const mpb_err_stats *c = mpb_metrics_total(r->cs[v], MPB_OP_COS);
    const mpb_err_stats *s = mpb_metrics_total(r->cs[v], MPB_OP_SIN);
    r->max_err[v] = fmax(c->max_abs, s->max_abs);
    r->worst_pos[v] = c->max_abs >= s->max_abs ? c->worst_pos : s->worst_pos;
    r->rms_err[v] = sqrt((c->sum_err2 + s->sum_err2) / (double)(c->n + s->n));
    double x[MPB_OCTAVES], ym[MPB_OCTAVES], yr[MPB_OCTAVES];
    size_t n = 0;
    for (int k = 0; k < MPB_OCTAVES; k++) {
      const mpb_err_stats *ck = mpb_metrics_octave(r->cs[v], MPB_OP_COS, k);
      const mpb_err_stats *sk = mpb_metrics_octave(r->cs[v], MPB_OP_SIN, k);
      if (!ck->n) continue;
      r->oct_max[v][k] = fmax(ck->max_abs, sk->max_abs);
      r->oct_rms[v][k] = sqrt((ck->sum_err2 + sk->sum_err2) / (double)(ck->n + sk->n));
      if (k >= 1) {
        x[n] = mpb_octave_mid(k), ym[n] = r->oct_max[v][k], yr[n] = r->oct_rms[v][k];
        n++;
      }
    }
    r->fit_max[v] = mpb_fit_power_law(x, ym, n);
    r->fit_rms[v] = mpb_fit_power_law(x, yr, n);
  }
  return 0;
}

/* ---- energy ------------------------------------------------------------------------ */

static void scale_breakdown(mpb_energy_breakdown *b, double ops) {
  if (ops <= 0) return;
  for (int k = 0; k < MPB_NBLK; k++) {
    b->blk[k].mul_pj /= ops, b->blk[k].add_pj /= ops, b->blk[k].rom_pj /= ops;
    b->blk[k].reg_pj /= ops, b->blk[k].total_pj /= ops, b->blk[k].total_act_pj /= ops;
  }
  b->total_pj /= ops, b->total_act_pj /= ops;
}

/* ---- model-level workload ---------------------------------------------------------- */

typedef struct workload {
  int d;
  size_t nk;
  double *q, *k;      /* q[d], k[nk*d]            */
  uint32_t *kpos;
  uint32_t qpos;
} workload;

static int make_workload(const mpb_report_opts *o, workload *w) {
  uint64_t s = o->seed;
  w->d = o->geo.head_dim;
  w->nk = o->attn_keys ? o->attn_keys : 256;
  uint32_t pmax = o->pos_max < (1u << o->cfg.pos_bits) ? o->pos_max : (1u << o->cfg.pos_bits) - 1;
  w->qpos = pmax;
  w->q = malloc(sizeof(double) * (size_t)w->d * (w->nk + 1));
  w->kpos = malloc(sizeof(uint32_t) * w->nk);
  if (!w->q || !w->kpos) return -1;
  w->k = w->q + w->d;
  /* per-channel scales: a few outlier channels, as seen in real K projections */
  for (size_t v = 0; v <= w->nk; v++)
    for (int i = 0; i < w->d; i++) {
      double sc = (i % 16 == 3) ? 4.0 : 1.0;
      w->q[v * (size_t)w->d + (size_t)i] = sc * gauss(&s);
    }
  /* keys: the first 4 tokens (attention sinks), the rest spread up to the query */
  for (size_t i = 0; i < w->nk; i++)
    w->kpos[i] = i < 4 ? (uint32_t)i
                       : (uint32_t)((double)w->qpos * (double)(i - 3) / (double)(w->nk - 3));
  return 0;
}

static void free_workload(workload *w) {
  free(w->q);
  free(w->kpos);
}

/* Scores with K stored in a KV format (FP64 RoPE everywhere). */
static void kv_attention(const mpb_geometry *g, const workload *w, mpb_kv_format f, int group,
                         mpb_attn_result *out, double *sqnr, double *relrms) {
  size_t n = (size_t)w->d * w->nk;
  double *kq = malloc(sizeof(double) * n), *rot = malloc(sizeof(double) * (size_t)w->d * 3);
  double *sref = malloc(sizeof(double) * w->nk * 2);
  memset(out, 0, sizeof *out);
  if (!kq || !rot || !sref) goto done;
  mpb_kv_roundtrip(f, w->k, n, group, kq);
  double e2 = 0, r2 = 0;
  for (size_t i = 0; i < n; i++) e2 += (kq[i] - w->k[i]) * (kq[i] - w->k[i]), r2 += w->k[i] * w->k[i];
  *sqnr = e2 > 0 ? 10 * log10(r2 / e2) : INFINITY;
  *relrms = sqrt(e2 / r2);
  double *qr = rot, *k0 = rot + w->d, *k1 = rot + 2 * w->d, *svar = sref + w->nk;
  double isd = 1 / sqrt((double)w->d), mx = 0, s2 = 0;
  /* RoPE is linear and orthogonal: rotate with FP64 on both sides */
  for (int j = 0; j < w->d / 2; j++) {
    int ix, iy;
    double c, s;
    mpb_pair_index(g, j, &ix, &iy);
    mpb_baseline_cossin(MPB_BASE_FP64, g, w->qpos, j, &c, &s);
    qr[ix] = w->q[ix] * c - w->q[iy] * s, qr[iy] = w->q[ix] * s + w->q[iy] * c;
  }
  for (size_t i = 0; i < w->nk; i++) {
    const double *a = w->k + i * (size_t)w->d, *b = kq + i * (size_t)w->d;
    for (int j = 0; j < w->d / 2; j++) {
      int ix, iy;
      double c, s;
      mpb_pair_index(g, j, &ix, &iy);
      mpb_baseline_cossin(MPB_BASE_FP64, g, w->kpos[i], j, &c, &s);
      k0[ix] = a[ix] * c - a[iy] * s, k0[iy] = a[ix] * s + a[iy] * c;
      k1[ix] = b[ix] * c - b[iy] * s, k1[iy] = b[ix] * s + b[iy] * c;
    }
    double d0 = 0, d1 = 0;
    for (int t = 0; t < w->d; t++) d0 += qr[t] * k0[t], d1 += qr[t] * k1[t];
    sref[i] = d0 * isd, svar[i] = d1 * isd;
    mx = fmax(mx, fabs(svar[i] - sref[i]));
    s2 += (svar[i] - sref[i]) * (svar[i] - sref[i]);
  }
  double m0 = -INFINITY, m1 = -INFINITY, z0 = 0, z1 = 0, kl = 0;
  for (size_t i = 0; i < w->nk; i++) m0 = fmax(m0, sref[i]), m1 = fmax(m1, svar[i]);
  for (size_t i = 0; i < w->nk; i++) z0 += exp(sref[i] - m0), z1 += exp(svar[i] - m1);
  for (size_t i = 0; i < w->nk; i++) {
    double p = exp(sref[i] - m0) / z0, qv = exp(svar[i] - m1) / z1;
    if (p > 0) kl += p * log(p / fmax(qv, 1e-300));
  }
  out->score_max_err = mx;
  out->score_rms_err = sqrt(s2 / (double)w->nk);
  out->kl = fmax(kl, 0);
done:
  free(kq);
  free(rot);
  free(sref);
}

static int run_model_level(const mpb_model *mdl, const mpb_energy_table *tab, mpb_report *r,
                           char *err, size_t en) {
  const mpb_report_opts *o = &r->opts;
  const mpb_config *cfg = &o->cfg;
  workload w = {0};
  int rc = -1;
  double *ssm = NULL;
  int32_t *qi = NULL;
  int8_t *q8 = NULL;
  if (make_workload(o, &w)) {
    set_err(err, en, "out of memory");
    goto out;
  }
  r->attn_qpos = w.qpos;
  r->model = mpb_metrics_new(4096, NULL);
  if (!r->model || mpb_attn_compare(mdl, w.q, w.qpos, w.k, w.kpos, w.nk, r->attn, r->model,
                                    MPB_ANY, MPB_ANY)) {
    set_err(err, en, "attention check failed (out of memory or bad geometry)");
    goto out;
  }
  /* SSM scan: Mamba-like channel, d_state 16, A_n = -(n+1), dt log-uniform [1e-3, 0.1] */
  size_t T = o->ssm_tokens ? o->ssm_tokens : 4096;
  int ds = 16;
  ssm = malloc(sizeof(double) * (2 * T + 3 * (size_t)ds));
  if (!ssm) {
    set_err(err, en, "out of memory");
    goto out;
  }
  double *dt = ssm, *x = dt + T, *A = x + T, *B = A + ds, *C = B + ds;
  uint64_t s = o->seed ^ 0x55aa;
  for (size_t t = 0; t < T; t++) dt[t] = exp(log(1e-3) + unif(&s) * log(100.0)), x[t] = gauss(&s);
  for (int n = 0; n < ds; n++) A[n] = -(n + 1.0), B[n] = gauss(&s), C[n] = gauss(&s);
  mpb_ssm_compare(mdl, T, ds, dt, x, A, B, C, &r->ssm, r->model);
  /* KV cache formats on the keys */
  r->kv_group = 64;
  for (int f = 0; f < MPB_NKV; f++) {
    r->kv_bytes[f] = mpb_kv_bytes_per_elem((mpb_kv_format)f, r->kv_group);
    kv_attention(&o->geo, &w, (mpb_kv_format)f, r->kv_group, &r->kv_attn[f], &r->kv_sqnr_db[f],
                 &r->kv_rel_rms[f]);
  }
  /* energy: the workload's rotations, exps (SSM) and MACs (q.k in int8) */
  int d = w.d;
  qi = malloc(sizeof(int32_t) * 2 * (size_t)d);
  q8 = malloc((size_t)2 * d);
  if (!qi || !q8) {
    set_err(err, en, "out of memory");
    goto out;
  }
  mpb_counts c, ref;
  mpb_counts_clear(&c);
  double qmax = (double)((1 << (cfg->x_bits - 1)) - 1);
  for (size_t v = 0; v <= w.nk; v++) {
    const double *vec = w.q + v * (size_t)d;
    double mx = 0;
    for (int i = 0; i < d; i++) mx = fmax(mx, fabs(vec[i]));
    for (int i = 0; i < d; i++) qi[i] = (int32_t)lrint(vec[i] / mx * qmax);
    mpb_rope_vector(mdl, v ? w.kpos[v - 1] : w.qpos, qi, qi + d, &c);
  }
  mpb_energy_reference(mdl, MPB_UNIT_ROPE, 4096, o->seed, &ref);
  mpb_energy_price_activity(tab, cfg, &c, &ref, &r->e_rot);
  scale_breakdown(&r->e_rot, (double)c.ops);
  r->rot_power_w = r->e_rot.total_pj * 1e-12 * cfg->clock_mhz * 1e6;
  mpb_counts_clear(&c);
  for (size_t t = 0; t < T; t++)
    for (int n = 0; n < ds; n++) {
      double u = dt[t] * A[n] * M_LOG2E * 65536.0;
      mpb_exp_req rq = {(int32_t)lrint(fmax(u, -8388608.0))};
      mpb_exp_resp rs;
      mpb_exp_eval(mdl, &rq, &rs, &c);
    }
  mpb_energy_reference(mdl, MPB_UNIT_EXP, 4096, o->seed, &ref);
  mpb_energy_price_activity(tab, cfg, &c, &ref, &r->e_exp);
  scale_breakdown(&r->e_exp, (double)c.ops);
  mpb_counts_clear(&c);
  for (int i = 0; i < d; i++) q8[i] = (int8_t)lrint(fmax(-127, fmin(127, w.q[i] / 4.0 * 31.0)));
  for (size_t v = 0; v < w.nk; v++) {
    for (int i = 0; i < d; i++) {
      double val = w.k[v * (size_t)d + (size_t)i] / 4.0 * 31.0;
      q8[d + i] = (int8_t)lrint(fmax(-127, fmin(127, val)));
    }
    mpb_dot_resp rs;
    mpb_dot_eval(mdl, q8, q8 + d, (size_t)d, &rs, &c);
  }
  mpb_energy_reference(mdl, MPB_UNIT_DOT, 64, o->seed, &ref);
  mpb_energy_price_activity(tab, cfg, &c, &ref, &r->e_dot);
  scale_breakdown(&r->e_dot, (double)w.nk * d); /* per MAC product */
  rc = 0;
out:
  free_workload(&w);
  free(ssm);
  free(qi);
  free(q8);
  return rc;
}

/* ---- system estimate --------------------------------------------------------------- */

/* One decoded token (batch 1) of Llama 3 8B (geometry: the llama3-8b preset of
 * lm/llama_synth.c; 32 layers and the 128256-token vocabulary of the real model) at
 * context C = pos_max: projection + FFN + LM-head MACs, attention MACs (q.k and p.v over
 * C keys), softmax exps, RoPE rotations of q and k. FP32 pipeline: FP32 MACs/exps/
 * rotations, FP32 weights and an FP16 KV cache read from DRAM; bridge: int8 MACs on the
 * dot unit, the rope and exp units, int8 weights and an 8-bit KV cache (scales included). */
static void system_estimate(const mpb_energy_table *tab, mpb_report *r) {
  const llama_preset *lp = llama_preset_find("llama3-8b");
  if (!lp) return;
  const llama_config *c = &lp->c;
  const double layers = 32, vocab = 128256, C = r->opts.pos_max;
  double E = c->n_embd, H = c->n_head, KV = c->n_head_kv, D = c->head_dim, FF = c->n_ff;
  double proj = E * H * D + 2 * E * KV * D + H * D * E + 3 * E * FF;
  double weights = layers * proj + E * vocab;
  r->sys_ctx = C;
  r->sys_macs = weights + layers * 2 * H * D * C;
  r->sys_exps = layers * H * C;
  r->sys_rots = layers * (H + KV) * D / 2;
  double kv_elems = layers * 2 * KV * D * C;
  r->sys_compute_j[0] = 1e-12 * (r->sys_macs * r->base_pj[MPB_EPIPE_FP32][MPB_EOP_MAC] +
                                 r->sys_exps * r->base_pj[MPB_EPIPE_FP32][MPB_EOP_EXP] +
                                 r->sys_rots * r->base_pj[MPB_EPIPE_FP32][MPB_EOP_ROTATION]);
  r->sys_compute_j[1] = 1e-12 * (r->sys_macs * r->e_dot.total_pj + r->sys_exps * r->e_exp.total_pj +
                                 r->sys_rots * r->e_rot.total_pj);
  r->sys_dram_j[0] = 1e-12 * mpb_energy_dram_pj(tab, weights * 4 + kv_elems * 2);
  r->sys_dram_j[1] = 1e-12 * mpb_energy_dram_pj(tab, weights * 1 + kv_elems * r->kv_bytes[MPB_KV_INT8]);
}

/* ---- claims ------------------------------------------------------------------------ */

static void make_claims(mpb_report *r) {
  mpb_claim *c = r->claims;
  double eb = r->max_err[MPB_RV_BRIDGE], ef = r->max_err[MPB_RV_FP32];
  c[0].claim = "8-bit hardware reaches 32-bit (FP32) precision for RoPE";
  snprintf(c[0].measured, sizeof c[0].measured,
           "max |cos/sin error| over positions 0..%u, all %d pairs: bridge %.3g (%.1f bits), "
           "FP32 recipe %.3g (%.1f bits)",
           r->opts.pos_max, r->opts.geo.head_dim / 2, eb, -log2(eb), ef, -log2(ef));
  snprintf(c[0].verdict, sizeof c[0].verdict, "%s", eb <= ef ? "holds (better than FP32)"
                                                             : "not reached");
  double rot32 = r->base_pj[MPB_EPIPE_FP32][MPB_EOP_ROTATION], rb = r->e_rot.total_pj;
  double ratio = rb > 0 ? rot32 / rb : 0;
  double mac = r->e_dot.total_pj > 0 ? r->base_pj[MPB_EPIPE_FP32][MPB_EOP_MAC] / r->e_dot.total_pj : 0;
  c[1].claim = "compute power 500 W -> under 100 W (a 5x cut)";
  double rc = r->sys_compute_j[1] > 0 ? r->sys_compute_j[0] / r->sys_compute_j[1] : 0;
  double rt = r->sys_compute_j[1] + r->sys_dram_j[1] > 0
                  ? (r->sys_compute_j[0] + r->sys_dram_j[0]) / (r->sys_compute_j[1] + r->sys_dram_j[1])
                  : 0;
  snprintf(c[1].measured, sizeof c[1].measured,
           "per rotation: bridge %.1f pJ (activity %.1f) vs FP32 %.1f pJ = %.2fx; per MAC: "
           "%.2f vs %.2f pJ = %.1fx; one Llama 3 8B token at context %.0f: compute %.3g J vs "
           "%.3g J = %.1fx; compute + DRAM traffic %.3g J vs %.3g J = %.1fx",
           rb, r->e_rot.total_act_pj, rot32, ratio, r->e_dot.total_pj,
           r->base_pj[MPB_EPIPE_FP32][MPB_EOP_MAC], mac, r->sys_ctx, r->sys_compute_j[0],
           r->sys_compute_j[1], rc, r->sys_compute_j[0] + r->sys_dram_j[0],
           r->sys_compute_j[1] + r->sys_dram_j[1], rt);
  snprintf(c[1].verdict, sizeof c[1].verdict, "%s compute (%.1fx); RoPE alone %.1fx; with DRAM %.1fx",
           rc >= 5 ? "holds for" : "not reached for", rc, ratio, rt);
  double save8 = 1 - r->kv_bytes[MPB_KV_INT8] / r->kv_bytes[MPB_KV_FP16];
  double savel = 1 - r->kv_bytes[MPB_KV_LOG8] / r->kv_bytes[MPB_KV_FP16];
  c[2].claim = "KV-cache memory -50% (log-form storage)";
  snprintf(c[2].measured, sizeof c[2].measured,
           "vs FP16 (scales per %d elements included): int8 -%.1f%% (K SQNR %.1f dB, score KL "
           "%.2g), log8 -%.1f%% (K SQNR %.1f dB, score KL %.2g); synthetic keys",
           r->kv_group, 100 * save8, r->kv_sqnr_db[MPB_KV_INT8], r->kv_attn[MPB_KV_INT8].kl,
           100 * savel, r->kv_sqnr_db[MPB_KV_LOG8], r->kv_attn[MPB_KV_LOG8].kl);
  if (r->has_trace && r->trace_kv_values) {
    size_t l = strlen(c[2].measured);
    snprintf(c[2].measured + l, sizeof c[2].measured - l, "; trace K: int8 %.1f dB, log8 %.1f dB",
             r->trace_kv_sqnr_db[MPB_KV_INT8], r->trace_kv_sqnr_db[MPB_KV_LOG8]);
  }
  snprintf(c[2].verdict, sizeof c[2].verdict, "%s -%.1f%%",
           savel >= 0.5 ? "holds" : "almost:", 100 * savel);
  int k128 = mpb_octave(r->opts.pos_max);
  double e128 = r->oct_max[MPB_RV_BRIDGE][k128];
  c[3].claim = "128k-token context without drift";
  snprintf(c[3].measured, sizeof c[3].measured,
           "error growth err ~ a m^b: bridge b = %.3f (R^2 %.2f), max error in the last octave "
           "%.3g; FP32 recipe b = %.3f (R^2 %.2f), last octave %.3g; goal 2^-15 = %.3g",
           r->fit_max[MPB_RV_BRIDGE].b, r->fit_max[MPB_RV_BRIDGE].r2, e128,
           r->fit_max[MPB_RV_FP32].b, r->fit_max[MPB_RV_FP32].r2, r->oct_max[MPB_RV_FP32][k128],
           r->goal);
  snprintf(c[3].verdict, sizeof c[3].verdict, "%s",
           e128 <= r->goal && fabs(r->fit_max[MPB_RV_BRIDGE].b) < 0.1 ? "holds (no drift)"
                                                                      : "drifts");
  mpb_report_lm_claims(r, &c[4], &c[5]);
}

/* ---- build ------------------------------------------------------------------------- */

int mpb_report_build(const mpb_report_opts *o, mpb_report *r, char *err, size_t n) {
  memset(r, 0, sizeof *r);
  r->opts = *o;
  r->opts.energy_path = NULL, r->opts.trace_path = NULL, r->opts.lm_eval_path = NULL;
  r->opts.ssm_eval_path = NULL, r->opts.hybrid_eval_path = NULL;
  for (size_t i = 0; i < MPB_REPORT_NRTL; i++) r->opts.rtl_toggles_paths[i] = NULL;
  r->opts.n_rtl_toggles = 0;
  if (o->pos_max >= (1u << o->cfg.pos_bits)) {
    set_err(err, n, "positions up to %u need pos_bits >= %d (configuration has %d)", o->pos_max,
            mpb_octave(o->pos_max), o->cfg.pos_bits);
    return -1;
  }
  mpb_model *mdl = mpb_model_new(&o->cfg, &o->geo, err, n);
  if (!mdl) return -1;
  mpb_energy_table *tab = mpb_energy_load(o->energy_path, err, n);
  int rc = -1;
  if (!tab) goto out;
  snprintf(r->energy_source, sizeof r->energy_source, "%s", mpb_energy_source(tab));
  r->goal = 0x1p-15;
  r->bound = mpb_rope_error_bound(&o->cfg, o->pos_max + 1);
  mpb_pipe *p = mpb_pipe_new(mdl, MPB_UNIT_ROPE);
  r->latency = p ? mpb_pipe_latency(p) : 0;
  mpb_pipe_free(p);
  r->area = mpb_area_proxy(&o->cfg, &o->geo);
  for (int pp = 0; pp < MPB_NEPIPE; pp++)
    for (int op = 0; op < MPB_NEOP; op++)
      r->base_pj[pp][op] = mpb_energy_baseline_pj(tab, (mpb_energy_pipe)pp, (mpb_energy_op)op);
  if (sweep_cossin(mdl, r, err, n) || run_model_level(mdl, tab, r, err, n)) goto out;
  if (o->n_rtl_toggles &&
      mpb_report_add_rtl(r, mdl, o->rtl_toggles_paths, o->n_rtl_toggles, err, n))
    goto out;
  if (o->trace_path && mpb_report_add_trace(r, o->trace_path, mdl, tab, err, n)) goto out;
  if (o->lm_eval_path && mpb_lm_eval_load(o->lm_eval_path, &r->lm, err, n)) goto out;
  if (mpb_report_add_ssm(r, o->ssm_eval_path, o->hybrid_eval_path, err, n)) goto out;
  system_estimate(tab, r);
  make_claims(r);
  rc = 0;
out:
  mpb_energy_free(tab);
  mpb_model_free(mdl);
  if (rc) mpb_report_free(r);
  return rc;
}

void mpb_report_free(mpb_report *r) {
  for (int v = 0; v < MPB_NRV; v++) {
    mpb_metrics_free(r->cs[v]);
    r->cs[v] = NULL;
  }
  mpb_metrics_free(r->model);
  r->model = NULL;
  mpb_metrics_free(r->trace);
  r->trace = NULL;
  mpb_lm_eval_free(r->lm);
  r->lm = NULL;
  mpb_report_ssm_free(r);
}
