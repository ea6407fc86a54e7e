/* fuzz_safetensors.c — libFuzzer target: the safetensors parser on arbitrary bytes must
 * return an error or tensors whose data lie inside the input, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tensor_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  tf_tensor *t;
  size_t n;
  if (safetensors_parse(data, size, "fuzz.safetensors", &t, &n, err, sizeof err)) return 0;
  volatile double s = 0;
  for (size_t k = 0; k < n; k++)
    for (uint64_t i = 0; i < t[k].nelem; i++) s += tf_get(&t[k], i);
  free(t);
  return 0;
}
