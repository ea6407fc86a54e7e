/* stages.c — the pipeline stages of the rope and exp units, one function per register of
 * docs/architecture.md §5-6. The functional path runs them back to back on one slot; the
 * cycle-accurate path runs stage k as data moves into register Rk. Each stage counts its
 * actions (multiplies, adds, table reads, operand-bus toggles) for the energy model. */
#include "internal.h"

#define R(v, s) mpb_rshift((v), (s), mdl->cfg.rounding)

/* ---- shared pieces --------------------------------------------------------------- */

/* R0 captures the pins: each field at its pin width (the exp unit uses only lambda).
 * pipe toggles: the fields written into R0 (rope m, j, x, y; exp u; the other unit's
 * fields are 0). The dot unit's R0 is counted in mpb_dot_beat_sum (units.c). */
static void st_in(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  const mpb_config *cfg = &mdl->cfg;
  s->m &= (uint32_t)mpb_mask(cfg->pos_bits);
  s->j &= (uint32_t)mpb_mask(cfg->pair_bits);
  s->x = (int32_t)mpb_wrap(s->x, cfg->x_bits);
  s->y = (int32_t)mpb_wrap(s->y, cfg->x_bits);
  cnt_bus(c, MPB_BLK_PIPE, SITE_IN_M, s->m, cfg->pos_bits);
  cnt_bus(c, MPB_BLK_PIPE, SITE_IN_J, s->j, cfg->pair_bits);
  cnt_bus(c, MPB_BLK_PIPE, SITE_IN_X, s->x, cfg->x_bits);
  cnt_bus(c, MPB_BLK_PIPE, SITE_IN_Y, s->y, cfg->x_bits);
  cnt_bus(c, MPB_BLK_PIPE, SITE_IN_U, s->lambda, 24);
}

/* ---- EXACT phase formation ------------------------------------------------------- */

static void st_freq(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  s->t = mdl->freq[s->j & mpb_mask(mdl->cfg.pair_bits)];
  cnt_rom(c, MPB_BLK_LOGLUT, mdl->cfg.freq_frac_bits);
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_FREQ, s->j, mdl->cfg.pair_bits);
}

static void st_phase(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int ft = mdl->cfg.freq_frac_bits, M = mdl->cfg.pos_bits;
  int nbm = (M + 7) / 8, nbt = (ft + 7) / 8;
  uint64_t p = 0;
  cnt_bus(c, MPB_BLK_MAC8, SITE_PHASE_M, s->m, M);
  cnt_bus(c, MPB_BLK_MAC8, SITE_PHASE_T, (int64_t)s->t, ft);
  for (int a = 0; a < nbm; a++) {
    uint32_t ma = (s->m >> (8 * a)) & 0xFF;
    for (int b = 0; b < nbt && 8 * (a + b) < ft; b++) {
      uint32_t tb = (uint32_t)(s->t >> (8 * b)) & 0xFF;
      uint64_t prod = (uint64_t)mpb_mac8_mul((int32_t)ma, false, (int32_t)tb, false);
      cnt_mul(c, MPB_BLK_MAC8, 8, 8);
      cnt_bus(c, MPB_BLK_PACK16, SITE_PK_PROD + a * nbt + b, (int64_t)prod, 17);
      cnt_bus(c, MPB_BLK_PACK16, SITE_PK_ACC + a * nbt + b, (int64_t)p, ft);
      p += prod << (8 * (a + b)); /* PACK16: byte-aligned recombination */
      cnt_add(c, MPB_BLK_PACK16, ft);
    }
  }
  s->p = p & mpb_mask(ft);
}

/* ---- LOG-ADD phase formation and the real Horner unit ---------------------------- */

