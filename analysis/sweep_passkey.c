/* sweep_passkey.c — the passkey task of the sweep engine (task = "passkey", docs/models.md):
 * cells backend x length x depth x offset, each a point evaluated by lm_passkey_run; the
 * reference distributions for the KL divergence (ref numerics at offset 0) are computed
 * once per (length, depth) and kept in DIR/passkey-ref/ under a lock, whichever worker or
 * Slurm task needs them first; the report: results.csv, results.json, one heat map of
 * retrieval accuracy (length x depth) per backend and offset, report.html. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "passkey.h"
#include "svg.h"
#include "sweep.h"

/* ---- evaluation --------------------------------------------------------------------- */
struct sweep_pk_eval {
  const sweep_spec *s;
  llama_model *m;
  lm_passkey_task *t;
  char dir[512];
};

sweep_pk_eval *sweep_pk_eval_new(const sweep_spec *s, char *err, size_t errlen) {
  sweep_pk_eval *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->s = s;
  snprintf(e->dir, sizeof e->dir, ".");
  if (llama_load_gguf(&e->m, s->pk.model, err, errlen) ||
      lm_passkey_task_new(&e->t, e->m, s->pk.filler, err, errlen)) {
    sweep_pk_eval_free(e);
    return NULL;
  }
  return e;
}

void sweep_pk_eval_set_dir(sweep_pk_eval *e, const char *dir) {
  snprintf(e->dir, sizeof e->dir, "%s", dir);
}

void sweep_pk_eval_free(sweep_pk_eval *e) {
  if (!e) return;
  lm_passkey_task_free(e->t);
  llama_free(e->m);
  free(e);
}

/* The reference file of a cell: a header, then [key][digit][n_vocab] log-probabilities
 * (doubles, so that the KLD has no storage floor). */
typedef struct ref_header {
  char magic[8]; /* "mpbpkrf2": log-probabilities as doubles */
  uint64_t hash;
  int32_t length, keys, vocab, digits;
  double depth;
} ref_header;

static void ref_path(const sweep_pk_eval *e, int length, double depth, const char *ext,
                     char *buf, size_t n) {
  snprintf(buf, n, "%s/passkey-ref/L%d-d%.6g.%s", e->dir, length, depth, ext);
}

static int ref_read(const char *path, const ref_header *want, double *ref, size_t nf) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  ref_header h;
  int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(&h, want, sizeof h) &&
           fread(ref, sizeof *ref, nf, f) == nf && fgetc(f) == EOF;
  fclose(f);
  return ok;
}

static mpb_status ref_write(const char *path, const ref_header *h, const double *ref, size_t nf,
                            char *err, size_t errlen) {
  char tmp[800];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(h, sizeof *h, 1, f) == 1 && fwrite(ref, sizeof *ref, nf, f) == nf;
  if (f && fclose(f)) ok = 0;
  if (!ok || rename(tmp, path)) {
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    unlink(tmp);
    return MPB_EIO;
  }
  return MPB_OK;
}

static void spec_of(const sweep_pk_backend *b, lm_numerics_spec *sp) {
  char msg[256];
  lm_numerics_spec_init(sp, LM_BK_REF);
  sp->bridge = b->cfg;
  snprintf(sp->bridge_label, sizeof sp->bridge_label, "%s", b->label);
  lm_numerics_spec_parse(sp, b->numerics, msg, sizeof msg); /* checked when loaded */
}

/* Run one cell under numerics sp; logp / ref as lm_passkey_run. */
static mpb_status run(sweep_pk_eval *e, const lm_numerics_spec *sp, const sweep_pk_cell *c,
                      int64_t offset, const uint32_t *keys, double *logp, const double *ref,
                      lm_passkey_result *r, char *err, size_t errlen) {
  lm_numerics *nm;
  if (lm_numerics_new(&nm, sp, err, errlen)) return MPB_EINVAL;
  int rc = lm_passkey_run(e->m, nm, e->t, c->length, c->depth, offset, keys, e->s->pk.keys, logp,
                          ref, r, err, errlen);
  lm_numerics_free(nm);
  return rc ? MPB_EINVAL : MPB_OK;
}

