/* tensor_file.c — strict .npy and safetensors parsers (see tensor_file.h). */
#include "tensor_file.h"
#include "errbuf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *npy, *st;
  size_t size;
} dtypes[TF_NDTYPE] = {
    [TF_F32] = {"f4", "F32", 4}, [TF_F64] = {"f8", "F64", 8}, [TF_F16] = {"f2", "F16", 2},
    [TF_BF16] = {NULL, "BF16", 2}, [TF_I8] = {"i1", "I8", 1},  [TF_I16] = {"i2", "I16", 2},
    [TF_I32] = {"i4", "I32", 4},  [TF_I64] = {"i8", "I64", 8}, [TF_U8] = {"u1", "U8", 1},
    [TF_U16] = {"u2", "U16", 2},  [TF_U32] = {"u4", "U32", 4}, [TF_U64] = {"u8", "U64", 8},
};

size_t tf_dtype_size(tf_dtype t) { return t < TF_NDTYPE ? dtypes[t].size : 0; }
const char *tf_dtype_name(tf_dtype t) { return t < TF_NDTYPE ? dtypes[t].st : "?"; }

static uint64_t le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static double half_to_double(uint16_t h) {
  int e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
  return (h & 0x8000) ? -v : v;
}

double tf_get(const tf_tensor *t, uint64_t i) {
  size_t s = tf_dtype_size(t->dtype);
  const uint8_t *p = t->data + i * s;
  uint64_t u = le(p, (int)s);
  switch (t->dtype) {
  case TF_F32: { uint32_t b = (uint32_t)u; float f; memcpy(&f, &b, 4); return f; }
  case TF_F64: { double d; memcpy(&d, &u, 8); return d; }
  case TF_F16: return half_to_double((uint16_t)u);
  case TF_BF16: { uint32_t b = (uint32_t)u << 16; float f; memcpy(&f, &b, 4); return f; }
  case TF_I8: return (int8_t)u;
  case TF_I16: return (int16_t)u;
  case TF_I32: return (int32_t)u;
  case TF_I64: return (double)(int64_t)u;
  default: return (double)u;
  }
}

/* nelem = product of shape, with overflow and size checks; returns -1 on overflow. */
static int shape_product(const uint64_t *shape, uint32_t nd, size_t itemsize, uint64_t *nelem) {
  uint64_t n = 1;
  for (uint32_t i = 0; i < nd; i++) {
    if (shape[i] && n > UINT64_MAX / shape[i]) return -1;
    n *= shape[i];
  }
  if (itemsize && n > UINT64_MAX / itemsize) return -1;
  *nelem = n;
  return 0;
}

/* ---- .npy ----------------------------------------------------------------------------- */
/* The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }. This tiny scanner accepts exactly that grammar. */
typedef struct scan {
  const char *p, *end;
} scan;

static void skip_ws(scan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\t')) s->p++;
}
static int expect(scan *s, char c) {
  skip_ws(s);
  if (s->p < s->end && *s->p == c) {
    s->p++;
    return 0;
  }
  return -1;
}
static int read_str(scan *s, char *out, size_t n) {
  skip_ws(s);
  if (s->p >= s->end || (*s->p != '\'' && *s->p != '"')) return -1;
  char q = *s->p++;
  size_t k = 0;
  while (s->p < s->end && *s->p != q) {
    if (k + 1 >= n) return -1;
    out[k++] = *s->p++;
  }
  if (s->p >= s->end) return -1;
  s->p++;
  out[k] = 0;
  return 0;
}

