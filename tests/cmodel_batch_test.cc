// cmodel_batch_test.cc — the batched calls (mpb_rope_batch, mpb_exp_batch, mpb_gemm_i8)
// against the per-operation unit model, bit for bit: every shipped configuration and
// seeded random ones (EXACT and LOG-ADD, every rounding mode, every parameter range),
// random and extreme inputs, every ISA the CPU has against the scalar path, and the
// exhaustive exp input space of the default configuration.
#include <gtest/gtest.h>

#include <glob.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest_c.h"

namespace {
const mpb_geometry kLlama3 = {128, 500000.0, MPB_PAIR_HALF};

struct Named {
  std::string name;
  mpb_config cfg;
  mpb_geometry geo;
};

// The ISAs this CPU runs; the others are skipped with a printed reason.
std::vector<mpb_isa> available_isas() {
  std::vector<mpb_isa> v;
  for (int i = 0; i < MPB_NISA; i++) {
    if (mpb_isa_supported((mpb_isa)i))
      v.push_back((mpb_isa)i);
    else
      std::printf("[ skipped  ] ISA %s: this CPU does not support it\n", mpb_isa_name((mpb_isa)i));
  }
  return v;
}

// The presets and every datapath configuration file in configs/ (run from the repo root).
std::vector<Named> shipped_configs() {
  std::vector<Named> v;
  Named d{"preset default", {}, kLlama3}, p{"preset patent-literal", {}, kLlama3};
  mpb_config_default(&d.cfg);
  mpb_config_patent_literal(&p.cfg);
  v.push_back(d);
  v.push_back(p);
  glob_t gl;
  EXPECT_EQ(glob("configs/*.cfg", 0, nullptr, &gl), 0) << "no configs/*.cfg (cwd must be the repo root)";
  for (size_t i = 0; i < gl.gl_pathc; i++) {
    std::string path = gl.gl_pathv[i];
    if (path.find("configs/energy-") == 0) {
      std::printf("[ skipped  ] %s: an energy table, not a datapath configuration\n", path.c_str());
      continue;
    }
    Named n{path, {}, kLlama3};
    char err[256];
    EXPECT_EQ(mpb_config_load(&n.cfg, path.c_str(), err, sizeof err), MPB_OK) << err;
    v.push_back(n);
  }
  globfree(&gl);
  EXPECT_GE(v.size(), 4u);
  return v;
}

// A random valid configuration: every parameter drawn from its documented range (the
// table of cmodel/config.c), promote_interval a multiple of mac_lanes, and a random
// geometry that fits pair_bits.
Named random_config(uint64_t *seed, int index) {
  for (;;) {
    mpb_config c;
    mpb_config_default(&c);
    bool ok = true;
    for (size_t i = 0; i < mpb_param_count(); i++) {
      const mpb_param_info *pi = mpb_param_get(i);
      std::string name = pi->name, val;
      if (name == "clock_mhz") continue;
      if (pi->choices) {
        int n = 0;
        while (pi->choices[n]) n++;
        val = pi->choices[mpb_test_rand(seed) % (uint64_t)n];
      } else {
        val = std::to_string(pi->lo + (long)(mpb_test_rand(seed) % (uint64_t)(pi->hi - pi->lo + 1)));
      }
      char err[256];
      if (mpb_config_set(&c, name.c_str(), val.c_str(), err, sizeof err) != MPB_OK) ok = false;
    }
    if (!ok) continue;
    c.promote_interval = mpb_test_rand(seed) % 3 ? 0 : c.mac_lanes * (int)(1 + mpb_test_rand(seed) % 16);
    int pairs_max = 1 << c.pair_bits;
    if (pairs_max > 512) pairs_max = 512;
    mpb_geometry g = {2 * (1 + (int)(mpb_test_rand(seed) % (uint64_t)pairs_max)),
                      10.0 + (double)(mpb_test_rand(seed) % 1000000), (mpb_pairing)(mpb_test_rand(seed) % 2)};
    char err[256];
    if (mpb_config_validate(&c, err, sizeof err) != MPB_OK) continue;
    if (mpb_geometry_validate(&g, &c, err, sizeof err) != MPB_OK) continue;
    return Named{"random config #" + std::to_string(index), c, g};
  }
}

mpb_model *make_model(const Named &n) {
  char err[256];
  mpb_model *m = mpb_model_new(&n.cfg, &n.geo, err, sizeof err);
  EXPECT_NE(m, nullptr) << n.name << ": " << err;
  return m;
}

std::string describe(const mpb_config &c) {
  std::string s;
  char buf[64];
  for (size_t i = 0; i < mpb_param_count(); i++) {
    mpb_param_format(&c, i, buf, sizeof buf);
    s += std::string(mpb_param_get(i)->name) + "=" + buf + " ";
  }
  return s;
}

// ---- rope ----------------------------------------------------------------------------

struct RopeIn {
  std::vector<uint32_t> m, j;
  std::vector<int32_t> x, y;
};

// Random inputs with the extremes mixed in: m = 0, 1, 2^M - 1, 2^M and beyond the pins,
// j beyond the pins and beyond d/2, x/y at the pin limits, wider than the pins (they must
// wrap as the unit's R0 does) and at the int32 limits.
RopeIn rope_inputs(const mpb_config &c, int npairs, size_t n, uint64_t *seed) {
  RopeIn in;
  uint32_t mmax = (uint32_t)((1ull << c.pos_bits) - 1);
  int32_t xl = 1 << (c.x_bits - 1);
  const uint32_t mc[] = {0, 1, 2, mmax, mmax - 1, mmax + 1, 0xFFFFFFFFu, 0x80000000u, mmax >> 1};
  const int32_t xc[] = {0, 1, -1, xl - 1, -xl, xl, -xl - 1, INT32_MAX, INT32_MIN, 0x12345678};
  for (size_t i = 0; i < n; i++) {
    uint64_t r = mpb_test_rand(seed), s = mpb_test_rand(seed);
    int pick = (int)(r % 8);
    in.m.push_back(pick < 2 ? mc[(r >> 8) % 9] : pick < 4 ? (uint32_t)(r >> 32) : (uint32_t)(r >> 32) & mmax);
    in.j.push_back(pick == 5 ? (uint32_t)(s >> 32) : (uint32_t)((s >> 32) % (uint64_t)npairs));
    for (std::vector<int32_t> *v : {&in.x, &in.y}) {
      uint64_t t = mpb_test_rand(seed);
      v->push_back(t % 4 == 0 ? xc[(t >> 8) % 10] : t % 4 == 1 ? (int32_t)(t >> 32) : (int32_t)((t >> 32) % (uint64_t)(2 * xl)) - xl);
    }
  }
  return in;
}

// Batch of every ISA against the stage chain (mpb_rope_eval with an action-count buffer,
// the unit model) and the per-operation fast path (mpb_rope_eval without one).
void check_rope(const Named &nc, size_t n, uint64_t *seed) {
  mpb_model *mdl = make_model(nc);
  if (!mdl) return;
  RopeIn in = rope_inputs(nc.cfg, nc.geo.head_dim / 2, n, seed);
  std::vector<mpb_rope_resp> ref(n);
  mpb_counts cnt;
  mpb_counts_clear(&cnt);
  for (size_t i = 0; i < n; i++) {
    mpb_rope_req q = {in.m[i], in.j[i], in.x[i], in.y[i]};
    mpb_rope_resp f;
    mpb_rope_eval(mdl, &q, &ref[i], &cnt);
    mpb_rope_eval(mdl, &q, &f, nullptr);
    ASSERT_EQ(0, memcmp(&f, &ref[i], sizeof f)) << nc.name << ": per-op fast path, element " << i;
  }
  for (mpb_isa isa : available_isas()) {
    std::vector<int32_t> c(n), s(n), xr(n), yr(n);
    mpb_rope_batch_isa(isa, mdl, n, in.m.data(), in.j.data(), in.x.data(), in.y.data(), c.data(), s.data(),
                       xr.data(), yr.data());
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(c[i], ref[i].cos) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i << " m=" << in.m[i]
                                  << " j=" << in.j[i] << "\n  " << describe(nc.cfg);
      ASSERT_EQ(s[i], ref[i].sin) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i;
      ASSERT_EQ(xr[i], ref[i].xr) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i << " x=" << in.x[i]
                                  << " y=" << in.y[i];
      ASSERT_EQ(yr[i], ref[i].yr) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i;
    }
    // NULL outputs are skipped, NULL x/y read as 0; an odd length leaves a scalar tail.
    size_t h = n / 2 + 1;
    std::vector<int32_t> c2(h, 7), xr2(h, 7);
    mpb_rope_batch_isa(isa, mdl, h, in.m.data(), in.j.data(), nullptr, nullptr, c2.data(), nullptr, xr2.data(),
                       nullptr);
    for (size_t i = 0; i < h; i++) {
      ASSERT_EQ(c2[i], ref[i].cos) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i;
      ASSERT_EQ(xr2[i], 0) << nc.name << " isa " << mpb_isa_name(isa) << " element " << i;
    }
  }
  mpb_model_free(mdl);
}

