/* gguf.c — strict GGUF container parser: header, metadata key/values (all types, arrays),
 * tensor descriptors, alignment and data offsets, each checked against the file size
 * before use. Dequantization lives in gguf_quant.c. */
#include "gguf.h"
#include "errbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd {
  const uint8_t *p;
  size_t size, pos;
  const char *name;
  char *err;
  size_t errlen;
} rd;

static size_t remaining(const rd *r) { return r->size - r->pos; }

static int read_bytes(rd *r, void *dst, size_t n, const char *field) {
  if (n > remaining(r))
    return fail(r->err, r->errlen,
                "%s: truncated at byte %zu reading %s (%zu bytes needed, %zu left)", r->name,
                r->pos, field, n, remaining(r));
  memcpy(dst, r->p + r->pos, n);
  r->pos += n;
  return 0;
}

static int read_u32(rd *r, uint32_t *v, const char *field) {
  uint8_t b[4] = {0};
  if (read_bytes(r, b, 4, field)) return -1;
  *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return 0;
}

static int read_u64(rd *r, uint64_t *v, const char *field) {
  uint32_t lo, hi;
  if (read_u32(r, &lo, field) || read_u32(r, &hi, field)) return -1;
  *v = (uint64_t)hi << 32 | lo;
  return 0;
}

/* A GGUF string: u64 length then bytes; the length must fit in the rest of the file. */
static int read_str(rd *r, gguf_str *s, const char *field) {
  size_t at = r->pos;
  if (read_u64(r, &s->len, field)) return -1;
  if (s->len > remaining(r))
    return fail(r->err, r->errlen,
                "%s: %s at byte %zu: string length %llu exceeds the %zu bytes left in the file",
                r->name, field, at, (unsigned long long)s->len, remaining(r));
  s->ptr = (const char *)r->p + r->pos;
  r->pos += (size_t)s->len;
  return 0;
}

static char *dup_str(const gguf_str *s) {
  char *c = malloc((size_t)s->len + 1);
  if (!c) return NULL;
  memcpy(c, s->ptr, (size_t)s->len);
  c[s->len] = 0;
  return c;
}

static const size_t kScalarSize[GGUF_NTYPES] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

const char *gguf_vtype_name(uint32_t t) {
  static const char *n[GGUF_NTYPES] = {"uint8", "int8",  "uint16", "int16", "uint32",
                                       "int32", "float32", "bool", "string", "array",
                                       "uint64", "int64", "float64"};
  return t < GGUF_NTYPES ? n[t] : "unknown";
}

/* Decode one fixed-size scalar at p into kv->v. */
static void decode_scalar(uint32_t type, const uint8_t *p, gguf_kv *kv) {
  uint64_t u = 0;
  size_t n = kScalarSize[type];
  for (size_t i = 0; i < n; i++) u |= (uint64_t)p[i] << (8 * i);
  switch (type) {
  case GGUF_INT8: kv->v.i = (int8_t)u; break;
  case GGUF_INT16: kv->v.i = (int16_t)u; break;
  case GGUF_INT32: kv->v.i = (int32_t)u; break;
  case GGUF_INT64: kv->v.i = (int64_t)u; break;
  case GGUF_FLOAT32: {
    uint32_t w = (uint32_t)u;
    float f;
    memcpy(&f, &w, 4);
    kv->v.f = f;
    break;
  }
  case GGUF_FLOAT64: memcpy(&kv->v.f, &u, 8); break;
  default: kv->v.u = u; break;
  }
}

