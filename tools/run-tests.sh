#!/bin/sh
# run-tests.sh — run one test job: a GoogleTest binary, or one shard of it, and write its
# result line "<passed> <failed> <name>" to RESULT (the format tools/test-summary.sh adds
# up). Used by mk/test.mk, which runs many jobs at once under make's job server, so the
# job prints one block when it ends (make -O keeps blocks whole): a status line, the
# names of the failed tests, and on a crash the tail of its log.
#
# usage: tools/run-tests.sh RESULT BINARY [SHARD NSHARDS]
#   The log is RESULT with .log for .res; scratch files go to a directory of the job's
#   own ($MPB_TEST_TMP = <build>/test-tmp/<job>), so jobs never share a scratch path.
#   GTEST_FILTER and the other gtest variables pass through from the environment.
#   Exit status 0 whether the tests pass or fail (the result line tells); non-zero only
#   when the result cannot be written.
set -u
res="$1" bin="$2" shard="${3:-0}" nshards="${4:-1}"
name="$bin"
[ "$nshards" -gt 1 ] && name="$bin [shard $((shard + 1))/$nshards]"
log="${res%.res}.log"
job=$(basename "${res%.res}")
build=$(dirname "$(dirname "$res")")
export MPB_BUILD_DIR="$build"
export MPB_TEST_TMP="$build/test-tmp/$job"
rm -rf "$MPB_TEST_TMP" && mkdir -p "$MPB_TEST_TMP" || exit 1
if [ "$nshards" -gt 1 ]; then
  export GTEST_TOTAL_SHARDS="$nshards" GTEST_SHARD_INDEX="$shard"
fi
t0=$(date +%s.%N)
"$bin" --gtest_color=no > "$log" 2>&1; rc=$?
t1=$(date +%s.%N)
pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
skip=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
: "${pass:=0}" "${fail:=0}" "${skip:=0}"
secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
crashed=0
if [ $rc -ne 0 ] && [ "$fail" = 0 ]; then fail=1; crashed=1; fi
status=ok; [ "$fail" != 0 ] && status=FAILED
extra=""; [ "$skip" != 0 ] && extra=", $skip skipped"
{
  echo "== $name: $pass passed, $fail failed$extra ($secs s) $status"
  grep -E '^\[  FAILED  \] [A-Za-z0-9_/]+\.' "$log" | sed 's/ (.*//' | sort -u | sed 's/^/   /'
  if [ $crashed = 1 ]; then echo "   $bin exited $rc (log $log):"; tail -20 "$log" | sed 's/^/   | /'; fi
  [ "$fail" != 0 ] && echo "   log: $log"
} 
echo "$pass $fail $name" > "$res.tmp" && echo "$secs $name" > "${res%.res}.time" \
  && mv "$res.tmp" "$res"
