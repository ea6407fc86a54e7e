/* cosim.cpp — the lock-step RTL vs C-model compare of one cycle, and the runs of a whole
 * stimulus in one thread or with the C model on a second thread (see cosim.h). */
#include "cosim.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cinttypes>
#include <cstdio>
#include <thread>
#include <vector>

#include "Vmpb_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

/* Sign-extend the low 'bits' bits of v. */
int64_t sext(uint64_t v, int bits) {
  return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}
uint64_t mask(int bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }

/* Pack L int8 lanes into a port of 8L bits, whatever Verilator type holds it. */
template <typename T>
void set_lanes(T &port, const int8_t *v, int n) {
  uint64_t w = 0;
  for (int i = 0; i < n; i++) w |= (uint64_t)(uint8_t)v[i] << (8 * i);
  port = (T)w;
}
template <std::size_t N>
void set_lanes(VlWide<N> &port, const int8_t *v, int n) {
  for (std::size_t k = 0; k < N; k++) port[k] = 0;
  for (int i = 0; i < n; i++) port[i / 4] |= (uint32_t)(uint8_t)v[i] << (8 * (i % 4));
}

}  // namespace

Cosim::Cosim(const mpb_model *mdl, VerilatedContext *ctx, Mode mode, mpb_pipe_mode pipe_mode)
    : mdl_(mdl), cfg_(*mpb_model_config(mdl)), mode_(mode), ctx_(ctx),
      rtl_(new Vmpb_top(ctx, "top")) {
  if (mode_ != RtlOnly) {
    rope_ = mpb_pipe_new(mdl, MPB_UNIT_ROPE);
    exp_ = mpb_pipe_new(mdl, MPB_UNIT_EXP);
    dot_ = mpb_pipe_new(mdl, MPB_UNIT_DOT);
    mpb_pipe_set_mode(rope_, pipe_mode);
    mpb_pipe_set_mode(exp_, pipe_mode);
    mpb_pipe_set_mode(dot_, pipe_mode);
  }
}

Cosim::~Cosim() {
  trace_close();
  if (rtl_) rtl_->final();
  mpb_pipe_free(rope_);
  mpb_pipe_free(exp_);
  mpb_pipe_free(dot_);
}

bool Cosim::trace_open(const std::string &path) {
  if (fst_) return true;
  fst_.reset(new VerilatedFstC);
  rtl_->trace(fst_.get(), 99);
  fst_->open(path.c_str());
  return fst_->isOpen();
}

void Cosim::trace_close() {
  if (fst_) fst_->close();
  fst_.reset();
}

void Cosim::reset() {
  CosimPins idle{};
  drive(idle);
  rtl_->rst_ni = 0;
  rtl_->clk_i = 0;
  rtl_->eval();
  for (int i = 0; i < 3; i++) {
    rtl_->clk_i = 1;
    rtl_->eval();
    rtl_->clk_i = 0;
    rtl_->eval();
  }
  rtl_->rst_ni = 1;
  rtl_->eval();
  if (rope_) mpb_pipe_reset(rope_);
  if (exp_) mpb_pipe_reset(exp_);
  if (dot_) mpb_pipe_reset(dot_);
}

void Cosim::drive(const CosimPins &p) {
  Vmpb_top &t = *rtl_;
  t.rope_in_valid_i = p.rope.in_valid;
  t.rope_m_i = p.rope.in.m & (uint32_t)mask(cfg_.pos_bits);
  t.rope_j_i = p.rope.in.j & (uint32_t)mask(cfg_.pair_bits);
  t.rope_x_i = (uint32_t)p.rope.in.x & (uint32_t)mask(cfg_.x_bits);
  t.rope_y_i = (uint32_t)p.rope.in.y & (uint32_t)mask(cfg_.x_bits);
  t.rope_out_ready_i = p.rope.out_ready;
  t.exp_in_valid_i = p.exp.in_valid;
  t.exp_u_i = (uint32_t)p.exp.in.u & 0xFFFFFFu;
  t.exp_out_ready_i = p.exp.out_ready;
  t.dot_in_valid_i = p.dot.in_valid;
  set_lanes(t.dot_a_i, p.dot.in.a, cfg_.mac_lanes);
  set_lanes(t.dot_b_i, p.dot.in.b, cfg_.mac_lanes);
  t.dot_last_i = p.dot.in.last;
  t.dot_out_ready_i = p.dot.out_ready;
}

bool Cosim::compare(const char *sig, int64_t exp, int64_t act) {
  if (exp == act) return true;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "cycle %" PRIu64 ": %s expected %" PRId64 " (C model) but RTL has %" PRId64,
                cycle_, sig, exp, act);
  error_ = buf;
  return false;
}

