/* svg.c — inline-SVG line plots (linear/log axes), bar charts and heat maps for the HTML
 * reports. */
#include "svg.h"

#include <math.h>

static const char *const palette[SVG_MAX_SERIES] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

void svg_write_text(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default: fputc(*s, f);
    }
  }
}

static double tr(double v, bool lg) { return lg ? log2(v) : v; }

/* Tick label for value v (in axis units: log2 if lg). */
static void tick_label(char *buf, size_t n, double t, bool lg) {
  if (lg) {
    double v = exp2(t);
    if (t >= 0 && t <= 20) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "2^%.0f", t);
  } else {
    snprintf(buf, n, "%g", t);
  }
}

void svg_write_plot(FILE *f, const svg_plot *p) {
  int W = p->width > 0 ? p->width : 720, H = p->height > 0 ? p->height : 380;
  int ml = 70, mr = 170, mt = 30, mb = 50;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int k = 0; k < p->nseries; k++)
    for (size_t i = 0; i < p->s[k].n; i++) {
      double x = p->s[k].x[i], y = p->s[k].y[i];
      if ((p->xlog && x <= 0) || (p->ylog && y <= 0) || !isfinite(x) || !isfinite(y)) continue;
      x0 = fmin(x0, tr(x, p->xlog)), x1 = fmax(x1, tr(x, p->xlog));
      y0 = fmin(y0, tr(y, p->ylog)), y1 = fmax(y1, tr(y, p->ylog));
    }
  if (p->hline > 0 || (!p->ylog && p->hline != 0)) {
    double h = tr(p->hline, p->ylog);
    y0 = fmin(y0, h), y1 = fmax(y1, h);
  }
  if (!(x0 <= x1)) x0 = 0, x1 = 1;
  if (!(y0 <= y1)) y0 = 0, y1 = 1;
  if (p->ylog) y0 = floor(y0), y1 = ceil(y1);
  if (p->xlog) x0 = floor(x0), x1 = ceil(x1);
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  double pw = W - ml - mr, ph = H - mt - mb;
#define PX(x) (ml + (tr((x), p->xlog) - x0) / (x1 - x0) * pw)
#define PY(y) (mt + ph - (tr((y), p->ylog) - y0) / (y1 - y0) * ph)
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
  fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">", ml);
  svg_write_text(f, p->title);
  fputs("</text>\n", f);
  /* grid and ticks */
  double xstep = p->xlog ? fmax(1, ceil((x1 - x0) / 10)) : (x1 - x0) / 8;
  double ystep = p->ylog ? fmax(1, ceil((y1 - y0) / 8)) : (y1 - y0) / 6;
  char lab[32];
  for (double t = x0; t <= x1 + 1e-9; t += xstep) {
    double px = ml + (t - x0) / (x1 - x0) * pw;
    tick_label(lab, sizeof lab, t, p->xlog);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            px, mt, px, mt + ph, px, mt + ph + 14, lab);
  }
  for (double t = y0; t <= y1 + 1e-9; t += ystep) {
    double py = mt + ph - (t - y0) / (y1 - y0) * ph;
    tick_label(lab, sizeof lab, t, p->ylog);
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
               "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            ml, py, ml + pw, py, ml - 4, py + 4, lab);
  }
  fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
             "stroke=\"#333\"/>\n", ml, mt, pw, ph);
  fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", ml + pw / 2, H - 10);
  svg_write_text(f, p->xlabel);
  fprintf(f, "</text>\n<text transform=\"translate(14,%.1f) rotate(-90)\" "
             "text-anchor=\"middle\">", mt + ph / 2);
  svg_write_text(f, p->ylabel);
  fputs("</text>\n", f);
  if (p->hline != 0 && (!p->ylog || p->hline > 0)) {
    double py = PY(p->hline);
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
               "stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%.1f\">", ml, py, ml + pw, py,
            ml + pw + 4, py + 4);
    svg_write_text(f, p->hline_label ? p->hline_label : "");
    fputs("</text>\n", f);
  }
  for (int k = 0; k < p->nseries; k++) {
    const svg_series *s = &p->s[k];
    const char *col = palette[k % SVG_MAX_SERIES];
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"", col,
            s->dashed ? " stroke-dasharray=\"6,3\"" : "");
    for (size_t i = 0; i < s->n; i++) {
      if ((p->xlog && s->x[i] <= 0) || (p->ylog && s->y[i] <= 0) || !isfinite(s->y[i]))
        continue;
      fprintf(f, "%.1f,%.1f ", PX(s->x[i]), PY(s->y[i]));
    }
    fputs("\"/>\n", f);
    for (size_t i = 0; i < s->n; i++) {
      if ((p->xlog && s->x[i] <= 0) || (p->ylog && s->y[i] <= 0) || !isfinite(s->y[i]))
        continue;
      fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>", PX(s->x[i]),
              PY(s->y[i]), col);
    }
    double ly = mt + 10 + 16 * k;
    fprintf(f, "\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
               "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">",
            ml + pw + 10, ly, ml + pw + 30, ly, col, ml + pw + 34, ly + 4);
    svg_write_text(f, s->name);
    fputs("</text>\n", f);
  }
  fputs("</svg>\n", f);
