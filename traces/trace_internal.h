/* trace_internal.h — sizes of the trace encoding shared by the library's own files
 * (not part of the public API; docs/trace-format.md is the specification). */
#ifndef MPB_TRACE_INTERNAL_H
#define MPB_TRACE_INTERNAL_H

#include "trace.h"

/* Encoded header body, version 1: two name fields, 5 u32, f64 base, 10 u32, u64 seed. */
#define TRACE_HDR_SIZE (2u * TRACE_NAME_MAX + 5u * 4u + 8u + 10u * 4u + 8u)
/* Encoded record header: kind, op, flags, layer, head, tok0, ntok, width, cols (u32). */
#define TRACE_REC_HDR 36u
/* Largest row width of any record (values per row, K). */
#define TRACE_MAX_WIDTH (1u << 20)

#endif
