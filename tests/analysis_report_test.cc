// analysis_report_test.cc — the report: values of a small report against independent
// computations, the JSON schema fields, the RTL toggle cross-check on hand-written files
// and on the Verilated RTL's counts of every block (sim/toggles/),
// `mpbsim report` exit codes and atomic outputs, and the HTML in headless Chromium (no
// script errors, a non-blank screenshot decoded with libpng; both checks shown to fail on
// a broken and a blank page).
#include <gtest/gtest.h>
#include <jansson.h>
#include <png.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "gtest_c.h"
#include "report.h"
#include "report_trace.h"

namespace {

mpb_report_opts small_opts() {
  mpb_report_opts o;
  mpb_report_opts_default(&o);
  o.pos_max = 8192;
  o.per_octave = 64;
  o.attn_keys = 32;
  o.ssm_tokens = 256;
  return o;
}

std::string abs_path(const std::string &p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

std::string read_file(const std::string &p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool file_exists(const std::string &p) { return std::ifstream(p).good(); }

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

std::string chromium(const std::string &args, const std::string &page, const std::string &tag) {
  std::string prof = mpb_test_path("chromium-" + tag);
  std::string out;
  mpb_test_run("timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
               "--user-data-dir='" + prof + "' " + args + " 'file://" + abs_path(page) + "'",
               &out);
  return out;
}

// Grey-level standard deviation and non-white fraction of a PNG.
bool png_stats(const std::string &path, double *sd, double *ink) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str())) return false;
  img.format = PNG_FORMAT_GRAY;
  std::vector<png_byte> buf(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, buf.data(), 0, nullptr)) return false;
  double s = 0, s2 = 0, nw = 0;
  for (png_byte b : buf) s += b, s2 += (double)b * b, nw += b < 240;
  double n = (double)buf.size();
  *sd = std::sqrt(std::max(0.0, s2 / n - (s / n) * (s / n)));
  *ink = nw / n;
  return img.width > 0;
}

}  // namespace

