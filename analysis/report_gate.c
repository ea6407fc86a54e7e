/* report_gate.c — the report's gate-level reconciliation (docs/energy.md §9): reads the
 * JSON files `mpbsim gate` writes (schema "mpbsim-gate-1", one per configuration) into
 * mpb_report_gate. The numbers are computed by the gate flow (analysis/gate_*.c); here
 * they are only checked and kept for the writers. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_file.h"
#include "errbuf.h"
#include "report.h"

static int get_num(json_t *o, const char *key, const char *path, const char *where,
                   double *out, char *err, size_t n) {
  json_t *v = json_object_get(o, key);
  if (!json_is_number(v))
    return fail(err, n, "%s: field \"%s%s\" is missing or not a number", path, where, key);
  *out = json_number_value(v);
  return 0;
}

static int get_side(json_t *u, const char *key, const char *path, const char *unit,
                    mpb_report_gate_side *s, char *err, size_t n) {
  char where[64];
  snprintf(where, sizeof where, "units.%s.%s.", unit, key);
  json_t *o = json_object_get(u, key);
  if (!json_is_object(o))
    return fail(err, n, "%s: field \"units.%s.%s\" must be an object", path, unit, key);
  if (get_num(o, "total_pj", path, where, &s->total_pj, err, n) ||
      get_num(o, "dynamic_pj", path, where, &s->dynamic_pj, err, n) ||
      get_num(o, "clock_pj", path, where, &s->clock_pj, err, n) ||
      get_num(o, "leak_pj", path, where, &s->leak_pj, err, n))
    return -1;
  for (int b = 0; b < MPB_NBLK; b++) s->blk[b] = -1;
  json_t *bl = json_object_get(o, "blocks");
  const char *name;
  json_t *v;
  json_object_foreach(bl, name, v) {
    int b = 0;
    while (b < MPB_NBLK && strcmp(name, mpb_block_name((mpb_block)b))) b++;
    if (b == MPB_NBLK || !json_is_number(v))
      return fail(err, n, "%s: field \"%sblocks.%s\": unknown block or not a number", path,
                  where, name);
    s->blk[b] = json_number_value(v);
  }
  return 0;
}

int mpb_report_gate_load(const char *path, mpb_report_gate *g, char *err, size_t n) {
  memset(g, 0, sizeof *g);
  json_t *root = json_file_load(path, "mpbsim-gate-1", "a file of `mpbsim gate run`", err, n);
  if (!root) return -1;
  int rc = -1;
  const char *cfg = json_string_value(json_object_get(root, "config"));
  const char *lib = json_string_value(json_object_get(root, "library"));
  const char *src = json_string_value(json_object_get(root, "source"));
  snprintf(g->config, sizeof g->config, "%s", cfg ? cfg : "?");
  snprintf(g->library, sizeof g->library, "%s", lib ? lib : "?");
  snprintf(g->source, sizeof g->source, "%s", src ? src : path);
  double seed = 0;
  if (get_num(root, "node_nm", path, "", &g->node_nm, err, n) ||
      get_num(root, "vdd", path, "", &g->vdd, err, n) ||
      get_num(root, "scale_to_45nm", path, "", &g->scale_45, err, n) ||
      get_num(root, "critical_path_ns", path, "", &g->crit_ns, err, n) ||
      get_num(root, "fmax_mhz", path, "", &g->fmax_mhz, err, n) ||
      get_num(root, "fmax_45nm_mhz", path, "", &g->fmax_45_mhz, err, n) ||
      get_num(root, "opensta_report_power_w", path, "", &g->sta_power_w, err, n) ||
      get_num(json_object_get(root, "stimulus"), "seed", path, "stimulus.", &seed, err, n))
    goto out;
  g->seed = (uint64_t)seed;
  json_t *units = json_object_get(root, "units");
  if (!json_is_object(units) || !json_object_size(units)) {
    set_err(err, n, "%s: field \"units\" must be an object of rope / exp / dot", path);
    goto out;
  }
  static const char *const order[3] = {"rope", "exp", "dot"};
  for (int k = 0; k < 3; k++) {
    json_t *u = json_object_get(units, order[k]);
    if (!u) continue;
    mpb_report_gate_unit *gu = &g->unit[g->nunits++];
    char where[32];
    snprintf(where, sizeof where, "units.%s.", order[k]);
    snprintf(gu->unit, sizeof gu->unit, "%s", order[k]);
    const char *per = json_string_value(json_object_get(u, "per"));
    snprintf(gu->per, sizeof gu->per, "%s", per ? per : "op");
    if (get_num(u, "ops", path, where, &gu->ops, err, n) ||
        get_num(u, "cycles", path, where, &gu->cycles, err, n) ||
        get_num(u, "cells", path, where, &gu->cells, err, n) ||
        get_num(u, "area_um2", path, where, &gu->area_um2, err, n) ||
        get_num(u, "gate_45nm_pj", path, where, &gu->gate_45_pj, err, n) ||
        get_num(u, "model_45nm_pj", path, where, &gu->model_45_pj, err, n) ||
        get_side(u, "gate", path, order[k], &gu->gate, err, n) ||
        get_side(u, "action", path, order[k], &gu->action, err, n))
      goto out;
  }
  rc = 0;
out:
  json_decref(root);
  return rc;
}

int mpb_report_add_gate(mpb_report *r, const char *const *paths, size_t n, char *err,
                        size_t en) {
  r->gate = calloc(n ? n : 1, sizeof *r->gate);
  if (!r->gate) return fail(err, en, "out of memory");
  for (size_t i = 0; i < n; i++)
    if (mpb_report_gate_load(paths[i], &r->gate[i], err, en)) return -1;
  r->n_gate = n;
  return 0;
}
