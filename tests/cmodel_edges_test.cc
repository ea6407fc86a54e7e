/* cmodel_edges_test.cc — the edges docs/architecture.md decides (issue 14): tables that do
 * not fit their word (§4: LOG-ADD rejects a log_freq entry below -32, naming the pair),
 * the LOG-ADD sum lambda never wrapping for an accepted configuration (§5.2), m = 0 in
 * LOG-ADD (§5.2), and inputs beyond the pin widths (§8: m, j, x, y, u wrap at their pin
 * widths; a dot product of length 0 is one all-zero beat) on both model paths. The RTL's
 * side of §8 is the co-simulation, which drives such inputs (tests/rtl_cosim_test.cc). */
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "gtest_c.h"

namespace {

mpb_config patent(int lw) {
  mpb_config c;
  mpb_config_patent_literal(&c);
  c.log_word_bits = lw;
  c.pair_bits = 9; /* head_dim up to 1024 */
  return c;
}

TEST(SpecEdges, LogFreqThatDoesNotFitIsRejectedNamingThePair) {
  /* the probe's example: d = 1024, base 1e9, LW = 16: log2(t_503) * 2^10 = -32792 */
  mpb_geometry g = {1024, 1e9, MPB_PAIR_HALF};
  mpb_config c = patent(16);
  char err[512];
  ASSERT_EQ(mpb_geometry_validate(&g, &c, err, sizeof err), MPB_EINVAL);
  EXPECT_NE(std::string(err).find("log_freq[503] = log2(t_503) * 2^10 = -32792"),
            std::string::npos) << err;
  EXPECT_NE(std::string(err).find("does not fit the 16-bit log word (Q6.10, >= -32768)"),
            std::string::npos) << err;
  EXPECT_EQ(mpb_model_new(&c, &g, err, sizeof err), nullptr);
  /* the word's range is [-32, 32) whatever LW: a wider word does not help */
  c = patent(40);
  EXPECT_EQ(mpb_geometry_validate(&g, &c, err, sizeof err), MPB_EINVAL);
  EXPECT_NE(std::string(err).find("log_freq[50"), std::string::npos) << err;
  /* EXACT mode never reads log_freq: the same geometry is accepted */
  c.phi_mode = MPB_PHI_EXACT;
  EXPECT_EQ(mpb_geometry_validate(&g, &c, err, sizeof err), MPB_OK) << err;
  /* the CLI: exit 3 with the message */
  std::string out;
  EXPECT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " rope --preset patent --set pair_bits=9 "
                         "--head-dim 1024 --base 1e9 --positions 0:16", &out), 3) << out;
  EXPECT_NE(out.find("log_freq[503]"), std::string::npos) << out;
}

/* For every accepted LOG-ADD configuration: the stored log_freq entries are the unwrapped
 * values (no table wraps), and lambda = (e << FL) + log_mant[idx] + log_freq[j] stays
 * inside the LW-bit word for every e < M, idx and j < d/2, so the adds' wrap modulo 2^LW
 * (§5.2) never happens. Geometries around the edge, every LW of the range. */
TEST(SpecEdges, LogAddSumNeverWrapsWhenAccepted) {
  int accepted = 0, rejected = 0;
  for (int lw = 12; lw <= 48; lw += 4)
    for (double base : {1e4, 5e5, 1e7, 1e8, 5e8, 1e9})
      for (int d : {64, 128, 256, 1024}) {
        mpb_config c = patent(lw);
        if (mpb_config_validate(&c, nullptr, 0) != MPB_OK) continue;
        mpb_geometry g = {d, base, MPB_PAIR_HALF};
        char err[512];
        mpb_model *m = mpb_model_new(&c, &g, err, sizeof err);
        if (!m) {
          rejected++;
          EXPECT_NE(std::string(err).find("does not fit"), std::string::npos) << err;
          continue;
        }
        accepted++;
        const int fl = lw - 6;
        const long long lo = -(1LL << (lw - 1)), hi = (1LL << (lw - 1)) - 1;
        long long mant_max = 0, freq_min = 0, freq_max = lo;
        for (size_t i = 0; i < mpb_table_size(m, "log_mant", nullptr); i++)
          mant_max = std::max(mant_max, (long long)mpb_table_entry(m, "log_mant", i));
        for (int j = 0; j < d / 2; j++) {
          long long v = mpb_table_entry(m, "log_freq", (size_t)j);
          long double t = powl((long double)base, -2.0L * j / d) / (2.0L * 3.141592653589793238L);
          EXPECT_EQ(v, llroundl(ldexpl(log2l(t), fl))) << "stored = unwrapped, j " << j;
          freq_min = std::min(freq_min, v);
          freq_max = std::max(freq_max, v);
        }
        /* extremes of the sum over e in [0, M-1] */
        long long smax = ((long long)(c.pos_bits - 1) << fl) + mant_max + freq_max;
        long long smin = 0 + 0 + freq_min;
        EXPECT_LE(smax, hi) << "LW " << lw;
        EXPECT_GE(smin, lo) << "LW " << lw << " base " << base << " d " << d;
        mpb_model_free(m);
      }
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 5);
}