TEST(AnalysisReport, ValuesAgainstIndependentComputation) {
  mpb_report_opts o = small_opts();
  mpb_report r;
  char err[512];
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  // independent max |cos/sin error| of the bridge and FP32 at a few positions
  char e2[256];
  mpb_model *m = mpb_model_new(&o.cfg, &o.geo, e2, sizeof e2);
  ASSERT_TRUE(m) << e2;
  double mb = 0;
  for (uint32_t pos : {0u, 1u, 777u, 4095u, 8192u})
    for (int j = 0; j < o.geo.head_dim / 2; j++) {
      double c, s, c0, s0;
      mpb_rope_cossin(m, pos, (uint32_t)j, &c, &s);
      mpb_baseline_cossin(MPB_BASE_FP64, &o.geo, pos, j, &c0, &s0);
      mb = std::max({mb, std::fabs(c - c0), std::fabs(s - s0)});
    }
  mpb_model_free(m);
  EXPECT_GE(r.max_err[MPB_RV_BRIDGE], mb);
  EXPECT_LE(r.max_err[MPB_RV_BRIDGE], r.goal);          // the default meets 2^-15
  EXPECT_LE(r.max_err[MPB_RV_BRIDGE], r.bound);         // and its analytic bound
  EXPECT_GT(r.max_err[MPB_RV_FP32], r.max_err[MPB_RV_BRIDGE]);
  EXPECT_NEAR(r.max_err[MPB_RV_INT8], 1.0 / 128, 1e-9);  // Q1.7: cos = 1 saturates to 1 - 2^-7
  // FP32 error grows ~linearly with position; the bridge's does not grow
  EXPECT_NEAR(r.fit_max[MPB_RV_FP32].b, 1.0, 0.2);
  EXPECT_GT(r.fit_max[MPB_RV_FP32].r2, 0.9);
  EXPECT_LT(std::fabs(r.fit_max[MPB_RV_BRIDGE].b), 0.05);
  // 2048 dense positions + 2 octaves (2048..8191) x 64 + the octave of 8192 (one position)
  EXPECT_EQ(r.npositions, 2048u + 2 * 64 + 1);
  // energy per rotation is the sum of its blocks; activity figure beside it
  double sum = 0;
  for (int k = 0; k < MPB_NBLK; k++) sum += r.e_rot.blk[k].total_pj;
  EXPECT_NEAR(r.e_rot.total_pj, sum, 1e-9);
  EXPECT_GT(r.e_rot.total_pj, 10);
  EXPECT_LT(r.e_rot.total_pj, r.base_pj[MPB_EPIPE_FP32][MPB_EOP_ROTATION]);
  EXPECT_NEAR(r.rot_power_w, r.e_rot.total_pj * 1e-12 * o.cfg.clock_mhz * 1e6, 1e-12);
  EXPECT_EQ(r.n_rtl, 0u);
  // system estimate, Llama 3 8B at context 8192 (the positions), recomputed here
  double C = 8192, weights = 32.0 * (2 * 4096.0 * 4096 + 2 * 4096.0 * 1024 + 3 * 4096.0 * 14336) +
                             4096.0 * 128256;
  double macs = weights + 32 * 2 * 32 * 128 * C, exps = 32 * 32 * C, rots = 32 * 40 * 64;
  const mpb_sys_result *d = r.sys[MPB_PHASE_DECODE];
  EXPECT_DOUBLE_EQ(r.sys_opts.context, C);
  EXPECT_DOUBLE_EQ(d[MPB_SYS_BRIDGE].ops[MPB_SOP_MAC], macs);
  EXPECT_DOUBLE_EQ(d[MPB_SYS_BRIDGE].ops[MPB_SOP_EXP], exps);
  EXPECT_DOUBLE_EQ(d[MPB_SYS_BRIDGE].ops[MPB_SOP_ROTATE], rots);
  EXPECT_DOUBLE_EQ(d[MPB_SYS_BRIDGE].ops[MPB_SOP_COSSIN], 64);
  EXPECT_DOUBLE_EQ(r.sys_pair[MPB_SYS_BRIDGE].ops[MPB_SOP_COSSIN], rots);
  EXPECT_NEAR(d[MPB_SYS_FP32].mem_j[MPB_OPND_WEIGHTS][MPB_MEM_DRAM], 1e-12 * 1950.0 / 8 * weights * 4,
              1e-9 * d[MPB_SYS_FP32].mem_j[MPB_OPND_WEIGHTS][MPB_MEM_DRAM]);
  EXPECT_NEAR(d[MPB_SYS_FP32].mem_j[MPB_OPND_KV][MPB_MEM_DRAM],
              1e-12 * 1950.0 / 8 * 32 * 2 * 8 * 128 * (C + 1) * 4,
              1e-9 * d[MPB_SYS_FP32].mem_j[MPB_OPND_KV][MPB_MEM_DRAM]);
  // every baseline uses at least as much power as the bridge except INT8, which shares
  // its memory formats and dot unit: within 1%
  EXPECT_GT(d[MPB_SYS_FP32].total_w, d[MPB_SYS_BF16].total_w);
  EXPECT_GT(d[MPB_SYS_BF16].total_w, d[MPB_SYS_BRIDGE].total_w);
  EXPECT_NEAR(d[MPB_SYS_INT8].total_w, d[MPB_SYS_BRIDGE].total_w, 0.01 * d[MPB_SYS_BRIDGE].total_w);
  EXPECT_EQ(r.nclaims, (size_t)MPB_NCLAIM);
  for (size_t i = 0; i < r.nclaims; i++) {
    EXPECT_GT(strlen(r.claims[i].claim), 10u);
    EXPECT_GT(strlen(r.claims[i].measured), 20u);
  }
  EXPECT_EQ(std::string(r.claims[0].verdict).rfind("holds", 0), 0u);
  // the power claim is judged against the fair baselines: not "holds" when only FP32 is
  // beaten 5x
  EXPECT_EQ(std::string(r.claims[1].verdict).rfind("not reached", 0), 0u) << r.claims[1].verdict;
  EXPECT_NE(std::string(r.claims[1].verdict).find("vs INT8"), std::string::npos);
  EXPECT_NE(std::string(r.claims[1].measured).find(" W"), std::string::npos);
  ASSERT_EQ(mpb_report_add_claim(&r, "an appended claim", "holds", "measured %d", 42), 0);
  EXPECT_EQ(r.nclaims, (size_t)MPB_NCLAIM + 1);
  EXPECT_STREQ(r.claims[MPB_NCLAIM].measured, "measured 42");
  // JSON: schema and numbers agree with the struct
  std::string jp = mpb_test_path("report-small.json");
  FILE *f = fopen(jp.c_str(), "w");
  ASSERT_TRUE(f);
  EXPECT_EQ(mpb_report_write_json(&r, f), 0);
  fclose(f);
  json_error_t je;
  json_t *root = json_load_file(jp.c_str(), 0, &je);
  ASSERT_TRUE(root) << je.text;
  EXPECT_STREQ(json_string_value(json_object_get(root, "schema")), MPB_REPORT_SCHEMA);
  json_t *rot = json_object_get(json_object_get(root, "energy"), "per_rotation");
  EXPECT_NEAR(json_real_value(json_object_get(rot, "total_pj")), r.e_rot.total_pj,
              1e-6 * r.e_rot.total_pj);
  json_t *br = json_object_get(json_object_get(json_object_get(root, "precision"), "variants"),
                               "bridge");
  EXPECT_NEAR(json_real_value(json_object_get(br, "max_err")), r.max_err[0], 1e-12);
  EXPECT_EQ(json_array_size(json_object_get(br, "ulp_hist")), (size_t)MPB_ULP_BINS);
  EXPECT_EQ(json_array_size(json_object_get(root, "claims")), (size_t)MPB_NCLAIM + 1);
  json_t *sys = json_object_get(json_object_get(root, "system"), "sides");
  EXPECT_NEAR(json_real_value(json_object_get(
                  json_object_get(json_object_get(sys, "bridge"), "decode"), "total_w")),
              d[MPB_SYS_BRIDGE].total_w, 1e-6 * d[MPB_SYS_BRIDGE].total_w);
  EXPECT_TRUE(json_is_null(json_object_get(root, "gate")));
  EXPECT_TRUE(json_is_null(json_object_get(root, "rtl_toggles")));
  json_decref(root);
  mpb_report_free(&r);
}

