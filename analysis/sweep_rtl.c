/* sweep_rtl.c — RTL in the loop for sweeps (rtl_check, docs/sweeps.md): co-simulate one
 * point's configuration against the Verilated RTL. The configuration is written out
 * (mpb_config_write), tools/cosim-build.sh builds or finds the co-simulation binary of
 * (configuration, workload geometry) in its cache, and the binary runs seeds 1..K for N
 * cycles each (`--seed S --cycles N --quiet --mode cosim`; exit 0 pass, 1 mismatch). The
 * first mismatch makes the point fail, with the binary's message as its detail and its
 * waveform under the sweep's output (DIR/rtl/); a configuration the RTL cannot be built
 * with is skipped with the reason. The sources are hashed once per sweep
 * (sweep_rtl_prepare), and a run holds the build's lock shared so that pruning the cache
 * (LRU, --rtl-cache-max) never removes a binary in use. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

/* r->rtl_detail = the formatted text (truncated to fit). */
static void set_detail(sweep_result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->rtl_detail, sizeof r->rtl_detail, fmt, ap);
  va_end(ap);
}

/* Run argv[0] with argv, stdout and stderr into out (truncated to len - 1); returns the
 * wait status, or -1 with errno if it could not be started. */
static int run_capture(char *const argv[], char *out, size_t len) {
  int fd[2];
  if (pipe(fd) != 0) return -1;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return -1;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed sweep stops its builds and runs too */
    if (getppid() != parent) _exit(127);
    dup2(fd[1], 1);
    dup2(fd[1], 2);
    close(fd[0]);
    close(fd[1]);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, 0);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fd[1]);
  size_t n = 0;
  char junk[4096];
  for (;;) {
    char *dst = n + 1 < len ? out + n : junk;
    size_t room = n + 1 < len ? len - 1 - n : sizeof junk;
    ssize_t r = read(fd[0], dst, room);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (dst != junk) n += (size_t)r;
  }
  out[n] = '\0';
  close(fd[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return st;
}

/* The last non-empty line of text, without a "cosim-build.sh: " prefix. */
static void last_line(const char *text, char *buf, size_t len) {
  const char *end = text + strlen(text);
  while (end > text && (end[-1] == '\n' || end[-1] == ' ')) end--;
  const char *start = end;
  while (start > text && start[-1] != '\n') start--;
  const char *pfx = "cosim-build.sh: ";
  if ((size_t)(end - start) > strlen(pfx) && !strncmp(start, pfx, strlen(pfx)))
    start += strlen(pfx);
  snprintf(buf, len, "%.*s", (int)(end - start), start);
}

static const char *status_text(int st, char *buf, size_t len) {
  if (WIFEXITED(st))
    snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
  else
    snprintf(buf, len, "wait status %d", st);
  return buf;
}

/* Build (or find) the binary for cfg on workload k: 0 ok (path in bin), 1 skipped
 * (reason in r->rtl_detail), -1 error. */
static int find_binary(const sweep_spec *s, const char *cfgfile, int k, sweep_result *r,
                       char *bin, size_t binlen, char *err, size_t errlen) {
  char script[600], hd[16], base[40], out[8192], line[400];
  snprintf(script, sizeof script, "%s/tools/cosim-build.sh", s->rtl.src_dir);
  snprintf(hd, sizeof hd, "%d", s->wl[k].geo.head_dim);
  snprintf(base, sizeof base, "%.17g", s->wl[k].geo.base);
  char maxb[24];
  snprintf(maxb, sizeof maxb, "%llu", (unsigned long long)s->rtl.cache_max);
  char *argv[16] = {script, "--config", (char *)cfgfile, "--head-dim", hd, "--base", base,
                    "--src", (char *)s->rtl.src_dir};
  int a = 9;
  if (s->rtl.cache[0]) argv[a++] = "--cache", argv[a++] = (char *)s->rtl.cache;
  if (s->rtl.src_key[0]) argv[a++] = "--src-key", argv[a++] = (char *)s->rtl.src_key;
  if (s->rtl.cache_max) argv[a++] = "--max-size", argv[a++] = maxb;
  argv[a] = NULL;
  int st = run_capture(argv, out, sizeof out);
  if (st < 0) {
    snprintf(err, errlen, "rtl_check: cannot run %s: %s", script, strerror(errno));
    return -1;
  }
  last_line(out, line, sizeof line);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    snprintf(bin, binlen, "%s", line);
    return 0;
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
    set_detail(r, "%s: %s", s->wl[k].name, line);
    return 1;
  }
  char sb[64];
  snprintf(err, errlen, "rtl_check: %s (%s) for workload %s: %s", script,
           status_text(st, sb, sizeof sb), s->wl[k].name, line);
  return -1;
}

/* Run the binary on one seed: 0 pass, 1 fail (detail in r). The build's lock
 * (<cache>/<key>.lock) is held shared meanwhile, so the cache is not pruned under it. */
