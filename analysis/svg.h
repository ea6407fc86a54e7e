/* svg.h — minimal inline-SVG charts for the HTML reports: line plots on linear or log2
 * axes, and horizontal bar charts (optionally stacked). Output goes to a FILE as one
 * <svg> element; no scripts, no external resources. */
#ifndef MPB_SVG_H
#define MPB_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SVG_MAX_SERIES 8

typedef struct svg_series {
  const char *name;
  const double *x, *y; /* n points; points with y <= 0 on a log axis are skipped */
  size_t n;
  bool dashed;
} svg_series;

typedef struct svg_plot {
  const char *title, *xlabel, *ylabel;
  bool xlog, ylog;  /* log2 axes (labels as powers of two / decades)            */
  int width, height;
  svg_series s[SVG_MAX_SERIES];
  int nseries;
  double hline;     /* horizontal reference line (e.g. the goal), 0 = none      */
  const char *hline_label;
} svg_plot;

/* Line plot with markers and a legend. */
void svg_write_plot(FILE *f, const svg_plot *p);

/* Vertical bar chart: n bars with labels and values (linear axis). */
void svg_write_bars(FILE *f, const char *title, const char *ylabel, const char *const *labels,
                    const double *values, size_t n, int width, int height);

/* Horizontal stacked bars: nbars rows, each split into nparts segments (values[row *
 * nparts + part]), parts named in the legend. */
void svg_write_stacked(FILE *f, const char *title, const char *unit, const char *const *rows,
                       size_t nbars, const char *const *parts, size_t nparts,
                       const double *values, int width);

/* Heat map: nrows x ncols cells, values[row * ncols + col] in [0, 1] coloured from red
 * (0) through yellow to green (1); NaN cells are grey ("not run"). Each cell shows up to
 * two lines of text, text1/text2[row * ncols + col] (either array may be NULL). */
void svg_write_heatmap(FILE *f, const char *title, const char *xlabel, const char *ylabel,
                       const char *const *cols, size_t ncols, const char *const *rows,
                       size_t nrows, const double *values, const char *const *text1,
                       const char *const *text2);

/* Escape text for HTML/SVG. */
void svg_write_text(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif
#endif /* MPB_SVG_H */
