// lm_gguf_test.cc — the strict GGUF reader on files the test writes itself (valid,
// truncated at every length, bad counts/offsets/types, oversized strings), exhaustive
// fp16 conversion, hand-computed Q4_0/Q4_1/Q5_0/Q8_0/Q4_K/Q6_K blocks, and the real
// SmolLM2 and Gemma 3 files when `make models` has fetched them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "gguf.h"
#include "lm_util.h"
#include "tokenizer.h"

namespace {

using Builder = GgufBuilder;  // tests/lm_util.h

struct Parsed {
  gguf_file *g = nullptr;
  char err[512] = {0};
  int rc;
  explicit Parsed(const std::vector<uint8_t> &img) {
    rc = gguf_parse(&g, img.data(), img.size(), "test.gguf", err, sizeof err);
  }
  ~Parsed() { gguf_close(g); }
};

// Hand-chosen K-quant contents (the expected values are derived from these in
// DequantizesHandComputedBlocks, independently of the decoder).
const uint8_t kQ4kScale[8] = {1, 2, 3, 4, 33, 50, 63, 17};  // 6-bit; s >= 4 use the high bits
const uint8_t kQ4kMin[8] = {0, 5, 10, 15, 20, 40, 60, 1};
uint8_t q4k_code(int l, int hi) { return hi ? (uint8_t)((7 * l + 3) & 15) : (uint8_t)(l & 15); }
int8_t q6k_scale(int s) { return (int8_t)((s - 8) * 3); }   // -24 .. 21, negatives too
int q6k_code(int e) { return (e * 5 + 1) & 63; }              // 6-bit code of element e

// Pack 8 scales and mins into Q4_K's 12 bytes, as the layout is documented (ggml's
// get_scale_min_k4 read backwards): bytes 0-3 scales 0-3 (low 6 bits) with the top 2 bits
// of scales 4-7 in their top bits; bytes 4-7 mins 0-3 with the top bits of mins 4-7;
// bytes 8-11 low nibble = scale 4-7 & 15, high nibble = min 4-7 & 15.
void pack_q4k_scales(uint8_t *q) {
  for (int s = 0; s < 4; s++) {
    q[s] = (uint8_t)(kQ4kScale[s] | (kQ4kScale[s + 4] >> 4) << 6);
    q[s + 4] = (uint8_t)(kQ4kMin[s] | (kQ4kMin[s + 4] >> 4) << 6);
    q[s + 8] = (uint8_t)((kQ4kScale[s + 4] & 15) | (kQ4kMin[s + 4] & 15) << 4);
  }
}

// The hand-chosen blocks of the new types (expected values in DequantizesHandComputedBlocks).
// Q5_0: d = 0.5 (0x3800); qh = 0x00ffaaaa: bit j (element j) set for odd j < 16, bit
// 16 + j (element 16 + j) set for j < 8; code byte j: low nibble j, high nibble 15 - j.
void fill_q5_0(uint8_t *d) {
  d[0] = 0x00; d[1] = 0x38;
  d[2] = 0xaa; d[3] = 0xaa; d[4] = 0xff; d[5] = 0x00;
  for (int j = 0; j < 16; j++) d[6 + j] = (uint8_t)(j | (15 - j) << 4);
}

// Q4_K: d = 1 (0x3c00), dmin = 0.5 (0x3800), the scales/mins above, and in group g code
// byte l = low nibble (sub-block 2g) | high nibble (sub-block 2g + 1) << 4.
void fill_q4_k(uint8_t *d) {
  d[0] = 0x00; d[1] = 0x3c; d[2] = 0x00; d[3] = 0x38;
  pack_q4k_scales(d + 4);
  for (int g = 0; g < 4; g++)
    for (int l = 0; l < 32; l++) d[16 + 32 * g + l] = (uint8_t)(q4k_code(l, 0) | q4k_code(l, 1) << 4);
}

// Q6_K: 6-bit codes packed as documented: element e = 128h + 32k + l puts its low 4
// bits in ql[64h + 32(k & 1) + l] (low nibble for k < 2, high nibble for k >= 2) and
// its high 2 bits in qh[32h + l] at bit 2k; scales[s] for s = e / 16; d = 0.25 (0x3400)
// in the last 2 bytes.
void fill_q6_k(uint8_t *q6) {
  for (int e = 0; e < 256; e++) {
    int h = e / 128, k = (e % 128) / 32, l = e % 32, q = q6k_code(e);
    q6[64 * h + 32 * (k & 1) + l] |= (uint8_t)((q & 15) << (k >= 2 ? 4 : 0));
    q6[128 + 32 * h + l] |= (uint8_t)((q >> 4) << (2 * k));
  }
  for (int s = 0; s < 16; s++) q6[192 + s] = (uint8_t)q6k_scale(s);
  q6[208] = 0x00; q6[209] = 0x34;
}

// A file with one key of every scalar type, a string, arrays (u8, string), and 8 tensors
// of the 8 supported types. Returns the builder; data values are chosen by hand.
Builder valid_file() {
  Builder f;
  f.header(8, 17);
  f.str("general.architecture"); f.u32(GGUF_STRING); f.str("llama");
  f.str("k.u8"); f.u32(GGUF_UINT8); f.u8(200);
  f.str("k.i8"); f.u32(GGUF_INT8); f.u8(0x80);
  f.str("k.u16"); f.u32(GGUF_UINT16); f.u8(0x34); f.u8(0x12);
  f.str("k.i16"); f.u32(GGUF_INT16); f.u8(0xff); f.u8(0xff);
  f.kv_u32("k.u32", 4000000000u);
  f.str("k.i32"); f.u32(GGUF_INT32); f.u32((uint32_t)-7);
  f.str("k.f32"); f.u32(GGUF_FLOAT32); f.f32(1.5f);
  f.str("k.bool"); f.u32(GGUF_BOOL); f.u8(1);
  f.str("k.u64"); f.u32(GGUF_UINT64); f.u64(1ull << 40);
  f.str("k.i64"); f.u32(GGUF_INT64); f.u64((uint64_t)-3);
  f.str("k.f64"); f.u32(GGUF_FLOAT64); { double d = -2.25; uint64_t w; std::memcpy(&w, &d, 8); f.u64(w); }
  f.str("k.arr_u8"); f.u32(GGUF_ARRAY); f.u32(GGUF_UINT8); f.u64(3); f.u8(1); f.u8(2); f.u8(3);
  f.str("k.arr_str"); f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(2); f.str("ab"); f.str("");
  f.str("k.arr_i32"); f.u32(GGUF_ARRAY); f.u32(GGUF_INT32); f.u64(2); f.u32(5); f.u32((uint32_t)-5);
  f.str("k.empty_arr"); f.u32(GGUF_ARRAY); f.u32(GGUF_FLOAT32); f.u64(0);
  f.kv_u32("general.alignment", 64);
  // tensors: offsets are multiples of 64
  f.tensor("t.f32", {4}, GGML_F32, 0);        // 16 bytes
  f.tensor("t.f16", {2, 2}, GGML_F16, 64);    // 8 bytes
  f.tensor("t.q4_0", {32}, GGML_Q4_0, 128);   // 18 bytes
  f.tensor("t.q4_1", {32, 2}, GGML_Q4_1, 192); // 40 bytes
  f.tensor("t.q8_0", {32}, GGML_Q8_0, 256);   // 34 bytes
  f.tensor("t.q5_0", {32}, GGML_Q5_0, 320);   // 22 bytes
  f.tensor("t.q4_k", {256}, GGML_Q4_K, 384);  // 144 bytes
  f.tensor("t.q6_k", {256}, GGML_Q6_K, 576);  // 210 bytes: ends the file
  f.align(64);
  size_t base = f.b.size();
  f.b.resize(base + 786, 0);
  uint8_t *d = f.b.data() + base;
  float fv[4] = {1.0f, -2.0f, 0.5f, 3.0e-3f};
  std::memcpy(d, fv, 16);
  const uint16_t h[4] = {0x3c00, 0xc000, 0x3800, 0x0001};  // 1, -2, 0.5, 2^-24
  for (int i = 0; i < 4; i++) { d[64 + 2 * i] = h[i] & 0xff; d[64 + 2 * i + 1] = h[i] >> 8; }
  // Q4_0: d = 2 (0x4000); byte j: low nibble j, high nibble 15 - j
  d[128] = 0x00; d[129] = 0x40;
  for (int j = 0; j < 16; j++) d[130 + j] = (uint8_t)(j | (15 - j) << 4);
  // Q4_1 block 0: d = 0.5 (0x3800), m = -1 (0xbc00); same codes. Block 1: d = 0, m = 3.
  d[192] = 0x00; d[193] = 0x38; d[194] = 0x00; d[195] = 0xbc;
  for (int j = 0; j < 16; j++) d[196 + j] = (uint8_t)(j | (15 - j) << 4);
  d[212] = 0; d[213] = 0; d[214] = 0x00; d[215] = 0x42;  // m = 3.0 (0x4200)
  // Q8_0: d = 0.25 (0x3400), codes -16..15
  d[256] = 0x00; d[257] = 0x34;
  for (int j = 0; j < 32; j++) d[258 + j] = (uint8_t)(int8_t)(j - 16);
  fill_q5_0(d + 320);
  fill_q4_k(d + 384);
  fill_q6_k(d + 576);
  return f;
}

TEST(LmGguf, ValidFileEveryValueType) {
  Builder f = valid_file();
  Parsed p(f.b);
  ASSERT_EQ(p.rc, 0) << p.err;
  const gguf_file *g = p.g;
  EXPECT_EQ(g->version, 3u);
  EXPECT_EQ(g->n_kv, 17u);
  EXPECT_EQ(g->alignment, 64u);
  EXPECT_EQ(g->data_offset % 64, 0u);
  char s[32], err[256];
  ASSERT_EQ(gguf_get_string(g, "general.architecture", s, sizeof s, err, sizeof err), 0);
  EXPECT_STREQ(s, "llama");
  int64_t v;
  ASSERT_EQ(gguf_get_int(g, "k.u8", 0, 255, &v, err, sizeof err), 0); EXPECT_EQ(v, 200);
  ASSERT_EQ(gguf_get_int(g, "k.i8", -128, 127, &v, err, sizeof err), 0); EXPECT_EQ(v, -128);
  ASSERT_EQ(gguf_get_int(g, "k.u16", 0, 65535, &v, err, sizeof err), 0); EXPECT_EQ(v, 0x1234);
  ASSERT_EQ(gguf_get_int(g, "k.i16", -5, 5, &v, err, sizeof err), 0); EXPECT_EQ(v, -1);
  ASSERT_EQ(gguf_get_int(g, "k.u32", 0, INT64_MAX, &v, err, sizeof err), 0); EXPECT_EQ(v, 4000000000LL);
  ASSERT_EQ(gguf_get_int(g, "k.i32", -10, 0, &v, err, sizeof err), 0); EXPECT_EQ(v, -7);
  ASSERT_EQ(gguf_get_int(g, "k.u64", 0, INT64_MAX, &v, err, sizeof err), 0); EXPECT_EQ(v, 1LL << 40);
  ASSERT_EQ(gguf_get_int(g, "k.i64", -3, -3, &v, err, sizeof err), 0); EXPECT_EQ(v, -3);
  double d;
  ASSERT_EQ(gguf_get_float(g, "k.f32", 0, 2, &d, err, sizeof err), 0); EXPECT_EQ(d, 1.5);
  ASSERT_EQ(gguf_get_float(g, "k.f64", -3, 0, &d, err, sizeof err), 0); EXPECT_EQ(d, -2.25);
  EXPECT_EQ(gguf_find_kv(g, "k.bool")->v.u, 1u);
  const gguf_kv *a = gguf_find_kv(g, "k.arr_u8");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->arr_n, 3u); EXPECT_EQ(a->arr_data[2], 3);
  a = gguf_find_kv(g, "k.arr_str");
  ASSERT_EQ(a->arr_n, 2u);
  EXPECT_EQ(std::string(a->arr_str[0].ptr, a->arr_str[0].len), "ab");
  EXPECT_EQ(a->arr_str[1].len, 0u);
  EXPECT_EQ(gguf_find_kv(g, "k.empty_arr")->arr_n, 0u);
  // range and type errors of the getters name the key and the range
  EXPECT_NE(gguf_get_int(g, "k.u8", 0, 100, &v, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("'k.u8' = 200 is not in [0, 100]"), std::string::npos) << err;
  EXPECT_NE(gguf_get_int(g, "k.f32", 0, 100, &v, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("expected an integer"), std::string::npos) << err;
  EXPECT_NE(gguf_get_float(g, "missing.key", 0, 1, &d, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("'missing.key' is missing"), std::string::npos) << err;
}

TEST(LmGguf, DequantizesHandComputedBlocks) {
  Builder f = valid_file();
  Parsed p(f.b);
  ASSERT_EQ(p.rc, 0) << p.err;
  char err[256];
  float o[64];
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.f32", 1, nullptr, o, err, sizeof err), 0) << err;
  EXPECT_EQ(o[1], -2.0f); EXPECT_EQ(o[3], 3.0e-3f);
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.f16", 2, nullptr, o, err, sizeof err), 0) << err;
  EXPECT_EQ(o[0], 1.0f); EXPECT_EQ(o[1], -2.0f); EXPECT_EQ(o[2], 0.5f);
  EXPECT_EQ(o[3], std::ldexp(1.0f, -24));
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q4_0", 1, nullptr, o, err, sizeof err), 0) << err;
  for (int j = 0; j < 16; j++) {
    EXPECT_EQ(o[j], 2.0f * (j - 8)) << j;            // low nibble: element j
    EXPECT_EQ(o[j + 16], 2.0f * (15 - j - 8)) << j;  // high nibble: element j + 16
  }
  const uint64_t ne[2] = {32, 2};
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q4_1", 2, ne, o, err, sizeof err), 0) << err;
  for (int j = 0; j < 16; j++) {
    EXPECT_EQ(o[j], 0.5f * j - 1.0f) << j;
    EXPECT_EQ(o[j + 16], 0.5f * (15 - j) - 1.0f) << j;
    EXPECT_EQ(o[32 + j], 3.0f);
    EXPECT_EQ(o[48 + j], 3.0f);
  }
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q8_0", 1, nullptr, o, err, sizeof err), 0) << err;
  for (int j = 0; j < 32; j++) EXPECT_EQ(o[j], 0.25f * (j - 16)) << j;
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q5_0", 1, nullptr, o, err, sizeof err), 0) << err;
  for (int j = 0; j < 16; j++) {
    EXPECT_EQ(o[j], 0.5f * (j + (j % 2 ? 16 : 0) - 16)) << j;                 // qh bit j
    EXPECT_EQ(o[j + 16], 0.5f * ((15 - j) + (j < 8 ? 16 : 0) - 16)) << j;    // qh bit 16 + j
  }
  std::vector<float> k(256);
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q4_k", 1, nullptr, k.data(), err, sizeof err), 0) << err;
  for (int g = 0; g < 4; g++)
    for (int l = 0; l < 32; l++) {
      // element 64g + l: sub-block 2g, low nibble; element 64g + 32 + l: sub-block 2g + 1
      EXPECT_EQ(k[64 * g + l], 1.0f * kQ4kScale[2 * g] * q4k_code(l, 0) - 0.5f * kQ4kMin[2 * g]) << g << " " << l;
      EXPECT_EQ(k[64 * g + 32 + l], 1.0f * kQ4kScale[2 * g + 1] * q4k_code(l, 1) - 0.5f * kQ4kMin[2 * g + 1]) << g << " " << l;
    }
  EXPECT_EQ(k[255], 17.0f * ((7 * 31 + 3) & 15) - 0.5f);  // 17 * 12 - 0.5: scale 7 = 17, min 7 = 1
  ASSERT_EQ(gguf_tensor_f32(p.g, "t.q6_k", 1, nullptr, k.data(), err, sizeof err), 0) << err;
  for (int e = 0; e < 256; e++) EXPECT_EQ(k[e], 0.25f * q6k_scale(e / 16) * (q6k_code(e) - 32)) << e;
  EXPECT_EQ(k[0], 0.25f * -24 * (1 - 32));    // 186
  EXPECT_EQ(k[255], 0.25f * 21 * (60 - 32));  // code (255*5+1) & 63 = 60: 147
  // shape checks name the tensor
  const uint64_t bad[2] = {32, 3};
  EXPECT_NE(gguf_tensor_f32(p.g, "t.q4_1", 2, bad, o, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("'t.q4_1': ne[1] = 2, expected 3"), std::string::npos) << err;
  EXPECT_NE(gguf_tensor_f32(p.g, "t.q4_1", 1, nullptr, o, err, sizeof err), 0);
  EXPECT_NE(gguf_tensor_f32(p.g, "nope", 1, nullptr, o, err, sizeof err), 0);
}

// Every one of the 65536 half-precision values against an independent decoding.
TEST(LmGguf, Fp16Exhaustive) {
  for (uint32_t h = 0; h < 65536; h++) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double ref = e == 0 ? std::ldexp((double)m, -24)
                        : e == 31 ? (m ? NAN : INFINITY) : std::ldexp(1024.0 + m, e - 25);
    if (s) ref = -ref;
    float got = gguf_f16_to_f32((uint16_t)h);
    if (std::isnan(ref)) EXPECT_TRUE(std::isnan(got)) << h;
    else ASSERT_EQ((double)got, ref) << "half 0x" << std::hex << h;
  }
}

// Truncating a valid file anywhere must give an error, never a crash or a read past the
// end (the ASan build checks the latter).
TEST(LmGguf, TruncatedAtEveryLength) {
  Builder f = valid_file();
  // The last tensor (Q6_K, 210 bytes at 576) ends the image: every shorter length fails.
  for (size_t n = 0; n < f.b.size(); n++) {
    std::vector<uint8_t> t(f.b.begin(), f.b.begin() + n);
    Parsed p(t);
    EXPECT_NE(p.rc, 0) << "accepted a file truncated to " << n << " bytes";
    EXPECT_NE(p.err[0], 0);
    EXPECT_NE(std::string(p.err).find("test.gguf"), std::string::npos) << p.err;
  }
}

void expect_error(const std::vector<uint8_t> &img, const std::string &what) {
  Parsed p(img);
  EXPECT_NE(p.rc, 0) << "accepted: " << what;
  EXPECT_NE(std::string(p.err).find(what), std::string::npos) << "message: " << p.err;
}

TEST(LmGguf, RejectsBadHeaders) {
  Builder f;
  f.u32(0x12345678); f.u32(3); f.u64(0); f.u64(0);
  expect_error(f.b, "magic is 0x12345678");
  Builder v; v.header(0, 0, 1);
  expect_error(v.b, "version = 1 is not in [2, 3]");
  Builder k; k.header(0, 1000000);
  expect_error(k.b, "metadata_kv_count = 1000000 cannot fit");
  Builder t; t.header(1ull << 60, 0);
  expect_error(t.b, "tensor_count = 1152921504606846976 cannot fit");
  Builder ok; ok.header(0, 0);
  Parsed p(ok.b);
  EXPECT_EQ(p.rc, 0) << p.err;  // an empty model is well-formed
}

TEST(LmGguf, RejectsBadMetadata) {
  { Builder f; f.header(0, 1); f.u64(1ull << 62); f.u64(0); f.u64(0); expect_error(f.b, "string length 4611686018427387904 exceeds"); }
  { Builder f; f.header(0, 1); f.str(""); f.u32(GGUF_UINT8); f.u8(0); expect_error(f.b, "key length 0 is not in [1, 65535]"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(13); expect_error(f.b, "value type 13 is not in [0, 12]"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(GGUF_BOOL); f.u8(2); expect_error(f.b, "bool value 2"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(GGUF_ARRAY); f.u32(GGUF_ARRAY); f.u64(0); expect_error(f.b, "array element type 9"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(GGUF_ARRAY); f.u32(GGUF_UINT32); f.u64(1ull << 61); expect_error(f.b, "array of 2305843009213693952 uint32 elements"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(1000); f.str("x"); expect_error(f.b, "array of 1000 strings cannot fit"); }
  { Builder f; f.header(0, 1); f.str("a"); f.u32(GGUF_STRING); f.u64(100); f.str("x"); expect_error(f.b, "string length 100 exceeds"); }
  { Builder f; f.header(0, 2); f.kv_u32("a", 1); f.kv_u32("a", 2); expect_error(f.b, "key 'a' appears twice"); }
  { Builder f; f.header(0, 1); f.kv_u32("general.alignment", 48); expect_error(f.b, "general.alignment = 48 is not a power of two"); }
  { Builder f; f.header(0, 1); f.str("general.alignment"); f.u32(GGUF_UINT8); f.u8(32); expect_error(f.b, "general.alignment has type uint8"); }
}

// One tensor descriptor followed by its data section; returns the image.
std::vector<uint8_t> one_tensor(std::vector<uint64_t> ne, uint32_t type, uint64_t off,
                                size_t data_bytes, const std::string &name = "w") {
  Builder f;
  f.header(1, 0);
  f.tensor(name, ne, type, off);
  f.align(32);
  f.b.resize(f.b.size() + data_bytes, 0);
  return f.b;
}

TEST(LmGguf, RejectsBadTensors) {
  EXPECT_EQ(Parsed(one_tensor({32}, GGML_Q4_1, 0, 20)).rc, 0);
  expect_error(one_tensor({32}, GGML_Q4_1, 0, 19), "tensor 'w': data [0, 20) exceeds the data section [0, 19)");
  expect_error(one_tensor({32}, GGML_Q4_1, 32, 40), "data [32, 52) exceeds");
  expect_error(one_tensor({32}, GGML_Q4_1, 16, 64), "offset 16 is not a multiple of the alignment 32");
  expect_error(one_tensor({32}, GGML_Q4_1, 1ull << 63, 64), "exceeds the data section");
  expect_error(one_tensor({16}, GGML_Q4_1, 0, 64), "ne[0] = 16 is not a multiple of the Q4_1 block size 32");
  expect_error(one_tensor({32}, 13, 0, 200),
               "type 13 is not a supported ggml type (F32, F16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q6_K)");
  expect_error(one_tensor({32}, GGML_Q4_K, 0, 200), "ne[0] = 32 is not a multiple of the Q4_K block size 256");
  expect_error(one_tensor({256}, GGML_Q6_K, 0, 209), "data [0, 210) exceeds the data section [0, 209)");
  expect_error(one_tensor({64}, GGML_Q5_0, 0, 43), "data [0, 44) exceeds");
  expect_error(one_tensor({}, GGML_F32, 0, 8), "n_dims = 0 is not in [1, 4]");
  expect_error(one_tensor({1, 1, 1, 1, 1}, GGML_F32, 0, 8), "n_dims = 5 is not in [1, 4]");
  expect_error(one_tensor({0}, GGML_F32, 0, 8), "dimension 0 = 0 is not in [1, 2^40]");
  expect_error(one_tensor({1ull << 30, 1ull << 30}, GGML_F32, 0, 8), "element count overflows");
  expect_error(one_tensor({4}, GGML_F32, 0, 16, ""), "tensor #0 name: length 0");
  {
    Builder f;
    f.header(2, 0);
    f.tensor("a", {8}, GGML_F32, 0);
    f.tensor("b", {8}, GGML_F32, 0);
    f.align(32);
    f.b.resize(f.b.size() + 64, 0);
    expect_error(f.b, "tensors 'a' and 'b' overlap");
    Builder g;
    g.header(2, 0);
    g.tensor("a", {8}, GGML_F32, 0);
    g.tensor("a", {8}, GGML_F32, 32);
    expect_error(g.b, "tensor 'a' appears twice");
  }
}

// Random byte flips of a valid file: every outcome is a clean accept or a clean error.
TEST(LmGguf, RandomCorruptionNeverCrashes) {
  uint64_t s = mpb_test_seed("LmGguf.RandomCorruptionNeverCrashes");
  Builder f = valid_file();
  int rejected = 0;
  for (int it = 0; it < 3000; it++) {
    std::vector<uint8_t> t = f.b;
    int flips = 1 + (int)(mpb_test_rand(&s) % 4);
    for (int k = 0; k < flips; k++) t[mpb_test_rand(&s) % t.size()] ^= (uint8_t)(1 + mpb_test_rand(&s) % 255);
    Parsed p(t);
    if (p.rc) {
      rejected++;
      EXPECT_NE(p.err[0], 0);
    } else {
      for (uint64_t i = 0; i < p.g->n_tensors; i++) {  // accepted tensors must be in bounds
        const gguf_tensor *x = &p.g->tensors[i];
        EXPECT_LE(x->data + x->nbytes, p.g->buf + p.g->size);
        if (x->nelem <= 4096) {  // and dequantize without reading outside (ASan build)
          std::vector<float> o(x->nelem);
          char e[256];
          EXPECT_EQ(gguf_dequant(x->type, x->data, 0, x->nelem, o.data(), e, sizeof e), 0) << e;
        }
      }
    }
  }
  EXPECT_GT(rejected, 100);  // corruption of headers/descriptors is detected
}

TEST(LmGguf, OpenReportsMissingFile) {
  gguf_file *g;
  char err[256];
  EXPECT_NE(gguf_open(&g, "no/such/file.gguf", err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("no/such/file.gguf: cannot open"), std::string::npos) << err;
}

TEST(LmGguf, RealSmolLM2File) {
  const char *path = "models/SmolLM2-135M-Instruct.Q4_1.gguf";
  gguf_file *g;
  char err[512];
  if (FILE *f = std::fopen(path, "rb")) std::fclose(f);
  else GTEST_SKIP() << path << " is absent: run `make models` to fetch it";
  ASSERT_EQ(gguf_open(&g, path, err, sizeof err), 0) << err;
  EXPECT_EQ(g->n_tensors, 272u);
  int counts[16] = {0};
  for (uint64_t i = 0; i < g->n_tensors; i++) counts[g->tensors[i].type & 15]++;
  EXPECT_EQ(counts[GGML_F32], 61);
  EXPECT_EQ(counts[GGML_Q4_1], 210);
  EXPECT_EQ(counts[GGML_Q8_0], 1);
  double base;
  ASSERT_EQ(gguf_get_float(g, "llama.rope.freq_base", 1, 1e9, &base, err, sizeof err), 0);
  EXPECT_EQ(base, 100000.0);  // the GGUF decides: 100000, not 10000
  // A Q4_1 projection dequantizes to small, varied weights.
  const gguf_tensor *t = gguf_find_tensor(g, "blk.0.attn_q.weight");
  ASSERT_NE(t, nullptr);
  std::vector<float> w(t->nelem);
  ASSERT_EQ(gguf_dequant(t->type, t->data, 0, t->nelem, w.data(), err, sizeof err), 0);
  double ss = 0;
  for (float x : w) ss += (double)x * x;
  double rms = std::sqrt(ss / w.size());
  EXPECT_GT(rms, 0.01);
  EXPECT_LT(rms, 1.0);
  gguf_close(g);
}

TEST(LmGguf, RealGemma3File) {
  const char *path = "models/gemma-3-270m-q4_k_m.gguf";
  if (FILE *f = std::fopen(path, "rb")) std::fclose(f);
  else GTEST_SKIP() << path << " is absent: run `make models` to fetch it";
  gguf_file *g;
  char err[512];
  ASSERT_EQ(gguf_open(&g, path, err, sizeof err), 0) << err;
  EXPECT_EQ(g->n_tensors, 236u);
  int counts[16] = {0};
  for (uint64_t i = 0; i < g->n_tensors; i++) counts[g->tensors[i].type & 15]++;
  EXPECT_EQ(counts[GGML_F32], 109);
  EXPECT_EQ(counts[GGML_Q8_0], 10);
  EXPECT_EQ(counts[GGML_Q5_0], 81);
  EXPECT_EQ(counts[GGML_Q4_K], 27);
  EXPECT_EQ(counts[GGML_Q6_K], 9);
  // One tensor of each quantized type dequantizes to finite weights of a plausible size.
  for (const char *name : {"blk.0.attn_q.weight", "blk.0.attn_output.weight",
                           "blk.0.ffn_down.weight", "blk.0.attn_v.weight"}) {
    const gguf_tensor *t = gguf_find_tensor(g, name);
    ASSERT_NE(t, nullptr) << name;
    std::vector<float> w(t->nelem);
    ASSERT_EQ(gguf_tensor_f32(g, name, 2, nullptr, w.data(), err, sizeof err), 0) << err;
    double ss = 0;
    for (float x : w) ss += (double)x * x;
    double rms = std::sqrt(ss / w.size());
    EXPECT_GT(rms, 0.005) << name << " " << gguf_type_name(t->type);
    EXPECT_LT(rms, 1.0) << name << " " << gguf_type_name(t->type);
  }
  gguf_close(g);
}

// lm/fuzz_seeds/kquants.gguf, the GGUF fuzzer's seed for the new types and the
// SentencePiece-style vocabulary: exactly this image (MPB_WRITE_SEEDS=1 rewrites it).
std::vector<uint8_t> kquant_seed() {
  Builder f;
  f.header(3, 4);
  f.str("tokenizer.ggml.model"); f.u32(GGUF_STRING); f.str("llama");
  const char *toks[] = {"<unk>", "<bos>", "\n", "<0x41>", "\xe2\x96\x81", "a", "b", "ab", "\xe2\x96\x81" "a"};
  const int32_t types[] = {2, 3, 4, 6, 1, 1, 1, 1, 1};
  f.str("tokenizer.ggml.tokens"); f.u32(GGUF_ARRAY); f.u32(GGUF_STRING); f.u64(9);
  for (const char *t : toks) f.str(t);
  f.str("tokenizer.ggml.scores"); f.u32(GGUF_ARRAY); f.u32(GGUF_FLOAT32); f.u64(9);
  for (int i = 0; i < 9; i++) f.f32(-(float)i);
  f.str("tokenizer.ggml.token_type"); f.u32(GGUF_ARRAY); f.u32(GGUF_INT32); f.u64(9);
  for (int32_t t : types) f.u32((uint32_t)t);
  f.tensor("q5_0", {32}, GGML_Q5_0, 0);     // 22 bytes
  f.tensor("q4_k", {256}, GGML_Q4_K, 32);   // 144 bytes
  f.tensor("q6_k", {256}, GGML_Q6_K, 192);  // 210 bytes
  f.align(32);
  size_t base = f.b.size();
  f.b.resize(base + 402, 0);
  fill_q5_0(f.b.data() + base);
  fill_q4_k(f.b.data() + base + 32);
  fill_q6_k(f.b.data() + base + 192);
  return f.b;
}

TEST(LmGguf, FuzzSeedIsTheDocumentedImage) {
  const char *path = "lm/fuzz_seeds/kquants.gguf";
  std::vector<uint8_t> img = kquant_seed();
  if (std::getenv("MPB_WRITE_SEEDS")) {
    FILE *f = std::fopen(path, "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(img.data(), 1, img.size(), f), img.size());
    std::fclose(f);
  }
  FILE *f = std::fopen(path, "rb");
  ASSERT_NE(f, nullptr) << path;
  std::vector<uint8_t> got(img.size() + 1);
  got.resize(std::fread(got.data(), 1, got.size(), f));
  std::fclose(f);
  EXPECT_EQ(got, img) << path << " differs from kquant_seed(): MPB_WRITE_SEEDS=1 rewrites it";
  Parsed p(img);
  ASSERT_EQ(p.rc, 0) << p.err;
  tok_vocab *v;
  char err[256];
  ASSERT_EQ(tok_load(&v, p.g, err, sizeof err), 0) << err;
  EXPECT_EQ(v->model, TOK_MODEL_SPM);
  int32_t ids[8];
  size_t n;
  // " ab\nA": ' ' -> U+2581; "ab" (-7) outscores "\u2581a" (-8) and "\u2581ab" is no
  // entry: \u2581 (4) ab (7); "\n" user-defined (2); 'A' has no entry: <0x41> (3)
  ASSERT_EQ(tok_encode(v, " ab\nA", 5, ids, 8, &n, err, sizeof err), 0) << err;
  EXPECT_EQ(std::vector<int32_t>(ids, ids + n), (std::vector<int32_t>{4, 7, 2, 3}));
  // 0x01 has no entry and no byte token in this vocabulary: refused, naming the byte
  EXPECT_NE(tok_encode(v, "\x01", 1, ids, 8, &n, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("byte 0x01 has no <0x01> token"), std::string::npos) << err;
  tok_free(v);
  std::vector<float> w(256);
  for (const char *t : {"q5_0", "q4_k", "q6_k"})
    EXPECT_EQ(gguf_tensor_f32(p.g, t, 1, nullptr, w.data(), err, sizeof err), 0) << err;
}

}  // namespace