void Cosim::clock_edge() {
  const uint64_t t = 2 * cycle_;
  if (fst_) fst_->dump(t);
  rtl_->clk_i = 1;
  rtl_->eval();
  if (fst_) fst_->dump(t + 1);
  rtl_->clk_i = 0;
}

void Cosim::model_eval(const CosimPins &p, CosimExpect *e) {
  mpb_rope_pipe_eval(rope_, &p.rope, &e->rope);
  mpb_exp_pipe_eval(exp_, &p.exp, &e->exp);
  mpb_dot_pipe_eval(dot_, &p.dot, &e->dot);
}

void Cosim::model_clock(const CosimPins &p) {
  mpb_rope_pipe_clock(rope_, &p.rope);
  mpb_exp_pipe_clock(exp_, &p.exp);
  mpb_dot_pipe_clock(dot_, &p.dot);
}

bool Cosim::rtl_check(const CosimPins &p, const CosimExpect &e) {
  drive(p);
  rtl_->eval();
  const Vmpb_top &t = *rtl_;
  const int cw = cfg_.cs_bits, ow = cfg_.x_bits + 1 + cfg_.rot_frac_bits;
  const mpb_rope_pins_out &ro = e.rope;
  const mpb_exp_pins_out &eo = e.exp;
  const mpb_dot_pins_out &dout = e.dot;
  bool ok = true;
  ok = ok && compare("rope.in_ready", ro.in_ready, t.rope_in_ready_o);
  ok = ok && compare("rope.out_valid", ro.out_valid, t.rope_out_valid_o);
  if (ok && ro.out_valid) {
    ok = ok && compare("rope.cos", ro.out.cos, sext(t.rope_cos_o, cw));
    ok = ok && compare("rope.sin", ro.out.sin, sext(t.rope_sin_o, cw));
    ok = ok && compare("rope.xr", ro.out.xr, sext(t.rope_xr_o, ow));
    ok = ok && compare("rope.yr", ro.out.yr, sext(t.rope_yr_o, ow));
    results_[0] += p.rope.out_ready;
  }
  ok = ok && compare("exp.in_ready", eo.in_ready, t.exp_in_ready_o);
  ok = ok && compare("exp.out_valid", eo.out_valid, t.exp_out_valid_o);
  if (ok && eo.out_valid) {
    ok = ok && compare("exp.e", eo.out.e, sext(t.exp_e_o, 10));
    ok = ok && compare("exp.mant", eo.out.mant, t.exp_mant_o);
    results_[1] += p.exp.out_ready;
  }
  ok = ok && compare("dot.in_ready", dout.in_ready, t.dot_in_ready_o);
  ok = ok && compare("dot.out_valid", dout.out_valid, t.dot_out_valid_o);
  if (ok && dout.out_valid) {
    ok = ok && compare("dot.sum", dout.out.sum, (int64_t)t.dot_sum_o);
    ok = ok && compare("dot.sat_events", dout.out.sat_events, t.dot_sat_events_o);
    ok = ok && compare("dot.wrap_events", dout.out.wrap_events, t.dot_wrap_events_o);
    results_[2] += p.dot.out_ready;
  }
  if (!ok) {
    if (fst_) fst_->dump(2 * cycle_);
    return false;
  }
  clock_edge();
  cycle_++;
  return true;
}

bool Cosim::step(const CosimPins &p, CosimReady *r) {
  if (mode_ == StimOnly) {
    uint8_t a = ready_log_ && cycle_ < ready_log_->size() ? (*ready_log_)[cycle_] : 7;
    r->rope = a & 1;
    r->exp = (a >> 1) & 1;
    r->dot = (a >> 2) & 1;
    cycle_++;
    return true;
  }
  if (mode_ == RtlOnly) {
    drive(p);
    rtl_->eval();
    r->rope = rtl_->rope_in_ready_o;
    r->exp = rtl_->exp_in_ready_o;
    r->dot = rtl_->dot_in_ready_o;
    clock_edge();
    cycle_++;
    return true;
  }
  CosimExpect e;
  model_eval(p, &e);
  r->rope = e.rope.in_ready;
  r->exp = e.exp.in_ready;
  r->dot = e.dot.in_ready;
  if (mode_ == Both) {
    if (!rtl_check(p, e)) return false;
  } else {
    results_[0] += e.rope.out_valid && p.rope.out_ready;
    results_[1] += e.exp.out_valid && p.exp.out_ready;
    results_[2] += e.dot.out_valid && p.dot.out_ready;
    if (ready_log_) ready_log_->push_back((uint8_t)(r->rope | r->exp << 1 | r->dot << 2));
    cycle_++;
  }
  model_clock(p);
  return true;
}

