/* vectors_main.cpp — write the co-simulation's stimulus and the C model's expected
 * outputs, cycle by cycle, as text files for the Icarus testbench (rtl/tb/tb_mpb_top.v):
 *   stim:   rope_in_valid m j x y rope_out_ready  exp_in_valid u exp_out_ready
 *           dot_in_valid a b last dot_out_ready                      (hex, one cycle a line)
 *   expect: rope_in_ready rope_out_valid cos sin xr yr  exp_in_ready exp_out_valid e mant
 *           dot_in_ready dot_out_valid sum sat_events wrap_events   (hex, port widths)
 * usage: vectors --config FILE --head-dim D --base B --seed S --cycles N --stim F --expect F
 * exit 0 ok, 2 usage, 3 bad configuration, 4 I/O error. */
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mpb.h"
#include "stimulus.h"

namespace {
uint64_t mask(int bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }

void put_lanes(FILE *f, const int8_t *v, int n) {
  std::fputc(' ', f);
  for (int i = n - 1; i >= 0; i--) std::fprintf(f, "%02x", (unsigned)(uint8_t)v[i]);
}
}  // namespace

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'}, {"head-dim", required_argument, 0, 'd'},
      {"base", required_argument, 0, 'b'},   {"seed", required_argument, 0, 's'},
      {"cycles", required_argument, 0, 'n'}, {"stim", required_argument, 0, 'i'},
      {"expect", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  std::string cfgf, stimf, expf;
  int head_dim = 128;
  double base = 500000;
  uint64_t seed = 1, cycles = 1000;
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, nullptr)) != -1) {
    switch (c) {
    case 'c': cfgf = optarg; break;
    case 'd': head_dim = std::atoi(optarg); break;
    case 'b': base = std::atof(optarg); break;
    case 's': seed = std::strtoull(optarg, nullptr, 0); break;
    case 'n': cycles = std::strtoull(optarg, nullptr, 0); break;
    case 'i': stimf = optarg; break;
    case 'o': expf = optarg; break;
    case 'h':
      std::printf("usage: vectors --config FILE --head-dim D --base B --seed S --cycles N "
                  "--stim FILE --expect FILE\n");
      return 0;
    default: return 2;
    }
  }
  if (cfgf.empty() || stimf.empty() || expf.empty()) {
    std::fprintf(stderr, "vectors: --config, --stim and --expect are required\n");
    return 2;
  }
  char err[512];
  mpb_config cfg;
  mpb_config_default(&cfg);
  if (mpb_config_load(&cfg, cfgf.c_str(), err, sizeof err) != MPB_OK) {
    std::fprintf(stderr, "vectors: %s\n", err);
    return 3;
  }
  mpb_geometry geo = {head_dim, base, MPB_PAIR_INTERLEAVED};
  mpb_model *mdl = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!mdl) {
    std::fprintf(stderr, "vectors: %s: %s\n", cfgf.c_str(), err);
    return 3;
  }
  FILE *fs = std::fopen(stimf.c_str(), "w"), *fe = std::fopen(expf.c_str(), "w");
  if (!fs || !fe) {
    std::fprintf(stderr, "vectors: cannot write %s\n", !fs ? stimf.c_str() : expf.c_str());
    if (fs) std::fclose(fs);
    if (fe) std::fclose(fe);
    mpb_model_free(mdl);
    return 4;
  }
  mpb_pipe *rope = mpb_pipe_new(mdl, MPB_UNIT_ROPE), *ex = mpb_pipe_new(mdl, MPB_UNIT_EXP),
           *dot = mpb_pipe_new(mdl, MPB_UNIT_DOT);
  Stimulus stim(cfg, head_dim / 2, seed);
  const int L = cfg.mac_lanes, ow = cfg.x_bits + 1 + cfg.rot_frac_bits;
  for (uint64_t k = 0; k < cycles; k++) {
    const CosimPins &p = stim.next();
    std::fprintf(fs, "%x %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " %x %x %" PRIx64 " %x %x",
                 p.rope.in_valid, (uint64_t)p.rope.in.m & mask(cfg.pos_bits),
                 (uint64_t)p.rope.in.j & mask(cfg.pair_bits),
                 (uint64_t)(uint32_t)p.rope.in.x & mask(cfg.x_bits),
                 (uint64_t)(uint32_t)p.rope.in.y & mask(cfg.x_bits), p.rope.out_ready,
                 p.exp.in_valid, (uint64_t)(uint32_t)p.exp.in.u & mask(24), p.exp.out_ready,
                 p.dot.in_valid);
    put_lanes(fs, p.dot.in.a, L);
    put_lanes(fs, p.dot.in.b, L);
    std::fprintf(fs, " %x %x\n", p.dot.in.last, p.dot.out_ready);
    mpb_rope_pins_out ro;
    mpb_exp_pins_out eo;
    mpb_dot_pins_out dout;
    mpb_rope_pipe_step(rope, &p.rope, &ro);
    mpb_exp_pipe_step(ex, &p.exp, &eo);
    mpb_dot_pipe_step(dot, &p.dot, &dout);
    std::fprintf(fe,
                 "%x %x %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " %x %x %" PRIx64
                 " %x %x %x %" PRIx64 " %x %x\n",
                 ro.in_ready, ro.out_valid, (uint64_t)(int64_t)ro.out.cos & mask(cfg.cs_bits),
                 (uint64_t)(int64_t)ro.out.sin & mask(cfg.cs_bits),
                 (uint64_t)(int64_t)ro.out.xr & mask(ow), (uint64_t)(int64_t)ro.out.yr & mask(ow),
                 eo.in_ready, eo.out_valid, (uint64_t)(int64_t)eo.out.e & mask(10), eo.out.mant,
                 dout.in_ready, dout.out_valid, (uint64_t)dout.out.sum, dout.out.sat_events,
                 dout.out.wrap_events);
    stim.accept({ro.in_ready, eo.in_ready, dout.in_ready});
  }
  bool bad = std::ferror(fs) || std::ferror(fe);
  bad |= std::fclose(fs) != 0;
  bad |= std::fclose(fe) != 0;
  mpb_pipe_free(rope);
  mpb_pipe_free(ex);
  mpb_pipe_free(dot);
  mpb_model_free(mdl);
  if (bad) {
    std::fprintf(stderr, "vectors: write failed\n");
    return 4;
  }
  return 0;
}
