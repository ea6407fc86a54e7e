/* sweep_spec.c — parse a sweep specification (libconfig syntax, docs/sweeps.md) into a
 * sweep_spec, and hash everything that determines the results (so stored points of a
 * different spec are never mixed in). */
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg_read.h"
#include "energy.h"
#include "numerics.h"
#include "passkey.h"
#include "ssm.h"
#include "ssm_eval.h"
#include "sweep.h"

static const sweep_metric_info metric_info[SWEEP_NMETRIC] = {
    {"max_err", "max |cos/sin error| vs FP64 over all workloads, positions and pairs", true},
    {"rms_err", "RMS of the cos and sin errors", true},
    {"err_bits", "-log2(max_err): correct bits of the worst output", false},
    {"bound", "analytic error bound mpb_rope_error_bound (inf in LOG-ADD mode)", true},
    {"energy_pj", "modelled energy per rotation, pJ (analysis/energy.h)", true},
    {"area", "area proxy (mpb_area_proxy, analysis/energy.h)", true},
    {"latency", "rope pipeline latency, cycles", false},
    {"meets_goal", "1 if max_err <= goal", false},
};

const sweep_metric_info *sweep_metric_get(int m) {
  return m >= 0 && m < SWEEP_NMETRIC ? &metric_info[m] : NULL;
}

const char *const sweep_lm_metric_names[SWEEP_LM_VALUES] = {
    "lm_kld_mean", "lm_kld_p99", "lm_kld_p999", "lm_kld_max", "lm_same_top"};

static int lm_first(const sweep_spec *s) {
  return SWEEP_NMETRIC + s->nworkloads + SWEEP_TRACE_VALUES * s->ntraces;
}

const char *const sweep_ssm_metric_names[SWEEP_SSM_VALUES] = {"ssm_h_rel", "ssm_y_rel",
                                                               "ssm_near_zero", "ssm_h_b"};

static int ssm_first(const sweep_spec *s) { return lm_first(s) + (s->lm.on ? SWEEP_LM_VALUES : 0); }

int sweep_nvalues(const sweep_spec *s) {
  if (s->task == SWEEP_TASK_PASSKEY) return SWEEP_PK_NVALUES;
  return ssm_first(s) + (s->ssm.on ? SWEEP_SSM_VALUES : 0) + (s->rtl.on ? SWEEP_RTL_VALUES : 0);
}

int sweep_lm_col(const sweep_spec *s) { return s->lm.on ? lm_first(s) : -1; }
int sweep_ssm_col(const sweep_spec *s) { return s->ssm.on ? ssm_first(s) : -1; }

int sweep_rtl_col(const sweep_spec *s) {
  return s->rtl.on ? ssm_first(s) + (s->ssm.on ? SWEEP_SSM_VALUES : 0) : -1;
}

const char *sweep_rtl_status_name(double v) {
  return v == SWEEP_RTL_PASS ? "pass" : v == SWEEP_RTL_FAIL ? "fail"
                                      : v == SWEEP_RTL_SKIPPED ? "skipped" : "";
}

int sweep_trace_col(const sweep_spec *s, int k) {
  return SWEEP_NMETRIC + s->nworkloads + SWEEP_TRACE_VALUES * k;
}

void sweep_value_name(const sweep_spec *s, int k, char *buf, size_t len) {
  static const char *const trace_stat[SWEEP_TRACE_VALUES] = {"rope_err", "exp_err", "dot_err",
                                                             "dot_events"};
  static const char *const pk_name[SWEEP_PK_NVALUES] = {
      "accuracy", "digit_accuracy", "margin_mean", "margin_min", "logprob_mean", "kld_mean",
      "kld_max", "key_at"};
  int rc = sweep_rtl_col(s), lc = sweep_lm_col(s), sc = sweep_ssm_col(s);
  if (s->task == SWEEP_TASK_PASSKEY) {
    snprintf(buf, len, "%s", k >= 0 && k < SWEEP_PK_NVALUES ? pk_name[k] : "?");
  } else if (rc >= 0 && k >= rc) {
    snprintf(buf, len, "%s", k == rc ? "rtl_check" : "rtl_cycles");
  } else if (sc >= 0 && k >= sc) {
    snprintf(buf, len, "%s", sweep_ssm_metric_names[k - sc]);
  } else if (lc >= 0 && k >= lc) {
    snprintf(buf, len, "%s", sweep_lm_metric_names[k - lc]);
  } else if (k < SWEEP_NMETRIC) {
    snprintf(buf, len, "%s", metric_info[k].name);
  } else if (k < SWEEP_NMETRIC + s->nworkloads) {
    snprintf(buf, len, "max_err_%s", s->wl[k - SWEEP_NMETRIC].name);
  } else {
    int t = k - SWEEP_NMETRIC - s->nworkloads;
    snprintf(buf, len, "%s_%s", s->tr[t / SWEEP_TRACE_VALUES].name,
             trace_stat[t % SWEEP_TRACE_VALUES]);
  }
}

/* ---- error helpers --------------------------------------------------------------------- */
typedef struct {
  const char *path;
  char *err;
  size_t n;
} ctx;

