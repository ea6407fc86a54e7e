/* trace_io.c — the trace container: header and chunk encoding, the streaming writer and
 * the strict streaming reader (byte layout: docs/trace-format.md).
 *
 * The format is little-endian; records are decoded in place from the chunk buffer, so
 * every array inside a record is padded to a multiple of 4 bytes and the host must be
 * little-endian (checked at compile time).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "trace.h"
#include "trace_internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "trace_io.c decodes records in place and needs a little-endian host"
#endif

#define CHUNK_MAGIC 0x4342504du /* "MPBC" */
#define END_MAGIC 0x4542504du   /* "MPBE" */
#define CHUNK_HDR 28u           /* magic, index, nrec, raw, comp, crc, reserved     */
#define END_SIZE 20u            /* magic, n_chunks, n_records (u64), crc            */
#define ZSTD_LEVEL 3

/* ---- little-endian helpers ---------------------------------------------------------- */
static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static uint32_t crc_of(const uint8_t *p, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
    c = crc32(c, p, k);
    p += k;
    n -= k;
  }
  return (uint32_t)c;
}

/* ---- header encoding ---------------------------------------------------------------- */
/* Field order of the v1 header body; the one list both directions use. */
#define HDR_U32_FIELDS(X)                                                              \
  X(arch) X(n_layers) X(n_heads) X(n_kv_heads) X(head_dim)
#define HDR_U32_FIELDS2(X)                                                             \
  X(pairing) X(quant) X(d_model) X(d_state) X(d_conv) X(window) X(n_experts) X(top_k)  \
  X(n_tokens) X(max_pos)

static size_t encode_header(const trace_header *h, uint8_t *p) {
  uint8_t *p0 = p;
  memset(p, 0, 2 * TRACE_NAME_MAX);
  memcpy(p, h->model, strnlen(h->model, TRACE_NAME_MAX - 1));
  p += TRACE_NAME_MAX;
  memcpy(p, h->source, strnlen(h->source, TRACE_NAME_MAX - 1));
  p += TRACE_NAME_MAX;
#define W32(f) put32(p, h->f), p += 4;
  HDR_U32_FIELDS(W32)
  uint64_t b;
  memcpy(&b, &h->rope_base, 8);
  put64(p, b), p += 8;
  HDR_U32_FIELDS2(W32)
#undef W32
  put64(p, h->seed), p += 8;
  return (size_t)(p - p0);
}

static void decode_header(const uint8_t *p, trace_header *h) {
  memset(h, 0, sizeof *h);
  memcpy(h->model, p, TRACE_NAME_MAX - 1);
  p += TRACE_NAME_MAX;
  memcpy(h->source, p, TRACE_NAME_MAX - 1);
  p += TRACE_NAME_MAX;
#define R32(f) h->f = get32(p), p += 4;
  HDR_U32_FIELDS(R32)
  uint64_t b = get64(p);
  memcpy(&h->rope_base, &b, 8);
  p += 8;
  HDR_U32_FIELDS2(R32)
#undef R32
  h->seed = get64(p);
}

/* ---- record layout ------------------------------------------------------------------ */
static uint64_t pad4(uint64_t n) { return (n + 3) & ~(uint64_t)3; }

/* Sizes of the arrays of a record, from its header fields. Callers bound ntok (2^24),
 * width and cols (2^20) first, so no 64-bit sum can overflow. */
typedef struct rec_layout {
  uint64_t pos, x, scale, f32, b, b_scale, total;
} rec_layout;

static void layout_of(uint32_t kind, uint32_t flags, uint64_t ntok, uint64_t width,
                      uint64_t cols, rec_layout *l) {
  memset(l, 0, sizeof *l);
  uint64_t n = ntok * width;
  bool has_pos = kind == TRACE_ROPE || (flags & TRACE_F_POS);
  if (has_pos) l->pos = 4 * ntok;
  if (kind == TRACE_ROPE || kind == TRACE_GEMM) {
    l->x = pad4(n);
    l->scale = 4 * ntok;
  }
  if (kind == TRACE_EXP || (kind == TRACE_ROPE && (flags & TRACE_F_F32))) l->f32 = 4 * n;
  if (kind == TRACE_GEMM) {
    l->b = pad4(cols * width);
    l->b_scale = 4 * cols;
  }
  l->total = TRACE_REC_HDR + l->pos + l->x + l->scale + l->f32 + l->b + l->b_scale;
}