// ---- exp -----------------------------------------------------------------------------

std::vector<int32_t> exp_inputs(size_t n, uint64_t *seed) {
  const int32_t uc[] = {0, 1, -1, (1 << 23) - 1, -(1 << 23), 1 << 23, -(1 << 23) - 1, INT32_MAX, INT32_MIN,
                        0xFFFF, 0x10000, -0x10000, 0x7FFF00};
  std::vector<int32_t> u;
  for (size_t i = 0; i < n; i++) {
    uint64_t r = mpb_test_rand(seed);
    u.push_back(r % 4 == 0 ? uc[(r >> 8) % 13] : r % 4 == 1 ? (int32_t)(r >> 32) : (int32_t)((r >> 32) & 0xFFFFFF) - (1 << 23));
  }
  return u;
}

void check_exp(const Named &nc, size_t n, uint64_t *seed) {
  mpb_model *mdl = make_model(nc);
  if (!mdl) return;
  std::vector<int32_t> u = exp_inputs(n, seed);
  std::vector<mpb_exp_resp> ref(n);
  mpb_counts cnt;
  mpb_counts_clear(&cnt);
  for (size_t i = 0; i < n; i++) {
    mpb_exp_req q = {u[i]};
    mpb_exp_eval(mdl, &q, &ref[i], &cnt);
  }
  for (mpb_isa isa : available_isas()) {
    std::vector<int32_t> e(n);
    std::vector<uint32_t> mant(n);
    mpb_exp_batch_isa(isa, mdl, n, u.data(), e.data(), mant.data());
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(e[i], ref[i].e) << nc.name << " isa " << mpb_isa_name(isa) << " u=" << u[i] << "\n  " << describe(nc.cfg);
      ASSERT_EQ(mant[i], ref[i].mant) << nc.name << " isa " << mpb_isa_name(isa) << " u=" << u[i] << "\n  "
                                      << describe(nc.cfg);
    }
    std::vector<uint32_t> m2(n, 7);
    mpb_exp_batch_isa(isa, mdl, n - 1, u.data(), nullptr, m2.data());
    for (size_t i = 0; i + 1 < n; i++) ASSERT_EQ(m2[i], ref[i].mant) << nc.name << " isa " << mpb_isa_name(isa);
    ASSERT_EQ(m2[n - 1], 7u);
  }
  mpb_model_free(mdl);
}