mpb_status sweep_pk_eval_point(sweep_pk_eval *e, uint64_t index, sweep_result *r, char *err,
                               size_t errlen) {
  const sweep_spec *s = e->s;
  sweep_pk_cell c;
  sweep_pk_cell_of(s, index, &c);
  const sweep_pk_backend *b = &s->pk.backend[c.backend];
  uint32_t keys[LM_PASSKEY_MAX_KEYS];
  for (int i = 0; i < s->pk.keys; i++) keys[i] = lm_passkey_key(s->seed, c.length, c.depth, i);
  lm_numerics_spec sp, rs;
  spec_of(b, &sp);
  lm_numerics_spec_init(&rs, LM_BK_REF);
  int is_ref = lm_numerics_spec_is_ref(&sp) && c.offset == 0;
  size_t nf = (size_t)s->pk.keys * LM_PASSKEY_DIGITS * (size_t)e->m->c.n_vocab;
  double *ref = malloc(nf * sizeof *ref);
  if (!ref) {
    snprintf(err, errlen, "out of memory for the reference distributions");
    return MPB_ENOMEM;
  }
  char dir[600], path[700], lock[700];
  snprintf(dir, sizeof dir, "%s/passkey-ref", e->dir);
  ref_path(e, c.length, c.depth, "bin", path, sizeof path);
  ref_path(e, c.length, c.depth, "lock", lock, sizeof lock);
  ref_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, "mpbpkrf2", 8);
  h.hash = s->hash, h.length = c.length, h.keys = s->pk.keys, h.vocab = e->m->c.n_vocab;
  h.digits = LM_PASSKEY_DIGITS, h.depth = c.depth;
  lm_passkey_result pr;
  mpb_status rc = MPB_OK;
  double t0 = (double)clock();
  if (mkdir(dir, 0777) && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
    free(ref);
    return MPB_EIO;
  }
  /* The reference of this cell: read it, or compute it (once: other workers wait here). */
  int fd = open(lock, O_RDWR | O_CREAT, 0666);
  if (fd < 0 || flock(fd, LOCK_EX)) {
    snprintf(err, errlen, "%s: cannot lock: %s", lock, strerror(errno));
    if (fd >= 0) close(fd);
    free(ref);
    return MPB_EIO;
  }
  int have = ref_read(path, &h, ref, nf);
  if (!have) {
    rc = run(e, &rs, &c, 0, keys, ref, NULL, &pr, err, errlen);
    if (!rc) rc = ref_write(path, &h, ref, nf, err, errlen);
  }
  flock(fd, LOCK_UN);
  close(fd);
  if (!rc) {
    if (is_ref && !have) { /* this point is the reference run itself */
      pr.kld_mean = pr.kld_max = 0;
    } else {
      rc = run(e, &sp, &c, c.offset, keys, NULL, ref, &pr, err, errlen);
    }
  }
  free(ref);
  if (rc) return rc;
  double *v = r->v;
  v[SWEEP_PK_ACCURACY] = pr.accuracy;
  v[SWEEP_PK_DIGIT_ACC] = pr.digit_accuracy;
  v[SWEEP_PK_MARGIN_MEAN] = pr.margin_mean;
  v[SWEEP_PK_MARGIN_MIN] = pr.margin_min;
  v[SWEEP_PK_LOGPROB] = pr.logprob_mean;
  v[SWEEP_PK_KLD_MEAN] = pr.kld_mean;
  v[SWEEP_PK_KLD_MAX] = pr.kld_max;
  v[SWEEP_PK_KEY_AT] = pr.key_at;
  fprintf(stderr, "passkey point %llu (%s, %d tokens, depth %g, offset %lld): accuracy %.2f, "
          "margin mean %.3f, KLD %.3g, %.0f s of CPU\n", (unsigned long long)index, b->name,
          c.length, c.depth, (long long)c.offset, pr.accuracy, pr.margin_mean, pr.kld_mean,
          ((double)clock() - t0) / CLOCKS_PER_SEC);
  return MPB_OK;
}

/* ---- report --------------------------------------------------------------------------- */
static FILE *out_open(const char *dir, const char *name, char *tmp, size_t n, char *err,
                      size_t errlen) {
  snprintf(tmp, n, "%s/%s.tmp.%d", dir, name, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
  return f;
}

static mpb_status out_commit(FILE *f, const char *tmp, const char *dir, const char *name,
                             char *err, size_t errlen) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (fclose(f) || rename(tmp, path)) {
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    unlink(tmp);
    return MPB_EIO;
  }
  return MPB_OK;
}