size_t trace_record_size(const trace_record *r) {
  if (r->ntok > TRACE_MAX_POS || r->width > TRACE_MAX_WIDTH || r->cols > TRACE_MAX_WIDTH)
    return 0;
  rec_layout l;
  layout_of(r->kind, r->flags, r->ntok, r->width, r->cols, &l);
  return l.total > SIZE_MAX / 2 ? 0 : (size_t)l.total;
}

/* ---- writer ------------------------------------------------------------------------- */
struct trace_writer {
  FILE *f;
  bool own_file;
  char *name;
  trace_header h;
  bool have_header, header_written, failed;
  uint8_t *buf;      /* current chunk payload, TRACE_CHUNK_MAX bytes */
  size_t used;
  uint32_t nrec;     /* records in the current chunk                  */
  uint8_t *cbuf;     /* compressed chunk                              */
  size_t ccap;
  ZSTD_CCtx *cctx;
  uint32_t chunks;
  uint64_t records;
};

/* "<name>: <message>" into err, mark the stream failed; -1 (writer and reader alike). */
static int stream_err(const char *name, bool *failed, char *err, size_t errlen,
                      const char *fmt, va_list ap) {
  char msg[400];
  vsnprintf(msg, sizeof msg, fmt, ap);
  snprintf(err, errlen, "%s: %s", name, msg);
  *failed = true;
  return -1;
}

static int werr(trace_writer *w, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = stream_err(w->name, &w->failed, err, errlen, fmt, ap);
  va_end(ap);
  return rc;
}

static int wbytes(trace_writer *w, const void *p, size_t n, char *err, size_t errlen) {
  if (n && fwrite(p, 1, n, w->f) != n)
    return werr(w, err, errlen, "write failed: %s", strerror(errno));
  return 0;
}

static int write_file_header(trace_writer *w, char *err, size_t errlen) {
  uint8_t hb[TRACE_HDR_SIZE], pre[16], crc[4];
  size_t n = encode_header(&w->h, hb);
  memcpy(pre, TRACE_MAGIC, 8);
  put32(pre + 8, TRACE_VERSION);
  put32(pre + 12, (uint32_t)n);
  put32(crc, crc_of(hb, n));
  if (wbytes(w, pre, 16, err, errlen) || wbytes(w, hb, n, err, errlen) ||
      wbytes(w, crc, 4, err, errlen))
    return -1;
  w->header_written = true;
  return 0;
}

trace_writer *trace_writer_open_file(FILE *f, const char *name, const trace_header *h,
                                     char *err, size_t errlen) {
  trace_writer *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(err, errlen, "%s: out of memory", name);
    return NULL;
  }
  w->f = f;
  w->name = strdup(name ? name : "(trace)");
  w->buf = malloc(TRACE_CHUNK_MAX);
  w->ccap = ZSTD_compressBound(TRACE_CHUNK_MAX);
  w->cbuf = malloc(w->ccap);
  w->cctx = ZSTD_createCCtx();
  if (!w->name || !w->buf || !w->cbuf || !w->cctx) {
    snprintf(err, errlen, "%s: out of memory", name);
    trace_writer_abort(w);
    return NULL;
  }
  if (h && trace_writer_set_header(w, h, err, errlen)) {
    trace_writer_abort(w);
    return NULL;
  }
  return w;
}

trace_writer *trace_writer_open(const char *path, const trace_header *h, char *err,
                                size_t errlen) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return NULL;
  }
  trace_writer *w = trace_writer_open_file(f, path, h, err, errlen);
  if (!w) {
    fclose(f);
    return NULL;
  }
  w->own_file = true;
  return w;
}

