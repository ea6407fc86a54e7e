/* fuzz_npz.c — libFuzzer target: the .npz (zip) reader on arbitrary bytes must return
 * an error or tensors inside the inflated members, never crash or allocate more than
 * the deflate ratio allows. */
#include <stddef.h>
#include <stdint.h>

#include "tensor_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  tf_archive a;
  if (npz_parse(data, size, "fuzz.npz", &a, err, sizeof err)) return 0;
  volatile double s = 0;
  for (size_t k = 0; k < a.n; k++)
    for (uint64_t i = 0; i < a.t[k].nelem; i++) s += tf_get(&a.t[k], i);
  tf_archive_free(&a);
  return 0;
}