// ---- gemm ----------------------------------------------------------------------------

// One GEMM of every ISA against mpb_dot_eval per element (padded strides, random or
// same-sign operands that drive the accumulator to overflow). Returns the events seen.
uint64_t check_gemm(const mpb_model *mdl, const std::string &name, size_t M, size_t N, size_t K, int kind,
                    uint64_t *seed) {
  size_t lda = K + mpb_test_rand(seed) % 5, ldb = K + mpb_test_rand(seed) % 5, ldc = N + mpb_test_rand(seed) % 3;
  std::vector<int8_t> A(M * lda + 1), B(N * ldb + 1);
  for (int8_t &v : A) v = kind == 0 ? (int8_t)(mpb_test_rand(seed) & 0xFF) : kind == 1 ? (int8_t)-128 : (int8_t)(100 + mpb_test_rand(seed) % 28);
  for (int8_t &v : B) v = kind == 0 ? (int8_t)(mpb_test_rand(seed) & 0xFF) : kind == 1 ? (int8_t)-128 : (int8_t)(100 + mpb_test_rand(seed) % 28);
  std::vector<int64_t> ref(M * ldc, -1);
  std::vector<uint32_t> rev(M * ldc, 0);
  uint64_t events = 0;
  for (size_t i = 0; i < M; i++)
    for (size_t k = 0; k < N; k++) {
      mpb_dot_resp r;
      mpb_dot_eval(mdl, A.data() + i * lda, B.data() + k * ldb, K, &r, nullptr);
      ref[i * ldc + k] = r.sum;
      rev[i * ldc + k] = r.sat_events + r.wrap_events;
      events += rev[i * ldc + k];
    }
  for (mpb_isa isa : available_isas()) {
    std::vector<int64_t> C(M * ldc, -1);
    std::vector<uint32_t> ev(M * ldc, 0);
    mpb_gemm_i8_isa(isa, mdl, M, N, K, A.data(), lda, B.data(), ldb, C.data(), ldc, ev.data());
    for (size_t i = 0; i < M; i++)
      for (size_t k = 0; k < N; k++) {
        EXPECT_EQ(C[i * ldc + k], ref[i * ldc + k]) << name << " isa " << mpb_isa_name(isa) << " M=" << M << " N=" << N
                                                    << " K=" << K << " kind " << kind << " at (" << i << "," << k << ")";
        EXPECT_EQ(ev[i * ldc + k], rev[i * ldc + k]) << name << " isa " << mpb_isa_name(isa) << " events M=" << M
                                                     << " N=" << N << " K=" << K << " at (" << i << "," << k << ")";
        if (::testing::Test::HasFailure()) return events;
      }
    for (size_t i = 0; i < M; i++)  // padding between rows untouched
      for (size_t k = N; k < ldc; k++) EXPECT_EQ(C[i * ldc + k], -1);
    std::vector<int64_t> C2(M * ldc, -1);  // events may be NULL
    mpb_gemm_i8_isa(isa, mdl, M, N, K, A.data(), lda, B.data(), ldb, C2.data(), ldc, nullptr);
    EXPECT_EQ(C2, C) << name << " isa " << mpb_isa_name(isa) << " without events";
  }
  return events;
}
}  // namespace

