/* cosim_main.cpp — command line of one co-simulation binary (one built configuration):
 * parse the options, build the C model of the configuration the RTL was built with, run
 * the seeded stimulus through Cosim, and on a mismatch re-run the same seed with an FST
 * waveform of the cycles before it. Exit 0 pass, 1 mismatch, 2 usage, 3 bad input. */
#include <getopt.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "cosim.h"
#include "cosim_config.h" /* generated per configuration: COSIM_NAME, COSIM_CFG_FILE, ... */
#include "trace_items.h"
#include "verilated.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace {

struct Options {
  uint64_t seed = 1;
  uint64_t cycles = 100000;
  Cosim::Mode mode = Cosim::Both;
  mpb_pipe_mode pipe = MPB_PIPE_DELAY;
  std::string fst;
  int64_t trace_from = -1;
  bool quiet = false;
  bool exp_sweep = false;
  int threads = 2; /* lock-step mode: the C model on a second thread (1: one thread) */
  std::string coverage; /* coverage builds: write coverage data here at the end */
  std::string trace;    /* workload trace whose operations are the stimulus items */
};

void usage(FILE *f) {
  std::fprintf(f,
               "usage: cosim_%s [options]\n\n"
               "Lock-step co-simulation of the RTL (built with configuration %s, tables of\n"
               "head_dim %d, base %g) against the cycle-accurate C model.\n\n"
               "  --seed S        stimulus seed (default 1)\n"
               "  --cycles N      cycles to run (default 100000)\n"
               "  --mode M        cosim (compare) | rtl | cmodel | stim (speed runs, no\n"
               "                  compare; stim: the stimulus generator alone, fed the\n"
               "                  in_ready answers of an untimed C model pre-run)\n"
               "  --model-pipe P  C model pipeline: delay (fast path, default) | stages\n"
               "                  (register-level stage chain); same pins every cycle\n"
               "  --threads T     cosim mode: 2 = C model and stimulus on a second thread,\n"
               "                  running ahead of the RTL through a bounded queue (default\n"
               "                  when the machine has 2 cores or more); 1 = one thread\n"
               "  --fst FILE      waveform written on a mismatch (default %s/fail-<seed>.fst)\n"
               "  --trace-from C  also write the waveform from cycle C on, pass or fail\n"
               "  --exp-sweep     exp unit: every one of the 2^24 inputs in order, full rate\n"
               "  --trace FILE    items from a workload trace (mpbsim gen/import): its ROPE,\n"
               "                  EXP and GEMM records in order, converted as mpbsim replay\n"
               "                  does; traffic patterns from the seed; the run ends when the\n"
               "                  trace is used up and drained, or after --cycles\n"
               "  --coverage FILE write line/toggle coverage (coverage builds only)\n"
               "  --quiet         print only failures\n"
               "exit codes: 0 pass, 1 mismatch, 2 usage, 3 bad configuration\n",
               COSIM_NAME, COSIM_NAME, COSIM_HEAD_DIM, COSIM_BASE, COSIM_OUT_DIR);
}

