/* cmd_gen.c — `mpbsim gen`: run a workload generator (traces/gen_registry.c) and write
 * its trace atomically. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static void help(void) {
  printf("usage: mpbsim gen --preset NAME --out FILE [options]\n\n"
         "Run a seeded FP32 forward pass (or synthetic tensors) and capture its RoPE, exp and\n"
         "GEMM work as a trace (docs/trace-format.md, docs/workloads.md).\n\npresets:\n");
  for (size_t i = 0; i < trace_gen_count(); i++)
    printf("  %-13s %s\n", trace_gen_get(i)->name, trace_gen_get(i)->doc);
  printf("\noptions:\n"
         "  --preset NAME      workload (above)\n"
         "  --out FILE         trace to write (atomically)\n"
         "  --tokens N         tokens per position window, 1..1048576 (default 64)\n"
         "  --seed S           seed of every weight and input (default 1)\n"
         "  --layers L         layers (default: the preset's small default)\n"
         "  --windows W        position windows (default 1); the last ends at MAX_POS, the\n"
         "                     first starts at 0 and the others are spaced geometrically\n"
         "                     (every octave of position); one window = the tail window\n"
         "  --max-pos P        last position of the last window (default tokens-1)\n"
         "  --full             full model widths where the preset reduces them\n"
         "  --f32              keep the fp32 originals of the rope inputs\n"
         "  --gemm-rows R      GEMM records sample R rows of A (default 4)\n"
         "  --gemm-cols C      ... and C rows of B (default 64)\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 generator rejected the parameters, 4 I/O error\n");
}

int cmd_gen(int argc, char **argv) {
  static const struct option opts[] = {
      {"preset", required_argument, 0, 'p'}, {"out", required_argument, 0, 'o'},
      {"tokens", required_argument, 0, 't'}, {"seed", required_argument, 0, 's'},
      {"layers", required_argument, 0, 'l'}, {"windows", required_argument, 0, 'w'},
      {"max-pos", required_argument, 0, 'm'}, {"full", no_argument, 0, 'F'},
      {"f32", no_argument, 0, 'f'},          {"gemm-rows", required_argument, 0, 'R'},
      {"gemm-cols", required_argument, 0, 'C'}, {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  trace_gen_opts go;
  trace_gen_opts_init(&go);
  const char *preset = NULL, *out = NULL;
  long v;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hp:o:", opts, NULL)) != -1) {
    switch (c) {
    case 'p': preset = optarg; break;
    case 'o': out = optarg; break;
    case 't':
      if (cli_parse_long("gen", "tokens", optarg, 1, 1 << 20, &v)) return MPB_EXIT_USAGE;
      go.tokens = (uint32_t)v;
      break;
    case 's':
      if (cli_parse_long("gen", "seed", optarg, 0, 0x7fffffffffffffffL, &v)) return MPB_EXIT_USAGE;
      go.seed = (uint64_t)v;
      break;
    case 'l':
      if (cli_parse_long("gen", "layers", optarg, 1, TRACE_MAX_LAYERS, &v)) return MPB_EXIT_USAGE;
      go.layers = (uint32_t)v;
      break;
    case 'w':
      if (cli_parse_long("gen", "windows", optarg, 1, 4096, &v)) return MPB_EXIT_USAGE;
      go.windows = (uint32_t)v;
      break;
    case 'm':
      if (cli_parse_long("gen", "max-pos", optarg, 0, TRACE_MAX_POS - 1, &v)) return MPB_EXIT_USAGE;
      go.max_pos = (uint32_t)v;
      break;
    case 'F': go.full = true; break;
    case 'f': go.f32 = true; break;
    case 'R':
      if (cli_parse_long("gen", "gemm-rows", optarg, 1, 4096, &v)) return MPB_EXIT_USAGE;
      go.gemm_rows = (uint32_t)v;
      break;
    case 'C':
      if (cli_parse_long("gen", "gemm-cols", optarg, 1, 65536, &v)) return MPB_EXIT_USAGE;
      go.gemm_cols = (uint32_t)v;
      break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("gen", optind, argc, argv)) return MPB_EXIT_USAGE;
  if (!preset || !out) {
    fprintf(stderr, "mpbsim gen: --preset and --out are required (mpbsim gen --help)\n");
    return MPB_EXIT_USAGE;
  }
  const trace_generator *g = trace_gen_find(preset);
  if (!g) {
    fprintf(stderr, "mpbsim gen: option --preset: unknown preset '%s'; one of:", preset);
    for (size_t i = 0; i < trace_gen_count(); i++) fprintf(stderr, " %s", trace_gen_get(i)->name);
    fprintf(stderr, "\n");
    return MPB_EXIT_USAGE;
  }
  if (go.max_pos && go.max_pos + 1 < go.tokens) {
    fprintf(stderr, "mpbsim gen: --max-pos %u is below --tokens - 1 = %u\n", go.max_pos,
            go.tokens - 1);
    return MPB_EXIT_USAGE;
  }
  cli_out o;
  if (cli_out_open(&o, "gen", out)) return MPB_EXIT_IO;
  char err[512];
  trace_writer *w = trace_writer_open_file(o.f, out, NULL, err, sizeof err);
  if (!w) {
    fprintf(stderr, "mpbsim gen: %s\n", err);
    cli_out_abort(&o);
    return MPB_EXIT_IO;
  }
  if (g->fn(&go, w, err, sizeof err)) {
    fprintf(stderr, "mpbsim gen: preset %s: %s\n", preset, err);
    trace_writer_abort(w);
    cli_out_abort(&o);
    return MPB_EXIT_INPUT;
  }
  uint64_t n = trace_writer_records(w);
  if (trace_writer_close(w, err, sizeof err)) {
    fprintf(stderr, "mpbsim gen: %s\n", err);
    cli_out_abort(&o);
    return MPB_EXIT_IO;
  }
  if (cli_out_commit(&o, "gen")) return MPB_EXIT_IO;
  printf("mpbsim gen: wrote %s (%llu records, preset %s, seed %llu)\n", out,
         (unsigned long long)n, preset, (unsigned long long)go.seed);
  return MPB_EXIT_OK;
}
