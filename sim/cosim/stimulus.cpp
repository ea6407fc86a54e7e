/* stimulus.cpp — the co-simulation's seeded stimulus: directed corners first, then
 * constrained-random items with changing valid-gap and back-pressure patterns. */
#include "stimulus.h"

#include <cstring>

Stimulus::Stimulus(const mpb_config &cfg, int npairs, uint64_t seed)
    : cfg_(cfg), npairs_(npairs), state_(seed) {
  const uint32_t mmax = (uint32_t)((1ull << cfg.pos_bits) - 1);
  const uint32_t jmax = (uint32_t)((1u << cfg.pair_bits) - 1);
  const int32_t xmin = -(1 << (cfg.x_bits - 1)), xmax = (1 << (cfg.x_bits - 1)) - 1;
  const uint32_t ms[] = {0, 1, 2, 3, mmax, mmax - 1, mmax >> 1, (mmax >> 1) + 1, 131071};
  const uint32_t js[] = {0, (uint32_t)npairs - 1, jmax, 1};
  const int32_t xs[] = {xmin, xmax, 0, -1};
  for (uint32_t m : ms)
    for (uint32_t j : js)
      for (int32_t x : xs) rope_dir_.push_back({m & mmax, j & jmax, x, (x == xmin) ? xmax : xmin});
  /* exp: 0, +-1 ulp, integers, just below integers (mantissa rounding to 2.0), extremes */
  const int32_t us[] = {0,        1,         -1,      65536,    -65536,  65535,   -65537,
                        131071,   0x7FFFFF,  -0x800000, 0x7F0000, -0x800000 + 1, 32768,
                        -32768,   0x10000 - 2, 0x8000 - 1, 0x1000,  0xFFF,   -0xFFF};
  for (int32_t u : us) exp_dir_.push_back(u);
  for (int k = 1; k < 64; k++) exp_dir_.push_back(k * 65536 - 1 - 0x400000);
  for (int u = -2048; u <= 2048; u += 17) exp_dir_.push_back(u);
}

uint64_t Stimulus::rand() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int32_t Stimulus::rand_signed(int bits) {
  uint64_t v = rand() << (64 - bits);
  return (int32_t)((int64_t)v >> (64 - bits));
}

/* A new traffic pattern for unit u, lasting 50..1000 cycles. */
void Stimulus::new_pattern(int u) {
  Pattern &p = pat_[u];
  p.until = cycle_ + 50 + below(950);
  static const unsigned dens[] = {100, 100, 95, 70, 50, 20, 5};
  p.valid_pct = dens[below(7)];
  p.ready_pct = dens[below(7)];
  p.toggle_ready = chance(10);
  if (u == 1 && exp_sweep_) p.valid_pct = p.ready_pct = 100, p.toggle_ready = false;
}

bool Stimulus::draw_rope() {
  mpb_rope_req r;
  if (items_) {
    if (!items_->next_rope(&r)) return false;
  } else if (rope_di_ < rope_dir_.size()) {
    r = rope_dir_[rope_di_++];
  } else {
    const int M = cfg_.pos_bits;
    uint32_t mmax = (uint32_t)((1ull << M) - 1);
    switch (below(8)) {
    case 0: r.m = (uint32_t)below(256); break;                       /* short context  */
    case 1: r.m = (1u << below(M)) + (uint32_t)below(3) - 1; break;   /* powers of two  */
    case 2: r.m = mmax - (uint32_t)below(16); break;                 /* top of range   */
    default: r.m = (uint32_t)rand(); break;                          /* uniform        */
    }
    r.m &= mmax;
    uint32_t jmax = (1u << cfg_.pair_bits) - 1;
    r.j = (chance(90) ? (uint32_t)below((uint64_t)npairs_) : (uint32_t)rand()) & jmax;
    const int32_t xmin = -(1 << (cfg_.x_bits - 1)), xmax = (1 << (cfg_.x_bits - 1)) - 1;
    r.x = chance(10) ? (chance(50) ? xmin : xmax) : rand_signed(cfg_.x_bits);
    r.y = chance(10) ? (chance(50) ? xmin : xmax) : rand_signed(cfg_.x_bits);
    if (wide_ && chance(3)) { /* beyond the pin widths: the C model must wrap them */
      if (M < 32) r.m += (uint32_t)(1 + below((1ull << (32 - M)) - 1)) << M;
      r.j += (uint32_t)(1 + below(3)) << cfg_.pair_bits;
      wide_n_[0]++;
    }
  }
  pins_.rope.in = r;
  return true;
}

