/* sc_tlm_target.h — the C model behind a TLM-2.0 target socket (simple_target_socket,
 * blocking b_transport), so that the mixed-precision bridge drops into a virtual
 * platform as a memory-mapped accelerator. Functional (mpb_*_eval) results; the delay
 * argument is increased by the unit's pipeline latency in clock periods (clock_mhz).
 *
 * Register map (32-bit registers, little endian, 4-byte aligned accesses of 4 bytes):
 *   0x000 ID         RO  0x4D504231 ("MPB1")
 *   0x004 LATENCY    RO  [7:0] rope, [15:8] exp, [23:16] dot latency in cycles
 *   0x010 ROPE_M     RW  position m (pos_bits)
 *   0x014 ROPE_J     RW  pair index j
 *   0x018 ROPE_XY    RW  [15:0] x, [31:16] y (signed, x_bits used)
 *   0x01C ROPE_GO    WO  any write: rotate (m, j, x, y)
 *   0x020 ROPE_COS   RO  cos (sign-extended)      0x024 ROPE_SIN  RO  sin
 *   0x028 ROPE_XR    RO  xr  (sign-extended)      0x02C ROPE_YR   RO  yr
 *   0x030 EXP_U      WO  u (24-bit signed Q8.16); the write computes 2^u
 *   0x034 EXP_E      RO  exponent (sign-extended) 0x038 EXP_MANT  RO  mantissa UQ1.15
 *   0x040 DOT_LEN    WO  n (1..4096): dot product of DOT_A[0..n) and DOT_B[0..n)
 *   0x048 DOT_SUM_LO RO  0x04C DOT_SUM_HI RO  (64-bit sum)
 *   0x050 DOT_SAT    RO  saturation events    0x054 DOT_WRAP RO  wrap events
 *   0x1000..0x1FFF DOT_A  RW  4096 int8 operands (any length, byte access)
 *   0x2000..0x2FFF DOT_B  RW  4096 int8 operands
 * Errors: unmapped address -> TLM_ADDRESS_ERROR_RESPONSE; register access that is not
 * 4 aligned bytes -> TLM_BURST_ERROR_RESPONSE; byte enables -> TLM_BYTE_ENABLE_ERROR_
 * RESPONSE; write to a read-only or read of a write-only register, or DOT_LEN out of
 * range -> TLM_COMMAND_ERROR_RESPONSE. */
#ifndef MPB_SC_TLM_TARGET_H
#define MPB_SC_TLM_TARGET_H

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "mpb.h"

class MpbTlmTarget : public sc_core::sc_module {
 public:
  enum : uint32_t {
    ID = 0x000, LATENCY = 0x004, ROPE_M = 0x010, ROPE_J = 0x014, ROPE_XY = 0x018,
    ROPE_GO = 0x01C, ROPE_COS = 0x020, ROPE_SIN = 0x024, ROPE_XR = 0x028, ROPE_YR = 0x02C,
    EXP_U = 0x030, EXP_E = 0x034, EXP_MANT = 0x038, DOT_LEN = 0x040, DOT_SUM_LO = 0x048,
    DOT_SUM_HI = 0x04C, DOT_SAT = 0x050, DOT_WRAP = 0x054, DOT_A = 0x1000, DOT_B = 0x2000,
    MEM_SIZE = 0x1000, ID_VALUE = 0x4D504231
  };
  tlm_utils::simple_target_socket<MpbTlmTarget> socket;

  MpbTlmTarget(sc_core::sc_module_name name, const mpb_model *mdl);

 private:
  void b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
  tlm::tlm_response_status reg_read(uint32_t addr, uint32_t *v);
  tlm::tlm_response_status reg_write(uint32_t addr, uint32_t v, sc_core::sc_time &delay);
  const mpb_model *mdl_;
  sc_core::sc_time period_;
  int lat_rope_, lat_exp_;
  uint32_t m_ = 0, j_ = 0, xy_ = 0;
  mpb_rope_resp rope_{};
  mpb_exp_resp exp_{};
  mpb_dot_resp dot_{};
  int8_t a_[MEM_SIZE] = {}, b_[MEM_SIZE] = {};
};

#endif
