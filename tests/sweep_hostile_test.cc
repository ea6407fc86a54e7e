/* sweep_hostile_test.cc — regression tests of the hostile-input probe (issue 14) on the
 * sweeps: integers of a spec are read as 64 bits and range-checked (no libconfig wrap),
 * generated Slurm scripts quote every path (a hostile output name runs as data, never as
 * shell), and a sweep whose points cannot be written exits 4 (I/O), not 3. */
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gtest_c.h"

namespace {

std::string bin() { return mpb_test_bin("mpbsim"); }

/* s as one single-quoted shell word */
std::string sq(const std::string &s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

std::string slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string write_spec(const std::string &name, const std::string &text) {
  std::string p = mpb_test_path(name);
  std::ofstream(p) << text;
  return p;
}

const char *kSpec =
    "params = ( { name = \"horner_order\"; range = [2, 3, 1]; } );\n"
    "workloads = ( { name = \"w\"; head_dim = 64; base = 100000.0;\n"
    "  positions = { %s }; } );\n";

std::string spec_with(const std::string &name, const std::string &positions) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, kSpec, positions.c_str());
  return write_spec(name, buf);
}

/* Probe 3: 2^32 + 1 in a spec range was read as 1 by libconfig 1.5. */
TEST(HostileSweep, SpecIntegersAreReadAs64BitsAndChecked) {
  std::string out;
  std::string p = spec_with("wrap.cfg", "lo = 0; hi = 4294967297; step = 1;");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan", &out), 3) << out;
  EXPECT_NE(out.find("wrap.cfg:3: integer 4294967297 is out of the 32-bit range"),
            std::string::npos) << out;
  p = spec_with("wrap64.cfg", "lo = 0; hi = 4294967297L; step = 1;");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan", &out), 3) << out;
  EXPECT_NE(out.find("wrap64.cfg:3: field hi = 4294967297 is out of range [1, 16777216]"),
            std::string::npos) << out;
  p = spec_with("step.cfg", "lo = 0; hi = 64; step = 0L;");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan", &out), 3) << out;
  EXPECT_NE(out.find("field step = 0 is out of range [1, 16777216]"), std::string::npos) << out;
  p = spec_with("octave.cfg", "max = 64; per_octave = 4294967298;");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan", &out), 3) << out;
  EXPECT_NE(out.find("integer 4294967298 is out of the 32-bit range"), std::string::npos) << out;
  p = write_spec("samples.cfg", std::string("sampling = \"random\"; samples = 4294967297L;\n") +
                                    "params = ( { name = \"horner_order\"; range = [2, 3, 1]; } );\n"
                                    "workloads = ( { name = \"w\"; head_dim = 64; base = 1e5;\n"
                                    "  positions = { max = 64; }; } );\n");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan", &out), 3) << out;
  EXPECT_NE(out.find("samples.cfg:1: field samples = 4294967297 is out of range [1, 1000000]"),
            std::string::npos) << out;
  /* a valid spec still plans */
  p = spec_with("ok.cfg", "lo = 0; hi = 64; step = 8;");
  EXPECT_EQ(mpb_test_run(bin() + " sweep " + p + " --plan > /dev/null", &out), 0) << out;
}

/* Probe 4: the Slurm scripts quote every path: an output directory named like a shell
 * injection is a directory, and running the script touches nothing else. */
