/* mpbsim.c — the command-line driver: dispatches to one subcommand per file (cmd_*.c).
 * Exit codes are listed in sim/cli.h and docs/cli.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mpb.h"

typedef struct {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} command;

static const command commands[] = {
    {"rope", cmd_rope, "evaluate a configuration and the baselines over positions and pairs"},
    {"config", cmd_config, "print the resolved configuration; validate a configuration file"},
    {"exp", cmd_exp, "relative error of the exp unit against FP64, FP32, BF16 and FP16"},
    {"lm", cmd_lm, "FP32 Llama forward pass on a GGUF model: perplexity, generation"},
    {"ssm", cmd_ssm, "SSM and Bit-Axon hybrid in closed loop: error growth over steps, KLD"},
    {"sweep", cmd_sweep, "what-if sweeps: parallel, resumable, Slurm; Pareto and HTML report"},
    {"gen", cmd_gen, "generate a workload trace (Mamba, Bit-Axon, Llama, RoPE-only)"},
    {"trace", cmd_trace, "trace info, validate, cat; import .npy/safetensors tensors"},
    {"replay", cmd_replay, "replay a trace through the model: error statistics and counts"},
    {"tables", cmd_tables, "export the LOGLUT tables as $readmemh files for the RTL"},
    {"report", cmd_report, "precision/energy report: HTML (inline SVG), CSV, JSON"},
    {"energy", cmd_energy, "energy model: unit prices, baselines, per-block counts and energy"},
    {"gate", cmd_gate, "gate-level energy check of the RTL on a standard-cell library"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: mpbsim COMMAND [options]   (mpbsim COMMAND --help for details)\n\n"
             "mpbsim %s: simulator of the mixed-precision bridge datapath.\n\ncommands:\n",
          MPB_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nexit codes: 0 ok, 1 check failed, 2 usage, 3 bad input, 4 I/O error\n");
}

/* Flush and close standard output, the last write of every command: when it fails (a full
 * disk, a closed pipe) the output is lost, so the run ends as an I/O error (exit 4) with a
 * message, whatever the command returned (unless it already failed on bad usage or
 * input). The error state is sticky, so an earlier failed printf is caught here too. */
static int close_stdout(const char *cmd, int rc) {
  int bad = ferror(stdout), e = 0;
  errno = 0;
  if (fflush(stdout) != 0) bad = 1, e = errno;
  if (fclose(stdout) != 0 && !bad) bad = 1, e = errno;
  if (!bad) return rc;
  fprintf(stderr, "mpbsim%s%s: cannot write standard output: %s\n", cmd ? " " : "",
          cmd ? cmd : "", e ? strerror(e) : "write error");
  return rc == MPB_EXIT_USAGE || rc == MPB_EXIT_INPUT ? rc : MPB_EXIT_IO;
}

static int run(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return MPB_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return MPB_EXIT_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("mpbsim %s\n", MPB_VERSION);
    return MPB_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "mpbsim: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return MPB_EXIT_USAGE;
}

int main(int argc, char **argv) {
  const char *cmd = NULL;
  for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) cmd = commands[i].name;
  return close_stdout(cmd, run(argc, argv));
}