TEST(AnalysisReport, RtlToggleCrossCheck) {
  mpb_report_opts o = small_opts();
  char err[512];
  mpb_model *m = mpb_model_new(&o.cfg, &o.geo, err, sizeof err);
  ASSERT_TRUE(m);
  mpb_counts c;
  mpb_energy_reference(m, MPB_UNIT_ROPE, 500, 42, &c);
  mpb_model_free(m);
  // hand-written RTL file: horner equal to the model, mac8 twice the model
  std::string p = mpb_test_path("rtl-toggles.json");
  std::ofstream(p) << "{\"source\": \"hand-written\", \"unit\": \"rope\", \"stimulus\": "
                      "{\"seed\": 42, \"n\": 500}, \"blocks\": {\"horner\": "
                   << c.blk[MPB_BLK_HORNER].toggles
                   << ", \"mac8\": " << 2 * c.blk[MPB_BLK_MAC8].toggles << "}}";
  o.rtl_toggles_paths[0] = p.c_str();
  o.n_rtl_toggles = 1;
  mpb_report r;
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  ASSERT_EQ(r.n_rtl, 1u);
  const mpb_report_rtl &u = r.rtl[0];
  EXPECT_STREQ(u.unit, "rope");
  EXPECT_EQ(u.ops, 500u);
  EXPECT_EQ(u.seed, 42u);
  EXPECT_DOUBLE_EQ(u.rtl[MPB_BLK_HORNER], u.model[MPB_BLK_HORNER]);
  EXPECT_DOUBLE_EQ(u.rtl[MPB_BLK_MAC8], 2 * u.model[MPB_BLK_MAC8]);
  EXPECT_LT(u.rtl[MPB_BLK_ROTATE], 0);  // not in the file
  EXPECT_TRUE(mpb_report_rtl_agrees(&u, MPB_BLK_HORNER));
  EXPECT_FALSE(mpb_report_rtl_agrees(&u, MPB_BLK_MAC8));
  EXPECT_FALSE(mpb_report_rtl_agrees(&u, MPB_BLK_ROTATE));
  EXPECT_EQ(u.nblocks, 2);
  EXPECT_EQ(u.ndiffer, 1);
  EXPECT_EQ(r.rtl_blocks, 2);
  EXPECT_EQ(r.rtl_differ, 1);
  mpb_report_free(&r);
  // a second file of the same unit: rejected, naming both files
  std::string p2 = mpb_test_path("rtl-toggles-2.json");
  std::ofstream(p2) << read_file(p);
  const char *two[2] = {p.c_str(), p2.c_str()};
  mpb_rtl_toggles set[MPB_REPORT_NRTL];
  EXPECT_EQ(mpb_rtl_toggles_load_set(two, 2, set, err, sizeof err), MPB_RTL_EDUP);
  EXPECT_NE(std::string(err).find("rtl-toggles.json"), std::string::npos) << err;
  EXPECT_NE(std::string(err).find("rtl-toggles-2.json"), std::string::npos) << err;
  EXPECT_NE(std::string(err).find("rope"), std::string::npos) << err;
  o.rtl_toggles_paths[1] = p2.c_str();
  o.n_rtl_toggles = 2;
  EXPECT_NE(mpb_report_build(&o, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("rtl-toggles-2.json"), std::string::npos) << err;
  // bad files: message names the file and the field
  const char *bad[][2] = {
      {"{\"unit\": \"fft\", \"stimulus\": {\"seed\": 1, \"n\": 5}, \"blocks\": {}}", "\"unit\""},
      {"{\"unit\": \"rope\", \"stimulus\": {\"seed\": 1}, \"blocks\": {}}", "\"stimulus\""},
      {"{\"unit\": \"rope\", \"stimulus\": {\"seed\": 1, \"n\": 5}, \"blocks\": {\"alu\": 3}}",
       "blocks.alu"},
      {"{\"unit\": \"rope\", \"stimulus\": {\"seed\": 1, \"n\": 5}, \"blocks\": {\"mac8\": -3}}",
       "blocks.mac8"},
      {"{\"unit\": ", "rtl-bad"},
  };
  for (auto &b : bad) {
    std::string bp = mpb_test_path("rtl-bad.json");
    std::ofstream(bp) << b[0];
    mpb_rtl_toggles t;
    ASSERT_NE(mpb_rtl_toggles_load(bp.c_str(), &t, err, sizeof err), 0) << b[0];
    EXPECT_NE(std::string(err).find(b[1]), std::string::npos) << err;
    EXPECT_NE(std::string(err).find("rtl-bad.json"), std::string::npos) << err;
  }
}

TEST(AnalysisReport, CliExitCodesAndAtomicOutputs) {
  std::string bin = mpb_test_bin("mpbsim"), out;
  std::string dir = mpb_test_path("report-cli");
  std::system(("rm -rf '" + dir + "'").c_str());
  std::string fast = " --positions 4096 --per-octave 32 --keys 16 --tokens 64";
  EXPECT_EQ(mpb_test_run(bin + " report --help", &out), 0);
  EXPECT_NE(out.find("--rtl-toggles"), std::string::npos);
  EXPECT_EQ(mpb_test_run(bin + " report" + fast, &out), 2);  // --out missing
  EXPECT_EQ(mpb_test_run(bin + " report --positions 0 --out " + dir, &out), 2);
  EXPECT_NE(out.find("--positions"), std::string::npos) << out;
  // bad energy table: exit 3, message names the field, no files left behind
  std::string bad = mpb_test_path("energy-bad.cfg");
  std::ofstream(bad) << "energy = { source = \"x\"; source_node_nm = 3.0; };\n";
  EXPECT_EQ(mpb_test_run(bin + " report" + fast + " --energy " + bad + " --out " + dir, &out), 3);
  EXPECT_NE(out.find("energy.source_node_nm = 3 is out of range [7, 180]"), std::string::npos)
      << out;
  EXPECT_FALSE(file_exists(dir + "/report.html"));
  EXPECT_FALSE(file_exists(dir + "/report.json"));
  // positions beyond the configuration's pos_bits
  EXPECT_EQ(mpb_test_run(bin + " report --set pos_bits=12 --positions 8192 --out " + dir, &out),
            3);
  EXPECT_NE(out.find("pos_bits"), std::string::npos) << out;
  EXPECT_EQ(mpb_test_run(bin + " report" + fast + " --out " + dir, &out), 0) << out;
  for (const char *f : {"report.html", "report.csv", "report.json"})
    EXPECT_TRUE(file_exists(dir + "/" + f)) << f;
  std::string csv = read_file(dir + "/report.csv");
  EXPECT_EQ(csv.rfind("section,subject,metric,value\n", 0), 0u);
  EXPECT_NE(csv.find("energy_baseline,fp32/rotation,pj,"), std::string::npos);
  std::string html = read_file(dir + "/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no external refs
  EXPECT_EQ(html.find("src="), std::string::npos);
}

TEST(AnalysisReport, HtmlInHeadlessBrowser) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed (make deps)";
  std::string dir = mpb_test_path("report-browser");
  std::string out;
  ASSERT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " report --positions 8192 --per-octave 64 "
                         "--keys 32 --tokens 256 --out " + dir, &out), 0) << out;
  std::string page = dir + "/report.html";
  std::string dom = chromium("--dump-dom", page, "dom");
  EXPECT_NE(dom.find("data-loaded=\"1\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_EQ(dom.find("data-jserror=\""), std::string::npos) << dom.substr(0, 2000);
  std::string png = abs_path(dir) + "/report.png";
  chromium("--screenshot='" + png + "' --window-size=1000,2400", page, "shot");
  double sd = 0, ink = 0;
  ASSERT_TRUE(png_stats(png, &sd, &ink)) << "no screenshot " << png;
  std::printf("report screenshot: grey sd %.1f, non-white %.1f%%\n", sd, 100 * ink);
  EXPECT_GT(sd, 20);
  EXPECT_GT(ink, 0.03);
  // negative controls: the same checks reject a page with a script error and a blank page
  std::string broken = mpb_test_path("broken.html"), blank = mpb_test_path("blank.html");
  std::string head = read_file(page).substr(0, read_file(page).find("</head>"));
  std::ofstream(broken) << head << "</head><body><script>undefinedFunction();</script></body>"
                                   "</html>";
  std::ofstream(blank) << "<!DOCTYPE html><html><body></body></html>";
  dom = chromium("--dump-dom", broken, "broken");
  EXPECT_NE(dom.find("data-jserror=\""), std::string::npos) << dom.substr(0, 2000);
  std::string bpng = abs_path(mpb_test_path(".")) + "/blank.png";
  chromium("--screenshot='" + bpng + "' --window-size=800,600", blank, "blank");
  ASSERT_TRUE(png_stats(bpng, &sd, &ink));
  EXPECT_LT(sd, 1);
  EXPECT_LT(ink, 0.001);
}

