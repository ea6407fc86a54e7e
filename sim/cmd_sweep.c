/* cmd_sweep.c — `mpbsim sweep SPEC`: run a what-if sweep (docs/sweeps.md) locally in
 * parallel worker processes, or one shard of it, or submit it to Slurm as a job array;
 * then merge the stored points into results.csv/json, Pareto plots, sensitivity and the
 * HTML report. Re-running resumes: finished points are never recomputed. With rtl_check
 * in the spec, every point is also co-simulated against the RTL; the build script is
 * found in the source tree compiled in by make (MPB_SOURCE_DIR, overridable by the
 * environment variable of the same name). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "sweep.h"

#define CMD "sweep"
#ifndef MPB_SOURCE_DIR
#define MPB_SOURCE_DIR "." /* set by sim/sweep/module.mk */
#endif

static void help(void) {
  printf("usage: mpbsim sweep SPEC [options]\n\n"
         "Run the what-if sweep described by SPEC (libconfig, docs/sweeps.md): every point\n"
         "is evaluated once and stored in OUT/points/ (atomically, one file per point), so\n"
         "an interrupted sweep resumes where it stopped; then the results are merged into\n"
         "OUT/results.csv, results.json, sensitivity.csv, pareto-energy.svg, pareto-area.svg,\n"
         "report.html and best.cfg (the lowest-energy point meeting the goal). A spec with\n"
         "task = \"passkey\" runs the long-context retrieval grid instead (docs/models.md):\n"
         "results.csv, results.json, heat maps per backend, report.html.\n\n"
         "options:\n"
         "  -j, --jobs N         worker processes (default 1)\n"
         "  -o, --out DIR        output directory (default: the spec's 'output',\n"
         "                       else out/sweep-NAME)\n"
         "  --shard I/N          evaluate only shard I of N (points with ordinal %% N == I);\n"
         "                       no report (run --merge when all shards are done)\n"
         "  --merge              evaluate nothing; merge the stored points and write the\n"
         "                       report (exit 1 if points are missing)\n"
         "  --slurm              write OUT/slurm/shards.sbatch (a job array of --shard runs)\n"
         "                       and OUT/slurm/merge.sbatch (after the array) and submit\n"
         "                       both with sbatch\n"
         "  --slurm-tasks N      array size (default 4)\n"
         "  --slurm-wait         wait until the merge job has finished (sbatch --wait)\n"
         "  --slurm-dry-run      write the scripts, do not submit\n"
         "  --verify-tries N     candidates re-checked exhaustively (default 4)\n"
         "  --verify-all         re-check every point meeting the goal exhaustively (slow)\n"
         "  --plan               print the points (after pruning) and exit; runs nothing\n"
         "  --rtl-cache DIR      rtl_check: cache of the co-simulation builds (default: the\n"
         "                       spec's rtl_check.cache, else $MPB_COSIM_CACHE, else\n"
         "                       SRC/build/cosim-cache; SRC = $MPB_SOURCE_DIR or the tree\n"
         "                       mpbsim was built in)\n"
         "  --rtl-cache-max SIZE after each build, prune that cache to SIZE (bytes, or with\n"
         "                       K, M or G), least recently used builds first\n"
         "  --prune-cache        (no SPEC) prune the cache to --rtl-cache-max and exit\n"
         "  --progress, --no-progress   progress bar on stderr (default: if a terminal)\n"
         "  -h, --help           this help\n\n"
         "exit codes: 0 ok, 1 goal not met by any point, points missing at --merge, or a\n"
         "point failed rtl_check (RTL and C model disagree),\n"
         "2 usage, 3 bad spec, 4 I/O error\n");
}

typedef struct {
  double last;
  bool on;
} bar_state;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void show_bar(const sweep_progress *p, void *ctx) {
  bar_state *b = ctx;
  double t = now_s();
  bool final = p->done == p->total;
  if (!b->on || (!final && t - b->last < 0.1)) return;
  b->last = t;
  size_t run = p->done - p->skipped, todo = p->total - p->skipped;
  double rate = p->elapsed_s > 0 ? (double)run / p->elapsed_s : 0;
  double eta = rate > 0 ? (double)(todo - run) / rate : 0;
  int width = 30, fill = p->total ? (int)((double)width * (double)p->done / (double)p->total) : width;
  char bar[64];
  for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
  bar[width] = '\0';
  fprintf(stderr, "\r  [%s] %zu/%zu points  %.1f points/s  ETA %.0fs   ", bar, p->done,
          p->total, rate, eta);
  if (final) fputc('\n', stderr);
  fflush(stderr);
}