int npy_parse(const uint8_t *data, size_t size, const char *name, tf_tensor *out, char *err,
              size_t errlen) {
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", name);
  if (size < 10 || memcmp(data, "\x93NUMPY", 6))
    return fail(err, errlen, "%s: not a .npy file (magic \\x93NUMPY missing)", name);
  int major = data[6];
  if (major < 1 || major > 3)
    return fail(err, errlen, "%s: field version = %d.%d, expected major 1, 2 or 3", name, major,
                data[7]);
  size_t hl_size = major == 1 ? 2 : 4, pre = 8 + hl_size;
  if (size < pre) return fail(err, errlen, "%s: truncated header length", name);
  uint64_t hlen = le(data + 8, (int)hl_size);
  if (hlen > size - pre || hlen > 65536)
    return fail(err, errlen, "%s: field header_len = %llu, expected [1, %zu]", name,
                (unsigned long long)hlen, size - pre < 65536 ? size - pre : 65536);
  scan s = {(const char *)data + pre, (const char *)data + pre + hlen};
  char key[32], descr[16] = "";
  int fortran = -1, have_shape = 0;
  if (expect(&s, '{')) return fail(err, errlen, "%s: header is not a dict literal", name);
  for (;;) {
    skip_ws(&s);
    if (!expect(&s, '}')) break;
    if (read_str(&s, key, sizeof key) || expect(&s, ':'))
      return fail(err, errlen, "%s: malformed header near offset %zu", name,
                  (size_t)(s.p - (const char *)data));
    skip_ws(&s);
    /* a key given twice is an error (NumPy's dict would keep the last one silently) */
    if ((!strcmp(key, "descr") && descr[0]) || (!strcmp(key, "fortran_order") && fortran >= 0) ||
        (!strcmp(key, "shape") && have_shape))
      return fail(err, errlen, "%s: header key '%s' appears twice", name, key);
    if (!strcmp(key, "descr")) {
      if (read_str(&s, descr, sizeof descr))
        return fail(err, errlen, "%s: field descr is not a short string", name);
    } else if (!strcmp(key, "fortran_order")) {
      if ((size_t)(s.end - s.p) >= 5 && !memcmp(s.p, "False", 5)) fortran = 0, s.p += 5;
      else if ((size_t)(s.end - s.p) >= 4 && !memcmp(s.p, "True", 4)) fortran = 1, s.p += 4;
      else return fail(err, errlen, "%s: field fortran_order is not True/False", name);
    } else if (!strcmp(key, "shape")) {
      if (expect(&s, '(')) return fail(err, errlen, "%s: field shape is not a tuple", name);
      for (;;) {
        skip_ws(&s);
        if (!expect(&s, ')')) break;
        if (out->ndim >= TF_MAX_DIMS)
          return fail(err, errlen, "%s: field shape has more than %d dimensions", name,
                      TF_MAX_DIMS);
        uint64_t v = 0;
        int digits = 0;
        while (s.p < s.end && *s.p >= '0' && *s.p <= '9') {
          if (v > (UINT64_MAX - 9) / 10)
            return fail(err, errlen, "%s: field shape[%u] overflows", name, out->ndim);
          v = v * 10 + (uint64_t)(*s.p++ - '0');
          digits++;
        }
        if (!digits)
          return fail(err, errlen, "%s: field shape[%u] is not a non-negative integer", name,
                      out->ndim);
        out->shape[out->ndim++] = v;
        skip_ws(&s);
        if (expect(&s, ',') && expect(&s, ')'))
          return fail(err, errlen, "%s: field shape: expected ',' or ')'", name);
        if (s.p[-1] == ')') break;
      }
      have_shape = 1;
    } else {
      return fail(err, errlen, "%s: unknown header key '%s'", name, key);
    }
    skip_ws(&s);
    if (!expect(&s, '}')) break;
    if (expect(&s, ',')) return fail(err, errlen, "%s: malformed header: expected ','", name);
  }
  if (!descr[0] || fortran < 0 || !have_shape)
    return fail(err, errlen, "%s: header lacks descr, fortran_order or shape", name);
  if (fortran)
    return fail(err, errlen, "%s: field fortran_order = True, expected False (save a C-order "
                "array: np.ascontiguousarray)", name);
  char order = descr[0];
  const char *code = descr + 1;
  int found = -1;
  for (int t = 0; t < TF_NDTYPE; t++)
    if (dtypes[t].npy && !strcmp(code, dtypes[t].npy)) found = t;
  if (found < 0 || (order != '<' && order != '|' && order != '=') ||
      (order == '|' && dtypes[found].size != 1))
    return fail(err, errlen, "%s: field descr = '%s', expected little-endian f2/f4/f8/i1-i8/"
                "u1-u8 (e.g. '<f4')", name, descr);
  out->dtype = (tf_dtype)found;
  size_t isz = dtypes[found].size, off = pre + (size_t)hlen;
  if (shape_product(out->shape, out->ndim, isz, &out->nelem))
    return fail(err, errlen, "%s: field shape: element count overflows", name);
  if (out->nelem * isz != size - off)
    return fail(err, errlen, "%s: data is %zu bytes, shape and descr need %llu", name,
                size - off, (unsigned long long)(out->nelem * isz));
  out->data = data + off;
  return 0;
}

