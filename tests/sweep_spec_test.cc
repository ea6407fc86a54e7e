// sweep_spec_test.cc — sweep specifications: values/ranges/log-ranges expand to the
// expected axis values, every kind of bad input is rejected with a message naming the
// file, line, field and expected range, invalid combinations are pruned and counted,
// grid indices map to the right configurations, random sampling is seeded.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include "gtest_c.h"
#include "sweep.h"

static std::string write_spec(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p) << text;
  return p;
}

static const char *kWorkload =
    "workloads = ( { name = \"w\"; head_dim = 64; base = 100000.0;\n"
    "  positions = { max = 4096; per_octave = 4; }; } );\n";

TEST(SweepSpec, AxesExpandValuesRangesAndLogRanges) {
  std::string p = write_spec("spec_axes.cfg",
                             std::string("params = (\n"
                                         " { name = \"horner_order\"; values = [1, 3]; },\n"
                                         " { name = \"horner_width\"; range = [18, 24, 3]; },\n"
                                         " { name = \"promote_interval\"; log_range = [8, 128, 2]; },\n"
                                         " { name = \"rounding\"; values = [\"trunc\", \"even\"]; }\n"
                                         ");\n") + kWorkload);
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(s.naxes, 4);
  EXPECT_EQ(s.axis[0].nvalues, 2);
  EXPECT_STREQ(s.axis[1].values[0], "18");
  EXPECT_STREQ(s.axis[1].values[1], "21");
  EXPECT_STREQ(s.axis[1].values[2], "24");
  EXPECT_EQ(s.axis[1].nvalues, 3);
  ASSERT_EQ(s.axis[2].nvalues, 5);  // 8 16 32 64 128
  EXPECT_STREQ(s.axis[2].values[4], "128");
  EXPECT_STREQ(s.axis[3].values[1], "even");
  EXPECT_EQ(sweep_grid_size(&s), 2u * 3u * 5u * 2u);
  // Mixed radix, first axis most significant: index 1*30 + 2*10 + 4*2 + 1 = 59.
  mpb_config cfg;
  ASSERT_EQ(sweep_point_config(&s, 59, &cfg, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(cfg.horner_order, 3);
  EXPECT_EQ(cfg.horner_width, 24);
  EXPECT_EQ(cfg.promote_interval, 128);
  EXPECT_EQ(cfg.rounding, MPB_ROUND_EVEN);
  EXPECT_EQ(cfg.cs_table_bits, 6);  // base (default) untouched
  sweep_spec_free(&s);
  // A real-valued parameter keeps fractions (log_range not rounded).
  std::string q = write_spec("spec_clock.cfg",
                             std::string("params = ( { name = \"clock_mhz\"; "
                                         "log_range = [250.0, 1000.0, 1.5]; } );\n") + kWorkload);
  ASSERT_EQ(sweep_spec_load(&s, q.c_str(), err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(s.axis[0].nvalues, 4);  // 250 375 562.5 843.75
  EXPECT_STREQ(s.axis[0].values[2], "562.5");
  ASSERT_EQ(sweep_point_config(&s, 3, &cfg, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(cfg.clock_mhz, 843.75);
  sweep_spec_free(&s);
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  // Positions: all of 0..15, then both ends of each octave, sorted and distinct, < max.
  const sweep_workload &w = s.wl[0];
  ASSERT_GT(w.npositions, 16u);
  for (uint32_t m = 0; m < 16; m++) EXPECT_EQ(w.positions[m], m);
  std::set<uint32_t> pos(w.positions, w.positions + w.npositions);
  EXPECT_EQ(pos.size(), w.npositions);
  for (int k = 4; k < 12; k++) {
    EXPECT_TRUE(pos.count(1u << k)) << k;
    EXPECT_TRUE(pos.count((2u << k) - 1)) << k;
  }
  EXPECT_LT(w.positions[w.npositions - 1], 4096u);
  for (size_t i = 1; i < w.npositions; i++) EXPECT_LT(w.positions[i - 1], w.positions[i]);
  sweep_spec_free(&s);
}

struct BadCase {
  const char *body;
  const char *expect1, *expect2;
};

TEST(SweepSpec, BadInputNamesFileLineFieldAndRange) {
  const BadCase cases[] = {
      {"params = ( { name = \"horner_order\"; values = [1, 9]; } );",
       "parameter horner_order = 9 is out of range [1, 8]", ":1:"},
      {"params = ( { name = \"no_such\"; values = [1]; } );", "unknown parameter 'no_such'", ":1:"},
      {"params = ( { name = \"rounding\"; values = [\"up\"]; } );", "rounding", "not one of"},
      {"params = ( { name = \"horner_width\"; range = [24, 18, 1]; } );", "hi >= lo", ":1:"},
      {"params = ( { name = \"horner_width\"; range = [18, 20]; } );", "[lo, hi, step]", ":1:"},
      {"params = ( { name = \"promote_interval\"; log_range = [0, 64, 2]; } );", "0 < lo",
       "factor > 1"},
      {"params = ( { name = \"horner_width\"; values = [18.5]; } );", "must be an integer",
       "[17, 32]"},
      {"params = ( { name = \"horner_width\"; values = [18]; range = [18, 20, 1]; } );",
       "exactly one of", ":1:"},
      {"params = ( { name = \"horner_width\"; values = [18, 18]; } );", "listed twice", ":1:"},
      {"params = ( );", "'params' must be a non-empty list", ""},
      {"bogus = 1;\nparams = ( { name = \"horner_width\"; values = [18]; } );",
       "unknown field 'bogus'", ":1:"},
      {"params = ( { name = \"horner_width\"; values = [18]; } );\nsampling = \"sobol\";",
       "sampling = 'sobol' must be grid or random", ":2:"},
      {"params = ( { name = \"horner_width\"; values = [18]; } );\nsampling = \"random\";",
       "needs 'samples'", ""},
      {"params = ( { name = \"horner_width\"; values = [18]; } );\ngoal = 5.0;", "goal", "(0, 2)"},
      {"params = ( { name = \"horner_width\"; values = [18]; } );\nmetrics = [\"speed\"];",
       "metrics[0] = 'speed' is not one of", "max_err"},
      {"params = ( { name = \"horner_width\"; values = [18] } ;", "syntax error", ":1:"},
  };
  int i = 0;
  for (const BadCase &c : cases) {
    bool has_wl = std::string(c.body).find("params = ( );") == std::string::npos;
    std::string name = "spec_bad" + std::to_string(i++) + ".cfg";
    std::string p = write_spec(name, std::string(c.body) + "\n" + (has_wl ? kWorkload : ""));
    static sweep_spec s;
    char err[512] = "";
    EXPECT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_EINVAL) << c.body;
    EXPECT_NE(std::string(err).find(name), std::string::npos) << err;
    EXPECT_NE(std::string(err).find(c.expect1), std::string::npos) << err;
    EXPECT_NE(std::string(err).find(c.expect2), std::string::npos) << err;
  }
  // Workload errors.
  const BadCase wl[] = {
      {"workloads = ( { name = \"w\"; head_dim = 63; base = 1e5; positions = { max = 64; }; } );",
       "head_dim = 63 must be even", ":2:"},
      {"workloads = ( { name = \"w\"; head_dim = 64; positions = { max = 64; }; } );",
       "field 'base'", ":2:"},
      {"workloads = ( { name = \"w\"; head_dim = 64; base = 1e5; positions = { max = 0; }; } );",
       "positions.max = 0 is out of range [1, 16777216]", ":2:"},
      {"workloads = ( { name = \"w\"; head_dim = 64; base = 1e5; pairing = \"odd\"; "
       "positions = { max = 64; }; } );",
       "pairing = 'odd' must be interleaved or half", ":2:"},
      {"workloads = ( { name = \"w\"; head_dim = 64; base = 1e5; } );", "positions", ":2:"},
  };
  for (const BadCase &c : wl) {
    std::string name = "spec_badwl" + std::to_string(i++) + ".cfg";
    std::string p = write_spec(
        name, std::string("params = ( { name = \"horner_width\"; values = [18]; } );\n") + c.body);
    static sweep_spec s;
    char err[512] = "";
    EXPECT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_EINVAL) << c.body;
    EXPECT_NE(std::string(err).find(c.expect1), std::string::npos) << err;
    EXPECT_NE(std::string(err).find(c.expect2), std::string::npos) << err;
  }
  static sweep_spec s;
  char err[512];
  EXPECT_EQ(sweep_spec_load(&s, mpb_test_path("no_such_spec.cfg").c_str(), err, sizeof err),
            MPB_EIO);
  EXPECT_NE(std::string(err).find("cannot read"), std::string::npos) << err;
}

TEST(SweepSpec, InvalidCombinationsArePrunedAndCounted) {
  // horner_width must be >= cs_bits + 1: (W=17, CW=20) and (W=20, CW=20) are invalid.
  std::string p = write_spec("spec_prune.cfg",
                             std::string("params = (\n"
                                         " { name = \"horner_width\"; values = [17, 20, 24]; },\n"
                                         " { name = \"cs_bits\"; values = [16, 20]; }\n"
                                         ");\n") + kWorkload);
  static sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  sweep_plan plan;
  ASSERT_EQ(sweep_plan_make(&s, &plan, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(plan.considered, 6u);
  EXPECT_EQ(plan.pruned, 2u);
  ASSERT_EQ(plan.n, 4u);
  const uint64_t want[] = {0, 2, 4, 5};  // (17,16) (20,16) (24,16) (24,20)
  for (size_t i = 0; i < 4; i++) EXPECT_EQ(plan.index[i], want[i]);
  EXPECT_NE(std::string(plan.first_pruned).find("horner_width = 17 must be >= cs_bits + 1"),
            std::string::npos)
      << plan.first_pruned;
  sweep_plan_free(&plan);
  sweep_spec_free(&s);
  // pair_bits too small for the geometry's pairs is pruned too (geometry constraint).
  p = write_spec("spec_prune2.cfg",
                 std::string("params = ( { name = \"pair_bits\"; values = [4, 5, 6]; } );\n") +
                     kWorkload);
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(sweep_plan_make(&s, &plan, err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(plan.pruned, 1u);  // d = 64 needs 32 pairs: pair_bits >= 5
  EXPECT_EQ(plan.n, 2u);
  sweep_plan_free(&plan);
  sweep_spec_free(&s);
  // Every point invalid: an error, not an empty sweep.
  p = write_spec("spec_prune3.cfg",
                 std::string("params = ( { name = \"pair_bits\"; values = [2, 3]; } );\n") +
                     kWorkload);
  ASSERT_EQ(sweep_spec_load(&s, p.c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(sweep_plan_make(&s, &plan, err, sizeof err), MPB_EINVAL);
  EXPECT_NE(std::string(err).find("all 2 points are invalid"), std::string::npos) << err;
  sweep_spec_free(&s);
}

TEST(SweepSpec, RandomSamplingIsSeededAndDistinct) {
  auto spec = [](int seed) {
    return std::string("params = (\n"
                       " { name = \"horner_width\"; range = [17, 32, 1]; },\n"
                       " { name = \"cs_table_bits\"; range = [2, 10, 1]; },\n"
                       " { name = \"horner_order\"; range = [1, 8, 1]; }\n"
                       ");\nsampling = \"random\";\nsamples = 50;\nseed = ") +
           std::to_string(seed) + ";\n" + kWorkload;
  };
  static sweep_spec s;
  char err[512];
  sweep_plan a, b, c;
  ASSERT_EQ(sweep_spec_load(&s, write_spec("spec_r1.cfg", spec(7)).c_str(), err, sizeof err), 0)
      << err;
  ASSERT_EQ(sweep_plan_make(&s, &a, err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(sweep_plan_make(&s, &b, err, sizeof err), MPB_OK) << err;
  uint64_t h7 = s.hash;
  sweep_spec_free(&s);
  ASSERT_EQ(sweep_spec_load(&s, write_spec("spec_r2.cfg", spec(8)).c_str(), err, sizeof err), 0)
      << err;
  ASSERT_EQ(sweep_plan_make(&s, &c, err, sizeof err), MPB_OK) << err;
  EXPECT_NE(h7, s.hash);
  EXPECT_EQ(a.considered, 50u);
  EXPECT_EQ(a.n + a.pruned, 50u);
  ASSERT_EQ(a.n, b.n);
  for (size_t i = 0; i < a.n; i++) EXPECT_EQ(a.index[i], b.index[i]);
  for (size_t i = 1; i < a.n; i++) EXPECT_LT(a.index[i - 1], a.index[i]);  // distinct
  bool differ = a.n != c.n;
  for (size_t i = 0; i < a.n && !differ; i++) differ = a.index[i] != c.index[i];
  EXPECT_TRUE(differ);
  for (size_t i = 0; i < a.n; i++) EXPECT_LT(a.index[i], sweep_grid_size(&s));
  sweep_plan_free(&a);
  sweep_plan_free(&b);
  sweep_plan_free(&c);
  sweep_spec_free(&s);
}
