/* trace_items.cpp — a workload trace's ROPE, EXP and GEMM records as the co-simulation's
 * stimulus items (see trace_items.h). */
#include "trace_items.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "replay.h"

TraceItems::~TraceItems() {
  for (Cursor &c : cur_)
    if (c.rd) trace_reader_close(c.rd);
}

bool TraceItems::open(const std::string &path, const mpb_model *mdl, std::string *err) {
  path_ = path;
  cfg_ = *mpb_model_config(mdl);
  geo_ = *mpb_model_geometry(mdl);
  char e[512];
  for (Cursor &c : cur_) {
    c.rd = trace_reader_open(path.c_str(), e, sizeof e);
    if (!c.rd) {
      *err = e;
      return false;
    }
  }
  const trace_header *h = trace_reader_header(cur_[0].rd);
  char buf[512];
  if (h->head_dim != 0 && (int)h->head_dim != geo_.head_dim) {
    std::snprintf(buf, sizeof buf,
                  "%s: header field head_dim is %u, but this build's tables are for head_dim "
                  "%d (use a co-simulation build of that geometry)",
                  path.c_str(), h->head_dim, geo_.head_dim);
    *err = buf;
    return false;
  }
  if (h->head_dim != 0 && std::fabs(h->rope_base / geo_.base - 1.0) > 1e-12) {
    std::snprintf(buf, sizeof buf,
                  "%s: header field rope_base is %g, but this build's tables are for base %g",
                  path.c_str(), h->rope_base, geo_.base);
    *err = buf;
    return false;
  }
  geo_.pairing = (mpb_pairing)h->pairing; /* which elements of a row form pair j */
  return true;
}

/* Move c to the next record of 'kind' if the current one is used up. */
bool TraceItems::advance(Cursor &c, uint32_t kind) {
  while (!c.done && (!c.have || c.i == c.n)) {
    char e[512];
    int rc = trace_read(c.rd, &c.rec, e, sizeof e);
    if (rc < 0) error_ = e;
    if (rc <= 0) {
      c.done = true;
      c.have = false;
      break;
    }
    if (c.rec.kind != kind) continue;
    c.i = 0;
    const uint64_t L = (uint64_t)cfg_.mac_lanes;
    switch (kind) {
    case TRACE_ROPE: c.n = (uint64_t)c.rec.ntok * (c.rec.width / 2); break;
    case TRACE_EXP: c.n = (uint64_t)c.rec.ntok * c.rec.width; break;
    default: c.n = (uint64_t)c.rec.ntok * c.rec.cols * ((c.rec.width + L - 1) / L); break;
    }
    c.have = c.n > 0;
    if (kind == TRACE_ROPE) { /* positions must fit the build's pos_bits */
      const uint64_t mmax = (1ull << cfg_.pos_bits) - 1;
      for (uint32_t t = 0; t < c.rec.ntok; t++)
        if (c.rec.pos[t] > mmax) {
          char buf[512];
          std::snprintf(buf, sizeof buf,
                        "%s: record %" PRIu64 ": field pos[%u] = %u exceeds the configuration's "
                        "position range [0, %" PRIu64 "] (pos_bits = %d)",
                        path_.c_str(), trace_reader_record_index(c.rd), t, c.rec.pos[t], mmax,
                        cfg_.pos_bits);
          error_ = buf;
          c.done = true;
          c.have = false;
          return false;
        }
    }
  }
  return c.have;
}

bool TraceItems::next_rope(mpb_rope_req *out) {
  Cursor &c = cur_[0];
  if (!advance(c, TRACE_ROPE)) return false;
  const uint32_t npairs = c.rec.width / 2, t = (uint32_t)(c.i / npairs), j = (uint32_t)(c.i % npairs);
  int ix, iy;
  mpb_geometry g = geo_;
  g.head_dim = (int)c.rec.width;
  mpb_pair_index(&g, (int)j, &ix, &iy);
  const int8_t *row = c.rec.x + (size_t)t * c.rec.width;
  *out = {c.rec.pos[t], j, row[ix], row[iy]};
  c.i++;
  count_[0]++;
  return true;
}

bool TraceItems::next_exp(int32_t *u) {
  Cursor &c = cur_[1];
  if (!advance(c, TRACE_EXP)) return false;
  bool sat;
  *u = replay_exp_input(c.rec.f32[c.i], &sat);
  c.i++;
  count_[1]++;
  return true;
}

bool TraceItems::next_dot(mpb_dot_beat *out) {
  Cursor &c = cur_[2];
  if (!advance(c, TRACE_GEMM)) return false;
  const uint32_t K = c.rec.width, L = (uint32_t)cfg_.mac_lanes;
  const uint64_t beats = (K + L - 1) / L, o = c.i / beats, q = c.i % beats;
  const uint32_t t = (uint32_t)(o / c.rec.cols), col = (uint32_t)(o % c.rec.cols);
  replay_dot_beat(c.rec.x + (size_t)t * K, c.rec.b + (size_t)col * K, K, (int)L, q, out);
  c.i++;
  count_[2]++;
  return true;
}
