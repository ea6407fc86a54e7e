// toggle_counter.h — counts per-block toggles of a Verilated model: binds the sites of
// one unit (sim/toggles/sites.tsv) to the model's public_flat_rd signals through
// Verilator's scope table, then on each sample() adds popcount(previous ^ current) of
// every bound signal to its block (previous values start at 0, like the C model's).
#ifndef MPB_TOGGLE_COUNTER_H
#define MPB_TOGGLE_COUNTER_H

#include <cstdint>
#include <string>
#include <vector>

#include "site_table.h"

class VerilatedContext;

class ToggleCounter {
 public:
  // Bind every signal of the rows of 'unit' and of phi mode 'mode' ("exact"/"logadd"; rows
  // of mode "any" always) found in the model's scopes. Returns false with a message if such
  // a row matches no signal (a wrong table or a missing public_flat_rd). Scope names are
  // taken relative to the top module instance.
  bool bind(VerilatedContext *ctx, const std::vector<SiteRow> &rows, const std::string &unit,
            const std::string &mode, std::string *err);
  void sample();
  uint64_t total(int block) const { return totals_[block]; }
  bool has_block(int block) const { return used_[block]; }
  size_t signals() const { return sigs_.size(); }

 private:
  struct Signal {
    const void *data;  // CData/SData (narrow), else 32-bit words, least significant first
    bool narrow;
    int nwords, bits, block;
    std::vector<uint32_t> prev;
    std::string name;
  };
  std::vector<Signal> sigs_;
  uint64_t totals_[8] = {0};
  bool used_[8] = {false};
};

#endif
