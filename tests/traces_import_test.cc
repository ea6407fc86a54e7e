/* traces_import_test.cc — .npy and safetensors files written byte by byte here, imported
 * into traces (values, positions, layers, masked softmax rows checked), and every kind of
 * bad file: truncated, wrong dtype/order, inconsistent shapes and offsets. */
#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>

#include "import.h"
#include "traces_util.h"

namespace {

std::vector<uint8_t> npy_bytes(const std::string &descr, const std::vector<uint64_t> &shape,
                               const std::vector<uint8_t> &data, bool fortran = false,
                               int version = 1) {
  std::string sh = "(";
  for (size_t i = 0; i < shape.size(); i++) sh += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
  if (!shape.empty()) sh.resize(sh.size() - (shape.size() == 1 ? 1 : 0));
  sh += ")";
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                  ", 'shape': " + sh + ", }";
  size_t pre = version == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', (uint8_t)version, 0};
  uint32_t n = (uint32_t)h.size();
  out.push_back((uint8_t)n);
  out.push_back((uint8_t)(n >> 8));
  if (version != 1) out.push_back((uint8_t)(n >> 16)), out.push_back((uint8_t)(n >> 24));
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <typename T> std::vector<uint8_t> raw(const std::vector<T> &v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<uint8_t> st_bytes(const std::string &json, const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out(8);
  uint64_t n = json.size();
  for (int i = 0; i < 8; i++) out[i] = (uint8_t)(n >> (8 * i));
  out.insert(out.end(), json.begin(), json.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<float> seq_floats(size_t n, uint64_t *s) {
  std::vector<float> v(n);
  for (auto &x : v) x = (float)((double)(int64_t)(mpb_test_rand(s) % 20001 - 10000) / 997.0);
  return v;
}

/* Import items into a trace file; returns 0 or -1 with *err. */
int import_to(const std::string &name, const trace_import_opts &o, std::vector<import_item> &items,
              std::string *err, std::vector<uint8_t> *img) {
  std::string path = mpb_test_path(name);
  char e[512];
  trace_writer *w = trace_writer_open(path.c_str(), nullptr, e, sizeof e);
  if (!w) return *err = e, -1;
  if (trace_import_items(&o, items.data(), items.size(), w, e, sizeof e)) {
    *err = e;
    trace_writer_abort(w);
    return -1;
  }
  if (trace_writer_close(w, e, sizeof e)) return *err = e, -1;
  *img = tu_read_file(path);
  return 0;
}

TEST(TraceImport, NpyQKPositions) {
  uint64_t s = mpb_test_seed("TraceImport.NpyQKPositions");
  const uint32_t T = 5, H = 2, KV = 1, D = 8;
  auto q = seq_floats(T * H * D, &s), k = seq_floats(T * KV * D, &s);
  std::vector<int64_t> pos = {100, 101, 102, 103, 131071};
  auto fq = npy_bytes("<f4", {T, H, D}, raw(q)), fk = npy_bytes("<f4", {1, T, KV, D}, raw(k));
  auto fp = npy_bytes("<i8", {T}, raw(pos), false, 2);
  std::vector<import_item> items(3);
  char e[512];
  ASSERT_EQ(npy_parse(fq.data(), fq.size(), "q.npy", &items[0].t, e, sizeof e), 0) << e;
  ASSERT_EQ(npy_parse(fk.data(), fk.size(), "k.npy", &items[1].t, e, sizeof e), 0) << e;
  ASSERT_EQ(npy_parse(fp.data(), fp.size(), "p.npy", &items[2].t, e, sizeof e), 0) << e;
  items[0].role = IMPORT_Q, items[1].role = IMPORT_K, items[2].role = IMPORT_POS;
  trace_import_opts o = {};
  o.base = 10000.0, o.pairing = 1, o.model = "npy-test";
  std::string err;
  std::vector<uint8_t> img;
  ASSERT_EQ(import_to("imp_npy.trace", o, items, &err, &img), 0) << err;
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "imp", e, sizeof e);
  ASSERT_NE(r, nullptr) << e;
  const trace_header *h = trace_reader_header(r);
  EXPECT_STREQ(h->model, "npy-test");
  EXPECT_EQ(h->n_heads, H);
  EXPECT_EQ(h->n_kv_heads, KV);
  EXPECT_EQ(h->head_dim, D);
  EXPECT_EQ(h->max_pos, 131071u);
  EXPECT_EQ(h->pairing, 1u);
  trace_record rec;
  int nrec = 0;
  while (trace_read(r, &rec, e, sizeof e) == 1) {
    ASSERT_EQ(rec.kind, (uint32_t)TRACE_ROPE);
    ASSERT_EQ(rec.ntok, T);
    const std::vector<float> &src = rec.op == TRACE_ROPE_Q ? q : k;
    uint32_t nh = rec.op == TRACE_ROPE_Q ? H : KV;
    for (uint32_t t = 0; t < T; t++) {
      EXPECT_EQ(rec.pos[t], (uint32_t)pos[t]);
      for (uint32_t d = 0; d < D; d++) {
        float orig = src[((size_t)t * nh + rec.head) * D + d];
        EXPECT_LE(std::fabs(rec.x[(size_t)t * D + d] * rec.scale[t] - orig), rec.scale[t] * 0.5001f);
      }
    }
    nrec++;
  }
  EXPECT_EQ(nrec, (int)(H + KV));
  trace_reader_close(r);
}

TEST(TraceImport, SafetensorsLayersMaskedSoftmaxHeadMajor) {
  uint64_t s = mpb_test_seed("TraceImport.Safetensors");
  const uint32_t T = 3, H = 2, D = 4;
  auto q0 = seq_floats(H * T * D, &s), q1 = seq_floats(H * T * D, &s);
  std::vector<float> sm(H * T * T);
  for (uint32_t h = 0; h < H; h++)
    for (uint32_t i = 0; i < T; i++)
      for (uint32_t j = 0; j < T; j++)
        sm[(h * T + i) * T + j] = j > i ? -INFINITY : (float)(i + j + h);
  std::vector<int32_t> pos = {7, 8, 9};
  std::vector<uint8_t> data;
  auto append = [&](const std::vector<uint8_t> &b) {
    size_t at = data.size();
    data.insert(data.end(), b.begin(), b.end());
    return "[" + std::to_string(at) + ", " + std::to_string(data.size()) + "]";
  };
  std::string o0 = append(raw(q0)), o1 = append(raw(q1)), os = append(raw(sm)), op = append(raw(pos));
  std::string other = append(std::vector<uint8_t>(6, 1));
  std::string js = "{\"__metadata__\": {\"a\": \"b\"}, "
                   "\"layer0.q\": {\"dtype\": \"F32\", \"shape\": [2, 3, 4], \"data_offsets\": " + o0 + "}, "
                   "\"layer1.q\": {\"dtype\": \"F32\", \"shape\": [2, 3, 4], \"data_offsets\": " + o1 + "}, "
                   "\"layer1.softmax\": {\"dtype\": \"F32\", \"shape\": [1, 2, 3, 3], \"data_offsets\": " + os + "}, "
                   "\"positions\": {\"dtype\": \"I32\", \"shape\": [3], \"data_offsets\": " + op + "}, "
                   "\"model.embed\": {\"dtype\": \"U8\", \"shape\": [2, 3], \"data_offsets\": " + other + "}}";
  auto file = st_bytes(js, data);
  tf_tensor *t;
  size_t n;
  char e[512];
  ASSERT_EQ(safetensors_parse(file.data(), file.size(), "x.safetensors", &t, &n, e, sizeof e), 0) << e;
  ASSERT_EQ(n, 5u);
  std::vector<import_item> items;
  for (size_t i = 0; i < n; i++) {
    import_item it;
    if (import_role_of_name(t[i].name, &it.role, &it.layer)) continue;
    it.t = t[i];
    items.push_back(it);
  }
  free(t);
  ASSERT_EQ(items.size(), 4u); /* model.embed is not an import role */
  trace_import_opts o = {};
  o.base = 500000.0, o.head_major = true;
  std::string err;
  std::vector<uint8_t> img;
  ASSERT_EQ(import_to("imp_st.trace", o, items, &err, &img), 0) << err;
  trace_reader *r = trace_reader_open_mem(img.data(), img.size(), "imp", e, sizeof e);
  ASSERT_NE(r, nullptr) << e;
  EXPECT_EQ(trace_reader_header(r)->n_layers, 2u);
  EXPECT_EQ(trace_reader_header(r)->n_kv_heads, H); /* no k: kv heads = q heads */
  trace_record rec;
  int rope = 0, exps = 0;
  while (trace_read(r, &rec, e, sizeof e) == 1) {
    if (rec.kind == TRACE_ROPE) {
      const auto &q = rec.layer ? q1 : q0;
      for (uint32_t i = 0; i < T; i++) {
        EXPECT_EQ(rec.pos[i], (uint32_t)pos[i]);
        float orig = q[((size_t)rec.head * T + i) * D]; /* [H, T, D] */
        EXPECT_LE(std::fabs(rec.x[(size_t)i * D] * rec.scale[i] - orig), rec.scale[i] * 0.5001f);
      }
      rope++;
    } else {
      ASSERT_EQ(rec.kind, (uint32_t)TRACE_EXP);
      EXPECT_EQ(rec.layer, 1u);
      EXPECT_EQ(rec.width, rec.tok0 + 1); /* causal mask dropped */
      float mx = -1;
      for (uint32_t j = 0; j < rec.width; j++) mx = std::max(mx, rec.f32[j]);
      EXPECT_EQ(mx, 0.0f); /* row minus its max */
      EXPECT_EQ(rec.f32[0], -(float)rec.tok0);
      exps++;
    }
  }
  EXPECT_EQ(rope, 4);
  EXPECT_EQ(exps, (int)(H * T));
  trace_reader_close(r);
}

TEST(TraceImport, BadNpyFiles) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  auto good = npy_bytes("<f4", {2, 3}, raw(v));
  tf_tensor t;
  char e[512];
  ASSERT_EQ(npy_parse(good.data(), good.size(), "g.npy", &t, e, sizeof e), 0) << e;
  EXPECT_EQ(t.nelem, 6u);
  EXPECT_EQ(tf_get(&t, 5), 6.0);
  for (size_t len = 0; len < good.size(); len++)
    ASSERT_NE(npy_parse(good.data(), len, "cut.npy", &t, e, sizeof e), 0) << len;
  auto expect_err = [&](const std::vector<uint8_t> &b, const char *needle) {
    ASSERT_NE(npy_parse(b.data(), b.size(), "bad.npy", &t, e, sizeof e), 0) << needle;
    EXPECT_NE(std::string(e).find(needle), std::string::npos) << e;
    EXPECT_EQ(std::string(e).rfind("bad.npy: ", 0), 0u) << e;
  };
  expect_err(npy_bytes(">f4", {2, 3}, raw(v)), "field descr = '>f4'");
  expect_err(npy_bytes("<c8", {2, 3}, raw(v)), "field descr");
  expect_err(npy_bytes("<f4", {2, 3}, raw(v), true), "fortran_order = True");
  expect_err(npy_bytes("<f4", {2, 4}, raw(v)), "data is 24 bytes, shape and descr need 32");
  expect_err(npy_bytes("<f4", {4294967296ull, 4294967296ull, 4294967296ull}, raw(v)), "overflows");
  auto b = good;
  b[8] = 0xff, b[9] = 0xff; /* header_len beyond the file */
  expect_err(b, "field header_len = 65535");
  b = good;
  b[6] = 9;
  expect_err(b, "field version = 9");
  b = good;
  b[0] = 'X';
  expect_err(b, "not a .npy file");
}

TEST(TraceImport, BadSafetensorsFiles) {
  std::vector<float> v = {1, 2, 3, 4};
  std::string ok = "{\"q\": {\"dtype\": \"F32\", \"shape\": [1, 1, 4], \"data_offsets\": [0, 16]}}";
  auto good = st_bytes(ok, raw(v));
  tf_tensor *t;
  size_t n;
  char e[512];
  ASSERT_EQ(safetensors_parse(good.data(), good.size(), "g", &t, &n, e, sizeof e), 0) << e;
  free(t);
  for (size_t len = 0; len < good.size(); len++) {
    ASSERT_NE(safetensors_parse(good.data(), len, "cut", &t, &n, e, sizeof e), 0) << len;
    ASSERT_EQ(t, nullptr);
  }
  auto expect_err = [&](const std::string &js, const std::vector<uint8_t> &data, const char *needle) {
    auto b = st_bytes(js, data);
    ASSERT_NE(safetensors_parse(b.data(), b.size(), "bad.safetensors", &t, &n, e, sizeof e), 0) << needle;
    EXPECT_NE(std::string(e).find(needle), std::string::npos) << e;
    EXPECT_EQ(std::string(e).rfind("bad.safetensors: ", 0), 0u) << e;
  };
  expect_err("{\"q\": {\"dtype\": \"F32\", \"shape\": [1, 1, 4], \"data_offsets\": [0, 20]}}", raw(v),
             "field data_offsets = [0, 20], expected 0 <= begin <= end <= 16");
  expect_err("{\"q\": {\"dtype\": \"F32\", \"shape\": [1, 2, 4], \"data_offsets\": [0, 16]}}", raw(v),
             "need 32");
  expect_err("{\"q\": {\"dtype\": \"Q4\", \"shape\": [4], \"data_offsets\": [0, 16]}}", raw(v),
             "field dtype = 'Q4'");
  expect_err("{\"q\": {\"dtype\": \"F32\", \"shape\": [-4], \"data_offsets\": [0, 16]}}", raw(v),
             "shape[0]");
  expect_err("{\"q\": {\"dtype\": \"F32\", \"shape\": [4]}}", raw(v), "data_offsets");
  expect_err("{\"q\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 4]}}", raw(v),
             "data_offsets");
  expect_err("{\"q\": 1, \"q\": 2}", raw(v), "header JSON");
  expect_err("{\"q\": [1, 2}", raw(v), "header JSON");
  expect_err("[1]", raw(v), "not an object");
  auto b = good;
  b[0] = 0xff, b[1] = 0xff, b[2] = 0xff; /* header length beyond the file */
  ASSERT_NE(safetensors_parse(b.data(), b.size(), "bad.safetensors", &t, &n, e, sizeof e), 0);
  EXPECT_NE(std::string(e).find("field header_len = 16777215"), std::string::npos) << e;
}

TEST(TraceImport, InconsistentTensorsAreRejected) {
  uint64_t s = 17;
  auto q = seq_floats(4 * 2 * 8, &s), k3 = seq_floats(4 * 3 * 8, &s);
  std::vector<int64_t> pos3 = {0, 1, 2};
  auto fq = npy_bytes("<f4", {4, 2, 8}, raw(q)), fk = npy_bytes("<f4", {4, 3, 8}, raw(k3));
  auto fp = npy_bytes("<i8", {3}, raw(pos3));
  std::vector<import_item> items(2);
  char e[512];
  ASSERT_EQ(npy_parse(fq.data(), fq.size(), "q.npy", &items[0].t, e, sizeof e), 0);
  ASSERT_EQ(npy_parse(fp.data(), fp.size(), "p.npy", &items[1].t, e, sizeof e), 0);
  items[0].role = IMPORT_Q, items[1].role = IMPORT_POS;
  trace_import_opts o = {};
  o.base = 10000.0;
  std::string err;
  std::vector<uint8_t> img;
  EXPECT_EQ(import_to("bad1.trace", o, items, &err, &img), -1);
  EXPECT_NE(err.find("p.npy': 3 positions, expected 4"), std::string::npos) << err;
  items.resize(1);
  o.base = 0;
  EXPECT_EQ(import_to("bad2.trace", o, items, &err, &img), -1);
  EXPECT_NE(err.find("--base"), std::string::npos) << err;
  o.base = 10000.0;
  items.resize(2);
  ASSERT_EQ(npy_parse(fk.data(), fk.size(), "k.npy", &items[1].t, e, sizeof e), 0);
  items[1].role = IMPORT_K;
  EXPECT_EQ(import_to("bad3.trace", o, items, &err, &img), -1);
  EXPECT_NE(err.find("does not divide"), std::string::npos) << err;
  q[5] = NAN;
  fq = npy_bytes("<f4", {4, 2, 8}, raw(q));
  ASSERT_EQ(npy_parse(fq.data(), fq.size(), "qnan.npy", &items[0].t, e, sizeof e), 0);
  items.resize(1);
  EXPECT_EQ(import_to("bad4.trace", o, items, &err, &img), -1);
  EXPECT_NE(err.find("t=0, h=0, d=5"), std::string::npos) << err;
}

/* A zip archive written byte by byte: members stored (method 0) or raw-deflated (8). */
struct zip_member {
  std::string name;
  std::vector<uint8_t> data;
  int method;
};

std::vector<uint8_t> zip_bytes(const std::vector<zip_member> &ms, uint32_t *data_off0 = nullptr) {
  std::vector<uint8_t> out, cd;
  auto p16 = [](std::vector<uint8_t> &v, uint32_t x) { v.push_back((uint8_t)x), v.push_back((uint8_t)(x >> 8)); };
  auto p32 = [&](std::vector<uint8_t> &v, uint32_t x) { p16(v, x & 0xffff), p16(v, x >> 16); };
  for (const auto &m : ms) {
    std::vector<uint8_t> comp = m.data;
    if (m.method == 8) {
      z_stream z = {};
      deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
      comp.resize(deflateBound(&z, (uLong)m.data.size()));
      z.next_in = const_cast<Bytef *>(m.data.data());
      z.avail_in = (uInt)m.data.size();
      z.next_out = comp.data();
      z.avail_out = (uInt)comp.size();
      deflate(&z, Z_FINISH);
      comp.resize(z.total_out);
      deflateEnd(&z);
    }
    uint32_t crc = (uint32_t)crc32(0L, m.data.data(), (uInt)m.data.size());
    uint32_t off = (uint32_t)out.size();
    p32(out, 0x04034b50), p16(out, 20), p16(out, 0), p16(out, (uint32_t)m.method), p16(out, 0), p16(out, 0);
    p32(out, crc), p32(out, (uint32_t)comp.size()), p32(out, (uint32_t)m.data.size());
    p16(out, (uint32_t)m.name.size()), p16(out, 0);
    out.insert(out.end(), m.name.begin(), m.name.end());
    if (data_off0 && off == 0) *data_off0 = (uint32_t)out.size();
    out.insert(out.end(), comp.begin(), comp.end());
    p32(cd, 0x02014b50), p16(cd, 20), p16(cd, 20), p16(cd, 0), p16(cd, (uint32_t)m.method), p16(cd, 0), p16(cd, 0);
    p32(cd, crc), p32(cd, (uint32_t)comp.size()), p32(cd, (uint32_t)m.data.size());
    p16(cd, (uint32_t)m.name.size()), p16(cd, 0), p16(cd, 0), p16(cd, 0), p16(cd, 0), p32(cd, 0), p32(cd, off);
    cd.insert(cd.end(), m.name.begin(), m.name.end());
  }
  uint32_t cd_off = (uint32_t)out.size();
  out.insert(out.end(), cd.begin(), cd.end());
  p32(out, 0x06054b50), p16(out, 0), p16(out, 0), p16(out, (uint32_t)ms.size()), p16(out, (uint32_t)ms.size());
  p32(out, (uint32_t)cd.size()), p32(out, cd_off), p16(out, 0);
  return out;
}

TEST(TraceImport, NpzStoredAndDeflated) {
  uint64_t s = mpb_test_seed("TraceImport.Npz");
  auto q = seq_floats(4 * 2 * 8, &s);
  std::vector<int64_t> pos = {10, 11, 12, 13};
  std::vector<zip_member> ms = {{"q.npy", npy_bytes("<f4", {4, 2, 8}, raw(q)), 8},
                                {"positions.npy", npy_bytes("<i8", {4}, raw(pos)), 0}};
  auto z = zip_bytes(ms);
  tf_archive a;
  char e[512];
  ASSERT_EQ(npz_parse(z.data(), z.size(), "x.npz", &a, e, sizeof e), 0) << e;
  ASSERT_EQ(a.n, 2u);
  EXPECT_STREQ(a.t[0].name, "q");
  EXPECT_STREQ(a.t[1].name, "positions");
  for (size_t i = 0; i < q.size(); i++) ASSERT_EQ(tf_get(&a.t[0], i), (double)q[i]);
  EXPECT_EQ(tf_get(&a.t[1], 3), 13.0);
  tf_archive_free(&a);
  /* through the CLI */
  std::string zp = mpb_test_path("cli.npz"), out = mpb_test_path("cli_npz.trace"), o;
  tu_write_file(zp, z);
  std::string bin = mpb_test_bin("mpbsim");
  ASSERT_EQ(mpb_test_run(bin + " trace import --npz " + zp + " --base 10000 --out " + out, &o), 0) << o;
  ASSERT_EQ(mpb_test_run(bin + " trace info " + out, &o), 0) << o;
  EXPECT_NE(o.find("max position 13"), std::string::npos) << o;
  /* every truncation is an error */
  for (size_t len = 0; len < z.size(); len++) {
    ASSERT_NE(npz_parse(z.data(), len, "cut.npz", &a, e, sizeof e), 0) << len;
    ASSERT_EQ(a.t, nullptr);
  }
  auto expect_err = [&](const std::vector<uint8_t> &b, const char *needle) {
    ASSERT_NE(npz_parse(b.data(), b.size(), "bad.npz", &a, e, sizeof e), 0) << needle;
    EXPECT_NE(std::string(e).find(needle), std::string::npos) << e;
  };
  uint32_t d0 = 0;
  auto st = zip_bytes({{"q.npy", npy_bytes("<f4", {4, 2, 8}, raw(q)), 0}}, &d0);
  auto b = st;
  b[d0 + 100] ^= 1; /* a stored data byte */
  expect_err(b, "CRC-32 mismatch");
  b = st;
  b[d0 + 100] ^= 1;
  auto dz = zip_bytes({{"q.npy", npy_bytes("<f4", {4, 2, 8}, raw(q)), 8}}, &d0);
  b = dz;
  b[d0 + 3] ^= 0x55; /* deflate stream */
  ASSERT_NE(npz_parse(b.data(), b.size(), "bad.npz", &a, e, sizeof e), 0);
  expect_err(zip_bytes({{"q.txt", npy_bytes("<f4", {4, 2, 8}, raw(q)), 0}}), "expected NAME.npy");
  expect_err(zip_bytes({{"q.npy", npy_bytes(">f4", {4, 2, 8}, raw(q)), 8}}), "bad.npz:q.npy: field descr");
  b = st;
  b[8] = 12; /* local method: ignored; central method says what counts */
  size_t cdm = b.size() - 22 - (46 + 5) + 10;
  b[cdm] = 12;
  expect_err(b, "field method = 12");
  b = st;
  b[b.size() - 22 - (46 + 5) + 8] = 1; /* encrypted flag */
  expect_err(b, "encrypted");
  b = dz;
  size_t us = b.size() - 22 - (46 + 5) + 24; /* central uncompressed size: absurd */
  b[us + 3] = 0x7f;
  expect_err(b, "impossible for");
  expect_err(std::vector<uint8_t>(100, 0), "no end of central directory");
}

TEST(TraceImport, SpecsAndNames) {
  import_role r;
  uint32_t l;
  const char *p;
  char e[256];
  ASSERT_EQ(import_parse_spec("k:3=/x/y.npy", &r, &l, &p, e, sizeof e), 0) << e;
  EXPECT_EQ(r, IMPORT_K);
  EXPECT_EQ(l, 3u);
  EXPECT_STREQ(p, "/x/y.npy");
  EXPECT_NE(import_parse_spec("v=x.npy", &r, &l, &p, e, sizeof e), 0);
  EXPECT_NE(import_parse_spec("q:x=x.npy", &r, &l, &p, e, sizeof e), 0);
  EXPECT_NE(import_parse_spec("q", &r, &l, &p, e, sizeof e), 0);
  EXPECT_EQ(import_role_of_name("layer12.softmax", &r, &l), 0);
  EXPECT_EQ(r, IMPORT_SOFTMAX);
  EXPECT_EQ(l, 12u);
  EXPECT_NE(import_role_of_name("layer.q", &r, &l), 0);
  EXPECT_NE(import_role_of_name("model.layers.0.q_proj", &r, &l), 0);
}

TEST(TraceImport, CliImportWritesNothingOnFailure) {
  uint64_t s = 23;
  auto q = seq_floats(6 * 2 * 8, &s);
  std::string qp = mpb_test_path("cli_q.npy"), out = mpb_test_path("cli_imp.trace");
  tu_write_file(qp, npy_bytes("<f4", {6, 16}, raw(q)));
  std::remove(out.c_str());
  std::string o;
  std::string bin = mpb_test_bin("mpbsim");
  int rc = mpb_test_run(bin + " trace import --npy q=" + qp + " --heads 2 --base 10000 --out " + out, &o);
  ASSERT_EQ(rc, 0) << o;
  rc = mpb_test_run(bin + " trace validate " + out, &o);
  EXPECT_EQ(rc, 0) << o;
  std::remove(out.c_str());
  /* 2-D without --heads: bad input, exit 3, no output file */
  rc = mpb_test_run(bin + " trace import --npy q=" + qp + " --base 10000 --out " + out, &o);
  EXPECT_EQ(rc, 3) << o;
  EXPECT_NE(o.find("--heads"), std::string::npos) << o;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
  rc = mpb_test_run(bin + " trace import --npy q=/nonexistent.npy --base 10000 --out " + out, &o);
  EXPECT_EQ(rc, 4) << o;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
}

}  // namespace