static int exit_of(mpb_status st) {
  return st == MPB_EIO ? MPB_EXIT_IO : st == MPB_ENOMEM ? MPB_EXIT_FAIL : MPB_EXIT_INPUT;
}

/* Run argv (no shell: paths are never re-parsed), return its first output line (the
 * job id) in buf; -1 on failure. */
static int run_capture(char *const argv[], char *buf, size_t n) {
  int fd[2];
  buf[0] = '\0';
  if (pipe(fd)) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd[0]), close(fd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]), close(fd[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fd[1]);
  FILE *p = fdopen(fd[0], "r");
  if (p) {
    if (!fgets(buf, (int)n, p)) buf[0] = '\0';
    char skip[256];
    while (fgets(skip, sizeof skip, p)) {
    }
    fclose(p);
  } else {
    close(fd[0]);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  buf[strcspn(buf, "\n")] = '\0';
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Append s to the script as one shell word: single-quoted, each ' written as '\'' (no
 * character of a path or name is ever interpreted by the shell). */
static void put_word(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++)
    if (*s == '\'') fputs("'\\''", f);
    else fputc(*s, f);
  fputc('\'', f);
}

/* The body shared by both scripts, after "cd ": "CWD || exit 1", the log redirection to
 * SDIR + LOG, and "exec EXE sweep SPEC --out OUT" (options follow). */
static void put_run(FILE *f, const char *cwd, const char *sdir, const char *log,
                    const char *exe, const char *spec, const char *out) {
  put_word(f, cwd);
  fputs(" || exit 1\nexec >> ", f);
  put_word(f, sdir);
  fprintf(f, "%s 2>&1\nexec ", log);
  put_word(f, exe);
  fputs(" sweep ", f);
  put_word(f, spec);
  fputs(" --out ", f);
  put_word(f, out);
}

/* The two job scripts. Every path is a quoted shell word; none is on an #SBATCH line
 * (sbatch parses those itself): the scripts cd and redirect their output themselves. */
static int write_scripts(const char *p1, const char *p2, const char *sdir, const char *cwd,
                         const char *exe, const char *spec, const char *out,
                         const char *rtl_cache, uint64_t cache_max, int tasks, int jobs) {
  cli_out o;
  if (cli_out_open(&o, CMD, p1)) return -1;
  fprintf(o.f, "#!/bin/sh\n# mpbsim sweep: one array task per shard; finished points are "
               "skipped.\n#SBATCH --job-name=mpbsweep\n#SBATCH --array=0-%d\n"
               "#SBATCH --cpus-per-task=%d\n#SBATCH --output=/dev/null\ncd ", tasks - 1, jobs);
  put_run(o.f, cwd, sdir, "/task-\"$SLURM_ARRAY_TASK_ID\".log", exe, spec, out);
  fprintf(o.f, " --shard \"$SLURM_ARRAY_TASK_ID/%d\" -j %d --no-progress", tasks, jobs);
  if (rtl_cache) {
    fputs(" --rtl-cache ", o.f);
    put_word(o.f, rtl_cache);
  }
  if (cache_max) fprintf(o.f, " --rtl-cache-max %llu", (unsigned long long)cache_max);
  fputc('\n', o.f);
  if (cli_out_commit(&o, CMD)) return -1;
  if (cli_out_open(&o, CMD, p2)) return -1;
  fputs("#!/bin/sh\n# mpbsim sweep: merge the shards' points into the report.\n"
        "#SBATCH --job-name=mpbsweep-merge\n#SBATCH --output=/dev/null\ncd ", o.f);
  put_run(o.f, cwd, sdir, "/merge.log", exe, spec, out);
  fputs(" --merge --no-progress\n", o.f);
  return cli_out_commit(&o, CMD);
}

static int submit_slurm(const char *spec_path, const char *dir, const char *rtl_cache,
                        uint64_t cache_max, int tasks, int jobs, bool wait, bool dry) {
  char exe[PATH_MAX], spec[PATH_MAX], out[PATH_MAX], cwd[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || !realpath(spec_path, spec) || !realpath(dir, out) || !getcwd(cwd, sizeof cwd)) {
    fprintf(stderr, "mpbsim sweep: cannot resolve the paths of the binary, %s or %s\n",
            spec_path, dir);
    return MPB_EXIT_IO;
  }
  exe[n] = '\0';
  char sdir[PATH_MAX + 16], p1[PATH_MAX + 32], p2[PATH_MAX + 32];
  char rc_abs[PATH_MAX];
  if (rtl_cache) { /* every task must use the same build cache (on a shared file system) */
    if (cli_mkdirs(CMD, rtl_cache) || !realpath(rtl_cache, rc_abs)) return MPB_EXIT_IO;
  }
  snprintf(sdir, sizeof sdir, "%s/slurm", out);
  if (cli_mkdirs(CMD, sdir)) return MPB_EXIT_IO;
  snprintf(p1, sizeof p1, "%s/shards.sbatch", sdir);
  snprintf(p2, sizeof p2, "%s/merge.sbatch", sdir);
  if (write_scripts(p1, p2, sdir, cwd, exe, spec, out, rtl_cache ? rc_abs : NULL, cache_max,
                    tasks, jobs))
    return MPB_EXIT_IO;
  printf("slurm scripts: %s %s\n", p1, p2);
  if (dry) return MPB_EXIT_OK;
  char id1[128], id2[128], dep[160];
  char *a1[] = {"sbatch", "--parsable", p1, NULL};
  if (run_capture(a1, id1, sizeof id1) || !id1[0]) {
    fprintf(stderr, "mpbsim sweep: 'sbatch --parsable %s' failed (is Slurm running? see "
            "docs/sweeps.md)\n", p1);
    return MPB_EXIT_IO;
  }
  id1[strcspn(id1, ";")] = '\0';
  printf("submitted shards: job %s (%d array tasks)\n", id1, tasks);
  fflush(stdout);
  snprintf(dep, sizeof dep, "--dependency=afterok:%s", id1);
  char *a2w[] = {"sbatch", "--parsable", "--wait", dep, p2, NULL};
  char *a2[] = {"sbatch", "--parsable", dep, p2, NULL};
  if (run_capture(wait ? a2w : a2, id2, sizeof id2) || !id2[0]) {
    fprintf(stderr, "mpbsim sweep: 'sbatch %s %s' failed; the merge job did not %s (see "
            "%s/merge.log)\n", dep, p2, wait ? "succeed" : "start", sdir);
    return wait ? MPB_EXIT_FAIL : MPB_EXIT_IO;
  }
  id2[strcspn(id2, ";")] = '\0';
  printf("%s merge: job %s -> %s/report.html\n", wait ? "finished" : "submitted", id2, out);
  return MPB_EXIT_OK;
}

/* "123", "500K", "64M", "2G" -> bytes (at least 1 MiB: a cache smaller than one build
 * would prune every build at once). */
static int parse_size(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *s == '-') return -1;
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k') shift = 10, end++;
  else if (*end == 'M' || *end == 'm') shift = 20, end++;
  else if (*end == 'G' || *end == 'g') shift = 30, end++;
  if (*end || v > (UINT64_MAX >> shift) || (v << shift) < (1u << 20)) return -1;
  *out = (uint64_t)v << shift;
  return 0;
}

