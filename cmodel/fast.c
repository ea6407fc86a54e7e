/* fast.c — the fast functional paths of the rope unit (either phi mode) and the exp unit:
 * the per-element straight-line code of internal.h (mpb_fast_rope, mpb_fast_exp), which
 * the batched paths share. Bit-identical to the stage chain and the cycle-accurate
 * pipeline; tests/cmodel_pipe_test.cc checks it. */
#include "internal.h"

void mpb_rope_eval_fast(const mpb_model *mdl, const mpb_rope_req *in, mpb_rope_resp *out) {
  mpb_fast_rope(mdl, in->m, in->j, in->x, in->y, mdl->cfg.rounding, out);
}

void mpb_exp_eval_fast(const mpb_model *mdl, const mpb_exp_req *in, mpb_exp_resp *out) {
  mpb_fast_exp(mdl, in->u, mdl->cfg.rounding, out);
}
