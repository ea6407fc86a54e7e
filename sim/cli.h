/* cli.h — shared conventions of the mpbsim command-line driver.
 *
 * Every subcommand is `int cmd_NAME(int argc, char **argv)` (argv[0] is the subcommand
 * name), parses its options with getopt_long, answers --help on stdout with exit 0,
 * prints errors on stderr as "mpbsim NAME: ..." and returns one of the exit codes below.
 * Output files are written through cli_out_open/cli_out_commit so that a failed run
 * leaves no partial file behind (write to "<dir>/.mpbsim.<pid>.XXXXXX", rename on
 * success; a device or a pipe such as /dev/stdout is written directly).
 */
#ifndef MPB_CLI_H
#define MPB_CLI_H

#include <stdio.h>

enum {
  MPB_EXIT_OK = 0,     /* success                                                */
  MPB_EXIT_FAIL = 1,   /* the run worked but a check failed (mismatch, goal missed) */
  MPB_EXIT_USAGE = 2,  /* bad command line                                       */
  MPB_EXIT_INPUT = 3,  /* bad input: configuration, trace, model or data file     */
  MPB_EXIT_IO = 4      /* cannot read or write a file                            */
};

typedef struct cli_out {
  FILE *f;
  char *path;
  char *tmp;
} cli_out;

/* Open a temporary file beside path; returns 0, or prints an error and returns -1. */
int cli_out_open(cli_out *o, const char *cmd, const char *path);
/* Close and rename into place; returns 0, or prints an error, removes the temporary
 * file and returns -1. */
int cli_out_commit(cli_out *o, const char *cmd);
/* Close and remove the temporary file (on any failure path). */
void cli_out_abort(cli_out *o);
/* After a failed write to o->f: print "cannot write PATH: <errno's reason>", abort, -1. */
int cli_out_fail(cli_out *o, const char *cmd);
/* Write a whole text to stdout and flush it at once, so that a failure is reported with
 * its reason ("mpbsim CMD: cannot write standard output: <errno's reason>") while errno
 * still holds it (a text longer than stdio's buffer fails inside the write, and the
 * final flush of main() would only see the sticky error). Returns MPB_EXIT_OK or
 * MPB_EXIT_IO (the error and the unwritten rest are dropped: it has been reported). */
int cli_write_stdout(const char *cmd, const char *text);
/* mkdir -p; returns 0 or prints an error and returns -1. */
int cli_mkdirs(const char *cmd, const char *dir);

/* After getopt_long: no operands may follow the options. Returns 0, or prints
 * "mpbsim CMD: unexpected argument 'X'" and returns MPB_EXIT_USAGE. */
int cli_no_operands(const char *cmd, int optind_, int argc, char **argv);

/* Parse helpers: print "mpbsim CMD: option --OPT: VALUE is not ... in [lo, hi]". */
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi,
                   long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi,
                     double *out);

/* The subcommands. */
int cmd_rope(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_tables(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_energy(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_lm(int argc, char **argv);
int cmd_lm_passkey(int argc, char **argv); /* `mpbsim lm passkey` (cmd_lm_passkey.c) */
int cmd_lm_eval(int argc, char **argv); /* `mpbsim lm eval` (cmd_lm_eval.c) */
int cmd_exp(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_ssm(int argc, char **argv);

#endif
