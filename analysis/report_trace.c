/* report_trace.c — the trace section of a report: replays a trace (traces/replay.h) with
 * a per-record hook that feeds the streaming metrics (rotated values per layer, head and
 * position; exp relative error; dot sums), pairs Q and K records of the same window to
 * measure attention-score error and softmax KL of the bridge's rotations against the
 * exact rotation, and prices the replay's action counts with activity against a
 * random-data reference of the same operation mix. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "report.h"
#include "report_trace.h"
#include "trace.h"

/* Latest rotated rows of one (layer, head) of one kind (Q or K), for score pairing. */
typedef struct rows {
  uint32_t layer, tok0, ntok, width;
  bool valid;
  double *got, *ref; /* ntok x width, input units times the row scale */
  uint32_t *pos;
} rows;

typedef struct hook_ctx {
  mpb_metrics *acc;
  rows *q, *k;          /* n_heads, n_kv_heads */
  uint32_t nq, nk;
  double score_max, score_sq, kl_sum, kl_max;
  uint64_t scores, queries;
  uint64_t products;    /* GEMM MAC products (activity reference) */
  double kv_e2[MPB_NKV], kv_r2; /* K rows through the KV-cache formats     */
  uint64_t kv_n;
  double *kv_buf;
  size_t kv_cap;
  bool oom;
} hook_ctx;

static int keep_rows(rows *r, const trace_record *rec, const replay_rec_out *out) {
  size_t n = (size_t)rec->ntok * rec->width;
  double *g = realloc(r->got, n * sizeof *g), *f;
  if (!g) return -1;
  r->got = g;
  if (!(f = realloc(r->ref, n * sizeof *f))) return -1;
  r->ref = f;
  uint32_t *p = realloc(r->pos, rec->ntok * sizeof *p);
  if (!p) return -1;
  r->pos = p;
  for (uint32_t t = 0; t < rec->ntok; t++) {
    double sc = rec->scale ? rec->scale[t] : 1.0;
    for (uint32_t i = 0; i < rec->width; i++) {
      size_t o = (size_t)t * rec->width + i;
      r->got[o] = out->got[o] * sc;
      r->ref[o] = out->ref[o] * sc;
    }
    r->pos[t] = rec->pos ? rec->pos[t] : rec->tok0 + t;
  }
  r->layer = rec->layer, r->tok0 = rec->tok0, r->ntok = rec->ntok, r->width = rec->width;
  r->valid = true;
  return 0;
}

/* Causal scores of every query row of q against the key rows of k at positions <= its
 * own: error of the bridge's rotations against the exact ones, and softmax KL per row. */
static void score_pair(hook_ctx *c, const rows *q, const rows *k, int layer, int head) {
  if (q->width != k->width || !q->valid || !k->valid) return;
  double isd = 1 / sqrt((double)q->width);
  double *sg = malloc(sizeof(double) * k->ntok * 2);
  if (!sg) {
    c->oom = true;
    return;
  }
  double *sr = sg + k->ntok;
  for (uint32_t t = 0; t < q->ntok; t++) {
    size_t n = 0;
    for (uint32_t s = 0; s < k->ntok; s++) {
      if (k->pos[s] > q->pos[t]) continue;
      double a = 0, b = 0;
      const double *qg = q->got + (size_t)t * q->width, *qr = q->ref + (size_t)t * q->width;
      const double *kg = k->got + (size_t)s * k->width, *kr = k->ref + (size_t)s * k->width;
      for (uint32_t i = 0; i < q->width; i++) a += qg[i] * kg[i], b += qr[i] * kr[i];
      sg[n] = a * isd, sr[n] = b * isd;
      double e = sg[n] - sr[n];
      c->score_max = fmax(c->score_max, fabs(e));
      c->score_sq += e * e;
      c->scores++;
      mpb_metrics_add(c->acc, MPB_OP_SCORE, layer, head, q->pos[t] - k->pos[s], sg[n], sr[n]);
      n++;
    }
    if (!n) continue;
    double mg = -INFINITY, mr = -INFINITY, zg = 0, zr = 0, kl = 0;
    for (size_t i = 0; i < n; i++) mg = fmax(mg, sg[i]), mr = fmax(mr, sr[i]);
    for (size_t i = 0; i < n; i++) zg += exp(sg[i] - mg), zr += exp(sr[i] - mr);
    for (size_t i = 0; i < n; i++) {
      double pr = exp(sr[i] - mr) / zr, pg = exp(sg[i] - mg) / zg;
      if (pr > 0) kl += pr * log(pr / fmax(pg, 1e-300));
    }
    kl = fmax(kl, 0);
    c->kl_sum += kl;
    c->kl_max = fmax(c->kl_max, kl);
    c->queries++;
  }
  free(sg);
}

