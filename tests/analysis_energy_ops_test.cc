// analysis_energy_ops_test.cc — the operations compared by the energy model (energy_ops.c)
// and the system model (energy_system.c): the rotation stage isolated from the rope
// unit, the same operation counted the same way on every side (rotate step, INT8 MAC =
// the dot unit, one pricing function for counts and actions), hand-computed baseline
// costs with every class, and a token of a tiny model computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "energy.h"
#include "energy_system.h"
#include "gtest_c.h"

namespace {

struct Fixture {
  mpb_energy_table *t = nullptr;
  mpb_model *m = nullptr;
  mpb_config cfg;
  mpb_energy_bridge br;
  Fixture() {
    char err[256];
    t = mpb_energy_load(nullptr, err, sizeof err);
    mpb_config_default(&cfg);
    mpb_geometry g = {128, 500000, MPB_PAIR_HALF};
    m = mpb_model_new(&cfg, &g, err, sizeof err);
    if (m) mpb_energy_bridge_ops(m, &br);
  }
  ~Fixture() {
    mpb_model_free(m);
    mpb_energy_free(t);
  }
};

void expect_cost_eq(const mpb_energy_cost &a, const mpb_energy_cost &b, const char *what) {
  EXPECT_DOUBLE_EQ(a.arith_pj, b.arith_pj) << what;
  EXPECT_DOUBLE_EQ(a.rom_pj, b.rom_pj) << what;
  EXPECT_DOUBLE_EQ(a.reg_pj, b.reg_pj) << what;
  EXPECT_DOUBLE_EQ(a.clock_pj, b.clock_pj) << what;
  EXPECT_DOUBLE_EQ(a.leak_pj, b.leak_pj) << what;
  EXPECT_DOUBLE_EQ(a.total_pj, b.total_pj) << what;
}

}  // namespace

// The ROTATE stage of the default design (x_bits 8, cs_bits 16, rot_frac_bits 7): four
// products of an 8-bit x by 16-bit cos/sin, each two byte-sliced 8x8 MAC8 products
// recombined by a 24-bit PACK16 add; two 25-bit adds; the ROTATE register holds cos, sin
// and the two 16-bit outputs (64 bits). cossin is the rest of the rope unit: 12 phase
// products and 13 Horner 24x24 multiplies.
TEST(AnalysisEnergyOps, RotateStageIsolatedFromTheRopeUnit) {
  Fixture f;
  ASSERT_TRUE(f.t && f.m);
  const mpb_energy_actions &ro = f.br.op[MPB_EOP_ROTATE];
  EXPECT_DOUBLE_EQ(ro.bitprod, 8 * 64.0);
  EXPECT_DOUBLE_EQ(ro.add_bits, 8 * 24.0 + 2 * 25.0);
  EXPECT_DOUBLE_EQ(ro.reg_bits, 64.0);
  EXPECT_DOUBLE_EQ(ro.rom_bits, 0.0);
  const mpb_energy_actions &cs = f.br.op[MPB_EOP_COSSIN], &rot = f.br.op[MPB_EOP_ROTATION];
  EXPECT_DOUBLE_EQ(cs.bitprod, 12 * 64.0 + 13 * 24 * 24.0);
  EXPECT_DOUBLE_EQ(cs.bitprod + ro.bitprod, rot.bitprod);
  EXPECT_DOUBLE_EQ(cs.reg_bits + ro.reg_bits, rot.reg_bits);
  EXPECT_DOUBLE_EQ(cs.hw.reg_bits + ro.hw.reg_bits, rot.hw.reg_bits);
  mpb_energy_cost c;
  mpb_energy_bridge_cost(f.t, &f.br, MPB_EOP_ROTATE, 1000, &c);
  EXPECT_NEAR(c.arith_pj, (512 + 242) * 0.2 / 64, 1e-12);  // bit-products and adder bits
  EXPECT_NEAR(c.reg_pj, 64 * 0.00673, 1e-12);
  EXPECT_NEAR(c.clock_pj, 64 * 0.00624, 1e-12);
  EXPECT_NEAR(c.leak_pj, (64 * 70.0 + 512 * 78.0 + 242 * 72.0) * 1e-3 / 1000, 1e-12);
}

