#!/bin/sh
# Add up the per-binary results of the test runs and print the closing line CI reads.
cat "$@" | awk '{p+=$1; f+=$2} END {printf "tests: %d passed, %d failed\n", p, f; exit (f>0)}'
