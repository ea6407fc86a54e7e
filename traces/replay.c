/* replay.c — run every record of a trace through the golden model and accumulate the
 * error statistics against the FP64 reference (see replay.h for what is compared). */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- statistics --------------------------------------------------------------------- */
void replay_stat_add(replay_stat *s, double e) {
  double a = fabs(e);
  s->count++;
  s->sum += a;
  s->sum_sq += a * a;
  if (a > s->max_abs) s->max_abs = a;
}

void replay_stat_merge(replay_stat *d, const replay_stat *s) {
  d->count += s->count;
  d->sum += s->sum;
  d->sum_sq += s->sum_sq;
  if (s->max_abs > d->max_abs) d->max_abs = s->max_abs;
}

double replay_stat_rms(const replay_stat *s) { return s->count ? sqrt(s->sum_sq / s->count) : 0; }
double replay_stat_mean(const replay_stat *s) { return s->count ? s->sum / s->count : 0; }

int replay_pos_bucket(uint32_t m) {
  int b = 0;
  while (m) b++, m >>= 1;
  return b < REPLAY_POS_BUCKETS ? b : REPLAY_POS_BUCKETS - 1;
}

void replay_bucket_range(int b, uint32_t *lo, uint32_t *hi) {
  *lo = b == 0 ? 0 : 1u << (b - 1);
  *hi = b == 0 ? 0 : (1u << b) - 1;
}

void replay_opts_init(replay_opts *o) { memset(o, 0, sizeof *o); }

void replay_result_free(replay_result *res) {
  for (int k = 0; k < TRACE_NKIND; k++) free(res->layer[k]);
  memset(res->layer, 0, sizeof res->layer);
}

/* ---- the replay loop ---------------------------------------------------------------- */
typedef struct replay_ctx {
  const mpb_model *mdl;
  const mpb_config *cfg;
  mpb_geometry geo;
  const replay_opts *o;
  replay_result *res;
  mpb_counts *counts;       /* NULL with no_counts                   */
  mpb_pipe *pipe[3];        /* cycle mode: rope, exp, dot            */
  double *got, *ref;        /* per-record outputs, grown as needed   */
  size_t cap;
  int32_t *vin, *vout;      /* one rope row                          */
  void *reqs, *resps;       /* cycle mode request/response arrays    */
  size_t req_cap;
} replay_ctx;

static int grow_out(replay_ctx *c, size_t n) {
  if (n <= c->cap) return 0;
  double *g = realloc(c->got, n * sizeof(double));
  if (!g) return -1;
  c->got = g;
  double *r = realloc(c->ref, n * sizeof(double));
  if (!r) return -1;
  c->ref = r;
  c->cap = n;
  return 0;
}

static int grow_req(replay_ctx *c, size_t n, size_t req_size, size_t resp_size) {
  if (n <= c->req_cap) return 0;
  size_t big = req_size > sizeof(mpb_dot_beat) ? req_size : sizeof(mpb_dot_beat);
  size_t bigr = resp_size > sizeof(mpb_rope_resp) ? resp_size : sizeof(mpb_rope_resp);
  void *a = realloc(c->reqs, n * big), *b;
  if (!a) return -1;
  c->reqs = a;
  b = realloc(c->resps, n * bigr);
  if (!b) return -1;
  c->resps = b;
  c->req_cap = n;
  return 0;
}

/* Drive n requests through a pipeline with out_ready always 1; collect n responses. */
#define DEFINE_PIPE_RUN(NAME, REQ, RESP, PIN, POUT, EVAL, CLOCK)                          \
  static void NAME(mpb_pipe *p, const REQ *in, size_t n, RESP *out, size_t nout) {        \
    size_t sent = 0, got = 0;                                                            \
    PIN pi;                                                                              \
    POUT po;                                                                             \
    memset(&pi, 0, sizeof pi);                                                           \
    while (got < nout) {                                                                 \
      pi.in_valid = sent < n;                                                            \
      if (pi.in_valid) pi.in = in[sent];                                                 \
      pi.out_ready = true;                                                               \
      EVAL(p, &pi, &po);                                                                 \
      if (po.out_valid) out[got++] = po.out;                                             \
      if (pi.in_valid && po.in_ready) sent++;                                            \
      CLOCK(p, &pi);                                                                     \
    }                                                                                    \
  }
DEFINE_PIPE_RUN(pipe_run_rope, mpb_rope_req, mpb_rope_resp, mpb_rope_pins_in,
                mpb_rope_pins_out, mpb_rope_pipe_eval, mpb_rope_pipe_clock)