static int read_value(rd *r, gguf_kv *kv) {
  if (kv->type >= GGUF_NTYPES)
    return fail(r->err, r->errlen, "%s: key '%s': value type %u is not in [0, %d]", r->name,
                kv->key, kv->type, GGUF_NTYPES - 1);
  if (kv->type == GGUF_STRING) return read_str(r, &kv->str, kv->key);
  if (kv->type != GGUF_ARRAY) {
    uint8_t b[8] = {0};
    if (read_bytes(r, b, kScalarSize[kv->type], kv->key)) return -1;
    decode_scalar(kv->type, b, kv);
    if (kv->type == GGUF_BOOL && kv->v.u > 1)
      return fail(r->err, r->errlen, "%s: key '%s': bool value %llu is not 0 or 1", r->name,
                  kv->key, (unsigned long long)kv->v.u);
    return 0;
  }
  if (read_u32(r, &kv->arr_type, kv->key) || read_u64(r, &kv->arr_n, kv->key)) return -1;
  if (kv->arr_type >= GGUF_NTYPES || kv->arr_type == GGUF_ARRAY)
    return fail(r->err, r->errlen,
                "%s: key '%s': array element type %u is not a scalar or string type "
                "(0..8, 10..12)", r->name, kv->key, kv->arr_type);
  if (kv->arr_type == GGUF_STRING) {
    /* Each string takes at least its 8-byte length. */
    if (kv->arr_n > remaining(r) / 8)
      return fail(r->err, r->errlen,
                  "%s: key '%s': array of %llu strings cannot fit in the %zu bytes left",
                  r->name, kv->key, (unsigned long long)kv->arr_n, remaining(r));
    kv->arr_str = calloc(kv->arr_n ? (size_t)kv->arr_n : 1, sizeof *kv->arr_str);
    if (!kv->arr_str) return fail(r->err, r->errlen, "%s: out of memory", r->name);
    for (uint64_t i = 0; i < kv->arr_n; i++)
      if (read_str(r, &kv->arr_str[i], kv->key)) return -1;
    return 0;
  }
  size_t es = kScalarSize[kv->arr_type];
  if (kv->arr_n > remaining(r) / es)
    return fail(r->err, r->errlen,
                "%s: key '%s': array of %llu %s elements (%zu bytes each) exceeds the %zu "
                "bytes left", r->name, kv->key, (unsigned long long)kv->arr_n,
                gguf_vtype_name(kv->arr_type), es, remaining(r));
  kv->arr_data = r->p + r->pos;
  r->pos += (size_t)kv->arr_n * es;
  if (kv->arr_type == GGUF_BOOL)
    for (uint64_t i = 0; i < kv->arr_n; i++)
      if (kv->arr_data[i] > 1)
        return fail(r->err, r->errlen, "%s: key '%s': bool element %llu is %u, not 0 or 1",
                    r->name, kv->key, (unsigned long long)i, kv->arr_data[i]);
  return 0;
}

void gguf_close(gguf_file *g) {
  if (!g) return;
  if (g->kv)
    for (uint64_t i = 0; i < g->n_kv; i++) {
      free(g->kv[i].key);
      free(g->kv[i].arr_str);
    }
  if (g->tensors)
    for (uint64_t i = 0; i < g->n_tensors; i++) free(g->tensors[i].name);
  free(g->kv);
  free(g->tensors);
  free(g->buf);
  free(g->path);
  free(g);
}

const gguf_kv *gguf_find_kv(const gguf_file *g, const char *key) {
  for (uint64_t i = 0; i < g->n_kv; i++)
    if (!strcmp(g->kv[i].key, key)) return &g->kv[i];
  return NULL;
}

const gguf_tensor *gguf_find_tensor(const gguf_file *g, const char *name) {
  for (uint64_t i = 0; i < g->n_tensors; i++)
    if (!strcmp(g->tensors[i].name, name)) return &g->tensors[i];
  return NULL;
}

static int parse_kvs(gguf_file *g, rd *r) {
  /* Each key/value takes at least 8 (key length) + 4 (type) + 1 bytes. */
  if (g->n_kv > remaining(r) / 13)
    return fail(r->err, r->errlen,
                "%s: header field metadata_kv_count = %llu cannot fit in the %zu bytes left "
                "(at most %zu)", r->name, (unsigned long long)g->n_kv, remaining(r),
                remaining(r) / 13);
  g->kv = calloc(g->n_kv ? (size_t)g->n_kv : 1, sizeof *g->kv);
  if (!g->kv) return fail(r->err, r->errlen, "%s: out of memory", r->name);
  for (uint64_t i = 0; i < g->n_kv; i++) {
    gguf_kv *kv = &g->kv[i];
    gguf_str k;
    char field[48];
    snprintf(field, sizeof field, "metadata key #%llu", (unsigned long long)i);
    if (read_str(r, &k, field)) return -1;
    if (k.len == 0 || k.len > 65535)
      return fail(r->err, r->errlen, "%s: %s: key length %llu is not in [1, 65535]", r->name,
                  field, (unsigned long long)k.len);
    if (memchr(k.ptr, 0, (size_t)k.len))
      return fail(r->err, r->errlen, "%s: %s: key contains a NUL byte", r->name, field);
    if (!(kv->key = dup_str(&k))) return fail(r->err, r->errlen, "%s: out of memory", r->name);
    for (uint64_t j = 0; j < i; j++)
      if (!strcmp(g->kv[j].key, kv->key))
        return fail(r->err, r->errlen, "%s: metadata key '%s' appears twice", r->name, kv->key);
    if (read_u32(r, &kv->type, kv->key) || read_value(r, kv)) return -1;
  }
  return 0;
}

