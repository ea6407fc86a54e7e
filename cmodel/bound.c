/* bound.c — the analytic bound on the rope unit's cos/sin error, term by term as derived
 * in docs/architecture.md §10. Tests check measured errors against it. */
#include <math.h>

#include "internal.h"

double mpb_rope_error_bound(const mpb_config *cfg, uint32_t m_max) {
  if (cfg->phi_mode != MPB_PHI_EXACT) return INFINITY;
  int N = cfg->horner_order, fw = cfg->horner_width - 2;
  double u = ldexp(1.0, -fw);
  double ur = cfg->rounding == MPB_ROUND_TRUNC ? u : u / 2;
  double c = 2.0 * M_PI / ldexp(1.0, cfg->cs_table_bits + 2);
  double fact = 1.0;
  for (int k = 2; k <= N + 1; k++) fact *= k;
  double taylor = pow(c, N + 1) / fact;
  double horner = N * (1.1 * (u / 2 + ur) + 1.5 * ur) / (1.0 - c);
  double cmul = 1.1 * 0.75 * u + ur;
  double phase = 2.0 * M_PI * (double)m_max * ldexp(1.0, -(cfg->freq_frac_bits + 1)) + c * u;
  double out = cfg->rounding == MPB_ROUND_TRUNC ? ldexp(1.0, -(cfg->cs_bits - 1))
                                                : ldexp(1.0, -cfg->cs_bits);
  /* cos = 1 saturates to 1 - 2^-(CW-1): an error of up to one output ulp */
  double sat = ldexp(1.0, -(cfg->cs_bits - 1));
  double b = taylor + horner + cmul + phase + out;
  return b > sat ? b : sat;
}
