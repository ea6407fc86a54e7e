/* cmd_energy.c — `mpbsim energy`: print the energy table's unit prices, the operations of
 * the bridge and the baselines by cost class, the action counts and energy per operation
 * of each unit of a design (on seeded random inputs) and the stated workload in watts;
 * --dump prints the built-in table file. Figures of docs/energy.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "energy.h"
#include "energy_system.h"

static void help(void) {
  printf("usage: mpbsim energy [options]\n\n"
         "Print the per-action energy model (docs/energy.md): unit prices derived from the\n"
         "table at its node and supply, the bridge's and the FP32/BF16/FP16/INT8 baselines'\n"
         "operations by cost class, for the rope, exp and dot units of the design the action\n"
         "counts and energy per operation by block on seeded uniformly random inputs (the\n"
         "activity reference; clock and leakage at one operation per cycle), and the stated\n"
         "workload (Llama 3 8B decode and prefill) in watts per side.\n\n"
         "options:\n" CLI_MODEL_HELP
         "  --energy FILE      energy table (default: built-in configs/energy-45nm.cfg)\n"
         "  --dump             print the built-in table (the embedded shipped file) and exit\n"
         "  -n, --ops N        operations per unit (default 4096)\n"
         "  --stimulus FILE    write the rope unit's reference stimulus instead (N lines of\n"
         "                     hex 'm j x y', x/y two's complement at x_bits) for driving\n"
         "                     the RTL with the same data (docs/report-schema.md)\n"
         "  --seed S           seed of the reference stimulus (default 1)\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad configuration or energy table\n");
}

static void print_unit(const mpb_energy_table *t, const mpb_model *m, mpb_unit u,
                       const char *name, size_t n, double per) {
  mpb_counts c;
  mpb_energy_reference(m, u, n, 1, &c);
  mpb_energy_breakdown b;
  mpb_energy_unit_hw hw;
  const mpb_config *cfg = mpb_model_config(m);
  mpb_energy_price(t, cfg, &c, &b);
  mpb_energy_unit_hw_of(m, u, &hw);
  mpb_energy_add_static(t, cfg, &hw, mpb_energy_unit_cycles(cfg, u, &c), &b);
  double ops = (double)c.ops * per;
  printf("\n%s unit, per %s (%zu random operations; clock and leakage at %g MHz, one per "
         "cycle):\n", name, u == MPB_UNIT_DOT ? "MAC product" : "operation", n, cfg->clock_mhz);
  printf("  %-8s %7s %8s %8s %8s %8s %8s %8s %8s %8s %7s\n", "block", "mul", "bitprod",
         "add_bits", "rom_bits", "reg_bits", "toggles", "dyn pJ", "clock pJ", "leak pJ", "share");
  for (int k = 0; k < MPB_NBLK; k++) {
    const mpb_block_counts *x = &c.blk[k];
    const mpb_energy_block *e = &b.blk[k];
    printf("  %-8s %7.2f %8.1f %8.1f %8.1f %8.1f %8.1f %8.3f %8.3f %8.4f %6.1f%%\n",
           mpb_block_name((mpb_block)k), x->mul_ops / ops, x->mul_bitprod / ops,
           x->add_bits / ops, x->rom_bits / ops, x->reg_bits / ops, x->toggles / ops,
           (e->mul_pj + e->add_pj + e->rom_pj + e->reg_pj) / ops, e->clock_pj / ops,
           e->leak_pj / ops, b.total_pj > 0 ? 100 * e->total_pj / b.total_pj : 0);
  }
  printf("  total %.3f pJ (dynamic %.3f, clock %.3f, leakage %.4f)\n", b.total_pj / ops,
         b.dynamic_pj / ops, b.clock_pj / ops, b.leak_pj / ops);
}

static void print_cost(const char *side, const char *op, const mpb_energy_cost *c) {
  printf("  %-7s %-9s %9.3f %8.3f %8.3f %8.3f %8.4f %9.3f\n", side, op, c->arith_pj, c->rom_pj,
         c->reg_pj, c->clock_pj, c->leak_pj, c->total_pj);
}

/* The operations of every side by cost class, then the stated workload in watts. */
static int print_sides(const mpb_energy_table *t, const mpb_model *m) {
  const mpb_config *cfg = mpb_model_config(m);
  mpb_energy_bridge br;
  mpb_energy_bridge_ops(m, &br);
  printf("operations by cost class (pJ; clock and leakage at %g MHz, one operation per cycle "
         "per pipeline):\n  %-7s %-9s %9s %8s %8s %8s %8s %9s\n", cfg->clock_mhz, "side", "op",
         "arith", "tables", "reg", "clock", "leak", "total");
  static const mpb_energy_op ops[] = {MPB_EOP_COSSIN, MPB_EOP_ROTATE, MPB_EOP_ROTATION,
                                      MPB_EOP_EXP, MPB_EOP_MAC};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    mpb_energy_cost c;
    mpb_energy_bridge_cost(t, &br, ops[i], cfg->clock_mhz, &c);
    print_cost("bridge", mpb_energy_op_name(ops[i]), &c);
    for (int p = 0; p < MPB_NEPIPE; p++) {
      mpb_energy_baseline_cost(t, (mpb_energy_pipe)p, ops[i], &br, cfg->clock_mhz, &c);
      print_cost(mpb_energy_pipe_name((mpb_energy_pipe)p), mpb_energy_op_name(ops[i]), &c);
    }
  }
  mpb_sys_opts so;
  mpb_sys_opts_default(&so);
  so.clock_mhz = cfg->clock_mhz;
  char err[256];
  printf("\n%s, batch 1 (energy_system.h): decode at context %.0f, %.0f tokens/s; prefill "
         "of %.0f tokens at %.0f tokens/s; W:\n  %-7s %-8s %9s %9s %9s %9s %9s %9s %8s\n",
         so.model.name, so.context, so.decode_tps, so.prefill_len, so.prefill_tps, "side",
         "phase", "compute", "memory", "clock", "leakage", "mem.leak", "total", "DRAM GB/s");
  for (int ph = 0; ph < MPB_NPHASE; ph++)
    for (int s = 0; s < MPB_NSYS; s++) {
      mpb_sys_result r;
      if (mpb_sys_estimate(t, &br, &so, (mpb_sys_phase)ph, (mpb_sys_side)s, &r, err,
                           sizeof err)) {
        fprintf(stderr, "mpbsim energy: %s\n", err);
        return MPB_EXIT_INPUT;
      }
      printf("  %-7s %-8s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %8.0f\n", mpb_sys_side_name(s),
             mpb_sys_phase_name(ph), r.dyn_w_compute, r.dyn_w_memory, r.static_w_clock,
             r.static_w_leak, r.static_w_memory, r.total_w, r.dram_gbs);
    }
  return MPB_EXIT_OK;
}

