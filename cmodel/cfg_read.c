/* cfg_read.c — libconfig input with size and setting-count limits and a check for the
 * integer literals that libconfig 1.5 would silently wrap (see cfg_read.h for why). */
#include "cfg_read.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"

/* Scan the text as libconfig's lexer does (strings, the three comment styles, names,
 * numbers); count the settings (a name followed by '=' or ':'), at most
 * MPB_CFG_MAX_SETTINGS, and check every integer literal: without an L suffix it must lie
 * in [-2^31, 2^31) (hexadecimal: at most 0x7fffffff), with one in the 64-bit range. */
static mpb_status check_text(const char *t, size_t len, const char *name, char *err,
                             size_t n) {
  const char *p = t, *end = t + len;
  int line = 1, settings = 0;
  while (p < end) {
    char c = *p;
    if (c == '\n') {
      line++, p++;
    } else if (c == '"') { /* string with backslash escapes */
      for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end) p++;
        if (*p == '\n') line++;
      }
      p++;
    } else if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
      while (p < end && *p != '\n') p++;
    } else if (c == '/' && p + 1 < end && p[1] == '*') {
      for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
        if (*p == '\n') line++;
      p += 2;
    } else if (isalpha((unsigned char)c) || c == '*' || c == '_' || c == '@') { /* a name */
      for (p++; p < end && (isalnum((unsigned char)*p) || (*p && strchr("-_*", *p))); p++) {
      }
      const char *q = p;
      while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
      if (q < end && (*q == '=' || *q == ':') && ++settings > MPB_CFG_MAX_SETTINGS) {
        set_err(err, n, "%s:%d: more than %d settings (libconfig's parser is quadratic in "
                "them; a configuration file may have at most %d)", name, line,
                MPB_CFG_MAX_SETTINGS, MPB_CFG_MAX_SETTINGS);
        return MPB_EINVAL;
      }
    } else if (isdigit((unsigned char)c) ||
               ((c == '-' || c == '+' || c == '.') && p + 1 < end && isdigit((unsigned char)p[1]))) {
      const char *s = p;
      bool neg = c == '-';
      if (c == '-' || c == '+') p++;
      bool hex = p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
      const char *d = hex ? p + 2 : p;
      while (d < end && (hex ? isxdigit((unsigned char)*d) : isdigit((unsigned char)*d))) d++;
      if (!hex && d < end && (*d == '.' || *d == 'e' || *d == 'E')) { /* a float */
        p = d + 1;
        while (p < end && (isdigit((unsigned char)*p) || (*p && strchr("eE+-.", *p)))) p++;
        continue;
      }
      bool wide = d < end && *d == 'L';
      /* magnitude, saturating above UINT64_MAX */
      uint64_t v = 0;
      bool over = false;
      for (const char *q = hex ? p + 2 : p; q < d; q++) {
        unsigned dig = isdigit((unsigned char)*q) ? (unsigned)(*q - '0')
                                                  : (unsigned)(tolower((unsigned char)*q) - 'a' + 10);
        unsigned base = hex ? 16 : 10;
        if (v > (UINT64_MAX - dig) / base) over = true;
        else v = v * base + dig;
      }
      uint64_t lim = wide ? (hex ? UINT64_MAX : (uint64_t)INT64_MAX + neg)
                          : (hex ? 0x7fffffffu : (uint64_t)INT32_MAX + neg);
      if (over || v > lim) {
        set_err(err, n, "%s:%d: integer %.*s is out of the %s range%s", name, line,
                (int)(d - s) > 40 ? 40 : (int)(d - s), s, wide ? "64-bit" : "32-bit",
                wide ? "" : " (libconfig would wrap it; write a 64-bit value with the L "
                            "suffix, e.g. 5000000000L)");
        return MPB_EINVAL;
      }
      p = d;
      while (p < end && *p == 'L') p++;
    } else {
      p++;
    }
  }
  return MPB_OK;
}

mpb_status mpb_cfg_read_text(config_t *cf, const char *text, size_t len, const char *name,
                             char *err, size_t n) {
  if (len > MPB_CFG_MAX_BYTES) {
    set_err(err, n, "%s: %zu bytes, more than the %d bytes a configuration file may have",
            name, len, MPB_CFG_MAX_BYTES);
    return MPB_EINVAL;
  }
  if (memchr(text, '\0', len)) {
    set_err(err, n, "%s: contains a NUL byte (not a text file)", name);
    return MPB_EINVAL;
  }
  mpb_status st = check_text(text, len, name, err, n);
  if (st != MPB_OK) return st;
  if (!config_read_string(cf, text)) {
    set_err(err, n, "%s:%d: %s", name, config_error_line(cf), config_error_text(cf));
    return MPB_EINVAL;
  }
  return MPB_OK;
}

mpb_status mpb_cfg_read_file(config_t *cf, const char *path, char *err, size_t n) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    set_err(err, n, "%s: cannot read the file: %s", path, strerror(errno));
    return MPB_EIO;
  }
  /* at most one byte past the limit: enough to tell that the file is too large */
  char *buf = malloc(MPB_CFG_MAX_BYTES + 2);
  if (!buf) {
    fclose(f);
    set_err(err, n, "%s: out of memory", path);
    return MPB_EIO;
  }
  size_t len = fread(buf, 1, MPB_CFG_MAX_BYTES + 1, f);
  int e = ferror(f) ? errno : 0;
  fclose(f);
  if (e) {
    free(buf);
    set_err(err, n, "%s: cannot read the file: %s", path, strerror(e));
    return MPB_EIO;
  }
  if (len > MPB_CFG_MAX_BYTES) {
    free(buf);
    set_err(err, n, "%s: more than the %d bytes a configuration file may have", path,
            MPB_CFG_MAX_BYTES);
    return MPB_EINVAL;
  }
  buf[len] = '\0';
  mpb_status st = mpb_cfg_read_text(cf, buf, len, path, err, n);
  free(buf);
  return st;
}
