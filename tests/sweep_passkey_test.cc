// sweep_passkey_test.cc — the sweep engine's passkey task (analysis/sweep_passkey.c) on a
// tiny model the test writes as a GGUF (byte-level vocabulary): spec errors name the
// field; the plan is backend x length x depth x offset with bridge cells beyond pos_bits
// pruned; through the CLI, -j 2 and -j 1 give identical files, a re-run evaluates nothing,
// a deleted row is recomputed alone, the reference distributions are computed once per
// cell, the reference has KLD 0 and is offset-invariant, and the report holds a heat map
// per backend and offset.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest_c.h"
#include "llama_presets.h"
#include "lm_gguf_writer.h"
#include "sweep.h"

namespace {

std::string slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int run(const std::string &args, std::string *out) {
  return mpb_test_run(mpb_test_bin("mpbsim") + " " + args, out);
}

std::string tiny_model() {
  static std::string path;
  if (path.empty()) {
    llama_config c = llama_preset_find("tiny")->c;
    c.n_vocab = 257;
    c.rms_eps = (double)(float)c.rms_eps;
    llama_model *m;
    char err[256];
    EXPECT_EQ(llama_init_synthetic(&m, &c, 11, err, sizeof err), 0) << err;
    gguf_writer::Vocab v = gguf_writer::byte_vocab();
    path = gguf_writer::write_gguf(m, "sweep_passkey_tiny.gguf", "", "", &v);
    llama_free(m);
  }
  return path;
}

std::string absolute(const std::string &p) {
  char cwd[4096];
  return p[0] == '/' ? p : std::string(getcwd(cwd, sizeof cwd) ? cwd : ".") + "/" + p;
}

std::string filler() { return absolute("data/passkey-filler.txt"); }

// A spec around the given body; model and filler absolute.
std::string spec(const std::string &name, const std::string &body) {
  std::string p = mpb_test_path(name + ".cfg");
  std::ofstream(p) << "task = \"passkey\";\nname = \"" << name << "\";\nmodel = \"" << absolute(tiny_model())
                   << "\";\nfiller = \"" << filler() << "\";\n" << body;
  return p;
}

const char *kGrid =
    "seed = 5; keys = 2; lengths = [300, 400]; depths = [0.2, 0.8]; offsets = [0, 1000];\n"
    "backends = ( { name = \"ref\"; numerics = \"ref\"; },\n"
    "  { name = \"bf16\"; numerics = \"bf16\"; },\n"
    "  { name = \"bridge10\"; numerics = \"ref,rope=bridge\"; set = { pos_bits = 10; }; } );\n";

TEST(SweepPasskey, SpecErrorsNameTheField) {
  struct Case {
    std::string body, message;
  } cases[] = {
      {"lengths = [300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"ref\";});\nfoo = 1;\n",
       "passkey spec: unknown field 'foo'"},
      {"depths = [0.5]; backends = ({name=\"r\"; numerics=\"ref\";});\n", "passkey: 'lengths' is required"},
      {"lengths = [300]; depths = [1.5]; backends = ({name=\"r\"; numerics=\"ref\";});\n",
       "depths[0] must be a number in [0, 1]"},
      {"lengths = [300, 300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"ref\";});\n",
       "lengths[1] = 300 appears twice"},
      {"lengths = [300]; depths = [0.5]; keys = 0; backends = ({name=\"r\"; numerics=\"ref\";});\n",
       "keys must be an integer in [1, 64]"},
      {"lengths = [300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"fp8\";});\n",
       "backend r: numerics 'all=fp8': unknown backend 'fp8'"},
      {"lengths = [300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"ref\";}, {name=\"r\"; numerics=\"bf16\";});\n",
       "backend name 'r' used twice"},
      {"lengths = [300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"bridge\"; set = {pos_bits = 99;};});\n",
       "pos_bits"},
      {"lengths = [300]; depths = [0.5]; backends = ({name=\"r\"; numerics=\"ref\"; colour=1;});\n",
       "backends[0]: unknown field 'colour'"},
  };
  for (const Case &c : cases) {
    std::string out;
    EXPECT_EQ(run("sweep " + spec("pk_bad", c.body) + " --plan", &out), 3) << c.body;
    EXPECT_NE(out.find(c.message), std::string::npos) << "expected: " << c.message << "\ngot: " << out;
  }
  std::string out, p = mpb_test_path("pk_task.cfg");
  std::ofstream(p) << "task = \"vision\";\n";
  EXPECT_EQ(run("sweep " + p + " --plan", &out), 3);
  EXPECT_NE(out.find("task = 'vision' must be datapath or passkey"), std::string::npos) << out;
  std::ofstream(p) << "task = \"passkey\"; model = \"/no/model.gguf\"; filler = \"x\";\n";
  EXPECT_EQ(run("sweep " + p + " --plan", &out), 3);
  EXPECT_NE(out.find("model: cannot read /no/model.gguf (run `make models`)"), std::string::npos) << out;
}

TEST(SweepPasskey, PlanOrderAndPruning) {
  sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, spec("pk_plan", kGrid).c_str(), err, sizeof err), MPB_OK) << err;
  EXPECT_EQ(s.task, SWEEP_TASK_PASSKEY);
  EXPECT_EQ(sweep_grid_size(&s), 3u * 2 * 2 * 2);
  EXPECT_EQ(sweep_nvalues(&s), SWEEP_PK_NVALUES);
  sweep_pk_cell c;
  sweep_pk_cell_of(&s, 13, &c);  // ((b*2 + l)*2 + d)*2 + o = 13: b 1, l 1, d 0, o 1
  EXPECT_EQ(c.backend, 1);
  EXPECT_EQ(c.length, 400);
  EXPECT_EQ(c.depth, 0.2);
  EXPECT_EQ(c.offset, 1000);
  sweep_plan p;
  ASSERT_EQ(sweep_plan_make(&s, &p, err, sizeof err), MPB_OK) << err;
  // bridge10 (positions < 2^10) cannot run at offset 1000: 4 of its 8 cells pruned
  EXPECT_EQ(p.n, 20u);
  EXPECT_EQ(p.pruned, 4u);
  EXPECT_NE(std::string(p.first_pruned).find("backend bridge10: position 1299 needs pos_bits >= 11 (have 10)"),
            std::string::npos) << p.first_pruned;
  char name[64];
  sweep_value_name(&s, SWEEP_PK_KLD_MEAN, name, sizeof name);
  EXPECT_STREQ(name, "kld_mean");
  sweep_plan_free(&p);
  sweep_spec_free(&s);
}