bool Stimulus::draw_exp() {
  int32_t u;
  if (items_) {
    if (!items_->next_exp(&u)) return false;
  } else if (exp_di_ < exp_dir_.size()) {
    u = exp_dir_[exp_di_++];
  } else if (exp_sweep_) {
    u = (int32_t)(exp_next_++ & 0xFFFFFFu) - 0x800000;
  } else {
    switch (below(4)) {
    case 0: u = rand_signed(18); break;                               /* |u| < 2       */
    case 1: u = (int32_t)(((int64_t)below(256) - 128) * 65536 + (int64_t)below(3)) - 1; break;
    default: u = rand_signed(24); break;
    }
    if (wide_ && chance(3)) { /* beyond 24 bits: the C model must wrap it */
      pins_.exp.in.u = (int32_t)((uint32_t)u + ((uint32_t)(1 + below(255)) << 24));
      wide_n_[1]++;
      return true;
    }
  }
  pins_.exp.in.u = (int32_t)((int64_t)((uint64_t)(uint32_t)u << 40) >> 40); /* 24-bit signed */
  return true;
}

/* Dot products: lengths at and around the promotion interval and random ones; operands
 * random, all extreme (overflowing the accumulator), or alternating extremes. */
bool Stimulus::draw_dot() {
  if (items_) return items_->next_dot(&pins_.dot.in);
  const int L = cfg_.mac_lanes, P = cfg_.promote_interval;
  if (dot_left_ == 0) {
    int per = P > 0 ? P / L : 4;
    const int lens[] = {1, 2, per - 1, per, per + 1, 2 * per, 2 * per + 1, 3 * per - 1};
    if (dot_dir_ < 8) {
      dot_left_ = lens[dot_dir_++];
      dot_style_ = 1;
    } else {
      switch (below(10)) {
      case 0: dot_left_ = lens[below(8)]; break;
      case 1: dot_left_ = 1 + (int)below(4096); break;
      default: dot_left_ = 1 + (int)below(64); break;
      }
      dot_style_ = (int)below(6);
    }
    if (dot_left_ < 1) dot_left_ = 1;
    /* once in a while a product long enough to overflow a 32-bit accumulator */
    if (chance(1) && cfg_.acc_bits <= 32) {
      dot_left_ = (int)((1ll << (cfg_.acc_bits - 1)) / (16384ll * L)) + 3;
      dot_style_ = 1;
    }
  }
  mpb_dot_beat &b = pins_.dot.in;
  std::memset(&b, 0, sizeof b);
  for (int i = 0; i < L; i++) {
    switch (dot_style_) {
    case 1: b.a[i] = -128; b.b[i] = -128; break;                  /* +16384 each */
    case 2: b.a[i] = -128; b.b[i] = 127; break;                   /* -16256 each */
    case 3: b.a[i] = (int8_t)((i & 1) ? 127 : -128); b.b[i] = -128; break;
    default: break;
    }
  }
  if (dot_style_ == 0 || dot_style_ > 3) /* random operands: eight bytes per draw */
    for (int i = 0; i < L; i += 8) {
      uint64_t ra = rand(), rb = rand();
      for (int k = 0; k < 8 && i + k < L; k++) {
        b.a[i + k] = (int8_t)(ra >> (8 * k));
        b.b[i + k] = (int8_t)(rb >> (8 * k));
      }
    }
  b.last = (--dot_left_ == 0);
  return true;
}

bool Stimulus::draw(int u) {
  return u == 0 ? draw_rope() : u == 1 ? draw_exp() : draw_dot();
}

/* percent-chance decision from 16 random bits */
static bool hit(unsigned percent, uint64_t r16) { return ((r16 & 0xFFFF) * 100 >> 16) < percent; }

const CosimPins &Stimulus::next() {
  for (int u = 0; u < 3; u++)
    if (cycle_ >= pat_[u].until) new_pattern(u);
  /* six decisions per cycle (valid, ready of each unit), 16 random bits each */
  const uint64_t r1 = rand(), r2 = rand();
  const uint64_t bits[6] = {r1, r1 >> 16, r1 >> 32, r1 >> 48, r2, r2 >> 16};
  /* sources: an accepted item is replaced; an idle source starts one with valid_pct */
  bool *valid[3] = {&pins_.rope.in_valid, &pins_.exp.in_valid, &pins_.dot.in_valid};
  for (int u = 0; u < 3; u++) {
    if (!have_[u] && !out_[u]) {
      have_[u] = draw(u);
      out_[u] = !have_[u];
    }
    /* a pending item may be offered or withheld (valid gaps); it is never changed */
    *valid[u] = have_[u] && hit(pat_[u].valid_pct, bits[u]);
  }
  bool *ready[3] = {&pins_.rope.out_ready, &pins_.exp.out_ready, &pins_.dot.out_ready};
  for (int u = 0; u < 3; u++)
    *ready[u] = out_[u] || (pat_[u].toggle_ready ? (cycle_ & 1) != 0
                                                 : hit(pat_[u].ready_pct, bits[3 + u]));
  if (out_[0] && out_[1] && out_[2]) drain_++;
  cycle_++;
  return pins_;
}

void Stimulus::accept(const CosimReady &r) {
  if (pins_.rope.in_valid && r.rope) have_[0] = false;
  if (pins_.exp.in_valid && r.exp) have_[1] = false;
  if (pins_.dot.in_valid && r.dot) have_[2] = false;
}