// ---- tests ---------------------------------------------------------------------------

TEST(BatchIsa, NamesParseAndEnvironment) {
  for (int i = 0; i < MPB_NISA; i++) {
    mpb_isa isa;
    char err[128];
    ASSERT_EQ(mpb_isa_parse(mpb_isa_name((mpb_isa)i), &isa, err, sizeof err), MPB_OK);
    EXPECT_EQ(isa, (mpb_isa)i);
  }
  mpb_isa isa;
  char err[128];
  EXPECT_EQ(mpb_isa_parse("sse9", &isa, err, sizeof err), MPB_EINVAL);
  EXPECT_NE(std::string(err).find("unknown ISA 'sse9' (expected scalar, avx2, avx512)"), std::string::npos) << err;
  EXPECT_EQ(mpb_isa_name((mpb_isa)7), nullptr);
  EXPECT_TRUE(mpb_isa_supported(MPB_ISA_SCALAR));
  EXPECT_TRUE(mpb_isa_supported(mpb_isa_best()));
  const char *old = getenv("MPB_ISA");
  std::string saved = old ? old : "";
  setenv("MPB_ISA", "scalar", 1);
  EXPECT_EQ(mpb_isa_default(), MPB_ISA_SCALAR);
  setenv("MPB_ISA", "avx512", 1);
  EXPECT_EQ(mpb_isa_default(), mpb_isa_supported(MPB_ISA_AVX512) ? MPB_ISA_AVX512 : mpb_isa_best());
  setenv("MPB_ISA", "bogus", 1);
  EXPECT_EQ(mpb_isa_default(), mpb_isa_best());
  unsetenv("MPB_ISA");
  EXPECT_EQ(mpb_isa_default(), mpb_isa_best());
  if (old) setenv("MPB_ISA", saved.c_str(), 1);
  std::printf("[ info     ] best ISA on this CPU: %s\n", mpb_isa_name(mpb_isa_best()));
}

TEST(BatchRope, ShippedConfigs) {
  uint64_t seed = mpb_test_seed("BatchRope.ShippedConfigs");
  for (const Named &nc : shipped_configs()) {
    check_rope(nc, 3001, &seed);
    if (HasFatalFailure()) return;
  }
}

TEST(BatchRope, ShippedConfigsEveryRounding) {
  uint64_t seed = mpb_test_seed("BatchRope.ShippedConfigsEveryRounding");
  for (Named nc : shipped_configs())
    for (int r = 0; r < 3; r++) {
      nc.cfg.rounding = (mpb_rounding)r;
      for (int x16 = 0; x16 < 2; x16++) {
        nc.cfg.x_bits = x16 ? 16 : 8;
        check_rope(nc, 1001, &seed);
        if (HasFatalFailure()) return;
      }
    }
}

TEST(BatchRope, RandomConfigs) {
  uint64_t seed = mpb_test_seed("BatchRope.RandomConfigs");
  for (int k = 0; k < 120; k++) {
    Named nc = random_config(&seed, k);
    check_rope(nc, 601, &seed);
    if (HasFatalFailure()) return;
  }
}

