/* config.c — the datapath parameters: one table of names, ranges and defaults from which
 * defaults, validation, setting by name, libconfig file loading and writing all derive.
 * The same table is documented in docs/architecture.md §3. */
#include <libconfig.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_read.h"
#include "internal.h"

typedef enum { PT_INT, PT_ENUM, PT_DOUBLE } ptype;

typedef struct {
  mpb_param_info info;
  ptype type;
  size_t off;
} param;

static const char *const phi_names[] = {"exact", "logadd", NULL};
static const char *const round_names[] = {"trunc", "nearest", "even", NULL};
static const char *const ovf_names[] = {"wrap", "sat", NULL};

#define P_INT(f, lo, hi, def, doc) {{#f, doc, lo, hi, def, NULL}, PT_INT, offsetof(mpb_config, f)}
#define P_ENUM(f, names, def, doc) {{#f, doc, 0, 0, def, names}, PT_ENUM, offsetof(mpb_config, f)}

static const param params[] = {
    P_ENUM(phi_mode, phi_names, MPB_PHI_EXACT, "how phi is formed: exact position product or LOG-ADD"),
    P_INT(pos_bits, 8, 24, 20, "M: position width"),
    P_INT(pair_bits, 1, 10, 7, "JB: pair-index width (table depth 2^JB)"),
    P_INT(freq_frac_bits, 16, 56, 40, "FT: fraction bits of t_j = theta_j/2pi and of the phase"),
    P_INT(cs_table_bits, 2, 10, 6, "S: cos/sin table entries per quarter turn = 2^S"),
    P_INT(exp_table_bits, 0, 10, 4, "H: 2^(k/2^H) table entries = 2^H"),
    P_INT(horner_order, 1, MPB_MAX_ORDER, 3, "N: Taylor order of the Horner units"),
    P_INT(horner_width, 17, 32, 24, "W: Horner word width, signed Q2.(W-2)"),
    P_INT(cs_bits, 8, 24, 16, "CW: cos/sin output width, signed Q1.(CW-1)"),
    P_INT(x_bits, 8, 16, 8, "XW: rotate input width, 8 or 16"),
    P_INT(rot_frac_bits, 0, 15, 7, "OF: fraction bits of the rotated output"),
    P_ENUM(rounding, round_names, MPB_ROUND_NEAREST, "rounding of every narrowing step"),
    P_INT(log_word_bits, 12, 48, 40, "LW: LOG-ADD log word, signed Q6.(LW-6)"),
    P_INT(log_mant_bits, 1, 16, 10, "T: LOG-ADD log2(1+f) table entries = 2^T"),
    P_INT(acc_bits, 16, 48, 32, "A: MAC8 accumulator width"),
    P_ENUM(acc_overflow, ovf_names, MPB_OVF_WRAP, "MAC8 accumulator overflow: wrap or sat"),
    P_INT(promote_interval, 0, 65536, 0, "P: products between promotions (0 = never)"),
    P_INT(mac_lanes, 1, 64, 8, "L: MAC8 lanes of the dot unit"),
    {{"clock_mhz", "clock frequency for power figures, MHz", 1, 10000, 1000, NULL}, PT_DOUBLE,
     offsetof(mpb_config, clock_mhz)},
};
#define NPARAMS (sizeof params / sizeof params[0])

size_t mpb_param_count(void) { return NPARAMS; }
const mpb_param_info *mpb_param_get(size_t i) { return i < NPARAMS ? &params[i].info : NULL; }

static int *int_field(mpb_config *cfg, const param *p) { return (int *)((char *)cfg + p->off); }
static long get_value(const mpb_config *cfg, const param *p) {
  const char *base = (const char *)cfg + p->off;
  if (p->type == PT_DOUBLE) return (long)*(const double *)base;
  if (p->type == PT_ENUM) return (long)*(const int *)base; /* enums are int-sized */
  return *(const int *)base;
}

void mpb_config_default(mpb_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  for (size_t i = 0; i < NPARAMS; i++) {
    const param *p = &params[i];
    if (p->type == PT_DOUBLE)
      *(double *)((char *)cfg + p->off) = (double)p->info.def;
    else
      *int_field(cfg, p) = (int)p->info.def;
  }
}