/* The table row of cell (backend, length, depth, offset), or NULL if it is not planned. */
static const sweep_result *find(const sweep_spec *s, const sweep_table *t, int b, int li,
                                int di, int oi) {
  const sweep_passkey *k = &s->pk;
  uint64_t idx = (((uint64_t)b * k->nlengths + li) * k->ndepths + di) * k->noffsets + oi;
  for (size_t i = 0; i < t->n; i++)
    if (t->r[i].index == idx) return &t->r[i];
  return NULL;
}

static void num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.17g", v);
  else fputs("null", f);
}

static void length_label(char *buf, size_t n, int len) {
  if (len % 1024 == 0) snprintf(buf, n, "%dk", len / 1024);
  else snprintf(buf, n, "%d", len);
}

/* The heat map of backend b at offset oi: accuracy colour, margin and KLD as text. */
static void heatmap(FILE *f, const sweep_spec *s, const sweep_table *t, int b, int oi) {
  const sweep_passkey *k = &s->pk;
  int nl = k->nlengths, nd = k->ndepths;
  char cl[SWEEP_PK_MAX][16], rl[SWEEP_PK_MAX][16], t1[SWEEP_PK_MAX * SWEEP_PK_MAX][32],
      t2[SWEEP_PK_MAX * SWEEP_PK_MAX][32], title[200];
  const char *cols[SWEEP_PK_MAX], *rows[SWEEP_PK_MAX], *p1[SWEEP_PK_MAX * SWEEP_PK_MAX],
      *p2[SWEEP_PK_MAX * SWEEP_PK_MAX];
  double val[SWEEP_PK_MAX * SWEEP_PK_MAX];
  for (int li = 0; li < nl; li++) length_label(cl[li], sizeof cl[li], k->lengths[li]), cols[li] = cl[li];
  for (int di = 0; di < nd; di++) {
    snprintf(rl[di], sizeof rl[di], "%g%%", 100 * k->depths[di]);
    rows[di] = rl[di];
    for (int li = 0; li < nl; li++) {
      int c = di * nl + li;
      const sweep_result *r = find(s, t, b, li, di, oi);
      val[c] = r ? r->v[SWEEP_PK_ACCURACY] : NAN;
      snprintf(t1[c], sizeof t1[c], "%.0f%%  m %.2f", 100 * (r ? r->v[SWEEP_PK_ACCURACY] : 0),
               r ? r->v[SWEEP_PK_MARGIN_MEAN] : 0);
      if (r && isfinite(r->v[SWEEP_PK_KLD_MEAN]) && r->v[SWEEP_PK_KLD_MEAN] > 0)
        snprintf(t2[c], sizeof t2[c], "KLD %.2g", r->v[SWEEP_PK_KLD_MEAN]);
      else
        snprintf(t2[c], sizeof t2[c], "%s", r && r->v[SWEEP_PK_KLD_MEAN] == 0 ? "KLD 0" : "");
      p1[c] = t1[c], p2[c] = t2[c];
    }
  }
  snprintf(title, sizeof title, "%s: retrieval accuracy, offset %lld (%d keys per cell)",
           k->backend[b].name, (long long)k->offsets[oi], k->keys);
  svg_write_heatmap(f, title, "context length (tokens)", "key depth", cols, (size_t)nl, rows,
                    (size_t)nd, val, p1, p2);
}

static mpb_status write_csv(const char *dir, const sweep_spec *s, const sweep_table *t,
                            char *err, size_t errlen) {
  char tmp[700];
  FILE *f = out_open(dir, "results.csv", tmp, sizeof tmp, err, errlen);
  if (!f) return MPB_EIO;
  fprintf(f, "index,backend,numerics,datapath,length,depth,offset");
  for (int k = 0; k < SWEEP_PK_NVALUES; k++) {
    char n[64];
    sweep_value_name(s, k, n, sizeof n);
    fprintf(f, ",%s", n);
  }
  fputc('\n', f);
  for (size_t i = 0; i < t->n; i++) {
    sweep_pk_cell c;
    sweep_pk_cell_of(s, t->r[i].index, &c);
    const sweep_pk_backend *b = &s->pk.backend[c.backend];
    fprintf(f, "%llu,%s,\"%s\",%s,%d,%.17g,%lld", (unsigned long long)t->r[i].index, b->name,
            b->numerics, b->label, c.length, c.depth, (long long)c.offset);
    for (int k = 0; k < SWEEP_PK_NVALUES; k++) {
      double v = t->r[i].v[k];
      if (isnan(v)) fputs(",", f);
      else fprintf(f, ",%.17g", v);
    }
    fputc('\n', f);
  }
  return out_commit(f, tmp, dir, "results.csv", err, errlen);
}

