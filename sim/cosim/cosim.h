/* cosim.h — lock-step co-simulation of the Verilated RTL (mpb_top: rope, exp and dot
 * units) against the cycle-accurate C model (mpb_*_pipe of libmpb).
 *
 * Every cycle step() drives the same pins into both, lets the RTL settle, evaluates the
 * C model's outputs for the cycle, compares every output (in_ready and out_valid of each
 * unit, and the data while out_valid), then clocks both. On the first difference it
 * stops and returns false; error() names the cycle, the signal, the expected (C model)
 * and actual (RTL) values. Tracing to an FST file can be switched on at any cycle.
 *
 * Modes: Both (lock-step), RtlOnly and ModelOnly (for the speed benchmark: the same
 * stimulus through one side only, nothing compared), StimOnly (the stimulus generator
 * alone, every input accepted: its cost, which the benchmark subtracts). The C model's pipelines run in
 * MPB_PIPE_DELAY mode by default (fast path, same pins every cycle) or MPB_PIPE_STAGES
 * (register-level stage chain). */
#ifndef MPB_COSIM_H
#define MPB_COSIM_H

#include <cstdint>
#include <memory>
#include <string>

#include "mpb.h"
#include "stimulus.h"

class Vmpb_top;
class VerilatedContext;
class VerilatedFstC;

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
};

#endif