DEFINE_PIPE_RUN(pipe_run_exp, mpb_exp_req, mpb_exp_resp, mpb_exp_pins_in, mpb_exp_pins_out,
                mpb_exp_pipe_eval, mpb_exp_pipe_clock)

static void account(replay_ctx *c, const trace_record *r, uint32_t row, double e) {
  replay_result *res = c->res;
  replay_stat_add(&res->kind[r->kind], e);
  replay_stat_add(&res->op[r->kind][r->op], e);
  replay_stat_add(&res->layer[r->kind][r->layer], e);
  if (r->pos) replay_stat_add(&res->pos[r->kind][replay_pos_bucket(r->pos[row])], e);
}

static int replay_rope(replay_ctx *c, const trace_record *r, char *err, size_t errlen) {
  uint32_t D = r->width, half = D / 2;
  uint32_t mmax = c->cfg->pos_bits >= 32 ? UINT32_MAX : (1u << c->cfg->pos_bits) - 1;
  int of = c->cfg->rot_frac_bits;
  double unit = ldexp(1.0, -of);
  for (uint32_t t = 0; t < r->ntok; t++)
    if (r->pos[t] > mmax) {
      snprintf(err, errlen, "field pos[%u] = %u exceeds the configuration's position range "
               "[0, %u] (pos_bits = %d)", t, r->pos[t], mmax, c->cfg->pos_bits);
      return -1;
    }
  if (c->o->cycle) {
    if (grow_req(c, (size_t)r->ntok * half, sizeof(mpb_rope_req), sizeof(mpb_rope_resp)))
      goto oom;
    mpb_rope_req *rq = c->reqs;
    for (uint32_t t = 0; t < r->ntok; t++)
      for (uint32_t j = 0; j < half; j++) {
        int ix, iy;
        mpb_pair_index(&c->geo, (int)j, &ix, &iy);
        mpb_rope_req *q = &rq[(size_t)t * half + j];
        q->m = r->pos[t], q->j = j;
        q->x = r->x[(size_t)t * D + ix], q->y = r->x[(size_t)t * D + iy];
      }
    pipe_run_rope(c->pipe[0], rq, (size_t)r->ntok * half, c->resps, (size_t)r->ntok * half);
  }
  for (uint32_t t = 0; t < r->ntok; t++) {
    const int8_t *x = r->x + (size_t)t * D;
    double *got = c->got + (size_t)t * D, *ref = c->ref + (size_t)t * D;
    if (c->o->cycle) {
      const mpb_rope_resp *rs = (const mpb_rope_resp *)c->resps + (size_t)t * half;
      for (uint32_t j = 0; j < half; j++) {
        int ix, iy;
        mpb_pair_index(&c->geo, (int)j, &ix, &iy);
        got[ix] = rs[j].xr * unit;
        got[iy] = rs[j].yr * unit;
      }
    } else {
      for (uint32_t i = 0; i < D; i++) c->vin[i] = x[i];
      mpb_rope_vector(c->mdl, r->pos[t], c->vin, c->vout, c->counts);
      for (uint32_t i = 0; i < D; i++) got[i] = c->vout[i] * unit;
    }
    for (uint32_t j = 0; j < half; j++) {
      int ix, iy;
      double cs, sn;
      mpb_pair_index(&c->geo, (int)j, &ix, &iy);
      mpb_baseline_cossin(MPB_BASE_FP64, &c->geo, r->pos[t], (int)j, &cs, &sn);
      ref[ix] = x[ix] * cs - x[iy] * sn;
      ref[iy] = x[ix] * sn + x[iy] * cs;
      account(c, r, t, got[ix] - ref[ix]);
      account(c, r, t, got[iy] - ref[iy]);
    }
  }
  c->res->ops[TRACE_ROPE] += (uint64_t)r->ntok * half;
  return 0;
oom:
  snprintf(err, errlen, "out of memory");
  return -1;
}

int32_t replay_exp_input(float v, bool *saturated) {
  const int32_t lo = -(1 << 23), hi = (1 << 23) - 1;
  double u = (double)v * M_LOG2E * 65536.0;
  *saturated = !(u >= lo && u <= hi);
  if (!(u >= lo)) return lo;
  if (u > hi) return hi;
  return (int32_t)llround(u);
}

void replay_dot_beat(const int8_t *a, const int8_t *b, uint32_t K, int lanes, size_t q,
                     mpb_dot_beat *beat) {
  memset(beat, 0, sizeof *beat);
  for (uint32_t l = 0; l < (uint32_t)lanes && q * lanes + l < K; l++) {
    beat->a[l] = a[q * lanes + l];
    beat->b[l] = b[q * lanes + l];
  }
  beat->last = (q + 1) * lanes >= K;
}