// One pricing path: the bridge's operations priced as actions equal the per-block pricing
// of the same counts (dynamic classes) plus the unit's clock and leakage at II = 1.
TEST(AnalysisEnergyOps, ActionsAndCountsPriceTheSameOperation) {
  Fixture f;
  ASSERT_TRUE(f.t && f.m);
  const struct {
    mpb_unit u;
    mpb_energy_op o;
    size_t n;
  } cases[] = {{MPB_UNIT_ROPE, MPB_EOP_ROTATION, 64}, {MPB_UNIT_EXP, MPB_EOP_EXP, 64},
               {MPB_UNIT_DOT, MPB_EOP_MAC, 4}};
  for (const auto &k : cases) {
    mpb_counts c;
    mpb_energy_reference(f.m, k.u, k.n, 1, &c);
    mpb_energy_breakdown b;
    mpb_energy_unit_hw hw;
    ASSERT_EQ(mpb_energy_price(f.t, &f.cfg, &c, &b), 0);
    mpb_energy_unit_hw_of(f.m, k.u, &hw);
    mpb_energy_add_static(f.t, &f.cfg, &hw, mpb_energy_unit_cycles(&f.cfg, k.u, &c), &b);
    double per = k.u == MPB_UNIT_DOT ? (double)c.blk[MPB_BLK_MAC8].mul_ops : (double)c.ops;
    mpb_energy_cost a;
    mpb_energy_bridge_cost(f.t, &f.br, k.o, f.cfg.clock_mhz, &a);
    const char *name = mpb_energy_op_name(k.o);
    EXPECT_NEAR(mpb_energy_cost_dynamic(&a), b.dynamic_pj / per, 1e-9) << name;
    EXPECT_NEAR(a.clock_pj, b.clock_pj / per, 1e-9) << name;
    EXPECT_NEAR(a.leak_pj, b.leak_pj / per, 1e-9) << name;
    EXPECT_NEAR(a.total_pj, b.total_pj / per, 1e-9) << name;
  }
  // the dot unit: 32 beats of 8 lanes per 256-long product
  mpb_counts c;
  mpb_energy_reference(f.m, MPB_UNIT_DOT, 3, 1, &c);
  EXPECT_DOUBLE_EQ(mpb_energy_unit_cycles(&f.cfg, MPB_UNIT_DOT, &c), 3 * 32.0);
}

// The same operation is counted the same way on both sides: the rotation of a pair is the
// bridge's ROTATE step everywhere; the INT8 MAC is the bridge's dot unit; a baseline's
// rotation is its cos/sin plus that step.
TEST(AnalysisEnergyOps, BaselinePricingIsSymmetric) {
  Fixture f;
  ASSERT_TRUE(f.t && f.m);
  mpb_energy_cost b, p, cs;
  mpb_energy_bridge_cost(f.t, &f.br, MPB_EOP_ROTATE, 1000, &b);
  for (int pp = 0; pp < MPB_NEPIPE; pp++) {
    ASSERT_EQ(mpb_energy_baseline_cost(f.t, (mpb_energy_pipe)pp, MPB_EOP_ROTATE, &f.br, 1000, &p),
              0);
    expect_cost_eq(p, b, mpb_energy_pipe_name((mpb_energy_pipe)pp));
    mpb_energy_baseline_cost(f.t, (mpb_energy_pipe)pp, MPB_EOP_COSSIN, &f.br, 1000, &cs);
    mpb_energy_baseline_cost(f.t, (mpb_energy_pipe)pp, MPB_EOP_ROTATION, &f.br, 1000, &p);
    EXPECT_NEAR(p.arith_pj, cs.arith_pj + b.arith_pj, 1e-9);
    EXPECT_NEAR(p.reg_pj, cs.reg_pj + b.reg_pj, 1e-9);
    EXPECT_NEAR(p.clock_pj, cs.clock_pj + b.clock_pj, 1e-9);
  }
  mpb_energy_bridge_cost(f.t, &f.br, MPB_EOP_MAC, 1000, &b);
  ASSERT_EQ(mpb_energy_baseline_cost(f.t, MPB_EPIPE_INT8, MPB_EOP_MAC, &f.br, 1000, &p), 0);
  expect_cost_eq(p, b, "int8 mac");
  // without the bridge's operations the INT8 MAC and the rotate step have no price
  mpb_energy_actions a;
  EXPECT_NE(mpb_energy_baseline_actions(f.t, MPB_EPIPE_INT8, MPB_EOP_MAC, nullptr, &a), 0);
  EXPECT_NE(mpb_energy_baseline_actions(f.t, MPB_EPIPE_FP32, MPB_EOP_ROTATE, nullptr, &a), 0);
  EXPECT_EQ(mpb_energy_baseline_actions(f.t, MPB_EPIPE_FP32, MPB_EOP_EXP, nullptr, &a), 0);
}