void mpb_config_patent_literal(mpb_config *cfg) {
  mpb_config_default(cfg);
  cfg->phi_mode = MPB_PHI_LOGADD;
  cfg->log_word_bits = 16;
  cfg->horner_order = 3;
}

static int n_choices(const param *p) {
  int n = 0;
  while (p->info.choices[n]) n++;
  return n;
}

static mpb_status range_error(const param *p, const char *value, char *err, size_t n) {
  if (p->type == PT_ENUM) {
    char list[128] = "";
    for (int k = 0; p->info.choices[k]; k++) {
      strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
      strncat(list, p->info.choices[k], sizeof list - strlen(list) - 1);
    }
    snprintf(err, n, "parameter %s = %s is not one of {%s}", p->info.name, value, list);
  } else {
    snprintf(err, n, "parameter %s = %s is out of range [%ld, %ld]", p->info.name, value,
             p->info.lo, p->info.hi);
  }
  return MPB_EINVAL;
}

mpb_status mpb_config_validate(const mpb_config *cfg, char *err, size_t n) {
  char buf[64];
  for (size_t i = 0; i < NPARAMS; i++) {
    const param *p = &params[i];
    if (p->type == PT_DOUBLE) {
      double v = *(const double *)((const char *)cfg + p->off);
      if (!(v >= p->info.lo && v <= p->info.hi)) {
        snprintf(buf, sizeof buf, "%g", v);
        return range_error(p, buf, err, n);
      }
      continue;
    }
    long v = get_value(cfg, p);
    long hi = p->type == PT_ENUM ? n_choices(p) - 1 : p->info.hi;
    if (v < p->info.lo || v > hi) {
      snprintf(buf, sizeof buf, "%ld", v);
      return range_error(p, buf, err, n);
    }
  }
  if (cfg->x_bits != 8 && cfg->x_bits != 16) {
    snprintf(err, n, "parameter x_bits = %d must be 8 or 16", cfg->x_bits);
    return MPB_EINVAL;
  }
  if (cfg->horner_width < cfg->cs_bits + 1) {
    snprintf(err, n, "horner_width = %d must be >= cs_bits + 1 = %d", cfg->horner_width,
             cfg->cs_bits + 1);
    return MPB_EINVAL;
  }
  if (cfg->rot_frac_bits > cfg->cs_bits - 1) {
    snprintf(err, n, "rot_frac_bits = %d must be <= cs_bits - 1 = %d", cfg->rot_frac_bits,
             cfg->cs_bits - 1);
    return MPB_EINVAL;
  }
  if (cfg->phi_mode == MPB_PHI_LOGADD && cfg->log_word_bits - 6 < cfg->exp_table_bits) {
    snprintf(err, n, "log_word_bits - 6 = %d must be >= exp_table_bits = %d in logadd mode",
             cfg->log_word_bits - 6, cfg->exp_table_bits);
    return MPB_EINVAL;
  }
  if (cfg->promote_interval % cfg->mac_lanes != 0) {
    snprintf(err, n, "promote_interval = %d must be 0 or a multiple of mac_lanes = %d",
             cfg->promote_interval, cfg->mac_lanes);
    return MPB_EINVAL;
  }
  return MPB_OK;
}

static const param *find_param(const char *name) {
  for (size_t i = 0; i < NPARAMS; i++)
    if (!strcmp(params[i].info.name, name)) return &params[i];
  return NULL;
}

/* Set a parameter from text, checking its own range (not the cross constraints). */
static mpb_status set_param(mpb_config *cfg, const param *p, const char *value, char *err,
                            size_t n) {
  if (p->type == PT_ENUM) {
    for (int k = 0; p->info.choices[k]; k++)
      if (!strcmp(p->info.choices[k], value)) {
        *int_field(cfg, p) = k;
        return MPB_OK;
      }
    return range_error(p, value, err, n);
  }
  char *end;
  if (p->type == PT_DOUBLE) {
    double v = strtod(value, &end);
    if (end == value || *end || !(v >= p->info.lo && v <= p->info.hi))
      return range_error(p, value, err, n);
    *(double *)((char *)cfg + p->off) = v;
    return MPB_OK;
  }
  long v = strtol(value, &end, 10);
  if (end == value || *end || v < p->info.lo || v > p->info.hi)
    return range_error(p, value, err, n);
  *int_field(cfg, p) = (int)v;
  return MPB_OK;
}

