/* sweep_points.c — the points of a sweep: grid indices (mixed radix over the axes),
 * their configurations, grid or seeded random sampling, and pruning of invalid
 * combinations with mpb_config_validate / mpb_geometry_validate; for the passkey task
 * the cells and their pruning (bridge positions beyond pos_bits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

uint64_t sweep_grid_size(const sweep_spec *s) {
  if (s->task == SWEEP_TASK_PASSKEY)
    return (uint64_t)s->pk.nbackends * (uint64_t)s->pk.nlengths * (uint64_t)s->pk.ndepths *
           (uint64_t)s->pk.noffsets;
  uint64_t n = 1;
  for (int a = 0; a < s->naxes; a++) {
    uint64_t v = (uint64_t)s->axis[a].nvalues;
    if (n > UINT64_MAX / v) return UINT64_MAX;
    n *= v;
  }
  return n;
}

mpb_status sweep_point_config(const sweep_spec *s, uint64_t index, mpb_config *cfg, char *err,
                              size_t errlen) {
  *cfg = s->base;
  for (int a = s->naxes - 1; a >= 0; a--) {
    const sweep_axis *ax = &s->axis[a];
    uint64_t k = index % (uint64_t)ax->nvalues;
    index /= (uint64_t)ax->nvalues;
    mpb_status rc = mpb_config_set(cfg, mpb_param_get(ax->param)->name, ax->values[k], err,
                                   errlen);
    if (rc) return rc;
  }
  mpb_status rc = mpb_config_validate(cfg, err, errlen);
  if (rc) return rc;
  for (int k = 0; k < s->nworkloads; k++) {
    char msg[256];
    if (mpb_geometry_validate(&s->wl[k].geo, cfg, msg, sizeof msg) != MPB_OK) {
      snprintf(err, errlen, "workload %s: %s", s->wl[k].name, msg);
      return MPB_EINVAL;
    }
    uint32_t top = s->wl[k].pos_max > s->wl[k].verify_max ? s->wl[k].pos_max
                                                           : s->wl[k].verify_max;
    uint32_t need = top - 1; /* largest position evaluated */
    if (cfg->pos_bits < 32 && (need >> cfg->pos_bits) != 0) {
      snprintf(err, errlen, "workload %s: position %u needs pos_bits >= %d (have %d)",
               s->wl[k].name, need, 32 - __builtin_clz(need), cfg->pos_bits);
      return MPB_EINVAL;
    }
  }
  return MPB_OK;
}

/* ---- task = "passkey": cells backend x length x depth x offset, first axis most
 * significant (the evaluation and the report are in sweep_passkey.c) ---- */
void sweep_pk_cell_of(const sweep_spec *s, uint64_t index, sweep_pk_cell *c) {
  const sweep_passkey *k = &s->pk;
  c->offset_i = (int)(index % (uint64_t)k->noffsets), index /= (uint64_t)k->noffsets;
  c->depth_i = (int)(index % (uint64_t)k->ndepths), index /= (uint64_t)k->ndepths;
  c->length_i = (int)(index % (uint64_t)k->nlengths), index /= (uint64_t)k->nlengths;
  c->backend = (int)index;
  c->length = k->lengths[c->length_i];
  c->depth = k->depths[c->depth_i];
  c->offset = k->offsets[c->offset_i];
}

int sweep_pk_check(const sweep_spec *s, uint64_t index, char *msg, size_t len) {
  sweep_pk_cell c;
  sweep_pk_cell_of(s, index, &c);
  const sweep_pk_backend *b = &s->pk.backend[c.backend];
  int64_t top = c.offset + c.length - 1;
  if (b->uses_bridge && b->cfg.pos_bits < 62 && (top >> b->cfg.pos_bits) != 0) {
    snprintf(msg, len, "backend %s: position %lld needs pos_bits >= %d (have %d)", b->name,
             (long long)top, 64 - __builtin_clzll((unsigned long long)top), b->cfg.pos_bits);
    return -1;
  }
  return 0;
}

uint64_t sweep_rand64(uint64_t *st) {
  uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Keep the index if its configuration is valid; count and remember the first pruning. */
static void consider(const sweep_spec *s, sweep_plan *p, uint64_t idx) {
  mpb_config cfg;
  char msg[256];
  p->considered++;
  if (s->task == SWEEP_TASK_PASSKEY ? sweep_pk_check(s, idx, msg, sizeof msg) != 0
                                    : sweep_point_config(s, idx, &cfg, msg, sizeof msg) != MPB_OK) {
    if (p->pruned++ == 0) snprintf(p->first_pruned, sizeof p->first_pruned, "%s", msg);
    return;
  }
  p->index[p->n++] = idx;
}

mpb_status sweep_plan_make(const sweep_spec *s, sweep_plan *p, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  uint64_t grid = sweep_grid_size(s);
  const uint64_t limit = 4000000;
  bool full = s->sampling == SWEEP_GRID || s->samples >= grid;
  if (full && grid > limit) {
    snprintf(err, errlen, "%s: the grid has %llu points (more than %llu); use sampling = "
             "\"random\" or fewer values", s->path, (unsigned long long)grid,
             (unsigned long long)limit);
    return MPB_EINVAL;
  }
  uint64_t cap = full ? grid : s->samples;
  p->index = malloc((size_t)cap * sizeof *p->index);
  if (!p->index) {
    snprintf(err, errlen, "out of memory");
    return MPB_ENOMEM;
  }
  if (full) {
    for (uint64_t i = 0; i < grid; i++) consider(s, p, i);
  } else {
    /* Distinct seeded draws, kept in draw order while drawing, then sorted. */
    uint64_t *drawn = malloc((size_t)cap * sizeof *drawn);
    if (!drawn) {
      free(p->index);
      p->index = NULL;
      snprintf(err, errlen, "out of memory");
      return MPB_ENOMEM;
    }
    uint64_t st = s->seed ^ 0x73616d706c696e67ULL;
    size_t nd = 0;
    while (nd < cap) {
      uint64_t idx = sweep_rand64(&st) % grid;
      bool dup = false;
      for (size_t i = 0; i < nd && !dup; i++) dup = drawn[i] == idx;
      if (!dup) drawn[nd++] = idx;
    }
    qsort(drawn, nd, sizeof *drawn, cmp_u64);
    for (size_t i = 0; i < nd; i++) consider(s, p, drawn[i]);
    free(drawn);
  }
  if (p->n == 0) {
    snprintf(err, errlen, "%s: all %llu points are invalid (first: %s)", s->path,
             (unsigned long long)p->considered, p->first_pruned);
    sweep_plan_free(p);
    return MPB_EINVAL;
  }
  return MPB_OK;
}

void sweep_plan_free(sweep_plan *p) {
  free(p->index);
  p->index = NULL;
  p->n = 0;
}
