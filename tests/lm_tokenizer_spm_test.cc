// lm_tokenizer_spm_test.cc — the SentencePiece-style encoder (lm/tokenizer_spm.c):
// - on a tiny vocabulary the test writes (merge order by score, ties to the left,
//   pre-split longest first, byte fallback, decoding, loader errors, seeded random round
//   trips), without the model;
// - on Gemma 3's vocabulary (after `make models`): a conformance table of 40 strings whose
//   ids are derived by hand from the file's scores (each derivation in a comment), the
//   bundled passage's committed ids, and libsentencepiece (Debian's libsentencepiece-dev)
//   as an independent oracle: a ModelProto built from the GGUF vocabulary must encode
//   seeded random strings to the same ids (on the text where the two are specified to
//   agree: no control-token text, no run of 2+ spaces, valid UTF-8; see docs/models.md).
#include <gtest/gtest.h>

#include <sentencepiece_processor.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "gguf.h"
#include "tokenizer.h"

namespace {

// ---- a GGUF image with only a tokenizer --------------------------------------------
struct Img {
  std::vector<uint8_t> b;
  void u32(uint32_t v) { for (int i = 0; i < 4; i++) b.push_back((uint8_t)(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; i++) b.push_back((uint8_t)(v >> (8 * i))); }
  void f32(float f) { uint32_t w; std::memcpy(&w, &f, 4); u32(w); }
  void str(const std::string &s) { u64(s.size()); b.insert(b.end(), s.begin(), s.end()); }
};

struct Tok {
  std::string text;
  float score;
  int type;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte
};

// Options let a test break the file in one place.
struct VocabOpts {
  std::string model = "llama";
  bool scores = true, types = true, space_prefix = false;
  int score_count_delta = 0;
};

std::vector<uint8_t> vocab_image(const std::vector<Tok> &toks, const VocabOpts &o = VocabOpts()) {
  Img f;
  int nkv = 2 + o.scores + o.types + (o.space_prefix ? 1 : 0);
  f.u32(GGUF_MAGIC); f.u32(3); f.u64(0); f.u64(nkv);
  f.str("tokenizer.ggml.model"); f.u32(GGUF_STRING); f.str(o.model);
  f.str("tokenizer.ggml.tokens"); f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(toks.size());
  for (const Tok &t : toks) f.str(t.text);
  if (o.scores) {
    f.str("tokenizer.ggml.scores"); f.u32(GGUF_ARRAY); f.u32(GGUF_FLOAT32);
    f.u64(toks.size() + o.score_count_delta);
    for (size_t i = 0; i < toks.size() + o.score_count_delta; i++) f.f32(toks[i % toks.size()].score);
  }
  if (o.types) {
    f.str("tokenizer.ggml.token_type"); f.u32(GGUF_ARRAY); f.u32(GGUF_INT32); f.u64(toks.size());
    for (const Tok &t : toks) f.u32((uint32_t)t.type);
  }
  if (o.space_prefix) { f.str("tokenizer.ggml.add_space_prefix"); f.u32(GGUF_BOOL); f.b.push_back(1); }
  return f.b;
}

const char *kSpace = "\xe2\x96\x81";  // U+2581

// The tiny vocabulary. Ids 0-3 control/unknown, 4-6 user-defined, 7-262 the 256 byte
// tokens <0x00>..<0xFF>, then normal tokens with hand-chosen scores.
std::vector<Tok> tiny_vocab() {
  std::vector<Tok> v = {{"<pad>", 0, 3}, {"<bos>", 0, 3}, {"<unk>", 0, 2}, {"<ctl>", 0, 3},
                        {"\n", 0, 4},    {"xy", 0, 4},    {"yzw", 0, 4}};
  for (int b = 0; b < 256; b++) {
    char s[8];
    std::snprintf(s, sizeof s, "<0x%02X>", b);
    v.push_back({s, 0, 6});
  }
  const std::vector<std::pair<std::string, float>> normal = {
      {kSpace, -10}, {"a", -11}, {"b", -12}, {"c", -13}, {"d", -14}, {"x", -15}, {"y", -16},
      {"z", -17},    {"w", -18},
      {"ab", -1},    // 272
      {"ba", -1},    // 273: ties with "ab"
      {"bc", -0.5},  // 274: better than "ab"
      {"cd", -2},    // 275
      {std::string(kSpace) + "a", -3},  // 276 "▁a"
      {"bcd", -4},   // 277
  };
  for (auto &n : normal) v.push_back({n.first, n.second, 1});
  return v;
}
const int kByte0 = 7;  // id of <0x00>
int tiny_id(const std::string &t) {
  std::vector<Tok> v = tiny_vocab();
  for (size_t i = 0; i < v.size(); i++)
    if (v[i].text == t) return (int)i;
  return -1;
}

struct Vocab {
  gguf_file *g = nullptr;
  tok_vocab *v = nullptr;
  char err[512] = {0};
  int rc = -1;
  explicit Vocab(const std::vector<uint8_t> &img) {
    rc = gguf_parse(&g, img.data(), img.size(), "spm.gguf", err, sizeof err);
    if (!rc) rc = tok_load(&v, g, err, sizeof err);
  }
  explicit Vocab(const char *path) {
    rc = gguf_open(&g, path, err, sizeof err);
    if (!rc) rc = tok_load(&v, g, err, sizeof err);
  }
  ~Vocab() { tok_free(v); gguf_close(g); }
  std::vector<int32_t> encode(const std::string &s) {
    std::vector<int32_t> ids(s.size() * 4 + 16);
    size_t n = 0;
    char e[256];
    EXPECT_EQ(tok_encode(v, s.data(), s.size(), ids.data(), ids.size(), &n, e, sizeof e), 0) << e;
    ids.resize(n);
    return ids;
  }
  std::string decode(const std::vector<int32_t> &ids) {
    std::string out;
    for (int32_t id : ids) {
      char p[2048];
      int k = tok_decode(v, id, p, sizeof p);
      EXPECT_GE(k, 0) << id;
      out.append(p, k > 0 ? (size_t)k : 0);
    }
    return out;
  }
};

using Ids = std::vector<int32_t>;

TEST(LmSpmTiny, MergesByScoreTiesToTheLeft) {
  Vocab t(vocab_image(tiny_vocab()));
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_EQ(t.v->model, TOK_MODEL_SPM);
  int a = tiny_id("a"), b = tiny_id("b"), c = tiny_id("c"), d = tiny_id("d");
  int ab = tiny_id("ab"), ba = tiny_id("ba"), bc = tiny_id("bc"), bcd = tiny_id("bcd");
  // "abc": "bc" (-0.5) outscores "ab" (-1) although "ab" is further left: a + bc.
  EXPECT_EQ(t.encode("abc"), (Ids{a, bc}));
  // "aba": "ab" and "ba" tie at -1; the leftmost pair merges first: ab + a.
  EXPECT_EQ(t.encode("aba"), (Ids{ab, a}));
  EXPECT_EQ(t.encode("bab"), (Ids{ba, b}));
  // "bcd": bc (-0.5) first, then bc+d = "bcd" (-4) is an entry; "cd" (-2) never forms.
  EXPECT_EQ(t.encode("bcd"), (Ids{bcd}));
  // "cda": cd (-2); "cda"/"da" are not entries.
  EXPECT_EQ(t.encode("cda"), (Ids{tiny_id("cd"), a}));
  // ' ' becomes U+2581 and merges like any character: " a b" -> "▁a" + "▁" + "b".
  EXPECT_EQ(t.encode(" a b"), (Ids{tiny_id(std::string(kSpace) + "a"), tiny_id(kSpace), b}));
  EXPECT_EQ(t.encode(""), Ids{});
  (void)c, (void)d;
}

TEST(LmSpmTiny, PreSplitLongestFirstAndByteFallback) {
  Vocab t(vocab_image(tiny_vocab()));
  ASSERT_EQ(t.rc, 0) << t.err;
  int x = tiny_id("x"), z = tiny_id("z"), xy = tiny_id("xy"), yzw = tiny_id("yzw");
  // User-defined "yzw" (3 bytes) is cut out before "xy" (2 bytes), as llama.cpp's
  // tokenizer_st_partition does, although "xy" starts further left: x + yzw.
  EXPECT_EQ(t.encode("xyzw"), (Ids{x, yzw}));
  EXPECT_EQ(t.encode("xyz"), (Ids{xy, z}));
  // Control tokens written literally are cut out too; "\n" is user-defined.
  EXPECT_EQ(t.encode("a<ctl>\n<bos>"), (Ids{tiny_id("a"), 3, 4, 1}));
  EXPECT_EQ(t.encode("<ctl"), (Ids{kByte0 + '<', tiny_id("c"), kByte0 + 't', kByte0 + 'l'}));
  // Characters without an entry fall back to their UTF-8 bytes' tokens.
  EXPECT_EQ(t.encode("\xc3\xa9"), (Ids{kByte0 + 0xc3, kByte0 + 0xa9}));  // é
  EXPECT_EQ(t.encode("a\x01" "b"), (Ids{tiny_id("a"), kByte0 + 1, tiny_id("b")}));
  // An invalid lead byte takes as many bytes as it announces: 0xE2 'a' 'b' is one
  // 3-byte symbol, no entry, so three byte tokens (no "ab" merge across it).
  EXPECT_EQ(t.encode("\xe2" "ab"), (Ids{kByte0 + 0xe2, kByte0 + 'a', kByte0 + 'b'}));
  // Decoding: bytes give their byte, U+2581 gives ' ', control tokens their text.
  EXPECT_EQ(t.decode({kByte0 + 0xc3, kByte0 + 0xa9, tiny_id(std::string(kSpace) + "a"), 3}),
            "\xc3\xa9 a<ctl>");
}

// The bound of tokenizer.h: without a "▁" piece an escaped space is spelled by its three
// UTF-8 bytes, so a text of spaces needs TOK_MAX_IDS_PER_BYTE ids per byte; one id fewer
// is refused with a message, not overrun (the fuzzer found the bound; fuzz-spm checks it).
TEST(LmSpmTiny, ThreeIdsPerByteAtMost) {
  std::vector<Tok> v;
  for (const Tok &t : tiny_vocab())
    if (t.text.find(kSpace) == std::string::npos) v.push_back(t);
  Vocab t(vocab_image(v));
  ASSERT_EQ(t.rc, 0) << t.err;
  const std::string s = "  a   ";
  std::vector<int32_t> ids(TOK_MAX_IDS_PER_BYTE * s.size());
  size_t n = 0;
  char e[256] = "";
  ASSERT_EQ(tok_encode(t.v, s.data(), s.size(), ids.data(), ids.size(), &n, e, sizeof e), 0) << e;
  EXPECT_EQ(n, 3u * 5 + 1);  // five spaces as 0xE2 0x96 0x81, and "a"
  EXPECT_EQ(ids[0], kByte0 + 0xe2);
  // byte tokens decode to their bytes, so the spaces come back escaped (as in llama.cpp)
  const std::string sp2 = std::string(kSpace) + kSpace;
  EXPECT_EQ(t.decode(Ids(ids.begin(), ids.begin() + (long)n)), sp2 + "a" + sp2 + kSpace);
  EXPECT_EQ(tok_encode(t.v, s.data(), s.size(), ids.data(), n - 1, &n, e, sizeof e), -1);
  EXPECT_NE(std::string(e).find("more than 15 tokens"), std::string::npos) << e;
}

std::string unescape(std::string s) {
  for (size_t p; (p = s.find(kSpace)) != std::string::npos;) s.replace(p, 3, " ");
  return s;
}

bool valid_utf8(const std::string &s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = (unsigned char)s[i];
    size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!k || i + k > s.size()) return false;
    for (size_t j = 1; j < k; j++)
      if (((unsigned char)s[i + j] & 0xc0) != 0x80) return false;
    i += k;
  }
  return true;
}