/* §5.2 at m = 0: z = 1, e = 0, idx = 0, lambda = 0 and p = 0: the same outputs as EXACT
 * mode at m = 0 (cos = 1 saturated, sin = 0), for every pair and operand corner. */
TEST(SpecEdges, LogAddAtPositionZeroEqualsExact) {
  mpb_geometry g = {128, 500000.0, MPB_PAIR_HALF};
  mpb_config cl = patent(16), ce;
  mpb_config_default(&ce);
  char err[256];
  mpb_model *ml = mpb_model_new(&cl, &g, err, sizeof err), *me = mpb_model_new(&ce, &g, err, sizeof err);
  ASSERT_NE(ml, nullptr) << err;
  ASSERT_NE(me, nullptr) << err;
  for (uint32_t j = 0; j < 128; j++)
    for (int32_t x : {-128, -1, 0, 77, 127}) {
      mpb_rope_req q = {0, j, x, 127 - x};
      mpb_rope_resp a, b;
      mpb_rope_eval(ml, &q, &a, nullptr);
      mpb_rope_eval(me, &q, &b, nullptr);
      EXPECT_EQ(a.cos, (1 << (cl.cs_bits - 1)) - 1) << j;
      EXPECT_EQ(a.sin, 0) << j;
      EXPECT_EQ(a.cos, b.cos);
      EXPECT_EQ(a.xr, b.xr) << j << " " << x;
      EXPECT_EQ(a.yr, b.yr) << j << " " << x;
    }
  mpb_model_free(ml);
  mpb_model_free(me);
}

/* Run one rope request through the cycle-accurate pipe. */
mpb_rope_resp rope_pipe(const mpb_model *mdl, const mpb_rope_req &q) {
  mpb_pipe *p = mpb_pipe_new(mdl, MPB_UNIT_ROPE);
  mpb_rope_pins_in in;
  mpb_rope_pins_out out;
  std::memset(&in, 0, sizeof in);
  in.in_valid = true, in.in = q, in.out_ready = true;
  mpb_rope_resp r = {};
  for (int c = 0; c < 64; c++) {
    mpb_rope_pipe_eval(p, &in, &out);
    if (out.out_valid) {
      r = out.out;
      break;
    }
    mpb_rope_pipe_clock(p, &in);
    in.in_valid = false;
  }
  mpb_pipe_free(p);
  return r;
}

mpb_exp_resp exp_pipe(const mpb_model *mdl, int32_t u) {
  mpb_pipe *p = mpb_pipe_new(mdl, MPB_UNIT_EXP);
  mpb_exp_pins_in in;
  mpb_exp_pins_out out;
  std::memset(&in, 0, sizeof in);
  in.in_valid = true, in.in.u = u, in.out_ready = true;
  mpb_exp_resp r = {};
  for (int c = 0; c < 64; c++) {
    mpb_exp_pipe_eval(p, &in, &out);
    if (out.out_valid) {
      r = out.out;
      break;
    }
    mpb_exp_pipe_clock(p, &in);
    in.in_valid = false;
  }
  mpb_pipe_free(p);
  return r;
}

/* §8: m, j, x, y and u wrap at their pin widths on both paths; j in [d/2, 2^JB) is a
 * defined rotation (EXACT: freq = 0, the identity); a dot product of length 0 is one
 * all-zero beat with last. Randomized, seed printed. */
