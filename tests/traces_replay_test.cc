/* traces_replay_test.cc — replay of traces through the golden model: rope errors within
 * the analytic bound and against an independent long-double reference, the pairing
 * convention honoured, exp relative error, MAC8 wrap/saturate against modular
 * arithmetic, cycle-accurate == functional, JSON/CSV outputs, bad positions. */
#include <gtest/gtest.h>
#include <jansson.h>

#include <cmath>

#include "replay.h"
#include "traces_util.h"

namespace {

struct writer_file {
  std::string path;
  trace_writer *w = nullptr;
  explicit writer_file(const std::string &name, const trace_header &h) : path(mpb_test_path(name)) {
    char err[512];
    w = trace_writer_open(path.c_str(), &h, err, sizeof err);
    EXPECT_NE(w, nullptr) << err;
  }
  void add(const trace_record &r) {
    char err[512];
    ASSERT_EQ(trace_write(w, &r, err, sizeof err), 0) << err;
  }
  void close() {
    char err[512];
    ASSERT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
    w = nullptr;
  }
};

/* Random int8 rope rows at positions spread over [0, 2^17). */
std::string rope_trace(const char *name, uint32_t d, double base, uint32_t pairing, uint64_t *s,
                       uint32_t rows = 200) {
  trace_header h = tu_header(1, 2, 1, d);
  h.rope_base = base;
  h.pairing = pairing;
  writer_file f(name, h);
  std::vector<int8_t> x((size_t)rows * d);
  std::vector<uint32_t> pos(rows);
  std::vector<float> sc(rows, 0.5f);
  for (auto &v : x) v = (int8_t)(mpb_test_rand(s) & 0xff);
  for (uint32_t i = 0; i < rows; i++) pos[i] = i < 4 ? i : (uint32_t)(mpb_test_rand(s) % (1u << 17));
  pos[4] = 131071;
  trace_record r = {};
  r.kind = TRACE_ROPE, r.ntok = rows, r.width = d, r.pos = pos.data(), r.x = x.data(), r.scale = sc.data();
  f.add(r);
  f.close();
  return f.path;
}

struct rope_check {
  const mpb_model *mdl;
  double bound, unit, max_ref_diff = 0, max_model_diff = 0, max_excess = -1;
  uint64_t n = 0;
  mpb_pairing pairing;
};

void rope_hook(void *user, const trace_header *h, const trace_record *r, const replay_rec_out *o) {
  auto *c = static_cast<rope_check *>(user);
  if (r->kind != TRACE_ROPE) return;
  uint32_t D = r->width, half = D / 2;
  ASSERT_EQ(o->n, (size_t)r->ntok * D);
  for (uint32_t t = 0; t < r->ntok; t++)
    for (uint32_t j = 0; j < half; j++) {
      uint32_t ix = h->pairing ? j : 2 * j, iy = h->pairing ? j + half : 2 * j + 1;
      long double x = r->x[(size_t)t * D + ix], y = r->x[(size_t)t * D + iy];
      long double th = powl((long double)h->rope_base, -2.0L * j / D), phi = r->pos[t] * th;
      long double rx = x * cosl(phi) - y * sinl(phi), ry = x * sinl(phi) + y * cosl(phi);
      size_t bx = (size_t)t * D + ix, by = (size_t)t * D + iy;
      c->max_ref_diff = std::max({c->max_ref_diff, (double)fabsl(rx - o->ref[bx]),
                                  (double)fabsl(ry - o->ref[by])});
      /* the model's own pair evaluation, independent of the vector path */
      mpb_rope_req q = {r->pos[t], j, (int32_t)x, (int32_t)y};
      mpb_rope_resp p;
      mpb_rope_eval(c->mdl, &q, &p, nullptr);
      c->max_model_diff = std::max({c->max_model_diff, fabs(p.xr * c->unit - o->got[bx]),
                                    fabs(p.yr * c->unit - o->got[by])});
      double lim = (double)(fabsl(x) + fabsl(y)) * c->bound + c->unit / 2;
      c->max_excess = std::max({c->max_excess, fabs(o->got[bx] - o->ref[bx]) - lim,
                                fabs(o->got[by] - o->ref[by]) - lim});
      c->n += 2;
    }
}

void check_rope_trace(uint32_t d, double base, uint32_t pairing) {
  uint64_t s = mpb_test_seed("TraceReplay.rope");
  std::string path = rope_trace("rope.trace", d, base, pairing, &s);
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_geometry g = {(int)d, base, pairing ? MPB_PAIR_HALF : MPB_PAIR_INTERLEAVED};
  char err[512];
  mpb_model *mdl = mpb_model_new(&cfg, &g, err, sizeof err);
  ASSERT_NE(mdl, nullptr) << err;
  rope_check c;
  c.mdl = mdl;
  c.bound = mpb_rope_error_bound(&cfg, 1u << 17);
  c.unit = std::ldexp(1.0, -cfg.rot_frac_bits);
  replay_opts o;
  replay_opts_init(&o);
  o.hook = rope_hook;
  o.hook_user = &c;
  replay_result res;
  ASSERT_EQ(replay_run(path.c_str(), &cfg, &o, &res, err, sizeof err), 0) << err;
  EXPECT_EQ(c.n, 200u * d);
  EXPECT_EQ(res.kind[TRACE_ROPE].count, 200u * d);
  EXPECT_EQ(res.ops[TRACE_ROPE], 200u * d / 2);
  EXPECT_LT(c.max_ref_diff, 1e-8);       /* the FP64 reference is the exact rotation */
  EXPECT_EQ(c.max_model_diff, 0.0);      /* replay = the model's pair evaluation, bit for bit */
  EXPECT_LE(c.max_excess, 1e-12);        /* every element within the analytic bound */
  EXPECT_GT(res.kind[TRACE_ROPE].max_abs, c.unit / 4); /* and the errors are not vacuous */
  EXPECT_EQ(res.counts.ops, 200u * d / 2); /* one counted rope operation per pair */
  EXPECT_GT(res.counts.blk[MPB_BLK_MAC8].mul_ops, 0u);
  EXPECT_GT(res.pos[TRACE_ROPE][17].count, 0u); /* 131071 is in bucket 17: [65536, 131071] */
  replay_result_free(&res);
  mpb_model_free(mdl);
}

TEST(TraceReplay, RopeHalfSplitWithinBound) { check_rope_trace(64, 100000.0, 1); }
TEST(TraceReplay, RopeInterleavedWithinBound) { check_rope_trace(128, 500000.0, 0); }

TEST(TraceReplay, PatentLiteralDriftsWithPosition) {
  uint64_t s = 11;
  std::string path = rope_trace("rope_p.trace", 128, 500000.0, 1, &s, 400);
  mpb_config cfg;
  mpb_config_patent_literal(&cfg);
  replay_opts o;
  replay_opts_init(&o);
  replay_result res;
  char err[512];
  ASSERT_EQ(replay_run(path.c_str(), &cfg, &o, &res, err, sizeof err), 0) << err;
  /* LOG-ADD with 16-bit log words: small error at position 1, tens of int8 units at 64k+ */
  EXPECT_LT(res.pos[TRACE_ROPE][1].max_abs, 0.1);
  EXPECT_GT(res.pos[TRACE_ROPE][17].max_abs + res.pos[TRACE_ROPE][18].max_abs, 10.0);
  replay_result_free(&res);
}

TEST(TraceReplay, ExpRelativeErrorAndSaturation) {
  trace_header h = tu_header();
  writer_file f("exp.trace", h);
  std::vector<float> v;
  for (int i = 0; i <= 20000; i++) v.push_back(-20.0f * (float)i / 20000.0f);
  v.push_back(-100.0f); /* -144 in log2: below the Q8.16 range, saturates */
  trace_record r = {};
  r.kind = TRACE_EXP, r.op = TRACE_EXP_SSM_DTA, r.ntok = 1, r.width = (uint32_t)v.size(),
  r.f32 = v.data();
  f.add(r);
  f.close();
  mpb_config cfg;
  mpb_config_default(&cfg);
  replay_opts o;
  replay_opts_init(&o);
  replay_result res;
  char err[512];
  ASSERT_EQ(replay_run(f.path.c_str(), &cfg, &o, &res, err, sizeof err), 0) << err;
  EXPECT_EQ(res.ops[TRACE_EXP], v.size());
  EXPECT_EQ(res.exp_saturated, 1u);
  /* UQ1.15 mantissa: half an ulp is 2^-16 relative; the Horner/table error is below it */
  EXPECT_LE(res.kind[TRACE_EXP].max_abs, std::ldexp(1.0, -15));
  EXPECT_GT(res.kind[TRACE_EXP].max_abs, 0.0);
  EXPECT_EQ(res.op[TRACE_EXP][TRACE_EXP_SSM_DTA].count, v.size());
  replay_result_free(&res);
}

int64_t wrap16(int64_t v) { return (int64_t)(int16_t)(uint16_t)(v & 0xffff); }

TEST(TraceReplay, DotWrapAndSaturateMatchArithmetic) {
  trace_header h = tu_header();
  writer_file f("dot.trace", h);
  uint64_t s = mpb_test_seed("TraceReplay.Dot");
  const uint32_t K = 256, R = 3, C = 5;
  std::vector<int8_t> a(R * K), b(C * K);
  for (auto &x : a) x = (int8_t)(mpb_test_rand(&s) & 0xff);
  for (auto &x : b) x = (int8_t)(mpb_test_rand(&s) & 0xff);
  for (uint32_t k = 0; k < K; k++) a[k] = 127, b[k] = 127; /* row 0 x col 0: 256 * 16129 */
  std::vector<float> sa(R, 1.0f), sb(C, 1.0f);
  trace_record r = {};
  r.kind = TRACE_GEMM, r.op = TRACE_GEMM_FFN_UP, r.ntok = R, r.width = K, r.cols = C,
  r.x = a.data(), r.scale = sa.data(), r.b = b.data(), r.b_scale = sb.data();
  f.add(r);
  f.close();
  std::vector<int64_t> exact(R * C);
  for (uint32_t i = 0; i < R; i++)
    for (uint32_t j = 0; j < C; j++)
      for (uint32_t k = 0; k < K; k++) exact[i * C + j] += a[i * K + k] * b[j * K + k];
  char err[512];
  for (int mode = 0; mode < 3; mode++) {
    mpb_config cfg;
    mpb_config_default(&cfg);
    if (mode) {
      ASSERT_EQ(mpb_config_set(&cfg, "acc_bits", "16", err, sizeof err), MPB_OK) << err;
      ASSERT_EQ(mpb_config_set(&cfg, "acc_overflow", mode == 1 ? "wrap" : "sat", err, sizeof err),
                MPB_OK) << err;
    }
    std::vector<double> got;
    replay_opts o;
    replay_opts_init(&o);
    o.hook_user = &got;
    o.hook = [](void *u, const trace_header *, const trace_record *, const replay_rec_out *out) {
      auto *g = static_cast<std::vector<double> *>(u);
      g->assign(out->got, out->got + out->n);
    };
    replay_result res;
    ASSERT_EQ(replay_run(f.path.c_str(), &cfg, &o, &res, err, sizeof err), 0) << err;
    ASSERT_EQ(got.size(), (size_t)R * C);
    if (mode == 0) {
      for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(got[i], (double)exact[i]);
      EXPECT_EQ(res.kind[TRACE_GEMM].max_abs, 0.0);
    } else if (mode == 1) { /* wrap: the final sum is the exact sum modulo 2^16 */
      for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(got[i], (double)wrap16(exact[i])) << i;
      EXPECT_GT(res.dot_wrap_events, 0u);
      EXPECT_EQ(res.kind[TRACE_GEMM].max_abs, std::fabs((double)(exact[0] - wrap16(exact[0]))));
    } else { /* saturate: all-positive products stop at 2^15 - 1 */
      EXPECT_EQ(got[0], 32767.0);
      EXPECT_GT(res.dot_sat_events, 0u);
    }
    replay_result_free(&res);
  }
}

TEST(TraceReplay, CycleAccurateEqualsFunctional) {
  trace_header h = tu_header(2, 4, 2, 16);
  writer_file f("mixed.trace", h);
  uint64_t s = mpb_test_seed("TraceReplay.Cycle");
  for (int i = 0; i < 30; i++) {
    tu_rec t = tu_random_rec(h, 1 + (uint32_t)(i % 3), &s, 6);
    f.add(t.r);
  }
  f.close();
  mpb_config cfg;
  mpb_config_default(&cfg);
  char err[512];
  replay_result a, b;
  replay_opts o;
  replay_opts_init(&o);
  ASSERT_EQ(replay_run(f.path.c_str(), &cfg, &o, &a, err, sizeof err), 0) << err;
  o.cycle = true;
  ASSERT_EQ(replay_run(f.path.c_str(), &cfg, &o, &b, err, sizeof err), 0) << err;
  for (int k = 1; k < TRACE_NKIND; k++) {
    EXPECT_EQ(a.ops[k], b.ops[k]);
    EXPECT_EQ(a.kind[k].count, b.kind[k].count);
    EXPECT_EQ(a.kind[k].max_abs, b.kind[k].max_abs) << k;
    EXPECT_EQ(a.kind[k].sum, b.kind[k].sum) << k;
  }
  EXPECT_GT(b.counts.cycles, 0u);
  EXPECT_GE(b.counts.cycles, a.ops[1] + a.ops[2]); /* at least one cycle per operation */
  replay_result_free(&a);
  replay_result_free(&b);
}

TEST(TraceReplay, PositionOutsideTheConfigurationIsAnError) {
  uint64_t s = 3;
  std::string path = rope_trace("rope_big.trace", 64, 100000.0, 1, &s, 10);
  mpb_config cfg;
  mpb_config_default(&cfg);
  char err[512];
  ASSERT_EQ(mpb_config_set(&cfg, "pos_bits", "12", err, sizeof err), MPB_OK) << err;
  replay_opts o;
  replay_opts_init(&o);
  replay_result res;
  EXPECT_NE(replay_run(path.c_str(), &cfg, &o, &res, err, sizeof err), 0);
  std::string e = err;
  EXPECT_NE(e.find("rope_big.trace: record 0"), std::string::npos) << e;
  EXPECT_NE(e.find("pos_bits = 12"), std::string::npos) << e;
}

TEST(TraceReplay, HostileGemmIsRefusedNotAllocated) {
  /* 4097 x 4097 dot products of K = 1: a tiny record asking for 2^24+ outputs */
  trace_header h = tu_header();
  writer_file f("gemm_big.trace", h);
  const uint32_t n = 4097;
  std::vector<int8_t> a(n, 1), b(n, 1);
  std::vector<float> s(n, 1.0f);
  trace_record r = {};
  r.kind = TRACE_GEMM, r.ntok = n, r.width = 1, r.cols = n, r.x = a.data(), r.scale = s.data(),
  r.b = b.data(), r.b_scale = s.data();
  f.add(r);
  f.close();
  mpb_config cfg;
  mpb_config_default(&cfg);
  replay_opts o;
  replay_opts_init(&o);
  replay_result res;
  char err[512];
  EXPECT_NE(replay_run(f.path.c_str(), &cfg, &o, &res, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("16785409 outputs, more than one gemm record may produce"),
            std::string::npos) << err;
}

TEST(TraceReplay, GemmOutputLimitIsTwoToTheTwenty) {
  /* 1024 x 1024 outputs replay (both paths, memory: one result per output); 1024 x 1025 is
   * refused as bad input before anything is allocated (REPLAY_MAX_GEMM_OUTPUTS) */
  for (uint32_t cols : {1024u, 1025u})
    for (bool cycle : {false, true}) {
      trace_header h = tu_header();
      writer_file f("gemm_limit.trace", h);
      const uint32_t rows = 1024, K = 9; /* two beats of 8 lanes, the second partial */
      std::vector<int8_t> a((size_t)rows * K), b((size_t)cols * K);
      for (size_t i = 0; i < a.size(); i++) a[i] = (int8_t)(i * 7 % 255 - 127);
      for (size_t i = 0; i < b.size(); i++) b[i] = (int8_t)(i * 13 % 255 - 127);
      std::vector<float> sa(rows, 1.0f), sb(cols, 1.0f);
      trace_record r = {};
      r.kind = TRACE_GEMM, r.ntok = rows, r.width = K, r.cols = cols, r.x = a.data(),
      r.scale = sa.data(), r.b = b.data(), r.b_scale = sb.data();
      f.add(r);
      f.close();
      mpb_config cfg;
      mpb_config_default(&cfg);
      replay_opts o;
      replay_opts_init(&o);
      o.cycle = cycle;
      replay_result res;
      char err[512] = "";
      int rc = replay_run(f.path.c_str(), &cfg, &o, &res, err, sizeof err);
      if (cols == 1024) {
        ASSERT_EQ(rc, 0) << err;
        EXPECT_EQ(res.ops[TRACE_GEMM], 1024u * 1024u);
        EXPECT_EQ(res.kind[TRACE_GEMM].max_abs, 0.0); /* K = 9: no wrap in 32 bits */
        replay_result_free(&res);
      } else {
        EXPECT_NE(rc, 0);
        EXPECT_EQ(res.io_errno, 0);
        EXPECT_NE(std::string(err).find("1048576"), std::string::npos) << err;
      }
    }
}

TEST(TraceReplay, JsonAndCsvOutputs) {
  uint64_t s = 5;
  std::string path = rope_trace("rope_json.trace", 64, 100000.0, 1, &s, 20);
  mpb_config cfg;
  mpb_config_default(&cfg);
  replay_opts o;
  replay_opts_init(&o);
  replay_result res;
  char err[512];
  ASSERT_EQ(replay_run(path.c_str(), &cfg, &o, &res, err, sizeof err), 0) << err;
  std::string jp = mpb_test_path("replay.json"), cp = mpb_test_path("replay.csv");
  FILE *f = fopen(jp.c_str(), "w");
  ASSERT_EQ(replay_write_json(&res, path.c_str(), &cfg, f, err, sizeof err), 0);
  fclose(f);
  f = fopen(cp.c_str(), "w");
  ASSERT_EQ(replay_write_csv(&res, f), 0);
  fclose(f);
  json_error_t je;
  json_t *root = json_load_file(jp.c_str(), 0, &je);
  ASSERT_NE(root, nullptr) << je.text;
  json_t *rope = json_object_get(json_object_get(root, "by_kind"), "rope");
  ASSERT_NE(rope, nullptr);
  EXPECT_EQ(json_integer_value(json_object_get(rope, "count")), 20 * 64);
  EXPECT_EQ(json_integer_value(json_object_get(rope, "ops")), 20 * 32);
  EXPECT_NEAR(json_real_value(json_object_get(rope, "max_abs")), res.kind[TRACE_ROPE].max_abs,
              1e-9 * res.kind[TRACE_ROPE].max_abs);
  EXPECT_GT(json_array_size(json_object_get(root, "by_position")), 3u);
  EXPECT_STREQ(json_string_value(json_object_get(json_object_get(root, "config"), "phi_mode")), "exact");
  json_t *rot = json_object_get(json_object_get(json_object_get(root, "counts"), "blocks"), "mac8");
  EXPECT_GT(json_integer_value(json_object_get(rot, "mul_ops")), 0);
  json_decref(root);
  auto csv = tu_read_file(cp);
  std::string text(csv.begin(), csv.end());
  EXPECT_EQ(text.rfind("group,kind,op,layer,pos_lo,pos_hi,count,max_abs,rms,mean\nkind,rope,", 0), 0u) << text;
  replay_result_free(&res);
}

TEST(TraceReplay, StatsAndBuckets) {
  replay_stat st = {};
  replay_stat_add(&st, -3.0);
  replay_stat_add(&st, 4.0);
  EXPECT_EQ(st.count, 2u);
  EXPECT_EQ(st.max_abs, 4.0);
  EXPECT_DOUBLE_EQ(replay_stat_mean(&st), 3.5);
  EXPECT_DOUBLE_EQ(replay_stat_rms(&st), std::sqrt(12.5));
  for (uint32_t m = 0; m < 70000; m++) {
    int b = replay_pos_bucket(m);
    uint32_t lo, hi;
    replay_bucket_range(b, &lo, &hi);
    ASSERT_TRUE(m >= lo && m <= hi) << m;
  }
}

}  // namespace