static void st_log(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  const mpb_config *cfg = &mdl->cfg;
  int T = cfg->log_mant_bits;
  s->z = (s->m == 0);
  /* the ROM addresses are driven for m = 0 too (leading one 0, idx 0) */
  int e = s->z ? 0 : 31 - __builtin_clz(s->m);
  uint32_t f = s->z ? 0 : s->m - (1u << e);
  uint32_t idx = e >= T ? f >> (e - T) : f << (T - e);
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_LOGF, s->j, cfg->pair_bits);
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_LOGM, idx, T);
  if (s->z) {
    s->lambda = 0;
    cnt_bus(c, MPB_BLK_MAC8, SITE_LOG_L, 0, cfg->log_word_bits);
    return;
  }
  int64_t lf = mdl->log_freq[s->j & mpb_mask(cfg->pair_bits)];
  cnt_rom(c, MPB_BLK_LOGLUT, cfg->log_word_bits);
  cnt_rom(c, MPB_BLK_LOGLUT, cfg->log_word_bits);
  /* two LW-bit adds, done as byte-chained 8-bit adds with carry */
  for (int k = 0; k < 2 * ((cfg->log_word_bits + 7) / 8); k++) cnt_add(c, MPB_BLK_MAC8, 8);
  s->lambda = mpb_wrap(mpb_shl(e, mdl->fl) + mdl->log_mant[idx] + lf, cfg->log_word_bits);
  cnt_bus(c, MPB_BLK_MAC8, SITE_LOG_L, s->lambda, cfg->log_word_bits);
}

/* Split lambda (fl fraction bits) into ie, table index and residual; E0 = exp[u_hi]. */
static void exp_split(const mpb_model *mdl, mpb_slot *s, int fl, mpb_counts *c) {
  int H = mdl->cfg.exp_table_bits, fw = mdl->fw;
  s->ie = (int32_t)(s->lambda >> fl);
  uint64_t uf = (uint64_t)s->lambda & mpb_mask(fl);
  uint64_t uhi = H > 0 ? uf >> (fl - H) : 0;
  s->ulo = mpb_align_residual(uf & mpb_mask(fl - H), fl - H, fw);
  s->e0 = mdl->exp_tab[uhi];
  s->acc = INT64_C(1) << fw;
  cnt_rom(c, MPB_BLK_LOGLUT, mdl->cfg.horner_width);
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_EXP, (int64_t)uhi, H > 0 ? H : 1);
  cnt_bus(c, MPB_BLK_HORNER, SITE_EXP_U, s->ulo, fw);
}

static void st_exp_split_log(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  exp_split(mdl, s, mdl->fl, c);
}

static void st_exp_split_u(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  exp_split(mdl, s, MPB_EXP_IN_FRAC, c);
}

static void st_exp_terms(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int W = mdl->cfg.horner_width;
  for (int k = 1; k <= mdl->cfg.horner_order; k++) {
    s->tn[k] = R(mdl->k_exp[k - 1] * s->ulo, mdl->fw);
    cnt_mul(c, MPB_BLK_HORNER, W, W);
  }
}

static void st_exp_horner(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  int W = mdl->cfg.horner_width;
  cnt_bus(c, MPB_BLK_HORNER, SITE_E_T + n, s->tn[n], W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_E_ACC + n, s->acc, W);
  s->acc = (INT64_C(1) << mdl->fw) + R(s->tn[n] * s->acc, mdl->fw);
  cnt_mul(c, MPB_BLK_HORNER, W, W);
  cnt_add(c, MPB_BLK_HORNER, W);
}

static void st_exp_mul(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int W = mdl->cfg.horner_width;
  cnt_bus(c, MPB_BLK_HORNER, SITE_EXP_E0, s->e0, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_EXP_ACC, s->acc, W);
  s->acc = R(s->e0 * s->acc, mdl->fw);
  cnt_mul(c, MPB_BLK_HORNER, W, W);
}

static void st_log_phase(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int ft = mdl->cfg.freq_frac_bits;
  int sh = ft - mdl->fw + s->ie;
  uint64_t p;
  if (s->z)
    p = 0;
  else if (sh >= 0)
    p = sh >= 64 ? 0 : (uint64_t)s->acc << sh;
  else
    p = (uint64_t)R(s->acc, -sh);
  s->p = p & mpb_mask(ft);
  cnt_add(c, MPB_BLK_RANGE, ft); /* barrel shift + rounding increment */
  cnt_bus(c, MPB_BLK_RANGE, SITE_LPH_Z, s->z, 1);
  cnt_bus(c, MPB_BLK_RANGE, SITE_LPH_IE, s->ie, 6);
  cnt_bus(c, MPB_BLK_RANGE, SITE_LPH_MANT, s->acc, mdl->cfg.horner_width + 1);
}