TEST(AnalysisReport, TraceSection) {
  std::string tr = mpb_test_path("report-llama3.trace"), out;
  ASSERT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " gen --preset rope-llama3 --tokens 8 "
                         "--windows 4 --max-pos 131071 --seed 3 --out " + tr, &out), 0) << out;
  mpb_report_opts o = small_opts();
  o.trace_path = tr.c_str();
  mpb_report r, p;
  char err[512];
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  ASSERT_TRUE(r.has_trace);
  const mpb_err_stats *rot = mpb_metrics_total(r.trace, MPB_OP_ROT);
  EXPECT_EQ(rot->n, 2 * r.trace_ops[1]);  // two values per rotated pair
  // analytic: |x|, |y| <= 127, cos/sin error <= 2^-15 each, output rounding 2^-(OF+1)
  double bound = 2 * 127 * std::ldexp(1.0, -15) + std::ldexp(1.0, -(o.cfg.rot_frac_bits + 1));
  EXPECT_LE(rot->max_abs, bound);
  EXPECT_GT(rot->max_abs, 0);
  EXPECT_GT(r.trace_queries, 0u);
  EXPECT_GE(r.trace_kl_mean, 0);
  EXPECT_LT(r.trace_kl_max, 1e-4);
  // per-rotation energy of a RoPE-only trace equals the per-op energy of the rope unit
  // (EXACT mode counts the same actions for every operation)
  EXPECT_NEAR(r.trace_rot_pj, r.e_rot.total_pj, 1e-6 * r.e_rot.total_pj);
  // per-layer totals from the (layer, head, octave) groups add up to the op's total
  mpb_layer_stat ls[16];
  int nl = mpb_trace_layer_stats(r.trace, MPB_OP_ROT, ls, 16);
  ASSERT_GE(nl, 1);
  uint64_t sum = 0;
  double mx = 0;
  for (int i = 0; i < nl; i++) sum += ls[i].n, mx = std::max(mx, ls[i].max_abs);
  EXPECT_EQ(mpb_metrics_dropped(r.trace), 0u);
  EXPECT_EQ(sum, rot->n);
  EXPECT_EQ(mx, rot->max_abs);
  // KV formats on the trace's K rows: LOG8's relative step bounds its SQNR from below
  EXPECT_GT(r.trace_kv_values, 0u);
  EXPECT_GT(r.trace_kv_sqnr_db[MPB_KV_FP16], r.trace_kv_sqnr_db[MPB_KV_INT8]);
  EXPECT_GE(r.trace_kv_sqnr_db[MPB_KV_LOG8], -20 * std::log10(std::exp2(1.0 / 16) - 1) - 0.5);
  EXPECT_NE(std::string(r.claims[2].measured).find("trace K"), std::string::npos);
  // the patent-literal design on the same trace: rotations and scores break down
  mpb_report_opts op = o;
  mpb_config_patent_literal(&op.cfg);
  ASSERT_EQ(mpb_report_build(&op, &p, err, sizeof err), 0) << err;
  EXPECT_GT(mpb_metrics_total(p.trace, MPB_OP_ROT)->max_abs, 100 * rot->max_abs);
  EXPECT_GT(p.trace_kl_max, 1000 * r.trace_kl_max);
  mpb_report_free(&p);
  mpb_report_free(&r);
  // a missing trace: exit 3 naming the file, no outputs
  std::string dir = mpb_test_path("report-notrace");
  EXPECT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " report --trace no/such.trace --out " + dir,
                         &out), 3);
  EXPECT_NE(out.find("no/such.trace"), std::string::npos) << out;
  EXPECT_FALSE(file_exists(dir + "/report.json"));
}

