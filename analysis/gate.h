/* gate.h — the gate-level energy check (docs/energy.md §9): a netlist synthesised to a
 * liberty library by rtl/gate/synth.sh, simulated cycle by cycle on the reference stimulus
 * to count the transitions of every net (gate_sim.c), priced with the energies OpenSTA
 * reads from the library's tables at each pin's slew and load (rtl/gate/sta.sh, parsed by
 * gate_power.c), attributed to units and blocks by instance path (rtl/gate/blocks.tsv),
 * and set beside the action model priced with a table derived from the same library
 * (gate_recon.c, gate_table.c).
 * Library rules: errors returned with file and field, nothing printed. */
#ifndef MPB_GATE_H
#define MPB_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "energy.h"
#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- netlist and cycle simulation (gate_sim.c) --------------------------------------- */
typedef struct gate_design gate_design;

/* Load a flat netlist (yosys write_json of flat.v with the liberty cells as blackboxes,
 * DIR/sim.json) and the cells' functions (yosys read_liberty + write_json, DIR/cells.json).
 * Every cell type of the netlist must be a module of the cell file built from $_NOT_,
 * $_AND_, $_OR_, $_XOR_, $_MUX_, $_DFF_P_ and $_DFFSR_PNN_ primitives. The clock is the
 * input port clk_i. */
gate_design *gate_design_load(const char *netlist_json, const char *cells_json,
                              const char *top, char *err, size_t n);
void gate_design_free(gate_design *d);
/* A port by name: index >= 0 and its width, or -1. */
int gate_port(const gate_design *d, const char *name, int *width, bool *is_input);
/* Drive an input port (bits 0..63 of value; wider ports take further words with
 * gate_set_input_word). */
void gate_set_input(gate_design *d, int port, uint64_t value);
void gate_set_input_word(gate_design *d, int port, int word, uint64_t value);
uint64_t gate_get_output(const gate_design *d, int port);
/* One clock cycle: settle with the inputs as driven, count; rising edge of clk_i (every
 * flip-flop takes its D; active-low set/reset act at once), settle, count. Transitions
 * are counted per net between consecutive settled states (zero delay: no glitches). */
void gate_eval(gate_design *d);      /* settle only (read outputs before the edge) */
void gate_cycle(gate_design *d);
uint64_t gate_cycles(const gate_design *d);
/* Reset the transition counters and the cycle count (the state is kept). */
void gate_clear_counts(gate_design *d);
size_t gate_cell_count(const gate_design *d);
const char *gate_cell_name(const gate_design *d, size_t i);
const char *gate_cell_type(const gate_design *d, size_t i);
/* Transitions of the net on a pin of cell i; -1 if the cell has no such pin. */
double gate_pin_toggles(const gate_design *d, size_t i, const char *pin);
/* Whether a pin of cell i is on the clock net. */
bool gate_pin_is_clock(const gate_design *d, size_t i, const char *pin);

/* ---- OpenSTA's per-pin energies and the priced netlist (gate_power.c) ---------------- */
typedef struct gate_power gate_power;
/* Read DIR/power.txt (report_power with the `power` debug trace at level 3), DIR/timing.txt,
 * DIR/pin_caps.txt and DIR/cell_area.txt (rtl/gate/sta.sh, rtl/gate/synth.sh). */
gate_power *gate_power_load(const char *dir, char *err, size_t n);
void gate_power_free(gate_power *p);
double gate_power_vdd(const gate_power *p);
double gate_power_crit_ns(const gate_power *p);   /* worst clk-to-clk path delay    */
double gate_power_sta_total_w(const gate_power *p); /* OpenSTA's own report_power total */
size_t gate_power_instances(const gate_power *p);

