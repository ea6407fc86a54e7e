/* sweep_store.c — the on-disk store of finished sweep points, the basis of resuming.
 *
 * DIR/sweep.id     "mpbsweep1 <spec hash>": which spec the directory belongs to.
 * DIR/points/p<index>.row   one line per finished point:
 *   "mpbsweep1 <hash> <index> <value> ... <value> crc=<crc32 of the text before it>"
 * With rtl_check, the co-simulation's text follows the values: " rtl=<text>" with every
 * byte other than [A-Za-z0-9._:,/()+=-] as %XX ("rtl=-" if empty), inside the CRC.
 * Each file is written under a temporary name (".tmp.<pid>.<index>", ignored by readers)
 * and renamed into place, so a reader sees a complete row or nothing, even after
 * kill -9; the CRC additionally rejects a damaged file (it is then recomputed). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sweep.h"

#define STORE_MAGIC "mpbsweep1"

static mpb_status mkdir_p(const char *dir, char *err, size_t errlen) {
  char buf[1024];
  size_t n = strlen(dir);
  if (n == 0 || n >= sizeof buf) {
    snprintf(err, errlen, "bad directory name '%s'", dir);
    return MPB_EIO;
  }
  memcpy(buf, dir, n + 1);
  for (size_t i = 1; i <= n; i++)
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
        return MPB_EIO;
      }
      buf[i] = c;
    }
  return MPB_OK;
}

/* Write text to path atomically (temporary file + rename). */
static mpb_status write_atomic(const char *path, const char *text, size_t len, char *err,
                               size_t errlen) {
  char tmp[1100];
  const char *slash = strrchr(path, '/');
  int dl = slash ? (int)(slash - path) : 0;
  snprintf(tmp, sizeof tmp, "%.*s%s.tmp.%ld.%s", dl, path, slash ? "/" : "", (long)getpid(),
           slash ? slash + 1 : path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    return MPB_EIO;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
      close(fd);
      unlink(tmp);
      return MPB_EIO;
    }
    off += (size_t)w;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return MPB_EIO;
  }
  return MPB_OK;
}


/* Check or create DIR/sweep.id for this spec. */
static mpb_status check_id(const char *dir, const sweep_spec *s, char *err, size_t errlen) {
  char p[1100], want[64], have[64] = "";
  snprintf(p, sizeof p, "%s/sweep.id", dir);
  snprintf(want, sizeof want, "%s %016llx\n", STORE_MAGIC, (unsigned long long)s->hash);
  FILE *f = fopen(p, "r");
  if (f) {
    if (!fgets(have, sizeof have, f)) have[0] = '\0';
    fclose(f);
    if (strcmp(have, want)) {
      have[strcspn(have, "\n")] = '\0';
      snprintf(err, errlen, "%s holds the results of a different sweep (%s; this spec is "
               "%016llx): use another output directory or remove it", dir, have,
               (unsigned long long)s->hash);
      return MPB_EINVAL;
    }
    return MPB_OK;
  }
  return write_atomic(p, want, strlen(want), err, errlen);
}

mpb_status sweep_store_init(const char *dir, const sweep_spec *s, char *err, size_t errlen) {
  char p[1100];
  snprintf(p, sizeof p, "%s/points", dir);
  mpb_status rc = mkdir_p(p, err, errlen);
  return rc ? rc : check_id(dir, s, err, errlen);
}

static bool plain_byte(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         (ch && strchr("._:,/()+=-", ch));
}

/* Append " rtl=<escaped text>" to line (n used of len). */
static int put_detail(char *line, size_t len, int n, const char *text) {
  n += snprintf(line + n, len - (size_t)n, " rtl=%s", *text ? "" : "-");
  for (const unsigned char *p = (const unsigned char *)text; *p && (size_t)n + 4 < len; p++)
    n += plain_byte(*p) ? snprintf(line + n, len - (size_t)n, "%c", *p)
                        : snprintf(line + n, len - (size_t)n, "%%%02X", *p);
  return n;
}

/* Parse "rtl=<escaped text>" at q into out; returns the end, or NULL if malformed. */
static char *get_detail(char *q, char *out, size_t len) {
  if (strncmp(q, "rtl=", 4)) return NULL;
  q += 4;
  size_t n = 0;
  if (*q == '-' && (q[1] == '\0' || q[1] == ' ')) q++;
  while (*q && *q != ' ') {
    unsigned ch = (unsigned char)*q;
    if (*q == '%') {
      if (sscanf(q + 1, "%2x", &ch) != 1 || !q[1] || !q[2]) return NULL;
      q += 3;
    } else if (plain_byte((unsigned char)*q)) {
      q++;
    } else {
      return NULL;
    }
    if (n + 1 < len) out[n++] = (char)ch;
  }
  out[n] = '\0';
  return q;
}

static void row_path(const char *dir, uint64_t index, char *buf, size_t len) {
  snprintf(buf, len, "%s/points/p%012llu.row", dir, (unsigned long long)index);
}

mpb_status sweep_store_put(const char *dir, const sweep_spec *s, const sweep_result *r,
                           char *err, size_t errlen) {
  char line[4096];
  int n = snprintf(line, sizeof line, "%s %016llx %llu", STORE_MAGIC,
                   (unsigned long long)s->hash, (unsigned long long)r->index);
  for (int k = 0; k < sweep_nvalues(s); k++)
    n += snprintf(line + n, sizeof line - (size_t)n, " %.17g", r->v[k]);
  if (s->rtl.on) n = put_detail(line, sizeof line - 32, n, r->rtl_detail);
  uLong crc = crc32(0L, (const Bytef *)line, (uInt)n);
  n += snprintf(line + n, sizeof line - (size_t)n, " crc=%08lx\n", (unsigned long)crc);
  char p[1100];
  row_path(dir, r->index, p, sizeof p);
  return write_atomic(p, line, (size_t)n, err, errlen);
}

int sweep_store_get(const char *dir, const sweep_spec *s, uint64_t index, sweep_result *r,
                    char *err, size_t errlen) {
  char p[1100], line[4096];
  row_path(dir, index, p, sizeof p);
  FILE *f = fopen(p, "r");
  if (!f) return 0;
  size_t len = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[len] = '\0';
  char *crcp = strstr(line, " crc=");
  if (!crcp || len == 0 || line[len - 1] != '\n') return 0;
  unsigned long want = strtoul(crcp + 5, NULL, 16);
  if (crc32(0L, (const Bytef *)line, (uInt)(crcp - line)) != want) return 0;
  *crcp = '\0';
  char magic[16];
  unsigned long long hash, idx;
  int used = 0;
  if (sscanf(line, "%15s %llx %llu%n", magic, &hash, &idx, &used) != 3 ||
      strcmp(magic, STORE_MAGIC) || idx != index)
    return 0;
  if (hash != s->hash) {
    snprintf(err, errlen, "%s belongs to a different sweep (spec hash %016llx, this spec "
             "%016llx)", p, hash, (unsigned long long)s->hash);
    return -1;
  }
  memset(r, 0, sizeof *r);
  r->index = index;
  char *q = line + used;
  for (int k = 0; k < sweep_nvalues(s); k++) {
    char *end;
    r->v[k] = strtod(q, &end);
    if (end == q) return 0;
    q = end;
  }
  while (*q == ' ') q++;
  if (s->rtl.on && !(q = get_detail(q, r->rtl_detail, sizeof r->rtl_detail))) return 0;
  return *q == '\0' ? 1 : 0;
}