// The Verilated RTL (sim/toggles/, sites in sim/toggles/sites.tsv) counts every block's
// operand-bus toggles of the rope, exp and dot units on the model's reference stimulus,
// for the co-simulation configurations default (EXACT) and patent (LOG-ADD) (make
// targets $(B)/rtl-toggles/<config>/{rope,exp,dot}.json, test dependencies); through the
// report, the model's counters must agree bit for bit on every block the model counts.
// With the stimulus seed mislabelled the model sees other data and every block differs;
// the Icarus testbench (second simulator, three rope blocks) gives the Verilator numbers.
namespace {

std::string build_dir() {
  const char *bd = std::getenv("MPB_BUILD_DIR");
  return bd && *bd ? bd : "build";
}

std::string rtl_toggles_dir(const std::string &config) {
  return build_dir() + "/rtl-toggles/" + config;
}

// The report of a co-simulation configuration's design with the RTL files 'paths'.
bool rtl_report(const std::string &config, const std::vector<std::string> &paths,
                mpb_report *r) {
  mpb_report_opts o = small_opts();
  char err[512];
  EXPECT_EQ(mpb_config_load(&o.cfg, (build_dir() + "/cosim/" + config + "/config.cfg").c_str(),
                            err, sizeof err), MPB_OK) << err;
  o.geo = {128, 500000, MPB_PAIR_HALF};  // the tables of both (COSIM_GEO_DEFAULT)
  for (const std::string &p : paths) o.rtl_toggles_paths[o.n_rtl_toggles++] = p.c_str();
  int rc = mpb_report_build(&o, r, err, sizeof err);
  EXPECT_EQ(rc, 0) << err;
  return rc == 0 && r->n_rtl == paths.size();
}

// The three files of a configuration, in unit order.
std::vector<std::string> rtl_files(const std::string &config) {
  std::vector<std::string> v;
  for (const char *u : {"rope", "exp", "dot"}) v.push_back(rtl_toggles_dir(config) + "/" + u + ".json");
  return v;
}

// The report's three output files in a fresh directory (mpb_report_write_*).
void write_report_files(const mpb_report &r, const std::string &dir) {
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  int (*const fns[3])(const mpb_report *, FILE *) = {mpb_report_write_json, mpb_report_write_csv,
                                                     mpb_report_write_html};
  const char *names[3] = {"report.json", "report.csv", "report.html"};
  for (int i = 0; i < 3; i++) {
    FILE *f = fopen((dir + "/" + names[i]).c_str(), "w");
    ASSERT_TRUE(f) << dir;
    EXPECT_EQ(fns[i](&r, f), 0) << names[i];
    fclose(f);
  }
}

}  // namespace

TEST(AnalysisReport, RtlTogglesEqualModel) {
  struct Unit {
    const char *name;
    std::vector<int> blocks;  // the blocks the model counts toggles of, for this unit
  } units[] = {
      {"rope", {MPB_BLK_MAC8, MPB_BLK_PACK16, MPB_BLK_LOGLUT, MPB_BLK_RANGE, MPB_BLK_HORNER,
                MPB_BLK_ROTATE, MPB_BLK_PIPE}},
      {"exp", {MPB_BLK_LOGLUT, MPB_BLK_HORNER, MPB_BLK_PIPE}},
      {"dot", {MPB_BLK_MAC8, MPB_BLK_PIPE}},
  };
  for (const char *config : {"default", "patent"}) {
    // all three files of the configuration in one report, given in reverse unit order
    std::vector<std::string> files = rtl_files(config);
    std::reverse(files.begin(), files.end());
    for (const std::string &path : files) {
      ASSERT_TRUE(file_exists(path)) << path << " missing (make " << path << ")";
      EXPECT_NE(read_file(path).find("\"source\": \"verilator"), std::string::npos) << path;
    }
    mpb_report r;
    ASSERT_TRUE(rtl_report(config, files, &r)) << config;
    int nblocks = 0;
    for (size_t i = 0; i < 3; i++) {
      const Unit &u = units[i];
      const mpb_report_rtl &ru = r.rtl[i];  // sorted by unit
      EXPECT_STREQ(ru.unit, u.name) << config;
      EXPECT_GE(ru.ops, 1000u);
      for (int b = 0; b < MPB_NBLK; b++) {
        bool counted = std::find(u.blocks.begin(), u.blocks.end(), b) != u.blocks.end();
        const char *bn = mpb_block_name((mpb_block)b);
        if (!counted) {  // neither side has a figure for it
          EXPECT_EQ(ru.model[b], 0) << config << " " << u.name << " " << bn;
          EXPECT_LT(ru.rtl[b], 0) << config << " " << u.name << " " << bn;
          continue;
        }
        EXPECT_GT(ru.rtl[b], 1000) << config << " " << u.name << " " << bn;
        EXPECT_EQ(ru.rtl[b], ru.model[b]) << config << " " << u.name << " " << bn;
        nblocks++;
      }
      EXPECT_EQ(ru.ndiffer, 0) << config << " " << u.name;
    }
    EXPECT_EQ(r.rtl_blocks, nblocks);
    EXPECT_EQ(r.rtl_differ, 0);
    // the written report: every unit and block in the JSON, equal, and said so
    std::string dir = mpb_test_path(std::string("report-rtl-") + config);
    write_report_files(r, dir);
    json_error_t je;
    json_t *root = json_load_file((dir + "/report.json").c_str(), 0, &je);
    ASSERT_TRUE(root) << je.text;
    json_t *rt = json_object_get(root, "rtl_toggles");
    EXPECT_TRUE(json_is_true(json_object_get(rt, "agree"))) << config;
    EXPECT_EQ(json_integer_value(json_object_get(rt, "blocks")), nblocks);
    EXPECT_EQ(json_integer_value(json_object_get(rt, "differ")), 0);
    json_t *ju = json_object_get(rt, "units");
    EXPECT_EQ(json_object_size(ju), 3u);
    for (size_t i = 0; i < 3; i++) {
      json_t *one = json_object_get(ju, units[i].name);
      ASSERT_TRUE(json_is_object(one)) << config << " " << units[i].name;
      EXPECT_TRUE(json_is_true(json_object_get(one, "agree")));
      EXPECT_EQ(json_integer_value(json_object_get(one, "ops")), (json_int_t)r.rtl[i].ops);
      json_t *bl = json_object_get(one, "blocks");
      EXPECT_EQ(json_object_size(bl), units[i].blocks.size()) << units[i].name;
      for (int b : units[i].blocks) {
        json_t *jb = json_object_get(bl, mpb_block_name((mpb_block)b));
        ASSERT_TRUE(jb) << units[i].name << " " << mpb_block_name((mpb_block)b);
        EXPECT_EQ(json_number_value(json_object_get(jb, "rtl")), r.rtl[i].rtl[b]);
        EXPECT_EQ(json_number_value(json_object_get(jb, "model")), r.rtl[i].rtl[b]);
        EXPECT_EQ(json_number_value(json_object_get(jb, "ratio")), 1.0);
        EXPECT_TRUE(json_is_true(json_object_get(jb, "agree")));
      }
    }
    json_decref(root);
    std::string html = read_file(dir + "/report.html");
    EXPECT_NE(html.find("class=\"ok\">RTL and model agree: equal toggle counts on all " +
                        std::to_string(nblocks) + " blocks of 3 units (rope, exp, dot)"),
              std::string::npos);
    EXPECT_EQ(html.find("DIFFER"), std::string::npos);
    std::string csv = read_file(dir + "/report.csv");
    EXPECT_NE(csv.find("rtl_toggles,dot/mac8,agree,1\n"), std::string::npos);
    EXPECT_NE(csv.find("rtl_toggles,all,differ,0\n"), std::string::npos);
    mpb_report_free(&r);
  }
}