// Every position of the pin range at a few pairs, EXACT and LOG-ADD: each SIMD path
// equals the scalar one (LOG-ADD: every leading-one position and log_mant index).
TEST(BatchRope, EveryPositionSimdEqualsScalar) {
  std::vector<Named> cfgs = shipped_configs();
  for (size_t c = 0; c < 2; c++) {
    mpb_model *mdl = make_model(cfgs[c]);
    size_t n = (size_t)1 << cfgs[c].cfg.pos_bits;
    std::vector<uint32_t> m(n), j(n);
    std::vector<int32_t> x(n), y(n);
    for (uint32_t jj : {0u, 1u, 37u, 63u}) {
      for (size_t i = 0; i < n; i++) {
        m[i] = (uint32_t)i;
        j[i] = jj;
        x[i] = (int32_t)(i * 7) % 256 - 128;
        y[i] = (int32_t)(i * 13) % 256 - 128;
      }
      std::vector<int32_t> ref[4], out[4];
      for (auto &v : ref) v.resize(n);
      for (auto &v : out) v.resize(n);
      mpb_rope_batch_isa(MPB_ISA_SCALAR, mdl, n, m.data(), j.data(), x.data(), y.data(), ref[0].data(), ref[1].data(),
                         ref[2].data(), ref[3].data());
      for (mpb_isa isa : available_isas()) {
        if (isa == MPB_ISA_SCALAR) continue;
        mpb_rope_batch_isa(isa, mdl, n, m.data(), j.data(), x.data(), y.data(), out[0].data(), out[1].data(),
                           out[2].data(), out[3].data());
        for (int k = 0; k < 4; k++) ASSERT_EQ(out[k], ref[k]) << cfgs[c].name << " isa " << mpb_isa_name(isa) << " j=" << jj;
      }
    }
    mpb_model_free(mdl);
  }
}

TEST(BatchExp, ShippedConfigsEveryRounding) {
  uint64_t seed = mpb_test_seed("BatchExp.ShippedConfigsEveryRounding");
  for (Named nc : shipped_configs())
    for (int r = 0; r < 3; r++) {
      nc.cfg.rounding = (mpb_rounding)r;
      check_exp(nc, 5003, &seed);
      if (HasFatalFailure()) return;
    }
}

TEST(BatchExp, RandomConfigs) {
  uint64_t seed = mpb_test_seed("BatchExp.RandomConfigs");
  for (int k = 0; k < 150; k++) {
    Named nc = random_config(&seed, k);
    check_exp(nc, 1001, &seed);
    if (HasFatalFailure()) return;
  }
}

// All 2^24 inputs of the default configuration (rounding nearest), and every 7th input
// with the other two rounding modes (the whole space three times doubles the time of the
// ASan build): every SIMD path equals the scalar batch, which equals the per-operation
// fast path; every 16th input also equals the stage chain (the fast path is checked
// against the stage chain in cmodel_pipe_test and above; the whole space through the
// counting stage chain would take a minute in the ASan build).
TEST(BatchExp, ExhaustiveDefaultConfig) {
  const int rounding[] = {MPB_ROUND_NEAREST, MPB_ROUND_TRUNC, MPB_ROUND_EVEN};
  for (int r : rounding) {
    const int stride = r == MPB_ROUND_NEAREST ? 1 : 7;
    std::vector<int32_t> u;
    for (int64_t v = -(1 << 23); v < (1 << 23); v += stride) u.push_back((int32_t)v);
    const size_t n = u.size();
    std::vector<int32_t> e(n), e2(n);
    std::vector<uint32_t> mant(n), mant2(n);
    mpb_config c;
    mpb_config_default(&c);
    c.rounding = (mpb_rounding)r;
    Named nc{"default", c, kLlama3};
    mpb_model *mdl = make_model(nc);
    mpb_exp_batch_isa(MPB_ISA_SCALAR, mdl, n, u.data(), e.data(), mant.data());
    mpb_counts cnt;
    mpb_counts_clear(&cnt);
    for (size_t i = 0; i < n; i++) {
      mpb_exp_req q = {u[i]};
      mpb_exp_resp ref;
      mpb_exp_eval(mdl, &q, &ref, (i & 15) ? nullptr : &cnt);
      ASSERT_EQ(e[i], ref.e) << "u=" << u[i] << " rounding " << r;
      ASSERT_EQ(mant[i], ref.mant) << "u=" << u[i] << " rounding " << r;
    }
    for (mpb_isa isa : available_isas()) {
      if (isa == MPB_ISA_SCALAR) continue;
      mpb_exp_batch_isa(isa, mdl, n, u.data(), e2.data(), mant2.data());
      ASSERT_EQ(e2, e) << mpb_isa_name(isa) << " rounding " << r;
      ASSERT_EQ(mant2, mant) << mpb_isa_name(isa) << " rounding " << r;
    }
    mpb_model_free(mdl);
  }
}

