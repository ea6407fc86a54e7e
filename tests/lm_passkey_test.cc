// lm_passkey_test.cc — the passkey task (lm/passkey.c) on a tiny synthetic model written
// as a GGUF with a byte-level vocabulary (every byte one token, so every digit is one
// token): the prompt has exactly the asked length, <bos> first, the key sentence at the
// sentence boundary nearest to the depth and the digits last; keys are seeded; a cell's
// keys share the prefix yet give what each key gives alone; margins agree with the
// argmax; a run identical to the reference has KLD 0 exactly; bad input is refused with
// the reason. Through the CLI: `mpbsim lm passkey` output, JSON and exit codes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "llama_presets.h"
#include "lm_gguf_writer.h"
#include "passkey.h"

namespace {

const char *kFiller = "data/passkey-filler.txt";

// The tiny model (byte vocabulary, 257 tokens), loaded from the GGUF the test writes.
struct Tiny {
  llama_model *m = nullptr;
  lm_passkey_task *t = nullptr;
  std::string path;
  Tiny() {
    llama_config c = llama_preset_find("tiny")->c;
    c.n_vocab = 257;
    c.n_ctx = 4096;
    c.rms_eps = (double)(float)c.rms_eps;
    llama_model *syn;
    char err[512];
    EXPECT_EQ(llama_init_synthetic(&syn, &c, 3, err, sizeof err), 0) << err;
    gguf_writer::Vocab v = gguf_writer::byte_vocab();
    path = gguf_writer::write_gguf(syn, "passkey_tiny.gguf", "", "", &v);
    llama_free(syn);
    EXPECT_EQ(llama_load_gguf(&m, path.c_str(), err, sizeof err), 0) << err;
    if (m) {
      EXPECT_EQ(lm_passkey_task_new(&t, m, kFiller, err, sizeof err), 0) << err;
    }
  }
  ~Tiny() {
    lm_passkey_task_free(t);
    llama_free(m);
  }
  std::string text(const int32_t *ids, int n) const {
    std::string s;
    for (int i = 0; i < n; i++) {
      char p[16];
      int k = tok_decode(m->vocab, ids[i], p, sizeof p);
      s.append(p, k > 0 ? (size_t)k : 0);
    }
    return s;
  }
};

Tiny &tiny() {
  static Tiny t;
  return t;
}

TEST(LmPasskey, PromptHasTheLengthTheKeyAtTheDepthAndTheDigitsLast) {
  Tiny &T = tiny();
  ASSERT_NE(T.t, nullptr);
  const int L = 900;
  int fixed = lm_passkey_fixed_tokens(T.t);
  std::vector<int32_t> ids(L);
  int prev = -1;
  for (double depth : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    int key_at;
    char err[256];
    ASSERT_EQ(lm_passkey_build(T.t, L, depth, 48213, ids.data(), &key_at, err, sizeof err), 0) << err;
    EXPECT_EQ(ids[0], T.m->vocab->bos);
    std::string s = T.text(ids.data(), L);
    EXPECT_EQ(s.rfind("<bos>There is an important piece of information", 0), 0u);
    EXPECT_EQ(T.text(ids.data() + key_at, 59), " The pass key is 48213. Remember it. 48213 is the pass key.");
    EXPECT_EQ(s.substr(s.size() - 44), "\nWhat is the pass key? The pass key is 48213");
    EXPECT_EQ(s.find("48213"), s.find(" The pass key is 48213") + 17);  // stated only there
    // the key sentence starts at a sentence boundary: after the intro or a filler sentence
    std::string before = T.text(ids.data(), key_at);
    EXPECT_TRUE(before.back() == '.') << before.substr(before.size() - 20);
    // nearest boundary to depth * F: within one filler sentence (< 160 bytes here)
    int filler_before = key_at - (1 + 143);  // <bos> + the intro's 143 bytes
    EXPECT_LE(std::fabs(filler_before - depth * (L - fixed)), 160) << depth;
    EXPECT_GT(key_at, prev);
    prev = key_at;
  }
}

TEST(LmPasskey, KeysAreSeededFiveDigits) {
  uint32_t a = lm_passkey_key(2026, 4096, 0.5, 0);
  EXPECT_EQ(a, lm_passkey_key(2026, 4096, 0.5, 0));
  int same = 0;
  for (int i = 0; i < 200; i++) {
    uint32_t k = lm_passkey_key(2026, 4096, 0.5, i);
    EXPECT_GE(k, 10000u);
    EXPECT_LE(k, 99999u);
    same += k == a;
  }
  EXPECT_EQ(same, 1);
  EXPECT_NE(lm_passkey_key(2026, 4096, 0.1, 0), a);
  EXPECT_NE(lm_passkey_key(2026, 8192, 0.5, 0), a);
  EXPECT_NE(lm_passkey_key(7, 4096, 0.5, 0), a);
}

TEST(LmPasskey, SharedPrefixMarginsAndZeroKldAgainstItself) {
  Tiny &T = tiny();
  ASSERT_NE(T.t, nullptr);
  const int L = 600, V = T.m->c.n_vocab, D = LM_PASSKEY_DIGITS;
  uint32_t keys[2] = {31415, 92653};
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  lm_numerics *nm;
  char err[512];
  ASSERT_EQ(lm_numerics_new(&nm, &sp, err, sizeof err), 0) << err;
  std::vector<double> both(2 * D * V), alone(D * V);
  lm_passkey_result r2, r1, rk;
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.3, 0, keys, 2, both.data(), nullptr, &r2, err, sizeof err), 0) << err;
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.3, 0, keys + 1, 1, alone.data(), nullptr, &r1, err, sizeof err), 0) << err;
  // the second key after the rewind = the same key alone, bit for bit
  EXPECT_EQ(0, std::memcmp(both.data() + D * V, alone.data(), alone.size() * sizeof(double)));
  for (int d = 0; d < D; d++) EXPECT_EQ(r2.answer[1][d], r1.answer[0][d]);
  EXPECT_TRUE(std::isnan(r2.kld_mean));  // no reference
  // accuracy and margins agree with the argmax of the stored log-probabilities
  int digits = 0;
  for (int k = 0; k < 2; k++)
    for (int d = 0; d < D; d++) {
      const double *lp = both.data() + ((size_t)k * D + d) * V;
      int best = 0;
      for (int i = 1; i < V; i++)
        if (lp[i] > lp[best]) best = i;
      EXPECT_EQ(best, r2.answer[k][d]);
      int32_t want = '0' + (int)(keys[k] / (uint32_t)std::pow(10, D - 1 - d) % 10);  // byte tokens
      digits += best == want;
    }
  EXPECT_DOUBLE_EQ(r2.digit_accuracy, digits / 10.0);
  EXPECT_EQ(r2.margin_min > 0, r2.digit_accuracy == 1.0);
  // the same numerics against its own log-probabilities: KLD exactly 0
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.3, 0, keys, 2, nullptr, both.data(), &rk, err, sizeof err), 0) << err;
  EXPECT_EQ(rk.kld_mean, 0.0);
  EXPECT_EQ(rk.kld_max, 0.0);
  EXPECT_EQ(rk.margin_mean, r2.margin_mean);
  lm_numerics_free(nm);
  // bf16 differs from the reference: KLD > 0
  lm_numerics_spec_init(&sp, LM_BK_BF16);
  ASSERT_EQ(lm_numerics_new(&nm, &sp, err, sizeof err), 0) << err;
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.3, 0, keys, 2, nullptr, both.data(), &rk, err, sizeof err), 0) << err;
  EXPECT_GT(rk.kld_mean, 0.0);
  EXPECT_GE(rk.kld_max, rk.kld_mean);
  lm_numerics_free(nm);
}

