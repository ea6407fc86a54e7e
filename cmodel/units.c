/* units.c — the fast functional path of the three units: run the stage functions of one
 * operation back to back (rope, exp) or accumulate whole dot products (dot). */
#include <math.h>
#include <string.h>

#include "internal.h"

static void load_rope(mpb_slot *s, const mpb_rope_req *in) {
  memset(s, 0, sizeof *s);
  s->m = in->m;
  s->j = in->j;
  s->x = in->x;
  s->y = in->y;
}

void mpb_rope_eval(const mpb_model *mdl, const mpb_rope_req *in, mpb_rope_resp *out,
                   mpb_counts *counts) {
  if (!counts) {
    mpb_rope_eval_fast(mdl, in, out);
    return;
  }
  int L;
  const mpb_stage *st = mpb_model_stages(mdl, MPB_UNIT_ROPE, &L);
  mpb_slot s;
  load_rope(&s, in);
  mpb_stages_run(mdl, st, 0, L, &s, counts);
  out->cos = s.cos;
  out->sin = s.sin;
  out->xr = s.xr;
  out->yr = s.yr;
  if (counts) counts->ops++;
}

void mpb_rope_cossin(const mpb_model *mdl, uint32_t m, uint32_t j, double *c, double *sn) {
  mpb_rope_req in = {m, j, 0, 0};
  mpb_rope_resp r;
  mpb_rope_eval(mdl, &in, &r, NULL);
  double scale = ldexp(1.0, -(mdl->cfg.cs_bits - 1));
  *c = r.cos * scale;
  *sn = r.sin * scale;
}

void mpb_rope_vector(const mpb_model *mdl, uint32_t m, const int32_t *v, int32_t *out,
                     mpb_counts *counts) {
  mpb_rope_vector_paired(mdl, mdl->geo.pairing, m, v, out, counts);
}

void mpb_rope_vector_paired(const mpb_model *mdl, mpb_pairing pairing, uint32_t m,
                            const int32_t *v, int32_t *out, mpb_counts *counts) {
  mpb_geometry g = mdl->geo;
  g.pairing = pairing;
  for (int j = 0; j < mdl->npairs; j++) {
    int ix, iy;
    mpb_pair_index(&g, j, &ix, &iy);
    mpb_rope_req in = {m, (uint32_t)j, v[ix], v[iy]};
    mpb_rope_resp r;
    mpb_rope_eval(mdl, &in, &r, counts);
    out[ix] = r.xr;
    out[iy] = r.yr;
  }
}

void mpb_exp_eval(const mpb_model *mdl, const mpb_exp_req *in, mpb_exp_resp *out,
                  mpb_counts *counts) {
  if (!counts) {
    mpb_exp_eval_fast(mdl, in, out);
    return;
  }
  int L;
  const mpb_stage *st = mpb_model_stages(mdl, MPB_UNIT_EXP, &L);
  mpb_slot s;
  memset(&s, 0, sizeof s);
  s.lambda = mpb_wrap(in->u, 24);
  mpb_stages_run(mdl, st, 0, L, &s, counts);
  out->e = s.e;
  out->mant = s.mant;
  if (counts) counts->ops++;
}

double mpb_exp_value(const mpb_exp_resp *r) {
  return ldexp((double)r->mant, r->e - MPB_EXP_MANT_FRAC);
}

/* ---- dot unit ---------------------------------------------------------------------- */

/* Toggles: the mac8 buses are every lane's a and b; the pipe block's are the fields of
 * R0 = {last, b, a} (docs/architecture.md §11). R0's a and b fields drive the lanes'
 * buses directly, so their flips are the mac8 flips of this beat, counted again under
 * pipe, and R0 adds the last bit (one site). */
int64_t mpb_dot_beat_sum(const mpb_model *mdl, const mpb_dot_beat *beat, mpb_counts *c) {
  int L = mdl->cfg.mac_lanes;
  int64_t s = 0;
  uint64_t t0 = c ? c->blk[MPB_BLK_MAC8].toggles : 0;
  for (int i = 0; i < L; i++) {
    cnt_bus(c, MPB_BLK_MAC8, SITE_DOT_A + i, beat->a[i], 8);
    cnt_bus(c, MPB_BLK_MAC8, SITE_DOT_B + i, beat->b[i], 8);
    s += mpb_mac8_mul(beat->a[i], true, beat->b[i], true);
    cnt_mul(c, MPB_BLK_MAC8, 8, 8);
  }
  for (int i = 1; i < L; i++) cnt_add(c, MPB_BLK_MAC8, 16 + 6); /* adder tree */
  if (c) c->blk[MPB_BLK_PIPE].toggles += c->blk[MPB_BLK_MAC8].toggles - t0;
  cnt_bus(c, MPB_BLK_PIPE, SITE_DOT_LAST, beat->last, 1);
  return s;
}

void mpb_dot_accumulate(const mpb_model *mdl, mpb_dot_state *st, int64_t s, bool last,
                        mpb_dot_resp *out, mpb_counts *c) {
  const mpb_config *cfg = &mdl->cfg;
  cnt_add(c, MPB_BLK_MAC8, cfg->acc_bits);
  if (mpb_dot_step(cfg, st, s)) cnt_add(c, MPB_BLK_MAC8, 64);
  if (last) {
    out->sum = st->wide + st->acc;
    out->sat_events = st->sat;
    out->wrap_events = st->wrap;
    cnt_add(c, MPB_BLK_MAC8, 64);
    if (c) c->blk[MPB_BLK_PIPE].reg_bits += MPB_DOT_R2_BITS;
    memset(st, 0, sizeof *st);
  }
}

void mpb_dot_eval(const mpb_model *mdl, const int8_t *a, const int8_t *b, size_t n,
                  mpb_dot_resp *out, mpb_counts *counts) {
  size_t L = (size_t)mdl->cfg.mac_lanes;
  mpb_dot_state st;
  memset(&st, 0, sizeof st);
  memset(out, 0, sizeof *out);
  size_t i = 0;
  do {
    mpb_dot_beat beat;
    memset(&beat, 0, sizeof beat);
    for (size_t k = 0; k < L && i + k < n; k++) {
      beat.a[k] = a[i + k];
      beat.b[k] = b[i + k];
    }
    i += L;
    beat.last = i >= n;
    int64_t s = mpb_dot_beat_sum(mdl, &beat, counts);
    if (counts)
      counts->blk[MPB_BLK_PIPE].reg_bits += MPB_DOT_R0_BITS(L) + MPB_DOT_R1_BITS;
    mpb_dot_accumulate(mdl, &st, s, beat.last, out, counts);
  } while (i < n);
  if (counts) counts->ops++;
}