static void st_exp_norm(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int64_t m16 = R(s->acc, mdl->fw - MPB_EXP_MANT_FRAC);
  cnt_add(c, MPB_BLK_HORNER, 17);
  if (m16 >= (INT64_C(1) << (MPB_EXP_MANT_FRAC + 1))) {
    s->mant = 1u << MPB_EXP_MANT_FRAC;
    s->e = s->ie + 1;
  } else {
    s->mant = (uint32_t)m16;
    s->e = s->ie;
  }
}

/* ---- RANGE, complex Horner, CMUL, OUT, ROTATE ------------------------------------- */

static void st_range(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int ft = mdl->cfg.freq_frac_bits, S = mdl->cfg.cs_table_bits, rb = ft - 2 - S;
  s->q = (int)((s->p >> (ft - 2)) & 3);
  uint32_t k = (uint32_t)((s->p >> rb) & mpb_mask(S));
  s->r = mpb_align_residual(s->p & mpb_mask(rb), rb, mdl->fw);
  s->ck = mdl->cs_cos[k];
  s->sk = mdl->cs_sin[k];
  cnt_rom(c, MPB_BLK_LOGLUT, 2 * mdl->cfg.horner_width);
  cnt_bus(c, MPB_BLK_RANGE, SITE_RANGE_P, (int64_t)s->p, ft);
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_COS, k, S); /* two ROMs, one address each */
  cnt_bus(c, MPB_BLK_LOGLUT, SITE_ADDR_SIN, k, S);
}

static void st_terms(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int W = mdl->cfg.horner_width;
  cnt_bus(c, MPB_BLK_HORNER, SITE_TERMS_R, s->r, W);
  for (int k = 1; k <= mdl->cfg.horner_order; k++) {
    s->tn[k] = R(mdl->k_cs[k - 1] * s->r, mdl->fw);
    cnt_mul(c, MPB_BLK_HORNER, W, W);
  }
  s->a = INT64_C(1) << mdl->fw;
  s->b = 0;
}

static void st_horner(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  int W = mdl->cfg.horner_width;
  int64_t one = INT64_C(1) << mdl->fw, t = s->tn[n];
  cnt_bus(c, MPB_BLK_HORNER, SITE_H_T + n, t, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_H_A + n, s->a, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_H_B + n, s->b, W);
  int64_t a = one - R(t * s->b, mdl->fw);
  int64_t b = R(t * s->a, mdl->fw);
  s->a = a;
  s->b = b;
  cnt_mul(c, MPB_BLK_HORNER, W, W);
  cnt_mul(c, MPB_BLK_HORNER, W, W);
  cnt_add(c, MPB_BLK_HORNER, W);
}

static void st_cmul(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int W = mdl->cfg.horner_width;
  cnt_bus(c, MPB_BLK_HORNER, SITE_CMUL_CK, s->ck, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_CMUL_SK, s->sk, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_CMUL_A, s->a, W);
  cnt_bus(c, MPB_BLK_HORNER, SITE_CMUL_B, s->b, W);
  int64_t cc = R(s->ck * s->a - s->sk * s->b, mdl->fw);
  int64_t ss = R(s->sk * s->a + s->ck * s->b, mdl->fw);
  s->c = cc;
  s->s = ss;
  for (int k = 0; k < 4; k++) cnt_mul(c, MPB_BLK_HORNER, W, W);
  cnt_add(c, MPB_BLK_HORNER, 2 * W);
  cnt_add(c, MPB_BLK_HORNER, 2 * W);
}

