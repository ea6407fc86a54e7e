// cmodel_pipe_test.cc — the cycle-accurate pipelines against the functional path: same
// values under random valid gaps and back-pressure, the documented latency, stalls that
// hold data, identical action counts. Also the dot unit's overflow and promotion rules.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "gtest_c.h"

namespace {
const mpb_geometry kLlama3 = {128, 500000.0, MPB_PAIR_HALF};

struct Cfg {
  const char *name;
  void (*apply)(mpb_config *);
};
const Cfg kCfgs[] = {
    {"default", [](mpb_config *) {}},
    {"patent", [](mpb_config *c) { mpb_config_patent_literal(c); }},
    {"n5_w28_even", [](mpb_config *c) { c->horner_order = 5; c->horner_width = 28; c->rounding = MPB_ROUND_EVEN; }},
    {"trunc_x16", [](mpb_config *c) { c->rounding = MPB_ROUND_TRUNC; c->x_bits = 16; }},
    {"n1_s10_cw12", [](mpb_config *c) { c->horner_order = 1; c->cs_table_bits = 10; c->cs_bits = 12; c->rot_frac_bits = 3; }},
};

mpb_model *make_model(const Cfg &k) {
  mpb_config c;
  mpb_config_default(&c);
  k.apply(&c);
  char err[256];
  mpb_model *m = mpb_model_new(&c, &kLlama3, err, sizeof err);
  EXPECT_NE(m, nullptr) << err;
  return m;
}

// Compare counts excluding the cycle-only fields.
void expect_same_actions(const mpb_counts &a, const mpb_counts &b, const std::string &what) {
  for (int k = 0; k < MPB_NBLK; k++)
    EXPECT_EQ(0, memcmp(&a.blk[k], &b.blk[k], sizeof a.blk[k])) << what << " block " << mpb_block_name((mpb_block)k);
  EXPECT_EQ(a.ops, b.ops) << what;
}
}  // namespace

class RopePipe : public ::testing::TestWithParam<int> {};

TEST_P(RopePipe, MatchesFunctionalUnderBackPressure) {
  const Cfg &k = kCfgs[GetParam()];
  uint64_t seed = mpb_test_seed(k.name);
  mpb_model *m = make_model(k);
  mpb_pipe *p = mpb_pipe_new(m, MPB_UNIT_ROPE);
  mpb_pipe *q = mpb_pipe_new(m, MPB_UNIT_ROPE);  // DELAY mode: same pins every cycle
  mpb_pipe_set_mode(q, MPB_PIPE_DELAY);
  const mpb_config *c = mpb_model_config(m);
  int lim = 1 << (c->x_bits - 1);
  std::deque<mpb_rope_resp> expect;
  mpb_counts fcounts;
  mpb_counts_clear(&fcounts);
  int sent = 0, got = 0, target = 3000;
  for (uint64_t cyc = 0; got < target && cyc < 100000; cyc++) {
    mpb_rope_pins_in in;
    memset(&in, 0, sizeof in);
    int mode = (int)(cyc / 500) % 3;  // phases: free-flowing, 50% stalls, bursty stalls
    in.out_ready = mode == 0 ? true : mode == 1 ? (mpb_test_rand(&seed) & 1) : (cyc % 17) < 9;
    in.in_valid = sent < target && (mpb_test_rand(&seed) % 4) != 0;
    in.in.m = (uint32_t)(mpb_test_rand(&seed) % (1u << c->pos_bits));
    if (sent % 50 == 0) in.in.m = sent % 100 ? (1u << c->pos_bits) - 1 : 0;
    in.in.j = (uint32_t)(mpb_test_rand(&seed) % 64);
    in.in.x = (int32_t)(mpb_test_rand(&seed) % (2 * lim)) - lim;
    in.in.y = (int32_t)(mpb_test_rand(&seed) % (2 * lim)) - lim;
    mpb_rope_pins_out out, qout;
    mpb_rope_pipe_eval(p, &in, &out);
    mpb_rope_pipe_eval(q, &in, &qout);
    ASSERT_EQ(out.in_ready, qout.in_ready) << "cycle " << cyc;
    ASSERT_EQ(out.out_valid, qout.out_valid) << "cycle " << cyc;
    if (out.out_valid) {
      ASSERT_EQ(0, memcmp(&out.out, &qout.out, sizeof out.out)) << "DELAY mode, cycle " << cyc;
    }
    if (out.out_valid && in.out_ready) {
      ASSERT_FALSE(expect.empty()) << "output without input at cycle " << cyc;
      const mpb_rope_resp &e = expect.front();
      ASSERT_EQ(out.out.cos, e.cos) << k.name << " cycle " << cyc;
      ASSERT_EQ(out.out.sin, e.sin) << k.name << " cycle " << cyc;
      ASSERT_EQ(out.out.xr, e.xr) << k.name << " cycle " << cyc;
      ASSERT_EQ(out.out.yr, e.yr) << k.name << " cycle " << cyc;
      expect.pop_front();
      got++;
    }
    if (in.in_valid && out.in_ready) {
      mpb_rope_resp r;
      mpb_rope_eval(m, &in.in, &r, &fcounts);
      expect.push_back(r);
      sent++;
    }
    ASSERT_EQ(out.in_ready, !out.out_valid || in.out_ready);
    mpb_rope_pipe_clock(p, &in);
    mpb_rope_pipe_clock(q, &in);
  }
  EXPECT_EQ(mpb_pipe_counts(q)->cycles, mpb_pipe_counts(p)->cycles);
  EXPECT_EQ(mpb_pipe_counts(q)->stall_cycles, mpb_pipe_counts(p)->stall_cycles);
  mpb_pipe_free(q);
  EXPECT_EQ(got, target);
  const mpb_counts *pc = mpb_pipe_counts(p);
  EXPECT_GT(pc->stall_cycles, 100u);
  EXPECT_EQ(pc->cycles, pc->stall_cycles + pc->idle_cycles + pc->active_cycles);
  expect_same_actions(*pc, fcounts, k.name);
  mpb_pipe_free(p);
  mpb_model_free(m);
}