mpb_status mpb_config_set(mpb_config *cfg, const char *name, const char *value, char *err,
                          size_t n) {
  const param *p = find_param(name);
  if (!p) {
    snprintf(err, n, "unknown parameter '%s'", name);
    return MPB_EINVAL;
  }
  return set_param(cfg, p, value, err, n);
}

mpb_status mpb_config_load(mpb_config *cfg, const char *path, char *err, size_t n) {
  config_t cf;
  config_init(&cf);
  mpb_status st = mpb_cfg_read_file(&cf, path, err, n);
  if (st != MPB_OK) {
    config_destroy(&cf);
    return st;
  }
  config_setting_t *root = config_root_setting(&cf);
  for (int i = 0; i < config_setting_length(root) && st == MPB_OK; i++) {
    config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
    const char *name = config_setting_name(s);
    int line = config_setting_source_line(s);
    const param *p = find_param(name);
    char msg[256], val[64];
    if (!p) {
      snprintf(err, n, "%s:%d: unknown parameter '%s'", path, line, name);
      st = MPB_EINVAL;
      break;
    }
    int type = config_setting_type(s);
    if (p->type == PT_ENUM && type == CONFIG_TYPE_STRING) {
      snprintf(val, sizeof val, "%s", config_setting_get_string(s));
    } else if (p->type != PT_ENUM && (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)) {
      snprintf(val, sizeof val, "%lld", config_setting_get_int64(s));
    } else if (p->type == PT_DOUBLE && type == CONFIG_TYPE_FLOAT) {
      snprintf(val, sizeof val, "%.17g", config_setting_get_float(s));
    } else {
      snprintf(err, n, "%s:%d: parameter %s must be %s", path, line, name,
               p->type == PT_ENUM ? "a quoted name" : "a number");
      st = MPB_EINVAL;
      break;
    }
    if (set_param(cfg, p, val, msg, sizeof msg) != MPB_OK) {
      snprintf(err, n, "%s:%d: %s", path, line, msg);
      st = MPB_EINVAL;
    }
  }
  config_destroy(&cf);
  if (st == MPB_OK) {
    char msg[256];
    if (mpb_config_validate(cfg, msg, sizeof msg) != MPB_OK) {
      snprintf(err, n, "%s: %s", path, msg);
      st = MPB_EINVAL;
    }
  }
  return st;
}

void mpb_param_format(const mpb_config *cfg, size_t i, char *buf, size_t len) {
  if (i >= NPARAMS) {
    snprintf(buf, len, "?");
    return;
  }
  const param *p = &params[i];
  if (p->type == PT_DOUBLE)
    snprintf(buf, len, "%.10g", *(const double *)((const char *)cfg + p->off));
  else if (p->type == PT_ENUM)
    snprintf(buf, len, "%s", p->info.choices[get_value(cfg, p)]);
  else
    snprintf(buf, len, "%ld", get_value(cfg, p));
}

int mpb_config_write(const mpb_config *cfg, FILE *f) {
  char buf[64];
  for (size_t i = 0; i < NPARAMS; i++) {
    const param *p = &params[i];
    mpb_param_format(cfg, i, buf, sizeof buf);
    char val[80];
    if (p->type == PT_ENUM)
      snprintf(val, sizeof val, "\"%s\";", buf);
    else if (p->type == PT_DOUBLE)
      snprintf(val, sizeof val, "%s%s;", buf, strpbrk(buf, ".e") ? "" : ".0");
    else
      snprintf(val, sizeof val, "%s;", buf);
    fprintf(f, "%-17s = %-11s # %s\n", p->info.name, val, p->info.doc);
  }
  return ferror(f) ? -1 : 0;
}
