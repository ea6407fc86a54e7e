// cmodel_config_test.cc — configuration validation, errors that name the parameter, the
// value and the range; libconfig files with file:line errors; the shipped files.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "gtest_c.h"

static std::string validate(const mpb_config &c) {
  char err[256] = "";
  return mpb_config_validate(&c, err, sizeof err) == MPB_OK ? "" : err;
}

TEST(Config, DefaultsAndPatentAreValid) {
  mpb_config c;
  mpb_config_default(&c);
  EXPECT_EQ(validate(c), "");
  EXPECT_EQ(c.horner_order, 3);
  EXPECT_EQ(c.freq_frac_bits, 40);
  mpb_config_patent_literal(&c);
  EXPECT_EQ(validate(c), "");
  EXPECT_EQ(c.phi_mode, MPB_PHI_LOGADD);
  EXPECT_EQ(c.log_word_bits, 16);
}

// Every integer parameter, one below and one above its range.
TEST(Config, EveryParameterRangeChecked) {
  for (size_t i = 0; i < mpb_param_count(); i++) {
    const mpb_param_info *p = mpb_param_get(i);
    if (p->choices) continue;
    for (long v : {p->lo - 1, p->hi + 1}) {
      mpb_config c;
      mpb_config_default(&c);
      char err[256];
      std::string val = std::to_string(v);
      ASSERT_NE(mpb_config_set(&c, p->name, val.c_str(), err, sizeof err), MPB_OK) << p->name;
      std::string e = err;
      EXPECT_NE(e.find(p->name), std::string::npos) << e;
      EXPECT_NE(e.find(val), std::string::npos) << e;
      EXPECT_NE(e.find("[" + std::to_string(p->lo) + ", " + std::to_string(p->hi) + "]"),
                std::string::npos) << e;
    }
  }
}

TEST(Config, EnumErrorsListChoices) {
  mpb_config c;
  mpb_config_default(&c);
  char err[256];
  ASSERT_NE(mpb_config_set(&c, "rounding", "stochastic", err, sizeof err), MPB_OK);
  EXPECT_STREQ(err, "parameter rounding = stochastic is not one of {trunc, nearest, even}");
  ASSERT_EQ(mpb_config_set(&c, "rounding", "even", err, sizeof err), MPB_OK);
  EXPECT_EQ(c.rounding, MPB_ROUND_EVEN);
  ASSERT_NE(mpb_config_set(&c, "no_such", "1", err, sizeof err), MPB_OK);
  EXPECT_STREQ(err, "unknown parameter 'no_such'");
}

TEST(Config, CrossConstraints) {
  mpb_config c;
  mpb_config_default(&c);
  c.horner_width = 17;  // cs_bits 16 needs W >= 17: fine
  EXPECT_EQ(validate(c), "");
  c.cs_bits = 17;
  EXPECT_EQ(validate(c), "horner_width = 17 must be >= cs_bits + 1 = 18");
  mpb_config_default(&c);
  c.x_bits = 12;
  EXPECT_EQ(validate(c), "parameter x_bits = 12 must be 8 or 16");
  mpb_config_default(&c);
  c.promote_interval = 100;
  EXPECT_EQ(validate(c), "promote_interval = 100 must be 0 or a multiple of mac_lanes = 8");
  mpb_config_default(&c);
  c.phi_mode = MPB_PHI_LOGADD;
  c.log_word_bits = 12;
  c.exp_table_bits = 8;
  EXPECT_EQ(validate(c), "log_word_bits - 6 = 6 must be >= exp_table_bits = 8 in logadd mode");
  mpb_config_default(&c);
  mpb_geometry g = {300, 10000.0, MPB_PAIR_HALF};
  char err[256];
  EXPECT_NE(mpb_geometry_validate(&g, &c, err, sizeof err), MPB_OK);
  EXPECT_STREQ(err, "head_dim = 300 needs 150 pairs but pair_bits = 7 holds 128");
}

