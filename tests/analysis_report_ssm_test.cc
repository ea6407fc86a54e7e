// analysis_report_ssm_test.cc — the report's SSM sections (analysis/report_ssm.c): the
// JSON of `mpbsim ssm eval` and `mpbsim ssm hybrid` (run here on tiny geometries) loads
// into the report; HTML shows the growth table, both plots and the KLD table, CSV and JSON
// carry the values; a bad file is named.
#include <gtest/gtest.h>

#include <jansson.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest_c.h"
#include "hybrid_eval.h"
#include "report.h"
#include "ssm_eval.h"

namespace {

std::string slurp(const std::string &p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(AnalysisReportSsm, SectionsFromTheCommandsJson) {
  static ssm_eval_opts so;
  static ssm_eval_result sr;
  static hybrid_eval_opts ho;
  static hybrid_eval_result hr;
  char err[400];
  ssm_eval_opts_default(&so);
  snprintf(so.model, sizeof so.model, "tiny");
  so.c = ssm_preset_find("tiny")->c;
  so.steps = 600;
  for (const char *t : {"fp32", "ref,exp.ssm_da=bridge"}) {
    lm_numerics_spec_init(&so.spec[so.nvar], LM_BK_REF);
    ASSERT_EQ(lm_numerics_spec_parse(&so.spec[so.nvar], t, err, sizeof err), 0) << err;
    snprintf(so.label[so.nvar++], 64, "%s", t);
  }
  ASSERT_EQ(ssm_eval_run(&so, &sr, nullptr, nullptr, err, sizeof err), 0) << err;
  hybrid_eval_opts_default(&ho);
  ASSERT_EQ(hybrid_eval_set_model(&ho, "bitaxon-tiny", err, sizeof err), 0) << err;
  ho.tokens = 80, ho.ncheck = 1, ho.check[0] = 80;
  ASSERT_EQ(hybrid_eval_add_spec(&ho, "ref,exp.router=int8", nullptr, err, sizeof err), 0) << err;
  ASSERT_EQ(hybrid_eval_run(&ho, &hr, nullptr, nullptr, err, sizeof err), 0) << err;
  std::string sp = mpb_test_path("report_ssm.json"), hp = mpb_test_path("report_hybrid.json");
  FILE *f = fopen(sp.c_str(), "w");
  ASSERT_EQ(ssm_eval_write_json(&sr, f), 0);
  fclose(f);
  f = fopen(hp.c_str(), "w");
  ASSERT_EQ(hybrid_eval_write_json(&hr, f), 0);
  fclose(f);

  mpb_report_opts o;
  mpb_report_opts_default(&o);
  o.pos_max = 2048;
  o.per_octave = 16, o.attn_keys = 16, o.ssm_tokens = 64;
  o.ssm_eval_path = sp.c_str();
  o.hybrid_eval_path = hp.c_str();
  static mpb_report r;
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  std::string html = mpb_test_path("report_ssm.html"), csv = mpb_test_path("report_ssm.csv"),
              js = mpb_test_path("report_ssm_all.json");
  f = fopen(html.c_str(), "w");
  ASSERT_EQ(mpb_report_write_html(&r, f), 0);
  fclose(f);
  f = fopen(csv.c_str(), "w");
  ASSERT_EQ(mpb_report_write_csv(&r, f), 0);
  fclose(f);
  f = fopen(js.c_str(), "w");
  ASSERT_EQ(mpb_report_write_json(&r, f), 0);
  fclose(f);
  std::string h = slurp(html);
  EXPECT_NE(h.find("SSM closed loop: error compounding"), std::string::npos);
  EXPECT_NE(h.find("ref,exp.ssm_da=bridge"), std::string::npos);
  EXPECT_NE(h.find("relative error of the state h against the step"), std::string::npos);
  EXPECT_NE(h.find("dt*A~0 channel"), std::string::npos);
  EXPECT_NE(h.find("Bit-Axon hybrid in closed loop"), std::string::npos);
  EXPECT_NE(h.find("ref,exp.router=int8"), std::string::npos);
  char b[64];
  snprintf(b, sizeof b, "%+.2f", sr.var[1].fit_h.b);
  EXPECT_NE(h.find(b), std::string::npos) << b;
  std::string c = slurp(csv);
  EXPECT_NE(c.find("ssm_eval,fp32,growth_h_b,"), std::string::npos);
  EXPECT_NE(c.find("hybrid_eval,ref,exp.router=int8@80,kld_mean,"), std::string::npos);
  json_t *root = json_load_file(js.c_str(), 0, nullptr);
  ASSERT_NE(root, nullptr);
  EXPECT_STREQ(json_string_value(json_object_get(json_object_get(root, "ssm_eval"), "schema")),
               SSM_EVAL_SCHEMA);
  EXPECT_STREQ(json_string_value(json_object_get(json_object_get(root, "hybrid_eval"), "schema")),
               HYBRID_EVAL_SCHEMA);
  json_decref(root);
  mpb_report_free(&r);
  // without the files: no section, null members
  o.ssm_eval_path = o.hybrid_eval_path = nullptr;
  ASSERT_EQ(mpb_report_build(&o, &r, err, sizeof err), 0) << err;
  f = fopen(html.c_str(), "w");
  ASSERT_EQ(mpb_report_write_html(&r, f), 0);
  fclose(f);
  EXPECT_EQ(slurp(html).find("SSM closed loop"), std::string::npos);
  mpb_report_free(&r);
  // a bad file is named
  std::ofstream(sp) << "{\"schema\": \"mpbsim-ssm-eval-1\", \"input\": 3}";
  o.ssm_eval_path = sp.c_str();
  EXPECT_NE(mpb_report_build(&o, &r, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("report_ssm.json"), std::string::npos) << err;
}

} // namespace