int trace_writer_set_header(trace_writer *w, const trace_header *h, char *err,
                            size_t errlen) {
  if (w->header_written) return werr(w, err, errlen, "header set after the first record");
  char msg[256];
  if (trace_header_validate(h, msg, sizeof msg)) return werr(w, err, errlen, "%s", msg);
  w->h = *h;
  w->have_header = true;
  return 0;
}

const trace_header *trace_writer_header(const trace_writer *w) { return &w->h; }
uint64_t trace_writer_records(const trace_writer *w) { return w->records; }

static int flush_chunk(trace_writer *w, char *err, size_t errlen) {
  if (w->nrec == 0) return 0;
  size_t c = ZSTD_compressCCtx(w->cctx, w->cbuf, w->ccap, w->buf, w->used, ZSTD_LEVEL);
  if (ZSTD_isError(c)) return werr(w, err, errlen, "zstd: %s", ZSTD_getErrorName(c));
  uint8_t hd[CHUNK_HDR];
  put32(hd, CHUNK_MAGIC);
  put32(hd + 4, w->chunks);
  put32(hd + 8, w->nrec);
  put32(hd + 12, (uint32_t)w->used);
  put32(hd + 16, (uint32_t)c);
  put32(hd + 24, 0);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, hd, 16);
  crc = crc32(crc, hd + 24, 4);
  crc = crc32(crc, w->cbuf, (uInt)c);
  put32(hd + 20, (uint32_t)crc);
  if (wbytes(w, hd, CHUNK_HDR, err, errlen) || wbytes(w, w->cbuf, c, err, errlen)) return -1;
  w->chunks++;
  w->used = 0;
  w->nrec = 0;
  return 0;
}

static uint8_t *put_array(uint8_t *p, const void *src, uint64_t bytes, uint64_t padded) {
  if (bytes) memcpy(p, src, bytes);
  if (padded > bytes) memset(p + bytes, 0, padded - bytes);
  return p + padded;
}

int trace_write(trace_writer *w, const trace_record *r, char *err, size_t errlen) {
  if (w->failed) return werr(w, err, errlen, "writer is in an error state");
  if (!w->have_header) return werr(w, err, errlen, "no header set before the first record");
  if (!w->header_written && write_file_header(w, err, errlen)) return -1;
  char msg[320];
  if (trace_record_validate(&w->h, r, msg, sizeof msg))
    return werr(w, err, errlen, "record %llu: %s", (unsigned long long)w->records, msg);
  rec_layout l;
  layout_of(r->kind, r->flags, r->ntok, r->width, r->cols, &l);
  if (l.total > TRACE_CHUNK_MAX)
    return werr(w, err, errlen,
                "record %llu: %llu bytes, more than one chunk (%u bytes): split it into "
                "fewer tokens",
                (unsigned long long)w->records, (unsigned long long)l.total, TRACE_CHUNK_MAX);
  if (w->used + l.total > TRACE_CHUNK_MAX && flush_chunk(w, err, errlen)) return -1;
  uint8_t *p = w->buf + w->used;
  uint32_t f[9] = {r->kind, r->op, r->flags, r->layer, r->head, r->tok0, r->ntok, r->width,
                   r->cols};
  for (int i = 0; i < 9; i++) put32(p + 4 * i, f[i]);
  p += TRACE_REC_HDR;
  uint64_t n = (uint64_t)r->ntok * r->width;
  p = put_array(p, r->pos, l.pos, l.pos);
  p = put_array(p, r->x, l.x ? n : 0, l.x);
  p = put_array(p, r->scale, l.scale, l.scale);
  p = put_array(p, r->f32, l.f32, l.f32);
  p = put_array(p, r->b, l.b ? (uint64_t)r->cols * r->width : 0, l.b);
  p = put_array(p, r->b_scale, l.b_scale, l.b_scale);
  w->used += l.total;
  w->nrec++;
  w->records++;
  return 0;
}

