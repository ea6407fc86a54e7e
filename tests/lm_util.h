/* lm_util.h — helpers shared by the lm tests: a little-endian GGUF image builder (files
 * the tests write themselves: headers, metadata, tensor descriptors, vocabularies). */
#ifndef MPB_LM_UTIL_H
#define MPB_LM_UTIL_H

#include <cstring>
#include <string>
#include <vector>

#include "gguf.h"

struct GgufBuilder {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; i++) b.push_back((uint8_t)(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; i++) b.push_back((uint8_t)(v >> (8 * i))); }
  void f32(float f) { uint32_t w; std::memcpy(&w, &f, 4); u32(w); }
  void str(const std::string &s) { u64(s.size()); b.insert(b.end(), s.begin(), s.end()); }
  void header(uint64_t nt, uint64_t nkv, uint32_t version = 3) {
    u32(GGUF_MAGIC); u32(version); u64(nt); u64(nkv);
  }
  void kv_u32(const std::string &k, uint32_t v) { str(k); u32(GGUF_UINT32); u32(v); }
  void kv_f32(const std::string &k, float v) { str(k); u32(GGUF_FLOAT32); f32(v); }
  void kv_str(const std::string &k, const std::string &v) { str(k); u32(GGUF_STRING); str(v); }
  void kv_strs(const std::string &k, const std::vector<std::string> &v) {
    str(k); u32(GGUF_ARRAY); u32(GGUF_STRING); u64(v.size());
    for (const std::string &s : v) str(s);
  }
  void kv_i32s(const std::string &k, const std::vector<int32_t> &v) {
    str(k); u32(GGUF_ARRAY); u32(GGUF_INT32); u64(v.size());
    for (int32_t x : v) u32((uint32_t)x);
  }
  void tensor(const std::string &name, std::vector<uint64_t> ne, uint32_t type, uint64_t off) {
    str(name); u32((uint32_t)ne.size());
    for (uint64_t d : ne) u64(d);
    u32(type); u64(off);
  }
  void align(size_t a) { while (b.size() % a) b.push_back(0); }
};

#endif