INSTANTIATE_TEST_SUITE_P(Configs, RopePipe, ::testing::Range(0, 5),
                         [](const ::testing::TestParamInfo<int> &i) { return std::string(kCfgs[i.param].name); });

// One operation: accepted at the edge ending cycle 0, valid during cycle L; a held
// output keeps its value while out_ready is low.
TEST(RopePipeTiming, LatencyAndHold_ExactAndLogadd) {
  for (int k : {0, 1, 2}) {
    mpb_model *m = make_model(kCfgs[k]);
    mpb_pipe *p = mpb_pipe_new(m, MPB_UNIT_ROPE);
    const mpb_config *c = mpb_model_config(m);
    int L = mpb_pipe_latency(p);
    EXPECT_EQ(L, c->phi_mode == MPB_PHI_EXACT ? 8 + c->horner_order : 11 + 2 * c->horner_order);
    mpb_rope_pins_in in;
    memset(&in, 0, sizeof in);
    in.in_valid = true;
    in.in = {77777, 5, -100, 99};
    in.out_ready = true;
    mpb_rope_pins_out out;
    int seen = -1;
    for (int cyc = 0; cyc < L + 5; cyc++) {
      mpb_rope_pipe_eval(p, &in, &out);
      if (out.out_valid && seen < 0) seen = cyc;
      in.out_ready = cyc < L;  // the output arrives in cycle L and is held
      mpb_rope_pipe_clock(p, &in);
      in.in_valid = false;
    }
    EXPECT_EQ(seen, L) << kCfgs[k].name;
    mpb_rope_pipe_eval(p, &in, &out);
    mpb_rope_resp ref;
    mpb_rope_req req = {77777, 5, -100, 99};
    mpb_rope_eval(m, &req, &ref, nullptr);
    EXPECT_TRUE(out.out_valid);
    EXPECT_FALSE(out.in_ready);
    EXPECT_EQ(out.out.xr, ref.xr);
    mpb_pipe_free(p);
    mpb_model_free(m);
  }
}

