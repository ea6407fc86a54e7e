/* gate_power.c — reads what OpenSTA computed for a flat netlist (rtl/gate/sta.sh): the
 * `power` debug trace of report_power (per instance pin: load capacitance; per related
 * pin the internal-energy table values, rise and fall, at that pin's slew and load; the
 * cell's leakage), the worst clock-to-clock path, every library pin's capacitance; and
 * the cell areas (rtl/gate/synth.sh). Then prices a simulated design with them
 * (gate_price, gate.h). The trace format is OpenSTA's at the Debian 2019 snapshot
 * (search/Power.cc: debugPrint of "internal", "cap =", "energy =", "->", "leakage cell");
 * docs/energy.md §9. */
#include "gate.h"
#include "errbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arc {
  char from[16];
  double rise_j, fall_j; /* table energies, J */
} arc;

typedef struct pin_power {
  char name[16];
  double cap_ff;
  int narcs;
  arc arcs[6];
} pin_power;

typedef struct inst_power {
  char *name;
  char cell[24];
  double leak_w;
  int npins;
  pin_power *pins;
} inst_power;

typedef struct lib_pin {
  char cell[24], pin[16];
  double cap_ff;
} lib_pin;

struct gate_power {
  size_t n, cap;
  inst_power *insts;
  size_t *hash; /* open addressing, index + 1 */
  size_t hcap;
  double vdd, crit_ns, period_ns, sta_total_w;
  size_t nlib;
  lib_pin *lib;
  size_t nareas;
  struct { char cell[24]; double area; } *areas;
};

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  while (*s) h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
  return h;
}

static void hash_build(gate_power *p) {
  p->hcap = 2 * p->n + 16;
  p->hash = calloc(p->hcap, sizeof *p->hash);
  if (!p->hash) return;
  for (size_t i = 0; i < p->n; i++) {
    size_t h = fnv(p->insts[i].name) % p->hcap;
    while (p->hash[h]) h = (h + 1) % p->hcap;
    p->hash[h] = i + 1;
  }
}

static const inst_power *find_inst(const gate_power *p, const char *name) {
  if (!p->hash) return NULL;
  size_t h = fnv(name) % p->hcap;
  while (p->hash[h]) {
    const inst_power *ip = &p->insts[p->hash[h] - 1];
    if (!strcmp(ip->name, name)) return ip;
    h = (h + 1) % p->hcap;
  }
  return NULL;
}

/* OpenSTA escapes [ and ] in instance names; the netlist JSON does not. */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++)
    if (*r != '\\') *w++ = *r;
  *w = 0;
}

static pin_power *get_pin(inst_power *ip, const char *pin) {
  for (int i = 0; i < ip->npins; i++)
    if (!strcmp(ip->pins[i].name, pin)) return &ip->pins[i];
  pin_power *np = realloc(ip->pins, sizeof *np * (size_t)(ip->npins + 1));
  if (!np) return NULL;
  ip->pins = np;
  pin_power *pp = &ip->pins[ip->npins++];
  memset(pp, 0, sizeof *pp);
  snprintf(pp->name, sizeof pp->name, "%.15s", pin);
  return pp;
}

static int parse_power(gate_power *p, const char *path, char *err, size_t n) {
  FILE *f = fopen(path, "r");
  if (!f) return fail(err, n, "%s: cannot read the OpenSTA power report", path);
  char line[4096], name[3072], pin[64], cell[64], from[64];
  inst_power *cur = NULL;
  pin_power *cp = NULL;
  double pend_rise = NAN, pend_fall = NAN;
  long lineno = 0;
  int rc = 0;
  bool total = false;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strncmp(line, "Total", 5)) {
      double a, b, c, d;
      if (sscanf(line + 5, "%lf %lf %lf %lf", &a, &b, &c, &d) == 4) p->sta_total_w = d, total = true;
      continue;
    }
    if (strncmp(line, "power: ", 7)) continue;
    const char *s = line + 7;
    double e, v;
    if (sscanf(s, "internal %3071s (%63[^)])", name, cell) == 2) {
      char *slash = strrchr(name, '/');
      if (!slash) continue;
      *slash = 0;
      snprintf(pin, sizeof pin, "%s", slash + 1);
      unescape(name);
      if (!cur || strcmp(cur->name, name)) {
        if (p->n == p->cap) {
          p->cap = p->cap ? 2 * p->cap : 4096;
          inst_power *ni = realloc(p->insts, sizeof *ni * p->cap);
          if (!ni) {
            rc = fail(err, n, "out of memory");
            break;
          }
          p->insts = ni;
        }
        cur = &p->insts[p->n++];
        memset(cur, 0, sizeof *cur);
        cur->name = strdup(name);
        snprintf(cur->cell, sizeof cur->cell, "%.23s", cell);
      }
      cp = get_pin(cur, pin);
      if (!cur->name || !cp) {
        rc = fail(err, n, "out of memory");
        break;
      }
    } else if (sscanf(s, " cap = %lf", &v) == 1 && cp) {
      cp->cap_ff = v;
    } else if (sscanf(s, " ^ energy = %lf", &e) == 1) {
      pend_rise = e;
    } else if (sscanf(s, " v energy = %lf", &e) == 1) {
      pend_fall = e;
    } else if (sscanf(s, " %63s -> %63s", from, pin) == 2 && cp) {
      if (isnan(pend_rise) || isnan(pend_fall)) {
        rc = fail(err, n, "%s:%ld: arc %s -> %s without its rise and fall energy lines (was "
                          "report_power run with sta::set_debug power 3?)", path, lineno, from,
                  pin);
        break;
      }
      if (cp->narcs < 6) {
        arc *a = &cp->arcs[cp->narcs++];
        snprintf(a->from, sizeof a->from, "%.15s", from);
        a->rise_j = pend_rise, a->fall_j = pend_fall;
      }
      pend_rise = pend_fall = NAN;
    } else if (sscanf(s, "switching %*s activity = %*s volt = %lf", &v) == 1) {
      p->vdd = v;
    } else if (sscanf(s, "leakage cell %63s %lf", cell, &v) == 2 && cur) {
      cur->leak_w = v;
    }
  }
  fclose(f);
  if (!rc && !p->n)
    rc = fail(err, n, "%s: no \"power: internal\" lines (report_power without the power "
                      "debug trace, or an empty design)", path);
  if (!rc && !total) rc = fail(err, n, "%s: no Total row (report_power did not finish)", path);
  if (!rc && !(p->vdd > 0))
    rc = fail(err, n, "%s: no supply voltage in the \"switching\" lines", path);
  return rc;
}

