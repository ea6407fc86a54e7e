/* gen_registry.c — the table of workload generators behind `mpbsim gen --preset NAME`.
 * To add a preset: declare its trace_gen_fn in a traces/ header and add one line here. */
#include <string.h>

#include "llama_trace.h"
#include "trace.h"

static const trace_generator generators[] = {
    {"mamba130m", "Mamba blocks, mamba-130m geometry (d_model 768, d_state 16), FP32 pass",
     trace_gen_mamba130m},
    {"bitaxon", "Bit-Axon sandwich: SSM / SWA(4096, head_dim 80)+MoE 8x top-2 / SSM+MoE",
     trace_gen_bitaxon},
    {"rope-llama3", "RoPE-only Q/K, Llama 3 8B geometry (d 128, base 500000, 32/8 heads)",
     trace_gen_rope_llama3},
    {"rope-smollm2", "RoPE-only Q/K, SmolLM2-135M geometry (d 64, base 100000, 9/3 heads)",
     trace_gen_rope_smollm2},
    {"llama3-8b", "Llama forward pass, Llama 3 8B geometry, synthetic weights (llama_trace.h)",
     llama_gen_llama3_8b},
    {"smollm2-135m", "Llama forward pass, SmolLM2-135M geometry, synthetic weights",
     llama_gen_smollm2_135m},
    {"smollm2-real", "SmolLM2-135M from the GGUF of `make models`, bundled passage",
     llama_gen_smollm2_real},
};

size_t trace_gen_count(void) { return sizeof generators / sizeof generators[0]; }

const trace_generator *trace_gen_get(size_t i) {
  return i < trace_gen_count() ? &generators[i] : NULL;
}

const trace_generator *trace_gen_find(const char *name) {
  for (size_t i = 0; i < trace_gen_count(); i++)
    if (!strcmp(generators[i].name, name)) return &generators[i];
  return NULL;
}
