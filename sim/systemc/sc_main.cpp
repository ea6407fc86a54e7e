/* sc_main.cpp — the SystemC test bench (`make test`, rtl suite):
 *  1. the Verilated RTL (Vmpb_top, verilator --sc) and the C model (ScCModel) side by
 *     side on the same clock and pin signals, driven by the co-simulation's seeded
 *     stimulus; a scoreboard compares every output of both each cycle (the data while
 *     out_valid);
 *  2. the TLM-2.0 target (MpbTlmTarget) driven through a simple_initiator_socket: every
 *     register result is checked against the functional C model, and each error
 *     response of the documented map is provoked once.
 * Prints "SYSTEMC PASS scoreboard cycles=N compared=R tlm transactions=T" and exits 0, or
 * prints the first difference and exits 1. usage: sc_test [--seed S] [--cycles N] */
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "Vmpb_top.h"
#include "cosim_config.h"
#include "sc_cmodel.h"
#include "sc_tlm_target.h"
#include "stimulus.h"
#include "verilated.h"

using sc_core::sc_signal;

namespace {
int g_fail = 0;
std::string g_msg;
void fail(const std::string &m) {
  if (!g_fail) g_msg = m;
  g_fail++;
}
}  // namespace

/* The pins shared by the RTL and the C model, and the outputs of each. */
struct Pins {
  sc_signal<bool> rope_in_valid, rope_out_ready, exp_in_valid, exp_out_ready;
  sc_signal<bool> dot_in_valid, dot_out_ready, dot_last;
  sc_signal<uint32_t> rope_m, rope_j, rope_x, rope_y, exp_u;
  sc_signal<uint64_t> dot_a, dot_b;
};
struct Outs {
  sc_signal<bool> rope_in_ready, rope_out_valid, exp_in_ready, exp_out_valid;
  sc_signal<bool> dot_in_ready, dot_out_valid;
  sc_signal<uint32_t> cos, sin, xr, yr, e, mant, sat, wrap;
  sc_signal<uint64_t> sum;
};

template <typename M>
void bind_all(M &m, sc_core::sc_clock &clk, sc_signal<bool> &rst, Pins &p, Outs &o) {
  m.clk_i(clk);
  m.rst_ni(rst);
  m.rope_in_valid_i(p.rope_in_valid);
  m.rope_out_ready_i(p.rope_out_ready);
  m.rope_m_i(p.rope_m);
  m.rope_j_i(p.rope_j);
  m.rope_x_i(p.rope_x);
  m.rope_y_i(p.rope_y);
  m.rope_in_ready_o(o.rope_in_ready);
  m.rope_out_valid_o(o.rope_out_valid);
  m.rope_cos_o(o.cos);
  m.rope_sin_o(o.sin);
  m.rope_xr_o(o.xr);
  m.rope_yr_o(o.yr);
  m.exp_in_valid_i(p.exp_in_valid);
  m.exp_out_ready_i(p.exp_out_ready);
  m.exp_u_i(p.exp_u);
  m.exp_in_ready_o(o.exp_in_ready);
  m.exp_out_valid_o(o.exp_out_valid);
  m.exp_e_o(o.e);
  m.exp_mant_o(o.mant);
  m.dot_in_valid_i(p.dot_in_valid);
  m.dot_out_ready_i(p.dot_out_ready);
  m.dot_last_i(p.dot_last);
  m.dot_a_i(p.dot_a);
  m.dot_b_i(p.dot_b);
  m.dot_in_ready_o(o.dot_in_ready);
  m.dot_out_valid_o(o.dot_out_valid);
  m.dot_sum_o(o.sum);
  m.dot_sat_events_o(o.sat);
  m.dot_wrap_events_o(o.wrap);
}

/* Drives the stimulus at each falling edge and compares both sides just before the
 * rising edge. */
