/* trace.h — the mpbsim workload trace: writer, streaming reader, record types, and the
 * registry of workload generators (`mpbsim gen --preset NAME`).
 *
 * A trace is a header describing the workload (model name, geometry, RoPE base, pairing,
 * quantization) followed by zstd-compressed, crc32-checked chunks of typed records at
 * tensor granularity: ROPE (a Q or K tensor slice), EXP (exp() inputs of softmax or of
 * an SSM's dt*A), GEMM (int8 operand tensors of a matrix product). The byte layout is
 * specified in docs/trace-format.md. Both directions work as streams in bounded memory:
 * a chunk holds at most TRACE_CHUNK_MAX uncompressed bytes and the reader never allocates
 * from a size it has not checked against that cap.
 *
 * Errors are returned, never printed: functions take char *err, size_t errlen and return
 * non-zero (or NULL) on failure; reader messages name the file, the chunk and record
 * index, the field and the expected range.
 */
#ifndef MPB_TRACE_H
#define MPB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_MAGIC "MPBTRACE"           /* 8 bytes at offset 0                    */
#define TRACE_VERSION 1u                 /* format version after the magic         */
#define TRACE_CHUNK_MAX (4u << 20)       /* max uncompressed chunk payload, bytes   */
#define TRACE_NAME_MAX 64                /* header strings incl. the NUL           */
#define TRACE_MAX_HEAD_DIM 1024u
#define TRACE_MAX_LAYERS 4096u
#define TRACE_MAX_HEADS 4096u
#define TRACE_MAX_POS (1u << 24)         /* positions are < 2^24                   */

/* ---- header ------------------------------------------------------------------------ */
typedef enum {
  TRACE_QUANT_INT8_ROW = 0 /* symmetric int8 per row: q = round(x / s), s = max|x| / 127 */
} trace_quant;

typedef enum { TRACE_ARCH_TRANSFORMER = 0, TRACE_ARCH_SSM = 1, TRACE_ARCH_HYBRID = 2 } trace_arch;

typedef struct trace_header {
  char model[TRACE_NAME_MAX];   /* e.g. "SmolLM2-135M", "mamba-130m (synthetic)"      */
  char source[TRACE_NAME_MAX];  /* generator preset or import tool, e.g. "gen mamba130m" */
  uint32_t arch;                /* trace_arch                                          */
  uint32_t n_layers;            /* 1..TRACE_MAX_LAYERS (layers present in the trace)   */
  uint32_t n_heads;             /* query heads (0 for a pure SSM)                      */
  uint32_t n_kv_heads;          /* key/value heads (0 for a pure SSM)                  */
  uint32_t head_dim;            /* 0 or even, 2..TRACE_MAX_HEAD_DIM                     */
  double rope_base;             /* > 1 when head_dim > 0                               */
  uint32_t pairing;             /* mpb_pairing: 0 interleaved, 1 half-split            */
  uint32_t quant;               /* trace_quant                                         */
  uint32_t d_model;             /* hidden width (0 if unknown)                         */
  uint32_t d_state;             /* SSM state size (0 if none)                          */
  uint32_t d_conv;              /* SSM causal conv width (0 if none)                   */
  uint32_t window;              /* sliding attention window (0 = full)                 */
  uint32_t n_experts, top_k;    /* MoE (0 if none)                                     */
  uint32_t n_tokens;            /* tokens per position window                          */
  uint32_t max_pos;             /* largest position in the trace                       */
  uint64_t seed;                /* generator seed (0 for imports)                      */
} trace_header;

/* Zeroed header with quant = TRACE_QUANT_INT8_ROW and pairing interleaved. */
void trace_header_init(trace_header *h);
/* Check every header field's range; message names the field and the range. */
int trace_header_validate(const trace_header *h, char *err, size_t errlen);

/* ---- records ----------------------------------------------------------------------- */
typedef enum { TRACE_ROPE = 1, TRACE_EXP = 2, TRACE_GEMM = 3, TRACE_NKIND = 4 } trace_kind;