static mpb_status write_json(const char *dir, const sweep_spec *s, const sweep_plan *p,
                             const sweep_table *t, char *err, size_t errlen) {
  char tmp[700];
  FILE *f = out_open(dir, "results.json", tmp, sizeof tmp, err, errlen);
  if (!f) return MPB_EIO;
  const sweep_passkey *k = &s->pk;
  fprintf(f, "{\n  \"schema\": \"mpbsim-passkey-1\",\n  \"name\": \"%s\",\n  \"task\": \"passkey\",\n"
             "  \"spec_hash\": \"%016llx\",\n  \"model\": \"%s\",\n  \"filler\": \"%s\",\n"
             "  \"seed\": %llu,\n  \"keys\": %d,\n  \"points_planned\": %zu,\n"
             "  \"points_missing\": %zu,\n  \"pruned\": %llu,\n  \"backends\": [",
          s->name, (unsigned long long)s->hash, k->model, k->filler,
          (unsigned long long)s->seed, k->keys, p->n, t->missing, (unsigned long long)p->pruned);
  for (int b = 0; b < k->nbackends; b++)
    fprintf(f, "%s{\"name\": \"%s\", \"numerics\": \"%s\", \"datapath\": \"%s\"}", b ? ", " : "",
            k->backend[b].name, k->backend[b].numerics, k->backend[b].label);
  fprintf(f, "],\n  \"points\": [\n");
  for (size_t i = 0; i < t->n; i++) {
    sweep_pk_cell c;
    sweep_pk_cell_of(s, t->r[i].index, &c);
    fprintf(f, "    {\"index\": %llu, \"backend\": \"%s\", \"length\": %d, \"depth\": %.17g, "
               "\"offset\": %lld", (unsigned long long)t->r[i].index, k->backend[c.backend].name,
            c.length, c.depth, (long long)c.offset);
    for (int v = 0; v < SWEEP_PK_NVALUES; v++) {
      char n[64];
      sweep_value_name(s, v, n, sizeof n);
      fprintf(f, ", \"%s\": ", n);
      num(f, t->r[i].v[v]);
    }
    fprintf(f, "}%s\n", i + 1 < t->n ? "," : "");
  }
  fprintf(f, "  ]\n}\n");
  return out_commit(f, tmp, dir, "results.json", err, errlen);
}

