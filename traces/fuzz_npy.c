/* fuzz_npy.c — libFuzzer target: the .npy parser on arbitrary bytes must return an error
 * or a tensor whose data lies inside the input, never crash. */
#include <stddef.h>
#include <stdint.h>

#include "tensor_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  tf_tensor t;
  if (npy_parse(data, size, "fuzz.npy", &t, err, sizeof err)) return 0;
  volatile double s = 0;
  for (uint64_t i = 0; i < t.nelem; i++) s += tf_get(&t, i);
  return 0;
}