/* `mpbsim sweep --prune-cache [--rtl-cache DIR] --rtl-cache-max SIZE`: no SPEC. */
static int prune_cache(int optind_, int argc, char **argv, const char *cache, uint64_t max) {
  if (optind_ != argc) {
    fprintf(stderr, "mpbsim sweep: --prune-cache takes no SPEC (unexpected '%s')\n",
            argv[optind_]);
    return MPB_EXIT_USAGE;
  }
  if (!max) {
    fprintf(stderr, "mpbsim sweep: --prune-cache needs --rtl-cache-max SIZE\n");
    return MPB_EXIT_USAGE;
  }
  sweep_rtl rtl;
  memset(&rtl, 0, sizeof rtl);
  const char *src = getenv("MPB_SOURCE_DIR");
  snprintf(rtl.src_dir, sizeof rtl.src_dir, "%s", src && *src ? src : MPB_SOURCE_DIR);
  if (cache) snprintf(rtl.cache, sizeof rtl.cache, "%s", cache);
  char msg[8192], err[1024];
  mpb_status st = sweep_rtl_prune(&rtl, max, msg, sizeof msg, err, sizeof err);
  fputs(msg, stderr);
  if (st) {
    fprintf(stderr, "mpbsim sweep: %s\n", err);
    return MPB_EXIT_IO;
  }
  return MPB_EXIT_OK;
}

