#!/bin/sh
# run-check.sh — run one test job that is a single command (a fuzzer's smoke run, a
# script) and write its result line to RESULT: "1 0 NAME" when the command exits 0,
# else "0 1 NAME" (the format of tools/run-tests.sh; mk/test.mk). The command's output
# goes to RESULT with .log for .res; on failure its tail is printed.
# usage: tools/run-check.sh RESULT NAME COMMAND [ARG]...
set -u
res="$1" name="$2"; shift 2
log="${res%.res}.log"
mkdir -p "$(dirname "$res")" || exit 1
t0=$(date +%s.%N)
"$@" > "$log" 2>&1; rc=$?
t1=$(date +%s.%N)
secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
if [ $rc -eq 0 ]; then
  echo "== $name: 1 passed, 0 failed ($secs s) ok"
  line="1 0 $name"
else
  echo "== $name: 0 passed, 1 failed ($secs s) FAILED: exit $rc (log $log)"
  tail -40 "$log" | sed 's/^/   | /'
  line="0 1 $name"
fi
echo "$line" > "$res.tmp" && echo "$secs $name" > "${res%.res}.time" && mv "$res.tmp" "$res"
