/* cli_model.c — parsing of the configuration and geometry options shared by commands. */
#include "cli_model.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
  const char *name;
  int head_dim;
  double base;
} geo_preset;

static const geo_preset geo_presets[] = {
    {"llama3", 128, 500000.0},  /* Llama 3 8B: head_dim 128, rope_theta 500000   */
    {"smollm2", 64, 100000.0},  /* SmolLM2-135M: head_dim 64, rope_theta 100000  */
};

void cli_model_init(cli_model_opts *o) {
  memset(o, 0, sizeof *o);
  o->geo = (mpb_geometry){128, 500000.0, MPB_PAIR_HALF};
  snprintf(o->geo_name, sizeof o->geo_name, "llama3");
}

static cli_design *new_design(cli_model_opts *o, const char *cmd, const char *label) {
  if (o->ndesigns == CLI_MAX_DESIGNS) {
    fprintf(stderr, "mpbsim %s: at most %d designs per run\n", cmd, CLI_MAX_DESIGNS);
    return NULL;
  }
  cli_design *d = &o->design[o->ndesigns++];
  snprintf(d->label, sizeof d->label, "%s", label);
  return d;
}

int cli_model_option(cli_model_opts *o, const char *cmd, int c, const char *arg) {
  char err[512];
  switch (c) {
  case 1000: {
    cli_design *d;
    if (strcmp(arg, "default") && strcmp(arg, "patent")) {
      fprintf(stderr, "mpbsim %s: option --preset: '%s' is not one of {default, patent}\n",
              cmd, arg);
      return MPB_EXIT_USAGE;
    }
    if (!(d = new_design(o, cmd, arg))) return MPB_EXIT_USAGE;
    if (!strcmp(arg, "default"))
      mpb_config_default(&d->cfg);
    else
      mpb_config_patent_literal(&d->cfg);
    return 0;
  }
  case 1001: {
    const char *base = strrchr(arg, '/');
    char label[64];
    snprintf(label, sizeof label, "%s", base ? base + 1 : arg);
    char *dot = strrchr(label, '.');
    if (dot && dot != label) *dot = '\0';
    cli_design *d = new_design(o, cmd, label);
    if (!d) return MPB_EXIT_USAGE;
    mpb_config_default(&d->cfg);
    mpb_status st = mpb_config_load(&d->cfg, arg, err, sizeof err);
    if (st != MPB_OK) {
      fprintf(stderr, "mpbsim %s: %s\n", cmd, err);
      return st == MPB_EIO ? MPB_EXIT_IO : MPB_EXIT_INPUT;
    }
    return 0;
  }
  case 1002: {
    char name[64];
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name) {
      fprintf(stderr, "mpbsim %s: option --set: '%s' is not NAME=VALUE\n", cmd, arg);
      return MPB_EXIT_USAGE;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    if (o->ndesigns == 0) {
      cli_design *d = new_design(o, cmd, "default");
      mpb_config_default(&d->cfg);
    }
    cli_design *d = &o->design[o->ndesigns - 1];
    if (mpb_config_set(&d->cfg, name, eq + 1, err, sizeof err) != MPB_OK) {
      fprintf(stderr, "mpbsim %s: option --set: %s\n", cmd, err);
      return MPB_EXIT_USAGE;
    }
    size_t n = strlen(d->label);
    if (n + strlen(arg) + 2 < sizeof d->label) snprintf(d->label + n, sizeof d->label - n, ",%s", arg);
    return 0;
  }
  case 1003:
    for (size_t i = 0; i < sizeof geo_presets / sizeof geo_presets[0]; i++)
      if (!strcmp(arg, geo_presets[i].name)) {
        o->geo.head_dim = geo_presets[i].head_dim;
        o->geo.base = geo_presets[i].base;
        snprintf(o->geo_name, sizeof o->geo_name, "%s", arg);
        return 0;
      }
    fprintf(stderr, "mpbsim %s: option --geometry: '%s' is not one of {llama3, smollm2}\n",
            cmd, arg);
    return MPB_EXIT_USAGE;
  case 1004: {
    long v;
    if (cli_parse_long(cmd, "head-dim", arg, 2, 1024, &v)) return MPB_EXIT_USAGE;
    o->geo.head_dim = (int)v;
    snprintf(o->geo_name, sizeof o->geo_name, "custom");
    return 0;
  }
  case 1005: {
    double v;
    if (cli_parse_double(cmd, "base", arg, 1.0000001, 1e9, &v)) return MPB_EXIT_USAGE;
    o->geo.base = v;
    snprintf(o->geo_name, sizeof o->geo_name, "custom");
    return 0;
  }
  case 1006:
    if (!strcmp(arg, "interleaved"))
      o->geo.pairing = MPB_PAIR_INTERLEAVED;
    else if (!strcmp(arg, "half"))
      o->geo.pairing = MPB_PAIR_HALF;
    else {
      fprintf(stderr, "mpbsim %s: option --pairing: '%s' is not one of {interleaved, half}\n",
              cmd, arg);
      return MPB_EXIT_USAGE;
    }
    return 0;
  }
  fprintf(stderr, "mpbsim %s: internal error: unknown model option %d\n", cmd, c);
  return MPB_EXIT_USAGE;
}

int cli_model_finish(cli_model_opts *o, const char *cmd, bool allow_many) {
  char err[512];
  if (o->ndesigns == 0) {
    cli_design *d = new_design(o, cmd, "default");
    mpb_config_default(&d->cfg);
  }
  if (!allow_many && o->ndesigns > 1) {
    fprintf(stderr, "mpbsim %s: give one configuration (--preset or --config), not %d\n", cmd,
            o->ndesigns);
    return MPB_EXIT_USAGE;
  }
  for (int i = 0; i < o->ndesigns; i++) {
    if (mpb_config_validate(&o->design[i].cfg, err, sizeof err) != MPB_OK ||
        mpb_geometry_validate(&o->geo, &o->design[i].cfg, err, sizeof err) != MPB_OK) {
      fprintf(stderr, "mpbsim %s: design '%s': %s\n", cmd, o->design[i].label, err);
      return MPB_EXIT_INPUT;
    }
  }
  return 0;
}

mpb_model *cli_model_build(const cli_model_opts *o, int i, const char *cmd) {
  char err[512];
  mpb_model *m = mpb_model_new(&o->design[i].cfg, &o->geo, err, sizeof err);
  if (!m) fprintf(stderr, "mpbsim %s: design '%s': %s\n", cmd, o->design[i].label, err);
  return m;
}
