/* tensor_file.h — strict parsers of the tensor files `mpbsim trace import` reads:
 * NumPy .npy (format versions 1-3), .npz (zip of .npy) and safetensors. They parse an
 * in-memory image and return tensors pointing into it (or, for .npz, into the inflated
 * members); every length, shape, dtype and offset is checked
 * against the image size (overflow-safe) and errors name the file, the tensor, the field
 * and the expected range. Functions return 0, or -1 with a message in err.
 */
#ifndef MPB_TENSOR_FILE_H
#define MPB_TENSOR_FILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TF_MAX_DIMS 8
#define TF_NAME_MAX 128
#define TF_MAX_FILE (1ull << 34) /* 16 GiB: larger files are refused */

typedef enum {
  TF_F32 = 0, TF_F64, TF_F16, TF_BF16, TF_I8, TF_I16, TF_I32, TF_I64, TF_U8, TF_U16, TF_U32,
  TF_U64, TF_NDTYPE
} tf_dtype;

typedef struct tf_tensor {
  char name[TF_NAME_MAX];
  tf_dtype dtype;
  uint32_t ndim;
  uint64_t shape[TF_MAX_DIMS];
  uint64_t nelem;
  const uint8_t *data; /* little-endian, C order, nelem * tf_dtype_size bytes */
} tf_tensor;

size_t tf_dtype_size(tf_dtype t);
const char *tf_dtype_name(tf_dtype t);
/* Element i converted to double. */
double tf_get(const tf_tensor *t, uint64_t i);

/* One .npy array. name is used in messages and copied into out->name. */
int npy_parse(const uint8_t *data, size_t size, const char *name, tf_tensor *out, char *err,
              size_t errlen);
/* All tensors of a safetensors image (*out malloc'ed, *n entries; free with free()). */
int safetensors_parse(const uint8_t *data, size_t size, const char *name, tf_tensor **out,
                      size_t *n, char *err, size_t errlen);

/* A NumPy .npz (zip of .npy members, stored or deflated, read with zlib): one tensor per
 * member, named after the member without ".npy". The members are inflated into buffers
 * owned by the archive; free with tf_archive_free. Zip64 archives are refused. */
typedef struct tf_archive {
  tf_tensor *t;
  size_t n;
  uint8_t **bufs;
} tf_archive;
int npz_parse(const uint8_t *data, size_t size, const char *name, tf_archive *a, char *err,
              size_t errlen);
void tf_archive_free(tf_archive *a);

/* Read a whole file into memory (refuses files over TF_MAX_FILE). */
int tf_read_file(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