static int parse_shard(const char *s, int *i, int *n) {
  char *end;
  long a = strtol(s, &end, 10);
  if (end == s || *end != '/') return -1;
  long b = strtol(end + 1, &end, 10);
  if (*end || b < 1 || b > 100000 || a < 0 || a >= b) return -1;
  *i = (int)a;
  *n = (int)b;
  return 0;
}

/* rtl_check summary on stdout: counts, the chosen point's status, the points that did not
 * pass (at most 20). Returns the number of failing points. */
static size_t report_rtl(const sweep_spec *s, const sweep_table *t, long best) {
  int c = sweep_rtl_col(s);
  size_t n[3] = {0, 0, 0}, shown = 0;
  for (size_t i = 0; i < t->n; i++) {
    double v = t->r[i].v[c];
    n[v == SWEEP_RTL_PASS ? 0 : v == SWEEP_RTL_FAIL ? 1 : 2]++;
  }
  printf("rtl_check (%llu cycles x %d seed(s) per workload): %zu pass, %zu fail, %zu skipped",
         (unsigned long long)s->rtl.cycles, s->rtl.seeds, n[0], n[1], n[2]);
  if (best >= 0) printf("; chosen point: %s", sweep_rtl_status_name(t->r[best].v[c]));
  printf("\n");
  for (size_t i = 0; i < t->n && shown < 20; i++)
    if (t->r[i].v[c] != SWEEP_RTL_PASS) {
      printf("  point %llu: rtl_check %s: %s\n", (unsigned long long)t->r[i].index,
             sweep_rtl_status_name(t->r[i].v[c]), t->r[i].rtl_detail);
      shown++;
    }
  if (n[1] + n[2] > shown) printf("  ... (all in results.csv, column rtl_detail)\n");
  return n[1];
}

/* "point N: axis=value ..." of one point (no newline). */
static void print_point(const sweep_spec *s, uint64_t index) {
  mpb_config cfg;
  char e[256], val[64];
  printf("point %llu:", (unsigned long long)index);
  if (sweep_point_config(s, index, &cfg, e, sizeof e) != MPB_OK) return;
  for (int a = 0; a < s->naxes; a++) {
    mpb_param_format(&cfg, s->axis[a].param, val, sizeof val);
    printf(" %s=%s", mpb_param_get(s->axis[a].param)->name, val);
  }
}

