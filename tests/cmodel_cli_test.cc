// cmodel_cli_test.cc — the mpbsim driver as a user meets it: --help everywhere, exit codes,
// errors naming the file, field and range, and no partial output files.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <unistd.h>

#include "gtest_c.h"

static std::string mpbsim() { return mpb_test_bin("mpbsim"); }

TEST(Cli, HelpOnEverySubcommand) {
  std::string out;
  ASSERT_EQ(mpb_test_run(mpbsim() + " --help", &out), 0);
  // every command listed in the top-level help answers --help with exit 0
  size_t pos = out.find("commands:");
  ASSERT_NE(pos, std::string::npos);
  std::string list = out.substr(pos);
  int n = 0;
  for (size_t i = list.find("\n  "); i != std::string::npos; i = list.find("\n  ", i + 1)) {
    std::string name = list.substr(i + 3, list.find(' ', i + 3) - (i + 3));
    std::string h;
    EXPECT_EQ(mpb_test_run(mpbsim() + " " + name + " --help", &h), 0) << name;
    EXPECT_NE(h.find("usage: mpbsim " + name), std::string::npos) << name;
    n++;
  }
  EXPECT_GE(n, 3);
  EXPECT_EQ(mpb_test_run(mpbsim(), &out), 2);
  EXPECT_EQ(mpb_test_run(mpbsim() + " frobnicate", &out), 2);
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(Cli, ConfigErrorsExitCodes) {
  std::string out, bad = mpb_test_path("cli_bad.cfg");
  std::ofstream(bad) << "horner_order = 3;\ncs_table_bits = 11;\n";
  EXPECT_EQ(mpb_test_run(mpbsim() + " config --config " + bad, &out), 3);
  EXPECT_NE(out.find(bad + ":2: parameter cs_table_bits = 11 is out of range [2, 10]"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " config --config /nonexistent/x.cfg", &out), 4);
  EXPECT_NE(out.find("/nonexistent/x.cfg: cannot read"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " config --set horner_order=9", &out), 2);
  EXPECT_NE(out.find("parameter horner_order = 9 is out of range [1, 8]"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " rope --positions 5:2", &out), 2);
  EXPECT_EQ(mpb_test_run(mpbsim() + " rope --geometry gpt5", &out), 2);
  EXPECT_EQ(mpb_test_run(mpbsim() + " rope --set pos_bits=10 --positions 0:2048", &out), 3);
  EXPECT_NE(out.find("need pos_bits >= 11"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " config --config configs/default.cfg --check", &out), 0);
}

TEST(Cli, RopeWritesCsvJsonAndGoal) {
  std::string out, csv = mpb_test_path("cli_rope.csv"), js = mpb_test_path("cli_rope.json");
  unlink(csv.c_str());
  unlink(js.c_str());
  ASSERT_EQ(mpb_test_run(mpbsim() + " rope --geometry smollm2 --positions 0:300 --goal 3.0517578125e-05 --csv " + csv + " --json " + js, &out), 0) << out;
  EXPECT_NE(out.find("goal: default max |cos/sin error| 3.052e-05 <= 3.052e-05: met"), std::string::npos) << out;
  std::ifstream f(csv);
  std::string header, line;
  std::getline(f, header);
  EXPECT_EQ(header, "geometry,head_dim,base,design,pos_lo,pos_hi,count,max_abs_err,rms_err,nonfinite");
  int rows = 0;
  while (std::getline(f, line)) rows++;
  EXPECT_EQ(rows, 10 * 5);  // 10 octaves (0..511) x (default + 4 baselines)
  std::string j;
  EXPECT_EQ(mpb_test_run("head -c 200 " + js, &j), 0);
  EXPECT_NE(j.find("\"tool\""), std::string::npos);
  // the patent-literal design misses the goal: exit 1
  EXPECT_EQ(mpb_test_run(mpbsim() + " rope --preset patent --geometry smollm2 --positions 0:2048 --baselines none --goal 3.0517578125e-05", &out), 1);
  EXPECT_NE(out.find("MISSED"), std::string::npos);
}

TEST(Cli, NoPartialOutputOnFailure) {
  std::string out, dir = mpb_test_path("cli_ro");
  mpb_test_run("rm -rf " + dir + " && mkdir -p " + dir + " && chmod 500 " + dir, &out);
  if (geteuid() == 0) {
    // root ignores directory permissions: use a path whose parent is a file instead
    dir = mpb_test_path("cli_file");
    std::ofstream(dir) << "x";
  }
  EXPECT_EQ(mpb_test_run(mpbsim() + " rope --positions 0:64 --csv " + dir + "/r.csv", &out), 4);
  EXPECT_NE(out.find("cannot write"), std::string::npos) << out;
  EXPECT_NE(mpb_test_run("ls " + dir + "/r.csv*", &out), 0) << "partial file left: " << out;
  // tables: a failed configuration writes nothing
  std::string tdir = mpb_test_path("cli_tables");
  mpb_test_run("rm -rf " + tdir, &out);
  EXPECT_EQ(mpb_test_run(mpbsim() + " tables --set horner_width=16 --out " + tdir, &out), 2);
  EXPECT_NE(mpb_test_run("ls " + tdir, &out), 0);
  ASSERT_EQ(mpb_test_run(mpbsim() + " tables --geometry smollm2 --out " + tdir, &out), 0) << out;
  EXPECT_EQ(mpb_test_run("ls " + tdir + " | wc -l", &out), 0);
  EXPECT_EQ(std::stoi(out), 8);
}

TEST(Cli, ExpReportsRelativeError) {
  std::string out, csv = mpb_test_path("cli_exp.csv");
  ASSERT_EQ(mpb_test_run(mpbsim() + " exp --range -3:0 --step 3 --csv " + csv, &out), 0) << out;
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line, "design,u_lo,u_hi,count,max_rel_err,rms_rel_err,nonfinite");
  int rows = 0;
  while (std::getline(f, line)) {
    rows++;
    if (line.rfind("default,", 0) == 0) {
      double e = std::stod(line.substr(line.find(',', line.find(',', line.find(',', 8) + 1) + 1) + 1));
      EXPECT_LE(e, 1.6e-5) << line;  // half an ulp of UQ1.15 plus the Horner error
    }
  }
  EXPECT_EQ(rows, 3 * 4);  // 3 unit intervals x (default, fp32, bf16, fp16)
  EXPECT_EQ(mpb_test_run(mpbsim() + " exp --range 0:200", &out), 2);
}