/* The worst path of group clk: period - slack. */
static int parse_timing(gate_power *p, const char *path, char *err, size_t n) {
  FILE *f = fopen(path, "r");
  if (!f) return fail(err, n, "%s: cannot read the OpenSTA timing report", path);
  char line[1024];
  bool inclk = false;
  double period = NAN, slack = NAN, a, b;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, "Path Group:")) inclk = strstr(line, "Path Group: clk") != NULL;
    if (!inclk) continue;
    if (strstr(line, "clock clk (rise edge)") && sscanf(line, "%lf %lf", &a, &b) == 2 && b > 0)
      period = b;
    if (strstr(line, "slack") && sscanf(line, "%lf", &a) == 1) slack = a;
  }
  fclose(f);
  if (isnan(period) || isnan(slack))
    return fail(err, n, "%s: no path of clock group clk with its slack", path);
  p->period_ns = period;
  p->crit_ns = period - slack;
  return 0;
}

static int parse_lib(gate_power *p, const char *caps, const char *areas, char *err, size_t n) {
  FILE *f = fopen(caps, "r");
  if (!f) return fail(err, n, "%s: cannot read the pin capacitances", caps);
  char c[64], pn[64], dir[32];
  double v;
  while (fscanf(f, "%63s %63s %31s %lf", c, pn, dir, &v) == 4) {
    lib_pin *np = realloc(p->lib, sizeof *np * (p->nlib + 1));
    if (!np) {
      fclose(f);
      return fail(err, n, "out of memory");
    }
    p->lib = np;
    snprintf(p->lib[p->nlib].cell, sizeof p->lib[0].cell, "%.23s", c);
    snprintf(p->lib[p->nlib].pin, sizeof p->lib[0].pin, "%.15s", pn);
    p->lib[p->nlib++].cap_ff = v;
  }
  fclose(f);
  f = fopen(areas, "r");
  if (!f) return fail(err, n, "%s: cannot read the cell areas", areas);
  while (fscanf(f, "%63s %lf", c, &v) == 2) {
    void *na = realloc(p->areas, sizeof *p->areas * (p->nareas + 1));
    if (!na) {
      fclose(f);
      return fail(err, n, "out of memory");
    }
    p->areas = na;
    snprintf(p->areas[p->nareas].cell, sizeof p->areas[0].cell, "%.23s", c);
    p->areas[p->nareas++].area = v;
  }
  fclose(f);
  if (!p->nlib || !p->nareas)
    return fail(err, n, "%s / %s: empty (expected one line per library pin / cell)", caps, areas);
  return 0;
}

gate_power *gate_power_load(const char *dir, char *err, size_t n) {
  gate_power *p = calloc(1, sizeof *p);
  char a[4096], b[4096];
  if (!p) {
    set_err(err, n, "out of memory");
    return NULL;
  }
  snprintf(a, sizeof a, "%s/power.txt", dir);
  if (parse_power(p, a, err, n)) goto bad;
  snprintf(a, sizeof a, "%s/timing.txt", dir);
  if (parse_timing(p, a, err, n)) goto bad;
  snprintf(a, sizeof a, "%s/pin_caps.txt", dir);
  snprintf(b, sizeof b, "%s/cell_area.txt", dir);
  if (parse_lib(p, a, b, err, n)) goto bad;
  hash_build(p);
  if (!p->hash) {
    set_err(err, n, "out of memory");
    goto bad;
  }
  return p;
bad:
  gate_power_free(p);
  return NULL;
}