TEST(SpecEdges, InputsBeyondThePinWidthsWrap) {
  uint64_t s = mpb_test_seed("SpecEdges.Wrap");
  for (int mode = 0; mode < 2; mode++) {
    mpb_config c;
    if (mode) c = patent(16);
    else mpb_config_default(&c);
    mpb_geometry g = {128, 500000.0, MPB_PAIR_HALF};
    char err[256];
    mpb_model *m = mpb_model_new(&c, &g, err, sizeof err);
    ASSERT_NE(m, nullptr) << err;
    const uint32_t M = (uint32_t)c.pos_bits, JB = (uint32_t)c.pair_bits;
    for (int i = 0; i < 300; i++) {
      uint32_t mm = (uint32_t)mpb_test_rand(&s) & ((1u << M) - 1);
      uint32_t j = (uint32_t)(mpb_test_rand(&s) % 64);
      int32_t x = (int32_t)(mpb_test_rand(&s) % 256) - 128, y = (int32_t)(mpb_test_rand(&s) % 256) - 128;
      mpb_rope_req in = {mm, j, x, y};
      mpb_rope_req wide = {mm + ((uint32_t)(1 + mpb_test_rand(&s) % 255) << M),
                           j + ((uint32_t)(1 + mpb_test_rand(&s) % 7) << JB), x + 256, y - 512};
      mpb_rope_resp a, b;
      mpb_rope_eval(m, &in, &a, nullptr);
      mpb_rope_eval(m, &wide, &b, nullptr);
      EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "functional, m " << mm << " j " << j;
      mpb_rope_resp pa = rope_pipe(m, in), pb = rope_pipe(m, wide);
      EXPECT_EQ(std::memcmp(&pa, &pb, sizeof pa), 0) << "pipe, m " << mm << " j " << j;
      EXPECT_EQ(std::memcmp(&a, &pa, sizeof a), 0) << "functional = pipe";
      int32_t u = (int32_t)(mpb_test_rand(&s) & 0xFFFFFF) - 0x800000;
      int32_t uw = (int32_t)((uint32_t)u + ((uint32_t)(1 + mpb_test_rand(&s) % 255) << 24));
      mpb_exp_req e1 = {u}, e2 = {uw};
      mpb_exp_resp r1, r2;
      mpb_exp_eval(m, &e1, &r1, nullptr);
      mpb_exp_eval(m, &e2, &r2, nullptr);
      EXPECT_EQ(r1.e, r2.e) << u << " vs " << uw;
      EXPECT_EQ(r1.mant, r2.mant) << u << " vs " << uw;
      mpb_exp_resp p2 = exp_pipe(m, uw);
      EXPECT_EQ(r1.e, p2.e);
      EXPECT_EQ(r1.mant, p2.mant);
    }
    /* j in [d/2, 2^JB): the tables hold 0 there; EXACT mode rotates by the identity */
    if (!mode)
      for (uint32_t j = 64; j < (1u << JB); j += 7) {
        mpb_rope_req q = {12345, j, 100, -50};
        mpb_rope_resp r;
        mpb_rope_eval(m, &q, &r, nullptr);
        EXPECT_EQ(r.cos, (1 << (c.cs_bits - 1)) - 1) << j;
        EXPECT_EQ(r.sin, 0) << j;
      }
    /* dot of length 0 = one all-zero beat with last: sum 0, no events, one beat counted */
    mpb_dot_resp d0, d1;
    int8_t z[64] = {0};
    mpb_counts c0, c1;
    mpb_counts_clear(&c0);
    mpb_counts_clear(&c1);
    mpb_dot_eval(m, z, z, 0, &d0, &c0);
    mpb_dot_eval(m, z, z, (size_t)c.mac_lanes, &d1, &c1);
    EXPECT_EQ(d0.sum, 0);
    EXPECT_EQ(d0.sat_events + d0.wrap_events, 0u);
    EXPECT_EQ(std::memcmp(&d0, &d1, sizeof d0), 0);
    EXPECT_EQ(c0.ops, c1.ops);
    mpb_model_free(m);
  }
}

}  // namespace
