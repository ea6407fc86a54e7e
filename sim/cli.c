/* cli.c — shared helpers of the mpbsim CLI: atomic output files and option parsing. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_out_open(cli_out *o, const char *cmd, const char *path) {
  memset(o, 0, sizeof *o);
  /* a device or a pipe (/dev/stdout, /dev/full, a FIFO) is written directly */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    o->f = fopen(path, "w");
    if (!o->f) {
      fprintf(stderr, "mpbsim %s: cannot write %s: %s\n", cmd, path, strerror(errno));
      return -1;
    }
    o->path = strdup(path);
    if (!o->path) {
      fprintf(stderr, "mpbsim %s: out of memory\n", cmd);
      cli_out_abort(o);
      return -1;
    }
    return 0;
  }
  /* the temporary file: "<dir>/.mpbsim.<pid>.XXXXXX", short whatever the name's length
   * (a legal 255-byte name stays legal) */
  const char *slash = strrchr(path, '/');
  int dl = slash ? (int)(slash - path) + 1 : 0;
  size_t n = (size_t)dl + 64;
  o->path = strdup(path);
  o->tmp = malloc(n);
  if (!o->path || !o->tmp) {
    fprintf(stderr, "mpbsim %s: out of memory\n", cmd);
    cli_out_abort(o);
    return -1;
  }
  snprintf(o->tmp, n, "%.*s.mpbsim.%ld.XXXXXX", dl, path, (long)getpid());
  int fd = mkstemp(o->tmp);
  if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
    int e = errno;
    if (fd >= 0) close(fd), unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL; /* nothing to remove */
    fprintf(stderr, "mpbsim %s: cannot write %s: %s\n", cmd, path, strerror(e));
    cli_out_abort(o);
    return -1;
  }
  /* mkstemp creates 0600; give the file the mode an ordinary fopen would (0666 & ~umask) */
  mode_t um = umask(0);
  umask(um);
  fchmod(fd, 0666 & ~um);
  return 0;
}

int cli_out_commit(cli_out *o, const char *cmd) {
  int bad = ferror(o->f), e = 0;
  errno = 0;
  if (fflush(o->f) != 0) bad = 1, e = errno;
  if (fclose(o->f) != 0 && !bad) bad = 1, e = errno;
  o->f = NULL;
  if (!bad && o->tmp && rename(o->tmp, o->path) != 0) bad = 1, e = errno;
  if (bad) {
    fprintf(stderr, "mpbsim %s: cannot write %s: %s\n", cmd, o->path,
            e ? strerror(e) : "write error");
    cli_out_abort(o);
    return -1;
  }
  free(o->tmp);
  free(o->path);
  o->tmp = o->path = NULL;
  return 0;
}

int cli_out_fail(cli_out *o, const char *cmd) {
  int e = errno;
  fprintf(stderr, "mpbsim %s: cannot write %s: %s\n", cmd, o->path ? o->path : "output",
          e ? strerror(e) : "write error");
  cli_out_abort(o);
  return -1;
}

void cli_out_abort(cli_out *o) {
  if (o->f) fclose(o->f);
  if (o->tmp) unlink(o->tmp);
  free(o->tmp);
  free(o->path);
  memset(o, 0, sizeof *o);
}

int cli_write_stdout(const char *cmd, const char *text) {
  errno = 0;
  if (fputs(text, stdout) != EOF && fflush(stdout) == 0) return MPB_EXIT_OK;
  fprintf(stderr, "mpbsim %s: cannot write standard output: %s\n", cmd,
          errno ? strerror(errno) : "write error");
  __fpurge(stdout); /* what is left cannot be written either: no second message at exit */
  clearerr(stdout);
  return MPB_EXIT_IO;
}

int cli_mkdirs(const char *cmd, const char *dir) {
  char buf[4096];
  size_t n = strlen(dir);
  if (n == 0 || n >= sizeof buf) {
    fprintf(stderr, "mpbsim %s: bad directory name '%s'\n", cmd, dir);
    return -1;
  }
  memcpy(buf, dir, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mpbsim %s: cannot create directory %s: %s\n", cmd, buf,
                strerror(errno));
        return -1;
      }
      buf[i] = c;
    }
  }
  return 0;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi,
                   long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 0);
  if (errno || end == s || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "mpbsim %s: option --%s: '%s' is not an integer in [%ld, %ld]\n", cmd,
            opt, s, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi,
                     double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
    fprintf(stderr, "mpbsim %s: option --%s: '%s' is not a number in [%g, %g]\n", cmd, opt,
            s, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_no_operands(const char *cmd, int optind_, int argc, char **argv) {
  if (optind_ >= argc) return 0;
  fprintf(stderr, "mpbsim %s: unexpected argument '%s'\n", cmd, argv[optind_]);
  return MPB_EXIT_USAGE;
}