/* op of a ROPE record */
typedef enum { TRACE_ROPE_Q = 0, TRACE_ROPE_K = 1, TRACE_NROPE_OP } trace_rope_op;
/* op of an EXP record: what the exp() inputs are */
typedef enum {
  TRACE_EXP_SOFTMAX = 0, /* attention logits minus the row max (values <= 0)        */
  TRACE_EXP_SSM_DTA = 1, /* dt * A of a selective SSM (ZOH discretization, <= 0)     */
  TRACE_EXP_ROUTER = 2,  /* MoE router softmax inputs minus the row max             */
  TRACE_EXP_OTHER = 3,
  TRACE_NEXP_OP
} trace_exp_op;
/* op of a GEMM record: which product */
typedef enum {
  TRACE_GEMM_Q = 0, TRACE_GEMM_K, TRACE_GEMM_V, TRACE_GEMM_O,
  TRACE_GEMM_FFN_GATE, TRACE_GEMM_FFN_UP, TRACE_GEMM_FFN_DOWN,
  TRACE_GEMM_ATTN_SCORE, TRACE_GEMM_ATTN_VALUE,
  TRACE_GEMM_SSM_IN, TRACE_GEMM_SSM_X, TRACE_GEMM_SSM_DT, TRACE_GEMM_SSM_OUT,
  TRACE_GEMM_SSM_SCAN, TRACE_GEMM_MOE_ROUTER, TRACE_GEMM_LM_HEAD, TRACE_GEMM_OTHER,
  TRACE_NGEMM_OP
} trace_gemm_op;

/* record flags */
#define TRACE_F_F32 0x1u /* ROPE: fp32 originals present                           */
#define TRACE_F_POS 0x2u /* EXP/GEMM: positions present (always set for ROPE)       */

/* One record. Token range [tok0, tok0 + ntok); row r belongs to token tok0 + r.
 *   ROPE: x[ntok * width] int8 (width = head_dim), scale[ntok] (row r's values are
 *         x * scale), pos[ntok] positions, f32[ntok * width] originals if TRACE_F_F32.
 *   EXP:  f32[ntok * width] exp() inputs (natural-log domain: the op computes e^v),
 *         pos[ntok] if TRACE_F_POS.
 *   GEMM: A = x[ntok * width] int8 rows with scale[ntok]; B = b[cols * width] int8 rows
 *         (B stored as rows of the reduction, i.e. transposed) with b_scale[cols];
 *         width = K (reduction length); the product is ntok x cols dot products;
 *         pos[ntok] if TRACE_F_POS.
 * layer < n_layers; head < n_heads (or n_kv_heads for K; 0 when not per head).
 * The reader's pointers stay valid until the next trace_read() or trace_reader_close(). */
typedef struct trace_record {
  uint32_t kind;   /* trace_kind                        */
  uint32_t op;     /* trace_rope_op / _exp_op / _gemm_op */
  uint32_t flags;  /* TRACE_F_*                         */
  uint32_t layer, head;
  uint32_t tok0, ntok;
  uint32_t width;  /* head_dim (ROPE), values per row (EXP), K (GEMM) */
  uint32_t cols;   /* GEMM: rows of B; 0 otherwise      */
  const uint32_t *pos;
  const int8_t *x;
  const float *scale;
  const float *f32;
  const int8_t *b;
  const float *b_scale;
} trace_record;

const char *trace_kind_name(uint32_t kind);          /* "rope", "exp", "gemm", "?"    */
const char *trace_op_name(uint32_t kind, uint32_t op); /* "q", "softmax", "ffn_up", "?" */
/* Parse "rope"/"exp"/"gemm" (returns kind) and op names within a kind (returns op);
 * -1 if unknown. */
int trace_kind_parse(const char *s);
int trace_op_parse(uint32_t kind, const char *s);
/* Payload bytes of a record as encoded (record header included); 0 if ntok > 2^24 or
 * width or cols > 2^20. A record must fit in one chunk: trace_record_size() <= TRACE_CHUNK_MAX. */
size_t trace_record_size(const trace_record *r);
/* Check a record against the header (kinds, ops, indices, sizes, finite values). */
int trace_record_validate(const trace_header *h, const trace_record *r, char *err,
                          size_t errlen);

/* Symmetric per-row int8 quantization (TRACE_QUANT_INT8_ROW): *scale = max|x| / 127
 * (1 if the row is all zero), q[i] = round-half-away(x[i] / scale) in [-127, 127]. */
void trace_quantize_row(const float *x, size_t n, int8_t *q, float *scale);

/* ---- writer ------------------------------------------------------------------------ */
typedef struct trace_writer trace_writer;

/* Write to path (created/truncated; on failure, close with trace_writer_abort). */
trace_writer *trace_writer_open(const char *path, const trace_header *h, char *err,
                                size_t errlen);
/* Write to an open stream (e.g. the CLI's temporary output file); name is used in
 * messages. The header may be NULL here and given later with trace_writer_set_header()
 * before the first record (generators fill it in). The stream is not closed. */