SC_MODULE(Scoreboard) {
  sc_core::sc_in<bool> clk;
  Pins *p = nullptr;
  Outs *rtl = nullptr, *ref = nullptr;
  Stimulus *stim = nullptr;
  uint64_t cycles = 0, limit = 0, compared = 0;
  sc_core::sc_time period;

  SC_CTOR(Scoreboard) { SC_THREAD(run); }

  void check(const char *sig, uint64_t exp, uint64_t act) {
    if (exp != act) {
      char b[200];
      std::snprintf(b, sizeof b, "cycle %" PRIu64 ": %s expected 0x%" PRIx64 " got 0x%" PRIx64,
                    cycles, sig, exp, act);
      fail(b);
    }
  }

  void run() {
    while (cycles < limit && !g_fail) {
      wait(clk.negedge_event());
      const CosimPins &s = stim->next();
      p->rope_in_valid.write(s.rope.in_valid);
      p->rope_out_ready.write(s.rope.out_ready);
      p->rope_m.write(s.rope.in.m);
      p->rope_j.write(s.rope.in.j);
      p->rope_x.write((uint32_t)s.rope.in.x & 0xFFu);
      p->rope_y.write((uint32_t)s.rope.in.y & 0xFFu);
      p->exp_in_valid.write(s.exp.in_valid);
      p->exp_out_ready.write(s.exp.out_ready);
      p->exp_u.write((uint32_t)s.exp.in.u & 0xFFFFFFu);
      p->dot_in_valid.write(s.dot.in_valid);
      p->dot_out_ready.write(s.dot.out_ready);
      p->dot_last.write(s.dot.in.last);
      uint64_t a = 0, b = 0;
      for (int i = 0; i < 8; i++) {
        a |= (uint64_t)(uint8_t)s.dot.in.a[i] << (8 * i);
        b |= (uint64_t)(uint8_t)s.dot.in.b[i] << (8 * i);
      }
      p->dot_a.write(a);
      p->dot_b.write(b);
      wait(period / 4);  /* both sides settle */
      check("rope.in_ready", ref->rope_in_ready.read(), rtl->rope_in_ready.read());
      check("rope.out_valid", ref->rope_out_valid.read(), rtl->rope_out_valid.read());
      if (ref->rope_out_valid.read()) {
        check("rope.cos", ref->cos.read(), rtl->cos.read());
        check("rope.sin", ref->sin.read(), rtl->sin.read());
        check("rope.xr", ref->xr.read(), rtl->xr.read());
        check("rope.yr", ref->yr.read(), rtl->yr.read());
        compared += s.rope.out_ready;
      }
      check("exp.in_ready", ref->exp_in_ready.read(), rtl->exp_in_ready.read());
      check("exp.out_valid", ref->exp_out_valid.read(), rtl->exp_out_valid.read());
      if (ref->exp_out_valid.read()) {
        check("exp.e", ref->e.read(), rtl->e.read());
        check("exp.mant", ref->mant.read(), rtl->mant.read());
        compared += s.exp.out_ready;
      }
      check("dot.in_ready", ref->dot_in_ready.read(), rtl->dot_in_ready.read());
      check("dot.out_valid", ref->dot_out_valid.read(), rtl->dot_out_valid.read());
      if (ref->dot_out_valid.read()) {
        check("dot.sum", ref->sum.read(), rtl->sum.read());
        check("dot.sat", ref->sat.read(), rtl->sat.read());
        check("dot.wrap", ref->wrap.read(), rtl->wrap.read());
        compared += s.dot.out_ready;
      }
      stim->accept({ref->rope_in_ready.read(), ref->exp_in_ready.read(), ref->dot_in_ready.read()});
      cycles++;
    }
    sc_core::sc_stop();
  }
};