mpb_status sweep_pk_report_write(const char *dir, const sweep_spec *s, const sweep_plan *p,
                                 const sweep_table *t, char *err, size_t errlen) {
  const sweep_passkey *k = &s->pk;
  mpb_status rc = write_csv(dir, s, t, err, errlen);
  if (!rc) rc = write_json(dir, s, p, t, err, errlen);
  char tmp[700], name[160];
  for (int b = 0; !rc && b < k->nbackends; b++)
    for (int oi = 0; !rc && oi < k->noffsets; oi++) {
      if (k->noffsets > 1)
        snprintf(name, sizeof name, "heatmap-%s-o%lld.svg", k->backend[b].name, (long long)k->offsets[oi]);
      else
        snprintf(name, sizeof name, "heatmap-%s.svg", k->backend[b].name);
      FILE *f = out_open(dir, name, tmp, sizeof tmp, err, errlen);
      if (!f) return MPB_EIO;
      heatmap(f, s, t, b, oi);
      rc = out_commit(f, tmp, dir, name, err, errlen);
    }
  if (rc) return rc;
  FILE *f = out_open(dir, "report.html", tmp, sizeof tmp, err, errlen);
  if (!f) return MPB_EIO;
  fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
  svg_write_text(f, s->name);
  fprintf(f, " — passkey retrieval</title>\n<style>body{font-family:sans-serif;max-width:1100px;"
             "margin:auto}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid "
             "#ccc;padding:2px 6px;text-align:right}th{background:#eee}</style></head><body>\n");
  fprintf(f, "<h1>Passkey retrieval: ");
  svg_write_text(f, s->name);
  fprintf(f, "</h1>\n<p>Model <code>");
  svg_write_text(f, k->model);
  fprintf(f, "</code>; %d seeded keys per cell (seed %llu), each a 5-digit key stated at the "
             "depth of a filler text of the given length and asked for at the end, scored "
             "teacher-forced. Colour: retrieval accuracy (all five digits the argmax); text: "
             "accuracy, mean over keys of the smallest digit log-probability margin "
             "(<i>m</i>, &gt; 0 iff retrieved), mean KL divergence of the five answer "
             "distributions against the reference (ref numerics, offset 0). %zu of %zu cells "
             "done%s.</p>\n",
          k->keys, (unsigned long long)s->seed, t->n - t->missing, t->n,
          t->missing ? " (grey: not run yet)" : "");
  for (int b = 0; b < k->nbackends; b++) {
    fprintf(f, "<h2>");
    svg_write_text(f, k->backend[b].name);
    fprintf(f, "</h2>\n<p>numerics <code>");
    svg_write_text(f, k->backend[b].numerics);
    if (k->backend[b].uses_bridge) {
      fprintf(f, "</code>, datapath <code>");
      svg_write_text(f, k->backend[b].label);
    }
    fprintf(f, "</code></p>\n");
    for (int oi = 0; oi < k->noffsets; oi++) heatmap(f, s, t, b, oi);
  }
  fprintf(f, "<h2>All cells</h2>\n<table><tr><th>backend</th><th>length</th><th>depth</th>"
             "<th>offset</th><th>accuracy</th><th>digit acc.</th><th>margin mean</th>"
             "<th>margin min</th><th>log p(key)</th><th>KLD mean</th><th>KLD max</th></tr>\n");
  for (size_t i = 0; i < t->n; i++) {
    sweep_pk_cell c;
    sweep_pk_cell_of(s, t->r[i].index, &c);
    const double *v = t->r[i].v;
    fprintf(f, "<tr><td>%s</td><td>%d</td><td>%g</td><td>%lld</td>", k->backend[c.backend].name,
            c.length, c.depth, (long long)c.offset);
    if (isnan(v[SWEEP_PK_ACCURACY])) {
      fprintf(f, "<td colspan=\"7\">not run</td></tr>\n");
      continue;
    }
    fprintf(f, "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3g</td>"
               "<td>%.3g</td></tr>\n", v[SWEEP_PK_ACCURACY], v[SWEEP_PK_DIGIT_ACC],
            v[SWEEP_PK_MARGIN_MEAN], v[SWEEP_PK_MARGIN_MIN], v[SWEEP_PK_LOGPROB],
            v[SWEEP_PK_KLD_MEAN], v[SWEEP_PK_KLD_MAX]);
  }
  fprintf(f, "</table>\n</body></html>\n");
  return out_commit(f, tmp, dir, "report.html", err, errlen);
}

void sweep_pk_print_plan(FILE *f, const sweep_spec *s, const sweep_plan *p) {
  const sweep_passkey *k = &s->pk;
  fprintf(f, "passkey %s: spec hash %016llx, model %s, %d keys per cell, %zu cells (%llu "
             "pruned)\nindex backend length depth offset\n", s->name,
          (unsigned long long)s->hash, k->model, k->keys, p->n, (unsigned long long)p->pruned);
  for (size_t i = 0; i < p->n; i++) {
    sweep_pk_cell c;
    sweep_pk_cell_of(s, p->index[i], &c);
    fprintf(f, "%llu %s %d %g %lld\n", (unsigned long long)p->index[i], k->backend[c.backend].name,
            c.length, c.depth, (long long)c.offset);
  }
}

void sweep_pk_print_summary(FILE *f, const sweep_spec *s, const sweep_table *t) {
  const sweep_passkey *k = &s->pk;
  for (int b = 0; b < k->nbackends; b++)
    for (int oi = 0; oi < k->noffsets; oi++) {
      fprintf(f, "%s, offset %lld: accuracy (margin mean) per depth x length\n",
              k->backend[b].name, (long long)k->offsets[oi]);
      fprintf(f, "  depth ");
      for (int li = 0; li < k->nlengths; li++) {
        char l[16];
        length_label(l, sizeof l, k->lengths[li]);
        fprintf(f, " %14s", l);
      }
      fputc('\n', f);
      for (int di = 0; di < k->ndepths; di++) {
        fprintf(f, "  %4g%% ", 100 * k->depths[di]);
        for (int li = 0; li < k->nlengths; li++) {
          const sweep_result *r = find(s, t, b, li, di, oi);
          if (!r || isnan(r->v[SWEEP_PK_ACCURACY])) fprintf(f, " %14s", "-");
          else fprintf(f, "    %4.2f (%5.2f)", r->v[SWEEP_PK_ACCURACY], r->v[SWEEP_PK_MARGIN_MEAN]);
        }
        fputc('\n', f);
      }
    }
}
