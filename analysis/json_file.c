/* json_file.c — load a result file with its schema checked, write one (json_file.h). */
#include "json_file.h"
#include "errbuf.h"

#include <string.h>

json_t *json_file_load(const char *path, const char *schema, const char *what, char *err,
                       size_t n) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) {
    set_err(err, n, "%s:%d: %s", path, je.line, je.text);
    return NULL;
  }
  const char *s = json_string_value(json_object_get(root, "schema"));
  if (!s || strcmp(s, schema)) {
    set_err(err, n, "%s: schema is '%s', expected '%s' (%s)", path, s ? s : "(missing)", schema,
            what);
    json_decref(root);
    return NULL;
  }
  return root;
}

int json_file_dump(json_t *root, FILE *f) {
  return json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) || fputc('\n', f) == EOF
             ? -1
             : 0;
}