static int run_seed(const sweep_spec *s, const char *bin, int k, int seed, sweep_result *r) {
  char sd[24], cyc[24], out[4096], sb[64], fst[1200] = "", lock[1100];
  snprintf(sd, sizeof sd, "%d", seed);
  snprintf(cyc, sizeof cyc, "%llu", (unsigned long long)s->rtl.cycles);
  char *argv[12] = {(char *)bin, "--seed", sd, "--cycles", cyc, "--quiet", "--mode", "cosim"};
  if (s->rtl.out_dir[0]) {
    snprintf(fst, sizeof fst, "%s/rtl/p%llu-%s-seed%d.fst", s->rtl.out_dir,
             (unsigned long long)r->index, s->wl[k].name, seed);
    argv[8] = "--fst", argv[9] = fst;
  }
  const char *slash = strrchr(bin, '/');
  snprintf(lock, sizeof lock, "%.*s.lock", slash ? (int)(slash - bin) : 0, bin);
  int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lfd >= 0) flock(lfd, LOCK_SH);
  int st = run_capture(argv, out, sizeof out);
  if (lfd >= 0) close(lfd);
  if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  /* The binary is <cache>/<key>/cosim: name the key, so the build can be found. */
  char key[64] = "?";
  const char *e = strrchr(bin, '/');
  if (e) {
    const char *b = e;
    while (b > bin && b[-1] != '/') b--;
    snprintf(key, sizeof key, "%.*s", (int)(e - b), b);
  }
  const char *fail = strstr(out, " FAIL ");
  if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 1 && fail) {
    const char *end = strchr(fail, '\n');
    int n = end ? (int)(end - fail - 6) : (int)strlen(fail + 6);
    set_detail(r, "%s seed %d: %.*s (build %s%s%s)", s->wl[k].name, seed, n, fail + 6, key,
               fst[0] ? ", waveform " : "", fst[0] ? fst : "");
  } else {
    char line[200];
    last_line(out, line, sizeof line);
    set_detail(r, "%s seed %d: co-simulation %s: %s (build %s)", s->wl[k].name, seed,
               st < 0 ? "could not start" : status_text(st, sb, sizeof sb), line, key);
  }
  return 1;
}

mpb_status sweep_rtl_check(const sweep_spec *s, const mpb_config *cfg, sweep_result *r,
                           char *err, size_t errlen) {
  int col = sweep_rtl_col(s);
  if (col < 0) return MPB_OK;
  r->rtl_detail[0] = '\0';
  r->v[col] = SWEEP_RTL_PASS;
  r->v[col + 1] = 0;
  const char *tmpdir = getenv("TMPDIR");
  char cfgfile[600];
  snprintf(cfgfile, sizeof cfgfile, "%s/mpbsweep-rtl-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemp(cfgfile);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f || mpb_config_write(cfg, f) < 0 || fclose(f) != 0) {
    snprintf(err, errlen, "rtl_check: cannot write a temporary file %s: %s", cfgfile,
             strerror(errno));
    if (fd >= 0) unlink(cfgfile);
    return MPB_EIO;
  }
  mpb_status rc = MPB_OK;
  for (int k = 0; k < s->nworkloads; k++) {
    if (!(s->rtl.workloads >> k & 1)) continue;
    char bin[1024];
    int b = find_binary(s, cfgfile, k, r, bin, sizeof bin, err, errlen);
    if (b < 0) {
      rc = MPB_EIO;
      break;
    }
    if (b > 0) {
      r->v[col] = SWEEP_RTL_SKIPPED;
      break;
    }
    bool failed = false;
    for (int seed = 1; seed <= s->rtl.seeds && !failed; seed++) {
      failed = run_seed(s, bin, k, seed, r) != 0;
      if (!failed) r->v[col + 1] += (double)s->rtl.cycles;
    }
    if (failed) {
      r->v[col] = SWEEP_RTL_FAIL;
      break;
    }
  }
  unlink(cfgfile);
  return rc;
}

/* Run tools/cosim-build.sh with the given arguments after the script; its output in out. */
static mpb_status run_script(const sweep_rtl *rtl, char **args, char *out, size_t len,
                             char *err, size_t errlen) {
  char script[600];
  snprintf(script, sizeof script, "%s/tools/cosim-build.sh", rtl->src_dir);
  char *argv[16] = {script, "--src", (char *)rtl->src_dir};
  int a = 3;
  if (rtl->cache[0]) argv[a++] = "--cache", argv[a++] = (char *)rtl->cache;
  for (; *args && a < 15; args++) argv[a++] = *args;
  argv[a] = NULL;
  int st = run_capture(argv, out, len);
  if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) return MPB_OK;
  char line[400], sb[64];
  last_line(out, line, sizeof line);
  snprintf(err, errlen, "rtl_check: %s (%s): %s", script,
           st < 0 ? strerror(errno) : status_text(st, sb, sizeof sb), line);
  return MPB_EIO;
}

mpb_status sweep_rtl_prepare(sweep_rtl *rtl, const char *dir, char *err, size_t errlen) {
  char d[540], out[8192];
  snprintf(d, sizeof d, "%.520s/rtl", dir);
  if (mkdir(d, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create directory %s: %s", d, strerror(errno));
    return MPB_EIO;
  }
  char key[sizeof rtl->src_key];
  snprintf(key, sizeof key, "%s/source.key", d);
  char *args[] = {"--prepare-key", key, NULL};
  mpb_status st = run_script(rtl, args, out, sizeof out, err, errlen);
  if (st) return st;
  snprintf(rtl->src_key, sizeof rtl->src_key, "%s", key);
  snprintf(rtl->out_dir, sizeof rtl->out_dir, "%s", dir);
  return MPB_OK;
}

mpb_status sweep_rtl_prune(const sweep_rtl *rtl, uint64_t max_bytes, char *msg, size_t len,
                           char *err, size_t errlen) {
  char n[24];
  snprintf(n, sizeof n, "%llu", (unsigned long long)max_bytes);
  char *args[] = {"--prune", "--max-size", n, NULL};
  return run_script(rtl, args, msg, len, err, errlen);
}
