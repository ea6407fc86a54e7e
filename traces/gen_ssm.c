/* gen_ssm.c — the `mamba130m` workload: FP32 forward pass of Mamba blocks with the
 * mamba-130m geometry (d_model 768, expand 2, d_state 16, d_conv 4, dt_rank 48; A_log =
 * log(1..16), dt log-uniform in [0.001, 0.1]), seeded synthetic weights and inputs,
 * pre-norm residual blocks. Captures exp(dt*A) inputs, the scan's C.h products and the
 * block's GEMMs. Widths are the real ones; only the layer count is small by default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

#define MAMBA_D_MODEL 768
#define MAMBA_EXPAND 2
#define MAMBA_D_STATE 16
#define MAMBA_D_CONV 4
#define MAMBA_DT_RANK 48 /* ceil(768 / 16) */
#define MAMBA_LAYERS_REAL 24

int trace_gen_mamba130m(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen) {
  uint32_t L = o->layers ? o->layers : 2, T = o->tokens, nw = o->windows ? o->windows : 1;
  if (L > MAMBA_LAYERS_REAL) {
    snprintf(err, errlen, "mamba130m: --layers %u, expected [1, %d]", L, MAMBA_LAYERS_REAL);
    return -1;
  }
  if (T > 4096) {
    snprintf(err, errlen, "mamba130m: --tokens %u, expected [1, 4096]", T);
    return -1;
  }
  trace_header h;
  trace_header_init(&h);
  snprintf(h.model, sizeof h.model, "mamba-130m (synthetic weights)");
  snprintf(h.source, sizeof h.source, "mpbsim gen --preset mamba130m");
  h.arch = TRACE_ARCH_SSM;
  h.n_layers = L;
  h.d_model = MAMBA_D_MODEL, h.d_state = MAMBA_D_STATE, h.d_conv = MAMBA_D_CONV;
  h.n_tokens = T;
  h.max_pos = trace_window_start(o, nw - 1) + T - 1;
  h.seed = o->seed;
  if (trace_writer_set_header(w, &h, err, errlen)) return -1;
  gen_rng r = {o->seed};
  gen_mamba *m = calloc(L, sizeof *m);
  float *x = NULL, *xn = malloc((size_t)T * MAMBA_D_MODEL * sizeof(float));
  float *y = malloc((size_t)T * MAMBA_D_MODEL * sizeof(float));
  uint32_t *pos = malloc(T * sizeof(uint32_t));
  int rc = -1;
  if (!m || !xn || !y || !pos) goto oom;
  for (uint32_t l = 0; l < L; l++)
    if (gen_mamba_init(&m[l], MAMBA_D_MODEL, MAMBA_EXPAND, MAMBA_D_STATE, MAMBA_D_CONV,
                       MAMBA_DT_RANK, &r))
      goto oom;
  for (uint32_t wi = 0; wi < nw; wi++) {
    uint32_t p0 = trace_window_start(o, wi);
    for (uint32_t t = 0; t < T; t++) pos[t] = p0 + t;
    free(x);
    if (gen_inputs(&x, T, MAMBA_D_MODEL, &r)) goto oom;
    for (uint32_t l = 0; l < L; l++) {
      gen_ctx c = {w, o, l, wi * T, T, pos, err, errlen};
      gen_rmsnorm(x, T, MAMBA_D_MODEL, xn);
      if (gen_mamba_forward(&m[l], &c, xn, y)) goto done;
      for (size_t i = 0; i < (size_t)T * MAMBA_D_MODEL; i++) x[i] += y[i];
    }
  }
  rc = 0;
  goto done;
oom:
  snprintf(err, errlen, "mamba130m: out of memory");
done:
  for (uint32_t l = 0; m && l < L; l++) gen_mamba_free(&m[l]);
  free(m), free(x), free(xn), free(y), free(pos);
  return rc;
}
