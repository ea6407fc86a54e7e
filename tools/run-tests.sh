#!/bin/sh
# Run GoogleTest binaries one after another; write "<passed> <failed> <name>" per binary
# to the results file named first. Exit non-zero if any binary failed.
# GTEST_FILTER and other gtest variables pass through from the environment.
out="$1"; shift
: > "$out"
export MPB_BUILD_DIR="$(dirname "$out")"
export MPB_TEST_TMP="$MPB_BUILD_DIR/test-tmp"
mkdir -p "$MPB_TEST_TMP"
status=0
for t in "$@"; do
  log="$t.log"
  echo "== $t"
  "$t" --gtest_color=no > "$log" 2>&1; rc=$?
  grep -E '^\[  (FAILED|PASSED|SKIPPED) ' "$log" | grep -v '^\[  FAILED  \] .*\.' || true
  grep -E '^\[  FAILED  \] [A-Za-z0-9_/]+\.' "$log" | sed 's/^/   /' || true
  pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  [ -n "$pass" ] || pass=0
  [ -n "$fail" ] || fail=0
  if [ $rc -ne 0 ] && [ "$fail" = 0 ]; then fail=1; echo "   $t exited $rc:"; tail -20 "$log"; fi
  echo "$pass $fail $t" >> "$out"
  [ $rc -ne 0 ] && status=1
done
exit $status