int trace_writer_close(trace_writer *w, char *err, size_t errlen) {
  int rc = 0;
  if (w->failed) rc = werr(w, err, errlen, "writer is in an error state");
  else if (!w->have_header) rc = werr(w, err, errlen, "no header set");
  else if (!w->header_written && write_file_header(w, err, errlen)) rc = -1;
  if (!rc && flush_chunk(w, err, errlen)) rc = -1;
  if (!rc) {
    uint8_t e[END_SIZE];
    put32(e, END_MAGIC);
    put32(e + 4, w->chunks);
    put64(e + 8, w->records);
    put32(e + 16, crc_of(e, 16));
    rc = wbytes(w, e, END_SIZE, err, errlen);
  }
  if (!rc && fflush(w->f) != 0) rc = werr(w, err, errlen, "write failed: %s", strerror(errno));
  if (w->own_file) {
    if (fclose(w->f) != 0 && !rc) rc = werr(w, err, errlen, "close failed: %s", strerror(errno));
    w->own_file = false;
  }
  trace_writer_abort(w);
  return rc;
}

void trace_writer_abort(trace_writer *w) {
  if (!w) return;
  if (w->own_file && w->f) fclose(w->f);
  ZSTD_freeCCtx(w->cctx);
  free(w->buf);
  free(w->cbuf);
  free(w->name);
  free(w);
}

/* ---- reader ------------------------------------------------------------------------- */
struct trace_reader {
  char *name;
  FILE *f;              /* file source, or NULL for memory */
  const uint8_t *mem;
  size_t mem_size, mem_off;
  uint64_t file_off;    /* bytes consumed, for messages    */
  trace_header h;
  uint8_t *raw, *comp;
  size_t raw_cap, comp_cap;
  ZSTD_DCtx *dctx;
  uint32_t raw_size, nrec_chunk, rec_in_chunk;
  size_t raw_off;
  uint64_t chunk;       /* index of the current chunk      */
  uint64_t records;     /* records returned so far         */
  bool in_chunk, done, failed;
  int io_errno;         /* errno of a failed read (0: none; a short read is the end) */
};

static int rerr(trace_reader *r, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = stream_err(r->name, &r->failed, err, errlen, fmt, ap);
  va_end(ap);
  return rc;
}

/* Read exactly n bytes; returns n, or fewer at end of input (0 = clean EOF). */
static size_t src_read(trace_reader *r, void *dst, size_t n) {
  size_t got;
  if (r->f) {
    got = fread(dst, 1, n, r->f);
    if (got < n && ferror(r->f)) r->io_errno = errno ? errno : EIO;
  } else {
    size_t left = r->mem_size - r->mem_off;
    got = n < left ? n : left;
    if (got) memcpy(dst, r->mem + r->mem_off, got);
    r->mem_off += got;
  }
  r->file_off += got;
  return got;
}

static int need(trace_reader *r, void *dst, size_t n, const char *what, char *err,
                size_t errlen) {
  size_t got = src_read(r, dst, n);
  if (got != n && r->io_errno)
    return rerr(r, err, errlen, "read error at offset %llu (%s): %s",
                (unsigned long long)(r->file_off - got), what, strerror(r->io_errno));
  if (got != n)
    return rerr(r, err, errlen,
                "truncated: %s needs %zu bytes at offset %llu, only %zu left", what, n,
                (unsigned long long)(r->file_off - got), got);
  return 0;
}

static trace_reader *reader_new(const char *name, char *err, size_t errlen) {
  trace_reader *r = calloc(1, sizeof *r);
  if (r) r->name = strdup(name ? name : "(trace)");
  if (r && r->name) r->dctx = ZSTD_createDCtx();
  if (!r || !r->name || !r->dctx) {
    snprintf(err, errlen, "%s: out of memory", name);
    trace_reader_close(r);
    return NULL;
  }
  return r;
}

