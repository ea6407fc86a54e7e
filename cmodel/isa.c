/* isa.c — which instruction set the batched paths run: CPU detection (cpuid through
 * __builtin_cpu_supports), the names, and $MPB_ISA. No state is kept between calls. */
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "batch_kernels.h"

static const char *const isa_names[MPB_NISA] = {"scalar", "avx2", "avx512"};

const char *mpb_isa_name(mpb_isa isa) {
  return (unsigned)isa < MPB_NISA ? isa_names[isa] : NULL;
}

bool mpb_isa_supported(mpb_isa isa) {
  switch (isa) {
  case MPB_ISA_SCALAR:
    return true;
#if defined(__x86_64__) || defined(__i386__)
  case MPB_ISA_AVX2:
    return __builtin_cpu_supports("avx2");
  case MPB_ISA_AVX512:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
  default:
    return false;
  }
}

mpb_isa mpb_isa_best(void) {
  for (int i = MPB_NISA - 1; i > 0; i--)
    if (mpb_isa_supported((mpb_isa)i)) return (mpb_isa)i;
  return MPB_ISA_SCALAR;
}

mpb_isa mpb_isa_clamp(mpb_isa isa) {
  int i = (unsigned)isa < MPB_NISA ? (int)isa : MPB_NISA - 1;
  while (i > 0 && !mpb_isa_supported((mpb_isa)i)) i--;
  return (mpb_isa)i;
}

mpb_status mpb_isa_parse(const char *name, mpb_isa *isa, char *err, size_t errlen) {
  for (int i = 0; i < MPB_NISA; i++)
    if (name && strcmp(name, isa_names[i]) == 0) {
      *isa = (mpb_isa)i;
      return MPB_OK;
    }
  set_err(err, errlen, "unknown ISA '%s' (expected scalar, avx2, avx512)", name ? name : "");
  return MPB_EINVAL;
}

mpb_isa mpb_isa_default(void) {
  const char *s = getenv("MPB_ISA");
  mpb_isa isa;
  if (s && mpb_isa_parse(s, &isa, NULL, 0) == MPB_OK) return mpb_isa_clamp(isa);
  return mpb_isa_best();
}
