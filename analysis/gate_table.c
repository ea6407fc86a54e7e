/* gate_table.c — the energy table of a standard-cell library for the action model, derived
 * by the gate-level flow (gate.h, docs/energy.md §9): circuits of rtl/gate/char.v (adders,
 * the datapath's multiplier, its pipeline register, one of its ROMs) synthesised and timed
 * like the datapath are driven with uniformly random inputs every cycle, and their energy
 * per operation (the random-data figure a per-action table means) becomes the entry. What
 * a gate-level run cannot give (SRAM macros, DRAM, floating point) is the 45 nm table
 * scaled by Stillmaker-Baas, marked as such in the file. */
#include "gate.h"
#include "errbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64 */
static uint64_t mix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static int all_cells(const char *cell, void *user) {
  (void)cell, (void)user;
  return 0;
}

int gate_characterise(const char *dir, const char *top, size_t cycles, uint64_t seed,
                      gate_energy *per_cycle, char *err, size_t n) {
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s/sim.json", dir);
  snprintf(b, sizeof b, "%s/cells.json", dir);
  gate_design *d = gate_design_load(a, b, top, err, n);
  if (!d) return -1;
  gate_power *p = gate_power_load(dir, err, n);
  if (!p) {
    gate_design_free(d);
    return -1;
  }
  /* the data inputs: every input port but the clock, the ties, reset and load enable */
  int rst = gate_port(d, "rst_ni", NULL, NULL), ld = gate_port(d, "ld_i", NULL, NULL);
  int lo = gate_port(d, "mpb_tie_lo", NULL, NULL), hi = gate_port(d, "mpb_tie_hi", NULL, NULL);
  if (lo >= 0) gate_set_input(d, lo, 0);
  if (hi >= 0) gate_set_input(d, hi, 1);
  if (ld >= 0) gate_set_input(d, ld, 1);
  if (rst >= 0) {
    gate_set_input(d, rst, 0);
    gate_eval(d), gate_cycle(d);
    gate_set_input(d, rst, 1);
  }
  int data[3], nd = 0;
  static const char *const names[] = {"a_i", "b_i", "d_i"};
  for (size_t k = 0; k < 3; k++) {
    bool in = false;
    int pi = gate_port(d, names[k], NULL, &in);
    if (pi >= 0 && in) data[nd++] = pi;
  }
  uint64_t s = seed;
  for (int warm = 0; warm < 2; warm++) {
    for (int k = 0; k < nd; k++) gate_set_input(d, data[k], mix64(&s));
    gate_eval(d), gate_cycle(d);
  }
  gate_clear_counts(d);
  for (size_t c = 0; c < cycles; c++) {
    for (int k = 0; k < nd; k++) gate_set_input(d, data[k], mix64(&s));
    gate_eval(d);
    gate_cycle(d);
  }
  double period = gate_power_crit_ns(p);
  int rc = gate_price(d, p, period, all_cells, NULL, per_cycle, 1, err, n);
  if (!rc) {
    per_cycle->internal_pj /= (double)cycles, per_cycle->switching_pj /= (double)cycles;
    per_cycle->clock_pj /= (double)cycles, per_cycle->leak_pj /= (double)cycles;
    per_cycle->total_pj /= (double)cycles;
    /* leakage as power: pJ per cycle / period */
    per_cycle->leak_pj = per_cycle->leak_pj / period * 1e6; /* pJ per ns period -> nW */
  }
  gate_power_free(p);
  gate_design_free(d);
  return rc;
}

/* The characterisation runs: directory under root, top module. */
static const struct {
  const char *dir, *top;
} runs[] = {{"add8", "gate_char_add"},  {"add16", "gate_char_add"}, {"add32", "gate_char_add"},
            {"mul8", "gate_char_mul"},  {"mul32", "gate_char_mul"}, {"reg32", "mpb_pipe_reg"},
            {"rom", "gate_char_rom"}};
enum { R_ADD8, R_ADD16, R_ADD32, R_MUL8, R_MUL32, R_REG32, R_ROM, R_N };