static int report(const sweep_spec *s, const sweep_plan *p, const char *dir, int tries,
                  bool verify_all) {
  char err[1024];
  sweep_table t;
  mpb_status st = sweep_table_load(dir, s, p, &t, err, sizeof err);
  if (st) {
    fprintf(stderr, "mpbsim sweep: %s\n", err);
    return exit_of(st);
  }
  if (s->task == SWEEP_TASK_PASSKEY) { /* the report shows the cells done so far */
    st = sweep_pk_report_write(dir, s, p, &t, err, sizeof err);
    if (st) {
      fprintf(stderr, "mpbsim sweep: %s\n", err);
      sweep_table_free(&t);
      return exit_of(st);
    }
    sweep_pk_print_summary(stdout, s, &t);
    printf("results: %s/results.csv %s/results.json %s/report.html (heat maps)\n", dir, dir, dir);
  }
  if (t.missing) {
    fprintf(stderr, "mpbsim sweep: %zu of %zu points are not finished yet (first: point "
                    "%llu); run the missing shards or the sweep without --shard\n",
            t.missing, t.n, (unsigned long long)t.first_missing);
    sweep_table_free(&t);
    return MPB_EXIT_FAIL;
  }
  if (s->task == SWEEP_TASK_PASSKEY) {
    sweep_table_free(&t);
    return MPB_EXIT_OK;
  }
  sweep_verdict v;
  st = sweep_verdict_make(s, &t, tries, verify_all, &v, err, sizeof err);
  if (!st) st = sweep_report_write(dir, s, p, &t, &v, err, sizeof err);
  if (st) {
    fprintf(stderr, "mpbsim sweep: %s\n", err);
    sweep_table_free(&t);
    return exit_of(st);
  }
  int rc = MPB_EXIT_OK;
  printf("results: %s/results.csv %s/results.json %s/report.html %s/pareto-energy.svg\n", dir,
         dir, dir, dir);
  if (v.best >= 0) {
    const sweep_result *b = &t.r[v.best];
    printf("best (lowest energy with max_err <= %.6g): ", s->goal);
    print_point(s, b->index);
    printf("\n  max_err %.4g (%.2f bits), %.4g pJ/rotation, area %.4g -> %s/best.cfg\n",
           b->v[SWEEP_M_MAX_ERR], b->v[SWEEP_M_ERR_BITS], b->v[SWEEP_M_ENERGY],
           b->v[SWEEP_M_AREA], dir);
    for (int k = 0; k < s->nworkloads && v.verified; k++)
      if (s->wl[k].verify_max)
        printf("  exhaustive check %s: every position < %u, every pair: max_err %.4g "
               "(worst m = %u)\n",
               s->wl[k].name, s->wl[k].verify_max, v.verify_err[k], v.verify_worst_m[k]);
    if (v.rejected)
      printf("  %d cheaper candidate(s) passed on the samples but failed the exhaustive "
             "check\n", v.rejected);
    if (v.all)
      printf("  verify-all: %d points meeting the goal on the samples re-checked "
             "exhaustively, %d failed\n", v.checked, v.failed);
  } else if (s->goal > 0) {
    printf("no point meets the goal max_err <= %.6g\n", s->goal);
    rc = MPB_EXIT_FAIL;
  }
  if (s->lm.on && s->lm.max > 0) {
    int lc = sweep_lm_col(s);
    printf("model level (%s <= %.3g, %s at offset %lld): ", sweep_lm_metric_names[s->lm.metric],
           s->lm.max, s->lm.numerics, s->lm.offset);
    if (v.best_lm >= 0) {
      const sweep_result *b = &t.r[v.best_lm];
      print_point(s, b->index);
      printf("\n  %s %.3g, mean KLD %.3g, %.4g pJ/rotation, max_err %.4g\n",
             sweep_lm_metric_names[s->lm.metric], b->v[lc + s->lm.metric], b->v[lc],
             b->v[SWEEP_M_ENERGY], b->v[SWEEP_M_MAX_ERR]);
    } else {
      printf("no point meets it\n");
    }
  }
  if (s->ssm.on && s->ssm.max > 0) {
    int sc = sweep_ssm_col(s);
    printf("SSM (%s <= %.3g, %s, %s block, %llu steps): ", sweep_ssm_metric_names[s->ssm.metric],
           s->ssm.max, s->ssm.numerics, s->ssm.model, (unsigned long long)s->ssm.steps);
    if (v.best_ssm >= 0) {
      const sweep_result *b = &t.r[v.best_ssm];
      print_point(s, b->index);
      printf("\n  %s %.3g, growth exponent %.2f, %.4g pJ/rotation, area %.4g\n",
             sweep_ssm_metric_names[s->ssm.metric], b->v[sc + s->ssm.metric], b->v[sc + 3],
             b->v[SWEEP_M_ENERGY], b->v[SWEEP_M_AREA]);
    } else {
      printf("no point meets it\n");
    }
  }
  if (s->rtl.on && report_rtl(s, &t, v.best)) rc = MPB_EXIT_FAIL;
  sweep_table_free(&t);
  return rc;
}

