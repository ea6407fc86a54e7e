/* traces_hostile_test.cc — regression tests of the hostile-input probe (issue 14) on the
 * CLI and the trace/tensor readers: a failed standard output is exit 4 in every command,
 * read errors are told from truncation, a huge GEMM from a tiny file is refused, import
 * rejects duplicate roles and non-logits, the readers check what the docs say they check,
 * and output names and options are handled as documented. Full-disk cases use /dev/full. */
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <zlib.h>

#include "import.h"
#include "trace_internal.h"
#include "traces_util.h"

namespace {

std::string bin() { return mpb_test_bin("mpbsim"); }

/* Run the CLI with its standard output sent to /dev/full; stderr in *err. */
int run_to_full(const std::string &args, std::string *err) {
  return mpb_test_run("{ " + bin() + " " + args + " > /dev/full; }", err);
}

std::string small_trace() {
  std::string t = mpb_test_path("hostile_small.trace"), o;
  if (access(t.c_str(), R_OK) != 0) {
    EXPECT_EQ(mpb_test_run(bin() + " gen --preset rope-smollm2 --tokens 2 --out " + t, &o), 0) << o;
  }
  return t;
}

/* Probe 2: every command that prints to stdout reports a failed write: exit 4, a message. */
TEST(HostileStdout, EveryCommandReportsAFullStdout) {
  std::string t = small_trace(), e;
  const char *cmds[] = {
      "--help", "--version", "config", "config --params", "energy --dump",
      "rope --geometry smollm2 --positions 0:64 --baselines none",
      "exp --range -2:0 --step 64", "sweep examples/slurm-small.cfg --plan",
      "trace info T", "trace validate T", "trace cat T", "trace --help",
      "replay --trace T --preset default",
  };
  for (const char *c : cmds) {
    std::string args = c;
    size_t at = args.find(" T");
    if (at != std::string::npos && (at + 2 == args.size() || args[at + 2] == ' '))
      args.replace(at + 1, 1, t);
    EXPECT_EQ(run_to_full(args, &e), 4) << "mpbsim " << args << ": " << e;
    EXPECT_NE(e.find("cannot write standard output: No space left on device"),
              std::string::npos) << "mpbsim " << args << ": " << e;
  }
  /* the same commands succeed on a working stdout */
  EXPECT_EQ(mpb_test_run(bin() + " config --params > /dev/null", &e), 0) << e;
}

/* Probe 8: --json/--csv on a full disk say why (the device is written directly). */
TEST(HostileStdout, JsonOnAFullDiskPrintsTheReason) {
  std::string e;
  EXPECT_EQ(mpb_test_run(bin() + " exp --range -2:0 --step 64 --json /dev/full", &e), 4) << e;
  EXPECT_NE(e.find("mpbsim exp: cannot write /dev/full: No space left on device"),
            std::string::npos) << e;
  EXPECT_EQ(mpb_test_run(bin() + " rope --geometry smollm2 --positions 0:64 --baselines none "
                                 "--json /dev/full", &e), 4) << e;
  EXPECT_NE(e.find("mpbsim rope: cannot write /dev/full: No space left on device"),
            std::string::npos) << e;
  EXPECT_EQ(access("/dev/full.tmp", F_OK), -1);
}

/* Probe 10: a directory (a read error, EISDIR) is exit 4 with the reason, not "truncated". */
TEST(HostileTrace, ReadErrorIsIoNotTruncation) {
  std::string d = mpb_test_path("hostile_dir.trace"), e;
  mkdir(d.c_str(), 0777);
  for (const char *sub : {"validate", "info", "cat"}) {
    EXPECT_EQ(mpb_test_run(bin() + " trace " + sub + " " + d, &e), 4) << e;
    EXPECT_NE(e.find("read error"), std::string::npos) << e;
    EXPECT_NE(e.find("Is a directory"), std::string::npos) << e;
    EXPECT_EQ(e.find("truncated"), std::string::npos) << e;
  }
  EXPECT_EQ(mpb_test_run(bin() + " replay --trace " + d + " --preset default", &e), 4) << e;
  /* a real truncation stays exit 3 */
  auto img = tu_read_file(small_trace());
  img.resize(10);
  std::string b = mpb_test_path("hostile_trunc.trace");
  tu_write_file(b, img);
  EXPECT_EQ(mpb_test_run(bin() + " trace validate " + b, &e), 3) << e;
  EXPECT_NE(e.find("truncated: file header needs 16 bytes"), std::string::npos) << e;
}

/* Probe 1: one GEMM record of 4096 x 8 x 4096 (a few hundred bytes) asks for 2^24 dot
 * products: refused as bad input (exit 3) by both paths, nothing allocated for it. */
TEST(HostileTrace, HugeGemmFromATinyFileIsRefused) {
  trace_header h = tu_header();
  std::string p = mpb_test_path("hostile_gemm.trace"), e;
  char err[256];
  trace_writer *w = trace_writer_open(p.c_str(), &h, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  const uint32_t n = 4096, K = 8;
  std::vector<int8_t> a((size_t)n * K, 1), b((size_t)n * K, 1);
  std::vector<float> s(n, 1.0f);
  trace_record r = {};
  r.kind = TRACE_GEMM, r.ntok = n, r.width = K, r.cols = n, r.x = a.data(), r.scale = s.data(),
  r.b = b.data(), r.b_scale = s.data();
  ASSERT_EQ(trace_write(w, &r, err, sizeof err), 0) << err;
  ASSERT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_LT(st.st_size, 2000);
  for (const char *mode : {"", " --cycle"}) {
    EXPECT_EQ(mpb_test_run(bin() + " replay --trace " + p + " --preset default" + mode, &e), 3)
        << e;
    EXPECT_NE(e.find("16777216 outputs, more than one gemm record may produce in a replay "
                     "(1048576)"), std::string::npos) << e;
  }
}

/* Probe 11: the header's model and source fields must hold their NUL terminator. */
TEST(HostileTrace, ModelFieldWithoutNulIsRejected) {
  auto img = tu_read_file(small_trace());
  /* file header: 16 bytes, then the header body: model[64], source[64], ... + CRC */
  for (int field = 0; field < 2; field++) {
    auto bad = img;
    size_t body = 16, len = TRACE_HDR_SIZE;
    bad[body + (size_t)field * TRACE_NAME_MAX + TRACE_NAME_MAX - 1] = 'X';
    uint32_t crc = (uint32_t)crc32(0L, bad.data() + body, (uInt)len);
    for (int i = 0; i < 4; i++) bad[body + len + (size_t)i] = (uint8_t)(crc >> (8 * i));
    std::string b = mpb_test_path("hostile_nonul.trace"), e;
    tu_write_file(b, bad);
    EXPECT_EQ(mpb_test_run(bin() + " trace validate " + b, &e), 3) << e;
    EXPECT_NE(e.find(std::string("header field ") + (field ? "source" : "model") +
                     " has no NUL terminator"), std::string::npos) << e;
  }
}

/* Probe 11: `trace cat --op bogus` is a usage error; a bare `trace` prints usage on stderr. */
TEST(HostileTrace, BadOpAndBareTraceAreUsageErrors) {
  std::string t = small_trace(), e;
  EXPECT_EQ(mpb_test_run(bin() + " trace cat " + t + " --op bogus", &e), 2) << e;
  EXPECT_NE(e.find("option --op: 'bogus' is not an op of any kind (q, k, softmax"),
            std::string::npos) << e;
  EXPECT_EQ(mpb_test_run(bin() + " trace cat " + t + " --kind rope --op softmax", &e), 2) << e;
  EXPECT_NE(e.find("is not an op of rope (q, k)"), std::string::npos) << e;
  EXPECT_EQ(mpb_test_run(bin() + " trace cat " + t + " --op k --limit 1", &e), 0) << e;
  EXPECT_NE(e.find("rope k layer 0"), std::string::npos) << e;
  EXPECT_EQ(mpb_test_run(bin() + " trace 2>/dev/null; exit $?", &e), 2);
  EXPECT_EQ(e, "") << "usage belongs on stderr";
  EXPECT_EQ(mpb_test_run(bin() + " trace", &e), 2);
  EXPECT_NE(e.find("usage: mpbsim trace info FILE"), std::string::npos) << e;
}

/* Probe 11: a legal 255-byte file name is written (the temporary name stays short). */
TEST(HostileTrace, LongestLegalOutputNameWorks) {
  std::string name(250, 'n');
  name += ".json";
  ASSERT_EQ(name.size(), 255u);
  std::string p = mpb_test_path(name), e;
  std::remove(p.c_str());
  EXPECT_EQ(mpb_test_run(bin() + " replay --trace " + small_trace() + " --preset default --quiet "
                         "--json " + p, &e), 0) << e;
  EXPECT_EQ(access(p.c_str(), R_OK), 0);
  /* and the temporary file is gone, and permissions follow the umask as with fopen */
  std::string ls;
  mpb_test_run("ls -a " + mpb_test_path("") + " | grep -c '^\\.mpbsim\\.'", &ls);
  EXPECT_EQ(ls, "0\n");
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  mode_t um = umask(0);
  umask(um);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~um);
}

/* Probe 11: the tables' write error says why. */
TEST(HostileTrace, TablesWriteErrorSaysWhy) {
  std::string d = mpb_test_path("hostile_tables"), e;
  mpb_test_run("rm -rf '" + d + "' && mkdir -p '" + d + "' && ln -s /dev/full '" + d +
                   "/freq.memh.tmp'", &e);
  int rc = mpb_test_run(bin() + " tables --preset default --geometry llama3 --out " + d, &e);
  EXPECT_EQ(rc, 4) << e;
  EXPECT_NE(e.find("write failed: No space left on device"), std::string::npos) << e;
}

/* Probe 11: a .npy header with a key given twice is rejected (NumPy keeps the last). */
TEST(HostileTensor, NpyDuplicateHeaderKeyIsRejected) {
  std::string hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), 'shape': (8,), }";
  while ((10 + hdr.size() + 1) % 64) hdr += ' ';
  hdr += '\n';
  std::vector<uint8_t> f = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hdr.size() & 0xff),
                            (uint8_t)(hdr.size() >> 8)};
  f.insert(f.end(), hdr.begin(), hdr.end());
  f.resize(f.size() + 32, 0);
  tf_tensor t;
  char err[256];
  EXPECT_NE(npy_parse(f.data(), f.size(), "dup.npy", &t, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("dup.npy: header key 'shape' appears twice"),
            std::string::npos) << err;
}

