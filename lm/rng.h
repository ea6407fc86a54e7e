/* rng.h — the seeded random source of the synthetic-weight runtimes in lm/: splitmix64
 * (the same stream as the trace generators' gen_rand), uniform doubles in [0, 1) and
 * normal deviates (Box-Muller, one deviate per call). Header-only, no state but the
 * caller's 64-bit word. */
#ifndef MPB_LM_RNG_H
#define MPB_LM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct lm_rng { uint64_t s; } lm_rng;

static inline uint64_t lm_rng_u64(lm_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* [0, 1) with 53 random bits. */
static inline double lm_rng_uniform(lm_rng *r) { return (double)(lm_rng_u64(r) >> 11) * 0x1p-53; }

/* N(0, 1). */
static inline double lm_rng_normal(lm_rng *r) {
  double u1 = lm_rng_uniform(r), u2 = lm_rng_uniform(r);
  return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

#endif