/* K rows (FP32 originals when present, else int8 x scale) through each KV format. */
static void kv_measure(hook_ctx *c, const trace_record *rec) {
  size_t n = (size_t)rec->ntok * rec->width;
  if (n * 2 > c->kv_cap) {
    double *b = realloc(c->kv_buf, n * 2 * sizeof *b);
    if (!b) {
      c->oom = true;
      return;
    }
    c->kv_buf = b, c->kv_cap = n * 2;
  }
  double *v = c->kv_buf, *o = v + n;
  for (size_t i = 0; i < n; i++)
    v[i] = (rec->flags & TRACE_F_F32) && rec->f32
               ? rec->f32[i]
               : rec->x[i] * (rec->scale ? rec->scale[i / rec->width] : 1.0);
  for (size_t i = 0; i < n; i++) c->kv_r2 += v[i] * v[i];
  for (int f = 0; f < MPB_NKV; f++) {
    mpb_kv_roundtrip((mpb_kv_format)f, v, n, 64, o);
    for (size_t i = 0; i < n; i++) c->kv_e2[f] += (o[i] - v[i]) * (o[i] - v[i]);
  }
  c->kv_n += n;
}

static void hook(void *user, const trace_header *h, const trace_record *rec,
                 const replay_rec_out *out) {
  hook_ctx *c = user;
  if (rec->kind == TRACE_ROPE) {
    for (uint32_t t = 0; t < rec->ntok; t++) {
      uint32_t pos = rec->pos ? rec->pos[t] : rec->tok0 + t;
      for (uint32_t i = 0; i < rec->width; i++) {
        size_t o = (size_t)t * rec->width + i;
        mpb_metrics_add(c->acc, MPB_OP_ROT, (int)rec->layer, (int)rec->head, pos, out->got[o],
                        out->ref[o]);
      }
    }
    bool isq = rec->op == TRACE_ROPE_Q;
    if (!isq) kv_measure(c, rec);
    uint32_t nh = isq ? c->nq : c->nk;
    if (rec->head >= nh) return;
    rows *mine = isq ? &c->q[rec->head] : &c->k[rec->head];
    if (keep_rows(mine, rec, out)) {
      c->oom = true;
      return;
    }
    uint32_t group = c->nk ? (c->nq / c->nk ? c->nq / c->nk : 1) : 1;
    if (isq) {
      rows *k = &c->k[rec->head / group < c->nk ? rec->head / group : 0];
      if (k->valid && k->layer == rec->layer && k->tok0 == rec->tok0)
        score_pair(c, mine, k, (int)rec->layer, (int)rec->head);
    } else {
      for (uint32_t hq = rec->head * group; hq < (rec->head + 1) * group && hq < c->nq; hq++) {
        rows *q = &c->q[hq];
        if (q->valid && q->layer == rec->layer && q->tok0 == rec->tok0)
          score_pair(c, q, mine, (int)rec->layer, (int)hq);
      }
    }
  } else if (rec->kind == TRACE_EXP) {
    for (size_t i = 0; i < out->n; i++)
      if (out->ref[i] > 0)
        mpb_metrics_add(c->acc, MPB_OP_EXP, (int)rec->layer, MPB_ANY,
                        rec->pos ? rec->pos[i / rec->width] : 0, out->got[i] / out->ref[i], 1.0);
  } else if (rec->kind == TRACE_GEMM) {
    c->products += (uint64_t)rec->ntok * rec->cols * rec->width;
    for (size_t i = 0; i < out->n; i++)
      mpb_metrics_add(c->acc, MPB_OP_DOT, (int)rec->layer, MPB_ANY,
                      rec->pos ? rec->pos[i / rec->cols] : 0, out->got[i], out->ref[i]);
  }
  (void)h;
}