static mpb_status fail(ctx *c, const config_setting_t *st, const char *fmt, ...) {
  char msg[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int line = st ? config_setting_source_line(st) : 0;
  if (line > 0)
    snprintf(c->err, c->n, "%s:%d: %s", c->path, line, msg);
  else
    snprintf(c->err, c->n, "%s: %s", c->path, msg);
  return MPB_EINVAL;
}

/* Integer member 'name' of st, read as 64 bits and required in [lo, hi]: 0 and *present
 * false when absent, 0 with *out set, or MPB_EINVAL (file:line, field, range). */
static mpb_status get_int(ctx *c, const config_setting_t *st, const char *name, long long lo,
                          long long hi, long long *out, bool *present) {
  const config_setting_t *e = config_setting_get_member((config_setting_t *)st, name);
  *present = e != NULL;
  if (!e) return MPB_OK;
  int t = config_setting_type(e);
  if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
    return fail(c, e, "field %s is not an integer (expected [%lld, %lld])", name, lo, hi);
  long long v = config_setting_get_int64(e);
  if (v < lo || v > hi)
    return fail(c, e, "field %s = %lld is out of range [%lld, %lld]", name, v, lo, hi);
  *out = v;
  return MPB_OK;
}

static bool is_number(const config_setting_t *v) {
  int t = config_setting_type(v);
  return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static double number_of(const config_setting_t *v) {
  return config_setting_type(v) == CONFIG_TYPE_FLOAT ? config_setting_get_float(v)
                                                     : (double)config_setting_get_int64(v);
}

/* Whether parameter pi takes fractional values (e.g. clock_mhz): probed through the
 * public API (mpb_config_set accepts "lo + 0.5"), so no parameter is named here. */
static bool takes_fractions(const mpb_param_info *pi) {
  if (pi->choices || pi->hi - pi->lo < 1) return false;
  mpb_config tmp;
  mpb_config_default(&tmp);
  char text[64], msg[256];
  snprintf(text, sizeof text, "%.17g", (double)pi->lo + 0.5);
  return mpb_config_set(&tmp, pi->name, text, msg, sizeof msg) == MPB_OK;
}

/* Text form of a number for parameter p: integer parameters need integral values. */
static mpb_status format_number(ctx *c, const config_setting_t *st, const mpb_param_info *pi,
                                double v, char *out, size_t len) {
  if (pi->choices) return fail(c, st, "parameter %s takes names, not numbers", pi->name);
  if (takes_fractions(pi)) {
    snprintf(out, len, "%.17g", v);
    return MPB_OK;
  }
  if (v != floor(v) || fabs(v) > 1e15)
    return fail(c, st, "parameter %s = %g must be an integer in [%ld, %ld]", pi->name, v,
                pi->lo, pi->hi);
  snprintf(out, len, "%lld", (long long)v);
  return MPB_OK;
}

/* Add value text to an axis after checking it with mpb_config_set (range of the param). */
static mpb_status add_value(ctx *c, const config_setting_t *st, sweep_axis *ax,
                            const char *text) {
  const mpb_param_info *pi = mpb_param_get(ax->param);
  if (ax->nvalues >= SWEEP_MAX_VALUES)
    return fail(c, st, "parameter %s: more than %d values", pi->name, SWEEP_MAX_VALUES);
  mpb_config tmp;
  mpb_config_default(&tmp);
  char msg[256];
  if (mpb_config_set(&tmp, pi->name, text, msg, sizeof msg) != MPB_OK)
    return fail(c, st, "%s", msg);
  for (int i = 0; i < ax->nvalues; i++)
    if (!strcmp(ax->values[i], text))
      return fail(c, st, "parameter %s: value %s listed twice", pi->name, text);
  snprintf(ax->values[ax->nvalues++], sizeof ax->values[0], "%s", text);
  return MPB_OK;
}

static mpb_status parse_triple(ctx *c, const config_setting_t *st, const char *field,
                               double *a, double *b, double *d) {
  if (!config_setting_is_aggregate(st) || config_setting_length(st) != 3)
    return fail(c, st, "field '%s' must be [lo, hi, %s]", field,
                strcmp(field, "range") ? "factor" : "step");
  double v[3];
  for (int i = 0; i < 3; i++) {
    config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
    if (!is_number(e))
      return fail(c, st, "field '%s' must hold three numbers", field);
    v[i] = number_of(e);
  }
  *a = v[0];
  *b = v[1];
  *d = v[2];
  return MPB_OK;
}

static mpb_status parse_axis(ctx *c, config_setting_t *st, int k, sweep_spec *s) {
  const char *name;
  if (!config_setting_lookup_string(st, "name", &name))
    return fail(c, st, "params[%d]: field 'name' (a parameter name) is missing", k);
  size_t np = mpb_param_count(), pidx = np;
  for (size_t i = 0; i < np; i++)
    if (!strcmp(mpb_param_get(i)->name, name)) pidx = i;
  if (pidx == np) return fail(c, st, "params[%d]: unknown parameter '%s'", k, name);
  for (int a = 0; a < s->naxes; a++)
    if (s->axis[a].param == pidx) return fail(c, st, "parameter %s swept twice", name);
  if (s->naxes >= SWEEP_MAX_AXES) return fail(c, st, "more than %d axes", SWEEP_MAX_AXES);
  sweep_axis *ax = &s->axis[s->naxes];
  memset(ax, 0, sizeof *ax);
  ax->param = pidx;
  const mpb_param_info *pi = mpb_param_get(pidx);
  config_setting_t *vals = config_setting_get_member(st, "values");
  config_setting_t *rng = config_setting_get_member(st, "range");
  config_setting_t *lrng = config_setting_get_member(st, "log_range");
  if ((vals != NULL) + (rng != NULL) + (lrng != NULL) != 1)
    return fail(c, st, "parameter %s: give exactly one of values, range, log_range", name);
  char text[64];
  mpb_status rc;
  if (vals) {
    if (!config_setting_is_aggregate(vals) || config_setting_length(vals) < 1)
      return fail(c, vals, "parameter %s: 'values' must be a non-empty list", name);
    for (int i = 0; i < config_setting_length(vals); i++) {
      config_setting_t *v = config_setting_get_elem(vals, (unsigned)i);
      if (config_setting_type(v) == CONFIG_TYPE_STRING) {
        snprintf(text, sizeof text, "%s", config_setting_get_string(v));
      } else if (is_number(v)) {
        if ((rc = format_number(c, vals, pi, number_of(v), text, sizeof text))) return rc;
      } else {
        return fail(c, vals, "parameter %s: values must be numbers or names", name);
      }
      if ((rc = add_value(c, vals, ax, text))) return rc;
    }
  } else if (rng) {
    double lo, hi, step;
    if ((rc = parse_triple(c, rng, "range", &lo, &hi, &step))) return rc;
    if (!(step > 0) || !(hi >= lo))
      return fail(c, rng, "parameter %s: range [lo, hi, step] needs hi >= lo and step > 0",
                  name);
    if ((hi - lo) / step + 1 > SWEEP_MAX_VALUES)
      return fail(c, rng, "parameter %s: range gives more than %d values", name,
                  SWEEP_MAX_VALUES);
    for (double v = lo; v <= hi + step * 1e-9; v += step) {
      if ((rc = format_number(c, rng, pi, v, text, sizeof text))) return rc;
      if ((rc = add_value(c, rng, ax, text))) return rc;
    }
  } else {
    double lo, hi, f;
    if ((rc = parse_triple(c, lrng, "log_range", &lo, &hi, &f))) return rc;
    if (!(lo > 0) || !(hi >= lo) || !(f > 1))
      return fail(c, lrng,
                  "parameter %s: log_range [lo, hi, factor] needs 0 < lo <= hi, factor > 1",
                  name);
    for (double v = lo; v <= hi * (1 + 1e-12); v *= f) {
      double r = takes_fractions(pi) ? v : floor(v + 0.5);
      if ((rc = format_number(c, lrng, pi, r, text, sizeof text))) return rc;
      bool dup = false;
      for (int i = 0; i < ax->nvalues; i++) dup |= !strcmp(ax->values[i], text);
      if (!dup && (rc = add_value(c, lrng, ax, text))) return rc;
    }
  }
  s->naxes++;
  return MPB_OK;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Positions: {max = N; per_octave = K;} samples every octave [2^k, 2^(k+1)) below max
 * with its two ends plus K-2 seeded random positions (all of 0..15 always);
 * {lo = A; hi = B; step = S;} is the dense range [A, B) with step S. */
static mpb_status parse_positions(ctx *c, config_setting_t *st, sweep_workload *w,
                                  uint64_t seed) {
  long long max = 0, per = 16, lo = 0, hi = 0, step = 1;
  bool has_max, has;
  if (get_int(c, st, "max", LLONG_MIN, LLONG_MAX, &max, &has_max)) return MPB_EINVAL;
  if (has_max) {
    if (get_int(c, st, "per_octave", LLONG_MIN, LLONG_MAX, &per, &has)) return MPB_EINVAL;
    if (max < 1 || max > (1LL << 24))
      return fail(c, st, "workload %s: positions.max = %lld is out of range [1, 16777216]",
                  w->name, max);
    if (per < 2 || per > 65536)
      return fail(c, st, "workload %s: positions.per_octave = %lld is out of range [2, 65536]",
                  w->name, per);
    size_t cap = 64 + 25 * (size_t)per;
    w->positions = malloc(cap * sizeof *w->positions);
    if (!w->positions) return fail(c, st, "out of memory");
    size_t n = 0;
    for (uint32_t m = 0; m < 16 && m < max; m++) w->positions[n++] = m;
    uint64_t rs = seed ^ 0x706f736974696f6eULL;
    for (int k = 4; k < 25 && (1LL << k) < max; k++) {
      uint32_t a = 1u << k, b = (uint32_t)((2LL << k) < max ? (2LL << k) : max); /* [a, b) */
      uint32_t span = b - a;
      if (span <= (uint32_t)per) {
        for (uint32_t m = a; m < b; m++) w->positions[n++] = m;
        continue;
      }
      w->positions[n++] = a;
      w->positions[n++] = b - 1;
      for (long long i = 2; i < per; i++)
        w->positions[n++] = a + (uint32_t)(sweep_rand64(&rs) % span);
    }
    qsort(w->positions, n, sizeof *w->positions, cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
      if (u == 0 || w->positions[i] != w->positions[u - 1]) w->positions[u++] = w->positions[i];
    w->npositions = u;
    w->pos_max = (uint32_t)max;
    return MPB_OK;
  }
  if (get_int(c, st, "hi", 1, 1LL << 24, &hi, &has) ||
      get_int(c, st, "lo", 0, (1LL << 24) - 1, &lo, &has) ||
      get_int(c, st, "step", 1, 1LL << 24, &step, &has))
    return MPB_EINVAL;
  if (!(hi > lo && lo >= 0 && hi <= (1LL << 24) && step >= 1))
    return fail(c, st,
                "workload %s: positions need {max; per_octave;} or {lo; hi; step;} with "
                "0 <= lo < hi <= 16777216, step >= 1",
                w->name);
  size_t n = (size_t)((hi - lo + step - 1) / step);
  if (n > 4000000) return fail(c, st, "workload %s: more than 4000000 positions", w->name);
  w->positions = malloc(n * sizeof *w->positions);
  if (!w->positions) return fail(c, st, "out of memory");
  for (size_t i = 0; i < n; i++) w->positions[i] = (uint32_t)(lo + (long long)i * step);
  w->npositions = n;
  w->pos_max = (uint32_t)hi;
  return MPB_OK;
}

static mpb_status parse_workload(ctx *c, config_setting_t *st, int k, sweep_spec *s) {
  sweep_workload *w = &s->wl[k];
  memset(w, 0, sizeof *w);
  const char *name, *pairing = "half";
  if (!config_setting_lookup_string(st, "name", &name))
    return fail(c, st, "workloads[%d]: field 'name' is missing", k);
  if (strlen(name) >= SWEEP_NAME_LEN || strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                            strlen(name) || !*name)
    return fail(c, st, "workloads[%d]: name '%s' must be 1..63 letters, digits, _ or -", k,
                name);
  snprintf(w->name, sizeof w->name, "%s", name);
  long long d;
  bool has;
  double base;
  if (get_int(c, st, "head_dim", 2, 1024, &d, &has)) return MPB_EINVAL;
  if (!has)
    return fail(c, st, "workload %s: field 'head_dim' (even integer in [2, 1024]) is missing",
                name);
  config_setting_t *b = config_setting_get_member(st, "base");
  if (!b || !is_number(b))
    return fail(c, st, "workload %s: field 'base' (RoPE base, a number > 1) is missing", name);
  base = number_of(b);
  config_setting_lookup_string(st, "pairing", &pairing);
  w->geo.head_dim = (int)d;
  w->geo.base = base;
  if (!strcmp(pairing, "half"))
    w->geo.pairing = MPB_PAIR_HALF;
  else if (!strcmp(pairing, "interleaved"))
    w->geo.pairing = MPB_PAIR_INTERLEAVED;
  else
    return fail(c, st, "workload %s: pairing = '%s' must be interleaved or half", name,
                pairing);
  char msg[256];
  if (mpb_geometry_validate(&w->geo, NULL, msg, sizeof msg) != MPB_OK)
    return fail(c, st, "workload %s: %s", name, msg);
  config_setting_t *pos = config_setting_get_member(st, "positions");
  if (!pos || !config_setting_is_group(pos))
    return fail(c, st, "workload %s: group 'positions' ({max; per_octave;} or {lo; hi; step;}) "
                "is missing", name);
  mpb_status rc = parse_positions(c, pos, w, s->seed + (uint64_t)k);
  if (rc) return rc;
  long long vm = 0;
  if (get_int(c, st, "verify_max", 1, 1 << 24, &vm, &has)) return MPB_EINVAL;
  if (has) w->verify_max = (uint32_t)vm;
  return MPB_OK;
}

/* FNV-1a over bytes. */
static void hash_bytes(uint64_t *h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    *h ^= b[i];
    *h *= 0x100000001b3ULL;
  }
}
static void hash_str(uint64_t *h, const char *s) { hash_bytes(h, s, strlen(s) + 1); }

/* Hash a file's bytes (the results depend on its content, not its name). */
static int hash_file(uint64_t *h, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char blk[65536];
  size_t n;
  while ((n = fread(blk, 1, sizeof blk, f)) > 0) hash_bytes(h, blk, n);
  fclose(f);
  return 0;
}

static mpb_status hash_spec(ctx *c, sweep_spec *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  char buf[64];
  for (size_t i = 0; i < mpb_param_count(); i++) {
    mpb_param_format(&s->base, i, buf, sizeof buf);
    hash_str(&h, buf);
  }
  for (int a = 0; a < s->naxes; a++) {
    hash_str(&h, mpb_param_get(s->axis[a].param)->name);
    for (int i = 0; i < s->axis[a].nvalues; i++) hash_str(&h, s->axis[a].values[i]);
  }
  snprintf(buf, sizeof buf, "%d %llu %llu %.17g", (int)s->sampling,
           (unsigned long long)s->samples, (unsigned long long)s->seed, s->goal);
  hash_str(&h, buf);
  for (int k = 0; k < s->nworkloads; k++) {
    const sweep_workload *w = &s->wl[k];
    hash_str(&h, w->name);
    snprintf(buf, sizeof buf, "%d %.17g %d", w->geo.head_dim, w->geo.base, (int)w->geo.pairing);
    hash_str(&h, buf);
    hash_bytes(&h, w->positions, w->npositions * sizeof *w->positions);
  }
  hash_str(&h, MPB_VERSION);
  hash_str(&h, s->energy_table);
  if (!s->energy_table[0]) hash_str(&h, mpb_energy_default_text());
  if (s->energy_table[0] && hash_file(&h, s->energy_table))
    return fail(c, NULL, "energy_table: cannot read %s", s->energy_table);
  for (int k = 0; k < s->ntraces; k++) {
    hash_str(&h, s->tr[k].name);
    if (hash_file(&h, s->tr[k].path))
      return fail(c, NULL, "trace %s: cannot read %s", s->tr[k].name, s->tr[k].path);
  }
  if (s->lm.on) { /* (absent: the hash of specs without model_eval is unchanged) */
    snprintf(buf, sizeof buf, "model_eval %d %d %lld %d %.17g", s->lm.ctx, s->lm.chunks,
             s->lm.offset, s->lm.metric, s->lm.max);
    hash_str(&h, buf);
    hash_str(&h, s->lm.numerics);
    if (hash_file(&h, s->lm.tokens))
      return fail(c, NULL, "model_eval: cannot read %s", s->lm.tokens);
    hash_str(&h, s->lm.model); /* the model by name: hashing ~100 MB per run is too slow */
  }
  if (s->ssm.on) { /* (absent: the hash of specs without ssm_eval is unchanged) */
    char sb[256];
    snprintf(sb, sizeof sb, "ssm_eval %s %llu %llu %.17g %.17g %d %.17g", s->ssm.model,
             (unsigned long long)s->ssm.steps, (unsigned long long)s->ssm.seed, s->ssm.dt_min,
             s->ssm.dt_max, s->ssm.metric, s->ssm.max);
    hash_str(&h, sb);
    hash_str(&h, s->ssm.numerics);
  }
  if (s->rtl.on) { /* (absent: the hash of specs without rtl_check is unchanged) */
    snprintf(buf, sizeof buf, "rtl_check %llu %d %x", (unsigned long long)s->rtl.cycles,
             s->rtl.seeds, (unsigned)s->rtl.workloads);
    hash_str(&h, buf);
  }
  s->hash = h;
  return MPB_OK;
}

/* Files a spec refers to must be regular files (not /dev/zero, a FIFO or a directory). */
static bool is_regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Path relative to the spec file's directory (unless absolute). */
static void resolve_path(const char *spec, const char *rel, char *out, size_t len) {
  const char *slash = strrchr(spec, '/');
  if (rel[0] == '/' || !slash)
    snprintf(out, len, "%s", rel);
  else
    snprintf(out, len, "%.*s/%s", (int)(slash - spec), spec, rel);
}

/* Every member of group st is named in known (NULL-terminated); the first that is not is
 * refused as "WHAT: unknown field 'x' (known: a, b, ...)" (what "" for the root). */
static mpb_status check_known(ctx *c, config_setting_t *st, const char *what,
                              const char *const *known) {
  for (int i = 0; i < config_setting_length(st); i++) {
    config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
    bool ok = false;
    for (int k = 0; known[k]; k++) ok |= !strcmp(known[k], config_setting_name(e));
    if (ok) continue;
    char list[512] = "";
    for (size_t k = 0, o = 0; known[k] && o < sizeof list; k++)
      o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "", known[k]);
    return fail(c, e, "%s%sunknown field '%s' (known: %s)", what, *what ? ": " : "",
                config_setting_name(e), list);
  }
  return MPB_OK;
}

/* The tail shared by the model-level objectives (model_eval, ssm_eval): `numerics` (a
 * closed-loop numerics spec, default dflt), `metric` (one of names[0..n) without their
 * first `skip` characters, default *metric as set by the caller) and `max` (> 0, in unit). */
static mpb_status parse_objective(ctx *c, config_setting_t *st, const char *what,
                                  char *numerics, size_t nlen, const char *dflt, int *metric,
                                  const char *const *names, int n, size_t skip, double *max,
                                  const char *unit) {
  const char *str;
  snprintf(numerics, nlen, "%s", dflt);
  if (config_setting_lookup_string(st, "numerics", &str)) snprintf(numerics, nlen, "%s", str);
  lm_numerics_spec ns;
  char e2[256];
  lm_numerics_spec_init(&ns, LM_BK_REF);
  if (lm_numerics_spec_parse(&ns, numerics, e2, sizeof e2))
    return fail(c, config_setting_get_member(st, "numerics"), "%s.numerics: %s", what, e2);
  if (config_setting_lookup_string(st, "metric", &str)) {
    *metric = -1;
    char list[256] = "";
    for (int m = 0, o = 0; m < n; m++) {
      if (!strcmp(str, names[m] + skip)) *metric = m;
      o += snprintf(list + o, sizeof list - (size_t)o, "%s%s", m ? ", " : "", names[m] + skip);
    }
    if (*metric < 0)
      return fail(c, config_setting_get_member(st, "metric"), "%s.metric = '%s' is not one "
                  "of {%s}", what, str, list);
  }
  config_setting_t *e = config_setting_get_member(st, "max");
  if (e) {
    if (!is_number(e) || !(number_of(e) > 0))
      return fail(c, e, "%s.max must be a number > 0 (%s)", what, unit);
    *max = number_of(e);
  }
  return MPB_OK;
}

/* rtl_check = { cycles = N; seeds = K; workloads = ["name", ...]; cache = "dir"; }:
 * co-simulate every point against the RTL (docs/sweeps.md). Workloads must be parsed. */
static mpb_status parse_rtl_check(ctx *c, config_setting_t *st, sweep_spec *s) {
  if (!config_setting_is_group(st))
    return fail(c, st, "'rtl_check' must be a group { cycles = N; seeds = K; workloads = "
                "[...]; cache = \"dir\"; }");
  static const char *const known[] = {"cycles", "seeds", "workloads", "cache", NULL};
  mpb_status kr = check_known(c, st, "rtl_check", known);
  if (kr) return kr;
  sweep_rtl *r = &s->rtl;
  r->on = true;
  r->cycles = 20000;
  r->seeds = 1;
  r->workloads = (1u << s->nworkloads) - 1;
  config_setting_t *e = config_setting_get_member(st, "cycles");
  if (e) {
    long long v = config_setting_type(e) == CONFIG_TYPE_INT ||
                          config_setting_type(e) == CONFIG_TYPE_INT64
                      ? config_setting_get_int64(e)
                      : -1;
    if (v < 1 || v > 100000000)
      return fail(c, e, "rtl_check.cycles must be an integer in [1, 100000000]");
    r->cycles = (uint64_t)v;
  }
  if ((e = config_setting_get_member(st, "seeds"))) {
    long long v = config_setting_type(e) == CONFIG_TYPE_INT ||
                          config_setting_type(e) == CONFIG_TYPE_INT64
                      ? config_setting_get_int64(e)
                      : -1;
    if (v < 1 || v > 64) return fail(c, e, "rtl_check.seeds must be an integer in [1, 64]");
    r->seeds = (int)v;
  }
  if ((e = config_setting_get_member(st, "workloads"))) {
    if (!config_setting_is_aggregate(e) || config_setting_length(e) < 1)
      return fail(c, e, "rtl_check.workloads must be a non-empty list of workload names");
    r->workloads = 0;
    for (int i = 0; i < config_setting_length(e); i++) {
      const char *n = config_setting_get_string_elem(e, i);
      int found = -1;
      for (int k = 0; k < s->nworkloads && n; k++)
        if (!strcmp(s->wl[k].name, n)) found = k;
      if (found < 0)
        return fail(c, e, "rtl_check.workloads[%d] = '%s' is not a workload of this spec", i,
                    n ? n : "?");
      r->workloads |= 1u << found;
    }
  }
  const char *str;
  if (config_setting_lookup_string(st, "cache", &str)) {
    if (!*str) return fail(c, st, "rtl_check.cache must be a directory name");
    resolve_path(c->path, str, r->cache, sizeof r->cache);
  }
  return MPB_OK;
}

/* model_eval = { model; tokens; ctx; chunks; offset; numerics; metric; max; } */
static mpb_status parse_model_eval(ctx *c, config_setting_t *st, sweep_spec *s) {
  static const char *const known[] = {"model", "tokens", "ctx", "chunks", "offset",
                                      "numerics", "metric", "max", NULL};
  sweep_lm *l = &s->lm;
  if (!config_setting_is_group(st))
    return fail(c, st, "'model_eval' must be a group { model; tokens; ctx; chunks; offset; "
                "numerics; metric; max; }");
  mpb_status kr = check_known(c, st, "model_eval", known);
  if (kr) return kr;
  const char *str;
  l->on = true;
  if (!config_setting_lookup_string(st, "model", &str) || !*str)
    return fail(c, st, "model_eval.model must name a GGUF file");
  resolve_path(c->path, str, l->model, sizeof l->model);
  if (!is_regular(l->model))
    return fail(c, st, "model_eval.model: cannot read %s (run `make models`)", l->model);
  if (!config_setting_lookup_string(st, "tokens", &str) || !*str)
    return fail(c, st, "model_eval.tokens must name a token-id file");
  resolve_path(c->path, str, l->tokens, sizeof l->tokens);
  if (!is_regular(l->tokens)) return fail(c, st, "model_eval.tokens: cannot read %s", l->tokens);
  long long v = 64;
  config_setting_t *e = config_setting_get_member(st, "ctx");
  if (e && (!is_number(e) || (v = (long long)number_of(e)) < 4 || v > 8192))
    return fail(c, e, "model_eval.ctx must be an integer in [4, 8192]");
  l->ctx = (int)v;
  v = 1;
  e = config_setting_get_member(st, "chunks");
  if (e && (!is_number(e) || (v = (long long)number_of(e)) < 1 || v > 1024))
    return fail(c, e, "model_eval.chunks must be an integer in [1, 1024]");
  l->chunks = (int)v;
  l->offset = 0;
  e = config_setting_get_member(st, "offset");
  if (e) {
    const char *os = config_setting_get_string(e);
    char *end = NULL;
    long k = os && os[0] == '2' && os[1] == '^' ? strtol(os + 2, &end, 10) : -1;
    if (is_number(e) && number_of(e) >= 0 && number_of(e) < 4294967296.0)
      l->offset = (long long)number_of(e);
    else if (k >= 0 && k <= 31 && end && (!*end || !strcmp(end, "-n")))
      l->offset = (1LL << k) - (*end ? l->ctx : 0);
    else
      return fail(c, e, "model_eval.offset must be an integer >= 0, \"2^K\" or \"2^K-n\" "
                  "(n = ctx)");
    if (l->offset < 0) return fail(c, e, "model_eval.offset is negative");
  }
  l->metric = 2;
  return parse_objective(c, st, "model_eval", l->numerics, sizeof l->numerics,
                         "ref,rope=bridge,exp=bridge", &l->metric, sweep_lm_metric_names, 4, 3,
                         &l->max, "nats");
}

/* The datapath configuration a group gives: its "base" ("default", "patent" or a file,
 * relative to the spec) with its "set" group of overrides applied. label (may be NULL)
 * receives the base's name. */
static mpb_status parse_config(ctx *c, config_setting_t *grp, mpb_config *cfg, char *label,
                               size_t lablen) {
  const char *str;
  char msg[256];
  mpb_config_default(cfg);
  if (label) snprintf(label, lablen, "default");
  config_setting_t *base = config_setting_get_member(grp, "base");
  if (base) {
    if (!(str = config_setting_get_string(base)))
      return fail(c, base, "base must be \"default\", \"patent\" or a configuration file");
    if (!strcmp(str, "default")) {
      mpb_config_default(cfg);
    } else if (!strcmp(str, "patent")) {
      mpb_config_patent_literal(cfg);
    } else {
      char p[1024];
      resolve_path(c->path, str, p, sizeof p);
      if (!is_regular(p))
        return fail(c, base, "base configuration: %s is not a readable file (or use "
                    "\"default\" or \"patent\")", p);
      if (mpb_config_load(cfg, p, msg, sizeof msg) != MPB_OK)
        return fail(c, base, "base configuration: %s", msg);
    }
    if (label) {
      const char *sl = strrchr(str, '/');
      snprintf(label, lablen, "%s", sl ? sl + 1 : str);
    }
  }
  config_setting_t *set = config_setting_get_member(grp, "set");
  if (set) {
    if (!config_setting_is_group(set))
      return fail(c, set, "'set' must be a group { name = value; ... }");
    for (int i = 0; i < config_setting_length(set); i++) {
      config_setting_t *e = config_setting_get_elem(set, (unsigned)i);
      char text[64];
      if (config_setting_type(e) == CONFIG_TYPE_STRING)
        snprintf(text, sizeof text, "%s", config_setting_get_string(e));
      else if (is_number(e))
        snprintf(text, sizeof text, "%.17g", number_of(e));
      else
        return fail(c, e, "set.%s must be a number or a name", config_setting_name(e));
      if (mpb_config_set(cfg, config_setting_name(e), text, msg, sizeof msg) != MPB_OK)
        return fail(c, e, "set: %s", msg);
    }
  }
  return MPB_OK;
}

/* ssm_eval = { model; steps; dt_range; numerics; seed; metric; max; } */
static mpb_status parse_ssm_eval(ctx *c, config_setting_t *st, sweep_spec *s) {
  static const char *const known[] = {"model", "steps", "dt_range", "numerics", "seed",
                                      "metric", "max", NULL};
  sweep_ssm *l = &s->ssm;
  if (!config_setting_is_group(st))
    return fail(c, st, "'ssm_eval' must be a group { model; steps; dt_range; numerics; seed; "
                "metric; max; }");
  mpb_status kr = check_known(c, st, "ssm_eval", known);
  if (kr) return kr;
  const char *str;
  l->on = true;
  snprintf(l->model, sizeof l->model, "scan");
  if (config_setting_lookup_string(st, "model", &str)) {
    if (!ssm_preset_find(str)) {
      char names[128] = "";
      for (size_t i = 0, o = 0; i < ssm_preset_count(); i++)
        o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "",
                              ssm_preset_at(i)->name);
      return fail(c, config_setting_get_member(st, "model"), "ssm_eval.model = '%s' is not "
                  "one of {%s}", str, names);
    }
    snprintf(l->model, sizeof l->model, "%s", str);
  }
  const ssm_config *pc = &ssm_preset_find(l->model)->c;
  l->dt_min = pc->dt_min, l->dt_max = pc->dt_max;
  l->steps = 65536;
  config_setting_t *e = config_setting_get_member(st, "steps");
  if (e && (!is_number(e) || number_of(e) < 1 || number_of(e) > SSM_EVAL_MAX_STEPS ||
            number_of(e) != (double)(uint64_t)number_of(e)))
    return fail(c, e, "ssm_eval.steps must be an integer in [1, %u]", SSM_EVAL_MAX_STEPS);
  if (e) l->steps = (uint64_t)number_of(e);
  e = config_setting_get_member(st, "dt_range");
  if (e) {
    config_setting_t *a = config_setting_get_elem(e, 0), *b = config_setting_get_elem(e, 1);
    if (!config_setting_is_array(e) || config_setting_length(e) != 2 || !is_number(a) ||
        !is_number(b) || !(number_of(a) >= SSM_DT_LO && number_of(a) <= number_of(b) &&
                           number_of(b) <= SSM_DT_HI))
      return fail(c, e, "ssm_eval.dt_range must be [LO, HI] with %g <= LO <= HI <= %g",
                  SSM_DT_LO, SSM_DT_HI);
    l->dt_min = number_of(a), l->dt_max = number_of(b);
  }
  l->seed = 1;
  e = config_setting_get_member(st, "seed");
  if (e && (!is_number(e) || number_of(e) < 0))
    return fail(c, e, "ssm_eval.seed must be an integer >= 0");
  if (e) l->seed = (uint64_t)number_of(e);
  l->metric = 0;
  return parse_objective(c, st, "ssm_eval", l->numerics, sizeof l->numerics,
                         "ref,exp.ssm_da=bridge", &l->metric, sweep_ssm_metric_names, 3, 4,
                         &l->max, "relative error");
}

static mpb_status parse_root(ctx *c, config_t *cf, sweep_spec *s) {
  config_setting_t *root = config_root_setting(cf);
  static const char *const known[] = {"name", "base", "set", "params", "sampling", "samples",
                                      "seed", "workloads", "traces", "metrics", "goal",
                                      "energy_table", "output", "rtl_check", "model_eval",
                                      "task", "ssm_eval", NULL};
  mpb_status kr = check_known(c, root, "", known);
  if (kr) return kr;
  const char *str;
  mpb_status rc;
  /* name */
  const char *slash = strrchr(c->path, '/');
  snprintf(s->name, sizeof s->name, "%s", slash ? slash + 1 : c->path);
  char *dot = strrchr(s->name, '.');
  if (dot && dot != s->name) *dot = '\0';
  if (config_lookup_string(cf, "name", &str)) snprintf(s->name, sizeof s->name, "%s", str);
  /* seed first: positions depend on it */
  long long seed = 1;
  bool has;
  if (get_int(c, config_root_setting(cf), "seed", 0, LLONG_MAX, &seed, &has)) return MPB_EINVAL;
  s->seed = (uint64_t)seed;
  /* base configuration: "base" with the "set" overrides */
  mpb_status brc = parse_config(c, config_root_setting(cf), &s->base, NULL, 0);
  if (brc) return brc;
  /* axes */
  config_setting_t *params = config_lookup(cf, "params");
  if (!params || !config_setting_is_list(params) || config_setting_length(params) < 1)
    return fail(c, params, "'params' must be a non-empty list ( {name = ...; values = [...];} "
                "... )");
  for (int i = 0; i < config_setting_length(params); i++) {
    config_setting_t *e = config_setting_get_elem(params, (unsigned)i);
    if (!config_setting_is_group(e)) return fail(c, e, "params[%d] must be a group {...}", i);
    if ((rc = parse_axis(c, e, i, s))) return rc;
  }
  /* sampling */
  s->sampling = SWEEP_GRID;
  if (config_lookup_string(cf, "sampling", &str)) {
    if (!strcmp(str, "random"))
      s->sampling = SWEEP_RANDOM;
    else if (strcmp(str, "grid"))
      return fail(c, config_lookup(cf, "sampling"), "sampling = '%s' must be grid or random",
                  str);
  }
  long long samples = 0;
  if (get_int(c, config_root_setting(cf), "samples", 1, 1000000, &samples, &has))
    return MPB_EINVAL;
  if (!has && s->sampling == SWEEP_RANDOM) {
    return fail(c, NULL, "sampling = \"random\" needs 'samples' (number of draws)");
  }
  s->samples = (uint64_t)samples;
  /* workloads */
  config_setting_t *wls = config_lookup(cf, "workloads");
  if (!wls || !config_setting_is_list(wls) || config_setting_length(wls) < 1)
    return fail(c, wls, "'workloads' must be a non-empty list ( {name; head_dim; base; "
                "positions;} ... )");
  if (config_setting_length(wls) > SWEEP_MAX_WORKLOADS)
    return fail(c, wls, "more than %d workloads", SWEEP_MAX_WORKLOADS);
  for (int i = 0; i < config_setting_length(wls); i++) {
    config_setting_t *e = config_setting_get_elem(wls, (unsigned)i);
    if (!config_setting_is_group(e)) return fail(c, e, "workloads[%d] must be a group", i);
    s->nworkloads = i + 1;
    if ((rc = parse_workload(c, e, i, s))) return rc;
    for (int k = 0; k < i; k++)
      if (!strcmp(s->wl[k].name, s->wl[i].name))
        return fail(c, e, "workload name '%s' used twice", s->wl[i].name);
  }
  /* traces */
  config_setting_t *trs = config_lookup(cf, "traces");
  if (trs) {
    if (!config_setting_is_list(trs) || config_setting_length(trs) > SWEEP_MAX_TRACES)
      return fail(c, trs, "'traces' must be a list of at most %d groups {name; path;}",
                  SWEEP_MAX_TRACES);
    for (int i = 0; i < config_setting_length(trs); i++) {
      config_setting_t *e = config_setting_get_elem(trs, (unsigned)i);
      const char *tn, *tp;
      if (!config_setting_is_group(e) || !config_setting_lookup_string(e, "name", &tn) ||
          !config_setting_lookup_string(e, "path", &tp))
        return fail(c, e, "traces[%d] must be a group {name = \"...\"; path = \"...\";}", i);
      if (!*tn || strlen(tn) >= SWEEP_NAME_LEN ||
          strspn(tn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
              strlen(tn))
        return fail(c, e, "traces[%d]: name '%s' must be 1..63 letters, digits, _ or -", i, tn);
      sweep_trace *t = &s->tr[i];
      snprintf(t->name, sizeof t->name, "%s", tn);
      resolve_path(c->path, tp, t->path, sizeof t->path);
      if (!is_regular(t->path)) return fail(c, e, "trace %s: cannot read %s", tn, t->path);
      for (int k = 0; k < i; k++)
        if (!strcmp(s->tr[k].name, tn)) return fail(c, e, "trace name '%s' used twice", tn);
      s->ntraces = i + 1;
    }
  }
  /* metrics */
  config_setting_t *met = config_lookup(cf, "metrics");
  for (int m = 0; m < SWEEP_NMETRIC; m++) s->keep[m] = met == NULL;
  if (met) {
    if (!config_setting_is_aggregate(met))
      return fail(c, met, "'metrics' must be a list of names");
    for (int i = 0; i < config_setting_length(met); i++) {
      const char *mn = config_setting_get_string_elem(met, i);
      int found = -1;
      for (int m = 0; m < SWEEP_NMETRIC && mn; m++)
        if (!strcmp(metric_info[m].name, mn)) found = m;
      if (found < 0) {
        char list[256] = "";
        for (int m = 0; m < SWEEP_NMETRIC; m++) {
          strcat(list, metric_info[m].name);
          if (m + 1 < SWEEP_NMETRIC) strcat(list, ", ");
        }
        return fail(c, met, "metrics[%d] = '%s' is not one of {%s}", i, mn ? mn : "?", list);
      }
      s->keep[found] = true;
    }
  }
  /* goal */
  config_setting_t *g = config_lookup(cf, "goal");
  if (g) {
    if (!is_number(g) || !(number_of(g) > 0 && number_of(g) < 2))
      return fail(c, g, "goal must be a number in (0, 2) (max |cos/sin error|)");
    s->goal = number_of(g);
  }
  if (config_lookup_string(cf, "energy_table", &str)) {
    resolve_path(c->path, str, s->energy_table, sizeof s->energy_table);
    if (!is_regular(s->energy_table))
      return fail(c, config_lookup(cf, "energy_table"), "energy_table: cannot read %s",
                  s->energy_table);
  }
  config_setting_t *rtl = config_lookup(cf, "rtl_check");
  if (rtl && (rc = parse_rtl_check(c, rtl, s))) return rc;
  config_setting_t *me = config_lookup(cf, "model_eval");
  if (me && (rc = parse_model_eval(c, me, s))) return rc;
  config_setting_t *se = config_lookup(cf, "ssm_eval");
  if (se && (rc = parse_ssm_eval(c, se, s))) return rc;
  snprintf(s->output, sizeof s->output, "out/sweep-%s", s->name);
  if (config_lookup_string(cf, "output", &str)) snprintf(s->output, sizeof s->output, "%s", str);
  return hash_spec(c, s);
}

/* ---- task = "passkey" ------------------------------------------------------------------ */

/* An array setting of 1..SWEEP_PK_MAX numbers in [lo, hi]; integral if integer. */
static mpb_status pk_numbers(ctx *c, config_t *cf, const char *key, double lo, double hi,
                             bool integer, double *out, int *n, bool required) {
  config_setting_t *a = config_lookup(cf, key);
  if (!a) return required ? fail(c, NULL, "passkey: '%s' is required", key) : MPB_OK;
  if (!config_setting_is_array(a) || config_setting_length(a) < 1 ||
      config_setting_length(a) > SWEEP_PK_MAX)
    return fail(c, a, "%s must be an array of 1..%d numbers", key, SWEEP_PK_MAX);
  *n = config_setting_length(a);
  for (int i = 0; i < *n; i++) {
    config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
    double v = is_number(e) ? number_of(e) : NAN;
    if (!(v >= lo && v <= hi) || (integer && v != floor(v)))
      return fail(c, a, "%s[%d] must be %s in [%g, %g]", key, i,
                  integer ? "an integer" : "a number", lo, hi);
    for (int k = 0; k < i; k++)
      if (out[k] == v) return fail(c, a, "%s[%d] = %g appears twice", key, i, v);
    out[i] = v;
  }
  return MPB_OK;
}

static bool pk_uses_bridge(const lm_numerics_spec *n) {
  bool b = n->rope == LM_BK_BRIDGE || n->act == LM_BK_BRIDGE;
  for (int i = 0; i < LM_NEXP; i++) b |= n->exp[i] == LM_BK_BRIDGE;
  for (int i = 0; i < LM_NLIN; i++) b |= n->lin[i] == LM_BK_BRIDGE;
  return b;
}

static mpb_status pk_backend(ctx *c, config_setting_t *e, int i, sweep_spec *s) {
  static const char *const known[] = {"name", "numerics", "base", "set", NULL};
  for (int k = 0; k < config_setting_length(e); k++) {
    config_setting_t *f = config_setting_get_elem(e, (unsigned)k);
    bool ok = false;
    for (int j = 0; known[j]; j++) ok |= !strcmp(known[j], config_setting_name(f));
    if (!ok)
      return fail(c, f, "backends[%d]: unknown field '%s' (known: name, numerics, base, set)",
                  i, config_setting_name(f));
  }
  sweep_pk_backend *b = &s->pk.backend[i];
  const char *name, *num;
  if (!config_setting_lookup_string(e, "name", &name) ||
      !config_setting_lookup_string(e, "numerics", &num))
    return fail(c, e, "backends[%d] must be a group {name = \"...\"; numerics = \"...\"; "
                "[base = ...; set = {...};]}", i);
  if (!*name || strlen(name) >= SWEEP_NAME_LEN ||
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
          strlen(name))
    return fail(c, e, "backends[%d]: name '%s' must be 1..63 letters, digits, _ or -", i, name);
  for (int k = 0; k < i; k++)
    if (!strcmp(s->pk.backend[k].name, name))
      return fail(c, e, "backend name '%s' used twice", name);
  if (strlen(num) >= sizeof b->numerics)
    return fail(c, e, "backends[%d]: numerics longer than %zu characters", i, sizeof b->numerics - 1);
  snprintf(b->name, sizeof b->name, "%s", name);
  snprintf(b->numerics, sizeof b->numerics, "%s", num);
  mpb_status rc = parse_config(c, e, &b->cfg, b->label, sizeof b->label);
  if (rc) return rc;
  char msg[256];
  if (mpb_config_validate(&b->cfg, msg, sizeof msg) != MPB_OK)
    return fail(c, e, "backend %s: %s", name, msg);
  lm_numerics_spec ns;
  lm_numerics_spec_init(&ns, LM_BK_REF);
  if (lm_numerics_spec_parse(&ns, num, msg, sizeof msg))
    return fail(c, e, "backend %s: %s", name, msg);
  b->uses_bridge = pk_uses_bridge(&ns);
  return MPB_OK;
}

static mpb_status pk_hash(ctx *c, sweep_spec *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  const sweep_passkey *k = &s->pk;
  char buf[128];
  hash_str(&h, "passkey");
  hash_str(&h, MPB_VERSION);
  if (hash_file(&h, k->model)) return fail(c, NULL, "model: cannot read %s", k->model);
  if (hash_file(&h, k->filler)) return fail(c, NULL, "filler: cannot read %s", k->filler);
  snprintf(buf, sizeof buf, "%llu %d", (unsigned long long)s->seed, k->keys);
  hash_str(&h, buf);
  hash_bytes(&h, k->lengths, (size_t)k->nlengths * sizeof k->lengths[0]);
  hash_bytes(&h, k->depths, (size_t)k->ndepths * sizeof k->depths[0]);
  hash_bytes(&h, k->offsets, (size_t)k->noffsets * sizeof k->offsets[0]);
  for (int i = 0; i < k->nbackends; i++) {
    hash_str(&h, k->backend[i].name);
    hash_str(&h, k->backend[i].numerics);
    for (size_t p = 0; p < mpb_param_count(); p++) {
      mpb_param_format(&k->backend[i].cfg, p, buf, sizeof buf);
      hash_str(&h, buf);
    }
  }
  s->hash = h;
  return MPB_OK;
}

static mpb_status parse_passkey(ctx *c, config_t *cf, sweep_spec *s) {
  config_setting_t *root = config_root_setting(cf);
  static const char *const known[] = {"task", "name", "model", "filler", "seed", "keys",
                                      "lengths", "depths", "offsets", "backends", "output", NULL};
  mpb_status kr = check_known(c, root, "passkey spec", known);
  if (kr) return kr;
  sweep_passkey *k = &s->pk;
  s->task = SWEEP_TASK_PASSKEY;
  const char *str;
  const char *slash = strrchr(c->path, '/');
  snprintf(s->name, sizeof s->name, "%s", slash ? slash + 1 : c->path);
  char *dot = strrchr(s->name, '.');
  if (dot && dot != s->name) *dot = '\0';
  if (config_lookup_string(cf, "name", &str)) snprintf(s->name, sizeof s->name, "%s", str);
  static const char *const files[2] = {"model", "filler"};
  char *dst[2] = {k->model, k->filler};
  for (int f = 0; f < 2; f++) {
    if (!config_lookup_string(cf, files[f], &str))
      return fail(c, NULL, "passkey: '%s' (a file, relative to the spec) is required", files[f]);
    resolve_path(c->path, str, dst[f], sizeof k->model);
    if (!is_regular(dst[f]))
      return fail(c, config_lookup(cf, files[f]), "%s: cannot read %s%s", files[f], dst[f],
                  f == 0 ? " (run `make models`)" : "");
  }
  long long seed = 1;
  config_lookup_int64(cf, "seed", &seed);
  if (seed < 0) return fail(c, config_lookup(cf, "seed"), "seed = %lld must be >= 0", seed);
  s->seed = (uint64_t)seed;
  k->keys = 3;
  config_setting_t *ks = config_lookup(cf, "keys");
  if (ks) {
    if (config_setting_type(ks) != CONFIG_TYPE_INT || config_setting_get_int(ks) < 1 ||
        config_setting_get_int(ks) > LM_PASSKEY_MAX_KEYS)
      return fail(c, ks, "keys must be an integer in [1, %d]", LM_PASSKEY_MAX_KEYS);
    k->keys = config_setting_get_int(ks);
  }
  double v[SWEEP_PK_MAX];
  mpb_status rc = pk_numbers(c, cf, "lengths", 64, 1 << 20, true, v, &k->nlengths, true);
  for (int i = 0; !rc && i < k->nlengths; i++) k->lengths[i] = (int)v[i];
  if (!rc) rc = pk_numbers(c, cf, "depths", 0, 1, false, k->depths, &k->ndepths, true);
  k->noffsets = 1, v[0] = 0;
  if (!rc) rc = pk_numbers(c, cf, "offsets", 0, 2147483648.0, true, v, &k->noffsets, false);
  for (int i = 0; !rc && i < k->noffsets; i++) k->offsets[i] = (int64_t)v[i];
  if (rc) return rc;
  config_setting_t *bs = config_lookup(cf, "backends");
  if (!bs || !config_setting_is_list(bs) || config_setting_length(bs) < 1 ||
      config_setting_length(bs) > SWEEP_PK_MAX)
    return fail(c, bs, "'backends' must be a list of 1..%d groups {name; numerics; [base; "
                "set;]}", SWEEP_PK_MAX);
  for (int i = 0; i < config_setting_length(bs); i++) {
    config_setting_t *e = config_setting_get_elem(bs, (unsigned)i);
    if (!config_setting_is_group(e)) return fail(c, e, "backends[%d] must be a group", i);
    k->nbackends = i + 1;
    if ((rc = pk_backend(c, e, i, s))) return rc;
  }
  s->base = k->backend[0].cfg;
  snprintf(s->output, sizeof s->output, "out/sweep-%s", s->name);
  if (config_lookup_string(cf, "output", &str)) snprintf(s->output, sizeof s->output, "%s", str);
  return pk_hash(c, s);
}

mpb_status sweep_spec_load(sweep_spec *s, const char *path, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  snprintf(s->path, sizeof s->path, "%s", path);
  ctx c = {path, err, errlen};
  config_t cf;
  config_init(&cf);
  mpb_status st = mpb_cfg_read_file(&cf, path, err, errlen);
  if (st != MPB_OK) {
    config_destroy(&cf);
    return st;
  }
  const char *task = "datapath";
  config_lookup_string(&cf, "task", &task);
  mpb_status rc = !strcmp(task, "passkey") ? parse_passkey(&c, &cf, s)
                  : !strcmp(task, "datapath")
                      ? parse_root(&c, &cf, s)
                      : fail(&c, config_lookup(&cf, "task"), "task = '%s' must be datapath or passkey", task);
  config_destroy(&cf);
  if (rc) sweep_spec_free(s);
  return rc;
}

void sweep_spec_free(sweep_spec *s) {
  for (int k = 0; k < SWEEP_MAX_WORKLOADS; k++) {
    free(s->wl[k].positions);
    s->wl[k].positions = NULL;
    s->wl[k].npositions = 0;
  }
}