TEST(HostileSweep, SlurmScriptsQuoteHostilePaths) {
  std::string base = mpb_test_path("slurm-hostile"), out;
  mpb_test_run("rm -rf " + sq(base) + " && mkdir -p " + sq(base), &out);
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  if (base[0] != '/') base = std::string(cwd) + "/" + base;
  std::string dir = base + "/x'; touch PWNED; '\"$(touch PWNED2)\"`touch PWNED3`\nnl";
  auto pwned = [&]() {
    std::string o;
    mpb_test_run("ls " + sq(cwd) + " " + sq(base) + " 2>/dev/null | grep -cx 'PWNED[23]\\?'", &o);
    return o;
  };
  mpb_test_run("rm -f PWNED PWNED2 PWNED3", &out);
  ASSERT_EQ(pwned(), "0\n");
  ASSERT_EQ(mpb_test_run(bin() + " sweep examples/slurm-small.cfg -o " + sq(dir) +
                             " --slurm --slurm-tasks 2 --slurm-dry-run --rtl-cache " +
                             sq(base + "/cache 'x"), &out), 0) << out;
  std::string s1 = slurp(dir + "/slurm/shards.sbatch"), s2 = slurp(dir + "/slurm/merge.sbatch");
  ASSERT_FALSE(s1.empty()) << out;
  ASSERT_FALSE(s2.empty()) << out;
  /* no path on an #SBATCH line (sbatch parses those, not the shell) */
  for (const std::string &s : {s1, s2}) {
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("#SBATCH", 0) == 0 && line != "#SBATCH --output=/dev/null") {
        EXPECT_EQ(line.find('/'), std::string::npos) << line;
      }
    }
  }
  /* run both scripts as Slurm would (shard 0 and 1 of 2, then the merge) from elsewhere */
  for (int t = 0; t < 2; t++)
    ASSERT_EQ(mpb_test_run("cd " + sq(base) + " && SLURM_ARRAY_TASK_ID=" + std::to_string(t) +
                               " sh " + sq(dir + "/slurm/shards.sbatch"), &out), 0) << out;
  ASSERT_EQ(mpb_test_run("cd " + sq(base) + " && sh " + sq(dir + "/slurm/merge.sbatch"), &out), 0)
      << out;
  EXPECT_EQ(pwned(), "0\n") << "a path was interpreted by the shell";
  EXPECT_NE(slurp(dir + "/slurm/task-0.log").find("shard 0/2:"), std::string::npos);
  EXPECT_NE(slurp(dir + "/slurm/task-1.log").find("shard 1/2:"), std::string::npos);
  EXPECT_FALSE(slurp(dir + "/results.csv").empty()) << slurp(dir + "/slurm/merge.log");
}

/* Probe 7: a sweep whose points cannot be stored (here every write fails: the file-size
 * limit at 0, SIGXFSZ ignored, so write() fails with EFBIG as on a full disk) exits 4. */
TEST(HostileSweep, UnwritablePointsAreAnIoError) {
  std::string d = mpb_test_path("sweep-full"), out;
  std::string p = spec_with("full.cfg", "lo = 0; hi = 64; step = 8;");
  mpb_test_run("rm -rf " + sq(d), &out);
  /* the directory and its sweep.id exist: the failure is in the workers' point files */
  ASSERT_EQ(mpb_test_run(bin() + " sweep " + p + " -o " + sq(d) + " --no-progress", &out), 0) << out;
  mpb_test_run("rm -f " + sq(d) + "/points/*.row", &out);
  int rc = mpb_test_run("sh -c \"trap '' XFSZ; ulimit -f 0; exec " + bin() + " sweep " + p +
                        " -o " + d + " --no-progress\"", &out);
  EXPECT_EQ(rc, 4) << out;
  EXPECT_NE(out.find("cannot write"), std::string::npos) << out;
  EXPECT_NE(out.find("File too large"), std::string::npos) << out;
  /* a fresh directory: sweep.id cannot be written, also exit 4 */
  mpb_test_run("rm -rf " + sq(d), &out);
  rc = mpb_test_run("sh -c \"trap '' XFSZ; ulimit -f 0; exec " + bin() + " sweep " + p + " -o " +
                    d + " --no-progress\"", &out);
  EXPECT_EQ(rc, 4) << out;
  /* the plan printed to a full stdout: exit 4 too (probe 2) */
  rc = mpb_test_run("{ " + bin() + " sweep " + p + " --plan > /dev/full; }", &out);
  EXPECT_EQ(rc, 4) << out;
}

}  // namespace