#undef PX
#undef PY
}

void svg_write_bars(FILE *f, const char *title, const char *ylabel, const char *const *labels,
                    const double *values, size_t n, int width, int height) {
  int W = width > 0 ? width : 720, H = height > 0 ? height : 300;
  int ml = 70, mr = 20, mt = 30, mb = 60;
  double mx = 0;
  for (size_t i = 0; i < n; i++) mx = fmax(mx, values[i]);
  if (mx <= 0) mx = 1;
  double pw = W - ml - mr, ph = H - mt - mb, bw = n ? pw / (double)n : pw;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
  fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">", ml);
  svg_write_text(f, title);
  fputs("</text>\n", f);
  for (int t = 0; t <= 4; t++) {
    double v = mx * t / 4, py = mt + ph - ph * t / 4;
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
               "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
            ml, py, ml + pw, py, ml - 4, py + 4, v);
  }
  for (size_t i = 0; i < n; i++) {
    double h = values[i] > 0 ? values[i] / mx * ph : 0;
    double x = ml + bw * (double)i;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
            x + bw * 0.1, mt + ph - h, bw * 0.8, h, palette[i % SVG_MAX_SERIES]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.3g</text>", x + bw / 2,
            mt + ph - h - 3, values[i]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x + bw / 2,
            mt + ph + 14 + 12 * (double)(i % 2));
    svg_write_text(f, labels[i]);
    fputs("</text>\n", f);
  }
  fprintf(f, "<text transform=\"translate(14,%.1f) rotate(-90)\" text-anchor=\"middle\">",
          mt + ph / 2);
  svg_write_text(f, ylabel);
  fputs("</text>\n</svg>\n", f);
}

