// analysis_report_lm_test.cc — the report's closed-loop section (analysis/report_lm.c):
// a hand-written `mpbsim lm eval` JSON loads back; the two model-level claims are judged
// from it (drift: KLD at 2^17 within noise of offset 0; KV: log8 bytes vs FP16 and the
// log8 KLD class); HTML, CSV and JSON carry the points; bad files are named.
#include <gtest/gtest.h>

#include <jansson.h>

#include <cmath>

#include <cstring>
#include <fstream>
#include <string>

#include "gtest_c.h"
#include "report.h"
#include "report_lm.h"

namespace {

std::string point(const char *b, const char *a, long long off, double kld, double se,
                  double kv) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"backend\":\"%s\",\"attr\":\"%s\",\"spec\":\"x\",\"offset\":%lld,\"n\":126,"
                "\"kld_mean\":%g,\"kld_se\":%g,\"kld_p99\":%g,\"kld_p999\":%g,\"kld_max\":%g,"
                "\"same_top\":0.99,\"delta_ppl\":0.01,\"ln_ppl_ratio\":0.001,\"rms_dp\":0.001,"
                "\"kv_bytes_per_token\":%g,\"seconds\":1}",
                b, a, off, kld, se, 2 * kld, 3 * kld, 4 * kld, kv);
  return buf;
}

std::string write_eval(const std::string &name, double bridge_rope_17) {
  std::string pts = point("ref", "all", 0, 0, 0, 46080) + "," +
                    point("ref", "all", 130944, 1.5e-11, 1e-12, 46080) + "," +
                    point("bridge", "rope", 0, 2e-6, 2e-7, 46080) + "," +
                    point("bridge", "rope", 130944, bridge_rope_17, 2e-7, 46080) + "," +
                    point("bridge", "kv", 0, 3e-4, 3e-5, 11880) + "," +
                    point("fp16", "kv", 0, 1e-6, 1e-7, 23040) + "," +
                    point("bf16", "rope", 130944, 2.7, 0.1, 46080) + "," +
                    "{\"backend\":\"fp16\",\"attr\":\"all\",\"spec\":\"fp16\",\"offset\":1048448,"
                    "\"skipped\":\"beyond\"}," +
                    point("fp16", "all", 65536, INFINITY, 0, 23040);
  // INFINITY prints as "inf": write JSON null like the CLI does
  size_t at;
  while ((at = pts.find("inf")) != std::string::npos) pts.replace(at, 3, "null");
  std::string path = mpb_test_path(name);
  std::ofstream(path) << "{\"schema\":\"mpbsim-lm-eval-1\",\"model\":\"models/SmolLM2.gguf\","
                         "\"tokens\":\"gpl3.tokens\",\"n_ctx\":128,\"scored\":126,"
                         "\"bridge_label\":\"default\",\"points\":[" << pts << "]}\n";
  return path;
}

mpb_report_opts small_opts(const std::string &lm) {
  mpb_report_opts o;
  mpb_report_opts_default(&o);
  o.pos_max = 4096;
  o.per_octave = 16;
  o.attn_keys = 16;
  o.ssm_tokens = 64;
  o.lm_eval_path = lm.empty() ? nullptr : lm.c_str();
  return o;
}