TEST(ExpPipe, MatchesFunctionalUnderBackPressure) {
  uint64_t seed = mpb_test_seed("ExpPipe");
  for (int k : {0, 2, 3}) {
    mpb_model *m = make_model(kCfgs[k]);
   for (int mode : {0, 1}) {
    mpb_pipe *p = mpb_pipe_new(m, MPB_UNIT_EXP);
    mpb_pipe_set_mode(p, (mpb_pipe_mode)mode);
    EXPECT_EQ(mpb_pipe_latency(p), 5 + mpb_model_config(m)->horner_order);
    std::deque<mpb_exp_resp> expect;
    int got = 0;
    for (int cyc = 0; cyc < 20000; cyc++) {
      mpb_exp_pins_in in;
      in.in_valid = mpb_test_rand(&seed) % 3 != 0;
      in.in.u = (int32_t)(mpb_test_rand(&seed) % (1u << 24)) - (1 << 23);
      in.out_ready = mpb_test_rand(&seed) % 4 != 0;
      mpb_exp_pins_out out;
      mpb_exp_pipe_eval(p, &in, &out);
      if (out.out_valid && in.out_ready) {
        ASSERT_FALSE(expect.empty());
        ASSERT_EQ(out.out.e, expect.front().e);
        ASSERT_EQ(out.out.mant, expect.front().mant);
        expect.pop_front();
        got++;
      }
      if (in.in_valid && out.in_ready) {
        mpb_exp_resp r;
        mpb_exp_eval(m, &in.in, &r, nullptr);
        expect.push_back(r);
      }
      mpb_exp_pipe_clock(p, &in);
    }
    EXPECT_GT(got, 8000);
    mpb_pipe_free(p);
   }
    mpb_model_free(m);
  }
}

namespace {
// Independent reference of the dot unit's rules (docs/architecture.md §7).
int64_t ref_dot(const std::vector<int8_t> &a, const std::vector<int8_t> &b, int L, int A,
                bool sat, int P) {
  int64_t wide = 0, acc = 0, lo = -(INT64_C(1) << (A - 1)), hi = (INT64_C(1) << (A - 1)) - 1;
  int cnt = 0;
  for (size_t i = 0; i < a.size(); i += (size_t)L) {
    int64_t s = 0;
    for (size_t k = i; k < i + (size_t)L && k < a.size(); k++) s += a[k] * b[k];
    acc += s;
    if (sat) acc = acc > hi ? hi : acc < lo ? lo : acc;
    else {
      __int128 mod = (__int128)1 << A, w = ((acc % mod) + mod) % mod;
      acc = (int64_t)(w > hi ? w - mod : w);
    }
    cnt += L;
    if (P && cnt == P) { wide += acc; acc = 0; cnt = 0; }
  }
  return wide + acc;
}
}  // namespace

TEST(Dot, OverflowAndPromotion_WrapSatA16A24P64) {
  uint64_t seed = mpb_test_seed("Dot.OverflowAndPromotion");
  for (int A : {16, 24})
    for (int sat : {0, 1})
      for (int P : {0, 64})
        for (int L : {4, 8, 16}) {
          mpb_config c;
          mpb_config_default(&c);
          c.acc_bits = A;
          c.acc_overflow = sat ? MPB_OVF_SAT : MPB_OVF_WRAP;
          c.promote_interval = P;
          c.mac_lanes = L;
          char err[256];
          mpb_model *m = mpb_model_new(&c, &kLlama3, err, sizeof err);
          ASSERT_NE(m, nullptr) << err;
          uint64_t events = 0;
          for (int t = 0; t < 60; t++) {
            size_t n = 1 + mpb_test_rand(&seed) % 2000;
            std::vector<int8_t> a(n), b(n);
            bool biased = t % 2;  // same-sign operands drive the accumulator to overflow
            for (size_t i = 0; i < n; i++) {
              a[i] = biased ? (int8_t)(100 + mpb_test_rand(&seed) % 28) : (int8_t)(mpb_test_rand(&seed) & 0xFF);
              b[i] = biased ? (int8_t)(100 + mpb_test_rand(&seed) % 28) : (int8_t)(mpb_test_rand(&seed) & 0xFF);
            }
            mpb_dot_resp r;
            mpb_dot_eval(m, a.data(), b.data(), n, &r, nullptr);
            ASSERT_EQ(r.sum, ref_dot(a, b, L, A, sat, P)) << "A=" << A << " sat=" << sat << " P=" << P << " L=" << L << " n=" << n;
            events += r.sat_events + r.wrap_events;
          }
          if (A == 16 && P == 0) {
            EXPECT_GT(events, 0u);
          }
          if (A == 24 && P == 64) {
            EXPECT_EQ(events, 0u);  // 64 products of <= 2^14 fit in 24 bits
          }
          mpb_model_free(m);
        }
}

