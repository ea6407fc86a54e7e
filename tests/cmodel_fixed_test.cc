// cmodel_fixed_test.cc — MAC8, PACK16 and the rounding rule: exhaustive over all 8-bit
// operand pairs, and against independent reference arithmetic.
#include <gtest/gtest.h>

#include <cmath>

#include "gtest_c.h"

TEST(Mac8, MulExhaustiveAllSignModes) {
  for (int as = 0; as < 2; as++)
    for (int bs = 0; bs < 2; bs++)
      for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
          int ea = as ? (a < 128 ? a : a - 256) : a;
          int eb = bs ? (b < 128 ? b : b - 256) : b;
          ASSERT_EQ(mpb_mac8_mul(a, as, b, bs), ea * eb) << a << "," << b << " modes " << as << bs;
        }
}

// Accumulating every product of all 8-bit pairs in A bits: wrap equals the total modulo
// 2^A, saturation pins at the first crossing.
TEST(Mac8, AccumulateWrapIsModularExhaustive) {
  for (int A : {16, 17, 24, 32}) {
    int64_t acc = 0;
    __int128 total = 0;
    uint64_t events = 0;
    for (int a = -128; a < 128; a++)
      for (int b = -128; b < 128; b++) {
        bool ev;
        acc = mpb_mac8_acc(acc, a * b, A, MPB_OVF_WRAP, &ev);
        total += a * b;
        events += ev;
        __int128 mod = (__int128)1 << A;
        __int128 w = ((total % mod) + mod) % mod;
        if (w >= mod / 2) w -= mod;
        ASSERT_EQ((__int128)acc, w) << "A=" << A;
      }
    if (A <= 20) {
      EXPECT_GT(events, 0u) << "A=" << A << " never overflowed";
    }
  }
}

TEST(Mac8, AccumulateSaturates) {
  for (int A : {16, 20}) {
    int64_t hi = (INT64_C(1) << (A - 1)) - 1, acc = 0;
    bool ev = false;
    int steps = 0;
    while (!ev) {
      acc = mpb_mac8_acc(acc, 127 * 127, A, MPB_OVF_SAT, &ev);
      steps++;
    }
    EXPECT_EQ(acc, hi);
    EXPECT_EQ(steps, (int)(hi / (127 * 127)) + 1);
    acc = mpb_mac8_acc(acc, -128 * 127, A, MPB_OVF_SAT, &ev);
    EXPECT_FALSE(ev);
    EXPECT_EQ(acc, hi - 128 * 127);
    acc = mpb_mac8_acc(-hi, -128 * 128, A, MPB_OVF_SAT, &ev);
    EXPECT_TRUE(ev);
    EXPECT_EQ(acc, -hi - 1);
  }
}

TEST(Pack16, ExhaustiveBytePairs) {
  for (int hi = -128; hi < 128; hi++)
    for (int lo = 0; lo < 256; lo++) {
      ASSERT_EQ(mpb_pack16(hi, (uint32_t)lo, 8), hi * 256 + lo);
      ASSERT_EQ(mpb_pack16(hi, (uint32_t)lo, 4), hi * 16 + lo);
    }
}

// x * c for every int8 x and every int16 c, from two byte-sliced MAC8 products.
TEST(Pack16, ByteSlicedProductExhaustive) {
  for (int x = -128; x < 128; x++)
    for (int c = -32768; c < 32768; c++) {
      int c_hi = c >> 8, c_lo = c & 0xFF;
      int64_t p = mpb_pack16(mpb_mac8_mul(x, true, c_hi, true),
                             0, 8) + mpb_mac8_mul(x, true, c_lo, false);
      ASSERT_EQ(p, (int64_t)x * c) << x << "*" << c;
    }
}

TEST(Round, ModesAgainstReference) {
  uint64_t seed = mpb_test_seed("Round.ModesAgainstReference");
  for (int i = 0; i < 200000; i++) {
    int64_t v = (int64_t)(mpb_test_rand(&seed) >> 20) - (INT64_C(1) << 43);
    int sh = (int)(mpb_test_rand(&seed) % 30) + 1;
    if (i % 3 == 0) v = (int64_t)((uint64_t)(v >> sh) << sh) + (INT64_C(1) << (sh - 1)); /* exact tie */
    long double x = ldexpl((long double)v, -sh);
    ASSERT_EQ(mpb_round_shift(v, sh, MPB_ROUND_TRUNC), (int64_t)floorl(x));
    ASSERT_EQ(mpb_round_shift(v, sh, MPB_ROUND_NEAREST), (int64_t)floorl(x + 0.5L));
    long double fl = floorl(x), d = x - fl;
    int64_t even = (int64_t)fl + (d > 0.5L || (d == 0.5L && ((int64_t)fl & 1)) ? 1 : 0);
    ASSERT_EQ(mpb_round_shift(v, sh, MPB_ROUND_EVEN), even) << v << ">>" << sh;
  }
  EXPECT_EQ(mpb_round_shift(5, 0, MPB_ROUND_NEAREST), 5);
  EXPECT_EQ(mpb_round_shift(-3, 1, MPB_ROUND_EVEN), -2);  // -1.5 -> -2
  EXPECT_EQ(mpb_round_shift(-1, 1, MPB_ROUND_EVEN), 0);   // -0.5 -> 0
  EXPECT_EQ(mpb_round_shift(-1, 1, MPB_ROUND_NEAREST), 0);
  EXPECT_EQ(mpb_round_shift(-3, 1, MPB_ROUND_TRUNC), -2);
}

TEST(RoundFloat, MatchesHardwareFloatAndHalf) {
  uint64_t seed = mpb_test_seed("RoundFloat.MatchesHardwareFloatAndHalf");
  for (int i = 0; i < 100000; i++) {
    double x = ldexp((double)(mpb_test_rand(&seed) >> 11), -53) * 2 - 1;
    x = ldexp(x, (int)(mpb_test_rand(&seed) % 80) - 40);
    ASSERT_EQ(mpb_round_float(x, 24, -126, 127), (double)(float)x) << x;
    ASSERT_EQ(mpb_round_float(x, 11, -14, 15), (double)(_Float16)x) << x;
  }
  EXPECT_EQ(mpb_round_float(65504.0, 11, -14, 15), 65504.0);
  EXPECT_TRUE(std::isinf(mpb_round_float(65520.0, 11, -14, 15)));
  EXPECT_EQ(mpb_round_float(257.0, 8, -126, 127), 256.0);  // bf16 loses integer positions
  EXPECT_EQ(mpb_round_float(259.0, 8, -126, 127), 260.0);
}
