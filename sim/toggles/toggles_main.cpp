// toggles_main.cpp — `toggles`: drive the Verilated RTL (rtl/mpb_top.v) with the energy
// model's reference stimulus (mpb_energy_reference: rope, exp and dot units at once,
// streamed without bubbles) and write each unit's per-block toggle counts as the JSON
// of docs/report-schema.md ("RTL toggles"): OUT_DIR/rope.json, exp.json, dot.json.
// Only wiring here: the sites are sim/toggles/sites.tsv, counting is ToggleCounter.
// usage: toggles --config RESOLVED.cfg --head-dim D --base B -n N --seed S
//                --sites sim/toggles/sites.tsv --out OUT_DIR
// exit codes: 0 ok, 2 usage, 3 bad configuration or site table, 4 I/O, 5 RTL protocol.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vmpb_top.h"
#include "energy.h"
#include "mpb.h"
#include "toggle_counter.h"
#include "verilated.h"

namespace {

struct Args {
  const char *config = nullptr, *sites = nullptr, *out = nullptr;
  long head_dim = 0, n = 0, seed = -1;
  double base = 0;
};

int usage(const char *msg) {
  std::fprintf(stderr, "toggles: %s\nusage: toggles --config CFG --head-dim D --base B -n N "
                       "--seed S --sites TSV --out DIR\n", msg);
  return 2;
}

bool parse_long(const char *name, const char *v, long lo, long hi, long *out) {
  char *end;
  long x = std::strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || x < lo || x > hi) {
    std::fprintf(stderr, "toggles: %s = '%s' (expected an integer in [%ld, %ld])\n", name, v,
                 lo, hi);
    return false;
  }
  *out = x;
  return true;
}