TEST(DotPipe, MatchesFunctionalUnderBackPressure) {
  uint64_t seed = mpb_test_seed("DotPipe");
  mpb_config c;
  mpb_config_default(&c);
  c.acc_bits = 16;
  c.acc_overflow = MPB_OVF_SAT;
  c.promote_interval = 32;
  char err[256];
  mpb_model *m = mpb_model_new(&c, &kLlama3, err, sizeof err);
  ASSERT_NE(m, nullptr);
  mpb_pipe *p = mpb_pipe_new(m, MPB_UNIT_DOT);
  mpb_pipe *q = mpb_pipe_new(m, MPB_UNIT_DOT);  // DELAY mode: same pins, no action counts
  mpb_pipe_set_mode(q, MPB_PIPE_DELAY);
  std::deque<mpb_dot_resp> expect;
  std::vector<int8_t> pa, pb;  // beats of the dot product being sent
  int got = 0;
  mpb_counts fc;
  mpb_counts_clear(&fc);
  for (int cyc = 0; cyc < 30000; cyc++) {
    mpb_dot_pins_in in;
    memset(&in, 0, sizeof in);
    in.in_valid = mpb_test_rand(&seed) % 3 != 0;
    for (int i = 0; i < 8; i++) {
      in.in.a[i] = (int8_t)(mpb_test_rand(&seed) & 0xFF);
      in.in.b[i] = (int8_t)(mpb_test_rand(&seed) & 0xFF);
    }
    in.in.last = mpb_test_rand(&seed) % 9 == 0;
    in.out_ready = mpb_test_rand(&seed) % 3 != 0;
    mpb_dot_pins_out out, qout;
    mpb_dot_pipe_eval(p, &in, &out);
    mpb_dot_pipe_eval(q, &in, &qout);
    ASSERT_EQ(out.in_ready, qout.in_ready);
    ASSERT_EQ(out.out_valid, qout.out_valid);
    if (out.out_valid) {
      ASSERT_EQ(out.out.sum, qout.out.sum) << "DELAY mode, cycle " << cyc;
    }
    if (out.out_valid && in.out_ready) {
      ASSERT_FALSE(expect.empty());
      ASSERT_EQ(out.out.sum, expect.front().sum) << "cycle " << cyc;
      ASSERT_EQ(out.out.sat_events, expect.front().sat_events);
      expect.pop_front();
      got++;
    }
    if (in.in_valid && out.in_ready) {
      pa.insert(pa.end(), in.in.a, in.in.a + 8);
      pb.insert(pb.end(), in.in.b, in.in.b + 8);
      if (in.in.last) {
        mpb_dot_resp r;
        mpb_dot_eval(m, pa.data(), pb.data(), pa.size(), &r, &fc);
        expect.push_back(r);
        pa.clear();
        pb.clear();
      }
    }
    mpb_dot_pipe_clock(p, &in);
    mpb_dot_pipe_clock(q, &in);
  }
  // drain: every accepted beat reaches the multipliers
  for (int cyc = 0; cyc < 4; cyc++) {
    mpb_dot_pins_in idle;
    memset(&idle, 0, sizeof idle);
    idle.out_ready = true;
    mpb_dot_pipe_clock(p, &idle);
    mpb_dot_pipe_clock(q, &idle);
  }
  EXPECT_GT(got, 500);
  // the pipe multiplied exactly the accepted operands: those of the completed products
  // (counted by the functional path) and those of the product still being sent
  EXPECT_GT(fc.blk[MPB_BLK_MAC8].mul_ops, 0u);
  EXPECT_EQ(mpb_pipe_counts(p)->blk[MPB_BLK_MAC8].mul_ops,
            fc.blk[MPB_BLK_MAC8].mul_ops + pa.size());
  EXPECT_EQ(mpb_pipe_counts(q)->blk[MPB_BLK_MAC8].mul_ops, 0u);
  EXPECT_EQ(mpb_pipe_counts(q)->stall_cycles, mpb_pipe_counts(p)->stall_cycles);
  mpb_pipe_free(q);
  mpb_pipe_free(p);
  mpb_model_free(m);
}