int gate_write_table(const char *root, const char *library, double node_nm, double vdd,
                     size_t cycles, uint64_t seed, const char *out_path, char *err,
                     size_t n) {
  gate_energy e[R_N];
  char dir[4096];
  for (int r = 0; r < R_N; r++) {
    snprintf(dir, sizeof dir, "%s/%s", root, runs[r].dir);
    if (gate_characterise(dir, runs[r].top, cycles, seed, &e[r], err, n)) return -1;
  }
  mpb_energy_table *t45 = mpb_energy_load(NULL, err, n);
  if (!t45) return -1;
  double up = mpb_energy_node_scale(45, 0.9, node_nm, vdd); /* 45 nm -> the library */
  double down = mpb_energy_node_scale(node_nm, vdd, 45, 0.9);
  if (!isfinite(up)) {
    mpb_energy_free(t45);
    return fail(err, n, "node %g nm at %g V: no Stillmaker-Baas factor", node_nm, vdd);
  }
  /* dynamic energy of one operation = internal + switching per cycle */
  double dyn[R_N];
  for (int r = 0; r < R_N; r++) dyn[r] = e[r].internal_pj + e[r].switching_pj;
  double reg_data = dyn[R_REG32] / 32, clock_bit = e[R_REG32].clock_pj / 32;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    mpb_energy_free(t45);
    return fail(err, n, "%s: cannot write", out_path);
  }
  fprintf(f,
          "# energy-osu018.cfg — energy table of the standard-cell library %s at %g nm %g V,\n"
          "# derived by the gate-level flow (`make gate-table`, analysis/gate_table.c,\n"
          "# docs/energy.md §9): each characterised entry is the energy per operation of a\n"
          "# circuit of rtl/gate/char.v synthesised with yosys, timed and priced with OpenSTA's\n"
          "# pin tables, on %zu cycles of uniformly random inputs (seed %llu). Entries marked\n"
          "# \"scaled\" are the 45 nm table times the Stillmaker-Baas factor %.4f (no SRAM\n"
          "# macro, floating-point unit or DRAM in the library); they are not used by the\n"
          "# reconciliation except the LOGLUT reads (SRAM law).\n"
          "# At 45 nm 0.9 V (x %.5f) the register entries are reg_bit_data %.5f and\n"
          "# clock_bit %.5f pJ (configs/energy-45nm.cfg takes them from here).\n\n",
          library, node_nm, vdd, cycles, (unsigned long long)seed, up, down, reg_data * down,
          clock_bit * down);
  fprintf(f, "energy = {\n  source = \"%s (gate-level characterisation)\";\n", library);
  fprintf(f, "  source_node_nm = %g;\n  source_vdd = %g;\n  node_nm = %g;\n  vdd = %g;\n\n",
          node_nm, vdd, node_nm, vdd);
  fprintf(f, "  ops = {\n");
  fprintf(f, "    int8_add = %.6g;   # gate_char_add W=8\n", dyn[R_ADD8]);
  fprintf(f, "    int16_add = %.6g;  # gate_char_add W=16\n", dyn[R_ADD16]);
  fprintf(f, "    int32_add = %.6g;  # gate_char_add W=32 (the adder law: per bit /32)\n",
          dyn[R_ADD32]);
  fprintf(f, "    int8_mul = %.6g;   # mpb_mul 8x8 (the multiplier law: per bit-product /64)\n",
          dyn[R_MUL8]);
  fprintf(f, "    int32_mul = %.6g;  # mpb_mul 32x32\n", dyn[R_MUL32]);
  static const char *const fp[] = {"fp16_add", "fp16_mul", "fp32_add", "fp32_mul"};
  for (int k = 0; k < 4; k++)
    fprintf(f, "    %s = %.6g;   # scaled\n", fp[k], mpb_energy_op_pj(t45, fp[k]) * up);
  fprintf(f, "  };\n  sram_read_64b = {   # scaled\n    kb8 = %.6g;\n    kb32 = %.6g;\n"
             "    mb1 = %.6g;\n  };\n",
          mpb_energy_rom_pj(t45, 8192, 64) * up, mpb_energy_rom_pj(t45, 32768, 64) * up,
          mpb_energy_rom_pj(t45, 1048576, 64) * up);
  fprintf(f, "  dram_read_64b = %.6g;   # not scaled (DRAM is not the logic node)\n",
          mpb_energy_dram_pj(t45, 8));
  fprintf(f, "  reg_bit_data = %.6g;   # mpb_pipe_reg WIDTH=32, random data, per bit written\n",
          reg_data);
  fprintf(f, "  clock_bit = %.6g;      # its clock pins and their load, per flip-flop per "
             "cycle\n", clock_bit);
  fprintf(f, "  leakage_nw = {\n    reg_bit = %.6g;   # mpb_pipe_reg WIDTH=32 / 32\n"
             "    add_bit = %.6g;   # gate_char_add W=32 / 32\n"
             "    bitprod = %.6g;   # mpb_mul 32x32 / 1024\n"
             "    rom_bit = %.6g;   # gate_char_rom 64 x 24 / 1536 stored bits\n  };\n",
          e[R_REG32].leak_pj / 32, e[R_ADD32].leak_pj / 32, e[R_MUL32].leak_pj / 1024,
          e[R_ROM].leak_pj / 1536);
  fprintf(f, "  memory = {\n    rf_bytes = %.6g;\n    buffer_bytes = %.6g;\n  };\n};\n\n",
          mpb_energy_mem_bytes(t45, MPB_MEM_RF), mpb_energy_mem_bytes(t45, MPB_MEM_BUFFER));
  /* the baselines section: the built-in table's, verbatim */
  const char *txt = mpb_energy_default_text(), *bl = strstr(txt, "\nbaselines = {");
  if (bl) fputs(bl + 1, f);
  mpb_energy_free(t45);
  if (fclose(f) || rename(tmp, out_path)) {
    remove(tmp);
    return fail(err, n, "%s: cannot write", out_path);
  }
  return 0;
}