// One unit's counts as the JSON of docs/report-schema.md, written atomically.
bool write_json(const std::string &dir, const char *unit, const ToggleCounter &tc,
                const Args &a) {
  std::string path = dir + "/" + unit + ".json", tmp = path + ".tmp";
  FILE *f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "toggles: cannot write %s\n", tmp.c_str());
    return false;
  }
  std::fprintf(f, "{\"source\": \"verilator rtl/mpb_top.v (sim/toggles, %zu signals)\", "
                  "\"unit\": \"%s\", \"stimulus\": {\"seed\": %ld, \"n\": %ld}, \"blocks\": {",
               tc.signals(), unit, a.seed, a.n);
  const char *sep = "";
  for (int b = 0; b < MPB_NBLK; b++) {
    if (!tc.has_block(b)) continue;
    std::fprintf(f, "%s\"%s\": %llu", sep, mpb_block_name((mpb_block)b),
                 (unsigned long long)tc.total(b));
    sep = ", ";
  }
  std::fprintf(f, "}}\n");
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::fprintf(stderr, "toggles: cannot write %s\n", path.c_str());
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  Args a;
  for (int i = 1; i < argc; i++) {
    std::string k = argv[i];
    if (i + 1 >= argc) return usage(("option " + k + " needs a value").c_str());
    const char *v = argv[++i];
    if (k == "--config") a.config = v;
    else if (k == "--sites") a.sites = v;
    else if (k == "--out") a.out = v;
    else if (k == "--head-dim") { if (!parse_long("--head-dim", v, 2, 2048, &a.head_dim)) return 2; }
    else if (k == "-n") { if (!parse_long("-n", v, 1, 10000000, &a.n)) return 2; }
    else if (k == "--seed") { if (!parse_long("--seed", v, 0, 0x7fffffffffffffffL, &a.seed)) return 2; }
    else if (k == "--base") {
      char *end;
      a.base = std::strtod(v, &end);
      if (*end || !(a.base > 1)) return usage("--base expects a number > 1");
    } else return usage(("unknown option " + k).c_str());
  }
  if (!a.config || !a.sites || !a.out || !a.head_dim || !a.n || a.seed < 0 || a.base <= 1)
    return usage("missing option");

  char err[512];
  mpb_config cfg;
  if (mpb_config_load(&cfg, a.config, err, sizeof err) != MPB_OK) {
    std::fprintf(stderr, "toggles: %s\n", err);
    return 3;
  }
  mpb_geometry geo = {(int)a.head_dim, a.base, MPB_PAIR_HALF};
  mpb_model *mdl = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!mdl) {
    std::fprintf(stderr, "toggles: %s: %s\n", a.config, err);
    return 3;
  }
  std::vector<SiteRow> rows;
  std::string serr;
  if (!load_site_table(a.sites, &rows, &serr)) {
    std::fprintf(stderr, "toggles: %s\n", serr.c_str());
    mpb_model_free(mdl);
    return 3;
  }

  // the reference stimulus of mpb_energy_reference, per unit
  const size_t n = (size_t)a.n, L = (size_t)cfg.mac_lanes, D = MPB_ENERGY_DOT_LEN;
  const size_t beats = (D + L - 1) / L;
  std::vector<mpb_rope_req> rope(n);
  std::vector<mpb_exp_req> ex(n);
  std::vector<int8_t> da(n * D), db(n * D);
  mpb_energy_reference_rope_reqs(mdl, n, (uint64_t)a.seed, rope.data());
  mpb_energy_reference_exp_reqs(n, (uint64_t)a.seed, ex.data());
  mpb_energy_reference_dot_vecs(n, (uint64_t)a.seed, da.data(), db.data());
  mpb_model_free(mdl);
  if (L * 8 > 64) {
    std::fprintf(stderr, "toggles: mac_lanes = %zu: this harness drives at most 8 lanes\n", L);
    return 3;
  }

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vmpb_top>(ctx.get(), "TOP");
  ToggleCounter tc[3];
  const char *units[3] = {"rope", "exp", "dot"};
  for (int u = 0; u < 3; u++)
    if (!tc[u].bind(ctx.get(), rows, units[u], cfg.phi_mode == MPB_PHI_EXACT ? "exact" : "logadd",
                    &serr)) {
      std::fprintf(stderr, "toggles: %s: %s\n", a.sites, serr.c_str());
      return 3;
    }

  // reset, then stream every unit without bubbles (out_ready = 1: in_ready stays 1)
  top->clk_i = 0;
  top->rst_ni = 0;
  top->rope_out_ready_i = top->exp_out_ready_i = top->dot_out_ready_i = 1;
  top->eval();
  top->rst_ni = 1;
  top->eval();
  size_t ri = 0, ei = 0, di = 0, rope_out = 0, exp_out = 0, dot_out = 0, drain = 0;
  const uint64_t xmask = (1ULL << cfg.x_bits) - 1;
  while (drain < 64) {
    top->rope_in_valid_i = ri < n;
    if (ri < n) {
      top->rope_m_i = rope[ri].m;
      top->rope_j_i = rope[ri].j;
      top->rope_x_i = (uint8_t)((uint64_t)rope[ri].x & xmask);
      top->rope_y_i = (uint8_t)((uint64_t)rope[ri].y & xmask);
    }
    top->exp_in_valid_i = ei < n;
    if (ei < n) top->exp_u_i = (uint32_t)ex[ei].u & 0xFFFFFFu;
    top->dot_in_valid_i = di < n * beats;
    if (di < n * beats) {
      size_t op = di / beats, b = di % beats;
      uint64_t va = 0, vb = 0;
      for (size_t k = 0; k < L && b * L + k < D; k++) {
        va |= (uint64_t)(uint8_t)da[op * D + b * L + k] << (8 * k);
        vb |= (uint64_t)(uint8_t)db[op * D + b * L + k] << (8 * k);
      }
      top->dot_a_i = va;
      top->dot_b_i = vb;
      top->dot_last_i = b == beats - 1;
    }
    top->eval();
    if (!top->rope_in_ready_o || !top->exp_in_ready_o || !top->dot_in_ready_o) {
      std::fprintf(stderr, "toggles: in_ready low with out_ready high\n");
      return 5;
    }
    rope_out += top->rope_out_valid_o;
    exp_out += top->exp_out_valid_o;
    dot_out += top->dot_out_valid_o;
    top->clk_i = 1;
    top->eval();
    for (ToggleCounter &t : tc) t.sample();
    top->clk_i = 0;
    top->eval();
    ri += ri < n;
    ei += ei < n;
    di += di < n * beats;
    if (ri == n && ei == n && di == n * beats) drain++;
  }
  top->final();
  if (rope_out != n || exp_out != n || dot_out != n) {
    std::fprintf(stderr, "toggles: outputs rope %zu, exp %zu, dot %zu (expected %zu each)\n",
                 rope_out, exp_out, dot_out, n);
    return 5;
  }
  for (int u = 0; u < 3; u++)
    if (!write_json(a.out, units[u], tc[u], a)) return 4;
  std::printf("toggles: %zu operations per unit -> %s/{rope,exp,dot}.json\n", n, a.out);
  return 0;
}