static void st_out(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int cw = mdl->cfg.cs_bits, sh = mdl->fw - (cw - 1), W = mdl->cfg.horner_width;
  int64_t cq, sq;
  cnt_bus(c, MPB_BLK_RANGE, SITE_OUT_Q, s->q, 2);
  cnt_bus(c, MPB_BLK_RANGE, SITE_OUT_C, s->c, W);
  cnt_bus(c, MPB_BLK_RANGE, SITE_OUT_S, s->s, W);
  switch (s->q) {
  case 0: cq = s->c; sq = s->s; break;
  case 1: cq = -s->s; sq = s->c; break;
  case 2: cq = -s->c; sq = -s->s; break;
  default: cq = s->s; sq = -s->c; break;
  }
  s->cos = (int32_t)mpb_sat(R(cq, sh), cw);
  s->sin = (int32_t)mpb_sat(R(sq, sh), cw);
  cnt_add(c, MPB_BLK_RANGE, W); /* negate */
  cnt_add(c, MPB_BLK_RANGE, cw);                    /* round   */
  cnt_add(c, MPB_BLK_RANGE, cw);
}

/* Signed value of 'bits' bits split into bytes: low bytes unsigned, top byte signed. */
static int slice_bytes(int64_t v, int bits, int32_t *byte) {
  int nb = (bits + 7) / 8;
  for (int i = 0; i < nb - 1; i++) byte[i] = (int32_t)(((uint64_t)v >> (8 * i)) & 0xFF);
  byte[nb - 1] = (int32_t)(v >> (8 * (nb - 1)));
  return nb;
}

/* Exact product v*w from byte-sliced MAC8 products recombined by PACK16; 'site' (0..3)
 * numbers the product for the PACK16 toggle sites (ROTATE: xc, ys, xs, yc). */
static int64_t sliced_product(int64_t v, int vbits, int64_t w, int wbits, int site,
                              mpb_counts *c) {
  int32_t vb[8], wb[8];
  int nv = slice_bytes(v, vbits, vb), nw = slice_bytes(w, wbits, wb);
  int64_t sum = 0;
  for (int a = 0; a < nv; a++)
    for (int b = 0; b < nw; b++) {
      int32_t p = mpb_mac8_mul(vb[a], a == nv - 1, wb[b], b == nw - 1);
      cnt_mul(c, MPB_BLK_MAC8, 8, 8);
      int k = 24 + 6 * site + a * nw + b;
      cnt_bus(c, MPB_BLK_PACK16, SITE_PK_PROD + k, p, 17);
      cnt_bus(c, MPB_BLK_PACK16, SITE_PK_ACC + k, sum, vbits + wbits);
      sum += mpb_shl(p, 8 * (a + b));
      cnt_add(c, MPB_BLK_PACK16, vbits + wbits);
    }
  return sum;
}

static void st_rotate(const mpb_model *mdl, mpb_slot *s, int n, mpb_counts *c) {
  (void)n;
  int xw = mdl->cfg.x_bits, cw = mdl->cfg.cs_bits, sh = cw - 1 - mdl->cfg.rot_frac_bits;
  cnt_bus(c, MPB_BLK_ROTATE, SITE_ROT_X, s->x, xw);
  cnt_bus(c, MPB_BLK_ROTATE, SITE_ROT_Y, s->y, xw);
  cnt_bus(c, MPB_BLK_ROTATE, SITE_ROT_C, s->cos, cw);
  cnt_bus(c, MPB_BLK_ROTATE, SITE_ROT_S, s->sin, cw);
  int64_t xc = sliced_product(s->x, xw, s->cos, cw, 0, c);
  int64_t ys = sliced_product(s->y, xw, s->sin, cw, 1, c);
  int64_t xs = sliced_product(s->x, xw, s->sin, cw, 2, c);
  int64_t yc = sliced_product(s->y, xw, s->cos, cw, 3, c);
  cnt_add(c, MPB_BLK_ROTATE, xw + cw + 1);
  cnt_add(c, MPB_BLK_ROTATE, xw + cw + 1);
  s->xr = (int32_t)mpb_sat(R(xc - ys, sh), mdl->ow);
  s->yr = (int32_t)mpb_sat(R(xs + yc, sh), mdl->ow);
}

/* ---- stage tables ------------------------------------------------------------------ */

static int push(mpb_stage *out, int L, mpb_stage_fn fn, int n, int bits, mpb_block b,
                const char *name) {
  out[L] = (mpb_stage){fn, n, bits, b, name};
  return L + 1;
}

