/* report_rtl.c — the report's RTL toggle cross-check (docs/report-schema.md §RTL
 * toggles): reads the per-unit toggle files the Verilated RTL writes (sim/toggles/), at
 * most one per unit, and puts beside each block's RTL count the C model's count on the
 * same reference stimulus (mpb_energy_reference of the file's unit, n and seed). */
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "report.h"
#include "errbuf.h"


static const char *const unit_names[MPB_REPORT_NRTL] = {"rope", "exp", "dot"};

/* The unit index of a name (mpb_unit order), or -1. */
static int find_unit(const char *name) {
  for (int u = 0; u < MPB_REPORT_NRTL; u++)
    if (name && !strcmp(name, unit_names[u])) return u;
  return -1;
}

int mpb_rtl_toggles_load(const char *path, mpb_rtl_toggles *t, char *err, size_t n) {
  memset(t, 0, sizeof *t);
  for (int b = 0; b < MPB_NBLK; b++) t->toggles[b] = -1;
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) {
    set_err(err, n, "%s:%d: %s", path, je.line, je.text);
    return -1;
  }
  int rc = -1;
  const char *unit = json_string_value(json_object_get(root, "unit"));
  json_t *st = json_object_get(root, "stimulus");
  json_t *blocks = json_object_get(root, "blocks");
  json_t *seed = st ? json_object_get(st, "seed") : NULL;
  json_t *cnt = st ? json_object_get(st, "n") : NULL;
  if (find_unit(unit) < 0) {
    set_err(err, n, "%s: field \"unit\" must be \"rope\", \"exp\" or \"dot\"", path);
    goto out;
  }
  if (!json_is_integer(seed) || json_integer_value(seed) < 0 || !json_is_integer(cnt) ||
      json_integer_value(cnt) < 1 || json_integer_value(cnt) > 100000000) {
    set_err(err, n, "%s: field \"stimulus\" needs integers \"seed\" >= 0 and \"n\" in [1, 1e8]",
            path);
    goto out;
  }
  if (!json_is_object(blocks)) {
    set_err(err, n, "%s: field \"blocks\" must be an object of block name -> toggles", path);
    goto out;
  }
  const char *key;
  json_t *val;
  json_object_foreach(blocks, key, val) {
    int b = 0;
    while (b < MPB_NBLK && strcmp(key, mpb_block_name((mpb_block)b))) b++;
    if (b == MPB_NBLK) {
      set_err(err, n, "%s: field \"blocks.%s\": unknown block (expected mac8, pack16, loglut, "
                      "range, horner, rotate, pipe)", path, key);
      goto out;
    }
    if (!json_is_number(val) || json_number_value(val) < 0) {
      set_err(err, n, "%s: field \"blocks.%s\" must be a number >= 0", path, key);
      goto out;
    }
    t->toggles[b] = json_number_value(val);
  }
  snprintf(t->unit, sizeof t->unit, "%s", unit);
  t->seed = (uint64_t)json_integer_value(seed);
  t->n = (uint64_t)json_integer_value(cnt);
  const char *src = json_string_value(json_object_get(root, "source"));
  snprintf(t->source, sizeof t->source, "%s", src ? src : path);
  rc = 0;
out:
  json_decref(root);
  return rc;
}

int mpb_rtl_toggles_load_set(const char *const *paths, size_t n, mpb_rtl_toggles *t,
                             char *err, size_t en) {
  const char *by_unit[MPB_REPORT_NRTL] = {NULL, NULL, NULL};
  mpb_rtl_toggles got[MPB_REPORT_NRTL];
  for (size_t i = 0; i < n; i++) {
    mpb_rtl_toggles one;
    if (mpb_rtl_toggles_load(paths[i], &one, err, en)) return MPB_RTL_EFILE;
    int u = find_unit(one.unit);
    if (by_unit[u]) {
      set_err(err, en, "--rtl-toggles: two files of unit %s: %s and %s (one file per unit)",
              one.unit, by_unit[u], paths[i]);
      return MPB_RTL_EDUP;
    }
    by_unit[u] = paths[i]; /* so with n > MPB_REPORT_NRTL some unit comes twice */
    got[u] = one;
  }
  size_t k = 0;
  for (int u = 0; u < MPB_REPORT_NRTL; u++)
    if (by_unit[u]) t[k++] = got[u];
  return 0;
}

bool mpb_report_rtl_agrees(const mpb_report_rtl *u, int block) {
  return u->rtl[block] >= 0 && u->rtl[block] == u->model[block];
}

int mpb_report_add_rtl(mpb_report *r, const mpb_model *mdl, const char *const *paths,
                       size_t n, char *err, size_t en) {
  mpb_rtl_toggles t[MPB_REPORT_NRTL];
  if (mpb_rtl_toggles_load_set(paths, n, t, err, en)) return -1;
  r->n_rtl = n;
  r->rtl_blocks = r->rtl_differ = 0;
  for (size_t i = 0; i < n; i++) {
    mpb_report_rtl *u = &r->rtl[i];
    memset(u, 0, sizeof *u);
    mpb_counts c;
    mpb_energy_reference(mdl, (mpb_unit)find_unit(t[i].unit), (size_t)t[i].n, t[i].seed, &c);
    snprintf(u->unit, sizeof u->unit, "%.15s", t[i].unit);
    snprintf(u->source, sizeof u->source, "%.160s (%.15s, seed %llu)", t[i].source, t[i].unit,
             (unsigned long long)t[i].seed);
    u->ops = t[i].n;
    u->seed = t[i].seed;
    for (int b = 0; b < MPB_NBLK; b++) {
      u->rtl[b] = t[i].toggles[b];
      u->model[b] = (double)c.blk[b].toggles;
      if (u->rtl[b] < 0) continue;
      u->nblocks++;
      u->ndiffer += !mpb_report_rtl_agrees(u, b);
    }
    r->rtl_blocks += u->nblocks;
    r->rtl_differ += u->ndiffer;
  }
  return 0;
}