// One count edited in the dot file: the report shows a ratio != 1 for that block and says
// that RTL and model differ (JSON agree false, a red verdict naming dot/mac8 in the HTML,
// the CLI's summary line); the other units still agree. Through the CLI, a second file of
// a unit already given is a usage error that names both files and writes nothing.
TEST(AnalysisReport, RtlTogglesMismatchFlagged) {
  std::vector<std::string> files = rtl_files("default");
  std::string text = read_file(files[2]);
  size_t at = text.find("\"mac8\": ");
  ASSERT_NE(at, std::string::npos) << text;
  size_t end = text.find_first_of(",}", at);
  double mac8 = std::stod(text.substr(at + 8, end - at - 8));
  ASSERT_GT(mac8, 1000);
  text.replace(at, end - at, "\"mac8\": " + std::to_string((long long)mac8 + 5));
  std::string edited = mpb_test_path("rtl-dot-edited.json");
  std::ofstream(edited) << text;
  files[2] = edited;
  mpb_report r;
  ASSERT_TRUE(rtl_report("default", files, &r));
  EXPECT_EQ(r.rtl_differ, 1);
  EXPECT_EQ(r.rtl[0].ndiffer, 0);
  EXPECT_EQ(r.rtl[1].ndiffer, 0);
  EXPECT_EQ(r.rtl[2].ndiffer, 1);
  EXPECT_EQ(r.rtl[2].rtl[MPB_BLK_MAC8], r.rtl[2].model[MPB_BLK_MAC8] + 5);
  std::string dir = mpb_test_path("report-rtl-edited");
  write_report_files(r, dir);
  json_error_t je;
  json_t *root = json_load_file((dir + "/report.json").c_str(), 0, &je);
  ASSERT_TRUE(root) << je.text;
  json_t *rt = json_object_get(root, "rtl_toggles");
  EXPECT_TRUE(json_is_false(json_object_get(rt, "agree")));
  EXPECT_EQ(json_integer_value(json_object_get(rt, "differ")), 1);
  json_t *units = json_object_get(rt, "units");
  EXPECT_TRUE(json_is_true(json_object_get(json_object_get(units, "rope"), "agree")));
  json_t *dot = json_object_get(units, "dot");
  EXPECT_TRUE(json_is_false(json_object_get(dot, "agree")));
  json_t *jb = json_object_get(json_object_get(dot, "blocks"), "mac8");
  EXPECT_TRUE(json_is_false(json_object_get(jb, "agree")));
  double ratio = json_number_value(json_object_get(jb, "ratio"));
  EXPECT_NE(ratio, 1.0);
  EXPECT_NEAR(ratio, 1 + 5 / r.rtl[2].model[MPB_BLK_MAC8], 1e-7);  // 8 digits in JSON
  json_decref(root);
  std::string html = read_file(dir + "/report.html");
  EXPECT_NE(html.find("class=\"bad\">RTL and model DIFFER on 1 of"), std::string::npos);
  EXPECT_NE(html.find(" dot/mac8 (units rope, exp, dot)"), std::string::npos);
  char row[160];  // the row: difference +5 and the ratio in nine digits (not "1")
  std::snprintf(row, sizeof row, "<td>dot</td><td>mac8</td><td>%.0f</td><td>%.0f</td><td>+5</td>"
                "<td>%.9g</td><td class=\"bad\">DIFFERS</td>", r.rtl[2].rtl[MPB_BLK_MAC8],
                r.rtl[2].model[MPB_BLK_MAC8], r.rtl[2].rtl[MPB_BLK_MAC8] / r.rtl[2].model[MPB_BLK_MAC8]);
  EXPECT_NE(html.find(row), std::string::npos) << row;
  EXPECT_EQ(html.find("RTL and model agree"), std::string::npos);
  EXPECT_NE(read_file(dir + "/report.csv").find("rtl_toggles,dot/mac8,agree,0\n"),
            std::string::npos);
  mpb_report_free(&r);
  // the CLI: summary line, and a repeated unit
  std::string bin = mpb_test_bin("mpbsim"), out;
  std::string cdir = mpb_test_path("report-cli-rtl");
  std::system(("rm -rf '" + cdir + "'").c_str());
  std::string fast = " --positions 4096 --per-octave 32 --keys 16 --tokens 64 --config " +
                     build_dir() + "/cosim/default/config.cfg --head-dim 128 --base 500000";
  std::string args;
  for (const std::string &f : files) args += " --rtl-toggles " + f;
  EXPECT_EQ(mpb_test_run(bin + " report" + fast + args + " --out " + cdir, &out), 0) << out;
  EXPECT_NE(out.find("RTL toggles DIFFER from the model on 1 of"), std::string::npos) << out;
  std::system(("rm -rf '" + cdir + "'").c_str());
  EXPECT_EQ(mpb_test_run(bin + " report" + fast + args + " --rtl-toggles " + rtl_files("default")[2] +
                         " --out " + cdir, &out), 2);
  EXPECT_NE(out.find("two files of unit dot"), std::string::npos) << out;
  EXPECT_NE(out.find(edited), std::string::npos) << out;
  EXPECT_NE(out.find(rtl_files("default")[2]), std::string::npos) << out;
  EXPECT_FALSE(file_exists(cdir + "/report.json"));
  EXPECT_EQ(mpb_test_run(bin + " report" + fast + " --rtl-toggles " + files[0] + " --rtl-toggles " +
                         files[0] + " --out " + cdir, &out), 2);
  EXPECT_NE(out.find("two files of unit rope"), std::string::npos) << out;
  EXPECT_FALSE(file_exists(cdir + "/report.json"));
}

