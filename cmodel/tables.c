/* tables.c — the model object and its tables (LOGLUT, docs/architecture.md §4): filled in
 * extended precision, rounded to nearest into the configured formats, exported as
 * $readmemh files so that the RTL holds exactly the same contents. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const long double PI_L = 3.141592653589793238462643383279502884L;
static const long double LN2_L = 0.693147180559945309417232121458176568L;

/* Round to nearest, ties away from zero, at 'frac' fraction bits. */
static int64_t fix_round(long double v, int frac) { return (int64_t)llroundl(ldexpl(v, frac)); }

static long double freq_turns(const mpb_geometry *g, int j);

mpb_status mpb_geometry_validate(const mpb_geometry *g, const mpb_config *cfg, char *err,
                                 size_t n) {
  if (g->head_dim < 2 || g->head_dim > 1024 || g->head_dim % 2) {
    snprintf(err, n, "head_dim = %d must be even and in [2, 1024]", g->head_dim);
    return MPB_EINVAL;
  }
  if (!(g->base > 1.0 && g->base <= 1e9)) {
    snprintf(err, n, "base = %g is out of range (1, 1e9]", g->base);
    return MPB_EINVAL;
  }
  if (g->pairing != MPB_PAIR_INTERLEAVED && g->pairing != MPB_PAIR_HALF) {
    snprintf(err, n, "pairing = %d must be interleaved (0) or half (1)", (int)g->pairing);
    return MPB_EINVAL;
  }
  if (cfg && g->head_dim / 2 > (1 << cfg->pair_bits)) {
    snprintf(err, n, "head_dim = %d needs %d pairs but pair_bits = %d holds %d", g->head_dim,
             g->head_dim / 2, cfg->pair_bits, 1 << cfg->pair_bits);
    return MPB_EINVAL;
  }
  /* LOG-ADD reads log_freq: every entry must fit the signed Q6.FL log word, i.e.
   * log2(t_j) >= -32 (docs/architecture.md §4). log2(t_j) falls with j: the first pair
   * that does not fit is named. (EXACT mode never reads the table.) */
  if (cfg && cfg->phi_mode == MPB_PHI_LOGADD) {
    int fl = cfg->log_word_bits - 6;
    long long lo = -(1LL << (cfg->log_word_bits - 1));
    for (int j = 0; j < g->head_dim / 2; j++) {
      long double t = freq_turns(g, j);
      long long v = (long long)fix_round(log2l(t), fl);
      if (v < lo) {
        snprintf(err, n, "LOG-ADD: log_freq[%d] = log2(t_%d) * 2^%d = %lld (log2 t = %.4Lf) "
                 "does not fit the %d-bit log word (Q6.%d, >= %lld): pair j = %d of head_dim "
                 "%d, base %g has theta_j / 2pi below 2^-32 turns per position", j, j, fl, v,
                 log2l(t), cfg->log_word_bits, fl, lo, j, g->head_dim, g->base);
        return MPB_EINVAL;
      }
    }
  }
  return MPB_OK;
}

void mpb_pair_index(const mpb_geometry *g, int j, int *ix, int *iy) {
  if (g->pairing == MPB_PAIR_INTERLEAVED) {
    *ix = 2 * j;
    *iy = 2 * j + 1;
  } else {
    *ix = j;
    *iy = j + g->head_dim / 2;
  }
}

/* t_j = theta_j / 2pi in turns, theta_j = base^(-2j/d). */
static long double freq_turns(const mpb_geometry *g, int j) {
  return powl((long double)g->base, -2.0L * j / g->head_dim) / (2.0L * PI_L);
}

static void *xcalloc(size_t n, size_t sz, bool *ok) {
  void *p = calloc(n ? n : 1, sz);
  if (!p) *ok = false;
  return p;
}

mpb_model *mpb_model_new(const mpb_config *cfg, const mpb_geometry *g, char *err, size_t n) {
  if (mpb_config_validate(cfg, err, n) != MPB_OK) return NULL;
  if (mpb_geometry_validate(g, cfg, err, n) != MPB_OK) return NULL;
  mpb_model *m = calloc(1, sizeof *m);
  if (!m) {
    snprintf(err, n, "out of memory");
    return NULL;
  }
  m->cfg = *cfg;
  m->geo = *g;
  m->npairs = g->head_dim / 2;
  m->fw = cfg->horner_width - 2;
  m->fl = cfg->log_word_bits - 6;
  m->ow = cfg->x_bits + 1 + cfg->rot_frac_bits;
  size_t np = (size_t)1 << cfg->pair_bits, nm = (size_t)1 << cfg->log_mant_bits;
  size_t ne = (size_t)1 << cfg->exp_table_bits, ns = (size_t)1 << cfg->cs_table_bits;
  size_t nk = (size_t)cfg->horner_order;
  bool ok = true;
  m->freq = xcalloc(np, sizeof *m->freq, &ok);
  m->log_freq = xcalloc(np, sizeof *m->log_freq, &ok);
  m->log_mant = xcalloc(nm, sizeof *m->log_mant, &ok);
  m->exp_tab = xcalloc(ne, sizeof *m->exp_tab, &ok);
  m->cs_cos = xcalloc(ns, sizeof *m->cs_cos, &ok);
  m->cs_sin = xcalloc(ns, sizeof *m->cs_sin, &ok);
  m->k_cs = xcalloc(nk, sizeof *m->k_cs, &ok);
  m->k_exp = xcalloc(nk, sizeof *m->k_exp, &ok);
  if (!ok) {
    mpb_model_free(m);
    snprintf(err, n, "out of memory");
    return NULL;
  }
  int ft = cfg->freq_frac_bits, fw = m->fw, fl = m->fl, S = cfg->cs_table_bits;
  for (int j = 0; j < m->npairs; j++) {
    long double t = freq_turns(g, j);
    m->freq[j] = (uint64_t)fix_round(t, ft) & mpb_mask(ft);
    m->log_freq[j] = mpb_wrap(fix_round(log2l(t), fl), cfg->log_word_bits);
  }
  for (size_t i = 0; i < nm; i++)
    m->log_mant[i] = fix_round(log2l(1.0L + (long double)i / (long double)nm), fl);
  for (size_t i = 0; i < ne; i++)
    m->exp_tab[i] = fix_round(exp2l((long double)i / (long double)ne), fw);
  long double C = 2.0L * PI_L / ldexpl(1.0L, S + 2);
  for (size_t i = 0; i < ns; i++) {
    m->cs_cos[i] = fix_round(cosl(C * i), fw);
    m->cs_sin[i] = fix_round(sinl(C * i), fw);
  }
  for (size_t k = 0; k < nk; k++) {
    m->k_cs[k] = fix_round(C / (long double)(k + 1), fw);
    m->k_exp[k] = fix_round(LN2_L / ldexpl(1.0L, cfg->exp_table_bits) / (long double)(k + 1), fw);
  }
  m->rope_st = calloc(MPB_MAX_STAGES, sizeof *m->rope_st);
  m->exp_st = calloc(MPB_MAX_STAGES, sizeof *m->exp_st);
  if (!m->rope_st || !m->exp_st) {
    mpb_model_free(m);
    snprintf(err, n, "out of memory");
    return NULL;
  }
  m->rope_L = mpb_stages_rope(m, m->rope_st);
  m->exp_L = mpb_stages_exp(m, m->exp_st);
  return m;
}

