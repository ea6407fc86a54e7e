/* fast.c — the fast functional paths of the rope unit (EXACT mode) and the exp unit: the
 * stages of docs/architecture.md §5.1 and §6 as straight-line code with no counting. The byte-sliced
 * products of PHASE and ROTATE are replaced by the wide products they are equal to
 * (dropped partial products of PHASE are multiples of 2^FT). Bit-identical to the stage
 * chain and the cycle-accurate pipeline; tests/cmodel_pipe_test.cc checks it. */
#include "internal.h"

void mpb_rope_eval_fast(const mpb_model *mdl, const mpb_rope_req *in, mpb_rope_resp *out) {
  const mpb_config *c = &mdl->cfg;
  const mpb_rounding md = c->rounding;
  const int fw = mdl->fw, ft = c->freq_frac_bits, S = c->cs_table_bits, rb = ft - 2 - S;
  const int64_t one = INT64_C(1) << fw;
  uint32_t m = in->m & (uint32_t)mpb_mask(c->pos_bits);
  uint32_t j = in->j & (uint32_t)mpb_mask(c->pair_bits);
  int64_t x = mpb_wrap(in->x, c->x_bits), y = mpb_wrap(in->y, c->x_bits);

  /* FREQ, PHASE */
  uint64_t p = ((uint64_t)m * mdl->freq[j]) & mpb_mask(ft);
  /* RANGE */
  int q = (int)((p >> (ft - 2)) & 3);
  uint32_t k = (uint32_t)((p >> rb) & mpb_mask(S));
  uint64_t rr = p & mpb_mask(rb);
  int64_t r = rb >= fw ? (int64_t)(rr >> (rb - fw)) : (int64_t)(rr << (fw - rb));
  int64_t ck = mdl->cs_cos[k], sk = mdl->cs_sin[k];
  /* TERMS and the complex Horner steps n = N..1 */
  int64_t a = one, b = 0;
  for (int n = c->horner_order; n >= 1; n--) {
    int64_t t = mpb_rshift(mdl->k_cs[n - 1] * r, fw, md);
    int64_t a2 = one - mpb_rshift(t * b, fw, md);
    b = mpb_rshift(t * a, fw, md);
    a = a2;
  }
  /* CMUL */
  int64_t cc = mpb_rshift(ck * a - sk * b, fw, md);
  int64_t ss = mpb_rshift(sk * a + ck * b, fw, md);
  /* OUT */
  int64_t cq, sq;
  switch (q) {
  case 0: cq = cc; sq = ss; break;
  case 1: cq = -ss; sq = cc; break;
  case 2: cq = -cc; sq = -ss; break;
  default: cq = ss; sq = -cc; break;
  }
  int cw = c->cs_bits, sh = fw - (cw - 1);
  int64_t cs = mpb_sat(mpb_rshift(cq, sh, md), cw), sn = mpb_sat(mpb_rshift(sq, sh, md), cw);
  /* ROTATE */
  int sh2 = cw - 1 - c->rot_frac_bits;
  out->cos = (int32_t)cs;
  out->sin = (int32_t)sn;
  out->xr = (int32_t)mpb_sat(mpb_rshift(x * cs - y * sn, sh2, md), mdl->ow);
  out->yr = (int32_t)mpb_sat(mpb_rshift(x * sn + y * cs, sh2, md), mdl->ow);
}

/* The exp unit (docs/architecture.md §6) as straight-line code with no counting. */
void mpb_exp_eval_fast(const mpb_model *mdl, const mpb_exp_req *in, mpb_exp_resp *out) {
  const mpb_config *c = &mdl->cfg;
  const mpb_rounding md = c->rounding;
  const int fw = mdl->fw, fl = MPB_EXP_IN_FRAC, H = c->exp_table_bits, rb = fl - H;
  const int64_t one = INT64_C(1) << fw;
  int64_t u = mpb_wrap(in->u, 24);
  /* EXP_SPLIT */
  int32_t ie = (int32_t)(u >> fl);
  uint64_t uf = (uint64_t)u & mpb_mask(fl);
  uint64_t uhi = H > 0 ? uf >> rb : 0, rr = uf & mpb_mask(rb);
  int64_t ulo = rb >= fw ? (int64_t)(rr >> (rb - fw)) : (int64_t)(rr << (fw - rb));
  /* EXP_TERMS and the real Horner steps n = N..1 */
  int64_t acc = one;
  for (int n = c->horner_order; n >= 1; n--) {
    int64_t t = mpb_rshift(mdl->k_exp[n - 1] * ulo, fw, md);
    acc = one + mpb_rshift(t * acc, fw, md);
  }
  /* EXP_MUL, NORM */
  int64_t mant = mpb_rshift(mdl->exp_tab[uhi] * acc, fw, md);
  int64_t m16 = mpb_rshift(mant, fw - MPB_EXP_MANT_FRAC, md);
  if (m16 >= (INT64_C(1) << (MPB_EXP_MANT_FRAC + 1))) {
    out->mant = 1u << MPB_EXP_MANT_FRAC;
    out->e = ie + 1;
  } else {
    out->mant = (uint32_t)m16;
    out->e = ie;
  }
}
