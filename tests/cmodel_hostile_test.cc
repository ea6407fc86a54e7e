/* cmodel_hostile_test.cc — regression tests of the hostile-input probe (issue 14) on the
 * libconfig inputs (cmodel/cfg_read.c): integers that libconfig 1.5 would wrap modulo
 * 2^32 are rejected with file:line in datapath configurations and energy tables (sweep
 * specs: tests/sweep_hostile_test.cc), and an input larger than MPB_CFG_MAX_BYTES is
 * rejected before libconfig's quadratic parser sees it (its speed: bench/bench_config.c). */
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "cfg_read.h"
#include "energy.h"
#include "gtest_c.h"

namespace {

std::string write_file(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string load_err(const std::string &text, mpb_status *st) {
  std::string p = write_file("hostile.cfg", text);
  mpb_config c;
  mpb_config_default(&c);
  char err[512] = "";
  *st = mpb_config_load(&c, p.c_str(), err, sizeof err);
  return err;
}

TEST(HostileConfig, IntegersLibconfigWouldWrapAreRejected) {
  mpb_status st;
  /* 2^32 + 20: libconfig 1.5 reads it as 20, a valid pos_bits */
  std::string e = load_err("phi_mode = \"exact\";\npos_bits = 4294967316;\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find("hostile.cfg:2: integer 4294967316 is out of the 32-bit range"),
            std::string::npos) << e;
  e = load_err("pos_bits = -4294967276;\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find(":1: integer -4294967276 is out of the 32-bit range"), std::string::npos) << e;
  e = load_err("pos_bits = 0x100000014;\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find("integer 0x100000014 is out of the 32-bit range"), std::string::npos) << e;
  /* with the L suffix it is a 64-bit value, then out of the parameter's range */
  e = load_err("pos_bits = 4294967316L;\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find(":1: parameter pos_bits = 4294967316 is out of range [8, 24]"),
            std::string::npos) << e;
  e = load_err("pos_bits = 99999999999999999999L;\n", &st);
  EXPECT_NE(e.find("out of the 64-bit range"), std::string::npos) << e;
  /* the edges of the 32-bit range are read exactly */
  e = load_err("pos_bits = 2147483647;\n", &st);
  EXPECT_NE(e.find("pos_bits = 2147483647 is out of range"), std::string::npos) << e;
  e = load_err("pos_bits = -2147483648;\n", &st);
  EXPECT_NE(e.find("pos_bits = -2147483648 is out of range"), std::string::npos) << e;
  e = load_err("pos_bits = 2147483648;\n", &st);
  EXPECT_NE(e.find("integer 2147483648 is out of the 32-bit range"), std::string::npos) << e;
  /* digits in comments, strings, names and floats are not integers */
  e = load_err("# 99999999999\n/* 99999999999\n */ // 99999999999\npos_bits = 16; # ok\n"
               "clock_mhz = 1.5e3;\nrounding = \"even\"; # \"99999999999\"\n", &st);
  EXPECT_EQ(st, MPB_OK) << e;
  /* the CLI: exit 3, file:line */
  std::string p = write_file("hostile_cli.cfg", "pos_bits = 4294967316;\n"), out;
  EXPECT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " config --config " + p, &out), 3) << out;
  EXPECT_NE(out.find("hostile_cli.cfg:1: integer 4294967316"), std::string::npos) << out;
}

TEST(HostileConfig, InputSizeIsBounded) {
  mpb_status st;
  /* exactly the limit: accepted (a comment); one byte more: rejected before parsing */
  std::string at(MPB_CFG_MAX_BYTES, 'x');
  at[0] = '#';
  at[MPB_CFG_MAX_BYTES - 1] = '\n';
  std::string e = load_err(at, &st);
  EXPECT_EQ(st, MPB_OK) << e;
  e = load_err(at + "\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find("hostile.cfg: more than the 65536 bytes a configuration file may have"),
            std::string::npos) << e;
  /* 40k settings (the probe's 10 s case) are refused at once */
  std::string many;
  for (int i = 0; many.size() <= MPB_CFG_MAX_BYTES; i++) many += "k" + std::to_string(i) + " = 1;\n";
  e = load_err(many, &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find("more than the 65536 bytes"), std::string::npos) << e;
  /* 513 settings in a small file: refused before libconfig's quadratic parser; 512 pass
   * the scanner (and then fail as unknown parameters, a different message) */
  std::string keys;
  for (int i = 0; i < 512; i++) keys += "k" + std::to_string(i) + " = 1;\n";
  e = load_err(keys, &st);
  EXPECT_NE(e.find("unknown parameter 'k0'"), std::string::npos) << e;
  e = load_err(keys + "k512: 1;\n", &st);
  EXPECT_EQ(st, MPB_EINVAL);
  EXPECT_NE(e.find("hostile.cfg:513: more than 512 settings"), std::string::npos) << e;
  /* names in strings and comments are not settings */
  std::string quoted = "# ";
  for (int i = 0; i < 600; i++) quoted += "a = 1; ";
  e = load_err(quoted + "\nrounding = \"even\"; /* b = 2; */\n", &st);
  EXPECT_EQ(st, MPB_OK) << e;
  /* a NUL byte: not a text file; a directory: an I/O error with the reason */
  e = load_err(std::string("pos_bits = 16;\0", 15), &st);
  EXPECT_NE(e.find("contains a NUL byte"), std::string::npos) << e;
  mpb_config c;
  char err[256];
  EXPECT_EQ(mpb_config_load(&c, "configs", err, sizeof err), MPB_EIO);
  EXPECT_NE(std::string(err).find("configs: cannot read the file: Is a directory"),
            std::string::npos) << err;
}

TEST(HostileConfig, EnergyTableIntegersAreNotWrapped) {
  std::ifstream in("configs/energy-45nm.cfg");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find("int8_mul = 0.2;");
  ASSERT_NE(at, std::string::npos);
  const std::string line = "hostile_energy.cfg:" +
                           std::to_string(1 + std::count(text.begin(), text.begin() + at, '\n'));
  /* 2^32 + 1 pJ: libconfig 1.5 alone would price an int8 multiply at 1 pJ */
  std::string bad = text;
  bad.replace(at, 15, "int8_mul = 4294967297;");
  std::string p = write_file("hostile_energy.cfg", bad);
  char err[512] = "";
  mpb_energy_table *t = mpb_energy_load(p.c_str(), err, sizeof err);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(err).find(line + ": integer 4294967297 is out of the 32-bit range"),
            std::string::npos) << err;
  mpb_energy_free(t);
  bad = text;
  bad.replace(at, 15, "int8_mul = 4294967297L;");
  p = write_file("hostile_energy.cfg", bad);
  t = mpb_energy_load(p.c_str(), err, sizeof err);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(err).find(line + ": field "), std::string::npos) << err;
  EXPECT_NE(std::string(err).find("is out of range"), std::string::npos) << err;
  mpb_energy_free(t);
  /* the shipped table still loads */
  t = mpb_energy_load("configs/energy-45nm.cfg", err, sizeof err);
  EXPECT_NE(t, nullptr) << err;
  mpb_energy_free(t);
}

}  // namespace