int parse(int argc, char **argv, Options *o) {
  static const struct option opts[] = {{"seed", required_argument, 0, 's'},
                                       {"cycles", required_argument, 0, 'c'},
                                       {"mode", required_argument, 0, 'm'},
                                       {"model-pipe", required_argument, 0, 'p'},
                                       {"fst", required_argument, 0, 'f'},
                                       {"trace-from", required_argument, 0, 't'},
                                       {"quiet", no_argument, 0, 'q'},
                                       {"exp-sweep", no_argument, 0, 'x'},
                                       {"coverage", required_argument, 0, 'v'},
                                       {"threads", required_argument, 0, 'T'},
                                       {"trace", required_argument, 0, 'r'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "h", opts, nullptr)) != -1) {
    switch (c) {
    case 's':
    case 'c':
    case 't': {
      errno = 0;
      unsigned long long v = std::strtoull(optarg, &end, 0);
      if (errno || *end || !*optarg || optarg[0] == '-') {
        std::fprintf(stderr, "cosim: option --%s: '%s' is not a number >= 0\n",
                     c == 's' ? "seed" : c == 'c' ? "cycles" : "trace-from", optarg);
        return 2;
      }
      if (c == 's') o->seed = v;
      if (c == 'c') o->cycles = v;
      if (c == 't') o->trace_from = (int64_t)v;
      break;
    }
    case 'm':
      if (!std::strcmp(optarg, "cosim")) o->mode = Cosim::Both;
      else if (!std::strcmp(optarg, "rtl")) o->mode = Cosim::RtlOnly;
      else if (!std::strcmp(optarg, "cmodel")) o->mode = Cosim::ModelOnly;
      else if (!std::strcmp(optarg, "stim")) o->mode = Cosim::StimOnly;
      else {
        std::fprintf(stderr, "cosim: option --mode: '%s' is not cosim, rtl, cmodel or stim\n", optarg);
        return 2;
      }
      break;
    case 'p':
      if (!std::strcmp(optarg, "delay")) o->pipe = MPB_PIPE_DELAY;
      else if (!std::strcmp(optarg, "stages")) o->pipe = MPB_PIPE_STAGES;
      else {
        std::fprintf(stderr, "cosim: option --model-pipe: '%s' is not delay or stages\n", optarg);
        return 2;
      }
      break;
    case 'f': o->fst = optarg; break;
    case 'q': o->quiet = true; break;
    case 'x': o->exp_sweep = true; break;
    case 'v': o->coverage = optarg; break;
    case 'r': o->trace = optarg; break;
    case 'T':
      if (!std::strcmp(optarg, "1")) o->threads = 1;
      else if (!std::strcmp(optarg, "2")) o->threads = 2;
      else {
        std::fprintf(stderr, "cosim: option --threads: '%s' is not 1 or 2\n", optarg);
        return 2;
      }
      break;
    case 'h': usage(stdout); return -1;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "cosim: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
#if !VM_COVERAGE
  if (!o->coverage.empty()) {
    std::fprintf(stderr, "cosim: --coverage: this binary was built without coverage\n");
    return 2;
  }
#endif
  if (o->fst.empty()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "/fail-%" PRIu64 ".fst", o->seed);
    o->fst = std::string(COSIM_OUT_DIR) + buf;
  }
  return 0;
}

/* What a run measured: results per unit, and the wall and CPU (all threads) time of the
 * cycle loop alone (building the model, reset and the ready-log pre-pass excluded). */
struct RunStats {
  uint64_t cycles = 0; /* cycles run (fewer than asked when a trace ran out) */
  uint64_t results[3] = {0, 0, 0};
  uint64_t items[3] = {0, 0, 0}; /* trace items fed: rotations, exp inputs, dot beats */
  uint64_t wide[2] = {0, 0};     /* rope and exp inputs beyond the pin widths           */
  double secs = 0, cpu = 0;
};

/* Run the stimulus of seed for up to 'cycles' cycles; trace from cycle trace_from
 * (or never if < 0). Returns the cycle of the first mismatch, -1 (pass), -2 (waveform
 * file not writable) or -3 (bad trace file: *err names the file and field). */