/* The rope reference stimulus as hex lines "m j x y" (atomic output). */
static int write_stimulus(const mpb_model *m, const char *path, size_t n, uint64_t seed) {
  mpb_rope_req *rq = malloc(n * sizeof *rq);
  if (!rq) {
    fprintf(stderr, "mpbsim energy: out of memory\n");
    return MPB_EXIT_IO;
  }
  mpb_energy_reference_rope_reqs(m, n, seed, rq);
  int xw = mpb_model_config(m)->x_bits;
  uint32_t xmask = (uint32_t)((1u << xw) - 1);
  cli_out o;
  if (cli_out_open(&o, "energy", path)) {
    free(rq);
    return MPB_EXIT_IO;
  }
  for (size_t i = 0; i < n; i++)
    fprintf(o.f, "%x %x %x %x\n", rq[i].m, rq[i].j, (uint32_t)rq[i].x & xmask,
            (uint32_t)rq[i].y & xmask);
  free(rq);
  return cli_out_commit(&o, "energy") ? MPB_EXIT_IO : MPB_EXIT_OK;
}

int cmd_energy(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"energy", required_argument, 0, 'e'},
                                       {"dump", no_argument, 0, 'D'},
                                       {"ops", required_argument, 0, 'n'},
                                       {"stimulus", required_argument, 0, 'S'},
                                       {"seed", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  const char *path = NULL;
  long n = 4096, seed = 1;
  const char *stim = NULL;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "energy", c, optarg))) return rc;
    } else if (c == 'e') {
      path = optarg;
    } else if (c == 'D') {
      return cli_write_stdout("energy", mpb_energy_default_text());
    } else if (c == 'S') {
      stim = optarg;
    } else if (c == 's') {
      if (cli_parse_long("energy", "seed", optarg, 0, 0x7fffffffffffffffL, &seed))
        return MPB_EXIT_USAGE;
    } else if (c == 'n') {
      if (cli_parse_long("energy", "ops", optarg, 1, 10000000, &n)) return MPB_EXIT_USAGE;
    } else if (c == 'h') {
      help();
      return MPB_EXIT_OK;
    } else {
      return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("energy", optind, argc, argv)) return MPB_EXIT_USAGE;
  if ((rc = cli_model_finish(&mo, "energy", false))) return rc;
  char err[512];
  mpb_energy_table *t = mpb_energy_load(path, err, sizeof err);
  if (!t) {
    fprintf(stderr, "mpbsim energy: %s\n", err);
    return MPB_EXIT_INPUT;
  }
  mpb_model *m = cli_model_build(&mo, 0, "energy");
  if (!m) {
    mpb_energy_free(t);
    return MPB_EXIT_INPUT;
  }
  if (stim) {
    rc = write_stimulus(m, stim, (size_t)n, (uint64_t)seed);
    mpb_model_free(m);
    mpb_energy_free(t);
    return rc;
  }
  printf("energy table: %s, reported at %g nm %g V (logic and SRAM x %.4f; DRAM and leakage "
         "as given)\n", mpb_energy_source(t), mpb_energy_node_nm(t), mpb_energy_vdd(t),
         mpb_energy_logic_scale(t));
  printf("unit prices (pJ): add 8/16/32 bits %.4f %.4f %.4f; mul 8x8 %.3f, 16x16 %.3f, "
         "24x24 %.3f, 32x32 %.3f;\n  bf16 add %.3f, bf16 mul %.3f (derived); register bit "
         "written %.4f, clock per flip-flop per cycle %.4f;\n  64-bit read of 256 B / 1 KB / "
         "8 KB / 32 KB / 1 MB / 16 MB: %.2f %.2f %.2f %.2f %.2f %.2f; DRAM %.0f\n",
         mpb_energy_add_pj(t, 8), mpb_energy_add_pj(t, 16), mpb_energy_add_pj(t, 32),
         mpb_energy_mul_pj(t, 8, 8), mpb_energy_mul_pj(t, 16, 16), mpb_energy_mul_pj(t, 24, 24),
         mpb_energy_mul_pj(t, 32, 32), mpb_energy_op_pj(t, "bf16_add"),
         mpb_energy_op_pj(t, "bf16_mul"), mpb_energy_reg_pj(t, 1), mpb_energy_clock_pj(t, 1),
         mpb_energy_rom_pj(t, 256, 64), mpb_energy_rom_pj(t, 1024, 64),
         mpb_energy_rom_pj(t, 8192, 64), mpb_energy_rom_pj(t, 32768, 64),
         mpb_energy_rom_pj(t, 1048576, 64), mpb_energy_rom_pj(t, 16777216, 64),
         mpb_energy_dram_pj(t, 8));
  mpb_energy_hw one[4] = {{1, 0, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 1}};
  printf("leakage (nW): register bit %.1f, adder bit %.1f, bit-product %.1f, table bit %.1f; "
         "memory levels (64-bit access, pJ): register file %.0f B %.2f, buffer %.0f B %.2f, "
         "DRAM %.0f\n", mpb_energy_leak_nw(t, &one[0]), mpb_energy_leak_nw(t, &one[1]),
         mpb_energy_leak_nw(t, &one[2]), mpb_energy_leak_nw(t, &one[3]),
         mpb_energy_mem_bytes(t, MPB_MEM_RF), mpb_energy_mem_pj(t, MPB_MEM_RF, 8),
         mpb_energy_mem_bytes(t, MPB_MEM_BUFFER), mpb_energy_mem_pj(t, MPB_MEM_BUFFER, 8),
         mpb_energy_mem_pj(t, MPB_MEM_DRAM, 8));
  if ((rc = print_sides(t, m))) {
    mpb_model_free(m);
    mpb_energy_free(t);
    return rc;
  }
  printf("design %s: area proxy %.0f bit-equivalents\n", mo.design[0].label,
         mpb_area_proxy(&mo.design[0].cfg, &mo.geo));
  print_unit(t, m, MPB_UNIT_ROPE, "rope", (size_t)n, 1);
  print_unit(t, m, MPB_UNIT_EXP, "exp", (size_t)n, 1);
  /* the reference dot operation is a 256-long dot product */
  print_unit(t, m, MPB_UNIT_DOT, "dot", (size_t)(n / 64 > 0 ? n / 64 : 1), 256);
  mpb_model_free(m);
  mpb_energy_free(t);
  return MPB_EXIT_OK;
}
