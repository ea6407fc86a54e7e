/* sc_cmodel.cpp — the C model as a SystemC module (see sc_cmodel.h). */
#include "sc_cmodel.h"

#include <cstring>

namespace {
int32_t sext(uint64_t v, int bits) { return (int32_t)((int64_t)(v << (64 - bits)) >> (64 - bits)); }
uint32_t mask(int bits) { return bits >= 32 ? ~0u : (1u << bits) - 1; }
}  // namespace

ScCModel::ScCModel(sc_core::sc_module_name name, const mpb_model *mdl)
    : sc_core::sc_module(name), mdl_(mdl), cfg_(*mpb_model_config(mdl)),
      rope_(mpb_pipe_new(mdl, MPB_UNIT_ROPE)), exp_(mpb_pipe_new(mdl, MPB_UNIT_EXP)),
      dot_(mpb_pipe_new(mdl, MPB_UNIT_DOT)) {
  SC_HAS_PROCESS(ScCModel);
  SC_METHOD(on_edge);
  sensitive << clk_i.pos() << rst_ni.neg();
  dont_initialize();
  SC_METHOD(on_inputs);
  sensitive << changed_ << rope_in_valid_i << rope_out_ready_i << rope_m_i << rope_j_i
            << rope_x_i << rope_y_i << exp_in_valid_i << exp_out_ready_i << exp_u_i
            << dot_in_valid_i << dot_out_ready_i << dot_last_i << dot_a_i << dot_b_i;
}

ScCModel::~ScCModel() {
  mpb_pipe_free(rope_);
  mpb_pipe_free(exp_);
  mpb_pipe_free(dot_);
}

void ScCModel::read_pins(mpb_rope_pins_in *r, mpb_exp_pins_in *e, mpb_dot_pins_in *d) {
  std::memset(r, 0, sizeof *r);
  std::memset(e, 0, sizeof *e);
  std::memset(d, 0, sizeof *d);
  r->in_valid = rope_in_valid_i.read();
  r->out_ready = rope_out_ready_i.read();
  r->in.m = rope_m_i.read();
  r->in.j = rope_j_i.read();
  r->in.x = sext(rope_x_i.read(), cfg_.x_bits);
  r->in.y = sext(rope_y_i.read(), cfg_.x_bits);
  e->in_valid = exp_in_valid_i.read();
  e->out_ready = exp_out_ready_i.read();
  e->in.u = sext(exp_u_i.read(), 24);
  d->in_valid = dot_in_valid_i.read();
  d->out_ready = dot_out_ready_i.read();
  d->in.last = dot_last_i.read();
  uint64_t a = dot_a_i.read(), b = dot_b_i.read();
  for (int i = 0; i < cfg_.mac_lanes && i < 8; i++) {
    d->in.a[i] = (int8_t)(uint8_t)(a >> (8 * i));
    d->in.b[i] = (int8_t)(uint8_t)(b >> (8 * i));
  }
}

void ScCModel::on_edge() {
  if (!rst_ni.read()) {
    mpb_pipe_reset(rope_);
    mpb_pipe_reset(exp_);
    mpb_pipe_reset(dot_);
  } else {
    mpb_rope_pins_in r;
    mpb_exp_pins_in e;
    mpb_dot_pins_in d;
    read_pins(&r, &e, &d);
    mpb_rope_pipe_clock(rope_, &r);
    mpb_exp_pipe_clock(exp_, &e);
    mpb_dot_pipe_clock(dot_, &d);
  }
  changed_.notify(sc_core::SC_ZERO_TIME);
}

void ScCModel::on_inputs() {
  mpb_rope_pins_in r;
  mpb_exp_pins_in e;
  mpb_dot_pins_in d;
  read_pins(&r, &e, &d);
  mpb_rope_pins_out ro;
  mpb_exp_pins_out eo;
  mpb_dot_pins_out dout;
  mpb_rope_pipe_eval(rope_, &r, &ro);
  mpb_exp_pipe_eval(exp_, &e, &eo);
  mpb_dot_pipe_eval(dot_, &d, &dout);
  const int ow = cfg_.x_bits + 1 + cfg_.rot_frac_bits;
  rope_in_ready_o.write(ro.in_ready);
  rope_out_valid_o.write(ro.out_valid);
  rope_cos_o.write((uint32_t)ro.out.cos & mask(cfg_.cs_bits));
  rope_sin_o.write((uint32_t)ro.out.sin & mask(cfg_.cs_bits));
  rope_xr_o.write((uint32_t)ro.out.xr & mask(ow));
  rope_yr_o.write((uint32_t)ro.out.yr & mask(ow));
  exp_in_ready_o.write(eo.in_ready);
  exp_out_valid_o.write(eo.out_valid);
  exp_e_o.write((uint32_t)eo.out.e & mask(10));
  exp_mant_o.write(eo.out.mant);
  dot_in_ready_o.write(dout.in_ready);
  dot_out_valid_o.write(dout.out_valid);
  dot_sum_o.write((uint64_t)dout.out.sum);
  dot_sat_events_o.write(dout.out.sat_events);
  dot_wrap_events_o.write(dout.out.wrap_events);
}
