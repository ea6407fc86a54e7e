/* fuzz_trace.c — libFuzzer target: the trace reader on arbitrary bytes must return an
 * error or records, never crash, hang or allocate from an unchecked size. */
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  trace_reader *r = trace_reader_open_mem(data, size, "fuzz", err, sizeof err);
  if (!r) return 0;
  trace_record rec;
  volatile uint64_t sum = 0;
  while (trace_read(r, &rec, err, sizeof err) == 1) {
    /* touch every array the record claims, so an out-of-bounds pointer is caught */
    size_t n = (size_t)rec.ntok * rec.width;
    for (size_t i = 0; rec.x && i < n; i++) sum += (uint8_t)rec.x[i];
    for (size_t i = 0; rec.f32 && i < n; i++) sum += (uint64_t)(rec.f32[i] != 0);
    for (size_t i = 0; rec.pos && i < rec.ntok; i++) sum += rec.pos[i];
    for (size_t i = 0; rec.scale && i < rec.ntok; i++) sum += (uint64_t)(rec.scale[i] > 0);
    for (size_t i = 0; rec.b && i < (size_t)rec.cols * rec.width; i++) sum += (uint8_t)rec.b[i];
    for (size_t i = 0; rec.b_scale && i < rec.cols; i++) sum += (uint64_t)(rec.b_scale[i] > 0);
  }
  trace_reader_close(r);
  return 0;
}
