// lm_cli_test.cc — `mpbsim lm` as a user meets it: exit codes and messages for
// missing, malformed and non-Llama GGUF files and bad options; with the real model (after
// `make models`), the tokenizer output equals the committed data/passage.tokens.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "gtest_c.h"

namespace {

std::string mpbsim() { return mpb_test_bin("mpbsim"); }

void put_u32(std::string &s, uint32_t v) { for (int i = 0; i < 4; i++) s += (char)(v >> (8 * i)); }
void put_u64(std::string &s, uint64_t v) { for (int i = 0; i < 8; i++) s += (char)(v >> (8 * i)); }
void put_str(std::string &s, const std::string &v) { put_u64(s, v.size()); s += v; }

// A GGUF with no tensors and one string key general.architecture = arch.
std::string write_arch_only(const std::string &name, const std::string &arch) {
  std::string s = "GGUF";
  put_u32(s, 3); put_u64(s, 0); put_u64(s, 1);
  put_str(s, "general.architecture"); put_u32(s, 8); put_str(s, arch);
  std::string path = mpb_test_path(name);
  std::ofstream(path, std::ios::binary) << s;
  return path;
}

TEST(LmCli, BadModelFiles) {
  std::string out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm info --model /nonexistent/m.gguf", &out), 4);
  EXPECT_NE(out.find("/nonexistent/m.gguf"), std::string::npos) << out;
  std::string junk = mpb_test_path("lm_junk.gguf");
  std::ofstream(junk) << "not a gguf file at all";
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm info --model " + junk, &out), 3);
  EXPECT_NE(out.find(junk + ": magic is 0x20746f6e, expected 0x46554747"), std::string::npos) << out;
  std::string mamba = write_arch_only("lm_mamba.gguf", "mamba");
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl --model " + mamba, &out), 3);
  EXPECT_NE(out.find("general.architecture = 'mamba', expected 'llama'"), std::string::npos) << out;
  std::string bare = write_arch_only("lm_bare.gguf", "llama");
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl --model " + bare, &out), 3);
  EXPECT_NE(out.find(bare + ": metadata key 'llama.embedding_length' is missing"), std::string::npos) << out;
  std::string gemma = write_arch_only("lm_gemma_bare.gguf", "gemma3");
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm info --model " + gemma, &out), 3);
  EXPECT_NE(out.find(gemma + ": metadata key 'gemma3.embedding_length' is missing"), std::string::npos) << out;
  // A tensor of a type the reader does not dequantize (13 = Q5_K): refused when opened.
  std::string s = "GGUF";
  put_u32(s, 3); put_u64(s, 1); put_u64(s, 1);
  put_str(s, "general.architecture"); put_u32(s, 8); put_str(s, "gemma3");
  put_str(s, "token_embd.weight"); put_u32(s, 2); put_u64(s, 256); put_u64(s, 4);
  put_u32(s, 13); put_u64(s, 0);
  while (s.size() % 32) s += '\0';
  s += std::string(4 * 176, '\0');
  std::string q5k = mpb_test_path("lm_q5k.gguf");
  std::ofstream(q5k, std::ios::binary) << s;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm info --model " + q5k, &out), 3);
  EXPECT_NE(out.find(q5k + ": tensor 'token_embd.weight': type 13 is not a supported ggml type (F32, "
                     "F16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q6_K)"), std::string::npos) << out;
}

TEST(LmCli, UsageErrors) {
  std::string out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm", &out), 2);
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm frob", &out), 2);
  EXPECT_NE(out.find("unknown action 'frob'"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl --pairing diagonal", &out), 2);
  EXPECT_NE(out.find("--pairing 'diagonal' is not adjacent or half"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl -n 0", &out), 2);
}

bool have_real() {
  if (FILE *f = std::fopen("models/SmolLM2-135M-Instruct.Q4_1.gguf", "rb")) {
    std::fclose(f);
    return true;
  }
  return false;
}

TEST(LmCli, TokenizeReproducesThePassageIds) {
  if (!have_real()) GTEST_SKIP() << "models/SmolLM2-135M-Instruct.Q4_1.gguf is absent: run `make models`";
  std::string out, ids = mpb_test_path("lm_passage.tokens");
  unlink(ids.c_str());
  ASSERT_EQ(mpb_test_run(mpbsim() + " lm tokenize --text data/passage.txt -o " + ids, &out), 0) << out;
  std::ifstream a(ids), b("data/passage.tokens");
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
  // a bad token file names the file and line; nothing is written on failure
  std::string bad = mpb_test_path("lm_bad.tokens");
  std::ofstream(bad) << "# ids\n1 2 3\n4 x 5\n";
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl --tokens " + bad, &out), 3);
  EXPECT_NE(out.find(bad + ":3: token id expected, found 'x'"), std::string::npos) << out;
  std::ofstream(bad) << "1 2 49152\n";
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm ppl --tokens " + bad, &out), 3);
  EXPECT_NE(out.find("token id is not in [0, 49151]"), std::string::npos) << out;
  std::string nodir = mpb_test_path("no_such_dir/x.tokens");
  EXPECT_EQ(mpb_test_run(mpbsim() + " lm tokenize --text data/passage.txt -o " + nodir, &out), 4);
  EXPECT_NE(access(nodir.c_str(), F_OK), 0);
}

// The forward-pass presets through `mpbsim gen` and `mpbsim trace validate`. llama3-8b
// (870 MB of weights per layer) is left to the docs' commands.
TEST(LmCli, GenPresetsWriteValidTraces) {
  std::string out, t = mpb_test_path("lm_gen.trace");
  unlink(t.c_str());
  ASSERT_EQ(mpb_test_run(mpbsim() + " gen --preset smollm2-135m --tokens 4 --windows 2 --max-pos 131071 --layers 1 --out " + t, &out), 0) << out;
  ASSERT_EQ(mpb_test_run(mpbsim() + " trace validate " + t, &out), 0) << out;
  ASSERT_EQ(mpb_test_run(mpbsim() + " trace info " + t, &out), 0) << out;
  EXPECT_NE(out.find("heads      9 (kv 3), head_dim 64"), std::string::npos) << out;
  EXPECT_NE(out.find("rope       base 100000, pairing interleaved"), std::string::npos) << out;
  EXPECT_NE(out.find("max position 131071"), std::string::npos) << out;
  EXPECT_NE(out.find("rope  q                   18"), std::string::npos) << out;  // 2 windows x 9 heads
  unlink(t.c_str());
  EXPECT_EQ(mpb_test_run(mpbsim() + " gen --preset smollm2-135m --tokens 70000 --out " + t, &out), 3);
  EXPECT_NE(out.find("tokens = 70000 must be in [1, 65536]"), std::string::npos) << out;
  EXPECT_NE(access(t.c_str(), F_OK), 0);  // no partial output
  if (!have_real()) GTEST_SKIP() << "smollm2-real needs `make models`";
  ASSERT_EQ(mpb_test_run(mpbsim() + " gen --preset smollm2-real --tokens 3 --layers 2 --out " + t, &out), 0) << out;
  ASSERT_EQ(mpb_test_run(mpbsim() + " trace info " + t, &out), 0) << out;
  EXPECT_NE(out.find("SmolLM2-135M-Instruct Q4_1 (real weights)"), std::string::npos) << out;
  EXPECT_NE(out.find("layers     2"), std::string::npos) << out;
}

}  // namespace