/* Energy classes of a group of cells over a simulation, pJ. */
typedef struct gate_energy {
  double internal_pj;   /* cell internal energy on data transitions                  */
  double switching_pj;  /* 1/2 C V^2 of the output nets' loads                       */
  double clock_pj;      /* flip-flop clock pins: internal energy and pin load, every
                           cycle                                                     */
  double leak_pj;       /* cell leakage over the cycles at the clock period           */
  double total_pj;
  double cells, area_um2, flops;
} gate_energy;

/* Price every cell of the design with its pin energies and transitions: for an output pin,
 * transitions x (the mean of the rise and fall internal energy, the sequential cells' from
 * their clock arc, combinational cells' averaged over the related input pins weighted by
 * their transitions, + 1/2 C V^2); for an input pin with its own (passive) table,
 * transitions x the mean; clock pins per cycle the rise + fall energy plus C V^2 of the
 * pin; leakage x cycles x period_ns. group(i) names each cell's group (< ngroups, or -1
 * to skip). Returns 0, or -1 when a cell of the design has no power data (names it). */
int gate_price(const gate_design *d, const gate_power *p, double period_ns,
               int (*group)(const char *cell_name, void *user), void *user,
               gate_energy *out, int ngroups, char *err, size_t n);

/* ---- units and blocks (gate_recon.c) ------------------------------------------------- */
/* The instance-path table rtl/gate/blocks.tsv: rows "unit pattern block" (fnmatch
 * patterns on the flat cell name, first match wins). */
typedef struct gate_blocks gate_blocks;
gate_blocks *gate_blocks_load(const char *path, char *err, size_t n);
void gate_blocks_free(gate_blocks *b);
/* The row matching a cell name: unit (0 rope, 1 exp, 2 dot) and block (mpb_block), or -1. */
int gate_blocks_match(const gate_blocks *b, const char *cell, int *unit, int *block);

/* Options of one reconciliation run of the three units of mpb_top. */
typedef struct gate_recon_opts {
  const char *dir;            /* synth/sta outputs (sim.json, cells.json, power.txt ...) */
  const char *blocks_path;    /* rtl/gate/blocks.tsv                                      */
  const char *table_path;     /* energy table of the library (energy-osu018.cfg)          */
  const char *config_name;    /* shown ("default", "patent")                              */
  const char *library;        /* shown (liberty file name)                                */
  double node_nm, vdd;        /* of the library                                           */
  size_t n_rope, n_exp, n_dot;/* operations of the reference stimulus per unit            */
  uint64_t seed;
} gate_recon_opts;
/* Simulate mpb_top's netlist on the reference stimulus of the model mdl (all three units
 * at once, as sim/toggles does), check every output against the model, price it and the
 * action model, and write the JSON of schema "mpbsim-gate-1" (docs/energy.md §9) to
 * out_path atomically. Returns 0, -1 with a message (bad input: file and field), or -2
 * when the netlist's outputs differ from the model's (the first difference named). */
int gate_reconcile(const mpb_model *mdl, const gate_recon_opts *o, const char *out_path,
                   char *err, size_t n);

/* ---- characterisation of the library for the action model (gate_table.c) ------------ */
/* Simulate a characterisation netlist (rtl/gate/char.v: adders, multipliers, a register,
 * driven with uniformly random inputs every cycle, ld_i and rst_ni held at 1) for
 * `cycles` cycles and price it; per cycle energies in *per_cycle. */
int gate_characterise(const char *dir, const char *top, size_t cycles, uint64_t seed,
                      gate_energy *per_cycle, char *err, size_t n);
/* Write an energy table for the library (energy.h format) from the characterisation runs
 * in root/<name>/ (names in docs/energy.md §9), the entries a gate-level run cannot give
 * (SRAM, DRAM, floating point) scaled from the 45 nm table by Stillmaker-Baas.
 * Returns 0 or -1 with a message. */
int gate_write_table(const char *root, const char *library, double node_nm, double vdd,
                     size_t cycles, uint64_t seed, const char *out_path, char *err,
                     size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MPB_GATE_H */