// decode(encode(x)) == x for valid UTF-8 without U+2581. With invalid UTF-8 a lead byte
// can swallow the escaped space that follows it into one byte-fallback symbol (llama.cpp
// does the same), so the round trip holds up to U+2581 -> ' ' there.
TEST(LmSpmTiny, RandomStringsRoundTrip) {
  uint64_t s = mpb_test_seed("LmSpmTiny.RandomStringsRoundTrip");
  Vocab t(vocab_image(tiny_vocab()));
  ASSERT_EQ(t.rc, 0) << t.err;
  const std::vector<std::string> pieces = {"a", "b", "c", "d", " ", "\n", "xy", "z", "w", "<ctl>",
                                           "<bo", "\xc3\xa9", "\xff", "\x80", "\xe2", std::string("\0", 1)};
  int exact = 0;
  for (int it = 0; it < 2000; it++) {
    std::string x;
    int n = (int)(mpb_test_rand(&s) % 24);
    for (int k = 0; k < n; k++) x += pieces[mpb_test_rand(&s) % pieces.size()];
    if (x.find(kSpace) != std::string::npos) continue;  // cannot round-trip by design
    std::string back = t.decode(t.encode(x));
    if (valid_utf8(x)) {
      ASSERT_EQ(back, x) << "iteration " << it;
      exact++;
    } else {
      ASSERT_EQ(unescape(back), x) << "iteration " << it;
    }
  }
  EXPECT_GT(exact, 200);
}