void gate_power_free(gate_power *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n; i++) free(p->insts[i].name), free(p->insts[i].pins);
  free(p->insts);
  free(p->hash);
  free(p->lib);
  free(p->areas);
  free(p);
}

double gate_power_vdd(const gate_power *p) { return p->vdd; }
double gate_power_crit_ns(const gate_power *p) { return p->crit_ns; }
double gate_power_sta_total_w(const gate_power *p) { return p->sta_total_w; }
size_t gate_power_instances(const gate_power *p) { return p->n; }

static double lib_cap(const gate_power *p, const char *cell, const char *pin) {
  for (size_t i = 0; i < p->nlib; i++)
    if (!strcmp(p->lib[i].cell, cell) && !strcmp(p->lib[i].pin, pin)) return p->lib[i].cap_ff;
  return 0;
}

static double cell_area(const gate_power *p, const char *cell) {
  for (size_t i = 0; i < p->nareas; i++)
    if (!strcmp(p->areas[i].cell, cell)) return p->areas[i].area;
  return 0;
}

/* ---- pricing ------------------------------------------------------------------------ */

int gate_price(const gate_design *d, const gate_power *p, double period_ns,
               int (*group)(const char *cell_name, void *user), void *user,
               gate_energy *out, int ngroups, char *err, size_t n) {
  memset(out, 0, sizeof *out * (size_t)ngroups);
  const double v2 = p->vdd * p->vdd, cycles = (double)gate_cycles(d);
  for (size_t i = 0; i < gate_cell_count(d); i++) {
    const char *name = gate_cell_name(d, i);
    int g = group ? group(name, user) : 0;
    if (g < 0 || g >= ngroups) continue;
    const inst_power *ip = find_inst(p, name);
    if (!ip)
      return fail(err, n, "cell %s (%s) has no power data in the OpenSTA report (netlist and "
                          "report of different runs?)", name, gate_cell_type(d, i));
    gate_energy *e = &out[g];
    bool seq = false;
    for (int k = 0; k < ip->npins; k++)
      if (gate_pin_is_clock(d, i, ip->pins[k].name)) seq = true;
    for (int k = 0; k < ip->npins; k++) {
      const pin_power *pp = &ip->pins[k];
      double t = gate_pin_toggles(d, i, pp->name);
      if (t < 0) continue; /* an internal pin of the liberty cell (no net) */
      if (gate_pin_is_clock(d, i, pp->name)) {
        /* clock pin: both edges every cycle; its pin load C V^2 per cycle */
        for (int a = 0; a < pp->narcs; a++)
          e->clock_pj += cycles * (pp->arcs[a].rise_j + pp->arcs[a].fall_j) * 1e12;
        e->clock_pj += cycles * lib_cap(p, ip->cell, pp->name) * 1e-15 * v2 * 1e12;
        e->flops++;
        continue;
      }
      if (pp->narcs == 0 && pp->cap_ff == 0) continue;
      double sw = 0.5 * pp->cap_ff * 1e-15 * v2 * t * 1e12;
      double in = 0;
      if (pp->narcs == 1 && !strcmp(pp->arcs[0].from, pp->name)) {
        in = t * 0.5 * (pp->arcs[0].rise_j + pp->arcs[0].fall_j) * 1e12; /* passive */
      } else if (pp->narcs > 0) {
        /* output pin: the arc from the clock for a flip-flop, else the related input
         * pins weighted by their transitions (equal weights if none moved) */
        double wsum = 0, esum = 0;
        for (int a = 0; a < pp->narcs; a++) {
          const arc *ar = &pp->arcs[a];
          double w;
          if (seq) w = gate_pin_is_clock(d, i, ar->from) ? 1 : 0;
          else w = gate_pin_toggles(d, i, ar->from);
          if (w < 0) w = 0;
          wsum += w, esum += w * 0.5 * (ar->rise_j + ar->fall_j);
        }
        if (wsum == 0)
          for (int a = 0; a < pp->narcs; a++)
            wsum += 1, esum += 0.5 * (pp->arcs[a].rise_j + pp->arcs[a].fall_j);
        in = t * esum / wsum * 1e12;
      }
      e->internal_pj += in;
      e->switching_pj += sw;
    }
    e->leak_pj += ip->leak_w * cycles * period_ns * 1e-9 * 1e12;
    e->cells++;
    e->area_um2 += cell_area(p, ip->cell);
  }
  for (int g = 0; g < ngroups; g++)
    out[g].total_pj = out[g].internal_pj + out[g].switching_pj + out[g].clock_pj + out[g].leak_pj;
  return 0;
}