// Recipes priced by hand with every class: FP32 cos/sin (15 mul, 14 add, a 32-bit read
// of a 256 B inv_freq table; every result registered: 29 x 32 + 32 bits); BF16 MAC (the
// derived bf16 entries; 8 lanes like the bridge's dot unit); INT8 cos/sin (one 16-bit
// entry of a 16 MiB cache: larger than the buffer, so a DRAM read, and no leakage of it).
TEST(AnalysisEnergyOps, BaselineRecipesByHand) {
  Fixture f;
  ASSERT_TRUE(f.t && f.m);
  mpb_energy_cost c;
  ASSERT_EQ(mpb_energy_baseline_cost(f.t, MPB_EPIPE_FP32, MPB_EOP_COSSIN, &f.br, 1000, &c), 0);
  double regs = 29 * 32 + 32;
  EXPECT_NEAR(c.arith_pj, 15 * 3.7 + 14 * 0.9, 1e-12);
  EXPECT_NEAR(c.rom_pj, 10.0 * std::sqrt(256 / 8192.0) * 32 / 64, 1e-12);
  EXPECT_NEAR(c.reg_pj, regs * 0.00673, 1e-12);
  EXPECT_NEAR(c.clock_pj, regs * 0.00624, 1e-12);
  double leak_nw = regs * 70 + 15 * 24 * 24 * 78.0 + 14 * 32 * 72.0 + 256 * 8 * 7.0;
  EXPECT_NEAR(c.leak_pj, leak_nw * 1e-3 / 1000, 1e-12);
  EXPECT_NEAR(c.total_pj, c.arith_pj + c.rom_pj + c.reg_pj + c.clock_pj + c.leak_pj, 1e-12);
  EXPECT_NEAR(c.static_pj_per_cycle, c.clock_pj + c.leak_pj, 1e-12);
  ASSERT_EQ(mpb_energy_baseline_cost(f.t, MPB_EPIPE_BF16, MPB_EOP_MAC, &f.br, 1000, &c), 0);
  double bf_mul = 1.1 + 2.6 * (64 - 121) / 455.0, bf_add = 0.4 + 0.5 * (8 - 11) / 13.0;
  EXPECT_NEAR(c.arith_pj, bf_mul + bf_add, 1e-12);
  EXPECT_NEAR(c.reg_pj, 2 * 16 * 0.00673, 1e-12);
  EXPECT_DOUBLE_EQ(c.ops_per_cycle, f.cfg.mac_lanes);
  EXPECT_NEAR(c.clock_pj, 2 * 16 * 0.00624, 1e-12);  // 8 lanes' registers over 8 products
  ASSERT_EQ(mpb_energy_baseline_cost(f.t, MPB_EPIPE_INT8, MPB_EOP_COSSIN, &f.br, 1000, &c), 0);
  EXPECT_NEAR(c.rom_pj, 1950.0 / 8 * 2, 1e-9);
  EXPECT_NEAR(c.arith_pj, 0, 1e-12);
  EXPECT_NEAR(c.leak_pj, 16 * 70.0 * 1e-3 / 1000, 1e-12);  // its 16-bit register only
}