static int parse_tensor_infos(gguf_file *g, rd *r) {
  /* Each descriptor takes at least 8 (name) + 4 (n_dims) + 8 (one dim) + 4 + 8 bytes. */
  if (g->n_tensors > remaining(r) / 32)
    return fail(r->err, r->errlen,
                "%s: header field tensor_count = %llu cannot fit in the %zu bytes left "
                "(at most %zu)", r->name, (unsigned long long)g->n_tensors, remaining(r),
                remaining(r) / 32);
  g->tensors = calloc(g->n_tensors ? (size_t)g->n_tensors : 1, sizeof *g->tensors);
  if (!g->tensors) return fail(r->err, r->errlen, "%s: out of memory", r->name);
  for (uint64_t i = 0; i < g->n_tensors; i++) {
    gguf_tensor *t = &g->tensors[i];
    gguf_str s;
    char field[48];
    snprintf(field, sizeof field, "tensor #%llu name", (unsigned long long)i);
    if (read_str(r, &s, field)) return -1;
    if (s.len == 0 || s.len > 255 || memchr(s.ptr, 0, (size_t)s.len))
      return fail(r->err, r->errlen,
                  "%s: %s: length %llu is not in [1, 255] or contains a NUL byte", r->name,
                  field, (unsigned long long)s.len);
    if (!(t->name = dup_str(&s))) return fail(r->err, r->errlen, "%s: out of memory", r->name);
    for (uint64_t j = 0; j < i; j++)
      if (!strcmp(g->tensors[j].name, t->name))
        return fail(r->err, r->errlen, "%s: tensor '%s' appears twice", r->name, t->name);
    if (read_u32(r, &t->n_dims, t->name)) return -1;
    if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS)
      return fail(r->err, r->errlen, "%s: tensor '%s': n_dims = %u is not in [1, %d]", r->name,
                  t->name, t->n_dims, GGUF_MAX_DIMS);
    t->nelem = 1;
    for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
      if (read_u64(r, &t->ne[d], t->name)) return -1;
      /* Elements can never outnumber 2x the file's bits; bound each dim and the product. */
      if (t->ne[d] < 1 || t->ne[d] > ((uint64_t)1 << 40))
        return fail(r->err, r->errlen, "%s: tensor '%s': dimension %u = %llu is not in [1, 2^40]",
                    r->name, t->name, d, (unsigned long long)t->ne[d]);
      if (t->nelem > ((uint64_t)1 << 40) / t->ne[d])
        return fail(r->err, r->errlen,
                    "%s: tensor '%s': element count overflows (dims product > 2^40)", r->name,
                    t->name);
      t->nelem *= t->ne[d];
    }
    if (read_u32(r, &t->type, t->name) || read_u64(r, &t->offset, t->name)) return -1;
    uint64_t be = gguf_block_elems(t->type), bb = gguf_block_bytes(t->type);
    if (!be)
      return fail(r->err, r->errlen,
                  "%s: tensor '%s': type %u is not a supported ggml type (%s)", r->name,
                  t->name, t->type, gguf_supported_types());
    if (t->ne[0] % be)
      return fail(r->err, r->errlen,
                  "%s: tensor '%s': row length ne[0] = %llu is not a multiple of the %s block "
                  "size %llu", r->name, t->name, (unsigned long long)t->ne[0],
                  gguf_type_name(t->type), (unsigned long long)be);
    t->nbytes = t->nelem / be * bb;
  }
  return 0;
}

