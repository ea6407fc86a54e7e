/* gate_sim.c — a zero-delay cycle simulator of a flat gate-level netlist (gate.h): the
 * liberty cells of the netlist JSON are expanded into the yosys primitives of their
 * functions (cells JSON from yosys read_liberty), combinational primitives are evaluated
 * in topological order, flip-flops update on the rising edge of clk_i, and every net's
 * transitions between consecutive settled states are counted (the activity the power
 * estimate is priced with). */
#include "gate.h"
#include "errbuf.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { P_BUF, P_NOT, P_AND, P_OR, P_XOR, P_MUX, P_DFF, P_DFFSR };

typedef struct prim {
  uint8_t type;
  int32_t in[4]; /* BUF, NOT: A; AND/OR/XOR: A B; MUX: A B S; DFF: C D; DFFSR: C D R S */
  int32_t out;   /* Y or Q                                                       */
} prim;

typedef struct model_port {
  char *name;
  int local;     /* the port's bit in the cell module */
  bool output;
} model_port;

typedef struct cell_model { /* one liberty cell's function */
  char *name;
  int nports;
  model_port *port;
  int nprims;
  prim *prims;   /* nets are local bits of the module (>= 2), or -1 / -2 for 0 / 1 */
  int maxbit;
  char bad[64];  /* an unsupported primitive: an error only if the netlist uses the cell */
} cell_model;

typedef struct inst_pin {
  const char *name; /* the model's port name */
  int32_t net;
} inst_pin;

typedef struct inst {
  char *name;
  const cell_model *model;
  inst_pin *pin;
} inst;

typedef struct port {
  char *name;
  bool input;
  int width;
  int32_t *net;
} port;

struct gate_design {
  int nmodels;
  cell_model *models;
  size_t ninst;
  inst *insts;
  int nports;
  port *ports;
  size_t nnets;
  uint8_t *val, *prev;
  uint64_t *toggles;
  size_t nprims, ncomb;
  prim *prims;        /* combinational in topological order, then the flip-flops */
  int32_t clock;      /* the clk_i net (-1: none) */
  uint64_t cycles;
  uint8_t *scratch;   /* next state of the flip-flops */
};

/* ---- loading ------------------------------------------------------------------------ */

static int bit_of(json_t *b) { /* a bit id, or -1 / -2 for the constants 0 / 1 */
  if (json_is_integer(b)) return (int)json_integer_value(b);
  const char *s = json_string_value(b);
  return s && s[0] == '1' ? -2 : -1;
}

