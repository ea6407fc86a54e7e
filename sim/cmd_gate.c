/* cmd_gate.c — `mpbsim gate`: the gate-level energy check (analysis/gate.h,
 * docs/energy.md §9). `run` simulates a synthesised mpb_top (rtl/gate/synth.sh,
 * rtl/gate/sta.sh outputs in DIR) on the reference stimulus, checks it against the model,
 * prices it with OpenSTA's pin energies and writes the reconciliation JSON the report
 * reads; `table` derives a library's energy table from characterisation runs; `char`
 * prints one characterisation circuit's energy per cycle. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "gate.h"

static void help(void) {
  printf("usage: mpbsim gate run --dir DIR --table FILE --blocks FILE --out FILE [options]\n"
         "       mpbsim gate table --root DIR --out FILE [--library NAME] [--node NM --vdd V]\n"
         "       mpbsim gate char --dir DIR --top MODULE\n\n"
         "The gate-level check of the RTL on a standard-cell library (docs/energy.md §9).\n"
         "DIR holds rtl/gate/synth.sh's and rtl/gate/sta.sh's outputs (sim.json, cells.json,\n"
         "power.txt, timing.txt, pin_caps.txt, cell_area.txt).\n\n"
         "run: simulate mpb_top's netlist on the energy model's reference stimulus (checked\n"
         "  against the model), price it with OpenSTA's pin energies per unit and block\n"
         "  (--blocks rtl/gate/blocks.tsv), beside the action model priced with the\n"
         "  library's table (--table) and the 45 nm table; write the JSON of docs/energy.md.\n"
         "options:\n" CLI_MODEL_HELP
         "  --name NAME        configuration name shown (default: the preset or file)\n"
         "  --library NAME     library name shown (default osu018_stdcells)\n"
         "  --node NM --vdd V  the library's node and supply (default 180, 1.8)\n"
         "  -n N               rope and exp operations (default 500)\n"
         "  --dot-n N          dot products of 256 (default 16)\n"
         "  --seed S           reference stimulus seed (default 7)\n"
         "table: characterise ROOT/{add8,add16,add32,mul8,mul32,reg32,rom} (rtl/gate/char.v\n"
         "  synthesised and timed there) on --cycles N (default 2000) random cycles and write\n"
         "  the library's energy table.\n"
         "char: one characterisation run, energy per cycle by class.\n\n"
         "exit codes: 0 ok, 1 the netlist's outputs differ from the model, 2 usage,\n"
         "3 bad input (netlist, report, table), 4 I/O\n");
}

static int parse_num(const char *opt, const char *v, double lo, double hi, double *out) {
  char *end;
  double x = strtod(v, &end);
  if (!*v || *end || !(x >= lo && x <= hi)) {
    fprintf(stderr, "mpbsim gate: %s = '%s' (expected a number in [%g, %g])\n", opt, v, lo, hi);
    return MPB_EXIT_USAGE;
  }
  *out = x;
  return 0;
}

int cmd_gate(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    help();
    return argc < 2 ? MPB_EXIT_USAGE : MPB_EXIT_OK;
  }
  const char *mode = argv[1];
  if (strcmp(mode, "run") && strcmp(mode, "table") && strcmp(mode, "char")) {
    fprintf(stderr, "mpbsim gate: unknown mode '%s' (run, table or char)\n", mode);
    return MPB_EXIT_USAGE;
  }
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"dir", required_argument, 0, 'd'},
                                       {"root", required_argument, 0, 'r'},
                                       {"table", required_argument, 0, 't'},
                                       {"blocks", required_argument, 0, 'b'},
                                       {"out", required_argument, 0, 'o'},
                                       {"name", required_argument, 0, 'N'},
                                       {"library", required_argument, 0, 'L'},
                                       {"node", required_argument, 0, 'x'},
                                       {"vdd", required_argument, 0, 'v'},
                                       {"dot-n", required_argument, 0, 'D'},
                                       {"seed", required_argument, 0, 's'},
                                       {"cycles", required_argument, 0, 'c'},
                                       {"top", required_argument, 0, 'T'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  const char *dir = NULL, *root = NULL, *table = NULL, *blocks = NULL, *out = NULL;
  const char *name = NULL, *library = "osu018_stdcells", *top = NULL;
  double node = 180, vdd = 1.8, v;
  long nops = 500, ndot = 16, seed = 7, cycles = 2000;
  int c, rc;
  optind = 2;
  while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "gate", c, optarg))) return rc;
      continue;
    }
    switch (c) {
      case 'd': dir = optarg; break;
      case 'r': root = optarg; break;
      case 't': table = optarg; break;
      case 'b': blocks = optarg; break;
      case 'o': out = optarg; break;
      case 'N': name = optarg; break;
      case 'L': library = optarg; break;
      case 'T': top = optarg; break;
      case 'x':
        if ((rc = parse_num("--node", optarg, 7, 180, &node))) return rc;
        break;
      case 'v':
        if ((rc = parse_num("--vdd", optarg, 0.3, 2.0, &vdd))) return rc;
        break;
      case 'n':
        if (cli_parse_long("gate", "n", optarg, 1, 1000000, &nops)) return MPB_EXIT_USAGE;
        break;
      case 'D':
        if (cli_parse_long("gate", "dot-n", optarg, 1, 100000, &ndot)) return MPB_EXIT_USAGE;
        break;
      case 's':
        if (cli_parse_long("gate", "seed", optarg, 0, 0x7fffffffffffffffL, &seed))
          return MPB_EXIT_USAGE;
        break;
      case 'c':
        if (cli_parse_long("gate", "cycles", optarg, 1, 10000000, &cycles)) return MPB_EXIT_USAGE;
        break;
      case 'h': help(); return MPB_EXIT_OK;
      default: return MPB_EXIT_USAGE;
    }
  }
  (void)v;
  if (cli_no_operands("gate", optind, argc, argv)) return MPB_EXIT_USAGE;
  char err[1024];
  if (!strcmp(mode, "char")) {
    if (!dir || !top) {
      fprintf(stderr, "mpbsim gate char: --dir DIR and --top MODULE are required\n");
      return MPB_EXIT_USAGE;
    }
    gate_energy e;
    if (gate_characterise(dir, top, (size_t)cycles, (uint64_t)seed, &e, err, sizeof err)) {
      fprintf(stderr, "mpbsim gate: %s\n", err);
      return MPB_EXIT_INPUT;
    }
    printf("%s per cycle (%ld random cycles): internal %.6g pJ, switching %.6g pJ, clock "
           "%.6g pJ, leakage %.6g nW; %.0f cells, %.0f um^2, %.0f flip-flops\n", top, cycles,
           e.internal_pj, e.switching_pj, e.clock_pj, e.leak_pj, e.cells, e.area_um2, e.flops);
    return MPB_EXIT_OK;
  }
  if (!out) {
    fprintf(stderr, "mpbsim gate %s: --out FILE is required\n", mode);
    return MPB_EXIT_USAGE;
  }
  if (!strcmp(mode, "table")) {
    if (!root) {
      fprintf(stderr, "mpbsim gate table: --root DIR is required\n");
      return MPB_EXIT_USAGE;
    }
    if (gate_write_table(root, library, node, vdd, (size_t)cycles, (uint64_t)seed, out, err,
                         sizeof err)) {
      fprintf(stderr, "mpbsim gate: %s\n", err);
      return MPB_EXIT_INPUT;
    }
    printf("gate table: %s\n", out);
    return MPB_EXIT_OK;
  }
  if (!dir || !table || !blocks) {
    fprintf(stderr, "mpbsim gate run: --dir, --table and --blocks are required\n");
    return MPB_EXIT_USAGE;
  }
  if ((rc = cli_model_finish(&mo, "gate", false))) return rc;
  mpb_model *m = cli_model_build(&mo, 0, "gate");
  if (!m) return MPB_EXIT_INPUT;
  gate_recon_opts o = {dir,  blocks, table, name ? name : mo.design[0].label, library, node, vdd,
                       (size_t)nops, (size_t)nops, (size_t)ndot, (uint64_t)seed};
  rc = gate_reconcile(m, &o, out, err, sizeof err);
  mpb_model_free(m);
  if (rc == -2) {
    fprintf(stderr, "mpbsim gate: the netlist differs from the model: %s\n", err);
    return MPB_EXIT_FAIL;
  }
  if (rc) {
    fprintf(stderr, "mpbsim gate: %s\n", err);
    return MPB_EXIT_INPUT;
  }
  printf("gate: %s\n", out);
  return MPB_EXIT_OK;
}