static int read_file_header(trace_reader *r, char *err, size_t errlen) {
  uint8_t pre[16], hb[TRACE_HDR_SIZE], crc[4];
  if (need(r, pre, 16, "file header", err, errlen)) return -1;
  if (memcmp(pre, TRACE_MAGIC, 8))
    return rerr(r, err, errlen, "not an mpbsim trace: magic is not \"%s\"", TRACE_MAGIC);
  uint32_t ver = get32(pre + 8), len = get32(pre + 12);
  if (ver != TRACE_VERSION)
    return rerr(r, err, errlen, "header field version = %u, expected %u", ver, TRACE_VERSION);
  if (len != TRACE_HDR_SIZE)
    return rerr(r, err, errlen, "header field header_len = %u, expected %u (version %u)",
                len, TRACE_HDR_SIZE, TRACE_VERSION);
  if (need(r, hb, len, "header body", err, errlen) || need(r, crc, 4, "header crc", err, errlen))
    return -1;
  uint32_t want = get32(crc), got = crc_of(hb, len);
  if (want != got)
    return rerr(r, err, errlen, "header checksum mismatch (stored 0x%08x, computed 0x%08x)",
                want, got);
  /* the name fields are NUL-terminated within their TRACE_NAME_MAX bytes */
  if (hb[TRACE_NAME_MAX - 1] != 0)
    return rerr(r, err, errlen, "header field model has no NUL terminator (at most %d bytes)",
                TRACE_NAME_MAX - 1);
  if (hb[2 * TRACE_NAME_MAX - 1] != 0)
    return rerr(r, err, errlen, "header field source has no NUL terminator (at most %d bytes)",
                TRACE_NAME_MAX - 1);
  decode_header(hb, &r->h);
  char msg[256];
  if (trace_header_validate(&r->h, msg, sizeof msg))
    return rerr(r, err, errlen, "header: %s", msg);
  return 0;
}

trace_reader *trace_reader_open(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
    errno = e;
    return NULL;
  }
  trace_reader *r = reader_new(path, err, errlen);
  if (!r) {
    fclose(f);
    errno = ENOMEM;
    return NULL;
  }
  r->f = f;
  if (read_file_header(r, err, errlen)) {
    int e = r->io_errno;
    trace_reader_close(r);
    errno = e;
    return NULL;
  }
  return r;
}

trace_reader *trace_reader_open_mem(const void *data, size_t size, const char *name,
                                    char *err, size_t errlen) {
  trace_reader *r = reader_new(name, err, errlen);
  if (!r) return NULL;
  r->mem = data;
  r->mem_size = size;
  if (read_file_header(r, err, errlen)) {
    trace_reader_close(r);
    return NULL;
  }
  return r;
}

const trace_header *trace_reader_header(const trace_reader *r) { return &r->h; }
uint64_t trace_reader_record_index(const trace_reader *r) {
  return r->records ? r->records - 1 : 0;
}
uint64_t trace_reader_chunk_index(const trace_reader *r) { return r->chunk; }
uint64_t trace_reader_offset(const trace_reader *r) { return r->file_off; }
int trace_reader_io_errno(const trace_reader *r) { return r->io_errno; }

void trace_reader_close(trace_reader *r) {
  if (!r) return;
  if (r->f) fclose(r->f);
  ZSTD_freeDCtx(r->dctx);
  free(r->raw);
  free(r->comp);
  free(r->name);
  free(r);
}

static int grow(uint8_t **buf, size_t *cap, size_t n) {
  if (n <= *cap) return 0;
  uint8_t *p = realloc(*buf, n);
  if (!p) return -1;
  *buf = p;
  *cap = n;
  return 0;
}

/* Read the end marker (magic already read into m4) and check it against the counts. */
static int read_end(trace_reader *r, const uint8_t *m4, char *err, size_t errlen) {
  uint8_t e[END_SIZE], extra;
  memcpy(e, m4, 4);
  if (need(r, e + 4, END_SIZE - 4, "end marker", err, errlen)) return -1;
  uint32_t crc = crc_of(e, 16);
  if (get32(e + 16) != crc)
    return rerr(r, err, errlen, "end marker checksum mismatch (stored 0x%08x, computed 0x%08x)",
                get32(e + 16), crc);
  uint32_t nch = get32(e + 4);
  uint64_t nrec = get64(e + 8);
  if (nch != r->chunk || nrec != r->records)
    return rerr(r, err, errlen,
                "end marker field n_chunks/n_records = %u/%llu, but the file holds %llu/%llu",
                nch, (unsigned long long)nrec, (unsigned long long)r->chunk,
                (unsigned long long)r->records);
  if (src_read(r, &extra, 1) != 0)
    return rerr(r, err, errlen, "trailing bytes after the end marker at offset %llu",
                (unsigned long long)(r->file_off - 1));
  r->done = true;
  return 0;
}

