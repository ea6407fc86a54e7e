/* fixed.c — the datapath's arithmetic primitives: the one rounding rule R(v, s), the MAC8
 * multiplier and accumulator, and PACK16 recombination (docs/architecture.md §2, §7). */
#include "internal.h"

int64_t mpb_round_shift(int64_t v, int sh, mpb_rounding mode) {
  return mpb_rshift(v, sh, mode);
}

int32_t mpb_mac8_mul(int32_t a, bool a_signed, int32_t b, bool b_signed) {
  int32_t ea = a_signed ? (int32_t)(int8_t)(uint8_t)a : (int32_t)(uint8_t)a;
  int32_t eb = b_signed ? (int32_t)(int8_t)(uint8_t)b : (int32_t)(uint8_t)b;
  return ea * eb;
}

int64_t mpb_mac8_acc(int64_t acc, int64_t v, int acc_bits, mpb_overflow mode, bool *event) {
  bool ev;
  int64_t r = mpb_acc_add(acc, v, acc_bits, mode, &ev);
  if (event) *event = ev;
  return r;
}

int64_t mpb_pack16(int64_t hi, uint32_t lo, int shift) { return mpb_shl(hi, shift) + (int64_t)lo; }