int files_in(const std::string &dir, const std::string &suffix) {
  int n = 0;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d)) {
      std::string f = e->d_name;
      n += f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    closedir(d);
  }
  return n;
}

TEST(SweepPasskey, RunResumeAndWorkersGiveTheSameFiles) {
  std::string sp = spec("pk_run", kGrid), a = mpb_test_path("pk_run_a"), b = mpb_test_path("pk_run_b");
  std::string out;
  ASSERT_EQ(std::system(("rm -rf '" + a + "' '" + b + "'").c_str()), 0);
  ASSERT_EQ(run("sweep " + sp + " -j 2 -o " + a + " --no-progress", &out), 0) << out;
  EXPECT_NE(out.find("20 evaluated"), std::string::npos) << out;
  EXPECT_EQ(files_in(a + "/passkey-ref", ".bin"), 4);  // one per (length, depth)
  ASSERT_EQ(run("sweep " + sp + " -j 1 -o " + b + " --no-progress", &out), 0) << out;
  for (const char *f : {"results.csv", "results.json", "report.html", "heatmap-bf16-o1000.svg"})
    EXPECT_EQ(slurp(a + "/" + f), slurp(b + "/" + f)) << f;
  ASSERT_EQ(run("sweep " + sp + " -j 2 -o " + a + " --no-progress", &out), 0) << out;
  EXPECT_NE(out.find("20 already done (resumed), 0 evaluated"), std::string::npos) << out;
  std::string csv = slurp(a + "/results.csv");
  ASSERT_EQ(std::remove((a + "/points/p000000000009.row").c_str()), 0);
  ASSERT_EQ(run("sweep " + sp + " -j 2 -o " + a + " --no-progress", &out), 0) << out;
  EXPECT_NE(out.find("19 already done (resumed), 1 evaluated"), std::string::npos) << out;
  EXPECT_EQ(slurp(a + "/results.csv"), csv);
  // the reference: KLD 0 at offset 0, and offset-invariant (the same answers, KLD tiny)
  sweep_spec s;
  char err[512];
  ASSERT_EQ(sweep_spec_load(&s, sp.c_str(), err, sizeof err), MPB_OK) << err;
  sweep_plan p;
  ASSERT_EQ(sweep_plan_make(&s, &p, err, sizeof err), MPB_OK) << err;
  sweep_table t;
  ASSERT_EQ(sweep_table_load(a.c_str(), &s, &p, &t, err, sizeof err), MPB_OK) << err;
  ASSERT_EQ(t.missing, 0u);
  int bf16_kld_pos = 0;
  for (size_t i = 0; i < t.n; i++) {
    sweep_pk_cell c;
    sweep_pk_cell_of(&s, t.r[i].index, &c);
    const double *v = t.r[i].v;
    if (c.backend == 0 && c.offset == 0) {
      EXPECT_EQ(v[SWEEP_PK_KLD_MEAN], 0.0);
    }
    if (c.backend == 0 && c.offset != 0) {
      EXPECT_LT(v[SWEEP_PK_KLD_MAX], 1e-6) << "ref at offset 1000";
    }
    if (c.backend == 1) bf16_kld_pos += v[SWEEP_PK_KLD_MEAN] > 0;
    EXPECT_GE(v[SWEEP_PK_ACCURACY], 0.0);
    EXPECT_LE(v[SWEEP_PK_ACCURACY], 1.0);
    EXPECT_GT(v[SWEEP_PK_KEY_AT], 0.0);
  }
  EXPECT_EQ(bf16_kld_pos, 8);
  std::string html = slurp(a + "/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("bridge10: retrieval accuracy, offset 1000"), std::string::npos);
  EXPECT_NE(html.find("not run"), std::string::npos);  // the pruned bridge10 cells
  sweep_table_free(&t);
  sweep_plan_free(&p);
  sweep_spec_free(&s);
}

}  // namespace