static int read_chunk(trace_reader *r, char *err, size_t errlen) {
  uint8_t hd[CHUNK_HDR];
  size_t got = src_read(r, hd, 4);
  if (got != 4 && r->io_errno)
    return rerr(r, err, errlen, "read error at offset %llu (after chunk %llu): %s",
                (unsigned long long)(r->file_off - got), (unsigned long long)r->chunk,
                strerror(r->io_errno));
  if (got != 4)
    return rerr(r, err, errlen,
                "truncated after chunk %llu (offset %llu): no end marker; the writer did "
                "not finish",
                (unsigned long long)r->chunk, (unsigned long long)(r->file_off - got));
  uint32_t magic = get32(hd);
  if (magic == END_MAGIC) return read_end(r, hd, err, errlen) ? -1 : 0;
  if (magic != CHUNK_MAGIC)
    return rerr(r, err, errlen, "chunk %llu: bad magic 0x%08x at offset %llu, expected "
                "\"MPBC\" or \"MPBE\"",
                (unsigned long long)r->chunk, magic, (unsigned long long)(r->file_off - 4));
  char what[64];
  snprintf(what, sizeof what, "chunk %llu header", (unsigned long long)r->chunk);
  if (need(r, hd + 4, CHUNK_HDR - 4, what, err, errlen)) return -1;
  uint32_t idx = get32(hd + 4), nrec = get32(hd + 8), raw = get32(hd + 12),
           comp = get32(hd + 16), crc = get32(hd + 20), rsv = get32(hd + 24);
  unsigned long long c = (unsigned long long)r->chunk;
  size_t cmax = ZSTD_compressBound(TRACE_CHUNK_MAX);
  if (idx != r->chunk)
    return rerr(r, err, errlen, "chunk %llu: field index = %u, expected %llu", c, idx, c);
  if (raw < TRACE_REC_HDR || raw > TRACE_CHUNK_MAX)
    return rerr(r, err, errlen, "chunk %llu: field raw_size = %u, expected [%u, %u]", c, raw,
                TRACE_REC_HDR, TRACE_CHUNK_MAX);
  if (nrec < 1 || nrec > raw / TRACE_REC_HDR)
    return rerr(r, err, errlen, "chunk %llu: field n_records = %u, expected [1, %u]", c, nrec,
                raw / TRACE_REC_HDR);
  if (comp < 1 || comp > cmax)
    return rerr(r, err, errlen, "chunk %llu: field comp_size = %u, expected [1, %zu]", c,
                comp, cmax);
  if (rsv != 0)
    return rerr(r, err, errlen, "chunk %llu: field reserved = %u, expected 0", c, rsv);
  if (grow(&r->comp, &r->comp_cap, comp) || grow(&r->raw, &r->raw_cap, raw))
    return rerr(r, err, errlen, "chunk %llu: out of memory", c);
  snprintf(what, sizeof what, "chunk %llu data", c);
  if (need(r, r->comp, comp, what, err, errlen)) return -1;
  uLong cc = crc32(0L, Z_NULL, 0);
  cc = crc32(cc, hd, 16);
  cc = crc32(cc, hd + 24, 4);
  cc = crc32(cc, r->comp, comp);
  if ((uint32_t)cc != crc)
    return rerr(r, err, errlen, "chunk %llu: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                c, crc, (uint32_t)cc);
  size_t d = ZSTD_decompressDCtx(r->dctx, r->raw, raw, r->comp, comp);
  if (ZSTD_isError(d))
    return rerr(r, err, errlen, "chunk %llu: zstd: %s", c, ZSTD_getErrorName(d));
  if (d != raw)
    return rerr(r, err, errlen, "chunk %llu: decompressed %zu bytes, field raw_size = %u", c,
                d, raw);
  r->raw_size = raw;
  r->nrec_chunk = nrec;
  r->rec_in_chunk = 0;
  r->raw_off = 0;
  r->in_chunk = true;
  return 0;
}

static int decode_record(trace_reader *r, trace_record *rec, char *err, size_t errlen) {
  unsigned long long c = (unsigned long long)r->chunk, ri = (unsigned long long)r->records;
  uint32_t k = r->rec_in_chunk;
  size_t left = r->raw_size - r->raw_off;
  const uint8_t *p = r->raw + r->raw_off;
  if (left < TRACE_REC_HDR)
    return rerr(r, err, errlen,
                "chunk %llu record %u (#%llu): header needs %u bytes, %zu left in the chunk",
                c, k, ri, TRACE_REC_HDR, left);
  memset(rec, 0, sizeof *rec);
  rec->kind = get32(p), rec->op = get32(p + 4), rec->flags = get32(p + 8);
  rec->layer = get32(p + 12), rec->head = get32(p + 16), rec->tok0 = get32(p + 20);
  rec->ntok = get32(p + 24), rec->width = get32(p + 28), rec->cols = get32(p + 32);
  /* sizes first: with ntok <= 2^24 and width, cols <= 2^20 the 64-bit layout sums
   * cannot overflow */
  if (rec->kind < TRACE_ROPE || rec->kind >= TRACE_NKIND)
    return rerr(r, err, errlen, "chunk %llu record %u (#%llu): field kind = %u, expected [1, 3]",
                c, k, ri, rec->kind);
  if (rec->ntok < 1 || rec->ntok > TRACE_MAX_POS || rec->width < 1 ||
      rec->width > TRACE_MAX_WIDTH || rec->cols > TRACE_MAX_WIDTH)
    return rerr(r, err, errlen,
                "chunk %llu record %u (#%llu): fields ntok = %u, width = %u, cols = %u, "
                "expected ntok in [1, %u], width in [1, %u], cols in [0, %u]",
                c, k, ri, rec->ntok, rec->width, rec->cols, TRACE_MAX_POS, TRACE_MAX_WIDTH,
                TRACE_MAX_WIDTH);
  rec_layout l;
  layout_of(rec->kind, rec->flags, rec->ntok, rec->width, rec->cols, &l);
  if (l.total > left)
    return rerr(r, err, errlen,
                "chunk %llu record %u (#%llu): ntok=%u width=%u cols=%u need %llu bytes, "
                "%zu left in the chunk",
                c, k, ri, rec->ntok, rec->width, rec->cols, (unsigned long long)l.total, left);
  const uint8_t *q = p + TRACE_REC_HDR;
  if (l.pos) rec->pos = (const uint32_t *)q, q += l.pos;
  if (l.x) rec->x = (const int8_t *)q, q += l.x;
  if (l.scale) rec->scale = (const float *)q, q += l.scale;
  if (l.f32) rec->f32 = (const float *)q, q += l.f32;
  if (l.b) rec->b = (const int8_t *)q, q += l.b;
  if (l.b_scale) rec->b_scale = (const float *)q, q += l.b_scale;
  char msg[320];
  if (trace_record_validate(&r->h, rec, msg, sizeof msg))
    return rerr(r, err, errlen, "chunk %llu record %u (#%llu): %s", c, k, ri, msg);
  r->raw_off += l.total;
  r->rec_in_chunk++;
  r->records++;
  return 0;
}

int trace_read(trace_reader *r, trace_record *rec, char *err, size_t errlen) {
  if (r->failed) {
    snprintf(err, errlen, "%s: reader is in an error state", r->name);
    return -1;
  }
  while (!r->done) {
    if (r->in_chunk && r->rec_in_chunk < r->nrec_chunk) {
      if (decode_record(r, rec, err, errlen)) return -1;
      return 1;
    }
    if (r->in_chunk) {
      if (r->raw_off != r->raw_size)
        return rerr(r, err, errlen,
                    "chunk %llu: %zu bytes left after its %u records (field n_records or "
                    "raw_size wrong)",
                    (unsigned long long)r->chunk, r->raw_size - r->raw_off, r->nrec_chunk);
      r->in_chunk = false;
      r->chunk++;
    }
    if (read_chunk(r, err, errlen)) return -1;
  }
  return 0;
}