// The harness rejects a bad site table: exit 3, the message names the file, line and
// field (or the row that matches no RTL signal), and no JSON is written.
TEST(AnalysisReport, RtlTogglesHarnessRejectsBadSiteTables) {
  std::string bin = build_dir() + "/toggles/default/toggles";
  ASSERT_TRUE(file_exists(bin)) << bin;
  std::string good = read_file("sim/toggles/sites.tsv");
  ASSERT_NE(good.find("u_rope.u_in_q"), std::string::npos);
  const char *bad[][3] = {
      {"rope any alu mpb_rom u_rope.* addr_i\n", "field block = 'alu'", ":1:"},
      {"rope any pipe mpb_pipe_reg u_rope.no_such data_q\n", "no public signal", "line 1"},
      {"rope any pipe mpb_pipe_reg u_rope.u_in_q\n", "expected 6 fields", ":1:"},
      {"fft any pipe mpb_pipe_reg u_rope.u_in_q data_q\n", "field unit = 'fft'", ":1:"},
  };
  for (auto &b : bad) {
    std::string tsv = mpb_test_path("sites-bad.tsv"), dir = mpb_test_path("toggles-bad");
    std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
    std::ofstream(tsv) << b[0];
    std::string out;
    EXPECT_EQ(mpb_test_run(bin + " --config " + build_dir() + "/cosim/default/config.cfg "
                           "--head-dim 128 --base 500000 -n 10 --seed 1 --sites " + tsv +
                           " --out " + dir, &out), 3) << b[0];
    EXPECT_NE(out.find("sites-bad.tsv"), std::string::npos) << out;
    EXPECT_NE(out.find(b[1]), std::string::npos) << out;
    EXPECT_NE(out.find(b[2]), std::string::npos) << out;
    EXPECT_FALSE(file_exists(dir + "/rope.json")) << b[0];
  }
}

TEST(AnalysisReport, RtlTogglesSensitiveToTheStimulus) {
  // the rope file with its seed mislabelled: the model runs other data
  std::string text = read_file(rtl_toggles_dir("default") + "/rope.json");
  size_t at = text.find("\"seed\": 7,");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 10, "\"seed\": 8,");
  std::string wrong = mpb_test_path("rtl-wrong-seed.json");
  std::ofstream(wrong) << text;
  mpb_report r;
  ASSERT_TRUE(rtl_report("default", {wrong}, &r));
  const mpb_report_rtl &u = r.rtl[0];
  for (int b = 0; b < MPB_NBLK; b++) {
    ASSERT_GT(u.rtl[b], 0) << mpb_block_name((mpb_block)b);
    EXPECT_NE(u.rtl[b], u.model[b]) << mpb_block_name((mpb_block)b);
    std::printf("seed 8 vs RTL seed 7: %-6s RTL %.0f model %.0f\n",
                mpb_block_name((mpb_block)b), u.rtl[b], u.model[b]);
  }
  EXPECT_EQ(r.rtl_differ, MPB_NBLK);
  mpb_report_free(&r);
  // the second simulator agrees with Verilator on the blocks it counts
  mpb_rtl_toggles ver, ica;
  char err[512];
  ASSERT_EQ(mpb_rtl_toggles_load((rtl_toggles_dir("default") + "/rope.json").c_str(), &ver, err,
                                 sizeof err), 0) << err;
  ASSERT_EQ(mpb_rtl_toggles_load((rtl_toggles_dir("default") + "/icarus-rope.json").c_str(), &ica, err,
                                 sizeof err), 0) << err;
  EXPECT_EQ(ica.seed, ver.seed);
  EXPECT_EQ(ica.n, ver.n);
  for (int b : {MPB_BLK_MAC8, MPB_BLK_HORNER, MPB_BLK_ROTATE}) {
    EXPECT_GT(ica.toggles[b], 0) << mpb_block_name((mpb_block)b);
    EXPECT_EQ(ica.toggles[b], ver.toggles[b]) << mpb_block_name((mpb_block)b);
  }
}

