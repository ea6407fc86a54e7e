/* baseline.c — cos/sin the way frameworks compute RoPE, to compare the bridge against:
 * the FP64 reference, the FP32 recipe of PyTorch/Hugging Face code, that recipe with
 * positions and products in BF16 or FP16, and naive INT8 (docs/baselines.md). */
#include <math.h>

#include "internal.h"

static const char *const base_names[MPB_NBASE] = {"fp64", "fp32", "bf16", "fp16", "int8"};
const char *mpb_baseline_name(mpb_baseline b) {
  return (unsigned)b < MPB_NBASE ? base_names[b] : "?";
}

double mpb_round_float(double x, int p, int emin, int emax) {
  if (x == 0.0 || !isfinite(x)) return x;
  int e;
  frexp(x, &e); /* x = f * 2^e, f in [0.5, 1): unbiased exponent e-1 */
  int E = e - 1 < emin ? emin : e - 1;
  double q = ldexp(1.0, E - p + 1); /* spacing of the format around x */
  double r = nearbyint(x / q) * q;  /* round to nearest even (default FP mode) */
  double max = ldexp(2.0 - ldexp(1.0, 1 - p), emax);
  if (fabs(r) > max) return copysign(INFINITY, x);
  return r;
}

static double to_f32(double x) { return mpb_round_float(x, 24, -126, 127); }
static double to_bf16(double x) { return mpb_round_float(x, 8, -126, 127); }
static double to_fp16(double x) { return mpb_round_float(x, 11, -14, 15); }

/* inv_freq = 1.0 / (base ** (arange(0, d, 2).float() / d)), all in float32. */
static float inv_freq_f32(const mpb_geometry *g, int j) {
  float ex = (float)(2 * j) / (float)g->head_dim;
  float pw = powf((float)g->base, ex);
  return 1.0f / pw;
}

void mpb_baseline_cossin(mpb_baseline b, const mpb_geometry *g, uint32_t m, int j, double *c,
                         double *s) {
  switch (b) {
  case MPB_BASE_FP32: {
    float phi = (float)m * inv_freq_f32(g, j);
    *c = cosf(phi);
    *s = sinf(phi);
    return;
  }
  case MPB_BASE_BF16:
  case MPB_BASE_FP16: {
    /* Frameworks keep inv_freq in float32 and run the position product and the cos/sin
     * cache in the model dtype: round m, inv_freq, the product and the results. */
    double (*rnd)(double) = b == MPB_BASE_BF16 ? to_bf16 : to_fp16;
    double phi = rnd(rnd((double)m) * rnd(inv_freq_f32(g, j)));
    *c = rnd(to_f32(cos(phi)));
    *s = rnd(to_f32(sin(phi)));
    return;
  }
  case MPB_BASE_INT8: {
    double th = pow(g->base, -2.0 * j / g->head_dim), phi = (double)m * th;
    double cq = nearbyint(cos(phi) * 128.0), sq = nearbyint(sin(phi) * 128.0);
    *c = fmin(127.0, fmax(-128.0, cq)) / 128.0;
    *s = fmin(127.0, fmax(-128.0, sq)) / 128.0;
    return;
  }
  case MPB_BASE_FP64:
  default: {
    double th = pow(g->base, -2.0 * j / g->head_dim), phi = (double)m * th;
    *c = cos(phi);
    *s = sin(phi);
    return;
  }
  }
}