TEST(LmSpmTiny, LoaderErrorsNameTheKey) {
  struct Case {
    VocabOpts o;
    std::string message;
  } cases[4];
  cases[0].o.scores = false;
  cases[0].message = "spm.gguf: tokenizer.ggml.scores must be a float32 array of 278 entries";
  cases[1].o.score_count_delta = -1;
  cases[1].message = "tokenizer.ggml.scores must be a float32 array of 278 entries";
  cases[2].o.space_prefix = true;
  cases[2].message = "tokenizer.ggml.add_space_prefix = true is not supported";
  cases[3].o.model = "bert";
  cases[3].message = "tokenizer.ggml.model = 'bert' is not 'gpt2' or 'llama'";
  for (const Case &c : cases) {
    Vocab t(vocab_image(tiny_vocab(), c.o));
    EXPECT_NE(t.rc, 0) << c.message;
    EXPECT_NE(std::string(t.err).find(c.message), std::string::npos) << t.err;
  }
  VocabOpts nt;
  nt.types = false;
  Vocab t(vocab_image(tiny_vocab(), nt));
  EXPECT_NE(std::string(t.err).find("tokenizer.ggml.token_type is required"), std::string::npos) << t.err;
}

// ---- libsentencepiece as an oracle -------------------------------------------------
// ModelProto serialized by hand (protobuf wire format): pieces (field 1: piece, score,
// type), trainer_spec (field 2: model_type BPE, byte_fallback), normalizer_spec (field 3:
// identity, no dummy prefix, no whitespace removal, escape whitespace).
struct Pb {
  std::string b;
  void varint(uint64_t v) { while (v >= 0x80) { b += (char)(v | 0x80); v >>= 7; } b += (char)v; }
  void key(int f, int wt) { varint((uint64_t)f << 3 | wt); }
  void bytes(int f, const std::string &s) { key(f, 2); varint(s.size()); b += s; }
  void vint(int f, uint64_t v) { key(f, 0); varint(v); }
  void f32(int f, float x) { key(f, 5); char c[4]; std::memcpy(c, &x, 4); b.append(c, 4); }
};

