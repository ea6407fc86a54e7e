/* pipe.c — the cycle-accurate path: registers R0..R(L-1) with valid bits, the global-stall
 * valid/ready handshake of docs/architecture.md §8, and the same stage functions as the
 * functional path applied as data moves from one register to the next. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct mpb_pipe {
  const mpb_model *mdl;
  mpb_unit unit;
  int L;
  const mpb_stage *st;
  mpb_slot slot[MPB_MAX_STAGES];
  uint64_t valid; /* bit k: register Rk holds data */
  /* dot unit */
  mpb_dot_beat beat_q;   /* R0 */
  int64_t sum0;          /* R0's beat sum (DELAY mode keeps this, not the beat) */
  bool last0;
  int64_t sum_q;         /* R1 */
  bool last_q;
  mpb_dot_resp res_q;    /* R2 */
  mpb_dot_state acc;
  mpb_counts counts;
  /* DELAY mode: results ride a ring; register k is res[(base + k) % L] */
  mpb_pipe_mode mode;
  int base;
  mpb_rope_resp rres[MPB_MAX_STAGES];
  mpb_exp_resp eres[MPB_MAX_STAGES];
};

static void shift_valid(mpb_pipe *p, bool in_valid);

mpb_pipe *mpb_pipe_new(const mpb_model *mdl, mpb_unit unit) {
  mpb_pipe *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->mdl = mdl;
  p->unit = unit;
  if (unit == MPB_UNIT_DOT) {
    p->L = 3;
    p->st = NULL;
  } else {
    p->st = mpb_model_stages(mdl, unit, &p->L);
  }
  mpb_pipe_reset(p);
  return p;
}

void mpb_pipe_free(mpb_pipe *p) { free(p); }

void mpb_pipe_reset(mpb_pipe *p) {
  memset(p->slot, 0, sizeof p->slot);
  p->valid = 0;
  memset(&p->beat_q, 0, sizeof p->beat_q);
  memset(&p->res_q, 0, sizeof p->res_q);
  memset(&p->acc, 0, sizeof p->acc);
  p->sum_q = p->sum0 = 0;
  p->last_q = p->last0 = false;
  p->base = 0;
  memset(p->rres, 0, sizeof p->rres);
  memset(p->eres, 0, sizeof p->eres);
  mpb_counts_clear(&p->counts);
}

void mpb_pipe_set_mode(mpb_pipe *p, mpb_pipe_mode mode) {
  p->mode = mode;
  mpb_pipe_reset(p);
}

static bool valid_at(const mpb_pipe *p, int k) { return (p->valid >> k) & 1; }

/* DELAY mode: advance the ring one register; returns the index of the new R0. */
static int ring_shift(mpb_pipe *p, bool in_valid) {
  shift_valid(p, in_valid);
  p->base = p->base == 0 ? p->L - 1 : p->base - 1;
  return p->base;
}

/* DELAY mode: the ring index of the last register R(L-1). */
static int ring_last(const mpb_pipe *p) { return p->base == 0 ? p->L - 1 : p->base - 1; }

int mpb_pipe_latency(const mpb_pipe *p) { return p->L; }
const mpb_counts *mpb_pipe_counts(const mpb_pipe *p) { return &p->counts; }

static bool pipe_enabled(const mpb_pipe *p, bool out_ready) {
  return !valid_at(p, p->L - 1) || out_ready;
}

static bool pipe_empty(const mpb_pipe *p, bool in_valid) { return !in_valid && p->valid == 0; }

/* Shift the valid bits one register on (R0 <- in_valid). */
static void shift_valid(mpb_pipe *p, bool in_valid) {
  p->valid = ((p->valid << 1) | (uint64_t)in_valid) & mpb_mask(p->L);
}

/* Book-keeping common to every edge; returns whether the pipeline advances. */
static bool pipe_edge(mpb_pipe *p, bool in_valid, bool out_ready) {
  bool en = pipe_enabled(p, out_ready);
  p->counts.cycles++;
  if (!en)
    p->counts.stall_cycles++;
  else if (pipe_empty(p, in_valid))
    p->counts.idle_cycles++;
  else
    p->counts.active_cycles++;
  if (en && valid_at(p, p->L - 1)) p->counts.ops++;
  return en;
}

/* Shift the slot pipeline by one register, applying stage k on the way into Rk. */
static void shift_slots(mpb_pipe *p, bool in_valid, const mpb_slot *in) {
  for (int k = p->L - 1; k >= 1; k--) {
    if (valid_at(p, k - 1)) {
      p->slot[k] = p->slot[k - 1];
      mpb_stages_run(p->mdl, p->st, k, k + 1, &p->slot[k], &p->counts);
    }
  }
  if (in_valid) {
    p->slot[0] = *in;
    mpb_stages_run(p->mdl, p->st, 0, 1, &p->slot[0], &p->counts);
  }
  shift_valid(p, in_valid);
}

/* ---- rope ---------------------------------------------------------------------------- */

void mpb_rope_pipe_eval(mpb_pipe *p, const mpb_rope_pins_in *in, mpb_rope_pins_out *out) {
  const mpb_slot *o = &p->slot[p->L - 1];
  out->in_ready = pipe_enabled(p, in->out_ready);
  out->out_valid = valid_at(p, p->L - 1);
  if (p->mode == MPB_PIPE_DELAY)
    out->out = p->rres[ring_last(p)];
  else
    out->out = (mpb_rope_resp){o->cos, o->sin, o->xr, o->yr};
}

