/* sweep_exec.c — run the points of a sweep (or of one shard of it) in forked worker
 * processes. Points already in the store are skipped (resume). Workers take the next
 * point from a counter in shared memory (dynamic load balance), evaluate it and store it
 * atomically; the parent reports progress and collects exit statuses. Workers die with
 * the parent (PR_SET_PDEATHSIG), so kill -9 of the sweep stops everything at once and
 * leaves only complete rows behind. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"

typedef struct {
  size_t next; /* next todo slot to take       */
  size_t done; /* todo points finished          */
  int failed;
  mpb_status status; /* of the first failure: MPB_EIO (storing failed) or MPB_EINVAL */
  char err[512];
} shared_state;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void worker(sweep_evaluator *ev, const sweep_spec *s, const char *dir,
                   const uint64_t *todo, size_t n, shared_state *sh, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1); /* parent already gone */
  char err[400];
  for (;;) {
    size_t i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_SEQ_CST);
    if (i >= n || __atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST)) break;
    sweep_result r;
    mpb_status rc = sweep_eval_point(ev, todo[i], &r, err, sizeof err);
    if (rc) rc = MPB_EINVAL;                    /* the point cannot be evaluated */
    else if (sweep_store_put(dir, s, &r, err, sizeof err)) rc = MPB_EIO; /* a write failed */
    if (rc) {
      if (__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST) == 0) {
        snprintf(sh->err, sizeof sh->err, "point %llu: %s", (unsigned long long)todo[i], err);
        sh->status = rc;
      }
      _exit(1);
    }
    __atomic_fetch_add(&sh->done, 1, __ATOMIC_SEQ_CST);
  }
  _exit(0);
}

mpb_status sweep_run(const sweep_spec *s, const sweep_plan *p, const char *dir,
                     const sweep_run_opts *o, sweep_progress *st, char *err, size_t errlen) {
  double t0 = now_s();
  int nshards = o->nshards > 0 ? o->nshards : 1;
  if (o->shard < 0 || o->shard >= nshards || o->workers < 1) {
    snprintf(err, errlen, "bad shard %d/%d or worker count %d", o->shard, nshards, o->workers);
    return MPB_EINVAL;
  }
  mpb_status rc = sweep_store_init(dir, s, err, errlen);
  if (rc) return rc;
  uint64_t *todo = malloc((p->n + 1) * sizeof *todo);
  if (!todo) {
    snprintf(err, errlen, "out of memory");
    return MPB_ENOMEM;
  }
  size_t ntodo = 0, total = 0;
  for (size_t i = 0; i < p->n; i++) {
    if ((int)(i % (size_t)nshards) != o->shard) continue;
    total++;
    sweep_result r;
    int g = sweep_store_get(dir, s, p->index[i], &r, err, errlen);
    if (g < 0) {
      free(todo);
      return MPB_EINVAL;
    }
    if (g == 0) todo[ntodo++] = p->index[i];
  }
  sweep_progress pr = {total, total - ntodo, total - ntodo, 0};
  if (ntodo == 0) {
    if (o->progress) o->progress(&pr, o->ctx);
    if (st) *st = pr;
    free(todo);
    return MPB_OK;
  }
  sweep_evaluator *ev = sweep_evaluator_new(s, err, errlen);
  if (!ev) {
    free(todo);
    return MPB_EINVAL;
  }
  sweep_evaluator_set_dir(ev, dir);
  shared_state *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                          -1, 0);
  if (sh == MAP_FAILED) {
    snprintf(err, errlen, "mmap: %s", strerror(errno));
    sweep_evaluator_free(ev);
    free(todo);
    return MPB_ENOMEM;
  }
  memset(sh, 0, sizeof *sh);
  int nw = o->workers < (int)ntodo ? o->workers : (int)ntodo;
  pid_t *pids = calloc((size_t)nw, sizeof *pids);
  pid_t self = getpid();
  int started = 0;
  rc = MPB_OK;
  fflush(NULL);
  for (; pids && started < nw; started++) {
    pid_t pid = fork();
    if (pid == 0) worker(ev, s, dir, todo, ntodo, sh, self);
    if (pid < 0) {
      snprintf(err, errlen, "fork: %s", strerror(errno));
      __atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
      rc = MPB_EIO;
      break;
    }
    pids[started] = pid;
  }
  int alive = started, bad = 0;
  while (alive > 0) {
    for (int i = 0; i < started; i++) {
      if (pids[i] <= 0) continue;
      int status;
      pid_t w = waitpid(pids[i], &status, WNOHANG);
      if (w == pids[i]) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad++;
        pids[i] = 0;
        alive--;
      }
    }
    pr.done = pr.skipped + __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST);
    pr.elapsed_s = now_s() - t0;
    if (o->progress) o->progress(&pr, o->ctx);
    if (alive > 0) {
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  if (!rc && (bad || sh->failed)) {
    snprintf(err, errlen, "%s", sh->failed ? sh->err : "a worker process died");
    rc = sh->failed && sh->status ? sh->status : MPB_EINVAL;
  }
  if (st) *st = pr;
  free(pids);
  munmap(sh, sizeof *sh);
  sweep_evaluator_free(ev);
  free(todo);
  return rc;
}