/* --plan: what would run, one line per point with the swept values. */
static void print_plan(const sweep_spec *s, const sweep_plan *p) {
  if (s->task == SWEEP_TASK_PASSKEY) {
    sweep_pk_print_plan(stdout, s, p);
    return;
  }
  printf("sweep %s: spec hash %016llx, grid %llu, considered %llu, pruned %llu, points %zu\n",
         s->name, (unsigned long long)s->hash, (unsigned long long)sweep_grid_size(s),
         (unsigned long long)p->considered, (unsigned long long)p->pruned, p->n);
  for (int k = 0; k < s->nworkloads; k++)
    printf("workload %s: d=%d base %g, %zu positions < %u, %d pairs%s\n", s->wl[k].name,
           s->wl[k].geo.head_dim, s->wl[k].geo.base, s->wl[k].npositions, s->wl[k].pos_max,
           s->wl[k].geo.head_dim / 2, s->wl[k].verify_max ? ", exhaustive check of the winner" : "");
  for (int k = 0; k < s->ntraces; k++) printf("trace %s: %s\n", s->tr[k].name, s->tr[k].path);
  if (s->rtl.on) {
    printf("rtl_check: seeds 1..%d, %llu cycles each, on workload(s)", s->rtl.seeds,
           (unsigned long long)s->rtl.cycles);
    for (int k = 0; k < s->nworkloads; k++)
      if (s->rtl.workloads >> k & 1) printf(" %s", s->wl[k].name);
    printf("; one build per distinct RTL parameter set and geometry (tools/cosim-build.sh)\n");
  }
  printf("index");
  for (int a = 0; a < s->naxes; a++) printf(" %s", mpb_param_get(s->axis[a].param)->name);
  printf("\n");
  for (size_t i = 0; i < p->n; i++) {
    mpb_config cfg;
    char e[256], v[64];
    if (sweep_point_config(s, p->index[i], &cfg, e, sizeof e) != MPB_OK) continue;
    printf("%llu", (unsigned long long)p->index[i]);
    for (int a = 0; a < s->naxes; a++) {
      mpb_param_format(&cfg, s->axis[a].param, v, sizeof v);
      printf(" %s", v);
    }
    printf("\n");
  }
}

