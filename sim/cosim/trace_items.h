/* trace_items.h — operations of a workload trace (traces/trace.h) as co-simulation
 * stimulus items: ROPE records give rotations (position, pair, x, y by the trace's
 * pairing), EXP records give exp inputs (replay_exp_input: Q8.16), GEMM records give dot
 * products as MAC8 beats (replay_dot_beat), each in trace order. The same conversions as
 * `mpbsim replay` (traces/replay.c), so a replayed trace drives the RTL with exactly the
 * operations the golden model's replay measures.
 *
 * Each unit reads the trace through its own reader, so the three units consume at their
 * own rates with memory bounded by one record per unit. */
#ifndef MPB_COSIM_TRACE_ITEMS_H
#define MPB_COSIM_TRACE_ITEMS_H

#include <cstdint>
#include <string>

#include "mpb.h"
#include "stimulus.h"
#include "trace.h"

class TraceItems : public ItemSource {
 public:
  TraceItems() = default;
  ~TraceItems() override;
  TraceItems(const TraceItems &) = delete;
  TraceItems &operator=(const TraceItems &) = delete;

  /* Open path for the model's configuration and geometry. The trace's head_dim and RoPE
   * base must be those the build's tables were made for, and its positions must fit
   * pos_bits; errors name the file and the field. Returns false with *err set. */
  bool open(const std::string &path, const mpb_model *mdl, std::string *err);

  /* Next item of each unit; false when the trace has no more (or on a read error:
   * error() is then non-empty). */
  bool next_rope(mpb_rope_req *out) override;
  bool next_exp(int32_t *u) override;
  bool next_dot(mpb_dot_beat *out) override;

  const std::string &error() const { return error_; }
  /* Items handed out so far: rotations, exp inputs, dot beats. */
  uint64_t count(int unit) const { return count_[unit]; }

 private:
  /* One unit's cursor: its reader, the current record (of the unit's kind) and the
   * position inside it. */
  struct Cursor {
    trace_reader *rd = nullptr;
    trace_record rec{};
    bool have = false, done = false;
    uint64_t i = 0, n = 0; /* item i of n in the current record */
  };
  bool advance(Cursor &c, uint32_t kind);

  std::string path_;
  mpb_config cfg_{};
  mpb_geometry geo_{};
  Cursor cur_[3];
  std::string error_;
  uint64_t count_[3] = {0, 0, 0};
};

#endif
