/* sc_tlm_target.cpp — register decoding and the three units behind the TLM-2.0 socket
 * (see sc_tlm_target.h for the map). */
#include "sc_tlm_target.h"

#include <cstring>

MpbTlmTarget::MpbTlmTarget(sc_core::sc_module_name name, const mpb_model *mdl)
    : sc_core::sc_module(name), socket("socket"), mdl_(mdl),
      period_(1.0 / mpb_model_config(mdl)->clock_mhz, sc_core::SC_US) {
  socket.register_b_transport(this, &MpbTlmTarget::b_transport);
  mpb_pipe *r = mpb_pipe_new(mdl, MPB_UNIT_ROPE), *e = mpb_pipe_new(mdl, MPB_UNIT_EXP);
  lat_rope_ = r ? mpb_pipe_latency(r) : 0;
  lat_exp_ = e ? mpb_pipe_latency(e) : 0;
  mpb_pipe_free(r);
  mpb_pipe_free(e);
}

tlm::tlm_response_status MpbTlmTarget::reg_read(uint32_t addr, uint32_t *v) {
  switch (addr) {
  case ID: *v = ID_VALUE; break;
  case LATENCY: *v = (uint32_t)lat_rope_ | (uint32_t)lat_exp_ << 8 | 3u << 16; break;
  case ROPE_M: *v = m_; break;
  case ROPE_J: *v = j_; break;
  case ROPE_XY: *v = xy_; break;
  case ROPE_COS: *v = (uint32_t)rope_.cos; break;
  case ROPE_SIN: *v = (uint32_t)rope_.sin; break;
  case ROPE_XR: *v = (uint32_t)rope_.xr; break;
  case ROPE_YR: *v = (uint32_t)rope_.yr; break;
  case EXP_E: *v = (uint32_t)exp_.e; break;
  case EXP_MANT: *v = exp_.mant; break;
  case DOT_SUM_LO: *v = (uint32_t)(uint64_t)dot_.sum; break;
  case DOT_SUM_HI: *v = (uint32_t)((uint64_t)dot_.sum >> 32); break;
  case DOT_SAT: *v = dot_.sat_events; break;
  case DOT_WRAP: *v = dot_.wrap_events; break;
  case ROPE_GO: case EXP_U: case DOT_LEN: return tlm::TLM_COMMAND_ERROR_RESPONSE;
  default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status MpbTlmTarget::reg_write(uint32_t addr, uint32_t v,
                                                 sc_core::sc_time &delay) {
  const mpb_config *cfg = mpb_model_config(mdl_);
  switch (addr) {
  case ROPE_M: m_ = v & (uint32_t)((1ull << cfg->pos_bits) - 1); break;
  case ROPE_J: j_ = v & ((1u << cfg->pair_bits) - 1); break;
  case ROPE_XY: xy_ = v; break;
  case ROPE_GO: {
    const int xb = cfg->x_bits;
    mpb_rope_req rq = {m_, j_, (int32_t)((int64_t)((uint64_t)(xy_ & 0xFFFF) << (64 - xb)) >> (64 - xb)),
                       (int32_t)((int64_t)((uint64_t)(xy_ >> 16) << (64 - xb)) >> (64 - xb))};
    mpb_rope_eval(mdl_, &rq, &rope_, nullptr);
    delay += lat_rope_ * period_;
    break;
  }
  case EXP_U: {
    mpb_exp_req rq = {(int32_t)((int64_t)((uint64_t)v << 40) >> 40)};
    mpb_exp_eval(mdl_, &rq, &exp_, nullptr);
    delay += lat_exp_ * period_;
    break;
  }
  case DOT_LEN: {
    if (v < 1 || v > MEM_SIZE) return tlm::TLM_COMMAND_ERROR_RESPONSE;
    mpb_dot_eval(mdl_, a_, b_, v, &dot_, nullptr);
    const uint32_t L = (uint32_t)cfg->mac_lanes;
    delay += (int)((v + L - 1) / L + 2) * period_;
    break;
  }
  case ID: case LATENCY: case ROPE_COS: case ROPE_SIN: case ROPE_XR: case ROPE_YR:
  case EXP_E: case EXP_MANT: case DOT_SUM_LO: case DOT_SUM_HI: case DOT_SAT: case DOT_WRAP:
    return tlm::TLM_COMMAND_ERROR_RESPONSE;
  default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

void MpbTlmTarget::b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay) {
  const uint64_t addr = tx.get_address();
  const unsigned len = tx.get_data_length();
  unsigned char *data = tx.get_data_ptr();
  const bool rd = tx.get_command() == tlm::TLM_READ_COMMAND;
  if (tx.get_byte_enable_ptr()) {
    tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (tx.get_command() == tlm::TLM_IGNORE_COMMAND) {
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  for (uint64_t base : {(uint64_t)DOT_A, (uint64_t)DOT_B}) {
    if (addr >= base && addr < base + MEM_SIZE) {
      if (len == 0 || addr + len > base + MEM_SIZE) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
      }
      int8_t *mem = (base == DOT_A ? a_ : b_) + (addr - base);
      if (rd)
        std::memcpy(data, mem, len);
      else
        std::memcpy(mem, data, len);
      delay += period_;
      tx.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
  }
  if (addr >= DOT_A || (addr & 3) != 0) {
    tx.set_response_status(addr >= DOT_A ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                         : tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (len != 4 || tx.get_streaming_width() < 4) {
    tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint32_t v = 0;
  tlm::tlm_response_status st;
  if (rd) {
    st = reg_read((uint32_t)addr, &v);
    if (st == tlm::TLM_OK_RESPONSE)
      for (int i = 0; i < 4; i++) data[i] = (unsigned char)(v >> (8 * i));
  } else {
    for (int i = 0; i < 4; i++) v |= (uint32_t)data[i] << (8 * i);
    st = reg_write((uint32_t)addr, v, delay);
  }
  delay += period_;
  tx.set_response_status(st);
}