int64_t Cosim::run(Stimulus &stim, uint64_t cycles, int64_t trace_from, const std::string &fst,
                   int threads) {
  if (mode_ == Both && threads > 1) return run_threaded(stim, cycles, trace_from, fst);
  for (uint64_t c = 0; c < cycles && !stim.finished(); c++) {
    if (trace_from >= 0 && (int64_t)c == trace_from && !trace_open(fst)) return -2;
    CosimReady r;
    if (!step(stim.next(), &r)) return (int64_t)c;
    stim.accept(r);
  }
  return -1;
}

namespace {

/* One queued cycle: the pins and the C model's outputs for them. */
struct CycleRec {
  CosimPins pins;
  CosimExpect expect;
};

/* Single-producer single-consumer queue of cycles. Positions are cycle numbers; the
 * producer publishes its position every kBatch cycles (and at the end), the consumer its
 * own likewise, so the two cores exchange a cache line once per batch, not per cycle.
 * A side that must wait spins briefly, then sleeps on a condition variable after
 * posting the position it needs; the other side takes the lock and notifies only when it
 * publishes that position, so the fast path takes no lock and a sleeper wakes once. */
constexpr uint64_t kRing = 2048, kBatch = 64, kNone = ~0ull;
struct CycleQueue {
  std::vector<CycleRec> ring = std::vector<CycleRec>(kRing);
  alignas(64) std::atomic<uint64_t> produced{0};
  alignas(64) std::atomic<uint64_t> consumed{0};
  alignas(64) std::atomic<uint64_t> need_produced{kNone}, need_consumed{kNone};
  std::atomic<bool> stop{false};   /* set by the consumer: it is done */
  std::atomic<bool> closed{false}; /* set by the producer: 'produced' is final */
  std::mutex mu;
  std::condition_variable cv;

  /* Publish a position (seq_cst: ordered before reading what a sleeper needs). */
  void publish(std::atomic<uint64_t> &pos, std::atomic<uint64_t> &need, uint64_t v) {
    pos.store(v);
    if (v >= need.load()) {
      std::lock_guard<std::mutex> lk(mu);
      cv.notify_all();
    }
  }
  void close(uint64_t v) {
    produced.store(v);
    closed.store(true);
    std::lock_guard<std::mutex> lk(mu);
    cv.notify_all();
  }
  void finish() {
    stop.store(true);
    std::lock_guard<std::mutex> lk(mu);
    cv.notify_all();
  }
  /* Wait until pos >= target (true), or stop or closed is set (then: pos >= target). */
  bool wait(const std::atomic<uint64_t> &pos, std::atomic<uint64_t> &need, uint64_t target) {
    for (unsigned spin = 0; spin < 512; spin++) {
      if (pos.load() >= target) return true;
      if (stop.load(std::memory_order_relaxed) || closed.load(std::memory_order_relaxed))
        return pos.load() >= target;
    }
    std::unique_lock<std::mutex> lk(mu);
    need.store(target);
    while (pos.load() < target && !stop.load() && !closed.load()) cv.wait(lk);
    need.store(kNone);
    return pos.load() >= target;
  }
};

}  // namespace

int64_t Cosim::run_threaded(Stimulus &stim, uint64_t cycles, int64_t trace_from,
                            const std::string &fst) {
  CycleQueue q;
  std::thread model([&] {
    uint64_t room = 0; /* the producer may write cycles below this without re-reading */
    uint64_t c = 0;
    for (; c < cycles && !stim.finished(); c++) {
      if (c == room) {
        room = q.consumed.load() + kRing;
        /* queue full: resume once half of it is free again */
        if (c == room) {
          if (!q.wait(q.consumed, q.need_consumed, c + kRing / 2 - kRing)) break;
          room = q.consumed.load() + kRing;
        }
      }
      CycleRec &rec = q.ring[c % kRing];
      rec.pins = stim.next();
      model_eval(rec.pins, &rec.expect);
      stim.accept({rec.expect.rope.in_ready, rec.expect.exp.in_ready, rec.expect.dot.in_ready});
      model_clock(rec.pins);
      if ((c + 1) % kBatch == 0) q.publish(q.produced, q.need_produced, c + 1);
    }
    q.close(c);
  });
  int64_t status = -1;
  uint64_t avail = 0; /* cycles below this are in the queue */
  for (uint64_t c = 0; c < cycles; c++) {
    if (c == avail) {
      avail = q.produced.load();
      if (c == avail) {
        if (!q.wait(q.produced, q.need_produced, c + 1)) break;
        avail = q.produced.load();
      }
    }
    if (trace_from >= 0 && (int64_t)c == trace_from && !trace_open(fst)) {
      status = -2;
      break;
    }
    const CycleRec &rec = q.ring[c % kRing];
    if (!rtl_check(rec.pins, rec.expect)) {
      status = (int64_t)c;
      break;
    }
    if ((c + 1) % kBatch == 0) q.publish(q.consumed, q.need_consumed, c + 1);
  }
  q.finish();
  model.join();
  return status;
}