/* ---- safetensors ---------------------------------------------------------------------- */
int safetensors_parse(const uint8_t *data, size_t size, const char *name, tf_tensor **out,
                      size_t *n, char *err, size_t errlen) {
  *out = NULL;
  *n = 0;
  if (size < 8) return fail(err, errlen, "%s: truncated: %zu bytes, header length needs 8", name, size);
  uint64_t hlen = le(data, 8);
  if (hlen < 2 || hlen > size - 8 || hlen > (100u << 20))
    return fail(err, errlen, "%s: field header_len = %llu, expected [2, %llu]", name,
                (unsigned long long)hlen,
                (unsigned long long)(size - 8 < (100u << 20) ? size - 8 : (100u << 20)));
  json_error_t je;
  json_t *root = json_loadb((const char *)data + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &je);
  if (!root) return fail(err, errlen, "%s: header JSON: %s (line %d)", name, je.text, je.line);
  int rc = -1;
  if (!json_is_object(root)) {
    fail(err, errlen, "%s: header JSON is not an object", name);
    goto done;
  }
  size_t cap = json_object_size(root);
  tf_tensor *t = calloc(cap ? cap : 1, sizeof *t);
  if (!t) {
    fail(err, errlen, "%s: out of memory", name);
    goto done;
  }
  *out = t;
  const uint8_t *base = data + 8 + hlen;
  uint64_t dsize = size - 8 - hlen;
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    if (!strcmp(key, "__metadata__")) continue;
    tf_tensor *x = &t[*n];
    if (strlen(key) >= TF_NAME_MAX) {
      fail(err, errlen, "%s: tensor name '%.40s...' longer than %d bytes", name, key,
           TF_NAME_MAX - 1);
      goto done;
    }
    snprintf(x->name, sizeof x->name, "%s", key);
    json_t *dt = json_object_get(v, "dtype"), *sh = json_object_get(v, "shape"),
           *of = json_object_get(v, "data_offsets");
    if (!json_is_object(v) || !json_is_string(dt) || !json_is_array(sh) || !json_is_array(of) ||
        json_array_size(of) != 2) {
      fail(err, errlen, "%s: tensor '%s': needs dtype (string), shape (array), data_offsets "
           "([begin, end])", name, key);
      goto done;
    }
    int found = -1;
    for (int k = 0; k < TF_NDTYPE; k++)
      if (!strcmp(json_string_value(dt), dtypes[k].st)) found = k;
    if (found < 0) {
      fail(err, errlen, "%s: tensor '%s': field dtype = '%s', expected F32/F64/F16/BF16/"
           "I8-I64/U8-U64", name, key, json_string_value(dt));
      goto done;
    }
    x->dtype = (tf_dtype)found;
    if (json_array_size(sh) > TF_MAX_DIMS) {
      fail(err, errlen, "%s: tensor '%s': field shape has %zu dimensions, expected <= %d",
           name, key, json_array_size(sh), TF_MAX_DIMS);
      goto done;
    }
    x->ndim = (uint32_t)json_array_size(sh);
    for (uint32_t i = 0; i < x->ndim; i++) {
      json_t *d = json_array_get(sh, i);
      if (!json_is_integer(d) || json_integer_value(d) < 0) {
        fail(err, errlen, "%s: tensor '%s': field shape[%u] is not a non-negative integer",
             name, key, i);
        goto done;
      }
      x->shape[i] = (uint64_t)json_integer_value(d);
    }
    json_t *b0 = json_array_get(of, 0), *b1 = json_array_get(of, 1);
    if (!json_is_integer(b0) || !json_is_integer(b1) || json_integer_value(b0) < 0 ||
        json_integer_value(b1) < json_integer_value(b0) ||
        (uint64_t)json_integer_value(b1) > dsize) {
      fail(err, errlen, "%s: tensor '%s': field data_offsets = [%lld, %lld], expected "
           "0 <= begin <= end <= %llu", name, key,
           json_is_integer(b0) ? (long long)json_integer_value(b0) : -1LL,
           json_is_integer(b1) ? (long long)json_integer_value(b1) : -1LL,
           (unsigned long long)dsize);
      goto done;
    }
    uint64_t beg = (uint64_t)json_integer_value(b0), end = (uint64_t)json_integer_value(b1);
    if (shape_product(x->shape, x->ndim, dtypes[found].size, &x->nelem) ||
        x->nelem * dtypes[found].size != end - beg) {
      fail(err, errlen, "%s: tensor '%s': data_offsets span %llu bytes, shape and dtype %s "
           "need %llu", name, key, (unsigned long long)(end - beg), dtypes[found].st,
           (unsigned long long)(x->nelem * dtypes[found].size));
      goto done;
    }
    x->data = base + beg;
    (*n)++;
  }
  rc = 0;
done:
  json_decref(root);
  if (rc) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

int tf_read_file(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen) {
  *buf = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  int rc = -1;
  long n;
  if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fail(err, errlen, "%s: cannot determine the size (not a regular file?)", path);
    goto done;
  }
  if ((unsigned long long)n > TF_MAX_FILE) {
    fail(err, errlen, "%s: %ld bytes, larger than the limit %llu", path, n, TF_MAX_FILE);
    goto done;
  }
  *buf = malloc(n ? (size_t)n : 1);
  if (!*buf) {
    fail(err, errlen, "%s: out of memory for %ld bytes", path, n);
    goto done;
  }
  if (fread(*buf, 1, (size_t)n, f) != (size_t)n) {
    fail(err, errlen, "%s: read failed", path);
    free(*buf);
    *buf = NULL;
    goto done;
  }
  *size = (size_t)n;
  rc = 0;
done:
  fclose(f);
  return rc;
}