int cmd_sweep(int argc, char **argv) {
  static const struct option opts[] = {
      {"jobs", required_argument, 0, 'j'},  {"out", required_argument, 0, 'o'},
      {"shard", required_argument, 0, 1},   {"merge", no_argument, 0, 2},
      {"slurm", no_argument, 0, 3},         {"slurm-tasks", required_argument, 0, 4},
      {"slurm-wait", no_argument, 0, 5},    {"slurm-dry-run", no_argument, 0, 6},
      {"verify-tries", required_argument, 0, 7}, {"progress", no_argument, 0, 8},
      {"no-progress", no_argument, 0, 9},   {"plan", no_argument, 0, 10},
      {"verify-all", no_argument, 0, 11}, {"rtl-cache", required_argument, 0, 12},
      {"rtl-cache-max", required_argument, 0, 13}, {"prune-cache", no_argument, 0, 14},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  long jobs = 1, tasks = 4, tries = 4;
  const char *out = NULL;
  int shard = 0, nshards = 1, progress = -1;
  bool merge = false, slurm = false, swait = false, sdry = false, sharded = false;
  bool plan_only = false, verify_all = false, prune = false;
  const char *rtl_cache = NULL;
  uint64_t cache_max = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "j:o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'j':
      if (cli_parse_long(CMD, "jobs", optarg, 1, 256, &jobs)) return MPB_EXIT_USAGE;
      break;
    case 'o': out = optarg; break;
    case 1:
      if (parse_shard(optarg, &shard, &nshards)) {
        fprintf(stderr, "mpbsim sweep: option --shard: '%s' is not I/N with 0 <= I < N\n",
                optarg);
        return MPB_EXIT_USAGE;
      }
      sharded = true;
      break;
    case 2: merge = true; break;
    case 3: slurm = true; break;
    case 4:
      if (cli_parse_long(CMD, "slurm-tasks", optarg, 1, 10000, &tasks)) return MPB_EXIT_USAGE;
      break;
    case 5: swait = true; break;
    case 6: sdry = slurm = true; break;
    case 7:
      if (cli_parse_long(CMD, "verify-tries", optarg, 1, 1000, &tries)) return MPB_EXIT_USAGE;
      break;
    case 8: progress = 1; break;
    case 9: progress = 0; break;
    case 10: plan_only = true; break;
    case 11: verify_all = true; break;
    case 12: rtl_cache = optarg; break;
    case 13:
      if (parse_size(optarg, &cache_max)) {
        fprintf(stderr, "mpbsim sweep: option --rtl-cache-max: '%s' is not a size (bytes, or "
                "a number with K, M or G) of at least 1M\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 14: prune = true; break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (prune) return prune_cache(optind, argc, argv, rtl_cache, cache_max);
  if (optind != argc - 1) {
    fprintf(stderr, "mpbsim sweep: expected one SPEC file (see mpbsim sweep --help)\n");
    return MPB_EXIT_USAGE;
  }
  if ((merge && (sharded || slurm)) || (sharded && slurm)) {
    fprintf(stderr, "mpbsim sweep: --merge, --shard and --slurm exclude each other\n");
    return MPB_EXIT_USAGE;
  }
  const char *spec_path = argv[optind];
  static sweep_spec s; /* large: keep off the stack */
  char err[1024];
  mpb_status st = sweep_spec_load(&s, spec_path, err, sizeof err);
  if (st) {
    fprintf(stderr, "mpbsim sweep: %s\n", err);
    return st == MPB_EIO ? MPB_EXIT_IO : MPB_EXIT_INPUT;
  }
  const char *dir = out ? out : s.output;
  if (rtl_cache) snprintf(s.rtl.cache, sizeof s.rtl.cache, "%s", rtl_cache);
  s.rtl.cache_max = cache_max;
  const char *src = getenv("MPB_SOURCE_DIR");
  snprintf(s.rtl.src_dir, sizeof s.rtl.src_dir, "%s", src && *src ? src : MPB_SOURCE_DIR);
  sweep_plan p;
  st = sweep_plan_make(&s, &p, err, sizeof err);
  if (st) {
    fprintf(stderr, "mpbsim sweep: %s\n", err);
    sweep_spec_free(&s);
    return exit_of(st);
  }
  fprintf(stderr, "sweep %s: %llu combinations considered, %llu pruned as invalid%s%s%s, "
                  "%zu points\n",
          s.name, (unsigned long long)p.considered, (unsigned long long)p.pruned,
          p.pruned ? " (first: " : "", p.pruned ? p.first_pruned : "", p.pruned ? ")" : "",
          p.n);
  int rc = MPB_EXIT_OK;
  if (plan_only) {
    print_plan(&s, &p);
    sweep_plan_free(&p);
    sweep_spec_free(&s);
    return MPB_EXIT_OK;
  }
  if (s.rtl.on && !merge) {
    char script[600];
    snprintf(script, sizeof script, "%s/tools/cosim-build.sh", s.rtl.src_dir);
    if (access(script, X_OK) != 0) {
      fprintf(stderr, "mpbsim sweep: %s: rtl_check needs the mpbsim source tree, but %s is "
                      "missing (set MPB_SOURCE_DIR to the tree)\n", spec_path, script);
      sweep_plan_free(&p);
      sweep_spec_free(&s);
      return MPB_EXIT_INPUT;
    }
    fprintf(stderr, "rtl_check: every point co-simulated, %llu cycles x %d seed(s) per "
                    "workload; builds cached in %s\n", (unsigned long long)s.rtl.cycles,
            s.rtl.seeds, s.rtl.cache[0] ? s.rtl.cache : "the default cache (docs/sweeps.md)");
  }
  if (slurm) {
    st = sweep_store_init(dir, &s, err, sizeof err);
    if (st) {
      fprintf(stderr, "mpbsim sweep: %s\n", err);
      rc = exit_of(st);
    } else {
      rc = submit_slurm(spec_path, dir, rtl_cache, cache_max, (int)tasks, (int)jobs, swait,
                        sdry);
    }
  } else {
    if (!merge) {
      bar_state bs = {0, progress == 1 || (progress == -1 && isatty(2))};
      sweep_run_opts ro = {(int)jobs, shard, nshards, show_bar, &bs};
      sweep_progress pr;
      st = sweep_store_init(dir, &s, err, sizeof err);
      if (!st && s.rtl.on) st = sweep_rtl_prepare(&s.rtl, dir, err, sizeof err);
      if (!st) st = sweep_run(&s, &p, dir, &ro, &pr, err, sizeof err);
      if (st) {
        fprintf(stderr, "\nmpbsim sweep: %s\n", err);
        rc = exit_of(st);
      } else {
        char label[48] = "sweep";
        if (sharded) snprintf(label, sizeof label, "shard %d/%d", shard, nshards);
        fprintf(stderr, "%s: %zu points, %zu already done (resumed), %zu evaluated in "
                        "%.2f s with %ld worker(s)\n",
                label, pr.total, pr.skipped,
                pr.total - pr.skipped, pr.elapsed_s, jobs);
      }
    }
    if (rc == MPB_EXIT_OK && !sharded) rc = report(&s, &p, dir, (int)tries, verify_all);
  }
  sweep_plan_free(&p);
  sweep_spec_free(&s);
  return rc;
}