static int prim_type(const char *t, int *nin) {
  static const struct {
    const char *name;
    int type, nin;
  } k[] = {{"$_NOT_", P_NOT, 1}, {"$_AND_", P_AND, 2},        {"$_OR_", P_OR, 2},
           {"$_XOR_", P_XOR, 2}, {"$_MUX_", P_MUX, 3},        {"$_DFF_P_", P_DFF, 2},
           {"$_DFFSR_PNN_", P_DFFSR, 4}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    if (!strcmp(t, k[i].name)) {
      *nin = k[i].nin;
      return k[i].type;
    }
  return -1;
}

static int load_model(const char *name, json_t *m, const char *file, cell_model *cm, char *err,
                      size_t n) {
  static const char *const pins[][4] = {{"A"}, {"A"}, {"A", "B"}, {"A", "B"}, {"A", "B"},
                                         {"A", "B", "S"}, {"C", "D"}, {"C", "D", "R", "S"}};
  cm->name = strdup(name);
  json_t *ports = json_object_get(m, "ports"), *cells = json_object_get(m, "cells");
  cm->nports = (int)json_object_size(ports);
  cm->port = calloc((size_t)cm->nports + 1, sizeof *cm->port);
  cm->nprims = (int)json_object_size(cells);
  cm->prims = calloc((size_t)cm->nprims + 1, sizeof *cm->prims);
  if (!cm->name || !cm->port || !cm->prims) return fail(err, n, "out of memory");
  const char *k;
  json_t *v;
  int i = 0;
  json_object_foreach(ports, k, v) {
    json_t *bits = json_object_get(v, "bits");
    const char *dir = json_string_value(json_object_get(v, "direction"));
    if (json_array_size(bits) != 1)
      return fail(err, n, "%s: cell %s: port %s is not one bit", file, name, k);
    cm->port[i].name = strdup(k);
    cm->port[i].local = bit_of(json_array_get(bits, 0));
    cm->port[i].output = dir && !strcmp(dir, "output");
    if (cm->port[i].local > cm->maxbit) cm->maxbit = cm->port[i].local;
    i++;
  }
  i = 0;
  json_object_foreach(cells, k, v) {
    const char *t = json_string_value(json_object_get(v, "type"));
    int nin = 0, ty = prim_type(t ? t : "", &nin);
    if (ty < 0) {
      snprintf(cm->bad, sizeof cm->bad, "%.60s", t ? t : "?");
      cm->nprims = 0;
      return 0;
    }
    prim *p = &cm->prims[i++];
    p->type = (uint8_t)ty;
    json_t *con = json_object_get(v, "connections");
    for (int j = 0; j < nin; j++) {
      json_t *b = json_array_get(json_object_get(con, pins[ty][j]), 0);
      p->in[j] = bit_of(b);
      if (p->in[j] > cm->maxbit) cm->maxbit = p->in[j];
    }
    json_t *o = json_array_get(json_object_get(con, ty >= P_DFF ? "Q" : "Y"), 0);
    p->out = bit_of(o);
    if (p->out > cm->maxbit) cm->maxbit = p->out;
  }
  return 0;
}

static const cell_model *find_model(const gate_design *d, const char *name) {
  for (int i = 0; i < d->nmodels; i++)
    if (!strcmp(d->models[i].name, name)) return &d->models[i];
  return NULL;
}

/* Global net of a top-level bit (-1 / -2: the constant nets 0 / 1). */
static int32_t top_net(int bit, int32_t *map) {
  if (bit == -1) return 0;
  if (bit == -2) return 1;
  return map[bit];
}

/* Topological order of the combinational primitives (depth from the sources). */
static int order_prims(gate_design *d, char *err, size_t n) {
  size_t np = d->nprims;
  int32_t *driver = malloc(sizeof(int32_t) * d->nnets);
  int32_t *depth = malloc(sizeof(int32_t) * np);
  int32_t *stack = malloc(sizeof(int32_t) * (np + 1));
  if (!driver || !depth || !stack) {
    free(driver), free(depth), free(stack);
    return fail(err, n, "out of memory");
  }
  for (size_t i = 0; i < d->nnets; i++) driver[i] = -1;
  for (size_t i = 0; i < np; i++)
    if (d->prims[i].type < P_DFF) driver[d->prims[i].out] = (int32_t)i;
  for (size_t i = 0; i < np; i++) depth[i] = d->prims[i].type < P_DFF ? -1 : 0;
  static const int nin[] = {1, 1, 2, 2, 2, 3};
  int rc = 0;
  for (size_t r = 0; r < np && !rc; r++) {
    if (depth[r] >= 0) continue;
    size_t sp = 0;
    stack[sp++] = (int32_t)r;
    depth[r] = -2; /* on the stack */
    while (sp) {
      int32_t p = stack[sp - 1];
      int32_t best = 0;
      bool pushed = false;
      for (int j = 0; j < nin[d->prims[p].type]; j++) {
        int32_t q = driver[d->prims[p].in[j]];
        if (q < 0) continue;
        if (depth[q] == -2) {
          rc = fail(err, n, "combinational loop through the net of primitive %d", (int)q);
          break;
        }
        if (depth[q] == -1) {
          depth[q] = -2;
          stack[sp++] = q;
          pushed = true;
          break;
        }
        if (depth[q] + 1 > best) best = depth[q] + 1;
      }
      if (rc) break;
      if (!pushed) depth[p] = best, sp--;
    }
  }
  if (!rc) { /* counting sort by depth, flip-flops last */
    int32_t maxd = 0;
    for (size_t i = 0; i < np; i++)
      if (d->prims[i].type < P_DFF && depth[i] > maxd) maxd = depth[i];
    prim *sorted = malloc(sizeof(prim) * (np + 1));
    size_t *start = calloc((size_t)maxd + 2, sizeof(size_t));
    if (!sorted || !start) {
      free(sorted), free(start);
      rc = fail(err, n, "out of memory");
    } else {
      size_t k = 0;
      for (size_t i = 0; i < np; i++)
        if (d->prims[i].type < P_DFF) start[depth[i] + 1]++;
      for (int32_t l = 1; l <= maxd + 1; l++) start[l] += start[l - 1];
      d->ncomb = start[maxd + 1];
      for (size_t i = 0; i < np; i++)
        if (d->prims[i].type < P_DFF) sorted[start[depth[i]]++] = d->prims[i];
      k = d->ncomb;
      for (size_t i = 0; i < np; i++)
        if (d->prims[i].type >= P_DFF) sorted[k++] = d->prims[i];
      free(d->prims);
      d->prims = sorted;
      free(start);
    }
  }
  free(driver), free(depth), free(stack);
  return rc;
}

static int load_netlist(gate_design *d, json_t *top, const char *file, char *err, size_t n) {
  json_t *ports = json_object_get(top, "ports"), *cells = json_object_get(top, "cells");
  if (!json_is_object(ports) || !json_is_object(cells))
    return fail(err, n, "%s: the top module has no \"ports\" or \"cells\"", file);
  /* the largest bit id */
  int maxbit = 1;
  const char *k;
  json_t *v, *b;
  size_t i;
  json_object_foreach(ports, k, v) json_array_foreach(json_object_get(v, "bits"), i, b)
      if (bit_of(b) > maxbit) maxbit = bit_of(b);
  json_object_foreach(cells, k, v) {
    const char *pk;
    json_t *pv;
    json_object_foreach(json_object_get(v, "connections"), pk, pv)
        json_array_foreach(pv, i, b) if (bit_of(b) > maxbit) maxbit = bit_of(b);
  }
  int32_t *map = malloc(sizeof(int32_t) * ((size_t)maxbit + 1));
  if (!map) return fail(err, n, "out of memory");
  d->nnets = 2; /* 0 and 1 */
  for (int j = 0; j <= maxbit; j++) map[j] = (int32_t)d->nnets++;
  /* ports */
  d->nports = (int)json_object_size(ports);
  d->ports = calloc((size_t)d->nports + 1, sizeof *d->ports);
  int pi = 0;
  d->clock = -1;
  json_object_foreach(ports, k, v) {
    port *p = &d->ports[pi++];
    json_t *bits = json_object_get(v, "bits");
    const char *dir = json_string_value(json_object_get(v, "direction"));
    p->name = strdup(k);
    p->input = dir && !strcmp(dir, "input");
    p->width = (int)json_array_size(bits);
    p->net = calloc((size_t)p->width + 1, sizeof(int32_t));
    json_array_foreach(bits, i, b) p->net[i] = top_net(bit_of(b), map);
    if (!strcmp(k, "clk_i") && p->width == 1) d->clock = p->net[0];
  }
  /* instances: expand each cell into its primitives */
  d->ninst = json_object_size(cells);
  d->insts = calloc(d->ninst + 1, sizeof *d->insts);
  size_t cap = 4 * d->ninst + 16;
  d->prims = malloc(sizeof(prim) * cap);
  if (!d->insts || !d->prims) {
    free(map);
    return fail(err, n, "out of memory");
  }
  size_t ii = 0;
  int rc = 0;
  json_object_foreach(cells, k, v) {
    const char *type = json_string_value(json_object_get(v, "type"));
    const cell_model *cm = find_model(d, type ? type : "");
    if (!cm) {
      rc = fail(err, n, "%s: cell %s: type %s is not a cell of the library's functions", file,
                k, type ? type : "?");
      break;
    }
    if (cm->bad[0]) {
      rc = fail(err, n, "%s: cell %s: its type %s uses the primitive %s, which the simulator "
                        "does not support (expected $_NOT_, $_AND_, $_OR_, $_XOR_, $_MUX_, "
                        "$_DFF_P_, $_DFFSR_PNN_)", file, k, type, cm->bad);
      break;
    }
    inst *in = &d->insts[ii++];
    in->name = strdup(k);
    in->model = cm;
    in->pin = calloc((size_t)cm->nports + 1, sizeof *in->pin);
    int32_t *local = malloc(sizeof(int32_t) * ((size_t)cm->maxbit + 1));
    if (!in->name || !in->pin || !local) {
      free(local);
      rc = fail(err, n, "out of memory");
      break;
    }
    for (int j = 0; j <= cm->maxbit; j++) local[j] = -1;
    json_t *con = json_object_get(v, "connections");
    /* inputs first; an output that is the same bit as an input or a constant (a buffer:
     * function "A"; a tie cell) gets a buffer primitive from that net */
    int32_t alias_from[16];
    int32_t alias_to[16];
    int nalias = 0;
    for (int pass = 0; pass < 2; pass++)
      for (int j = 0; j < cm->nports; j++) {
        if (cm->port[j].output != (pass == 1)) continue;
        json_t *pb = json_array_get(json_object_get(con, cm->port[j].name), 0);
        int32_t net = pb ? top_net(bit_of(pb), map) : (int32_t)d->nnets++; /* unconnected */
        in->pin[j].name = cm->port[j].name;
        in->pin[j].net = net;
        int lb = cm->port[j].local;
        int32_t src = lb == -1 ? 0 : lb == -2 ? 1 : local[lb];
        if (pass == 1 && src >= 0 && src != net && nalias < 16)
          alias_from[nalias] = src, alias_to[nalias++] = net;
        else if (lb >= 0)
          local[lb] = net;
      }
    for (int j = 0; j < cm->nprims; j++) {
      if (d->nprims == cap) {
        prim *np = realloc(d->prims, sizeof(prim) * (cap *= 2));
        if (!np) {
          rc = fail(err, n, "out of memory");
          break;
        }
        d->prims = np;
      }
      prim p = cm->prims[j];
      for (int t = 0; t < 4; t++) {
        int32_t *x = &p.in[t];
        if (*x == -1) *x = 0;
        else if (*x == -2) *x = 1;
        else {
          if (local[*x] < 0) local[*x] = (int32_t)d->nnets++;
          *x = local[*x];
        }
      }
      if (local[p.out] < 0) local[p.out] = (int32_t)d->nnets++;
      p.out = local[p.out];
      d->prims[d->nprims++] = p;
    }
    for (int j = 0; j < nalias && !rc; j++) {
      if (d->nprims == cap) {
        prim *np = realloc(d->prims, sizeof(prim) * (cap *= 2));
        if (!np) {
          rc = fail(err, n, "out of memory");
          break;
        }
        d->prims = np;
      }
      prim b = {P_BUF, {alias_from[j], 0, 0, 0}, alias_to[j]};
      d->prims[d->nprims++] = b;
    }
    free(local);
    if (rc) break;
  }
  free(map);
  return rc;
}

gate_design *gate_design_load(const char *netlist_json, const char *cells_json,
                              const char *top, char *err, size_t n) {
  gate_design *d = calloc(1, sizeof *d);
  json_error_t je;
  json_t *cells = NULL, *net = NULL;
  if (!d) {
    set_err(err, n, "out of memory");
    return NULL;
  }
  cells = json_load_file(cells_json, 0, &je);
  if (!cells) {
    set_err(err, n, "%s:%d: %s", cells_json, je.line, je.text);
    goto bad;
  }
  json_t *mods = json_object_get(cells, "modules");
  if (!json_is_object(mods) || !json_object_size(mods)) {
    set_err(err, n, "%s: field \"modules\" is missing (expected yosys write_json of the "
                    "liberty's cells)", cells_json);
    goto bad;
  }
  d->models = calloc(json_object_size(mods) + 1, sizeof *d->models);
  const char *k;
  json_t *v;
  json_object_foreach(mods, k, v) {
    if (load_model(k, v, cells_json, &d->models[d->nmodels++], err, n)) goto bad;
  }
  net = json_load_file(netlist_json, 0, &je);
  if (!net) {
    set_err(err, n, "%s:%d: %s", netlist_json, je.line, je.text);
    goto bad;
  }
  json_t *tm = json_object_get(json_object_get(net, "modules"), top);
  if (!tm) {
    set_err(err, n, "%s: module %s is missing", netlist_json, top);
    goto bad;
  }
  if (load_netlist(d, tm, netlist_json, err, n)) goto bad;
  if (d->clock < 0) {
    set_err(err, n, "%s: module %s has no one-bit input port clk_i", netlist_json, top);
    goto bad;
  }
  d->val = calloc(d->nnets, 1);
  d->prev = calloc(d->nnets, 1);
  d->toggles = calloc(d->nnets, sizeof *d->toggles);
  d->scratch = calloc(d->nprims + 1, 1);
  if (!d->val || !d->prev || !d->toggles || !d->scratch) {
    set_err(err, n, "out of memory");
    goto bad;
  }
  d->val[1] = d->prev[1] = 1;
  if (order_prims(d, err, n)) goto bad;
  json_decref(cells);
  json_decref(net);
  return d;
bad:
  json_decref(cells);
  json_decref(net);
  gate_design_free(d);
  return NULL;
}

void gate_design_free(gate_design *d) {
  if (!d) return;
  for (int i = 0; i < d->nmodels; i++) {
    for (int j = 0; j < d->models[i].nports; j++) free(d->models[i].port[j].name);
    free(d->models[i].port);
    free(d->models[i].prims);
    free(d->models[i].name);
  }
  free(d->models);
  for (size_t i = 0; i < d->ninst; i++) free(d->insts[i].name), free(d->insts[i].pin);
  free(d->insts);
  for (int i = 0; i < d->nports; i++) free(d->ports[i].name), free(d->ports[i].net);
  free(d->ports);
  free(d->prims);
  free(d->val), free(d->prev), free(d->toggles), free(d->scratch);
  free(d);
}

/* ---- simulation --------------------------------------------------------------------- */

int gate_port(const gate_design *d, const char *name, int *width, bool *is_input) {
  for (int i = 0; i < d->nports; i++)
    if (!strcmp(d->ports[i].name, name)) {
      if (width) *width = d->ports[i].width;
      if (is_input) *is_input = d->ports[i].input;
      return i;
    }
  return -1;
}

void gate_set_input_word(gate_design *d, int p, int word, uint64_t value) {
  const port *pt = &d->ports[p];
  for (int b = 0; b < 64 && word * 64 + b < pt->width; b++)
    d->val[pt->net[word * 64 + b]] = (uint8_t)((value >> b) & 1);
}

void gate_set_input(gate_design *d, int p, uint64_t value) { gate_set_input_word(d, p, 0, value); }

uint64_t gate_get_output(const gate_design *d, int p) {
  const port *pt = &d->ports[p];
  uint64_t v = 0;
  for (int b = 0; b < 64 && b < pt->width; b++) v |= (uint64_t)d->val[pt->net[b]] << b;
  return v;
}

static void settle(gate_design *d) {
  uint8_t *v = d->val;
  for (int pass = 0; pass < 4; pass++) {
    for (size_t i = 0; i < d->ncomb; i++) {
      const prim *p = &d->prims[i];
      switch (p->type) {
        case P_BUF: v[p->out] = v[p->in[0]]; break;
        case P_NOT: v[p->out] = !v[p->in[0]]; break;
        case P_AND: v[p->out] = v[p->in[0]] & v[p->in[1]]; break;
        case P_OR: v[p->out] = v[p->in[0]] | v[p->in[1]]; break;
        case P_XOR: v[p->out] = v[p->in[0]] ^ v[p->in[1]]; break;
        default: v[p->out] = v[p->in[2]] ? v[p->in[1]] : v[p->in[0]]; break;
      }
    }
    /* active-low asynchronous reset and set */
    bool changed = false;
    for (size_t i = d->ncomb; i < d->nprims; i++) {
      const prim *p = &d->prims[i];
      if (p->type != P_DFFSR) continue;
      uint8_t q = !v[p->in[2]] ? 0 : !v[p->in[3]] ? 1 : v[p->out];
      if (q != v[p->out]) v[p->out] = q, changed = true;
    }
    if (!changed) break;
  }
}

static void count(gate_design *d) {
  for (size_t i = 2; i < d->nnets; i++) {
    if ((int32_t)i == d->clock) continue;
    if (d->val[i] != d->prev[i]) d->toggles[i]++, d->prev[i] = d->val[i];
  }
}

void gate_eval(gate_design *d) {
  d->val[d->clock] = 0;
  settle(d);
  count(d);
}

void gate_cycle(gate_design *d) {
  uint8_t *v = d->val;
  for (size_t i = d->ncomb; i < d->nprims; i++) {
    const prim *p = &d->prims[i];
    d->scratch[i] = v[p->in[1]];
    if (p->type == P_DFFSR) d->scratch[i] = !v[p->in[2]] ? 0 : !v[p->in[3]] ? 1 : v[p->in[1]];
  }
  for (size_t i = d->ncomb; i < d->nprims; i++)
    if (d->prims[i].in[0] == d->clock) v[d->prims[i].out] = d->scratch[i];
  v[d->clock] = 1;
  settle(d);
  count(d);
  v[d->clock] = 0;
  d->cycles++;
}

uint64_t gate_cycles(const gate_design *d) { return d->cycles; }

void gate_clear_counts(gate_design *d) {
  memset(d->toggles, 0, sizeof *d->toggles * d->nnets);
  d->cycles = 0;
}

size_t gate_cell_count(const gate_design *d) { return d->ninst; }
const char *gate_cell_name(const gate_design *d, size_t i) { return d->insts[i].name; }
const char *gate_cell_type(const gate_design *d, size_t i) { return d->insts[i].model->name; }

static const inst_pin *find_pin(const gate_design *d, size_t i, const char *pin) {
  const inst *in = &d->insts[i];
  for (int j = 0; j < in->model->nports; j++)
    if (!strcmp(in->pin[j].name, pin)) return &in->pin[j];
  return NULL;
}

double gate_pin_toggles(const gate_design *d, size_t i, const char *pin) {
  const inst_pin *p = find_pin(d, i, pin);
  return p ? (double)d->toggles[p->net] : -1;
}

bool gate_pin_is_clock(const gate_design *d, size_t i, const char *pin) {
  const inst_pin *p = find_pin(d, i, pin);
  return p && p->net == d->clock;
}
