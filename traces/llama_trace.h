/* llama_trace.h — capture of the Llama forward pass (llama.c) as an mpbsim trace
 * (trace.h): ROPE records (pre-rotation Q and K per layer/head with positions), EXP records
 * (softmax inputs minus the row max, one row per query token and head), GEMM records (int8
 * operands of every projection). The three generators below are the `mpbsim gen` presets
 * llama3-8b, smollm2-135m (synthetic weights) and smollm2-real (the GGUF from `make models`).
 */
#ifndef MPB_LLAMA_TRACE_H
#define MPB_LLAMA_TRACE_H

#include "llama.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LLAMA_REAL_MODEL "models/SmolLM2-135M-Instruct.Q4_1.gguf"
#define LLAMA_REAL_TOKENS "data/passage.tokens"

/* Run model m over o->windows windows of o->tokens tokens (window starts from
 * trace_window_start) and write the header and records to w. ids[n_ids] supplies the
 * tokens (cycled); if ids is NULL, tokens are drawn from o->seed. */
int llama_capture(const llama_model *m, const char *model_name, const char *source,
                  const int32_t *ids, size_t n_ids, const trace_gen_opts *o, trace_writer *w,
                  char *err, size_t errlen);

int llama_gen_llama3_8b(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen);
int llama_gen_smollm2_135m(const trace_gen_opts *o, trace_writer *w, char *err,
                           size_t errlen);
int llama_gen_smollm2_real(const trace_gen_opts *o, trace_writer *w, char *err,
                           size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