// unk: the id SentencePiece must see as UNKNOWN (it requires exactly one; Gemma's GGUF
// types its <unk> as control).
std::string model_proto(const tok_vocab *v, const gguf_file *g, int unk) {
  const gguf_kv *sc = gguf_find_kv(g, "tokenizer.ggml.scores");
  Pb m;
  for (uint32_t i = 0; i < v->n; i++) {
    Pb p;
    p.bytes(1, std::string(v->tokens[i].ptr, v->tokens[i].len));
    float s;
    std::memcpy(&s, sc->arr_data + 4 * (size_t)i, 4);
    p.f32(2, s);
    p.vint(3, (int)i == unk ? 2 : v->type[i]);
    m.bytes(1, p.b);
  }
  Pb ts;
  ts.vint(3, 2);    // model_type = BPE
  ts.vint(35, 1);   // byte_fallback
  ts.vint(40, unk); // unk_id
  m.bytes(2, ts.b);
  Pb ns;
  ns.bytes(1, "identity");
  ns.vint(3, 0);  // add_dummy_prefix
  ns.vint(4, 0);  // remove_extra_whitespaces
  ns.vint(5, 1);  // escape_whitespaces
  m.bytes(3, ns.b);
  return m.b;
}

void expect_oracle_agrees(Vocab &t, int unk, const std::vector<std::string> &texts) {
  sentencepiece::SentencePieceProcessor sp;
  auto st = sp.LoadFromSerializedProto(model_proto(t.v, t.g, unk));
  ASSERT_TRUE(st.ok()) << st.ToString();
  int agree = 0;
  for (const std::string &x : texts) {
    std::vector<int> ref;
    ASSERT_TRUE(sp.Encode(x, &ref).ok());
    Ids ours = t.encode(x);
    EXPECT_EQ(Ids(ref.begin(), ref.end()), ours) << "text: '" << x << "'";
    agree += Ids(ref.begin(), ref.end()) == ours;
  }
  std::printf("[ oracle   ] libsentencepiece agrees on %d of %zu strings\n", agree, texts.size());
}

