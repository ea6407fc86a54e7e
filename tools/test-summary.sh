#!/bin/sh
# test-summary.sh — add up the result lines "<passed> <failed> <name>" of test runs
# (tools/run-tests.sh, mk/test.mk) and print the total; exit 1 if any test failed or a
# results file is missing (its tree did not build).
#   tools/test-summary.sh FILE...          the closing line CI reads:
#                                          "tests: N passed, N failed"
#   tools/test-summary.sh --tree DIR FILE  one tree's line: "DIR: N tests passed, ..."
# Before the closing line, every job with a failure is listed again.
tree=
if [ "$1" = "--tree" ]; then tree="$2"; shift 2; fi
missing=0
for f in "$@"; do
  [ -f "$f" ] || { echo "test-summary: $f is missing (the build of its tree failed?)"; missing=1; }
done
files=$(for f in "$@"; do [ -f "$f" ] && echo "$f"; done)
if [ -n "$files" ]; then
  # shellcheck disable=SC2086
  awk '$2 > 0 { sub(/^[0-9]+ [0-9]+ /, ""); print "  failed: " $0 }' $files
fi
# shellcheck disable=SC2086
cat $files /dev/null | awk -v tree="$tree" -v missing="$missing" '
  { p += $1; f += $2; n++ }
  END {
    if (missing) f += 1
    if (tree != "") printf "%s: %d tests passed, %d failed in %d jobs\n", tree, p, f, n
    else printf "tests: %d passed, %d failed\n", p, f
    exit (f > 0)
  }'