void svg_write_stacked(FILE *f, const char *title, const char *unit, const char *const *rows,
                       size_t nbars, const char *const *parts, size_t nparts,
                       const double *values, int width) {
  int W = width > 0 ? width : 720, ml = 150, mr = 80, mt = 30, bh = 22;
  int H = mt + (int)nbars * (bh + 8) + 40;
  double mx = 0;
  for (size_t r = 0; r < nbars; r++) {
    double s = 0;
    for (size_t k = 0; k < nparts; k++) s += fmax(0, values[r * nparts + k]);
    mx = fmax(mx, s);
  }
  if (mx <= 0) mx = 1;
  double pw = W - ml - mr;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
  fprintf(f, "<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">");
  svg_write_text(f, title);
  fputs("</text>\n", f);
  for (size_t r = 0; r < nbars; r++) {
    double y = mt + (double)r * (bh + 8), x = ml, s = 0;
    fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", ml - 6, y + bh * 0.7);
    svg_write_text(f, rows[r]);
    fputs("</text>", f);
    for (size_t k = 0; k < nparts; k++) {
      double v = fmax(0, values[r * nparts + k]), w = v / mx * pw;
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                 "<title>", x, y, w, bh, palette[k % SVG_MAX_SERIES]);
      svg_write_text(f, parts[k]);
      fprintf(f, ": %.3g %s</title></rect>", v, unit);
      x += w, s += v;
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%.3g %s</text>\n", x + 4, y + bh * 0.7, s, unit);
  }
  double ly = mt + (double)nbars * (bh + 8) + 14, lx = ml;
  for (size_t k = 0; k < nparts; k++) {
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
               "<text x=\"%.1f\" y=\"%.1f\">", lx, ly - 9, palette[k % SVG_MAX_SERIES], lx + 13, ly);
    svg_write_text(f, parts[k]);
    fputs("</text>", f);
    lx += 80;
  }
  fputs("\n</svg>\n", f);
}

void svg_write_heatmap(FILE *f, const char *title, const char *xlabel, const char *ylabel,
                       const char *const *cols, size_t ncols, const char *const *rows,
                       size_t nrows, const double *values, const char *const *text1,
                       const char *const *text2) {
  int cw = 92, ch = 44, ml = 70, mt = 34, mb = 44;
  int W = ml + cw * (int)ncols + 20, H = mt + ch * (int)nrows + mb;
  if (W < 560) W = 560; /* room for the title */
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
  fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">", ml);
  svg_write_text(f, title);
  fputs("</text>\n", f);
  for (size_t r = 0; r < nrows; r++)
    for (size_t c = 0; c < ncols; c++) {
      double v = values[r * ncols + c];
      char fill[16] = "#cccccc";
      if (!isnan(v)) { /* red (0) -> yellow (0.5) -> green (1) */
        double t = v < 0 ? 0 : v > 1 ? 1 : v;
        int R = t < 0.5 ? 230 : (int)(230 - (t - 0.5) * 2 * (230 - 60));
        int G = t < 0.5 ? (int)(70 + t * 2 * (200 - 70)) : (int)(200 - (t - 0.5) * 2 * 40);
        snprintf(fill, sizeof fill, "#%02x%02x%02x", R, G, 70);
      }
      int x = ml + cw * (int)c, y = mt + ch * (int)r;
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                 "stroke=\"#fff\"/>", x, y, cw, ch, fill);
      const char *t1 = isnan(v) ? "not run" : text1 ? text1[r * ncols + c] : NULL;
      const char *t2 = isnan(v) ? NULL : text2 ? text2[r * ncols + c] : NULL;
      if (t1) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">",
                x + cw / 2, y + (t2 ? 18 : 26));
        svg_write_text(f, t1);
        fputs("</text>", f);
      }
      if (t2) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x + cw / 2, y + 34);
        svg_write_text(f, t2);
        fputs("</text>", f);
      }
      fputc('\n', f);
    }
  for (size_t c = 0; c < ncols; c++) {
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", ml + cw * (int)c + cw / 2,
            mt + ch * (int)nrows + 14);
    svg_write_text(f, cols[c]);
    fputs("</text>\n", f);
  }
  for (size_t r = 0; r < nrows; r++) {
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", ml - 6, mt + ch * (int)r + ch / 2 + 4);
    svg_write_text(f, rows[r]);
    fputs("</text>\n", f);
  }
  fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", ml + cw * (int)ncols / 2,
          mt + ch * (int)nrows + 34);
  svg_write_text(f, xlabel);
  fprintf(f, "</text>\n<text transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">",
          mt + ch * (int)nrows / 2);
  svg_write_text(f, ylabel);
  fputs("</text>\n</svg>\n", f);
}