trace_writer *trace_writer_open_file(FILE *f, const char *name, const trace_header *h,
                                     char *err, size_t errlen);
int trace_writer_set_header(trace_writer *w, const trace_header *h, char *err,
                            size_t errlen);
const trace_header *trace_writer_header(const trace_writer *w);
/* Append a record (validated against the header; copied into the current chunk). */
int trace_write(trace_writer *w, const trace_record *r, char *err, size_t errlen);
/* Flush the last chunk, write the end marker, free. Returns 0 or -1 (w freed anyway). */
int trace_writer_close(trace_writer *w, char *err, size_t errlen);
/* Free without finishing (the file stays incomplete and fails validation). */
void trace_writer_abort(trace_writer *w);
uint64_t trace_writer_records(const trace_writer *w);

/* ---- reader ------------------------------------------------------------------------ */
typedef struct trace_reader trace_reader;

/* On failure (NULL) errno tells an I/O failure (cannot open, or a read error: non-zero)
 * from a defect of the data (0: bad or truncated header). */
trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
/* Read from memory (not copied; must outlive the reader); name is used in messages. */
trace_reader *trace_reader_open_mem(const void *data, size_t size, const char *name,
                                    char *err, size_t errlen);
const trace_header *trace_reader_header(const trace_reader *r);
/* Next record: 1 = *rec filled, 0 = clean end of trace (end marker seen and checked),
 * -1 = error (message in err). After an error, further calls return -1. */
int trace_read(trace_reader *r, trace_record *rec, char *err, size_t errlen);
/* Index of the last record returned (0-based, across the file) and its chunk. */
uint64_t trace_reader_record_index(const trace_reader *r);
uint64_t trace_reader_chunk_index(const trace_reader *r);
/* Bytes consumed so far (for progress reports against the file size). */
uint64_t trace_reader_offset(const trace_reader *r);
/* After trace_read() returned -1: the errno of a failed read (an I/O error, not a defect
 * of the data), or 0 (the data is bad or ends early). */
int trace_reader_io_errno(const trace_reader *r);
void trace_reader_close(trace_reader *r);

/* ---- generators (`mpbsim gen`) ----------------------------------------------------- */
typedef struct trace_gen_opts {
  uint32_t tokens;   /* tokens per position window (>= 1)                       */
  uint64_t seed;     /* every random number derives from it                      */
  uint32_t layers;   /* 0 = the preset's small default                          */
  uint32_t windows;  /* position windows (>= 1); see trace_window_start()        */
  uint32_t max_pos;  /* last position reached by the last window (0 = tokens-1)  */
  bool full;         /* full widths instead of the preset's reduced widths      */
  bool f32;          /* keep fp32 originals in ROPE records                     */
  uint32_t gemm_rows;/* GEMM records sample at most this many rows of A (0 = 4)  */
  uint32_t gemm_cols;/* ... and this many rows of B (0 = 64)                     */
} trace_gen_opts;

void trace_gen_opts_init(trace_gen_opts *o); /* tokens 64, seed 1, windows 1 */
/* First position of window w (0-based) of o: the last window ends at max_pos (or
 * tokens-1 if max_pos is smaller); with several windows, window 0 starts at 0 and the
 * others are spaced geometrically between (so windows probe every octave of position).
 * One definition shared by every generator. */
uint32_t trace_window_start(const trace_gen_opts *o, uint32_t w);

/* A generator writes the header (trace_writer_set_header) and then its records. */
typedef int (*trace_gen_fn)(const trace_gen_opts *o, trace_writer *w, char *err,
                            size_t errlen);
typedef struct trace_generator {
  const char *name; /* preset name for --preset */
  const char *doc;  /* one line for --help      */
  trace_gen_fn fn;
} trace_generator;

/* The registry (traces/gen_registry.c lists every preset). */
size_t trace_gen_count(void);
const trace_generator *trace_gen_get(size_t i);
const trace_generator *trace_gen_find(const char *name);

/* The trace engineer's generators (traces/gen_ssm.c, traces/gen_hybrid.c,
 * traces/gen_rope.c). */
int trace_gen_mamba130m(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen);
int trace_gen_bitaxon(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen);
/* RoPE-only synthetic Q/K (no forward pass) for the Llama 3 8B / SmolLM2-135M
 * geometries: Gaussian vectors with a seeded per-channel scale. */
int trace_gen_rope_llama3(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen);
int trace_gen_rope_smollm2(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* MPB_TRACE_H */