// A token of a tiny model computed by hand: 2 layers, d_model 8, 2 heads and 1 KV head of
// 4, FFN 16, vocabulary 10, context 4, 1000 tokens/s at 1 MHz.
TEST(AnalysisEnergyOps, SystemTokenByHand) {
  Fixture f;
  ASSERT_TRUE(f.t && f.m);
  mpb_sys_opts o;
  mpb_sys_opts_default(&o);
  o.model = {"tiny", 2, 8, 2, 1, 4, 16, 10};
  o.context = 4, o.decode_tps = 1000, o.prefill_len = 8, o.prefill_tps = 4000;
  o.prefill_tile = 2, o.clock_mhz = 1;
  const double weights = 2 * (8 * 2 * 4 + 2 * 8 * 1 * 4 + 2 * 4 * 8 + 3 * 8 * 16) + 8 * 10;
  ASSERT_EQ(weights, 1232);
  char err[256];
  mpb_sys_result r[MPB_NSYS];
  for (int s = 0; s < MPB_NSYS; s++)
    ASSERT_EQ(mpb_sys_estimate(f.t, &f.br, &o, MPB_PHASE_DECODE, (mpb_sys_side)s, &r[s], err,
                               sizeof err), 0) << err;
  const mpb_sys_result &b = r[MPB_SYS_BRIDGE];
  EXPECT_DOUBLE_EQ(b.ops[MPB_SOP_MAC], weights + 2 * 2 * 2 * 4 * 4);
  EXPECT_DOUBLE_EQ(b.ops[MPB_SOP_EXP], 2 * 2 * 4);
  EXPECT_DOUBLE_EQ(b.ops[MPB_SOP_ROTATE], 2 * 3 * 2);
  EXPECT_DOUBLE_EQ(b.ops[MPB_SOP_COSSIN], 2);  // once per (token, pair)
  double compute = 0;
  for (int k = 0; k < MPB_NSOP; k++) {
    mpb_energy_cost c;
    mpb_sys_op_cost(f.t, &f.br, MPB_SYS_BRIDGE, k, 1, &c);
    EXPECT_NEAR(b.op_pj[k], mpb_energy_cost_dynamic(&c), 1e-12) << k;
    compute += b.ops[k] * b.op_pj[k] * 1e-12;
  }
  EXPECT_NEAR(b.compute_j, compute, 1e-20);
  // operand delivery: int8 weights from DRAM through the buffer; the KV cache read (context
  // 4) and written (one token); activations: a register-file read per MAC, every vector
  // written to and read from the buffer
  double kvb = o.kv_bytes_int8;
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], weights);
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_WEIGHTS][MPB_MEM_BUFFER], 2 * weights);
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_KV][MPB_MEM_DRAM], (2 * 2 * 4 * 4 + 2 * 2 * 4) * kvb);
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_KV][MPB_MEM_BUFFER], 2 * 2 * 2 * 4 * 4 * kvb);
  double act = 2 * (4 * 8 + 4 * 4 + 2 * 4 + 3 * 16 + 2 * 2 * 4) + 10;
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_ACT][MPB_MEM_BUFFER], 2 * act);
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_ACT][MPB_MEM_RF], b.ops[MPB_SOP_MAC]);
  EXPECT_NEAR(b.mem_j[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], weights * 1950.0 / 8 * 1e-12, 1e-20);
  EXPECT_NEAR(b.mem_j[MPB_OPND_WEIGHTS][MPB_MEM_BUFFER], 2 * weights * 100.0 / 8 * 1e-12, 1e-20);
  // pipelines: 1.36 M MACs/s on 8 lanes at 1 MHz -> 1 dot unit; 16 k exps/s -> 1
  EXPECT_DOUBLE_EQ(b.units[MPB_SOP_MAC], 1);
  EXPECT_DOUBLE_EQ(b.units[MPB_SOP_EXP], 1);
  mpb_energy_cost mac;
  mpb_sys_op_cost(f.t, &f.br, MPB_SYS_BRIDGE, MPB_SOP_MAC, 1, &mac);
  EXPECT_NEAR(b.static_w_clock,
              (f.br.op[MPB_EOP_MAC].hw.reg_bits + f.br.op[MPB_EOP_EXP].hw.reg_bits +
               f.br.op[MPB_EOP_COSSIN].hw.reg_bits + f.br.op[MPB_EOP_ROTATE].hw.reg_bits) *
                  0.00624e-12 * 1e6,
              1e-15);
  EXPECT_NEAR(b.total_w, b.dyn_w_compute + b.dyn_w_memory + b.static_w_clock +
                             b.static_w_leak + b.static_w_memory, 1e-15);
  EXPECT_NEAR(b.dyn_w_memory, b.memory_j * 1000, 1e-15);
  EXPECT_NEAR(b.j_per_token, b.total_w / 1000, 1e-18);
  EXPECT_NEAR(b.dram_gbs, (weights + (64 + 16) * kvb) * 1000 * 1e-9, 1e-15);
  // symmetric formats: INT8 moves the bridge's bytes (plus its cos/sin cache entries:
  // d/2 of 2 bytes from DRAM); FP32 four times the weights, BF16 twice
  const mpb_sys_result &i8 = r[MPB_SYS_INT8];
  for (int k = 0; k < MPB_OPND_TABLES; k++)
    for (int l = 0; l < MPB_NMEM; l++) EXPECT_DOUBLE_EQ(i8.mem_j[k][l], b.mem_j[k][l]) << k << l;
  EXPECT_DOUBLE_EQ(i8.mem_bytes[MPB_OPND_TABLES][MPB_MEM_DRAM], 2 * 2);
  EXPECT_DOUBLE_EQ(b.mem_bytes[MPB_OPND_TABLES][MPB_MEM_DRAM], 0);
  EXPECT_DOUBLE_EQ(i8.op_pj[MPB_SOP_MAC], b.op_pj[MPB_SOP_MAC]);
  EXPECT_DOUBLE_EQ(r[MPB_SYS_FP32].mem_bytes[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], 4 * weights);
  EXPECT_DOUBLE_EQ(r[MPB_SYS_BF16].mem_bytes[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], 2 * weights);
  EXPECT_DOUBLE_EQ(r[MPB_SYS_BF16].mem_bytes[MPB_OPND_KV][MPB_MEM_DRAM], (64 + 16) * 2.0);
  // cos/sin per pair: 12 cos/sin per token; INT8 reads its entries per rotation again
  o.cossin_per_pair = true;
  mpb_sys_result p8, pb;
  ASSERT_EQ(mpb_sys_estimate(f.t, &f.br, &o, MPB_PHASE_DECODE, MPB_SYS_INT8, &p8, err, sizeof err), 0);
  ASSERT_EQ(mpb_sys_estimate(f.t, &f.br, &o, MPB_PHASE_DECODE, MPB_SYS_BRIDGE, &pb, err, sizeof err), 0);
  EXPECT_DOUBLE_EQ(pb.ops[MPB_SOP_COSSIN], 12);
  EXPECT_NEAR(pb.compute_j - b.compute_j, 10 * b.op_pj[MPB_SOP_COSSIN] * 1e-12, 1e-20);
  EXPECT_DOUBLE_EQ(p8.mem_bytes[MPB_OPND_TABLES][MPB_MEM_BUFFER],
                   i8.mem_bytes[MPB_OPND_TABLES][MPB_MEM_BUFFER] + 12 * 2);
  // prefill: weights once a prompt of 8, keys averaged over the prompt ((8+1)/2), the KV
  // cache read once per tile of 2 queries
  o.cossin_per_pair = false;
  mpb_sys_result pf;
  ASSERT_EQ(mpb_sys_estimate(f.t, &f.br, &o, MPB_PHASE_PREFILL, MPB_SYS_BRIDGE, &pf, err, sizeof err), 0);
  EXPECT_DOUBLE_EQ(pf.mem_bytes[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], weights / 8);
  EXPECT_DOUBLE_EQ(pf.ops[MPB_SOP_EXP], 2 * 2 * 4.5);
  EXPECT_DOUBLE_EQ(pf.mem_bytes[MPB_OPND_KV][MPB_MEM_DRAM], (2 * 2 * 4 * 4.5 / 2 + 16) * kvb);
  EXPECT_DOUBLE_EQ(pf.tps, 4000);
  o.decode_tps = 0;
  EXPECT_NE(mpb_sys_estimate(f.t, &f.br, &o, MPB_PHASE_DECODE, MPB_SYS_BRIDGE, &pf, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("must be positive"), std::string::npos) << err;
}
