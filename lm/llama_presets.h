/* llama_presets.h — named model geometries for synthetic-weight runs (llama_synth.c). */
#ifndef MPB_LLAMA_PRESETS_H
#define MPB_LLAMA_PRESETS_H

#include "llama.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LLAMA_SYNTH_VOCAB 512

typedef struct llama_preset {
  const char *name, *summary;
  llama_config c; /* n_layer is the default; callers may change it */
} llama_preset;

const llama_preset *llama_preset_find(const char *name);
size_t llama_preset_count(void);
const llama_preset *llama_preset_at(size_t i);

#ifdef __cplusplus
}
#endif
#endif