int mpb_trace_geometry(const char *path, mpb_geometry *g, char *model, size_t mlen, char *err,
                       size_t n) {
  trace_reader *rd = trace_reader_open(path, err, n);
  if (!rd) return -1;
  const trace_header *h = trace_reader_header(rd);
  int rc = 0;
  if (!h->head_dim) {
    snprintf(err, n, "%s: the trace has no RoPE geometry (head_dim 0); give --geometry", path);
    rc = -1;
  } else {
    g->head_dim = (int)h->head_dim;
    g->base = h->rope_base;
    g->pairing = h->pairing ? MPB_PAIR_HALF : MPB_PAIR_INTERLEAVED;
    snprintf(model, mlen, "%s", h->model);
  }
  trace_reader_close(rd);
  return rc;
}

int mpb_report_add_trace(mpb_report *r, const char *path, const mpb_model *mdl,
                         const mpb_energy_table *tab, char *err, size_t n) {
  const mpb_config *cfg = &r->opts.cfg;
  replay_opts o;
  replay_opts_init(&o);
  hook_ctx c;
  memset(&c, 0, sizeof c);
  c.acc = mpb_metrics_new(8192, NULL);
  mpb_metrics_set_ulp(c.acc, MPB_OP_ROT, ldexp(1.0, -cfg->rot_frac_bits));
  trace_reader *rd = trace_reader_open(path, err, n);
  if (!rd || !c.acc) {
    mpb_metrics_free(c.acc);
    if (rd) trace_reader_close(rd);
    return -1;
  }
  const trace_header *h = trace_reader_header(rd);
  c.nq = h->n_heads, c.nk = h->n_kv_heads;
  snprintf(r->trace_model, sizeof r->trace_model, "%s", h->model);
  trace_reader_close(rd);
  c.q = calloc(c.nq + 1, sizeof(rows));
  c.k = calloc(c.nk + 1, sizeof(rows));
  o.hook = hook;
  o.hook_user = &c;
  replay_result res;
  int rc = -1;
  if (!c.q || !c.k) {
    snprintf(err, n, "out of memory");
    goto out;
  }
  if (replay_run(path, cfg, &o, &res, err, n)) goto out;
  if (c.oom) {
    snprintf(err, n, "%s: out of memory in the report hook", path);
    replay_result_free(&res);
    goto out;
  }
  r->has_trace = true;
  snprintf(r->trace_path, sizeof r->trace_path, "%s", path);
  r->trace_records = res.records;
  for (int k = 0; k < 4 && k < TRACE_NKIND; k++) r->trace_ops[k] = res.ops[k];
  r->trace_score_max = c.score_max;
  r->trace_score_rms = c.scores ? sqrt(c.score_sq / (double)c.scores) : 0;
  r->trace_kl_mean = c.queries ? c.kl_sum / (double)c.queries : 0;
  r->trace_kl_max = c.kl_max;
  r->trace_queries = c.queries;
  r->trace_kv_values = c.kv_n;
  for (int f = 0; f < MPB_NKV; f++)
    r->trace_kv_sqnr_db[f] = c.kv_e2[f] > 0 ? 10 * log10(c.kv_r2 / c.kv_e2[f]) : INFINITY;
  /* activity reference: random data, same mix of rotations, exps and MAC products */
  mpb_counts ref, u;
  mpb_counts_clear(&ref);
  const size_t N = 4096;
  struct {
    mpb_unit unit;
    double count, per; /* operations of the trace, operations per reference op */
  } mix[3] = {{MPB_UNIT_ROPE, (double)res.ops[TRACE_ROPE], 1},
              {MPB_UNIT_EXP, (double)res.ops[TRACE_EXP], 1},
              {MPB_UNIT_DOT, (double)c.products, 256}};
  for (int m = 0; m < 3; m++) {
    if (mix[m].count <= 0) continue;
    size_t nref = mix[m].unit == MPB_UNIT_DOT ? N / 64 : N;
    mpb_energy_reference(mdl, mix[m].unit, nref, r->opts.seed, &u);
    double scale = mix[m].count / ((double)nref * mix[m].per);
    for (int b = 0; b < MPB_NBLK; b++)
      ref.blk[b].toggles += (uint64_t)llround((double)u.blk[b].toggles * scale);
  }
  ref.ops = res.counts.ops;
  mpb_energy_price_activity(tab, cfg, &res.counts, &ref, &r->e_trace);
  /* clock and leakage: each unit's hardware over its own cycles (one operation per cycle,
   * the dot unit mac_lanes products), summed as one cycle-weighted hardware */
  mpb_energy_unit_hw all, hw;
  memset(&all, 0, sizeof all);
  double cycles = 0, cyc[3];
  for (int m = 0; m < 3; m++) {
    mpb_energy_unit_hw_of(mdl, mix[m].unit, &hw);
    cyc[m] = mix[m].count / hw.ops_per_cycle;
    cycles += cyc[m];
  }
  for (int m = 0; m < 3 && cycles > 0; m++) {
    mpb_energy_unit_hw_of(mdl, mix[m].unit, &hw);
    for (int b = 0; b < MPB_NBLK; b++) {
      double w = cyc[m] / cycles;
      all.blk[b].reg_bits += w * hw.blk[b].reg_bits, all.blk[b].bitprod += w * hw.blk[b].bitprod;
      all.blk[b].add_bits += w * hw.blk[b].add_bits, all.blk[b].rom_bits += w * hw.blk[b].rom_bits;
    }
  }
  mpb_energy_add_static(tab, cfg, &all, cycles, &r->e_trace);
  r->trace_rot_pj = (res.ops[TRACE_EXP] == 0 && res.ops[TRACE_GEMM] == 0 && res.ops[TRACE_ROPE])
                        ? r->e_trace.total_pj / (double)res.ops[TRACE_ROPE]
                        : NAN;
  r->trace = c.acc;
  c.acc = NULL;
  replay_result_free(&res);
  rc = 0;
out:
  for (uint32_t i = 0; c.q && i <= c.nq; i++) free(c.q[i].got), free(c.q[i].ref), free(c.q[i].pos);
  for (uint32_t i = 0; c.k && i <= c.nk; i++) free(c.k[i].got), free(c.k[i].ref), free(c.k[i].pos);
  free(c.q);
  free(c.k);
  free(c.kv_buf);
  mpb_metrics_free(c.acc);
  return rc;
}

int mpb_trace_layer_stats(const mpb_metrics *m, mpb_op_kind op, mpb_layer_stat *out, int max) {
  int n = 0;
  size_t i = 0;
  mpb_op_kind gop;
  int layer, head, k;
  const mpb_err_stats *st;
  while (mpb_metrics_group_at(m, i++, &gop, &layer, &head, &k, &st)) {
    if (gop != op || layer < 0) continue;
    int j = 0;
    while (j < n && out[j].layer != layer) j++;
    if (j == n) {
      if (n == max) continue;
      memset(&out[n], 0, sizeof out[n]);
      out[n].layer = layer, out[n].worst_head = head;
      n++;
    }
    out[j].n += st->n;
    out[j].sum_err2 += st->sum_err2;
    if (st->max_abs > out[j].max_abs) out[j].max_abs = st->max_abs, out[j].worst_head = head;
  }
  for (int a = 1; a < n; a++) /* sort by layer (insertion) */
    for (int b = a; b > 0 && out[b].layer < out[b - 1].layer; b--) {
      mpb_layer_stat t = out[b];
      out[b] = out[b - 1], out[b - 1] = t;
    }
  return n;
}