static int check_tensor_data(gguf_file *g, rd *r) {
  const gguf_kv *a = gguf_find_kv(g, "general.alignment");
  g->alignment = GGUF_DEFAULT_ALIGNMENT;
  if (a) {
    if (a->type != GGUF_UINT32)
      return fail(r->err, r->errlen, "%s: general.alignment has type %s, expected uint32",
                  r->name, gguf_vtype_name(a->type));
    if (a->v.u == 0 || (a->v.u & (a->v.u - 1)) || a->v.u > 65536)
      return fail(r->err, r->errlen,
                  "%s: general.alignment = %llu is not a power of two in [1, 65536]", r->name,
                  (unsigned long long)a->v.u);
    g->alignment = a->v.u;
  }
  uint64_t off = (r->pos + g->alignment - 1) / g->alignment * g->alignment;
  if (g->n_tensors && off > r->size)
    return fail(r->err, r->errlen,
                "%s: data section would start at byte %llu, past the end of the file (%zu "
                "bytes)", r->name, (unsigned long long)off, r->size);
  g->data_offset = off;
  uint64_t avail = off <= r->size ? r->size - off : 0;
  for (uint64_t i = 0; i < g->n_tensors; i++) {
    gguf_tensor *t = &g->tensors[i];
    if (t->offset % g->alignment)
      return fail(r->err, r->errlen, "%s: tensor '%s': offset %llu is not a multiple of the "
                  "alignment %llu", r->name, t->name, (unsigned long long)t->offset,
                  (unsigned long long)g->alignment);
    if (t->offset > avail || t->nbytes > avail - t->offset)
      return fail(r->err, r->errlen,
                  "%s: tensor '%s': data [%llu, %llu) exceeds the data section [0, %llu)",
                  r->name, t->name, (unsigned long long)t->offset,
                  (unsigned long long)(t->offset + t->nbytes), (unsigned long long)avail);
    t->data = g->buf + off + t->offset;
  }
  /* No two tensors may overlap. O(n^2) over at most a few thousand descriptors. */
  for (uint64_t i = 0; i < g->n_tensors; i++)
    for (uint64_t j = i + 1; j < g->n_tensors; j++) {
      const gguf_tensor *x = &g->tensors[i], *y = &g->tensors[j];
      if (x->nbytes && y->nbytes && x->offset < y->offset + y->nbytes &&
          y->offset < x->offset + x->nbytes)
        return fail(r->err, r->errlen, "%s: tensors '%s' and '%s' overlap in the data section",
                    r->name, x->name, y->name);
    }
  return 0;
}

static int parse_owned(gguf_file *g, char *err, size_t errlen) {
  rd r = {g->buf, g->size, 0, g->path, err, errlen};
  uint32_t magic;
  if (read_u32(&r, &magic, "magic")) return -1;
  if (magic != GGUF_MAGIC)
    return fail(err, errlen, "%s: magic is 0x%08x, expected 0x%08x (\"GGUF\")", g->path, magic,
                GGUF_MAGIC);
  if (read_u32(&r, &g->version, "version")) return -1;
  if (g->version < 2 || g->version > 3)
    return fail(err, errlen, "%s: header field version = %u is not in [2, 3]", g->path,
                g->version);
  if (read_u64(&r, &g->n_tensors, "tensor_count") ||
      read_u64(&r, &g->n_kv, "metadata_kv_count"))
    return -1;
  if (parse_kvs(g, &r) || parse_tensor_infos(g, &r) || check_tensor_data(g, &r)) return -1;
  return 0;
}

int gguf_parse(gguf_file **out, const uint8_t *data, size_t size, const char *name, char *err,
               size_t errlen) {
  *out = NULL;
  gguf_file *g = calloc(1, sizeof *g);
  if (!g || !(g->path = strdup(name ? name : "(memory)")) || !(g->buf = malloc(size ? size : 1))) {
    gguf_close(g);
    return fail(err, errlen, "%s: out of memory (%zu bytes)", name ? name : "(memory)", size);
  }
  if (size) memcpy(g->buf, data, size);
  g->size = size;
  if (parse_owned(g, err, errlen)) {
    gguf_close(g);
    return -1;
  }
  *out = g;
  return 0;
}

