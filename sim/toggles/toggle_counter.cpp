// toggle_counter.cpp — binding of the site table to Verilator's scope/variable table and
// the per-edge popcount of every bound signal (see toggle_counter.h).
#include "toggle_counter.h"

#include <cstring>

#include "mpb.h"
#include "verilated.h"
#include "verilated_syms.h"

// Verilator names generate-loop scopes g__BRA__0__KET__; the table writes g[0].
static std::string decode_scope(const char *name) {
  std::string s(name);
  for (const char *from : {"__BRA__", "__KET__"}) {
    const char *to = from[2] == 'B' ? "[" : "]";
    for (size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, 7, to);
  }
  return s;
}

static int block_index(const std::string &b) {
  for (int k = 0; k < MPB_NBLK; k++)
    if (b == mpb_block_name((mpb_block)k)) return k;
  return -1;
}

bool ToggleCounter::bind(VerilatedContext *ctx, const std::vector<SiteRow> &rows,
                         const std::string &unit, const std::string &mode,
                         std::string *err) {
  static_assert(MPB_NBLK <= 8, "ToggleCounter holds 8 blocks");
  const VerilatedScopeNameMap *scopes = ctx->scopeNameMap();
  for (const SiteRow &r : rows) {
    if (r.unit != unit || (r.mode != "any" && r.mode != mode)) continue;
    size_t found = 0;
    for (const auto &sc : *scopes) {
      // "TOP.mpb_top.u_rope..." -> "u_rope..."
      std::string path = decode_scope(sc.first);
      size_t top = path.find("mpb_top.");
      if (top == std::string::npos) continue;
      path = path.substr(top + 8);
      if (!match_glob(r.instance.c_str(), path.c_str())) continue;
      const VerilatedVarNameMap *vars = sc.second->varsp();
      if (!vars) continue;
      for (const std::string &v : r.vars) {
        auto it = vars->find(v.c_str());
        if (it == vars->end()) continue;
        const VerilatedVar &var = it->second;
        if (var.udims() != 0) {
          *err = "site table line " + std::to_string(r.line) + ": " + path + "." + v +
                 " is an unpacked array (expected a vector)";
          return false;
        }
        Signal s;
        s.bits = var.packed().elements();
        s.nwords = (s.bits + 31) / 32;
        s.data = var.datap();
        s.narrow = var.vltype() == VLVT_UINT8 || var.vltype() == VLVT_UINT16;
        s.block = block_index(r.block);
        s.prev.assign((size_t)s.nwords, 0);
        s.name = path + "." + v;
        sigs_.push_back(s);
        used_[s.block] = true;
        found++;
      }
    }
    if (!found) {
      *err = "site table line " + std::to_string(r.line) + ": no public signal of " +
             r.instance + " {" + r.module + "} matches (built without this site?)";
      return false;
    }
  }
  return true;
}

static uint32_t popcount_masked(uint32_t x, int bits_left) {
  if (bits_left < 32) x &= (1u << bits_left) - 1;
  return (uint32_t)__builtin_popcount(x);
}

void ToggleCounter::sample() {
  for (Signal &s : sigs_) {
    uint64_t n = 0;
    if (s.narrow) {  // CData / SData
      uint32_t cur = s.bits <= 8 ? *static_cast<const uint8_t *>(s.data)
                                 : *static_cast<const uint16_t *>(s.data);
      n = popcount_masked(cur ^ s.prev[0], s.bits);
      s.prev[0] = cur;
    } else {
      for (int w = 0; w < s.nwords; w++) {
        uint32_t cur = static_cast<const uint32_t *>(s.data)[w];
        n += popcount_masked(cur ^ s.prev[(size_t)w], s.bits - 32 * w);
        s.prev[(size_t)w] = cur;
      }
    }
    totals_[s.block] += n;
  }
}
