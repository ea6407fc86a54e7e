/* sc_cmodel.h — the cycle-accurate C model (mpb_*_pipe of libmpb) wrapped as a SystemC
 * module with the same pins as the Verilated RTL top (Vmpb_top built with --sc, default
 * configuration: 8 MAC8 lanes, so every port fits the Verilator --sc types bool,
 * uint32_t and uint64_t). Outputs are recomputed whenever an input changes or after a
 * rising clock edge (in_ready depends combinationally on out_ready); the pipelines
 * advance on the rising edge with the inputs seen just before it. */
#ifndef MPB_SC_CMODEL_H
#define MPB_SC_CMODEL_H

#include <systemc>

#include "mpb.h"

SC_MODULE(ScCModel) {
  sc_core::sc_in<bool> clk_i, rst_ni;
  sc_core::sc_in<bool> rope_in_valid_i, rope_out_ready_i;
  sc_core::sc_in<uint32_t> rope_m_i, rope_j_i, rope_x_i, rope_y_i;
  sc_core::sc_out<bool> rope_in_ready_o, rope_out_valid_o;
  sc_core::sc_out<uint32_t> rope_cos_o, rope_sin_o, rope_xr_o, rope_yr_o;
  sc_core::sc_in<bool> exp_in_valid_i, exp_out_ready_i;
  sc_core::sc_in<uint32_t> exp_u_i;
  sc_core::sc_out<bool> exp_in_ready_o, exp_out_valid_o;
  sc_core::sc_out<uint32_t> exp_e_o, exp_mant_o;
  sc_core::sc_in<bool> dot_in_valid_i, dot_out_ready_i, dot_last_i;
  sc_core::sc_in<uint64_t> dot_a_i, dot_b_i;
  sc_core::sc_out<bool> dot_in_ready_o, dot_out_valid_o;
  sc_core::sc_out<uint64_t> dot_sum_o;
  sc_core::sc_out<uint32_t> dot_sat_events_o, dot_wrap_events_o;

  ScCModel(sc_core::sc_module_name name, const mpb_model *mdl);
  ~ScCModel() override;

 private:
  void on_edge();    /* rising clock edge (or reset) */
  void on_inputs();  /* recompute the outputs        */
  void read_pins(mpb_rope_pins_in *r, mpb_exp_pins_in *e, mpb_dot_pins_in *d);
  const mpb_model *mdl_;
  mpb_config cfg_;
  mpb_pipe *rope_, *exp_, *dot_;
  sc_core::sc_event changed_;
};

#endif