// The gate-level section from a results file of `mpbsim gate run` (written here, so the
// test does not need the tools): loaded per unit, shown in the three files, and its
// achievable clock at 45 nm feeds the system estimate of the same configuration; a file
// missing a field is rejected naming it.
TEST(AnalysisReport, GateSectionFromFile) {
  std::string ok = mpb_test_path("gate-ok.json"), bad = mpb_test_path("gate-bad.json");
  const char *side = "{\"total_pj\": %g, \"dynamic_pj\": %g, \"clock_pj\": 2, \"leak_pj\": 0.01, "
                     "\"blocks\": {\"horner\": %g, \"pipe\": 2}}";
  char g[256], a[256];
  snprintf(g, sizeof g, side, 100.0, 98.0, 98.0);
  snprintf(a, sizeof a, side, 200.0, 198.0, 198.0);
  std::string unit = std::string("{\"per\": \"rotation\", \"ops\": 500, \"cycles\": 511, "
                                 "\"cells\": 1000, \"area_um2\": 12345, \"gate\": ") + g +
                     ", \"action\": " + a + ", \"gate_45nm_pj\": 3.2, \"model_45nm_pj\": 4.0}";
  std::string doc = "{\"schema\": \"mpbsim-gate-1\", \"config\": \"default\", \"library\": "
                    "\"osu018_stdcells\", \"source\": \"test\", \"node_nm\": 180, \"vdd\": 1.8, "
                    "\"scale_to_45nm\": 0.032, \"critical_path_ns\": 10, \"fmax_mhz\": 100, "
                    "\"fmax_45nm_mhz\": 250, \"opensta_report_power_w\": 0.1, \"stimulus\": "
                    "{\"seed\": 7}, \"units\": {\"rope\": " + unit + "}}";
  std::ofstream(ok) << doc;
  std::string broken = doc;
  broken.replace(broken.find("\"total_pj\": 100"), 15, "\"total\": 100");
  std::ofstream(bad) << broken;
  mpb_report_opts o = small_opts();
  o.gate_paths[0] = ok.c_str();
  o.n_gate = 1;
  mpb_report r;
  char err[512];
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  ASSERT_EQ(r.n_gate, 1u);
  ASSERT_EQ(r.gate[0].nunits, 1u);
  EXPECT_STREQ(r.gate[0].unit[0].unit, "rope");
  EXPECT_DOUBLE_EQ(r.gate[0].unit[0].gate.total_pj, 100);
  EXPECT_DOUBLE_EQ(r.gate[0].unit[0].action.blk[MPB_BLK_HORNER], 198);
  EXPECT_LT(r.gate[0].unit[0].action.blk[MPB_BLK_MAC8], 0);  // absent
  EXPECT_TRUE(r.sys_clock_from_gate);
  EXPECT_DOUBLE_EQ(r.sys_opts.clock_mhz, 250);
  std::string dir = mpb_test_path("report-gate");
  std::system(("mkdir -p '" + dir + "'").c_str());
  FILE *f = fopen((dir + "/r.html").c_str(), "w");
  ASSERT_TRUE(f);
  EXPECT_EQ(mpb_report_write_html(&r, f), 0);
  fclose(f);
  std::string html = read_file(dir + "/r.html");
  EXPECT_NE(html.find("Gate level"), std::string::npos);
  EXPECT_NE(html.find("<td>0.5</td>"), std::string::npos);  // gate / action
  f = fopen((dir + "/r.json").c_str(), "w");
  EXPECT_EQ(mpb_report_write_json(&r, f), 0);
  fclose(f);
  json_error_t je;
  json_t *root = json_load_file((dir + "/r.json").c_str(), 0, &je);
  ASSERT_TRUE(root) << je.text;
  json_t *ru = json_object_get(json_object_get(json_array_get(json_object_get(root, "gate"), 0),
                                               "units"), "rope");
  EXPECT_DOUBLE_EQ(json_number_value(json_object_get(ru, "ratio")), 0.5);
  EXPECT_DOUBLE_EQ(json_number_value(json_object_get(ru, "ratio_45nm")), 0.8);
  json_decref(root);
  mpb_report_free(&r);
  o.gate_paths[0] = bad.c_str();
  EXPECT_NE(mpb_report_build(&o, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("units.rope.gate.total_pj"), std::string::npos) << err;
  std::string out;
  EXPECT_EQ(mpb_test_run(mpb_test_bin("mpbsim") + " report --positions 4096 --per-octave 32 "
                         "--keys 16 --tokens 64 --gate " + bad + " --out " + dir + "/cli", &out), 3);
  EXPECT_NE(out.find("gate-bad.json"), std::string::npos) << out;
  // a file of another command (here an lm eval file's schema) is refused by its schema
  std::string other = mpb_test_path("gate-other.json");
  std::string od = doc;
  od.replace(od.find("mpbsim-gate-1"), 13, "mpbsim-lm-eval-1");
  std::ofstream(other) << od;
  o.gate_paths[0] = other.c_str();
  EXPECT_NE(mpb_report_build(&o, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find(other + ": schema is 'mpbsim-lm-eval-1', expected "
                                  "'mpbsim-gate-1' (a file of `mpbsim gate run`)"),
            std::string::npos) << err;
}
