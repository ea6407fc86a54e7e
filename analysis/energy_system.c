/* energy_system.c — a Llama-style decoder token per side (bridge, FP32, BF16 + FP16 KV,
 * INT8): operations priced by energy_ops.c, operand delivery through the memory levels,
 * pipelines needed at a tokens/s rate, average power (energy_system.h; docs/energy.md
 * §7-§8). */
#include "energy_system.h"
#include "errbuf.h"
#include "metrics_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const side_names[MPB_NSYS] = {"bridge", "fp32", "bf16", "int8"};
static const char *const side_labels[MPB_NSYS] = {
    "bridge (int8 weights and KV, rope/exp/dot units)", "FP32 (weights, KV, arithmetic)",
    "BF16 weights + FP16 KV, BF16 arithmetic", "INT8 (the bridge's int8 weights, KV and dot unit)"};
static const char *const phase_names[MPB_NPHASE] = {"decode", "prefill"};
static const char *const sop_names[MPB_NSOP] = {"mac", "exp", "cossin", "rotate"};
static const char *const opnd_names[MPB_NOPND] = {"weights", "kv", "activations", "tables"};

const char *mpb_sys_side_name(int s) { return s >= 0 && s < MPB_NSYS ? side_names[s] : "?"; }
const char *mpb_sys_side_label(int s) { return s >= 0 && s < MPB_NSYS ? side_labels[s] : "?"; }
const char *mpb_sys_phase_name(int p) { return p >= 0 && p < MPB_NPHASE ? phase_names[p] : "?"; }
const char *mpb_sys_op_name(int o) { return o >= 0 && o < MPB_NSOP ? sop_names[o] : "?"; }
const char *mpb_sys_operand_name(int k) { return k >= 0 && k < MPB_NOPND ? opnd_names[k] : "?"; }

void mpb_sys_opts_default(mpb_sys_opts *o) {
  memset(o, 0, sizeof *o);
  snprintf(o->model.name, sizeof o->model.name, "Llama 3 8B");
  o->model.layers = 32, o->model.n_embd = 4096, o->model.n_head = 32;
  o->model.n_head_kv = 8, o->model.head_dim = 128, o->model.n_ff = 14336;
  o->model.vocab = 128256;
  o->context = 131072;
  o->decode_tps = 20;
  o->prefill_len = 2048;
  o->prefill_tps = 2000;
  o->prefill_tile = 128;
  o->clock_mhz = 1000;
  o->kv_bytes_int8 = mpb_kv_bytes_per_elem(MPB_KV_INT8, 64);
}

static const mpb_energy_pipe side_pipe[MPB_NSYS] = {MPB_EPIPE_INT8, MPB_EPIPE_FP32,
                                                   MPB_EPIPE_BF16, MPB_EPIPE_INT8};
static const mpb_energy_op sop_op[MPB_NSOP] = {MPB_EOP_MAC, MPB_EOP_EXP, MPB_EOP_COSSIN,
                                              MPB_EOP_ROTATE};

int mpb_sys_op_cost(const mpb_energy_table *t, const mpb_energy_bridge *b, mpb_sys_side side,
                    int op, double clock_mhz, mpb_energy_cost *out) {
  if (side == MPB_SYS_BRIDGE) {
    mpb_energy_bridge_cost(t, b, sop_op[op], clock_mhz, out);
    return 0;
  }
  return mpb_energy_baseline_cost(t, side_pipe[side], sop_op[op], b, clock_mhz, out);
}

/* Bytes per element of weights, KV cache and activations of a side. */
static void side_bytes(const mpb_sys_opts *o, mpb_sys_side s, double *w, double *kv,
                       double *act) {
  switch (s) {
    case MPB_SYS_FP32: *w = 4, *kv = 4, *act = 4; break;
    case MPB_SYS_BF16: *w = 2, *kv = 2, *act = 2; break;
    default: *w = 1, *kv = o->kv_bytes_int8, *act = 1; break;
  }
}

