/* traces_cli_test.cc — `mpbsim gen`, `mpbsim trace info|validate|cat`, `mpbsim replay`:
 * outputs, exit codes (2 usage, 3 bad input, 4 I/O), messages naming the file and the
 * chunk, and no partial output files. */
#include <gtest/gtest.h>
#include <jansson.h>
#include <unistd.h>

#include "traces_util.h"

namespace {

std::string bin() { return mpb_test_bin("mpbsim"); }

TEST(TraceCli, GenInfoValidateCatReplay) {
  std::string t = mpb_test_path("cli_gen.trace"), j = mpb_test_path("cli_rep.json"),
              c = mpb_test_path("cli_rep.csv"), o;
  ASSERT_EQ(mpb_test_run(bin() + " gen --preset rope-smollm2 --tokens 16 --windows 3 --max-pos 8191 --out " + t, &o), 0) << o;
  EXPECT_NE(o.find("wrote"), std::string::npos) << o;
  ASSERT_EQ(mpb_test_run(bin() + " trace info " + t, &o), 0) << o;
  EXPECT_NE(o.find("heads      9 (kv 3), head_dim 64"), std::string::npos) << o;
  EXPECT_NE(o.find("rope  q                   27"), std::string::npos) << o; /* 3 windows x 9 */
  ASSERT_EQ(mpb_test_run(bin() + " trace validate " + t, &o), 0) << o;
  EXPECT_NE(o.find("ok (36 records"), std::string::npos) << o;
  ASSERT_EQ(mpb_test_run(bin() + " trace cat " + t + " --op k --head 2 --values 3", &o), 0) << o;
  EXPECT_NE(o.find("rope k layer 0 head 2 tokens [0, 16)"), std::string::npos) << o;
  EXPECT_EQ(o.find("head 1 "), std::string::npos) << o;
  ASSERT_EQ(mpb_test_run(bin() + " replay --trace " + t + " --config configs/default.cfg --json " + j + " --csv " + c, &o), 0) << o;
  EXPECT_NE(o.find("rope error by position octave"), std::string::npos) << o;
  EXPECT_EQ(o.find("\r"), std::string::npos) << "no progress bar when stderr is not a terminal";
  json_error_t je;
  json_t *root = json_load_file(j.c_str(), 0, &je);
  ASSERT_NE(root, nullptr) << je.text;
  /* 36 records x 16 tokens x 32 pairs */
  EXPECT_EQ(json_integer_value(json_object_get(json_object_get(json_object_get(root, "by_kind"), "rope"), "ops")), 36 * 16 * 32);
  json_decref(root);
  EXPECT_EQ(access(c.c_str(), R_OK), 0);
  ASSERT_EQ(mpb_test_run(bin() + " replay --trace " + t + " --preset default --cycle --max-records 2 --quiet", &o), 0) << o;
  EXPECT_EQ(o, "");
}

TEST(TraceCli, BadTracesExitThreeNamingTheDefect) {
  std::string t = mpb_test_path("cli_bad.trace"), b = mpb_test_path("cli_bad2.trace"), o;
  ASSERT_EQ(mpb_test_run(bin() + " gen --preset rope-llama3 --tokens 8 --out " + t, &o), 0) << o;
  auto img = tu_read_file(t);
  img[img.size() / 2] ^= 0x10;
  tu_write_file(b, img);
  EXPECT_EQ(mpb_test_run(bin() + " trace validate " + b, &o), 3) << o;
  EXPECT_NE(o.find(b + ": chunk 0: checksum mismatch"), std::string::npos) << o;
  std::string j = mpb_test_path("cli_bad.json");
  std::remove(j.c_str());
  EXPECT_EQ(mpb_test_run(bin() + " replay --trace " + b + " --json " + j, &o), 3) << o;
  EXPECT_NE(access(j.c_str(), F_OK), 0) << "no partial JSON";
  img = tu_read_file(t);
  img.resize(img.size() - 7);
  tu_write_file(b, img);
  EXPECT_EQ(mpb_test_run(bin() + " trace info " + b, &o), 3) << o;
  EXPECT_NE(o.find("truncated"), std::string::npos) << o;
  EXPECT_EQ(mpb_test_run(bin() + " trace validate " + mpb_test_path("nonexistent.trace"), &o), 4) << o;
  tu_write_file(b, std::vector<uint8_t>(100, 'A'));
  EXPECT_EQ(mpb_test_run(bin() + " trace cat " + b, &o), 3) << o;
  EXPECT_NE(o.find("not an mpbsim trace"), std::string::npos) << o;
}

TEST(TraceCli, UsageErrorsAndHelp) {
  std::string o, t = mpb_test_path("cli_never.trace");
  std::remove(t.c_str());
  EXPECT_EQ(mpb_test_run(bin() + " gen --preset nope --out " + t, &o), 2) << o;
  EXPECT_NE(o.find("unknown preset 'nope'"), std::string::npos) << o;
  EXPECT_EQ(mpb_test_run(bin() + " gen --preset mamba130m --tokens 0 --out " + t, &o), 2) << o;
  EXPECT_EQ(mpb_test_run(bin() + " gen --preset mamba130m --layers 99 --tokens 2 --out " + t, &o), 3) << o;
  EXPECT_NE(o.find("--layers 99, expected [1, 24]"), std::string::npos) << o;
  EXPECT_NE(access(t.c_str(), F_OK), 0) << "no partial trace";
  EXPECT_EQ(mpb_test_run(bin() + " replay", &o), 2) << o;
  EXPECT_EQ(mpb_test_run(bin() + " replay --trace x --kind bogus", &o), 2) << o;
  EXPECT_EQ(mpb_test_run(bin() + " trace frob x", &o), 2) << o;
  for (const char *c : {"gen --help", "replay --help", "trace --help", "trace cat --help",
                        "trace import --help"}) {
    EXPECT_EQ(mpb_test_run(bin() + " " + c, &o), 0) << c;
    EXPECT_NE(o.find("usage"), std::string::npos) << c;
  }
  EXPECT_EQ(mpb_test_run(bin() + " gen --help", &o), 0);
  EXPECT_NE(o.find("mamba130m"), std::string::npos);
  EXPECT_NE(o.find("bitaxon"), std::string::npos);
}

}  // namespace
