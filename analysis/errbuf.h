/* errbuf.h — how analysis/ returns error text: printf into the caller's buffer (err may
 * be NULL or n 0: nothing is written). One definition for every file of the library. */
#ifndef MPB_ANALYSIS_ERRBUF_H
#define MPB_ANALYSIS_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void set_err(char *err, size_t n, const char *fmt, ...) {
  if (!err || !n) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, n, fmt, ap);
  va_end(ap);
}

#endif