void mpb_model_free(mpb_model *m) {
  if (!m) return;
  free(m->freq);
  free(m->log_freq);
  free(m->log_mant);
  free(m->exp_tab);
  free(m->cs_cos);
  free(m->cs_sin);
  free(m->k_cs);
  free(m->k_exp);
  free(m->rope_st);
  free(m->exp_st);
  free(m);
}

const mpb_config *mpb_model_config(const mpb_model *m) { return &m->cfg; }

const mpb_stage *mpb_model_stages(const mpb_model *m, mpb_unit unit, int *L) {
  *L = unit == MPB_UNIT_EXP ? m->exp_L : m->rope_L;
  return unit == MPB_UNIT_EXP ? m->exp_st : m->rope_st;
}
const mpb_geometry *mpb_model_geometry(const mpb_model *m) { return &m->geo; }

typedef struct {
  const char *name;
  size_t n;
  int width;
  const int64_t *s; /* signed tables */
  const uint64_t *u;
} table_view;

static bool find_table(const mpb_model *m, const char *name, table_view *v) {
  const mpb_config *c = &m->cfg;
  int W = c->horner_width;
  table_view all[] = {
      {"freq", (size_t)1 << c->pair_bits, c->freq_frac_bits, NULL, m->freq},
      {"log_freq", (size_t)1 << c->pair_bits, c->log_word_bits, m->log_freq, NULL},
      {"log_mant", (size_t)1 << c->log_mant_bits, c->log_word_bits, m->log_mant, NULL},
      {"exp", (size_t)1 << c->exp_table_bits, W, m->exp_tab, NULL},
      {"cs_cos", (size_t)1 << c->cs_table_bits, W, m->cs_cos, NULL},
      {"cs_sin", (size_t)1 << c->cs_table_bits, W, m->cs_sin, NULL},
      {"k_cs", (size_t)c->horner_order, W, m->k_cs, NULL},
      {"k_exp", (size_t)c->horner_order, W, m->k_exp, NULL},
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (!strcmp(all[i].name, name)) {
      *v = all[i];
      return true;
    }
  return false;
}

size_t mpb_table_size(const mpb_model *m, const char *name, int *width) {
  table_view v;
  if (!find_table(m, name, &v)) return 0;
  if (width) *width = v.width;
  return v.n;
}

int64_t mpb_table_entry(const mpb_model *m, const char *name, size_t i) {
  table_view v;
  if (!find_table(m, name, &v) || i >= v.n) return 0;
  return v.u ? (int64_t)v.u[i] : v.s[i];
}

mpb_status mpb_table_write_memh(const mpb_model *m, const char *name, const char *path,
                                char *err, size_t n) {
  table_view v;
  if (!find_table(m, name, &v)) {
    snprintf(err, n, "unknown table '%s'", name);
    return MPB_EINVAL;
  }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, n, "%s: cannot write: %s", path, strerror(errno));
    return MPB_EIO;
  }
  int digits = (v.width + 3) / 4;
  fprintf(f, "// %s: %zu entries x %d bits, generated by libmpb %s\n", name, v.n, v.width,
          MPB_VERSION);
  for (size_t i = 0; i < v.n; i++) {
    uint64_t w = (v.u ? v.u[i] : (uint64_t)v.s[i]) & mpb_mask(v.width);
    fprintf(f, "%0*llx\n", digits, (unsigned long long)w);
  }
  int e = 0;
  errno = 0;
  bool bad = ferror(f) != 0;
  if (fflush(f) != 0) bad = true, e = errno;
  if (fclose(f) != 0 && !bad) bad = true, e = errno;
  if (!bad && rename(tmp, path) != 0) bad = true, e = errno;
  if (bad) {
    remove(tmp);
    snprintf(err, n, "%s: write failed: %s", path, e ? strerror(e) : "I/O error");
    return MPB_EIO;
  }
  return MPB_OK;
}