/* Write a float32 .npy of the given shape and values. */
std::string write_npy(const std::string &name, const std::vector<uint64_t> &shape,
                      const std::vector<float> &v) {
  std::string dims;
  for (uint64_t d : shape) dims += std::to_string(d) + ", ";
  std::string hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + hdr.size() + 1) % 64) hdr += ' ';
  hdr += '\n';
  std::string p = mpb_test_path(name);
  std::ofstream f(p, std::ios::binary);
  const char magic[] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  f.write(magic, 8);
  char len[2] = {(char)(hdr.size() & 0xff), (char)(hdr.size() >> 8)};
  f.write(len, 2);
  f.write(hdr.data(), (std::streamsize)hdr.size());
  f.write(reinterpret_cast<const char *>(v.data()), (std::streamsize)(v.size() * 4));
  return p;
}

/* Probe 5: a role given twice for one layer is an error, not twice the records. */
TEST(HostileImport, DuplicateRolesAreRejected) {
  std::vector<float> q(4 * 2 * 8, 0.25f);
  std::string qp = write_npy("dup_q.npy", {4, 2, 8}, q), out = mpb_test_path("dup.trace"), e;
  std::remove(out.c_str());
  EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --base 10000 --npy q=" + qp +
                         " --npy q=" + qp, &e), 3) << e;
  EXPECT_NE(e.find("role q of layer 0 is given twice"), std::string::npos) << e;
  EXPECT_NE(access(out.c_str(), F_OK), 0) << "no partial output";
  /* q and q:0 name the same layer; q:0 and q:1 are two layers */
  EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --base 10000 --npy q=" + qp +
                         " --npy q:0=" + qp, &e), 3) << e;
  EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --base 10000 --npy q:0=" + qp +
                         " --npy q:1=" + qp, &e), 0) << e;
  EXPECT_NE(e.find("(4 records from 2 tensors"), std::string::npos) << e; /* 2 per layer */
  EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --base 10000 --npy q=" + qp, &e),
            0) << e;
  EXPECT_NE(e.find("(2 records from 1 tensors"), std::string::npos) << e;
  /* the library check, with names as a safetensors file or an .npz would give them */
  import_item items[2] = {};
  items[0].role = items[1].role = IMPORT_Q;
  std::snprintf(items[0].t.name, sizeof items[0].t.name, "q");
  std::snprintf(items[1].t.name, sizeof items[1].t.name, "layer0.q");
  trace_import_opts o = {};
  o.base = 10000;
  char err[256];
  trace_header h = tu_header();
  trace_writer *w = trace_writer_open(mpb_test_path("dup_lib.trace").c_str(), &h, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  EXPECT_NE(trace_import_items(&o, items, 2, w, err, sizeof err), 0);
  EXPECT_NE(std::string(err).find("role q of layer 0 is given twice (tensors 'q' and "
                                  "'layer0.q')"), std::string::npos) << err;
  trace_writer_abort(w);
}

