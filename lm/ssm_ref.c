/* ssm_ref.c — the FP64 reference of the selective scan, one step at a time (O(E N)
 * memory: the state h only). The block on the ref backend (ssm.c) reproduces it bit for
 * bit; every other backend is measured against it (tests/lm_ssm_test.cc). */
#include <math.h>

#include "ssm.h"

void ssm_scan_ref_step(int E, int N, const double *A, const double *D, const double *dt,
                       const double *B, const double *C, const double *u, double *h,
                       double *y) {
  for (int e = 0; e < E; e++) {
    double *he = h + (size_t)e * N, acc = 0;
    const double *Ae = A + (size_t)e * N;
    for (int n = 0; n < N; n++) {
      he[n] = exp(dt[e] * Ae[n]) * he[n] + (dt[e] * B[n]) * u[e];
      acc += C[n] * he[n];
    }
    y[e] = acc + (D ? D[e] * u[e] : 0.0);
  }
}