void mpb_rope_pipe_clock(mpb_pipe *p, const mpb_rope_pins_in *in) {
  if (!pipe_edge(p, in->in_valid, in->out_ready)) return;
  if (p->mode == MPB_PIPE_DELAY) {
    int r0 = ring_shift(p, in->in_valid);
    if (in->in_valid) mpb_rope_eval(p->mdl, &in->in, &p->rres[r0], NULL);
    return;
  }
  mpb_slot s;
  memset(&s, 0, sizeof s);
  s.m = in->in.m;
  s.j = in->in.j;
  s.x = in->in.x;
  s.y = in->in.y;
  shift_slots(p, in->in_valid, &s);
}

void mpb_rope_pipe_step(mpb_pipe *p, const mpb_rope_pins_in *in, mpb_rope_pins_out *out) {
  mpb_rope_pipe_eval(p, in, out);
  mpb_rope_pipe_clock(p, in);
}

/* ---- exp ----------------------------------------------------------------------------- */

void mpb_exp_pipe_eval(mpb_pipe *p, const mpb_exp_pins_in *in, mpb_exp_pins_out *out) {
  const mpb_slot *o = &p->slot[p->L - 1];
  out->in_ready = pipe_enabled(p, in->out_ready);
  out->out_valid = valid_at(p, p->L - 1);
  if (p->mode == MPB_PIPE_DELAY)
    out->out = p->eres[ring_last(p)];
  else
    out->out = (mpb_exp_resp){o->e, o->mant};
}

void mpb_exp_pipe_clock(mpb_pipe *p, const mpb_exp_pins_in *in) {
  if (!pipe_edge(p, in->in_valid, in->out_ready)) return;
  if (p->mode == MPB_PIPE_DELAY) {
    int r0 = ring_shift(p, in->in_valid);
    if (in->in_valid) mpb_exp_eval(p->mdl, &in->in, &p->eres[r0], NULL);
    return;
  }
  mpb_slot s;
  memset(&s, 0, sizeof s);
  s.lambda = mpb_wrap(in->in.u, 24);
  shift_slots(p, in->in_valid, &s);
}

void mpb_exp_pipe_step(mpb_pipe *p, const mpb_exp_pins_in *in, mpb_exp_pins_out *out) {
  mpb_exp_pipe_eval(p, in, out);
  mpb_exp_pipe_clock(p, in);
}

/* ---- dot ----------------------------------------------------------------------------- */

void mpb_dot_pipe_eval(mpb_pipe *p, const mpb_dot_pins_in *in, mpb_dot_pins_out *out) {
  out->in_ready = pipe_enabled(p, in->out_ready);
  out->out_valid = valid_at(p, 2);
  out->out = p->res_q;
}

/* DELAY mode's beat sum: the signed MAC8 product is the exact int8 x int8 product
 * (tests/cmodel_fixed_test.cc, all operand pairs), so the lanes' sum is a plain loop the
 * compiler vectorizes; equal to mpb_dot_beat_sum, which also counts. */
static int64_t dot_beat_sum_fast(const mpb_dot_beat *b, int lanes) {
  int32_t s = 0; /* |sum| <= 64 * 2^14 */
  for (int i = 0; i < lanes; i++) s += (int32_t)b->a[i] * (int32_t)b->b[i];
  return s;
}

void mpb_dot_pipe_clock(mpb_pipe *p, const mpb_dot_pins_in *in) {
  if (!pipe_edge(p, in->in_valid, in->out_ready)) return;
  /* DELAY mode keeps only the cycle counts, and sums beats with the plain loop */
  mpb_counts *c = p->mode == MPB_PIPE_DELAY ? NULL : &p->counts;
  /* R2 and the accumulator, from R1 */
  bool v2 = valid_at(p, 1) && p->last_q;
  if (valid_at(p, 1)) {
    mpb_dot_resp r;
    mpb_dot_accumulate(p->mdl, &p->acc, p->sum_q, p->last_q, &r, c);
    if (p->last_q) p->res_q = r;
  }
  /* R1 from R0. DELAY mode sums the beat as it enters R0 (the sum is a function of R0
   * alone), so it never copies the operands. */
  if (valid_at(p, 0)) {
    p->sum_q = c ? mpb_dot_beat_sum(p->mdl, &p->beat_q, c) : p->sum0;
    p->last_q = c ? p->beat_q.last : p->last0;
    if (c) c->blk[MPB_BLK_PIPE].reg_bits += MPB_DOT_R1_BITS;
  }
  /* R0 from the pins */
  if (in->in_valid) {
    if (c) {
      p->beat_q = in->in;
      c->blk[MPB_BLK_PIPE].reg_bits += MPB_DOT_R0_BITS(p->mdl->cfg.mac_lanes);
    } else {
      p->sum0 = dot_beat_sum_fast(&in->in, p->mdl->cfg.mac_lanes);
      p->last0 = in->in.last;
    }
  }
  p->valid = (uint64_t)in->in_valid | (p->valid & 1) << 1 | (uint64_t)v2 << 2;
}

void mpb_dot_pipe_step(mpb_pipe *p, const mpb_dot_pins_in *in, mpb_dot_pins_out *out) {
  mpb_dot_pipe_eval(p, in, out);
  mpb_dot_pipe_clock(p, in);
}