TEST(LmSpmTiny, AgreesWithLibSentencePiece) {
  uint64_t s = mpb_test_seed("LmSpmTiny.AgreesWithLibSentencePiece");
  Vocab t(vocab_image(tiny_vocab()));
  ASSERT_EQ(t.rc, 0) << t.err;
  const std::vector<std::string> pieces = {"a", "b", "c", "d", " a", "z", "w", "\xc3\xa9"};
  std::vector<std::string> texts = {"abc", "aba", "bab", "bcd", " a b", "abcdabcd"};
  for (int it = 0; it < 500; it++) {
    std::string x;
    int n = 1 + (int)(mpb_test_rand(&s) % 16);
    for (int k = 0; k < n; k++) x += pieces[mpb_test_rand(&s) % pieces.size()];
    texts.push_back(x);
  }
  expect_oracle_agrees(t, 2, texts);
}

// ---- Gemma 3's vocabulary ----------------------------------------------------------
const char *kGemma = "models/gemma-3-270m-q4_k_m.gguf";

bool have_gemma() {
  if (FILE *f = std::fopen(kGemma, "rb")) {
    std::fclose(f);
    return true;
  }
  return false;
}

struct Conf {
  std::string text;
  Ids ids;
};

// Expected ids derived by hand from tokenizer.ggml.scores / token_type of the file.
// Notation: "x+y=xy(s)" is a merge and the score s of the entry xy, listed in the order
// the scores dictate (highest first, ties leftmost); ▁ is U+2581 (the escaped space).
// Every normal token's score is -(id - 494) or close (the file lists pieces by rank), so
// a lower id means an earlier merge. Ids: "▁" 236743, "\n" 107, "\n\n" 108, "  " 138,
// "\t" 255968, <0xXX> = 238 + XX, <bos> 2, <start_of_turn> 105, <end_of_turn> 106.
const std::vector<Conf> kGemmaTable = {
    // 1. ' ' -> ▁; o+r=or(-10) ▁+w=▁w(-21) e+l=el(-41) l+d=ld(-177) el+l=ell(-219)
    //    ▁w+or=▁wor(-968) ▁wor+ld=▁world(-1408) ell+o=ello(-3833) H+ello=Hello(-8765)
    {"Hello world", {9259, 1902}},
    // 2. leading space merges into the word: ▁+t=▁t(-0) h+e=he(-5) ▁t+he=▁the(-12)
    {" the", {506}},
    // 3. trailing space stays alone: h+e=he(-5) t+he=the(-943); "the▁" is no entry
    {"the ", {1437, 236743}},
    // 4. two spaces are the user-defined token "  " (138), cut out before any merge
    {"a  b", {236746, 138, 236763}},
    // 5. leading double space: "  " (138), then w+o=wo(-520) t+wo=two(-13004)
    {"  two", {138, 13498}},
    // 6. three spaces: user-defined "   " (139), longest first
    {"   ", {139}},
    // 7. newline is user-defined (107)
    {"\n", {107}},
    // 8. "a", "\n", "b": no merge across a cut-out token
    {"a\nb", {236746, 107, 236763}},
    // 9. "\n\n" is one user-defined token (108), longer than "\n"
    {"a\n\nb", {236746, 108, 236763}},
    // 10. four newlines: "\n\n\n\n" (110)
    {"\n\n\n\n", {110}},
    // 11. the space after a newline starts the next word: ▁+y=▁y(-76)
    {"x\n y", {236781, 107, 570}},
    // 12. '\r' has no entry: byte fallback <0x0D> (238 + 13 = 251)
    {"a\rb", {236746, 251, 236763}},
    // 13. tab is user-defined (255968); i+n=in(-1) e+n=en(-7) en+t=ent(-39)
    //     in+d=ind(-230) ind+ent=indent(-32205)
    {"\tindent", {255968, 32699}},
    // 14. digits are single tokens (the vocabulary has no multi-digit entry): 2 0 2 4
    {"2024", {236778, 236771, 236778, 236812}},
    // 15. "▁5" is no entry: "▁" alone, "5", then ▁+a=▁a(-2) e+s=es(-13) p+p=pp(-118)
    //     ▁a+pp=▁app(-356) l+es=les(-580) ▁app+les=▁apples(-35663)
    {" 5 apples", {236743, 236810, 36157}},
    // 16. a passkey sentence: i+s=is(-17) a+s=as(-33) ▁+is=▁is(-69) as+s=ass(-208)
    //     e+y=ey(-578) k+ey=key(-1984) p+ass=pass(-3879); "passkey" is no entry;
    //     " 48213." -> ▁ 4 8 2 1 3 .
    {"passkey is 48213.", {4373, 2478, 563, 236743, 236812, 236828, 236778, 236770, 236800, 236761}},
    // 17. 3 . 1 4: no digit or "." merges exist
    {"3.14", {236800, 236761, 236770, 236812}},
    // 18. "-" and "7"
    {"-7", {236772, 236832}},
    // 19. 0 x 1 F: "0x" is no entry
    {"0x1F", {236771, 236781, 236770, 236811}},
    // 20. as 1, plus "," and "!" that merge with nothing
    {"Hello, world!", {9259, 236764, 1902, 236888}},
    // 21. o+n=on(-4) d+on=don(-12752); "'t" / "n't" are no entries: ' t
    {"don't", {13246, 236789, 236745}},
    // 22. e . g . : "e." and ".g" are no entries
    {"e.g.", {236744, 236761, 236759, 236761}},
    // 23. ( a )
    {"(a)", {236769, 236746, 236768}},
    // 24. a+f=af(-1954) beats c+a=ca(-2790), then c+af=caf(-122631); "fé" never forms
    {"café", {123125, 236859}},
    // 25. v+e=ve(-66) n+a=na(-1295); "ï" alone (238527)
    {"naïve", {1789, 238527, 560}},
    // 26. 日+本=日本(-10462) 日本+語=日本語(-94457)
    {"日本語", {94951}},
    // 27. one emoji, one entry (242398)
    {"\xf0\x9f\x98\x80", {242398}},
    // 28. NUL has no entry: <0x00> (238)
    {std::string("\0", 1), {238}},
    // 29. U+A66E (3 bytes EA 99 AE) has no entry: three byte tokens
    {"\xea\x99\xae", {238 + 0xea, 238 + 0x99, 238 + 0xae}},
    // 30. NBSP (C2 A0) has no entry: two byte tokens (not a space, not ▁)
    {"\xc2\xa0", {238 + 0xc2, 238 + 0xa0}},
    // 31. ties go left: a+a=aa(-8742) three times equal; (0,1) first, then (2,3), then
    //     aa+aa=aaaa(-49860) ("aaa" -71510 would need an unmerged "a")
    {"aaaa", {50354}},
    // 32. by score, not left to right: i+n=in(-1) e+s=es(-13) u+n=un(-108) p+p=pp(-118)
    //     es+s=ess(-140) a+pp=app(-616) in+ess=iness(-1089) h+app=happ(-72205)
    //     happ+iness=happiness(-130245); "unh" is no entry
    {"unhappiness", {602, 130739}},
    // 33. o+n=on(-4) e+n=en(-7) a+t=at(-8) i+on=ion(-32) at+ion=ation(-73) o+k=ok(-186)
    //     i+z=iz(-191) ok+en=oken(-571) t+oken=token(-620) iz+ation=ization(-1360)
    {"tokenization", {1114, 1854}},
    // 34. control and user-defined tokens cut out: <start_of_turn> user \n Hi
    //     <end_of_turn> \n; e+r=er(-3) u+s=us(-111) us+er=user(-1870); H+i=Hi(-10485)
    {"<start_of_turn>user\nHi<end_of_turn>\n", {105, 2364, 107, 10979, 106, 107}},
    // 35. <bos> written literally is the control token 2
    {"<bos>Hello", {2, 9259}},
    // 36. an incomplete control token is plain text: a+r=ar(-22) s+t=st(-46) u+r=ur(-62)
    //     ar+t=art(-167) u+r... t+urn=turn(-393) o+f=of(-846) st+art=start(-2547):
    //     < start _ of _ turn
    {"<start_of_turn", {236820, 3041, 236779, 1340, 236779, 887}},
    // 37. HTML tags are user-defined (200 "<b>", 209 "</b>"); o+l=ol(-57) ol+d=old(-453)
    //     b+old=bold(-15146)
    {"<b>bold</b>", {200, 15640, 209}},
    // 38. a literal ▁ is just a character: ▁+y=▁y(-76) (decodes to " y": the one
    //     text that does not round-trip)
    {"x\xe2\x96\x81y", {236781, 570}},
    // 39. ö+d=öd(-55021) is the only merge; Ü n ï c öd é
    {"Ünïcödé", {238194, 236749, 238527, 236755, 55515, 236859}},
    // 40. the passkey question: e+r=er(-3) h+e=he(-5) ... ▁p+ass=▁pass(-1292)
    //     ▁k+ey=▁key(-1813) T+he=The(-324); " 71942." -> ▁ 7 1 9 4 2 .;
    //     ▁R+em=▁Rem(-6169) ▁Rem+ember=▁Remember(-20935); ▁+it=▁it(-131)
    {"The pass key is 71942. Remember it.",
     {818, 1786, 2307, 563, 236743, 236832, 236770, 236819, 236812, 236778, 236761, 21429, 625, 236761}},
};

