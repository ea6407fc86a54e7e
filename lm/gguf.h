/* gguf.h — strict reader of llama.cpp's GGUF container (versions 2 and 3).
 *
 * The whole file is held in memory; every count, length and offset is checked against
 * the file size before it is used, so a truncated or hostile file yields an error
 * message (naming the file, the field or tensor and the expected range), never a crash
 * or an unbounded allocation. Tensor data can be dequantized to FP32 (gguf_quant.c).
 * Functions return 0 on success, -1 on error with a message in err[errlen].
 */
#ifndef MPB_GGUF_H
#define MPB_GGUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Metadata value types (GGUF spec). */
enum {
  GGUF_UINT8 = 0, GGUF_INT8 = 1, GGUF_UINT16 = 2, GGUF_INT16 = 3, GGUF_UINT32 = 4,
  GGUF_INT32 = 5, GGUF_FLOAT32 = 6, GGUF_BOOL = 7, GGUF_STRING = 8, GGUF_ARRAY = 9,
  GGUF_UINT64 = 10, GGUF_INT64 = 11, GGUF_FLOAT64 = 12, GGUF_NTYPES = 13
};

/* Tensor types (ggml_type numbering) this reader can dequantize: the ones SmolLM2's
 * Q4_1 file uses (F32, Q4_1, Q8_0), the ones Gemma 3 270M's Q4_K_M file uses (F32, Q8_0,
 * Q5_0, Q4_K, Q6_K) and two close relatives (F16, Q4_0). gguf_quant.c holds the table. */
enum {
  GGML_F32 = 0, GGML_F16 = 1, GGML_Q4_0 = 2, GGML_Q4_1 = 3, GGML_Q5_0 = 6, GGML_Q8_0 = 8,
  GGML_Q4_K = 12, GGML_Q6_K = 14
};

#define GGUF_MAX_DIMS 4
#define GGUF_MAGIC 0x46554747u /* "GGUF" little-endian */
#define GGUF_DEFAULT_ALIGNMENT 32u

typedef struct gguf_str {
  const char *ptr; /* into the file buffer, NOT NUL-terminated */
  uint64_t len;
} gguf_str;

typedef struct gguf_kv {
  char *key;           /* NUL-terminated copy */
  uint32_t type;       /* GGUF_* */
  union {
    uint64_t u;        /* unsigned integer types and BOOL */
    int64_t i;         /* signed integer types */
    double f;          /* FLOAT32, FLOAT64 */
  } v;
  gguf_str str;        /* STRING */
  uint32_t arr_type;   /* ARRAY: element type (never ARRAY) */
  uint64_t arr_n;      /* ARRAY: element count */
  const uint8_t *arr_data; /* ARRAY of fixed-size elements: first element */
  gguf_str *arr_str;   /* ARRAY of STRING: arr_n entries */
} gguf_kv;

typedef struct gguf_tensor {
  char *name;                   /* NUL-terminated copy */
  uint32_t n_dims;
  uint64_t ne[GGUF_MAX_DIMS];   /* ne[0] is the contiguous (row) dimension; unused = 1 */
  uint32_t type;                /* GGML_* */
  uint64_t offset;              /* relative to the data section */
  uint64_t nelem, nbytes;
  const uint8_t *data;          /* into the file buffer */
} gguf_tensor;

typedef struct gguf_file {
  char *path;
  uint8_t *buf;
  size_t size;
  uint32_t version;
  uint64_t n_kv, n_tensors;
  gguf_kv *kv;
  gguf_tensor *tensors;
  uint64_t alignment, data_offset;
} gguf_file;

/* Read and validate path. */
int gguf_open(gguf_file **out, const char *path, char *err, size_t errlen);
/* Validate an in-memory image (copied); name is used in messages. */
int gguf_parse(gguf_file **out, const uint8_t *data, size_t size, const char *name,
               char *err, size_t errlen);
void gguf_close(gguf_file *g);

const gguf_kv *gguf_find_kv(const gguf_file *g, const char *key);
const gguf_tensor *gguf_find_tensor(const gguf_file *g, const char *name);
const char *gguf_type_name(uint32_t ggml_type);
const char *gguf_vtype_name(uint32_t gguf_type);

/* Typed metadata getters: any integer type converts if the value fits in [lo, hi]. */
int gguf_get_int(const gguf_file *g, const char *key, int64_t lo, int64_t hi, int64_t *out,
                 char *err, size_t errlen);
int gguf_get_float(const gguf_file *g, const char *key, double lo, double hi, double *out,
                   char *err, size_t errlen);
/* Copy a STRING value (NUL-terminated, truncated to outlen-1). */
int gguf_get_string(const gguf_file *g, const char *key, char *out, size_t outlen, char *err,
                    size_t errlen);

/* Block size (elements) and bytes per block of a tensor type; 0 if unknown. */
uint64_t gguf_block_elems(uint32_t ggml_type);
uint64_t gguf_block_bytes(uint32_t ggml_type);
/* The supported type names, comma-separated ("F32, F16, ..."), for error messages. */
const char *gguf_supported_types(void);

/* IEEE half to float. */
float gguf_f16_to_f32(uint16_t h);
/* Dequantize n consecutive elements starting at element 'first' (block-aligned) of a raw
 * tensor of the given type into out. */
int gguf_dequant(uint32_t ggml_type, const uint8_t *raw, uint64_t first, uint64_t n, float *out,
                 char *err, size_t errlen);
/* Dequantize a whole tensor into out (nelem floats); checks shape against expect_ne
 * (entries of 0 are not checked; expect_dims = number of dims required). */
int gguf_tensor_f32(const gguf_file *g, const char *name, uint32_t expect_dims,
                    const uint64_t *expect_ne, float *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
