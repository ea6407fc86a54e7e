/* energy_node.c — technology node and supply scaling of logic energy: the Stillmaker-Baas
 * fits E(V) = a V^2 + b V + c per node (A. Stillmaker, B. Baas, "Scaling equations for
 * the accurate prediction of CMOS device performance from 180 nm to 7 nm", Integration,
 * vol. 58, pp. 74-81, 2017), the rows Accelergy uses (hwcomponents: LP flavour at 45 and
 * 32 nm, HP from 20 nm down; 180 nm from the paper's only row). Between tabulated nodes
 * the fitted energy is interpolated linearly in the node size (22 nm: 5/6 of the way
 * from 32 to 20 nm). docs/energy.md §1 lists the rows and how they were checked. */
#include "energy.h"
#include "errbuf.h"

#include <math.h>

/* node nm, a, b, c (energy fit in V) */
static const double sb_rows[][4] = {
    {180, 0.0, 24.64, -17.98},      /* 180 nm              */
    {130, 7.171, -6.709, 2.904},    /* 130 nm              */
    {90, 4.762, -4.781, 2.092},     /* 90 nm               */
    {65, 3.755, -4.398, 1.975},     /* 65 nm               */
    {45, 1.103, -0.362, 0.2767},    /* 45 nm, LP           */
    {32, 0.9559, -0.7823, 0.471},   /* 32 nm, LP           */
    {20, 0.373, -0.1582, 0.04104},  /* 20 nm, HP           */
    {16, 0.2958, -0.1241, 0.03024}, /* 16 nm, HP           */
    {14, 0.2363, -0.09675, 0.02239},/* 14 nm, HP           */
    {10, 0.2068, -0.09311, 0.02375},/* 10 nm, HP           */
    {7, 0.1776, -0.09097, 0.02447}, /* 7 nm, HP            */
};
#define SB_NROWS (sizeof sb_rows / sizeof sb_rows[0])

static double row_energy(size_t i, double v) {
  return sb_rows[i][1] * v * v + sb_rows[i][2] * v + sb_rows[i][3];
}

int mpb_energy_node_factor(double node_nm, double vdd, double *e, char *err, size_t n) {
  if (!(node_nm >= 7 && node_nm <= 180))
    return fail(err, n, "node_nm = %g is out of range [7, 180] (Stillmaker-Baas table)",
                node_nm);
  if (!(vdd > 0.3 && vdd <= 2.0))
    return fail(err, n, "vdd = %g is out of range (0.3, 2.0] V", vdd);
  for (size_t i = 0; i < SB_NROWS; i++) {
    double v = NAN;
    if (node_nm == sb_rows[i][0]) {
      v = row_energy(i, vdd);
    } else if (i + 1 < SB_NROWS && node_nm < sb_rows[i][0] && node_nm > sb_rows[i + 1][0]) {
      double w = (sb_rows[i][0] - node_nm) / (sb_rows[i][0] - sb_rows[i + 1][0]);
      v = (1 - w) * row_energy(i, vdd) + w * row_energy(i + 1, vdd);
    } else {
      continue;
    }
    if (!(v > 0))
      return fail(err, n, "node_nm = %g: the Stillmaker-Baas energy fit is not positive at "
                          "vdd = %g V (outside the node's fitted supply range)", node_nm, vdd);
    *e = v;
    return 0;
  }
  return fail(err, n, "node_nm = %g: no row", node_nm); /* not reached */
}

/* node nm, cubic delay fit D(V) = a V^3 + b V^2 + c V + d (the same paper and rows) */
static const double sb_delay[][5] = {
    {180, 0, 97.09, -356.7, 406.5},         {130, -76.65, 334.9, -493.4, 275.8},
    {90, -60.34, 262.5, -384.2, 210.9},     {65, -53.3, 230.4, -333.9, 178.6},
    {45, -285.7, 1239, -1795, 898.8},       {32, -325.9, 1374, -1922, 913.2},
    {20, 0, 34.63, -66.37, 41.15},          {16, 0, 24.8, -47.52, 28.87},
    {14, -40.66, 109.2, -100.6, 35.92},     {10, -34.95, 93.65, -85.99, 30.4},
    {7, -28.58, 76.6, -70.26, 24.69},
};

static double delay_at(double node_nm, double v) {
  size_t nr = sizeof sb_delay / sizeof sb_delay[0];
  for (size_t i = 0; i < nr; i++) {
    const double *r = sb_delay[i];
    double di = ((r[1] * v + r[2]) * v + r[3]) * v + r[4];
    if (node_nm == r[0]) return di;
    if (i + 1 < nr && node_nm < r[0] && node_nm > sb_delay[i + 1][0]) {
      const double *q = sb_delay[i + 1];
      double dq = ((q[1] * v + q[2]) * v + q[3]) * v + q[4];
      double w = (r[0] - node_nm) / (r[0] - q[0]);
      return (1 - w) * di + w * dq;
    }
  }
  return NAN;
}

double mpb_energy_node_delay_scale(double from_nm, double from_vdd, double to_nm,
                                   double to_vdd) {
  double a = delay_at(from_nm, from_vdd), b = delay_at(to_nm, to_vdd);
  return a > 0 && b > 0 ? b / a : NAN;
}

double mpb_energy_node_scale(double from_nm, double from_vdd, double to_nm, double to_vdd) {
  double a, b;
  if (mpb_energy_node_factor(from_nm, from_vdd, &a, NULL, 0) ||
      mpb_energy_node_factor(to_nm, to_vdd, &b, NULL, 0) || !(a > 0))
    return NAN;
  return b / a;
}