static int replay_exp(replay_ctx *c, const trace_record *r, char *err, size_t errlen) {
  size_t n = (size_t)r->ntok * r->width;
  if (c->o->cycle && grow_req(c, n, sizeof(mpb_exp_req), sizeof(mpb_exp_resp))) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  mpb_exp_req *rq = c->reqs;
  for (size_t i = 0; i < n; i++) {
    bool sat;
    int32_t uq = replay_exp_input(r->f32[i], &sat);
    c->res->exp_saturated += sat;
    c->ref[i] = exp2(uq / 65536.0);
    if (c->o->cycle) {
      rq[i].u = uq;
    } else {
      mpb_exp_req q = {uq};
      mpb_exp_resp rs;
      mpb_exp_eval(c->mdl, &q, &rs, c->counts);
      c->got[i] = mpb_exp_value(&rs);
    }
  }
  if (c->o->cycle) {
    pipe_run_exp(c->pipe[1], rq, n, c->resps, n);
    for (size_t i = 0; i < n; i++) c->got[i] = mpb_exp_value((const mpb_exp_resp *)c->resps + i);
  }
  for (size_t i = 0; i < n; i++) account(c, r, (uint32_t)(i / r->width), c->got[i] / c->ref[i] - 1.0);
  c->res->ops[TRACE_EXP] += n;
  return 0;
}

/* Drive the dot pipe with the beats of every (row of A, row of B) pair of a GEMM record,
 * formed one at a time as the pipe accepts them (no array of beats: the memory stays at
 * one response per output). */
static void pipe_run_gemm(mpb_pipe *p, const trace_record *r, uint32_t L, mpb_dot_resp *out,
                          size_t nout) {
  uint32_t K = r->width;
  size_t beats = (K + L - 1) / L, total = nout * beats, sent = 0, got = 0;
  mpb_dot_pins_in pi;
  mpb_dot_pins_out po;
  memset(&pi, 0, sizeof pi);
  while (got < nout) {
    pi.in_valid = sent < total;
    if (pi.in_valid) {
      size_t o = sent / beats, q = sent % beats, i = o / r->cols, j = o % r->cols;
      replay_dot_beat(r->x + i * K, r->b + j * K, K, (int)L, q, &pi.in);
    }
    pi.out_ready = true;
    mpb_dot_pipe_eval(p, &pi, &po);
    if (po.out_valid) out[got++] = po.out;
    if (pi.in_valid && po.in_ready) sent++;
    mpb_dot_pipe_clock(p, &pi);
  }
}

static int replay_gemm(replay_ctx *c, const trace_record *r, char *err, size_t errlen) {
  uint32_t K = r->width, L = (uint32_t)c->cfg->mac_lanes;
  size_t n = (size_t)r->ntok * r->cols;
  if (c->o->cycle && grow_req(c, n, sizeof(mpb_dot_resp), sizeof(mpb_dot_resp))) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (uint32_t i = 0; i < r->ntok; i++)
    for (uint32_t j = 0; j < r->cols; j++) {
      const int8_t *a = r->x + (size_t)i * K, *b = r->b + (size_t)j * K;
      int64_t exact = 0;
      for (uint32_t k = 0; k < K; k++) exact += (int32_t)a[k] * b[k];
      size_t o = (size_t)i * r->cols + j;
      c->ref[o] = (double)exact;
      if (!c->o->cycle) {
        mpb_dot_resp rs;
        mpb_dot_eval(c->mdl, a, b, K, &rs, c->counts);
        c->got[o] = (double)rs.sum;
        c->res->dot_wrap_events += rs.wrap_events;
        c->res->dot_sat_events += rs.sat_events;
      }
    }
  if (c->o->cycle) {
    mpb_dot_resp *rs = c->resps;
    pipe_run_gemm(c->pipe[2], r, L, rs, n);
    for (size_t o = 0; o < n; o++) {
      c->got[o] = (double)rs[o].sum;
      c->res->dot_wrap_events += rs[o].wrap_events;
      c->res->dot_sat_events += rs[o].sat_events;
    }
  }
  for (size_t o = 0; o < n; o++) account(c, r, (uint32_t)(o / r->cols), c->got[o] - c->ref[o]);
  c->res->ops[TRACE_GEMM] += n;
  return 0;
}

