/* cosim.h — lock-step co-simulation of the Verilated RTL (mpb_top: rope, exp and dot
 * units) against the cycle-accurate C model (mpb_*_pipe of libmpb).
 *
 * Every cycle step() drives the same pins into both, lets the RTL settle, evaluates the
 * C model's outputs for the cycle, compares every output (in_ready and out_valid of each
 * unit, and the data while out_valid), then clocks both. On the first difference it
 * stops and returns false; error() names the cycle, the signal, the expected (C model)
 * and actual (RTL) values. Tracing to an FST file can be switched on at any cycle.
 *
 * run() drives a whole stimulus. With threads = 2 (lock-step mode only) the C model and
 * the stimulus generator run on a second thread, ahead of the RTL by at most a bounded
 * queue of cycles: each queued cycle carries the pins and the C model's outputs for that
 * cycle, and the RTL thread compares every output of every cycle exactly as step() does.
 * The stimulus reacts to the C model's in_ready answers, which the comparison proves equal
 * to the RTL's up to the first mismatch, so both schedules see the same pins and stop at
 * the same cycle with the same message (docs/verification.md §6).
 *
 * Modes: Both (lock-step), RtlOnly and ModelOnly (for the speed benchmark: the same
 * stimulus through one side only, nothing compared), StimOnly (the stimulus generator
 * alone, its cost, which the benchmark subtracts: the in_ready answers come from a log a
 * ModelOnly run wrote, so the sources draw exactly the items they draw in a real run). The C model's
 * pipelines run in MPB_PIPE_DELAY mode by default (fast path, same pins every cycle) or
 * MPB_PIPE_STAGES (register-level stage chain). */
#ifndef MPB_COSIM_H
#define MPB_COSIM_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mpb.h"
#include "stimulus.h"

class Vmpb_top;
class VerilatedContext;
class VerilatedFstC;

/* The C model's outputs of the three units for one cycle (what the RTL must show). */
struct CosimExpect {
  mpb_rope_pins_out rope;
  mpb_exp_pins_out exp;
  mpb_dot_pins_out dot;
};

class Cosim {
 public:
  enum Mode { Both, RtlOnly, ModelOnly, StimOnly };
  Cosim(const mpb_model *mdl, VerilatedContext *ctx, Mode mode,
        mpb_pipe_mode pipe_mode = MPB_PIPE_DELAY);
  ~Cosim();
  Cosim(const Cosim &) = delete;
  Cosim &operator=(const Cosim &) = delete;

  /* Hold reset for a few cycles (both sides). */
  void reset();
  /* One cycle with these pins; returns false on the first mismatch. r gets the cycle's
   * in_ready answers (from the C model, or the RTL in RtlOnly mode). */
  bool step(const CosimPins &pins, CosimReady *r);
  /* Run up to 'cycles' cycles of stim (after reset()); with trace_from >= 0 the waveform
   * is written to fst from that cycle on. threads: 1 = one thread, 2 = the C model on a
   * second thread (Both mode; other modes always use one). Returns -1 when every cycle
   * passed, the cycle of the first mismatch (error() says what), or -2 when the waveform
   * file cannot be written. */
  int64_t run(Stimulus &stim, uint64_t cycles, int64_t trace_from, const std::string &fst,
              int threads);
  /* ModelOnly: append each cycle's in_ready answers (bit u = unit u) to log; StimOnly:
   * answer from it (cycles past its end answer all ready). */
  void set_ready_log(std::vector<uint8_t> *log) { ready_log_ = log; }
  /* Start writing an FST waveform (from the current cycle on). */
  bool trace_open(const std::string &path);
  void trace_close();

  const std::string &error() const { return error_; }
  uint64_t cycle() const { return cycle_; }
  /* Results compared so far, per unit (rope, exp, dot). */
  uint64_t results(int unit) const { return results_[unit]; }

 private:
  void drive(const CosimPins &p);
  void clock_edge();
  bool compare(const char *sig, int64_t exp, int64_t act);
  /* The C model's half of a cycle: outputs for the pins, then the clock edge. */
  void model_eval(const CosimPins &p, CosimExpect *e);
  void model_clock(const CosimPins &p);
  /* The RTL's half of a lock-step cycle: drive, settle, compare with e, clock. */
  bool rtl_check(const CosimPins &p, const CosimExpect &e);
  int64_t run_threaded(Stimulus &stim, uint64_t cycles, int64_t trace_from,
                       const std::string &fst);

  const mpb_model *mdl_;
  mpb_config cfg_;
  Mode mode_;
  VerilatedContext *ctx_;
  std::unique_ptr<Vmpb_top> rtl_;
  std::unique_ptr<VerilatedFstC> fst_;
  mpb_pipe *rope_ = nullptr, *exp_ = nullptr, *dot_ = nullptr;
  uint64_t cycle_ = 0;
  uint64_t results_[3] = {0, 0, 0};
  std::string error_;
  std::vector<uint8_t> *ready_log_ = nullptr;
};

#endif