int64_t run(const mpb_model *mdl, const Options &o, uint64_t cycles, int64_t trace_from,
            RunStats *st, std::string *err) {
  std::vector<uint8_t> ready_log;
  TraceItems items;
  if (!o.trace.empty() && !items.open(o.trace, mdl, err)) return -3;
  if (o.mode == Cosim::StimOnly) { /* the in_ready answers of the same run, untimed */
    TraceItems items0; /* the pre-run reads the trace through readers of its own */
    if (!o.trace.empty() && !items0.open(o.trace, mdl, err)) return -3;
    VerilatedContext ctx0;
    Cosim pre(mdl, &ctx0, Cosim::ModelOnly, o.pipe);
    Stimulus stim0(*mpb_model_config(mdl), mpb_model_geometry(mdl)->head_dim / 2, o.seed);
    stim0.set_exp_sweep(o.exp_sweep);
    stim0.set_wide_inputs(true);
    if (!o.trace.empty()) stim0.set_items(&items0);
    ready_log.reserve(cycles);
    pre.set_ready_log(&ready_log);
    pre.reset();
    pre.run(stim0, cycles, -1, o.fst, 1);
  }
  VerilatedContext ctx;
  if (trace_from >= 0) ctx.traceEverOn(true);
  Cosim sim(mdl, &ctx, o.mode, o.pipe);
  sim.set_ready_log(&ready_log);
  Stimulus stim(*mpb_model_config(mdl), mpb_model_geometry(mdl)->head_dim / 2, o.seed);
  stim.set_exp_sweep(o.exp_sweep);
  stim.set_wide_inputs(true);
  if (!o.trace.empty()) stim.set_items(&items);
  sim.reset();
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  int64_t fail = sim.run(stim, cycles, trace_from, o.fst, o.threads);
  st->secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st->wide[0] = stim.wide_count(0), st->wide[1] = stim.wide_count(1);
  st->cpu = (double)(std::clock() - c0) / CLOCKS_PER_SEC;
  if (fail == -2) *err = "cannot write " + o.fst;
  if (fail >= 0) *err = sim.error();
  if (fail == -1 && !items.error().empty()) { /* a trace read error ends the items early */
    *err = items.error();
    fail = -3;
  }
  if (fail != -1) return fail;
  st->cycles = sim.cycle();
  for (int u = 0; u < 3; u++) st->results[u] = sim.results(u), st->items[u] = items.count(u);
#if VM_COVERAGE
  if (!o.coverage.empty()) ctx.coveragep()->write(o.coverage.c_str());
#endif
  return -1;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  if (std::thread::hardware_concurrency() < 2) o.threads = 1;
  int rc = parse(argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  mpb_config cfg;
  mpb_config_default(&cfg);
  char err[512];
  if (mpb_config_load(&cfg, COSIM_CFG_FILE, err, sizeof err) != MPB_OK) {
    std::fprintf(stderr, "cosim: %s\n", err);
    return 3;
  }
  mpb_geometry geo = {COSIM_HEAD_DIM, COSIM_BASE, MPB_PAIR_INTERLEAVED};
  mpb_model *mdl = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!mdl) {
    std::fprintf(stderr, "cosim: %s: %s\n", COSIM_CFG_FILE, err);
    return 3;
  }
  const char *mode = o.mode == Cosim::Both      ? "cosim"
                     : o.mode == Cosim::RtlOnly ? "rtl"
                     : o.mode == Cosim::StimOnly ? "stim"
                                                 : "cmodel";
  RunStats st;
  std::string msg;
  int64_t fail = run(mdl, o, o.cycles, o.trace_from, &st, &msg);
  int status = 0;
  if (fail == -2) {
    std::fprintf(stderr, "cosim %s: %s\n", COSIM_NAME, msg.c_str());
    status = 4;
  } else if (fail == -3) {
    std::fprintf(stderr, "cosim %s: %s\n", COSIM_NAME, msg.c_str());
    status = 3;
  } else if (fail >= 0) {
    /* replay the same seed with the waveform on for the cycles before the mismatch */
    int64_t from = fail > 50 ? fail - 50 : 0;
    std::string msg2;
    RunStats st2;
    run(mdl, o, (uint64_t)fail + 1, from, &st2, &msg2);
    std::printf("cosim %s seed=%" PRIu64 " FAIL %s\n  config %s (head_dim %d, base %g); "
                "waveform of cycles %" PRId64 "..%" PRId64 ": %s\n  reproduce: %s --seed %"
                PRIu64 " --cycles %" PRId64 "\n",
                COSIM_NAME, o.seed, msg.c_str(), COSIM_CFG_FILE, COSIM_HEAD_DIM, COSIM_BASE,
                from, fail, o.fst.c_str(), argv[0], o.seed, fail + 1);
    status = 1;
  } else if (!o.quiet) {
    std::printf("cosim %s seed=%" PRIu64 " mode=%s cycles=%" PRIu64 " results rope=%" PRIu64
                " exp=%" PRIu64 " dot=%" PRIu64 " mismatches=0 PASS %.3f s %.0f cycles/s"
                " (cpu %.3f s, %d thread%s)\n",
                COSIM_NAME, o.seed, mode, st.cycles, st.results[0], st.results[1],
                st.results[2], st.secs, st.secs > 0 ? (double)st.cycles / st.secs : 0.0, st.cpu,
                o.mode == Cosim::Both ? o.threads : 1,
                o.mode == Cosim::Both && o.threads > 1 ? "s" : "");
    std::printf("  inputs beyond the pin widths, wrapped alike: rope=%" PRIu64 " exp=%" PRIu64
                "\n", st.wide[0], st.wide[1]);
    if (!o.trace.empty())
      std::printf("  trace %s: items rotations=%" PRIu64 " exp=%" PRIu64 " dot_beats=%" PRIu64
                  "%s\n", o.trace.c_str(), st.items[0], st.items[1], st.items[2],
                  st.cycles < o.cycles ? " (all, drained)" : " (stopped at --cycles)");
  }
  mpb_model_free(mdl);
  return status;
}