/* Probe 6: softmax logits: -inf and below -1e30 are masks (counted), +inf, above 1e30 and
 * NaN are errors. */
TEST(HostileImport, BadLogitsAreRejectedAndMasksCounted) {
  const float inf = INFINITY;
  std::string out = mpb_test_path("logits.trace"), e;
  /* [H=1, Tq=2, Tk=3], causal mask: 3 entries masked (2 by -inf, 1 by -2e30) */
  std::string ok = write_npy("logits_ok.npy", {1, 2, 3}, {0.5f, -inf, -2e30f, 1.0f, 2.0f, -inf});
  EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --npy softmax=" + ok, &e), 0) << e;
  EXPECT_NE(e.find("3 masked softmax logits dropped"), std::string::npos) << e;
  struct Bad {
    float v;
    const char *what;
  } bads[] = {{inf, "is +inf, not a logit"}, {2e30f, "is above 1e30, not a logit"},
              {NAN, "is NaN, not a logit"}};
  for (const Bad &b : bads) {
    std::string p = write_npy("logits_bad.npy", {1, 2, 3}, {0.5f, 1.0f, -inf, 1.0f, b.v, 0.0f});
    std::remove(out.c_str());
    EXPECT_EQ(mpb_test_run(bin() + " trace import --out " + out + " --npy softmax=" + p, &e), 3) << e;
    EXPECT_NE(e.find("element [0, 1, 1] " + std::string(b.what)), std::string::npos) << e;
    EXPECT_NE(access(out.c_str(), F_OK), 0);
  }
}

}  // namespace
