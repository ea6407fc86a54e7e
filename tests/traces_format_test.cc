/* traces_format_test.cc — the trace container: write/read round trips (random records,
 * many chunks), and every kind of bad input: truncation at every byte, every single bit
 * flip, oversized and inconsistent fields re-encoded with valid checksums. */
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "traces_util.h"

namespace {

std::vector<uint8_t> write_records(const std::string &name, const trace_header &h,
                                   std::vector<tu_rec> &recs) {
  std::string path = mpb_test_path(name);
  char err[512];
  trace_writer *w = trace_writer_open(path.c_str(), &h, err, sizeof err);
  EXPECT_NE(w, nullptr) << err;
  for (auto &r : recs) EXPECT_EQ(trace_write(w, &r.r, err, sizeof err), 0) << err;
  EXPECT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
  return tu_read_file(path);
}

template <typename T> bool same(const T *a, const T *b, size_t n) {
  if (!a || !b) return a == b;
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

TEST(TraceFormat, RoundTripRandomRecords) {
  uint64_t s = mpb_test_seed("TraceFormat.RoundTripRandomRecords");
  trace_header h = tu_header();
  std::vector<tu_rec> recs;
  for (int i = 0; i < 300; i++) recs.push_back(tu_random_rec(h, 1 + (uint32_t)(i % 3), &s));
  auto img = write_records("rt.trace", h, recs);
  char err[512];
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "rt.trace", err, sizeof err);
  ASSERT_NE(r, nullptr) << err;
  EXPECT_STREQ(trace_reader_header(r)->model, "unit-test");
  EXPECT_EQ(trace_reader_header(r)->head_dim, 8u);
  EXPECT_EQ(trace_reader_header(r)->rope_base, 10000.0);
  trace_record g;
  for (size_t i = 0; i < recs.size(); i++) {
    ASSERT_EQ(trace_read(r, &g, err, sizeof err), 1) << err;
    const trace_record &e = recs[i].r;
    ASSERT_EQ(g.kind, e.kind);
    EXPECT_EQ(g.op, e.op);
    EXPECT_EQ(g.flags, e.flags);
    EXPECT_EQ(g.layer, e.layer);
    EXPECT_EQ(g.head, e.head);
    EXPECT_EQ(g.tok0, e.tok0);
    EXPECT_EQ(g.ntok, e.ntok);
    EXPECT_EQ(g.width, e.width);
    EXPECT_EQ(g.cols, e.cols);
    size_t n = (size_t)e.ntok * e.width;
    EXPECT_TRUE(same(g.pos, e.pos, e.pos ? e.ntok : 0));
    EXPECT_TRUE(same(g.x, e.x, e.x ? n : 0));
    EXPECT_TRUE(same(g.scale, e.scale, e.scale ? e.ntok : 0));
    EXPECT_TRUE(same(g.f32, e.f32, e.f32 ? n : 0));
    EXPECT_TRUE(same(g.b, e.b, e.b ? (size_t)e.cols * e.width : 0));
    EXPECT_TRUE(same(g.b_scale, e.b_scale, e.b_scale ? e.cols : 0));
    EXPECT_EQ(trace_reader_record_index(r), i);
  }
  EXPECT_EQ(trace_read(r, &g, err, sizeof err), 0) << err;
  trace_reader_close(r);
}

TEST(TraceFormat, ManyChunksStayBoundedAndRoundTrip) {
  /* 12 records of ~1 MiB each: at least 3 chunks of at most TRACE_CHUNK_MAX bytes. */
  trace_header h = tu_header(1, 1, 1, 1024);
  std::vector<tu_rec> recs;
  uint64_t s = 99;
  for (int i = 0; i < 12; i++) {
    tu_rec t;
    std::memset(&t.r, 0, sizeof t.r);
    t.r.kind = TRACE_ROPE;
    t.r.ntok = 1000;
    t.r.width = 1024;
    t.r.tok0 = (uint32_t)i * 1000;
    for (uint32_t k = 0; k < t.r.ntok; k++) t.pos.push_back(k), t.scale.push_back(1.0f);
    for (size_t k = 0; k < (size_t)t.r.ntok * t.r.width; k++)
      t.x.push_back((int8_t)(mpb_test_rand(&s) & 0xff));
    t.bind();
    recs.push_back(std::move(t));
  }
  auto img = write_records("chunks.trace", h, recs);
  char err[512];
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "chunks.trace", err, sizeof err);
  ASSERT_NE(r, nullptr) << err;
  trace_record g;
  for (int i = 0; i < 12; i++) {
    ASSERT_EQ(trace_read(r, &g, err, sizeof err), 1) << err;
    EXPECT_EQ(g.tok0, (uint32_t)i * 1000);
    EXPECT_TRUE(same(g.x, recs[i].x.data(), recs[i].x.size()));
  }
  EXPECT_EQ(trace_read(r, &g, err, sizeof err), 0) << err;
  EXPECT_GE(trace_reader_chunk_index(r), 3u);
  trace_reader_close(r);
}