TEST(LmSpmGemma, ConformanceTable) {
  if (!have_gemma()) GTEST_SKIP() << kGemma << " is absent: run `make models`";
  Vocab t(kGemma);
  ASSERT_EQ(t.rc, 0) << t.err;
  ASSERT_EQ(t.v->model, TOK_MODEL_SPM);
  EXPECT_EQ(t.v->bos, 2);
  EXPECT_EQ(t.v->eos, 1);
  EXPECT_TRUE(t.v->add_bos);
  ASSERT_GE(kGemmaTable.size(), 30u);
  for (const Conf &c : kGemmaTable) {
    EXPECT_EQ(t.encode(c.text), c.ids) << "text: '" << c.text << "'";
    if (c.text.find(kSpace) == std::string::npos) {
      EXPECT_EQ(t.decode(c.ids), c.text) << "text: '" << c.text << "'";
    }
  }
}

std::string slurp(const char *path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(LmSpmGemma, PassageIdsAndRoundTrip) {
  if (!have_gemma()) GTEST_SKIP() << kGemma << " is absent: run `make models`";
  Vocab t(kGemma);
  ASSERT_EQ(t.rc, 0) << t.err;
  std::string text = slurp("data/passage.txt");
  ASSERT_FALSE(text.empty());
  Ids ids = t.encode(text);
  EXPECT_EQ(t.decode(ids), text);
  // data/passage-gemma3.tokens is <bos> followed by these ids.
  std::vector<int32_t> file(4096);
  size_t n;
  char err[256];
  ASSERT_EQ(tok_read_ids("data/passage-gemma3.tokens", (int32_t)t.v->n, file.data(), file.size(), &n, err, sizeof err), 0) << err;
  file.resize(n);
  ASSERT_EQ(file.size(), ids.size() + 1);
  EXPECT_EQ(file[0], t.v->bos);
  EXPECT_EQ(Ids(file.begin() + 1, file.end()), ids);
}

TEST(LmSpmGemma, AgreesWithLibSentencePiece) {
  if (!have_gemma()) GTEST_SKIP() << kGemma << " is absent: run `make models`";
  uint64_t s = mpb_test_seed("LmSpmGemma.AgreesWithLibSentencePiece");
  Vocab t(kGemma);
  ASSERT_EQ(t.rc, 0) << t.err;
  const std::vector<std::string> pieces = {
      "the", " of", " and", "ing", "tion", " un", "re", "a", "e", "s", " ", "\n", "\n\n", "\t",
      "0", "1", "7", "42", ".", ",", "!", "?", "'", "\"", "(", ")", "-", ":", "é", "ß", "ï",
      "日本", "語", "\xf0\x9f\x98\x80", "\xea\x99\xae", "\r", "Key", " pass", "word", "X", "q"};
  std::vector<std::string> texts;
  for (const Conf &c : kGemmaTable)  // the table's strings within the agreed domain
    if (c.text.find('<') == std::string::npos && c.text.find("  ") == std::string::npos &&
        c.text.find(kSpace) == std::string::npos)
      texts.push_back(c.text);
  texts.push_back(slurp("data/passage.txt"));
  for (int it = 0; it < 400; it++) {
    std::string x;
    int n = 1 + (int)(mpb_test_rand(&s) % 20);
    for (int k = 0; k < n; k++) {
      const std::string &p = pieces[mpb_test_rand(&s) % pieces.size()];
      if (p[0] == ' ' && !x.empty() && x.back() == ' ') continue;  // no run of 2+ spaces
      x += p;
    }
    texts.push_back(x);
  }
  expect_oracle_agrees(t, 3, texts);
}

}  // namespace