int mpb_sys_estimate(const mpb_energy_table *t, const mpb_energy_bridge *b,
                     const mpb_sys_opts *o, mpb_sys_phase ph, mpb_sys_side side,
                     mpb_sys_result *r, char *err, size_t n) {
  memset(r, 0, sizeof *r);
  const mpb_sys_model *m = &o->model;
  if (!t || !b || (unsigned)side >= MPB_NSYS || (unsigned)ph >= MPB_NPHASE)
    return fail(err, n, "system estimate: bad arguments");
  if (!(m->layers >= 1 && m->n_embd >= 1 && m->n_head >= 1 && m->n_head_kv >= 1 &&
        m->head_dim >= 2 && m->n_ff >= 1 && m->vocab >= 1))
    return fail(err, n, "system estimate: model geometry must be positive");
  if (!(o->context >= 1 && o->decode_tps > 0 && o->prefill_len >= 1 && o->prefill_tps > 0 &&
        o->prefill_tile >= 1 && o->clock_mhz > 0))
    return fail(err, n, "system estimate: context, rates, prompt length, tile and clock must "
                        "be positive");
  double L = m->layers, E = m->n_embd, H = m->n_head, KV = m->n_head_kv, D = m->head_dim;
  double FF = m->n_ff, V = m->vocab;
  double weights = L * (E * H * D + 2 * E * KV * D + H * D * E + 3 * E * FF) + E * V;
  bool pre = ph == MPB_PHASE_PREFILL;
  double ctx = pre ? (o->prefill_len + 1) / 2 : o->context; /* keys per query, average */
  double tps = pre ? o->prefill_tps : o->decode_tps;
  r->tps = tps;
  r->ops[MPB_SOP_MAC] = weights + L * 2 * H * D * ctx;
  r->ops[MPB_SOP_EXP] = L * H * ctx;
  r->ops[MPB_SOP_ROTATE] = L * (H + KV) * D / 2;
  r->ops[MPB_SOP_COSSIN] = o->cossin_per_pair ? r->ops[MPB_SOP_ROTATE] : D / 2;
  /* compute: dynamic energy per operation; pipelines at the rate */
  double f = o->clock_mhz * 1e6;
  for (int k = 0; k < MPB_NSOP; k++) {
    mpb_energy_actions a;
    if (side == MPB_SYS_BRIDGE) a = b->op[sop_op[k]];
    else if (mpb_energy_baseline_actions(t, side_pipe[side], sop_op[k], b, &a))
      return fail(err, n, "system estimate: %s %s has no price", side_names[side],
                  sop_names[k]);
    mpb_energy_cost c;
    mpb_energy_price_actions(t, &a, o->clock_mhz, &c);
    /* a table too large for the buffer is operand delivery (tables), not compute */
    bool offchip = a.rom_bytes > mpb_energy_mem_bytes(t, MPB_MEM_BUFFER);
    r->op_pj[k] = c.arith_pj + c.reg_pj + (offchip ? 0 : c.rom_pj);
    r->compute_j += 1e-12 * r->ops[k] * r->op_pj[k];
    r->units[k] = ceil(r->ops[k] * tps / (c.ops_per_cycle * f) - 1e-9);
    /* every pipeline pays its clock and leakage on every cycle, busy or not */
    r->static_w_clock += r->units[k] * mpb_energy_clock_pj(t, a.hw.reg_bits) * 1e-12 * f;
    r->static_w_leak += r->units[k] * mpb_energy_leak_nw(t, &a.hw) * 1e-9;
  }
  /* operand delivery per token (bytes through each level, reads and writes) */
  double wb, kvb, ab;
  side_bytes(o, side, &wb, &kvb, &ab);
  double w_share = pre ? 1 / o->prefill_len : 1;           /* weights read once a prompt */
  double kv_read = L * 2 * KV * D * ctx * kvb / (pre ? o->prefill_tile : 1);
  double kv_write = L * 2 * KV * D * kvb;
  double (*mb)[MPB_NMEM] = r->mem_bytes;
  mb[MPB_OPND_WEIGHTS][MPB_MEM_DRAM] = weights * wb * w_share;
  mb[MPB_OPND_WEIGHTS][MPB_MEM_BUFFER] = 2 * weights * wb * w_share;   /* write + read */
  mb[MPB_OPND_KV][MPB_MEM_DRAM] = kv_read + kv_write;
  mb[MPB_OPND_KV][MPB_MEM_BUFFER] = 2 * kv_read;
  /* activations: one register-file read per MAC (the operand reused across the row) and
   * every activation vector written to and read from the buffer once */
  double act_elems = L * (4 * E + (H + 2 * KV) * D + H * D + 3 * FF + 2 * H * ctx) + V;
  mb[MPB_OPND_ACT][MPB_MEM_RF] = r->ops[MPB_SOP_MAC] * ab;
  mb[MPB_OPND_ACT][MPB_MEM_BUFFER] = 2 * act_elems * ab;
  /* tables too large for the buffer (the INT8 cos/sin cache, 16 MiB) are in DRAM: the
   * token's entries (one per cos/sin operation once per (token, pair); per rotation they
   * come again from the buffer) go through the buffer */
  for (int k = 0; k < MPB_NSOP; k++) {
    mpb_energy_actions a;
    if (side == MPB_SYS_BRIDGE) a = b->op[sop_op[k]];
    else mpb_energy_baseline_actions(t, side_pipe[side], sop_op[k], b, &a);
    if (!(a.rom_bits > 0 && a.rom_bytes > mpb_energy_mem_bytes(t, MPB_MEM_BUFFER))) continue;
    double entry = a.rom_bits / 8, fetched = D / 2 * entry;
    mb[MPB_OPND_TABLES][MPB_MEM_DRAM] += fetched;
    mb[MPB_OPND_TABLES][MPB_MEM_BUFFER] += 2 * fetched + (r->ops[k] > D / 2 ? r->ops[k] * entry : 0);
  }
  for (int k = 0; k < MPB_NOPND; k++)
    for (int l = 0; l < MPB_NMEM; l++) {
      r->mem_j[k][l] = 1e-12 * mpb_energy_mem_pj(t, (mpb_mem_level)l, mb[k][l]);
      r->memory_j += r->mem_j[k][l];
      if (l == MPB_MEM_DRAM) r->dram_gbs += mb[k][l] * tps * 1e-9;
    }
  /* memory leakage: the buffer and one register file per dot pipeline */
  mpb_energy_hw mem = {0, 0, 0, 8 * mpb_energy_mem_bytes(t, MPB_MEM_BUFFER)};
  mem.rom_bits += 8 * mpb_energy_mem_bytes(t, MPB_MEM_RF) * r->units[MPB_SOP_MAC];
  r->static_w_memory = mpb_energy_leak_nw(t, &mem) * 1e-9;
  r->dyn_w_compute = r->compute_j * tps;
  r->dyn_w_memory = r->memory_j * tps;
  r->total_w = r->dyn_w_compute + r->dyn_w_memory + r->static_w_clock + r->static_w_leak +
               r->static_w_memory;
  r->j_per_token = r->total_w / tps;
  return 0;
}
