/* json_file.h — the JSON result files the analysis reads back (closed-loop, SSM, hybrid
 * and gate-level results): load one and check its "schema" member, write one. One place
 * for the messages: a parse error names the file, line and jansson's reason; a wrong
 * schema names the file, what it holds and what was expected. */
#ifndef MPB_JSON_FILE_H
#define MPB_JSON_FILE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The parsed file when it parses and its "schema" is `schema`; NULL with a message in
 * err[n] otherwise ("PATH: schema is 'X', expected 'SCHEMA' (WHAT)"; what names the
 * command that writes such files). The caller json_decref()s the result. */
json_t *json_file_load(const char *path, const char *schema, const char *what, char *err,
                       size_t n);

/* root written to f, indented, reals with 9 significant digits, a final newline.
 * Returns 0, or -1 on a write error. */
int json_file_dump(json_t *root, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
