/* linear.c — matrix products on a site's backend: weight projections (lm_linear, weights
 * prepared once) and the attention matmuls (lm_matmul). FP32 through OpenBLAS sgemm;
 * bf16/fp16 round the operands and the result around the FP32 sgemm (FP32 accumulation,
 * as framework GEMM kernels do); int8 quantizes both operands symmetrically (per row or
 * per group) and forms exact integer group sums; the bridge sends the int8 operands
 * through libmpb's dot unit (numerics_bridge.c). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "numerics_internal.h"

struct lm_linear {
  lm_numerics *nm;
  lm_lin_site site;
  lm_backend b;
  int n, k, group; /* group: elements per scale (k for one scale per row) */
  const float *w;  /* FP weights used by sgemm: the caller's, or own (rounded, or int8 codes) */
  float *own;
  int8_t *q8;      /* bridge: int8 codes [n][k] */
  float *sw;       /* int8/bridge: scales [n][k / group] */
};

/* Largest K whose int8 x int8 sums are exact in FP32: K * 127^2 < 2^24. */
#define EXACT_K 1040

static void sgemm_nt(size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                     const float *B, size_t ldb, float beta, float *C, size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)N, (int)K, alpha, A,
              (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

int lm_linear_new(lm_linear **out, lm_numerics *nm, lm_lin_site site, const float *w,
                  int n_out, int k, char *err, size_t errlen) {
  *out = NULL;
  if ((unsigned)site >= LM_NLIN || site == LM_LIN_QK || site == LM_LIN_PV)
    return fail(err, errlen, "linear: site %d is not a weight projection", (int)site);
  if (n_out < 1 || k < 1) return fail(err, errlen, "linear: shape %d x %d", n_out, k);
  lm_linear *l = calloc(1, sizeof *l);
  if (!l) return fail(err, errlen, "out of memory");
  l->nm = nm, l->site = site, l->b = nm->spec.lin[site], l->n = n_out, l->k = k;
  l->w = w;
  l->group = k;
  size_t nk = (size_t)n_out * k;
  if (l->b == LM_BK_BF16 || l->b == LM_BK_FP16) {
    if (!(l->own = malloc(nk * sizeof(float)))) goto oom;
    memcpy(l->own, w, nk * sizeof(float));
    lm_round_dtype(l->b, nk, l->own);
    l->w = l->own;
  } else if (l->b == LM_BK_INT8 || l->b == LM_BK_BRIDGE) {
    if (nm->spec.gemm_group) {
      if (k % nm->spec.gemm_group) {
        free(l);
        return fail(err, errlen, "linear %s: k = %d is not a multiple of the quantization "
                    "group %d", lm_lin_site_name(site), k, nm->spec.gemm_group);
      }
      l->group = nm->spec.gemm_group;
    }
    size_t ng = (size_t)(k / l->group);
    int32_t *q = malloc((size_t)l->group * sizeof *q);
    l->sw = malloc((size_t)n_out * ng * sizeof(float));
    if (l->b == LM_BK_INT8) l->own = malloc(nk * sizeof(float));
    else l->q8 = malloc(nk);
    if (!q || !l->sw || (l->b == LM_BK_INT8 ? !l->own : !l->q8)) {
      free(q);
      goto oom;
    }
    for (size_t r = 0; r < (size_t)n_out; r++)
      for (size_t g = 0; g < ng; g++) {
        size_t o = r * k + g * l->group;
        lm_quantize_row(w + o, (size_t)l->group, 8, q, &l->sw[r * ng + g]);
        for (int i = 0; i < l->group; i++) {
          if (l->own) l->own[o + i] = (float)q[i];
          else l->q8[o + i] = (int8_t)q[i];
        }
      }
    free(q);
    l->w = l->own;
  }
  *out = l;
  return 0;
oom:
  lm_linear_free(l);
  return fail(err, errlen, "out of memory preparing %s weights (%d x %d) for %s",
              lm_lin_site_name(site), n_out, k, lm_backend_name(nm->spec.lin[site]));
}

void lm_linear_free(lm_linear *l) {
  if (!l) return;
  free(l->own), free(l->q8), free(l->sw);
  free(l);
}

size_t lm_linear_bytes(const lm_linear *l) {
  size_t nk = (size_t)l->n * l->k, ng = (size_t)l->n * (l->k / l->group);
  if (l->b == LM_BK_BF16 || l->b == LM_BK_FP16) return nk * sizeof(float);
  if (l->b == LM_BK_INT8) return nk * sizeof(float) + ng * sizeof(float);
  if (l->b == LM_BK_BRIDGE) return nk + ng * sizeof(float);
  return 0;
}

/* int8 activations: codes (as floats, for int8; as int8_t, for the bridge) and one scale
 * per group of each row. */
static int quantize_x(const lm_linear *l, size_t rows, const float *x, size_t ldx,
                      float *codes_f, int8_t *codes_8, float *sx, char *err, size_t errlen) {
  size_t ng = (size_t)(l->k / l->group);
  int32_t *q = lm_scratch(l->nm, 3, (size_t)l->group * sizeof *q, err, errlen);
  if (!q) return -1;
  for (size_t r = 0; r < rows; r++)
    for (size_t g = 0; g < ng; g++) {
      lm_quantize_row(x + r * ldx + g * l->group, (size_t)l->group, 8, q, &sx[r * ng + g]);
      size_t o = r * l->k + g * l->group;
      for (int i = 0; i < l->group; i++) {
        if (codes_f) codes_f[o + i] = (float)q[i];
        else codes_8[o + i] = (int8_t)q[i];
      }
    }
  return 0;
}

/* int8: exact integer sums of each group (FP32 sgemm on the codes is exact for K <=
 * EXACT_K), scaled by both scales; per-row sums longer than EXACT_K are summed in int64
 * chunk by chunk. Groups accumulate in FP32 after scaling. */
static int apply_int8(lm_linear *l, size_t rows, const float *x, size_t ldx, float *y,
                      size_t ldy, char *err, size_t errlen) {
  size_t k = (size_t)l->k, n = (size_t)l->n, ng = k / (size_t)l->group;
  float *xq = lm_scratch(l->nm, 0, rows * k * sizeof(float), err, errlen);
  float *sx = lm_scratch(l->nm, 1, rows * ng * sizeof(float), err, errlen);
  if (!xq || !sx || quantize_x(l, rows, x, ldx, xq, NULL, sx, err, errlen)) return -1;
  if (ng == 1 && k > EXACT_K) {
    int64_t *acc = lm_scratch(l->nm, 2, rows * n * sizeof(int64_t), err, errlen);
    if (!acc) return -1;
    memset(acc, 0, rows * n * sizeof(int64_t));
    for (size_t c0 = 0; c0 < k; c0 += EXACT_K) {
      size_t kc = k - c0 < EXACT_K ? k - c0 : EXACT_K;
      sgemm_nt(rows, n, kc, 1.0f, xq + c0, k, l->w + c0, k, 0.0f, y, ldy);
      for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < n; c++) acc[r * n + c] += (int64_t)y[r * ldy + c];
    }
    for (size_t r = 0; r < rows; r++)
      for (size_t c = 0; c < n; c++)
        y[r * ldy + c] = (float)((double)acc[r * n + c] * sx[r] * l->sw[c]);
    return 0;
  }
  float *tmp = ng == 1 ? y : lm_scratch(l->nm, 2, rows * n * sizeof(float), err, errlen);
  if (!tmp) return -1;
  size_t ldt = ng == 1 ? ldy : n;
  for (size_t g = 0; g < ng; g++) {
    size_t c0 = g * (size_t)l->group;
    sgemm_nt(rows, n, (size_t)l->group, 1.0f, xq + c0, k, l->w + c0, k, 0.0f, tmp, ldt);
    for (size_t r = 0; r < rows; r++)
      for (size_t c = 0; c < n; c++) {
        float v = (float)((double)tmp[r * ldt + c] * sx[r * ng + g] * l->sw[c * ng + g]);
        y[r * ldy + c] = g ? y[r * ldy + c] + v : v;
      }
  }
  return 0;
}