// Logits that are NaN (as an FP16 run of Gemma 3 gives once its activations overflow) make
// every margin and the KLD NaN, not +inf or 0: a NaN never wins a min or a max.
TEST(LmPasskey, NaNLogitsGiveNaNMarginsAndKld) {
  Tiny &T = tiny();
  ASSERT_NE(T.t, nullptr);
  const int L = 300, V = T.m->c.n_vocab, D = LM_PASSKEY_DIGITS;
  uint32_t key = 27182;
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  lm_numerics *nm;
  char err[512];
  ASSERT_EQ(lm_numerics_new(&nm, &sp, err, sizeof err), 0) << err;
  std::vector<double> ref(D * V);
  lm_passkey_result r;
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.5, 0, &key, 1, ref.data(), nullptr, &r, err, sizeof err), 0) << err;
  ASSERT_TRUE(std::isfinite(r.margin_mean));
  float saved = T.m->out_norm[0];
  T.m->out_norm[0] = NAN;  // every logit becomes NaN
  ASSERT_EQ(lm_passkey_run(T.m, nm, T.t, L, 0.5, 0, &key, 1, nullptr, ref.data(), &r, err, sizeof err), 0) << err;
  T.m->out_norm[0] = saved;
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_TRUE(std::isnan(r.margin_mean)) << r.margin_mean;
  EXPECT_TRUE(std::isnan(r.margin_min)) << r.margin_min;
  EXPECT_TRUE(std::isnan(r.kld_mean)) << r.kld_mean;
  EXPECT_TRUE(std::isnan(r.kld_max)) << r.kld_max;
  lm_numerics_free(nm);
}