/* Back half shared by both phi modes: RANGE .. ROTATE. */
static int push_back_half(const mpb_model *mdl, mpb_stage *out, int L) {
  const mpb_config *cfg = &mdl->cfg;
  int W = cfg->horner_width, N = cfg->horner_order, xy = 2 * cfg->x_bits, CW = cfg->cs_bits;
  L = push(out, L, st_range, 0, 2 + 2 * W + mdl->fw + xy, MPB_BLK_RANGE, "RANGE");
  L = push(out, L, st_terms, 0, 2 + 2 * W + N * W + xy, MPB_BLK_HORNER, "TERMS");
  for (int n = N; n >= 1; n--)
    L = push(out, L, st_horner, n, 2 + 2 * W + 2 * W + (n - 1) * W + xy, MPB_BLK_HORNER,
             "HORNER");
  L = push(out, L, st_cmul, 0, 2 + 2 * W + xy, MPB_BLK_HORNER, "CMUL");
  L = push(out, L, st_out, 0, 2 * CW + xy, MPB_BLK_RANGE, "OUT");
  L = push(out, L, st_rotate, 0, 2 * CW + 2 * mdl->ow, MPB_BLK_ROTATE, "ROTATE");
  return L;
}

/* Real Horner chain shared by LOG-ADD and the exp unit: SPLIT .. MUL. */
static int push_exp_chain(const mpb_model *mdl, mpb_stage *out, int L, mpb_stage_fn split,
                          int carry) {
  const mpb_config *cfg = &mdl->cfg;
  int W = cfg->horner_width, N = cfg->horner_order, hdr = 7 + W + carry;
  L = push(out, L, split, 0, hdr + mdl->fw + W, MPB_BLK_HORNER, "EXP_SPLIT");
  L = push(out, L, st_exp_terms, 0, hdr + N * W + W, MPB_BLK_HORNER, "EXP_TERMS");
  for (int n = N; n >= 1; n--)
    L = push(out, L, st_exp_horner, n, hdr + W + (n - 1) * W, MPB_BLK_HORNER, "EXP_HORNER");
  L = push(out, L, st_exp_mul, 0, hdr, MPB_BLK_HORNER, "EXP_MUL");
  return L;
}

int mpb_stages_rope(const mpb_model *mdl, mpb_stage *out) {
  const mpb_config *cfg = &mdl->cfg;
  int xy = 2 * cfg->x_bits, M = cfg->pos_bits, L = 0;
  L = push(out, L, st_in, 0, M + cfg->pair_bits + xy, MPB_BLK_PIPE, "IN");
  if (cfg->phi_mode == MPB_PHI_EXACT) {
    L = push(out, L, st_freq, 0, M + cfg->freq_frac_bits + xy, MPB_BLK_LOGLUT, "FREQ");
    L = push(out, L, st_phase, 0, cfg->freq_frac_bits + xy, MPB_BLK_PACK16, "PHASE");
  } else {
    L = push(out, L, st_log, 0, 1 + cfg->log_word_bits + xy, MPB_BLK_LOGLUT, "LOG");
    L = push_exp_chain(mdl, out, L, st_exp_split_log, 1 + xy);
    L = push(out, L, st_log_phase, 0, cfg->freq_frac_bits + xy, MPB_BLK_RANGE, "PHASE");
  }
  return push_back_half(mdl, out, L);
}

int mpb_stages_exp(const mpb_model *mdl, mpb_stage *out) {
  int L = 0;
  L = push(out, L, st_in, 0, 24, MPB_BLK_PIPE, "IN");
  L = push_exp_chain(mdl, out, L, st_exp_split_u, 0);
  return push(out, L, st_exp_norm, 0, 10 + 16, MPB_BLK_HORNER, "NORM");
}

void mpb_stages_run(const mpb_model *mdl, const mpb_stage *st, int from, int to, mpb_slot *s,
                    mpb_counts *c) {
  for (int k = from; k < to; k++) {
    st[k].fn(mdl, s, st[k].n, c);
    if (c) c->blk[st[k].blk].reg_bits += (uint64_t)st[k].reg_bits;
  }
}