int lm_linear_apply(lm_linear *l, size_t rows, const float *x, size_t ldx, float *y,
                    size_t ldy, char *err, size_t errlen) {
  size_t k = (size_t)l->k, n = (size_t)l->n;
  if (rows == 0) return 0;
  switch (l->b) {
  case LM_BK_REF:
  case LM_BK_FP32:
    sgemm_nt(rows, n, k, 1.0f, x, ldx, l->w, k, 0.0f, y, ldy);
    return 0;
  case LM_BK_BF16:
  case LM_BK_FP16: {
    float *xr = lm_scratch(l->nm, 0, rows * k * sizeof(float), err, errlen);
    if (!xr) return -1;
    for (size_t r = 0; r < rows; r++) {
      memcpy(xr + r * k, x + r * ldx, k * sizeof(float));
      lm_round_dtype(l->b, k, xr + r * k);
    }
    sgemm_nt(rows, n, k, 1.0f, xr, k, l->w, k, 0.0f, y, ldy);
    for (size_t r = 0; r < rows; r++) lm_round_dtype(l->b, n, y + r * ldy);
    return 0;
  }
  case LM_BK_INT8:
    l->nm->stats.gemm_macs[l->site] += rows * n * k;
    return apply_int8(l, rows, x, ldx, y, ldy, err, errlen);
  case LM_BK_BRIDGE: {
    size_t ng = k / (size_t)l->group;
    int8_t *xq = lm_scratch(l->nm, 0, rows * k, err, errlen);
    float *sx = lm_scratch(l->nm, 1, rows * ng * sizeof(float), err, errlen);
    if (!xq || !sx || quantize_x(l, rows, x, ldx, NULL, xq, sx, err, errlen)) return -1;
    l->nm->stats.gemm_macs[l->site] += rows * n * k;
    return lm_bridge_gemm(l->nm, l->site, rows, n, k, (size_t)l->group, xq, sx, l->q8, l->sw,
                          y, ldy, err, errlen);
  }
  default:
    return fail(err, errlen, "linear: backend %d out of range", (int)l->b);
  }
}