static std::string write_tmp(const std::string &name, const std::string &text) {
  std::string path = mpb_test_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(Config, FileErrorsNameFileAndLine) {
  mpb_config c;
  char err[512];
  mpb_config_default(&c);
  std::string p = write_tmp("bad1.cfg", "horner_order = 3;\n\nhorner_width = 99;\n");
  ASSERT_EQ(mpb_config_load(&c, p.c_str(), err, sizeof err), MPB_EINVAL);
  EXPECT_EQ(std::string(err), p + ":3: parameter horner_width = 99 is out of range [17, 32]");
  p = write_tmp("bad2.cfg", "# comment\nhorner_ordr = 3;\n");
  ASSERT_EQ(mpb_config_load(&c, p.c_str(), err, sizeof err), MPB_EINVAL);
  EXPECT_EQ(std::string(err), p + ":2: unknown parameter 'horner_ordr'");
  p = write_tmp("bad3.cfg", "rounding = 3;\n");
  ASSERT_EQ(mpb_config_load(&c, p.c_str(), err, sizeof err), MPB_EINVAL);
  EXPECT_EQ(std::string(err), p + ":1: parameter rounding must be a quoted name");
  p = write_tmp("bad4.cfg", "horner_order = ;\n");
  ASSERT_EQ(mpb_config_load(&c, p.c_str(), err, sizeof err), MPB_EINVAL);
  EXPECT_EQ(std::string(err).rfind(p + ":1: ", 0), 0u) << err;
  ASSERT_EQ(mpb_config_load(&c, mpb_test_path("does-not-exist.cfg").c_str(), err, sizeof err), MPB_EIO);
  p = write_tmp("bad5.cfg", "cs_bits = 24;\n");
  ASSERT_EQ(mpb_config_load(&c, p.c_str(), err, sizeof err), MPB_EINVAL);
  EXPECT_EQ(std::string(err), p + ": horner_width = 24 must be >= cs_bits + 1 = 25");
}

// The written form loads back to the same configuration, for random valid configs.
TEST(Config, WriteLoadRoundTrip) {
  uint64_t seed = mpb_test_seed("Config.WriteLoadRoundTrip");
  int tried = 0;
  for (int i = 0; tried < 50 && i < 10000; i++) {
    mpb_config c;
    mpb_config_default(&c);
    char err[256];
    for (size_t k = 0; k < mpb_param_count(); k++) {
      const mpb_param_info *p = mpb_param_get(k);
      std::string v;
      if (p->choices) {
        int n = 0;
        while (p->choices[n]) n++;
        v = p->choices[mpb_test_rand(&seed) % n];
      } else {
        v = std::to_string(p->lo + (long)(mpb_test_rand(&seed) % (uint64_t)(p->hi - p->lo + 1)));
      }
      ASSERT_EQ(mpb_config_set(&c, p->name, v.c_str(), err, sizeof err), MPB_OK) << err;
    }
    if (mpb_config_validate(&c, err, sizeof err) != MPB_OK) continue;
    tried++;
    std::string path = mpb_test_path("roundtrip.cfg");
    FILE *f = fopen(path.c_str(), "w");
    ASSERT_EQ(mpb_config_write(&c, f), 0);
    fclose(f);
    mpb_config d;
    mpb_config_default(&d);
    ASSERT_EQ(mpb_config_load(&d, path.c_str(), err, sizeof err), MPB_OK) << err;
    ASSERT_EQ(memcmp(&c, &d, sizeof c), 0);
  }
  EXPECT_EQ(tried, 50);
}

// The shipped configs/ files are exactly the presets (they cannot drift).
TEST(Config, ShippedFilesEqualPresets) {
  mpb_config a, b;
  char err[256];
  mpb_config_default(&a);
  mpb_config_default(&b);
  ASSERT_EQ(mpb_config_load(&b, "configs/default.cfg", err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(memcmp(&a, &b, sizeof a), 0);
  mpb_config_patent_literal(&a);
  mpb_config_default(&b);
  ASSERT_EQ(mpb_config_load(&b, "configs/patent-literal.cfg", err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(memcmp(&a, &b, sizeof a), 0);
}
