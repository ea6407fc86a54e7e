/* gtest_c.h — include the project's C headers from GoogleTest C++ sources.
 * The headers carry their own extern "C" guards; this file keeps the include order in
 * one place and adds small helpers shared by the suites. */
#ifndef MPB_GTEST_C_H
#define MPB_GTEST_C_H
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

#include "mpb.h"

/* Seed for randomized tests: $MPB_SEED if set, else a fixed default; always printed so
 * that a failure can be reproduced. */
static inline uint64_t mpb_test_seed(const char *test) {
  const char *s = std::getenv("MPB_SEED");
  uint64_t seed = s ? std::strtoull(s, nullptr, 0) : 0x5eed2026ULL;
  std::printf("[ seed     ] %s: MPB_SEED=0x%llx\n", test, (unsigned long long)seed);
  return seed;
}

/* Scratch file path for a test: $MPB_TEST_TMP/<name> (set by tools/run-tests.sh to
 * <build>/test-tmp), else build/test-tmp/<name>; the directory is created. */
static inline std::string mpb_test_path(const std::string &name) {
  const char *d = std::getenv("MPB_TEST_TMP");
  std::string dir = d && *d ? d : "build/test-tmp";
  std::string cmd = "mkdir -p '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cannot create %s\n", dir.c_str());
  return dir + "/" + name;
}

/* Path of a built program: $MPB_BUILD_DIR/<name> (set by tools/run-tests.sh), else
 * build/<name>. */
static inline std::string mpb_test_bin(const std::string &name) {
  const char *d = std::getenv("MPB_BUILD_DIR");
  return std::string(d && *d ? d : "build") + "/" + name;
}

/* Run a shell command; returns its exit code, stdout+stderr in *out. */
static inline int mpb_test_run(const std::string &cmd, std::string *out) {
  std::string full = cmd + " 2>&1";
  FILE *p = popen(full.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  out->clear();
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* splitmix64: small, well-known generator for reproducible stimulus. */
static inline uint64_t mpb_test_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
#endif
