/* sweep_svg.c — a small self-contained SVG scatter plot for sweep reports: all points,
 * the Pareto front as a line, the chosen point highlighted, an optional horizontal goal
 * line, log10 or linear axes with decade ticks. Output depends only on the data (no
 * dates, no randomness), so reports are byte-for-byte reproducible. */
#include <math.h>
#include <string.h>

#include "sweep.h"

#define PW 640.0
#define PH 420.0
#define ML 80.0
#define MR 20.0
#define MT 40.0
#define MB 60.0

typedef struct {
  double lo, hi;
  bool lg;
} axis_t;

static double tv(const axis_t *a, double v) { return a->lg ? log10(v) : v; }

static bool usable(const axis_t *a, double v) { return isfinite(v) && (!a->lg || v > 0); }

static void fit(axis_t *a, const double *v, size_t n, bool lg) {
  a->lg = lg;
  a->lo = INFINITY;
  a->hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (!usable(a, v[i])) continue;
    double t = tv(a, v[i]);
    if (t < a->lo) a->lo = t;
    if (t > a->hi) a->hi = t;
  }
  if (!(a->lo <= a->hi)) {
    a->lo = 0;
    a->hi = 1;
  }
  if (lg) {
    a->lo = floor(a->lo);
    a->hi = ceil(a->hi);
  }
  if (a->hi - a->lo < 1e-12) {
    a->lo -= 0.5;
    a->hi += 0.5;
  } else if (!lg) {
    double pad = (a->hi - a->lo) * 0.05;
    a->lo -= pad;
    a->hi += pad;
  }
}

static double px(const axis_t *a, double v) {
  return ML + (tv(a, v) - a->lo) / (a->hi - a->lo) * (PW - ML - MR);
}
static double py(const axis_t *a, double v) {
  return PH - MB - (tv(a, v) - a->lo) / (a->hi - a->lo) * (PH - MT - MB);
}

static void esc(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      fputs("&lt;", f);
    else if (*s == '>')
      fputs("&gt;", f);
    else if (*s == '&')
      fputs("&amp;", f);
    else
      fputc(*s, f);
  }
}

static void ticks(FILE *f, const axis_t *a, bool xaxis) {
  int nt = 6;
  for (int i = 0; i <= nt; i++) {
    double t = a->lo + (a->hi - a->lo) * i / nt;
    if (a->lg && fabs(t - round(t)) > 1e-9) continue;
    double v = a->lg ? pow(10, t) : t;
    char lab[32];
    snprintf(lab, sizeof lab, "%.3g", v);
    if (xaxis) {
      double x = px(a, v);
      fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>\n", x, MT, x,
              PH - MB);
      fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='11'>%s</text>\n", x,
              PH - MB + 16, lab);
    } else {
      double y = py(a, v);
      fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>\n", ML, y,
              PW - MR, y);
      fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
              ML - 6, y + 4, lab);
    }
  }
}

void sweep_svg_write(FILE *f, const sweep_plot *p) {
  axis_t ax, ay;
  fit(&ax, p->x, p->n, p->xlog);
  fit(&ay, p->y, p->n, p->ylog);
  if (p->yline > 0 && usable(&ay, p->yline)) {
    double t = tv(&ay, p->yline);
    if (t < ay.lo) ay.lo = p->ylog ? floor(t) : t;
    if (t > ay.hi) ay.hi = p->ylog ? ceil(t) : t;
  }
  fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
             "viewBox='0 0 %.0f %.0f' font-family='sans-serif'>\n",
          PW, PH, PW, PH);
  fprintf(f, "<rect width='100%%' height='100%%' fill='white'/>\n");
  fprintf(f, "<text x='%.1f' y='22' text-anchor='middle' font-size='14'>", PW / 2);
  esc(f, p->title);
  fputs("</text>\n", f);
  ticks(f, &ax, true);
  ticks(f, &ay, false);
  fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='#333'/>\n",
          ML, MT, PW - ML - MR, PH - MT - MB);
  fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='12'>", (ML + PW - MR) / 2,
          PH - 18);
  esc(f, p->xlabel);
  fputs("</text>\n", f);
  fprintf(f, "<text x='16' y='%.1f' text-anchor='middle' font-size='12' "
             "transform='rotate(-90 16 %.1f)'>",
          (MT + PH - MB) / 2, (MT + PH - MB) / 2);
  esc(f, p->ylabel);
  fputs("</text>\n", f);
  if (p->yline > 0 && usable(&ay, p->yline)) {
    double y = py(&ay, p->yline);
    fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#c00' "
               "stroke-dasharray='6,4'/>\n",
            ML, y, PW - MR, y);
    fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='end' font-size='11' fill='#c00'>goal "
               "%.3g</text>\n",
            PW - MR - 4, y - 4, p->yline);
  }
  fputs("<g fill='#4a7ab5' fill-opacity='0.45'>\n", f);
  for (size_t i = 0; i < p->n; i++)
    if (usable(&ax, p->x[i]) && usable(&ay, p->y[i]))
      fprintf(f, "<circle cx='%.1f' cy='%.1f' r='2.5'/>\n", px(&ax, p->x[i]), py(&ay, p->y[i]));
  fputs("</g>\n", f);
  if (p->front && p->nfront) {
    fputs("<polyline fill='none' stroke='#e07000' stroke-width='1.5' points='", f);
    for (size_t k = 0; k < p->nfront; k++) {
      size_t i = p->front[k];
      if (usable(&ax, p->x[i]) && usable(&ay, p->y[i]))
        fprintf(f, "%.1f,%.1f ", px(&ax, p->x[i]), py(&ay, p->y[i]));
    }
    fputs("'/>\n<g fill='#e07000'>\n", f);
    for (size_t k = 0; k < p->nfront; k++) {
      size_t i = p->front[k];
      if (usable(&ax, p->x[i]) && usable(&ay, p->y[i]))
        fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3.5'/>\n", px(&ax, p->x[i]),
                py(&ay, p->y[i]));
    }
    fputs("</g>\n", f);
  }
  if (p->highlight >= 0 && (size_t)p->highlight < p->n) {
    size_t i = (size_t)p->highlight;
    if (usable(&ax, p->x[i]) && usable(&ay, p->y[i]))
      fprintf(f, "<circle cx='%.1f' cy='%.1f' r='7' fill='none' stroke='#090' "
                 "stroke-width='2.5'/>\n",
              px(&ax, p->x[i]), py(&ay, p->y[i]));
  }
  fprintf(f, "<text x='%.1f' y='%.1f' font-size='11'>"
             "<tspan fill='#4a7ab5'>&#9679; points</tspan>  "
             "<tspan fill='#e07000'>&#9679; Pareto front</tspan>  "
             "<tspan fill='#090'>&#9675; chosen</tspan></text>\n",
          ML + 6, MT + 14);
  fputs("</svg>\n", f);
}