/* An activation x activation product on int8 operands (the ssm_scan read-out): A's rows
 * and B's rows quantized to int8 with one absmax scale per row; exact integer sums (int8)
 * or the dot unit (bridge), times both scales and alpha. */
static int matmul_int8(lm_numerics *nm, lm_lin_site site, lm_backend b, size_t M, size_t N,
                       size_t K, float alpha, const float *A, size_t lda, const float *B,
                       size_t ldb, float *C, size_t ldc, char *err, size_t errlen) {
  /* scratch 0..3 (lm_bridge_gemm uses 4 and 5) */
  int8_t *qa = lm_scratch(nm, 0, M * K + 1, err, errlen);
  int8_t *qb = lm_scratch(nm, 1, N * K + 1, err, errlen);
  float *sa = lm_scratch(nm, 2, (M + N) * sizeof(float), err, errlen), *sb = sa ? sa + M : NULL;
  int32_t *q = lm_scratch(nm, 3, (K + 1) * sizeof(int32_t), err, errlen);
  if (!qa || !qb || !sa || !q) return -1;
  for (size_t r = 0; r < M; r++) {
    lm_quantize_row(A + r * lda, K, 8, q, &sa[r]);
    for (size_t i = 0; i < K; i++) qa[r * K + i] = (int8_t)q[i];
  }
  for (size_t r = 0; r < N; r++) {
    lm_quantize_row(B + r * ldb, K, 8, q, &sb[r]);
    for (size_t i = 0; i < K; i++) qb[r * K + i] = (int8_t)q[i];
  }
  nm->stats.gemm_macs[site] += M * N * K;
  if (b == LM_BK_BRIDGE) {
    if (lm_bridge_gemm(nm, site, M, N, K, K, qa, sa, qb, sb, C, ldc, err, errlen)) return -1;
    if (alpha != 1.0f)
      for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) C[i * ldc + j] *= alpha;
  } else {
    for (size_t i = 0; i < M; i++)
      for (size_t j = 0; j < N; j++) {
        int64_t acc = 0;
        for (size_t k = 0; k < K; k++) acc += (int32_t)qa[i * K + k] * qb[j * K + k];
        C[i * ldc + j] = (float)((double)acc * sa[i] * sb[j] * alpha);
      }
  }
  return 0;
}

int lm_matmul(lm_numerics *nm, lm_lin_site site, int b_trans, size_t M, size_t N, size_t K,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float *C,
              size_t ldc, char *err, size_t errlen) {
  lm_backend b = nm->spec.lin[site];
  if (M == 0 || N == 0) return 0;
  if (b == LM_BK_INT8 || b == LM_BK_BRIDGE) {
    if (!b_trans)
      return fail(err, errlen, "matmul %s: int8 operands need B as rows ([N][K])",
                  lm_lin_site_name(site));
    return matmul_int8(nm, site, b, M, N, K, alpha, A, lda, B, ldb, C, ldc, err, errlen);
  }
  if (b == LM_BK_BF16 || b == LM_BK_FP16) {
    size_t nb = b_trans ? N * K : K * N, wb = b_trans ? K : N;
    float *ar = lm_scratch(nm, 0, M * K * sizeof(float), err, errlen);
    float *br = lm_scratch(nm, 1, nb * sizeof(float), err, errlen);
    if (!ar || !br) return -1;
    for (size_t r = 0; r < M; r++) memcpy(ar + r * K, A + r * lda, K * sizeof(float));
    for (size_t r = 0; r < nb / wb; r++) memcpy(br + r * wb, B + r * ldb, wb * sizeof(float));
    lm_round_dtype(b, M * K, ar);
    lm_round_dtype(b, nb, br);
    A = ar, lda = K, B = br, ldb = wb;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, b_trans ? CblasTrans : CblasNoTrans, (int)M, (int)N,
              (int)K, alpha, A, (int)lda, B, (int)ldb, 0.0f, C, (int)ldc);
  if (b == LM_BK_BF16 || b == LM_BK_FP16)
    for (size_t r = 0; r < M; r++) lm_round_dtype(b, N, C + r * ldc);
  return 0;
}
