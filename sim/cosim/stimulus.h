/* stimulus.h — seeded constrained-random and directed pin stimulus for the three units
 * (rope, exp, dot) of the co-simulation. The same seed always gives the same pins, given
 * the same in_ready answers, so a failing run can be replayed exactly (for a waveform).
 *
 * Each unit's source holds an item until it is accepted (in_valid && in_ready), then
 * draws the next one; valid gaps and output back-pressure follow patterns that change
 * every few hundred cycles (always on, random density, long stalls, toggling). The first
 * cycles of every run replay directed corners: m = 0 and 2^M-1, first and last pair,
 * x, y = min/max, exp inputs at rounding boundaries, dot products that overflow the
 * accumulator and end exactly at, before and after a promotion boundary. */
#ifndef MPB_COSIM_STIMULUS_H
#define MPB_COSIM_STIMULUS_H

#include <cstdint>
#include <vector>

#include "mpb.h"

/* A source of stimulus items in a fixed order (a workload trace: trace_items.h); each
 * call returns false when the unit's items are used up. */
class ItemSource {
 public:
  virtual ~ItemSource() = default;
  virtual bool next_rope(mpb_rope_req *out) = 0;
  virtual bool next_exp(int32_t *u) = 0;
  virtual bool next_dot(mpb_dot_beat *out) = 0;
};

/* Pins of the three units for one cycle. */
struct CosimPins {
  mpb_rope_pins_in rope;
  mpb_exp_pins_in exp;
  mpb_dot_pins_in dot;
};

/* The handshake answers of one cycle (in_ready of each unit), fed back to the sources. */
struct CosimReady {
  bool rope, exp, dot;
};

class Stimulus {
 public:
  Stimulus(const mpb_config &cfg, int npairs, uint64_t seed);
  /* Exhaustive exp inputs: after the directed corners, u walks through all 2^24 values
   * in order (-2^23 first), at full rate (no gaps, no back-pressure on the exp unit). */
  void set_exp_sweep(bool on) { exp_sweep_ = on; }
  /* Out-of-range inputs (docs/architecture.md §8, "Inputs beyond the pin widths"): 3% of
   * the random rope items carry m >= 2^M and j >= 2^JB, 3% of the random exp items a u
   * beyond 24 bits. The C model gets them as they are and wraps them at the pin widths
   * itself; the harness masks them onto the RTL's pins, so the co-simulation checks that
   * both wrap the same way. wide_count(unit) tells how many were drawn. */
  void set_wide_inputs(bool on) { wide_ = on; }
  uint64_t wide_count(int unit) const { return wide_n_[unit]; }
  /* Take the items from a source (a workload trace, trace_items.h) instead of the
   * directed and random ones; traffic patterns still come from the seed. A unit whose
   * items are used up goes idle with out_ready held high, so its pipeline drains. */
  void set_items(ItemSource *items) { items_ = items; }
  /* With trace items: every unit's items used up and 64 cycles of draining since (more
   * than the deepest pipeline's latency). */
  bool finished() const { return items_ && drain_ >= 64; }
  /* Pins for the next cycle. */
  const CosimPins &next();
  /* Tell the sources which of this cycle's inputs were taken. */
  void accept(const CosimReady &r);

 private:
  uint64_t rand();
  /* uniform in [0, n): the high half of rand() * n (no division) */
  uint64_t below(uint64_t n) { return (uint64_t)(((unsigned __int128)rand() * n) >> 64); }
  bool chance(unsigned percent) { return below(100) < percent; }
  int32_t rand_signed(int bits);
  void new_pattern(int unit);
  /* Draw the unit's next item into the pins; false when a trace has no more. */
  bool draw_rope();
  bool draw_exp();
  bool draw_dot();
  bool draw(int unit);

  mpb_config cfg_;
  int npairs_;
  bool wide_ = false;
  uint64_t wide_n_[2] = {0, 0};
  uint64_t state_;
  uint64_t cycle_ = 0;
  CosimPins pins_{};
  bool have_[3] = {false, false, false};  /* an item is pending on the unit's input */
  bool out_[3] = {false, false, false};   /* the unit's trace items are used up */
  ItemSource *items_ = nullptr;
  uint64_t drain_ = 0;                     /* cycles since every unit ran out */
  /* per-unit traffic pattern: valid density and back-pressure */
  struct Pattern {
    uint64_t until = 0;
    unsigned valid_pct = 100, ready_pct = 100;
    bool toggle_ready = false;
  } pat_[3];
  /* directed corner lists, consumed first */
  std::vector<mpb_rope_req> rope_dir_;
  std::vector<int32_t> exp_dir_;
  size_t rope_di_ = 0, exp_di_ = 0;
  bool exp_sweep_ = false;
  uint32_t exp_next_ = 0;  /* sweep position, 0 .. 2^24-1 */
  /* dot product under construction: beats left, and its operand style */
  int dot_left_ = 0, dot_style_ = 0;
  int dot_dir_ = 0;  /* index of the next directed dot length */
};

#endif