TEST(LmPasskey, BadInputIsRefused) {
  Tiny &T = tiny();
  ASSERT_NE(T.t, nullptr);
  char err[512];
  std::vector<int32_t> ids(4096);
  int key_at;
  int fixed = lm_passkey_fixed_tokens(T.t);
  EXPECT_NE(lm_passkey_build(T.t, fixed, 0.5, 12345, ids.data(), &key_at, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("leaves no room for filler"), std::string::npos) << err;
  EXPECT_NE(lm_passkey_build(T.t, 1000, 1.5, 12345, ids.data(), &key_at, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("depth 1.5 is not in [0, 1]"), std::string::npos) << err;
  EXPECT_NE(lm_passkey_build(T.t, 1000, 0.5, 1234, ids.data(), &key_at, err, sizeof err), 0);
  lm_passkey_task *t;
  std::string digits = mpb_test_path("passkey_digits.txt");
  std::ofstream(digits) << "# comment\nA plain sentence.\nThe year 1984 was long.\n";
  EXPECT_NE(lm_passkey_task_new(&t, T.m, digits.c_str(), err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("passkey_digits.txt:3: the filler must not contain digits"), std::string::npos) << err;
  EXPECT_NE(lm_passkey_task_new(&t, T.m, "/no/such/filler.txt", err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("/no/such/filler.txt: cannot open"), std::string::npos) << err;
  std::string empty = mpb_test_path("passkey_empty.txt");
  std::ofstream(empty) << "# nothing but comments\n";
  EXPECT_NE(lm_passkey_task_new(&t, T.m, empty.c_str(), err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("no filler sentences"), std::string::npos) << err;
}

TEST(LmPasskey, CommandLine) {
  Tiny &T = tiny();
  std::string out, bin = mpb_test_bin("mpbsim"), json = mpb_test_path("passkey.json");
  std::remove(json.c_str());
  std::string cmd = bin + " lm passkey --model " + T.path + " --length 400 --depth 0.5 --keys 2 --ref --numerics bf16 --json " + json;
  ASSERT_EQ(mpb_test_run(cmd, &out), 0) << out;
  EXPECT_NE(out.find("400 tokens (key sentence at token"), std::string::npos) << out;
  EXPECT_NE(out.find("cell: accuracy"), std::string::npos) << out;
  EXPECT_NE(out.find("KLD vs ref mean"), std::string::npos) << out;
  std::ifstream f(json);
  std::string j((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(j.find("\"length\": 400"), std::string::npos) << j;
  EXPECT_NE(j.find("\"kld_mean\": "), std::string::npos) << j;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --length 400", &out), 2) << out;  // no model
  EXPECT_NE(out.find("--model FILE is required"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model " + T.path + " --depth 2", &out), 2) << out;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model " + T.path + " --numerics fp8", &out), 2) << out;
  EXPECT_NE(out.find("unknown backend 'fp8'"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model /no/such.gguf", &out), 4) << out;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model " + T.path + " --filler /no/filler", &out), 4) << out;
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model " + T.path + " --length 100", &out), 3) << out;
  EXPECT_NE(out.find("leaves no room for filler"), std::string::npos) << out;
  std::string junk = mpb_test_path("passkey_junk.gguf");
  std::ofstream(junk) << "GGUF but not really";
  EXPECT_EQ(mpb_test_run(bin + " lm passkey --model " + junk, &out), 3) << out;
}

}  // namespace