// The straight-line fast path (no counts) equals the stage chain (with counts), on random
// and corner inputs, over random valid configurations of the EXACT mode.
TEST(RopeFastPath, EqualsStageChain_RandomConfigs) {
  uint64_t seed = mpb_test_seed("RopeFastPath.EqualsStageChain");
  int configs = 0;
  while (configs < 40) {
    mpb_config c;
    mpb_config_default(&c);
    c.horner_order = 1 + (int)(mpb_test_rand(&seed) % 8);
    c.horner_width = 17 + (int)(mpb_test_rand(&seed) % 16);
    c.cs_bits = 8 + (int)(mpb_test_rand(&seed) % 17);
    c.cs_table_bits = 2 + (int)(mpb_test_rand(&seed) % 9);
    c.freq_frac_bits = 16 + (int)(mpb_test_rand(&seed) % 41);
    c.pos_bits = 8 + (int)(mpb_test_rand(&seed) % 17);
    c.rounding = (mpb_rounding)(mpb_test_rand(&seed) % 3);
    c.x_bits = mpb_test_rand(&seed) % 2 ? 16 : 8;
    c.rot_frac_bits = (int)(mpb_test_rand(&seed) % 16);
    char err[256];
    mpb_model *m = mpb_model_new(&c, &kLlama3, err, sizeof err);
    if (!m) continue;
    configs++;
    for (int i = 0; i < 3000; i++) {
      mpb_rope_req in = {(uint32_t)mpb_test_rand(&seed), (uint32_t)(mpb_test_rand(&seed) % 64),
                         (int32_t)mpb_test_rand(&seed), (int32_t)mpb_test_rand(&seed)};
      if (i < 8) {  // corners: extreme positions and operands, wider than the pins
        in.m = i & 1 ? 0 : 0xFFFFFFFFu;
        in.x = i & 2 ? -(1 << (c.x_bits - 1)) : (1 << (c.x_bits - 1)) - 1;
        in.y = i & 4 ? in.x : -in.x;
        in.j = i & 1 ? 0 : 63;
      }
      mpb_rope_resp a, b;
      mpb_counts cnt;
      mpb_counts_clear(&cnt);
      mpb_rope_eval(m, &in, &a, nullptr);
      mpb_rope_eval(m, &in, &b, &cnt);
      ASSERT_EQ(a.cos, b.cos) << "config " << configs << " input " << i;
      ASSERT_EQ(a.sin, b.sin);
      ASSERT_EQ(a.xr, b.xr);
      ASSERT_EQ(a.yr, b.yr);
    }
    mpb_model_free(m);
  }
}

// Inputs wider than the pins are cut to the pin widths, as the RTL ports do.
TEST(RopeInputs, MaskedToPinWidths) {
  mpb_config c;
  mpb_config_default(&c);
  char err[256];
  mpb_model *m = mpb_model_new(&c, &kLlama3, err, sizeof err);
  mpb_rope_req a = {(1u << 20) + 12345, 7 + 128, 5 + 256, -3 - 256}, b = {12345, 7, 5, -3};
  for (mpb_counts *cnt : {(mpb_counts *)nullptr, new mpb_counts()}) {
    mpb_rope_resp ra, rb;
    mpb_rope_eval(m, &a, &ra, cnt);
    mpb_rope_eval(m, &b, &rb, cnt);
    EXPECT_EQ(ra.cos, rb.cos);
    EXPECT_EQ(ra.xr, rb.xr);
    EXPECT_EQ(ra.yr, rb.yr);
    delete cnt;
  }
  mpb_model_free(m);
}