int gguf_open(gguf_file **out, const char *path, char *err, size_t errlen) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  long sz = -1;
  if (fseek(f, 0, SEEK_END) == 0) sz = ftell(f);
  if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return fail(err, errlen, "%s: cannot determine the file size", path);
  }
  gguf_file *g = calloc(1, sizeof *g);
  if (!g || !(g->path = strdup(path)) || !(g->buf = malloc(sz ? (size_t)sz : 1))) {
    fclose(f);
    gguf_close(g);
    return fail(err, errlen, "%s: out of memory (%ld bytes)", path, sz);
  }
  g->size = (size_t)sz;
  if (sz && fread(g->buf, 1, (size_t)sz, f) != (size_t)sz) {
    fclose(f);
    gguf_close(g);
    return fail(err, errlen, "%s: read error", path);
  }
  fclose(f);
  if (parse_owned(g, err, errlen)) {
    gguf_close(g);
    return -1;
  }
  *out = g;
  return 0;
}

static int need_kv(const gguf_file *g, const char *key, const gguf_kv **kv, char *err,
                   size_t errlen) {
  *kv = gguf_find_kv(g, key);
  if (!*kv) return fail(err, errlen, "%s: metadata key '%s' is missing", g->path, key);
  return 0;
}

int gguf_get_int(const gguf_file *g, const char *key, int64_t lo, int64_t hi, int64_t *out,
                 char *err, size_t errlen) {
  const gguf_kv *kv;
  if (need_kv(g, key, &kv, err, errlen)) return -1;
  int is_signed = kv->type == GGUF_INT8 || kv->type == GGUF_INT16 || kv->type == GGUF_INT32 ||
                  kv->type == GGUF_INT64;
  int is_unsigned = kv->type == GGUF_UINT8 || kv->type == GGUF_UINT16 ||
                    kv->type == GGUF_UINT32 || kv->type == GGUF_UINT64;
  if (!is_signed && !is_unsigned)
    return fail(err, errlen, "%s: metadata key '%s' has type %s, expected an integer", g->path,
                key, gguf_vtype_name(kv->type));
  if (is_unsigned ? (kv->v.u > (uint64_t)INT64_MAX || (int64_t)kv->v.u < lo ||
                     (int64_t)kv->v.u > hi)
                  : (kv->v.i < lo || kv->v.i > hi))
    return fail(err, errlen, "%s: metadata key '%s' = %s%llu is not in [%lld, %lld]", g->path,
                key, is_signed && kv->v.i < 0 ? "-" : "",
                is_signed && kv->v.i < 0 ? (unsigned long long)(-(kv->v.i + 1)) + 1
                                         : (unsigned long long)kv->v.u,
                (long long)lo, (long long)hi);
  *out = is_unsigned ? (int64_t)kv->v.u : kv->v.i;
  return 0;
}

int gguf_get_float(const gguf_file *g, const char *key, double lo, double hi, double *out,
                   char *err, size_t errlen) {
  const gguf_kv *kv;
  if (need_kv(g, key, &kv, err, errlen)) return -1;
  if (kv->type != GGUF_FLOAT32 && kv->type != GGUF_FLOAT64)
    return fail(err, errlen, "%s: metadata key '%s' has type %s, expected float32", g->path, key,
                gguf_vtype_name(kv->type));
  if (!(kv->v.f >= lo && kv->v.f <= hi))
    return fail(err, errlen, "%s: metadata key '%s' = %g is not in [%g, %g]", g->path, key,
                kv->v.f, lo, hi);
  *out = kv->v.f;
  return 0;
}

int gguf_get_string(const gguf_file *g, const char *key, char *out, size_t outlen, char *err,
                    size_t errlen) {
  const gguf_kv *kv;
  if (need_kv(g, key, &kv, err, errlen)) return -1;
  if (kv->type != GGUF_STRING)
    return fail(err, errlen, "%s: metadata key '%s' has type %s, expected string", g->path, key,
                gguf_vtype_name(kv->type));
  if (!outlen) return 0;
  size_t n = kv->str.len < outlen - 1 ? (size_t)kv->str.len : outlen - 1;
  memcpy(out, kv->str.ptr, n);
  out[n] = 0;
  return 0;
}
