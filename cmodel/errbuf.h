/* errbuf.h — how the C libraries (cmodel, traces, analysis) return error text: printf
 * into the caller's buffer, never to a stream. err may be NULL or n 0: nothing is
 * written. set_err() for void paths, fail() where the caller returns -1 at once. */
#ifndef MPB_ERRBUF_H
#define MPB_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void verr(char *err, size_t n, const char *fmt, va_list ap) {
  if (err && n) vsnprintf(err, n, fmt, ap);
}

static inline void set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void set_err(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(err, n, fmt, ap);
  va_end(ap);
}

/* set_err(), then -1 */
static inline int fail(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int fail(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(err, n, fmt, ap);
  va_end(ap);
  return -1;
}

#endif
