/* traces_util.h — helpers shared by the trace tests: build small traces, read files into
 * memory, read every record of an image and report the first error. */
#ifndef MPB_TRACES_UTIL_H
#define MPB_TRACES_UTIL_H

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "trace.h"

static inline std::vector<uint8_t> tu_read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

static inline void tu_write_file(const std::string &path, const std::vector<uint8_t> &b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char *>(b.data()), (std::streamsize)b.size());
}

/* Read every record of an image: returns 0 (clean end) or -1 (error, message in *err);
 * *n = records read. */
static inline int tu_read_all(const std::vector<uint8_t> &img, std::string *err, uint64_t *n,
                              const char *name = "img.trace") {
  char e[512] = "";
  *n = 0;
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), name, e, sizeof e);
  if (!r) {
    *err = e;
    return -1;
  }
  trace_record rec;
  int got;
  while ((got = trace_read(r, &rec, e, sizeof e)) == 1) (*n)++;
  trace_reader_close(r);
  *err = e;
  return got;
}

/* A small transformer header. */
static inline trace_header tu_header(uint32_t layers = 2, uint32_t heads = 4, uint32_t kv = 2,
                                     uint32_t d = 8) {
  trace_header h;
  trace_header_init(&h);
  std::snprintf(h.model, sizeof h.model, "unit-test");
  h.n_layers = layers, h.n_heads = heads, h.n_kv_heads = kv, h.head_dim = d;
  h.rope_base = 10000.0;
  h.pairing = 1;
  return h;
}

/* Owned storage of one record. */
struct tu_rec {
  trace_record r;
  std::vector<uint32_t> pos;
  std::vector<int8_t> x, b;
  std::vector<float> scale, f32, b_scale;
  void bind() {
    r.pos = pos.empty() ? nullptr : pos.data();
    r.x = x.empty() ? nullptr : x.data();
    r.b = b.empty() ? nullptr : b.data();
    r.scale = scale.empty() ? nullptr : scale.data();
    r.f32 = f32.empty() ? nullptr : f32.data();
    r.b_scale = b_scale.empty() ? nullptr : b_scale.data();
  }
};

/* A random valid record of the given kind for header h. */
static inline tu_rec tu_random_rec(const trace_header &h, uint32_t kind, uint64_t *s,
                                   uint32_t max_tok = 5) {
  tu_rec t;
  std::memset(&t.r, 0, sizeof t.r);
  t.r.kind = kind;
  t.r.layer = (uint32_t)(mpb_test_rand(s) % h.n_layers);
  t.r.ntok = 1 + (uint32_t)(mpb_test_rand(s) % max_tok);
  t.r.tok0 = (uint32_t)(mpb_test_rand(s) % 1000);
  bool pos = kind == TRACE_ROPE || (mpb_test_rand(s) & 1);
  if (kind == TRACE_ROPE) {
    t.r.op = (uint32_t)(mpb_test_rand(s) & 1);
    t.r.head = (uint32_t)(mpb_test_rand(s) % (t.r.op ? h.n_kv_heads : h.n_heads));
    t.r.width = h.head_dim;
    if (mpb_test_rand(s) & 1) t.r.flags |= TRACE_F_F32;
  } else {
    t.r.op = (uint32_t)(mpb_test_rand(s) % (kind == TRACE_EXP ? (uint32_t)TRACE_NEXP_OP : (uint32_t)TRACE_NGEMM_OP));
    t.r.head = (uint32_t)(mpb_test_rand(s) % 7);
    t.r.width = 1 + (uint32_t)(mpb_test_rand(s) % 37);
    if (pos) t.r.flags |= TRACE_F_POS;
  }
  size_t n = (size_t)t.r.ntok * t.r.width;
  if (pos)
    for (uint32_t i = 0; i < t.r.ntok; i++) t.pos.push_back((uint32_t)(mpb_test_rand(s) % 200000));
  if (kind != TRACE_EXP) {
    for (size_t i = 0; i < n; i++) t.x.push_back((int8_t)(mpb_test_rand(s) & 0xff));
    for (uint32_t i = 0; i < t.r.ntok; i++) t.scale.push_back(0.01f + (float)(mpb_test_rand(s) % 100));
  }
  if (kind == TRACE_EXP || (t.r.flags & TRACE_F_F32))
    for (size_t i = 0; i < n; i++) t.f32.push_back(-(float)(mpb_test_rand(s) % 100000) / 1000.0f);
  if (kind == TRACE_GEMM) {
    t.r.cols = 1 + (uint32_t)(mpb_test_rand(s) % 9);
    for (size_t i = 0; i < (size_t)t.r.cols * t.r.width; i++) t.b.push_back((int8_t)(mpb_test_rand(s) & 0xff));
    for (uint32_t i = 0; i < t.r.cols; i++) t.b_scale.push_back(0.5f + (float)i);
  }
  t.bind();
  return t;
}

#endif
