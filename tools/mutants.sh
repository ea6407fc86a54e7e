#!/bin/sh
# mutants.sh — build RTL mutants (rtl/mutants.tsv: `ifdef MUTANT_<id>) and check that the
# lock-step co-simulation catches every one: each must stop with a mismatch (exit 1)
# within CYCLES cycles of seed 1. Prints one line per mutant and "mutants caught N/N";
# exits 1 if any mutant survives.
# usage: tools/mutants.sh BUILD_DIR CYCLES [ID ...]   (no IDs: every mutant)
set -u
bdir="$1"; cycles="$2"; shift 2
ids="$*"
[ -n "$ids" ] || ids=$(awk -F'\t' '!/^#/ && NF >= 2 {print $1}' rtl/mutants.tsv)
n=0; caught=0
for k in $ids; do
  line=$(awk -F'\t' -v k="$k" '$1 == k' rtl/mutants.tsv)
  [ -n "$line" ] || { echo "mutants.sh: no mutant $k in rtl/mutants.tsv" >&2; exit 2; }
  cfg=$(printf '%s' "$line" | cut -f2); what=$(printf '%s' "$line" | cut -f3)
  n=$((n + 1))
  if ! make --no-print-directory -s "$bdir/cosim/mut$k/cosim" > "$bdir/mutant-$k.build.log" 2>&1; then
    echo "mutant $k ($cfg): BUILD FAILED, see $bdir/mutant-$k.build.log"
    continue
  fi
  out=$("$bdir/cosim/mut$k/cosim" --seed 1 --cycles "$cycles" --fst "$bdir/cosim/mut$k/caught.fst" 2>&1)
  rc=$?
  if [ $rc -eq 1 ]; then
    caught=$((caught + 1))
    at=$(printf '%s\n' "$out" | sed -n 's/.*FAIL \(cycle [0-9]*: [a-z_.]*\).*/\1/p' | head -1)
    echo "mutant $k ($cfg) caught at $at: $what"
  else
    echo "mutant $k ($cfg) SURVIVED (exit $rc): $what"
  fi
done
echo "mutants caught $caught/$n"
[ "$caught" -eq "$n" ]