/* TLM-2.0 initiator: register accesses checked against the functional C model. */
struct TlmCheck : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TlmCheck> socket;
  const mpb_model *mdl;
  uint64_t seed, transactions = 0;

  TlmCheck(sc_core::sc_module_name n, const mpb_model *m, uint64_t s)
      : sc_core::sc_module(n), socket("socket"), mdl(m), seed(s) {}

  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void *data,
                                  unsigned len, unsigned char *be = nullptr) {
    tlm::tlm_generic_payload tx;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    tx.set_command(cmd);
    tx.set_address(addr);
    tx.set_data_ptr((unsigned char *)data);
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_byte_enable_ptr(be);
    tx.set_byte_enable_length(be ? len : 0);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(tx, delay);
    transactions++;
    return tx.get_response_status();
  }
  uint32_t rd(uint32_t addr) {
    uint32_t v = 0;
    if (access(tlm::TLM_READ_COMMAND, addr, &v, 4) != tlm::TLM_OK_RESPONSE)
      fail("tlm read of " + std::to_string(addr) + " failed");
    return v;
  }
  void wr(uint32_t addr, uint32_t v) {
    if (access(tlm::TLM_WRITE_COMMAND, addr, &v, 4) != tlm::TLM_OK_RESPONSE)
      fail("tlm write of " + std::to_string(addr) + " failed");
  }
  void expect(bool ok, const char *what) {
    if (!ok) fail(std::string("tlm: ") + what);
  }

  void run() {
    typedef MpbTlmTarget T;
    expect(rd(T::ID) == T::ID_VALUE, "ID register");
    uint64_t s = seed;
    auto rnd = [&s]() {
      uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    const mpb_config *cfg = mpb_model_config(mdl);
    for (int i = 0; i < 200; i++) {
      mpb_rope_req rq = {(uint32_t)(rnd() & ((1u << cfg->pos_bits) - 1)),
                         (uint32_t)(rnd() % (uint64_t)(mpb_model_geometry(mdl)->head_dim / 2)),
                         (int32_t)(int8_t)rnd(), (int32_t)(int8_t)rnd()};
      mpb_rope_resp ex;
      mpb_rope_eval(mdl, &rq, &ex, nullptr);
      wr(T::ROPE_M, rq.m);
      wr(T::ROPE_J, rq.j);
      wr(T::ROPE_XY, ((uint32_t)rq.x & 0xFFFF) | (uint32_t)rq.y << 16);
      wr(T::ROPE_GO, 1);
      expect((int32_t)rd(T::ROPE_COS) == ex.cos && (int32_t)rd(T::ROPE_SIN) == ex.sin &&
                 (int32_t)rd(T::ROPE_XR) == ex.xr && (int32_t)rd(T::ROPE_YR) == ex.yr,
             "rope registers differ from mpb_rope_eval");
      mpb_exp_req er = {(int32_t)((int64_t)(rnd() << 40) >> 40)};
      mpb_exp_resp ee;
      mpb_exp_eval(mdl, &er, &ee, nullptr);
      wr(T::EXP_U, (uint32_t)er.u & 0xFFFFFF);
      expect((int32_t)rd(T::EXP_E) == ee.e && rd(T::EXP_MANT) == ee.mant,
             "exp registers differ from mpb_exp_eval");
    }
    int8_t a[300], b[300];
    for (int i = 0; i < 300; i++) a[i] = (int8_t)rnd(), b[i] = (int8_t)rnd();
    a[0] = -128, b[0] = -128;
    expect(access(tlm::TLM_WRITE_COMMAND, T::DOT_A, a, 300) == tlm::TLM_OK_RESPONSE, "DOT_A");
    expect(access(tlm::TLM_WRITE_COMMAND, T::DOT_B, b, 300) == tlm::TLM_OK_RESPONSE, "DOT_B");
    int8_t back[300];
    expect(access(tlm::TLM_READ_COMMAND, T::DOT_A, back, 300) == tlm::TLM_OK_RESPONSE &&
               std::memcmp(a, back, 300) == 0,
           "DOT_A read back");
    mpb_dot_resp dr;
    mpb_dot_eval(mdl, a, b, 300, &dr, nullptr);
    wr(T::DOT_LEN, 300);
    uint64_t sum = rd(T::DOT_SUM_LO) | (uint64_t)rd(T::DOT_SUM_HI) << 32;
    expect((int64_t)sum == dr.sum && rd(T::DOT_SAT) == dr.sat_events &&
               rd(T::DOT_WRAP) == dr.wrap_events,
           "dot registers differ from mpb_dot_eval");
    /* every error response of the map */
    uint32_t v = 0;
    unsigned char be[4] = {0xFF, 0, 0xFF, 0};
    expect(access(tlm::TLM_READ_COMMAND, 0x800, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "unmapped address");
    expect(access(tlm::TLM_READ_COMMAND, T::ROPE_M + 2, &v, 4) == tlm::TLM_BURST_ERROR_RESPONSE,
           "unaligned register");
    expect(access(tlm::TLM_READ_COMMAND, T::ROPE_M, &v, 2) == tlm::TLM_BURST_ERROR_RESPONSE,
           "short register access");
    expect(access(tlm::TLM_READ_COMMAND, T::ROPE_M, &v, 4, be) ==
               tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
           "byte enables");
    expect(access(tlm::TLM_WRITE_COMMAND, T::ROPE_COS, &v, 4) ==
               tlm::TLM_COMMAND_ERROR_RESPONSE,
           "write to a read-only register");
    expect(access(tlm::TLM_READ_COMMAND, T::ROPE_GO, &v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE,
           "read of a write-only register");
    v = 0;
    expect(access(tlm::TLM_WRITE_COMMAND, T::DOT_LEN, &v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE,
           "DOT_LEN = 0");
    expect(access(tlm::TLM_READ_COMMAND, T::DOT_B + T::MEM_SIZE - 2, a, 4) ==
               tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "memory access past the end");
  }
};

int sc_main(int argc, char **argv) {
  uint64_t seed = 1, limit = 20000;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else if (!std::strcmp(argv[i], "--cycles") && i + 1 < argc)
      limit = std::strtoull(argv[++i], nullptr, 0);
    else {
      std::fprintf(stderr, "usage: sc_test [--seed S] [--cycles N]\n");
      return 2;
    }
  }
  Verilated::commandArgs(argc, argv);
  mpb_config cfg;
  mpb_config_default(&cfg);
  char err[512];
  if (mpb_config_load(&cfg, COSIM_CFG_FILE, err, sizeof err) != MPB_OK) {
    std::fprintf(stderr, "sc_test: %s\n", err);
    return 3;
  }
  mpb_geometry geo = {COSIM_HEAD_DIM, COSIM_BASE, MPB_PAIR_INTERLEAVED};
  mpb_model *mdl = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!mdl) {
    std::fprintf(stderr, "sc_test: %s\n", err);
    return 3;
  }
  if (cfg.mac_lanes != 8 || cfg.x_bits != 8) {
    std::fprintf(stderr, "sc_test: built for 8 MAC8 lanes and 8-bit x only\n");
    return 3;
  }
  const sc_core::sc_time period(1, sc_core::SC_NS);
  sc_core::sc_clock clk("clk", period);
  sc_signal<bool> rst("rst");
  Pins pins;
  Outs rtl_o, ref_o;
  Vmpb_top rtl("rtl");
  ScCModel ref("ref", mdl);
  bind_all(rtl, clk, rst, pins, rtl_o);
  bind_all(ref, clk, rst, pins, ref_o);
  Stimulus stim(cfg, COSIM_HEAD_DIM / 2, seed);
  Scoreboard sb("scoreboard");
  sb.clk(clk);
  sb.p = &pins;
  sb.rtl = &rtl_o;
  sb.ref = &ref_o;
  sb.stim = &stim;
  sb.limit = limit;
  sb.period = period;
  MpbTlmTarget target("tlm_target", mdl);
  TlmCheck tlm_check("tlm_check", mdl, seed);
  tlm_check.socket.bind(target.socket);

  rst.write(false);
  sc_core::sc_start(3 * period);
  rst.write(true);
  sc_core::sc_start();
  rtl.final();
  tlm_check.run();
  if (g_fail) {
    std::printf("SYSTEMC FAIL (seed %" PRIu64 ") %s (%d differences)\n", seed, g_msg.c_str(),
                g_fail);
  } else {
    std::printf("SYSTEMC PASS scoreboard cycles=%" PRIu64 " compared=%" PRIu64
                " tlm transactions=%" PRIu64 "\n",
                sb.cycles, sb.compared, tlm_check.transactions);
  }
  mpb_model_free(mdl);
  return g_fail ? 1 : 0;
}