TEST(BatchGemm, ShippedConfigsShapes) {
  uint64_t seed = mpb_test_seed("BatchGemm.ShippedConfigsShapes");
  const size_t shapes[][3] = {{1, 1, 0}, {3, 5, 0}, {1, 1, 1}, {2, 3, 7}, {7, 13, 64}, {33, 29, 100},
                              {65, 40, 257}, {17, 70, 576}, {1, 50, 1000}, {40, 1, 33}, {517, 5, 300}, {9, 50, 8200}};
  for (const Named &nc : shipped_configs()) {
    mpb_model *mdl = make_model(nc);
    for (const auto &s : shapes)
      for (int kind = 0; kind < 3; kind++) {
        check_gemm(mdl, nc.name, s[0], s[1], s[2], kind, &seed);
        if (HasFailure()) return;
      }
    mpb_model_free(mdl);
  }
}

// Accumulators that overflow: A = 16..24 in wrap and sat mode, with and without
// promotion, lanes that do not divide K. The events must be seen (the test must bite).
TEST(BatchGemm, OverflowWrapSatPromotion) {
  uint64_t seed = mpb_test_seed("BatchGemm.OverflowWrapSatPromotion");
  uint64_t events[2] = {0, 0};
  for (int A : {16, 20, 24})
    for (int sat : {0, 1})
      for (int L : {1, 3, 8, 16, 64})
        for (int Pm : {0, 1, 4}) {
          mpb_config c;
          mpb_config_default(&c);
          c.acc_bits = A;
          c.acc_overflow = sat ? MPB_OVF_SAT : MPB_OVF_WRAP;
          c.mac_lanes = L;
          c.promote_interval = Pm * L;
          Named nc{"A=" + std::to_string(A) + (sat ? " sat" : " wrap") + " L=" + std::to_string(L) + " P=" +
                       std::to_string(Pm * L),
                   c, kLlama3};
          mpb_model *mdl = make_model(nc);
          for (size_t K : {0, 1, 5, 67, 300, 1111}) {
            size_t M = 1 + mpb_test_rand(&seed) % 9, N = 1 + mpb_test_rand(&seed) % 21;
            for (int kind = 0; kind < 3; kind++) events[sat] += check_gemm(mdl, nc.name, M, N, K, kind, &seed);
            if (HasFailure()) return;
          }
          mpb_model_free(mdl);
        }
  EXPECT_GT(events[0], 1000u) << "no wrap events: the overflow path was not exercised";
  EXPECT_GT(events[1], 1000u) << "no sat events: the overflow path was not exercised";
}

TEST(BatchGemm, RandomConfigs) {
  uint64_t seed = mpb_test_seed("BatchGemm.RandomConfigs");
  for (int k = 0; k < 60; k++) {
    Named nc = random_config(&seed, k);
    mpb_model *mdl = make_model(nc);
    size_t M = 1 + mpb_test_rand(&seed) % 40, N = 1 + mpb_test_rand(&seed) % 40, K = mpb_test_rand(&seed) % 700;
    check_gemm(mdl, nc.name + " " + describe(nc.cfg), M, N, K, (int)(mpb_test_rand(&seed) % 3), &seed);
    mpb_model_free(mdl);
    if (HasFailure()) return;
  }
}

// Long dot products: exact sums beyond 2^31 (A = 48, K > 2^17 products of 2^14) and a
// K that crosses any internal blocking; the sums must stay exact.
TEST(BatchGemm, LongDotProducts) {
  uint64_t seed = mpb_test_seed("BatchGemm.LongDotProducts");
  mpb_config c;
  mpb_config_default(&c);
  c.acc_bits = 48;
  Named nc{"A=48", c, kLlama3};
  mpb_model *mdl = make_model(nc);
  for (int kind = 0; kind < 3; kind++) check_gemm(mdl, nc.name, 3, 19, 140001, kind, &seed);
  mpb_model_free(mdl);
}