TEST(AnalysisReportLm, ClaimsJudgedByTheModel) {
  std::string path = write_eval("lm-eval-ok.json", 2.2e-6);
  mpb_report_opts o = small_opts(path);
  mpb_report r;
  char err[512];
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  ASSERT_TRUE(r.lm);
  EXPECT_EQ(r.lm->np, 9u);
  const mpb_claim &d = r.claims[MPB_NCLAIM - 2], &kv = r.claims[MPB_NCLAIM - 1];
  EXPECT_NE(std::string(d.measured).find("bridge RoPE only mean KLD 2.2e-06 (p99.9 6.6e-06) vs 2e-06 at offset 0"),
            std::string::npos) << d.measured;
  EXPECT_NE(std::string(d.measured).find("BF16 recipe 2.7"), std::string::npos) << d.measured;
  EXPECT_EQ(std::string(d.verdict), "holds (no drift); transparent (<= BF16-vs-FP16's 2.5e-5)");
  // 11880 vs 23040 bytes: -48.4%
  EXPECT_NE(std::string(kv.measured).find("log8 KV 11880 bytes/token (scales included) vs FP16 23040 = -48.4%"),
            std::string::npos) << kv.measured;
  EXPECT_EQ(std::string(kv.verdict), "almost: -48.4%; negligible (<= q8_0's 1.4e-3)");
  // HTML: the section, the plot, the infinite and skipped points in the table
  std::string hp = mpb_test_path("report-lm.html");
  FILE *f = fopen(hp.c_str(), "w");
  ASSERT_TRUE(f);
  EXPECT_EQ(mpb_report_write_html(&r, f), 0);
  fclose(f);
  std::string h;
  ASSERT_EQ(mpb_test_run("cat " + hp, &h), 0);
  EXPECT_NE(h.find("Closed loop: the datapath inside the model"), std::string::npos);
  EXPECT_NE(h.find("mean KLD to the reference at offset 0, by window position"), std::string::npos);
  EXPECT_NE(h.find("<td>inf</td>"), std::string::npos);
  EXPECT_NE(h.find("skipped: beyond the positions"), std::string::npos);
  // CSV rows and the JSON member
  std::string cp = mpb_test_path("report-lm.csv");
  f = fopen(cp.c_str(), "w");
  EXPECT_EQ(mpb_report_write_csv(&r, f), 0);
  fclose(f);
  std::string c;
  ASSERT_EQ(mpb_test_run("cat " + cp, &c), 0);
  EXPECT_NE(c.find("lm_eval,bridge/kv/0,kv_bytes_per_token,11880"), std::string::npos);
  std::string jp = mpb_test_path("report-lm.json");
  f = fopen(jp.c_str(), "w");
  EXPECT_EQ(mpb_report_write_json(&r, f), 0);
  fclose(f);
  json_error_t je;
  json_t *root = json_load_file(jp.c_str(), 0, &je);
  ASSERT_TRUE(root) << je.text;
  EXPECT_EQ(json_array_size(json_object_get(json_object_get(root, "lm_eval"), "points")), 9u);
  json_decref(root);
  mpb_report_free(&r);
}

TEST(AnalysisReportLm, DriftAndMissingData) {
  std::string path = write_eval("lm-eval-drift.json", 5e-4);
  mpb_report_opts o = small_opts(path);
  mpb_report r;
  char err[512];
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  EXPECT_EQ(std::string(r.claims[MPB_NCLAIM - 2].verdict).rfind("drifts", 0), 0u);
  mpb_report_free(&r);
  o = small_opts("");
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  EXPECT_EQ(std::string(r.claims[MPB_NCLAIM - 2].verdict), "not measured");
  EXPECT_NE(std::string(r.claims[MPB_NCLAIM - 1].measured).find("--lm-eval FILE"), std::string::npos);
  mpb_report_free(&r);
}

TEST(AnalysisReportLm, BadFilesAreNamed) {
  std::string bad = mpb_test_path("lm-eval-bad.json");
  std::ofstream(bad) << "{\"schema\":\"mpbsim-report-2\",\"points\":[]}";
  mpb_lm_eval *e;
  char err[512];
  EXPECT_NE(mpb_lm_eval_load(bad.c_str(), &e, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("schema is 'mpbsim-report-2', expected 'mpbsim-lm-eval-1'"),
            std::string::npos) << err;
  std::ofstream(bad) << "{\"schema\":\"mpbsim-lm-eval-1\",\"n_ctx\":8,\"points\":[{\"attr\":\"all\"}]}";
  EXPECT_NE(mpb_lm_eval_load(bad.c_str(), &e, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("points[0]: 'backend' (string) or 'offset' (integer) is missing"),
            std::string::npos) << err;
  EXPECT_NE(mpb_lm_eval_load("/nonexistent.json", &e, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("/nonexistent.json"), std::string::npos) << err;
}

}  // namespace
