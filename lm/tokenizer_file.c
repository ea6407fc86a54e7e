/* tokenizer_file.c — read a token-id file: decimal ids separated by white space, '#' starts
 * a comment to the end of the line (data/passage.tokens is one). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "errbuf.h"

int tok_read_ids(const char *path, int32_t n_vocab, int32_t *ids, size_t max, size_t *n,
                 char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  *n = 0;
  int c, line = 1;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') line++;
    if (c == '#') {
      while ((c = fgetc(f)) != EOF && c != '\n') {}
      line++;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c < '0' || c > '9') {
      fclose(f);
      return fail(err, errlen, "%s:%d: token id expected, found '%c'", path, line, c);
    }
    long v = 0;
    while (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      if (v >= n_vocab) {
        fclose(f);
        return fail(err, errlen, "%s:%d: token id is not in [0, %d]", path, line, n_vocab - 1);
      }
      c = fgetc(f);
    }
    if (c != EOF) ungetc(c, f);
    if (*n >= max) {
      fclose(f);
      return fail(err, errlen, "%s: more than %zu token ids", path, max);
    }
    ids[(*n)++] = (int32_t)v;
  }
  fclose(f);
  return 0;
}