int replay_run(const char *path, const mpb_config *cfg, const replay_opts *o,
               replay_result *res, char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  res->cycle = o->cycle;
  char msg[512];
  trace_reader *rd = trace_reader_open(path, err, errlen);
  if (!rd) {
    res->io_errno = errno;
    return -1;
  }
  const trace_header *h = trace_reader_header(rd);
  res->header = *h;
  res->n_layers = h->n_layers;
  replay_ctx c;
  memset(&c, 0, sizeof c);
  c.cfg = cfg, c.o = o, c.res = res;
  c.counts = o->no_counts && !o->cycle ? NULL : &res->counts;
  mpb_counts_clear(&res->counts);
  /* geometry from the header; traces without attention get a placeholder (no ROPE) */
  c.geo.head_dim = h->head_dim ? (int)h->head_dim : 2;
  c.geo.base = h->head_dim ? h->rope_base : 10000.0;
  c.geo.pairing = h->pairing ? MPB_PAIR_HALF : MPB_PAIR_INTERLEAVED;
  int rc = -1;
  mpb_model *mdl = mpb_model_new(cfg, &c.geo, msg, sizeof msg);
  if (!mdl) {
    snprintf(err, errlen, "%s: the trace's geometry (head_dim %u, base %g) does not fit the "
             "configuration: %s", path, h->head_dim, h->rope_base, msg);
    goto done;
  }
  c.mdl = mdl;
  for (int k = 0; k < TRACE_NKIND; k++)
    if (!(res->layer[k] = calloc(h->n_layers, sizeof(replay_stat)))) goto oom;
  c.vin = malloc((h->head_dim + 2) * sizeof(int32_t));
  c.vout = malloc((h->head_dim + 2) * sizeof(int32_t));
  if (!c.vin || !c.vout) goto oom;
  if (o->cycle)
    for (int u = 0; u < 3; u++)
      if (!(c.pipe[u] = mpb_pipe_new(mdl, (mpb_unit)u))) goto oom;
  struct stat st;
  double fsize = stat(path, &st) == 0 && st.st_size > 0 ? (double)st.st_size : 1.0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  trace_record r;
  int got;
  while ((got = trace_read(rd, &r, err, errlen)) == 1) {
    if (o->max_records && res->records >= o->max_records) break;
    res->records++;
    if (o->kinds && !(o->kinds & (1u << r.kind))) continue;
    size_t n = (size_t)r.ntok * (r.kind == TRACE_GEMM ? r.cols : r.width);
    size_t nmax = r.kind == TRACE_GEMM ? REPLAY_MAX_GEMM_OUTPUTS : REPLAY_MAX_OUTPUTS;
    if (n > nmax) {
      snprintf(err, errlen, "%s: record %llu (%s): ntok = %u x %s = %u gives %zu outputs, more "
               "than one %s record may produce in a replay (%zu)", path,
               (unsigned long long)trace_reader_record_index(rd), trace_kind_name(r.kind),
               r.ntok, r.kind == TRACE_GEMM ? "cols" : "width",
               r.kind == TRACE_GEMM ? r.cols : r.width, n, trace_kind_name(r.kind), nmax);
      goto done;
    }
    if (grow_out(&c, n)) goto oom;
    int e = r.kind == TRACE_ROPE  ? replay_rope(&c, &r, msg, sizeof msg)
            : r.kind == TRACE_EXP ? replay_exp(&c, &r, msg, sizeof msg)
                                  : replay_gemm(&c, &r, msg, sizeof msg);
    if (e) {
      snprintf(err, errlen, "%s: record %llu (%s %s, layer %u): %s", path,
               (unsigned long long)trace_reader_record_index(rd), trace_kind_name(r.kind),
               trace_op_name(r.kind, r.op), r.layer, msg);
      goto done;
    }
    if (o->hook) {
      replay_rec_out out = {c.got, c.ref, n, trace_reader_record_index(rd)};
      o->hook(o->hook_user, h, &r, &out);
    }
    if (o->progress) o->progress(o->progress_user, (double)trace_reader_offset(rd) / fsize);
  }
  if (got < 0) {
    res->io_errno = trace_reader_io_errno(rd);
    goto done;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  if (o->cycle)
    for (int u = 0; u < 3; u++) mpb_counts_add(&res->counts, mpb_pipe_counts(c.pipe[u]));
  rc = 0;
  goto done;
oom:
  snprintf(err, errlen, "%s: out of memory", path);
done:
  for (int u = 0; u < 3; u++)
    if (c.pipe[u]) mpb_pipe_free(c.pipe[u]);
  free(c.got), free(c.ref), free(c.vin), free(c.vout), free(c.reqs), free(c.resps);
  mpb_model_free(mdl);
  trace_reader_close(rd);
  if (rc) replay_result_free(res);
  return rc;
}
