// analysis_gate_test.cc — the gate-level flow (rtl/gate/, analysis/gate_*.c): a tiny module
// priced by the flow against a hand calculation from the OSU 0.18 um liberty's tables,
// clear errors for a missing or broken liberty file, and the short flow of `make test`:
// the dot unit of the default configuration synthesised, simulated on the reference
// stimulus (checked against the model) and reconciled with the action model. Skipped,
// with the reason printed, when yosys, sta or the liberty file are missing (make deps).
#include <gtest/gtest.h>

#include <jansson.h>

#include <cmath>
#include <fstream>
#include <string>

#include "gate.h"
#include "gtest_c.h"

namespace {

const char *kLib = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";

std::string missing_tools() {
  std::string out;
  if (mpb_test_run("command -v yosys", &out) != 0) return "yosys not installed (make deps)";
  if (mpb_test_run("command -v sta", &out) != 0) return "sta (opensta) not installed (make deps)";
  if (!std::ifstream(kLib)) return std::string(kLib) + " missing (qflow-tech-osu018, make deps)";
  return "";
}

// Linear interpolation between two table points.
double lerp(double x0, double y0, double x1, double y1, double x) {
  return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

}  // namespace

// tiny: y_o = ~a_i (INVX1) and q_o <= b_i (DFFPOSX1). rtl/gate/sta.tcl sets input and clock
// transitions of 0.06 ns (the tables' first slew index) and 0.01 pF on the outputs, so the
// hand calculation reads the liberty tables at slew 0.06 and interpolates the load between
// 0.005 and 0.0125 pF. Values from osu018_stdcells.lib (energies in pJ = V x pF):
//   INVX1 Y (related A): rise 0.023555 / 0.023165, fall 0.009213 / 0.009047 (loads 0.005 /
//     0.0125); leakage 0.0221741 nW
//   DFFPOSX1 CLK (passive, slew 0.06): rise 0.006865, fall 0.11034; CLK pin 0.0279235 pF
//   DFFPOSX1 D (passive, slew 0.06): rise 0.045424, fall 0.08841
//   DFFPOSX1 Q (related CLK, clock slew 0.06): rise 0.040752 / 0.041217, fall 0.064773 /
//     0.063395; leakage 0.160725 nW
// Per transition: the mean of rise and fall internal energy, plus 1/2 C V^2 of the output
// load; per cycle: both clock-pin energies plus C V^2 of the clock pin; leakage x time.
// Tolerance 1%: OpenSTA prints the table energies with three significant digits.
TEST(AnalysisGate, TinyModuleMatchesTheLibertyByHand) {
  std::string why = missing_tools();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string dir = mpb_test_path("gate-tiny"), v = mpb_test_path("gate-tiny.v"), out;
  std::ofstream(v) << "module tiny(input clk_i, input a_i, input b_i, output y_o, output q_o);\n"
                      "  reg q;\n  always @(posedge clk_i) q <= b_i;\n"
                      "  assign y_o = ~a_i;\n  assign q_o = q;\nendmodule\n";
  ASSERT_EQ(mpb_test_run("rtl/gate/synth.sh --lib " + std::string(kLib) + " --top tiny --out " +
                             dir + " " + v, &out), 0) << out;
  ASSERT_EQ(mpb_test_run("rtl/gate/sta.sh --lib " + std::string(kLib) + " --dir " + dir +
                             " --top tiny", &out), 0) << out;
  char err[512];
  gate_design *d = gate_design_load((dir + "/sim.json").c_str(), (dir + "/cells.json").c_str(),
                                    "tiny", err, sizeof err);
  ASSERT_TRUE(d) << err;
  gate_power *p = gate_power_load(dir.c_str(), err, sizeof err);
  ASSERT_TRUE(p) << err;
  ASSERT_EQ(gate_cell_count(d), 2u);
  for (size_t i = 0; i < 2; i++) {
    std::string t = gate_cell_type(d, i);
    EXPECT_TRUE(t == "INVX1" || t == "DFFPOSX1") << t;
  }
  EXPECT_NEAR(gate_power_vdd(p), 1.8, 1e-9);
  int pa = gate_port(d, "a_i", nullptr, nullptr), pb = gate_port(d, "b_i", nullptr, nullptr);
  int py = gate_port(d, "y_o", nullptr, nullptr), pq = gate_port(d, "q_o", nullptr, nullptr);
  ASSERT_TRUE(pa >= 0 && pb >= 0 && py >= 0 && pq >= 0);
  gate_eval(d);
  gate_clear_counts(d);
  // reference: the same schedule by hand (sample after the inputs settle, then after the
  // edge); a toggles every cycle, b every other cycle, q follows b one cycle later
  int a = 0, b = 0, q = 0, y = 1, py0 = y, pb0 = b, pq0 = q;
  double ty = 0, tb = 0, tq = 0;
  const int N = 400;
  for (int c = 0; c < N; c++) {
    a = c & 1, b = (c >> 1) & 1, y = !a;
    gate_set_input(d, pa, (uint64_t)a);
    gate_set_input(d, pb, (uint64_t)b);
    gate_eval(d);
    ASSERT_EQ(gate_get_output(d, py), (uint64_t)y) << c;
    ASSERT_EQ(gate_get_output(d, pq), (uint64_t)q) << c;
    ty += y != py0, tb += b != pb0, tq += q != pq0;
    py0 = y, pb0 = b, pq0 = q;
    gate_cycle(d);
    q = b;
    tq += q != pq0;
    pq0 = q;
  }
  gate_energy e;
  const double period = 10;
  ASSERT_EQ(gate_price(d, p, period, nullptr, nullptr, &e, 1, err, sizeof err), 0) << err;
  const double V2 = 1.8 * 1.8, load = 0.01, sw = 0.5 * load * V2;  // pF x V^2 = pJ
  double inv = 0.5 * (lerp(0.005, 0.023555, 0.0125, 0.023165, load) +
                      lerp(0.005, 0.009213, 0.0125, 0.009047, load));
  double qin = 0.5 * (lerp(0.005, 0.040752, 0.0125, 0.041217, load) +
                      lerp(0.005, 0.064773, 0.0125, 0.063395, load));
  double dpin = 0.5 * (0.045424 + 0.08841);
  double clock = N * (0.006865 + 0.11034 + 0.0279235 * V2);
  double dyn = ty * (inv + sw) + tb * dpin + tq * (qin + sw);
  double leak = (0.0221741 + 0.160725) * 1e-9 * N * period * 1e-9 * 1e12;
  EXPECT_EQ(ty, N - 1);      // y toggles every cycle but the first (it starts at 1)
  EXPECT_EQ(tb, N / 2 - 1);  // b every other cycle from cycle 2
  EXPECT_EQ(tq, N / 2 - 1);
  EXPECT_NEAR(e.clock_pj, clock, 0.01 * clock);
  EXPECT_NEAR(e.internal_pj + e.switching_pj, dyn, 0.01 * dyn);
  EXPECT_NEAR(e.leak_pj, leak, 0.01 * leak);
  EXPECT_NEAR(e.total_pj, clock + dyn + leak, 0.01 * (clock + dyn + leak));
  EXPECT_EQ(e.cells, 2);
  EXPECT_EQ(e.flops, 1);
  EXPECT_EQ(e.area_um2, 16 + 96);  // INVX1 + DFFPOSX1 (liberty `area`)
  gate_power_free(p);
  gate_design_free(d);
}

// A missing liberty file is an I/O error (exit 4), one the tools cannot parse a bad input
// (exit 3); both name the file, and nothing is written.
TEST(AnalysisGate, MissingOrBrokenLibertyIsAClearError) {
  std::string why = missing_tools();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string dir = mpb_test_path("gate-badlib"), v = mpb_test_path("gate-badlib.v"), out;
  std::system(("rm -rf '" + dir + "'").c_str());
  std::ofstream(v) << "module t(input clk_i, input a_i, output y_o); assign y_o = ~a_i; endmodule\n";
  EXPECT_EQ(mpb_test_run("rtl/gate/synth.sh --lib no/such.lib --top t --out " + dir + " " + v,
                         &out), 4);
  EXPECT_NE(out.find("no/such.lib: cannot read the liberty file"), std::string::npos) << out;
  std::string bad = mpb_test_path("gate-broken.lib");
  std::ofstream(bad) << "library (broken) {\n  cell (INVX1) {\n    area : 16;\n    pin(A) {\n";
  EXPECT_EQ(mpb_test_run("rtl/gate/synth.sh --lib " + bad + " --top t --out " + dir + " " + v,
                         &out), 3);
  EXPECT_NE(out.find(bad + ": not a liberty file yosys can read"), std::string::npos) << out;
  std::ifstream flat(dir + "/flat.v");
  EXPECT_FALSE(flat.good());
  // OpenSTA on a good netlist with a missing, then a broken liberty file
  ASSERT_EQ(mpb_test_run("rtl/gate/synth.sh --lib " + std::string(kLib) + " --top t --out " +
                             dir + " " + v, &out), 0) << out;
  EXPECT_EQ(mpb_test_run("rtl/gate/sta.sh --lib no/such.lib --dir " + dir + " --top t", &out), 4);
  EXPECT_NE(out.find("no/such.lib: cannot read the liberty file"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run("rtl/gate/sta.sh --lib " + bad + " --dir " + dir + " --top t", &out), 3);
  EXPECT_NE(out.find(bad + ": OpenSTA cannot read the liberty file"), std::string::npos) << out;
  // and the library reader of the flow: a directory without OpenSTA's report
  char err[512];
  gate_power *p = gate_power_load(dir.c_str(), err, sizeof err);
  EXPECT_EQ(p, nullptr);
  EXPECT_NE(std::string(err).find("power.txt"), std::string::npos) << err;
}

// The short flow: the dot unit of the default configuration (its cells only), every
// product of the reference stimulus checked against the model, priced and reconciled.
TEST(AnalysisGate, DotUnitShortFlow) {
  std::string why = missing_tools();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string b = mpb_test_bin("cosim/default"), dir = mpb_test_path("gate-dot"), out;
  std::ifstream cfg(b + "/config.cfg");
  ASSERT_TRUE(cfg.good()) << b << "/config.cfg missing (make " << b << "/tables/.stamp)";
  std::string synth = "rtl/gate/synth.sh --lib " + std::string(kLib) + " --top mpb_top --out " +
                      dir + " --cwd " + b + "/tables --keep u_dot $(rtl/cfg2vparams.sh " + b +
                      "/config.cfg | sed 's/-G/--param /g') $(ls rtl/*.v)";
  ASSERT_EQ(mpb_test_run(synth, &out), 0) << out;
  ASSERT_EQ(mpb_test_run("rtl/gate/sta.sh --lib " + std::string(kLib) + " --dir " + dir +
                             " --top mpb_top", &out), 0) << out;
  mpb_config c;
  char err[1024];
  ASSERT_EQ(mpb_config_load(&c, (b + "/config.cfg").c_str(), err, sizeof err), MPB_OK) << err;
  mpb_geometry g = {128, 500000, MPB_PAIR_HALF};
  mpb_model *m = mpb_model_new(&c, &g, err, sizeof err);
  ASSERT_TRUE(m) << err;
  gate_recon_opts o = {dir.c_str(), "rtl/gate/blocks.tsv", "configs/energy-osu018.cfg",
                       "default", "osu018_stdcells", 180, 1.8, 100, 100, 4, 7};
  std::string js = dir + "/gate.json";
  ASSERT_EQ(gate_reconcile(m, &o, js.c_str(), err, sizeof err), 0) << err;
  mpb_model_free(m);
  json_error_t je;
  json_t *root = json_load_file(js.c_str(), 0, &je);
  ASSERT_TRUE(root) << je.text;
  json_t *u = json_object_get(json_object_get(root, "units"), "dot");
  ASSERT_TRUE(u);
  EXPECT_FALSE(json_object_get(json_object_get(root, "units"), "rope"));  // not synthesised
  EXPECT_DOUBLE_EQ(json_number_value(json_object_get(u, "ops")), 4 * 256.0);
  EXPECT_DOUBLE_EQ(json_number_value(json_object_get(u, "cycles")), 4 * 32.0 + 3);
  EXPECT_GT(json_number_value(json_object_get(u, "cells")), 1000);
  double gate = json_number_value(json_object_get(json_object_get(u, "gate"), "total_pj"));
  double act = json_number_value(json_object_get(json_object_get(u, "action"), "total_pj"));
  // the action model priced with the library's own table is within 2x of the netlist
  EXPECT_GT(gate / act, 0.5) << gate << " " << act;
  EXPECT_LT(gate / act, 2.0) << gate << " " << act;
  double crit = json_number_value(json_object_get(root, "critical_path_ns"));
  EXPECT_GT(crit, 1);
  EXPECT_LT(crit, 50);
  EXPECT_EQ(json_number_value(json_object_get(root, "unassigned_cells")), 0);
  json_decref(root);
}