TEST(TraceFormat, WriterRejectsBadRecordsNamingTheField) {
  trace_header h = tu_header();
  char err[512];
  std::string path = mpb_test_path("bad_w.trace");
  trace_writer *w = trace_writer_open(path.c_str(), &h, err, sizeof err);
  ASSERT_NE(w, nullptr);
  uint64_t s = 5;
  tu_rec t = tu_random_rec(h, TRACE_ROPE, &s);
  t.r.layer = 2; /* n_layers = 2 */
  EXPECT_NE(trace_write(w, &t.r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("field layer = 2, expected [0, 1]"), std::string::npos) << err;
  trace_writer_abort(w);
  w = trace_writer_open(path.c_str(), &h, err, sizeof err);
  t = tu_random_rec(h, TRACE_ROPE, &s);
  t.r.width = 6;
  EXPECT_NE(trace_write(w, &t.r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("field width = 6, expected [8, 8]"), std::string::npos) << err;
  trace_writer_abort(w);
  w = trace_writer_open(path.c_str(), &h, err, sizeof err);
  t = tu_random_rec(h, TRACE_ROPE, &s);
  t.scale[0] = 0.0f;
  EXPECT_NE(trace_write(w, &t.r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("scale[0]"), std::string::npos) << err;
  trace_writer_abort(w);
  /* a record larger than one chunk */
  trace_header big = tu_header(1, 1, 1, 1024);
  w = trace_writer_open(path.c_str(), &big, err, sizeof err);
  std::vector<int8_t> x((size_t)5000 * 1024);
  std::vector<uint32_t> pos(5000);
  std::vector<float> sc(5000, 1.0f);
  trace_record r = {};
  r.kind = TRACE_ROPE, r.ntok = 5000, r.width = 1024, r.pos = pos.data(), r.x = x.data(),
  r.scale = sc.data();
  EXPECT_NE(trace_write(w, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("more than a chunk holds"), std::string::npos) << err;
  trace_writer_abort(w);
  w = trace_writer_open(path.c_str(), &big, err, sizeof err);
  r.ntok = 4090; /* values fit, values + positions + scales do not */
  EXPECT_NE(trace_write(w, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("more than one chunk"), std::string::npos) << err;
  trace_writer_abort(w);
  /* header checks */
  trace_header hb = tu_header();
  hb.head_dim = 7;
  EXPECT_EQ(trace_writer_open(path.c_str(), &hb, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("head_dim = 7, expected even"), std::string::npos) << err;
  hb = tu_header();
  hb.n_kv_heads = 3;
  EXPECT_EQ(trace_writer_open(path.c_str(), &hb, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("n_kv_heads"), std::string::npos) << err;
}

/* A small valid trace of every kind, for the corruption tests. */
std::vector<uint8_t> small_trace() {
  trace_header h = tu_header();
  uint64_t s = 7;
  std::vector<tu_rec> recs;
  for (int i = 0; i < 6; i++) recs.push_back(tu_random_rec(h, 1 + (uint32_t)(i % 3), &s, 2));
  return write_records("small.trace", h, recs);
}

TEST(TraceFormat, EveryTruncationIsAnError) {
  auto img = small_trace();
  std::string err;
  uint64_t n;
  ASSERT_EQ(tu_read_all(img, &err, &n), 0) << err;
  for (size_t len = 0; len < img.size(); len++) {
    std::vector<uint8_t> cut(img.begin(), img.begin() + (long)len);
    ASSERT_EQ(tu_read_all(cut, &err, &n, "cut.trace"), -1) << "truncated to " << len;
    ASSERT_EQ(err.rfind("cut.trace: ", 0), 0u) << err;
  }
}

TEST(TraceFormat, EverySingleBitFlipIsDetected) {
  auto img = small_trace();
  std::string err;
  uint64_t n;
  size_t flips = 0;
  for (size_t i = 0; i < img.size(); i++)
    for (int b = 0; b < 8; b++) {
      auto bad = img;
      bad[i] ^= (uint8_t)(1u << b);
      ASSERT_EQ(tu_read_all(bad, &err, &n, "flip.trace"), -1) << "byte " << i << " bit " << b;
      flips++;
    }
  EXPECT_EQ(flips, img.size() * 8);
  /* a flip inside the first chunk's data is reported as a checksum mismatch of chunk 0 */
  auto bad = img;
  bad[bad.size() - 40] ^= 1;
  tu_read_all(bad, &err, &n, "flip.trace");
  EXPECT_NE(err.find("checksum"), std::string::npos) << err;
}

/* Re-encode a trace with one hand-made chunk payload and valid checksums. */
struct crafted {
  std::vector<uint8_t> head; /* file header of small_trace() */
  std::vector<uint8_t> build(const std::vector<uint8_t> &payload, uint32_t nrec,
                             uint32_t raw_override = 0, uint64_t end_records = ~0ull) {
    std::vector<uint8_t> out = head;
    std::vector<uint8_t> comp(ZSTD_compressBound(payload.size()));
    size_t c = ZSTD_compress(comp.data(), comp.size(), payload.data(), payload.size(), 1);
    comp.resize(c);
    uint8_t hd[28];
    auto put = [](uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); };
    put(hd, 0x4342504du);
    put(hd + 4, 0);
    put(hd + 8, nrec);
    put(hd + 12, raw_override ? raw_override : (uint32_t)payload.size());
    put(hd + 16, (uint32_t)c);
    put(hd + 24, 0);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, hd, 16);
    crc = crc32(crc, hd + 24, 4);
    crc = crc32(crc, comp.data(), (uInt)c);
    put(hd + 20, (uint32_t)crc);
    out.insert(out.end(), hd, hd + 28);
    out.insert(out.end(), comp.begin(), comp.end());
    uint8_t e[20];
    put(e, 0x4542504du);
    put(e + 4, 1);
    uint64_t nr = end_records == ~0ull ? nrec : end_records;
    put(e + 8, (uint32_t)nr);
    put(e + 12, (uint32_t)(nr >> 32));
    put(e + 16, (uint32_t)crc32(0L, e, 16));
    out.insert(out.end(), e, e + 20);
    return out;
  }
};

std::vector<uint8_t> rec_bytes(std::vector<uint32_t> hdr, size_t extra) {
  std::vector<uint8_t> p;
  for (uint32_t v : hdr)
    for (int i = 0; i < 4; i++) p.push_back((uint8_t)(v >> 8 * i));
  p.resize(p.size() + extra, 0);
  return p;
}

crafted crafter() {
  crafted c;
  auto img = small_trace();
  /* file header: magic 8 + version 4 + len 4 + body + crc 4 */
  uint32_t len = img[12] | img[13] << 8 | img[14] << 16 | (uint32_t)img[15] << 24;
  c.head.assign(img.begin(), img.begin() + 16 + len + 4);
  return c;
}

TEST(TraceFormat, CraftedChunksWithValidChecksums) {
  crafted c = crafter();
  std::string err;
  uint64_t n;
  /* a valid EXP record: kind 2, op 0, flags 0, layer 1, head 0, tok0 3, ntok 1, width 2 */
  std::vector<uint8_t> ok = rec_bytes({2, 0, 0, 1, 0, 3, 1, 2, 0}, 8);
  ASSERT_EQ(tu_read_all(c.build(ok, 1), &err, &n, "c.trace"), 0) << err;
  EXPECT_EQ(n, 1u);
  /* inconsistent: ntok*width claims more bytes than the chunk holds */
  auto big = rec_bytes({2, 0, 0, 1, 0, 3, 1000000, 1000, 0}, 8);
  EXPECT_EQ(tu_read_all(c.build(big, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("chunk 0 record 0"), std::string::npos) << err;
  EXPECT_NE(err.find("left in the chunk"), std::string::npos) << err;
  /* sizes whose 64-bit layout sum would wrap around (found by fuzz-trace) */
  auto wrap = rec_bytes({2, 0, 0, 0, 0, 0, 0xffffffffu, 0xffffffffu, 0}, 8);
  EXPECT_EQ(tu_read_all(c.build(wrap, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("fields ntok = 4294967295, width = 4294967295"), std::string::npos) << err;
  auto wrap2 = rec_bytes({3, 0, 0, 0, 0, 0, 16, 1u << 20, 0xfffffff0u}, 8);
  EXPECT_EQ(tu_read_all(c.build(wrap2, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("cols = 4294967280"), std::string::npos) << err;
  /* layer out of range */
  auto lay = rec_bytes({2, 0, 0, 5, 0, 3, 1, 2, 0}, 8);
  EXPECT_EQ(tu_read_all(c.build(lay, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("field layer = 5, expected [0, 1]"), std::string::npos) << err;
  /* unknown kind */
  auto kind = rec_bytes({9, 0, 0, 0, 0, 0, 1, 2, 0}, 8);
  EXPECT_EQ(tu_read_all(c.build(kind, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("field kind = 9"), std::string::npos) << err;
  /* NaN value */
  auto nan = ok;
  uint32_t qnan = 0x7fc00000u;
  std::memcpy(nan.data() + 36, &qnan, 4);
  EXPECT_EQ(tu_read_all(c.build(nan, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("f32[0]"), std::string::npos) << err;
  /* oversized raw_size field (above the 4 MiB cap) */
  EXPECT_EQ(tu_read_all(c.build(ok, 1, 0x7fffffffu), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("field raw_size = 2147483647, expected [36, 4194304]"), std::string::npos) << err;
  /* raw_size disagrees with the decompressed size */
  EXPECT_EQ(tu_read_all(c.build(ok, 1, 48), &err, &n, "c.trace"), -1);
  /* n_records larger than the payload can hold, and extra bytes after the records */
  EXPECT_EQ(tu_read_all(c.build(ok, 2), &err, &n, "c.trace"), -1);
  auto extra = ok;
  extra.resize(extra.size() + 36, 0);
  EXPECT_EQ(tu_read_all(c.build(extra, 1), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("left after its 1 records"), std::string::npos) << err;
  /* end marker disagreeing with the contents */
  EXPECT_EQ(tu_read_all(c.build(ok, 1, 0, 5), &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("end marker"), std::string::npos) << err;
  /* trailing garbage */
  auto tail = c.build(ok, 1);
  tail.push_back(0);
  EXPECT_EQ(tu_read_all(tail, &err, &n, "c.trace"), -1);
  EXPECT_NE(err.find("trailing bytes"), std::string::npos) << err;
}

TEST(TraceFormat, HeaderDefectsAreNamed) {
  auto img = small_trace();
  std::string err;
  uint64_t n;
  auto bad = img;
  bad[8] = 2; /* version */
  EXPECT_EQ(tu_read_all(bad, &err, &n), -1);
  EXPECT_NE(err.find("field version = 2, expected 1"), std::string::npos) << err;
  bad = img;
  bad[0] = 'X';
  EXPECT_EQ(tu_read_all(bad, &err, &n), -1);
  EXPECT_NE(err.find("not an mpbsim trace"), std::string::npos) << err;
  bad = img;
  bad[12] ^= 0x40; /* header length */
  EXPECT_EQ(tu_read_all(bad, &err, &n), -1);
  EXPECT_NE(err.find("header_len"), std::string::npos) << err;
  /* a writer that never finished: no end marker */
  std::vector<uint8_t> cut(img.begin(), img.end() - 20);
  EXPECT_EQ(tu_read_all(cut, &err, &n), -1);
  EXPECT_NE(err.find("no end marker"), std::string::npos) << err;
}

TEST(TraceFormat, QuantizeRow) {
  /* max |x| maps to +-127, zero rows get scale 1, every value within half a step */
  uint64_t s = mpb_test_seed("TraceFormat.QuantizeRow");
  for (int it = 0; it < 1000; it++) {
    size_t n = 1 + mpb_test_rand(&s) % 200;
    std::vector<float> x(n);
    for (auto &v : x) v = (float)((double)(int64_t)(mpb_test_rand(&s) % 2000001 - 1000000) * 1e-3);
    std::vector<int8_t> q(n);
    float sc;
    trace_quantize_row(x.data(), n, q.data(), &sc);
    float mx = 0;
    for (float v : x) mx = std::max(mx, std::fabs(v));
    if (mx == 0) {
      EXPECT_EQ(sc, 1.0f);
      continue;
    }
    EXPECT_FLOAT_EQ(sc, mx / 127.0f);
    int amax = 0;
    for (size_t i = 0; i < n; i++) {
      EXPECT_LE(std::fabs(q[i] * sc - x[i]), 0.5f * sc * (1 + 1e-5f));
      amax = std::max(amax, std::abs((int)q[i]));
    }
    EXPECT_EQ(amax, 127);
  }
  std::vector<float> z(5, 0.0f);
  std::vector<int8_t> q(5, 9);
  float sc;
  trace_quantize_row(z.data(), 5, q.data(), &sc);
  EXPECT_EQ(sc, 1.0f);
  for (auto v : q) EXPECT_EQ(v, 0);
}

TEST(TraceFormat, WindowStartsCoverEveryOctave) {
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 64;
  EXPECT_EQ(trace_window_start(&o, 0), 0u); /* one window, max_pos 0: [0, 63] */
  o.max_pos = 131071;
  EXPECT_EQ(trace_window_start(&o, 0), 131071u - 63); /* one window: the tail */
  o.windows = 12;
  uint32_t prev = 0;
  EXPECT_EQ(trace_window_start(&o, 0), 0u);
  for (uint32_t w = 1; w < 12; w++) {
    uint32_t s = trace_window_start(&o, w);
    EXPECT_GE(s, prev + 64) << w; /* no overlap */
    prev = s;
  }
  EXPECT_EQ(prev + 63, 131071u);
  /* geometric spacing: every octave from 64 to 2^17 starts a window */
  for (int oct = 7; oct <= 16; oct++) {
    bool hit = false;
    for (uint32_t w = 0; w < 12; w++) {
      uint32_t s = trace_window_start(&o, w);
      hit |= s < (1u << oct) && s + 63 >= (1u << (oct - 1));
    }
    EXPECT_TRUE(hit) << "octave " << oct;
  }
}

TEST(TraceFormat, NamesParseBack) {
  for (uint32_t k = 1; k < TRACE_NKIND; k++) {
    EXPECT_EQ(trace_kind_parse(trace_kind_name(k)), (int)k);
    uint32_t nops = k == TRACE_ROPE ? (uint32_t)TRACE_NROPE_OP : k == TRACE_EXP ? (uint32_t)TRACE_NEXP_OP : (uint32_t)TRACE_NGEMM_OP;
    for (uint32_t o = 0; o < nops; o++) EXPECT_EQ(trace_op_parse(k, trace_op_name(k, o)), (int)o);
    EXPECT_STREQ(trace_op_name(k, nops), "?");
  }
  EXPECT_EQ(trace_kind_parse("bogus"), -1);
}

}  // namespace
