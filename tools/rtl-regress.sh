#!/bin/sh
# rtl-regress.sh — the long RTL regression of `make regress`:
#   1. lock-step co-simulation of every configuration x every seed (RTL_REGRESS_SEEDS,
#      RTL_REGRESS_CYCLES cycles each), plus the exhaustive exp sweep (all 2^24 inputs)
#      on the default and w17 configurations;
#      Then the bundled workload traces replayed as stimulus (--trace: their ROPE, EXP and
#      GEMM operations in order, under the seed's traffic patterns), each to the end, on
#      every configuration built for the trace's geometry; and the ThreadSanitizer build
#      of the default harness on the two-thread schedule (plain builds);
#   2. line + toggle coverage from the coverage builds (cov-<config>), merged and
#      summarised (tools/cov-summary.py);
#   3. every mutant of rtl/mutants.tsv (tools/mutants.sh), each must be caught.
# Prints a summary table; writes OUT/junit.xml, OUT/coverage.dat, OUT/coverage.txt.
# usage: tools/rtl-regress.sh BUILD_DIR OUT_DIR "CONFIGS" "COV_CONFIGS" WORKLOADS_DIR
set -u
bdir="$1"; out="$2"; configs="$3"; covcfgs="$4"; workloads="$5"
seeds="${RTL_REGRESS_SEEDS:-1 2 3 4}"
cycles="${RTL_REGRESS_CYCLES:-500000}"
covcycles="${RTL_REGRESS_COV_CYCLES:-150000}"
mkdir -p "$out"
cases="$out/cases.txt"; : > "$cases"   # name|status|cycles|seconds|message
fails=0; total_cycles=0

record() { # name status cycles seconds message
  echo "$1|$2|$3|$4|$5" >> "$cases"
  [ "$2" = pass ] || fails=$((fails + 1))
  total_cycles=$((total_cycles + $3))
}

run_cosim() { # name binary args...
  name="$1"; bin="$2"; shift 2
  t0=$(date +%s.%N)
  res=$("$bin" "$@" 2>&1); rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  cyc=$(printf '%s\n' "$res" | sed -n 's/.* cycles=\([0-9]*\) .*/\1/p' | head -1)
  if [ $rc -eq 0 ] && printf '%s' "$res" | grep -q 'mismatches=0 PASS'; then
    record "$name" pass "${cyc:-0}" "$secs" "$(printf '%s' "$res" | sed -n 's/.*\(results [^m]*\)mismatches.*/\1/p')"
  else
    fc=$(printf '%s\n' "$res" | sed -n 's/.*FAIL cycle \([0-9]*\):.*/\1/p' | head -1)
    record "$name" fail "${fc:-0}" "$secs" "$(printf '%s' "$res" | head -3 | tr '\n|' '  ')"
  fi
}

echo "== co-simulation: configurations [$configs] x seeds [$seeds], $cycles cycles each"
for c in $configs; do
  for s in $seeds; do
    # odd seeds against the C model's register-level pipeline, even ones against DELAY
    pipe=delay; [ $((s % 2)) -eq 1 ] && pipe=stages
    run_cosim "cosim.$c.seed$s.$pipe" "$bdir/cosim/$c/cosim" --seed "$s" --cycles "$cycles" \
      --model-pipe "$pipe"
  done
done
for c in default w17; do
  run_cosim "cosim.$c.exp_sweep" "$bdir/cosim/$c/cosim" --seed 1 --exp-sweep --cycles 16777600
done

echo "== workload traces replayed through the co-simulation, to the end"
# default.trace: Llama 3 geometry (d = 128, base 500000, positions to 131071);
# smollm2.trace: SmolLM2 geometry (d = 64, base 100000; ROPE, softmax EXP and GEMM records)
for c in default patent n5w28even dot_sat16 edge; do
  run_cosim "trace.$c.default" "$bdir/cosim/$c/cosim" --seed 1 --cycles 100000000 \
    --trace "$workloads/default.trace"
done
run_cosim "trace.trunc_x16.smollm2" "$bdir/cosim/trunc_x16/cosim" --seed 2 --cycles 100000000 \
  --trace "$workloads/smollm2.trace"

if [ -x "$bdir/cosim/tsan-default/cosim" ]; then
  echo "== ThreadSanitizer: the two-thread schedule of the default configuration"
  run_cosim "tsan.default.random" "$bdir/cosim/tsan-default/cosim" --seed 1 --cycles 300000 --threads 2
  run_cosim "tsan.default.trace" "$bdir/cosim/tsan-default/cosim" --seed 1 --cycles 300000 --threads 2 \
    --trace "$workloads/default.trace"
fi

echo "== coverage: [$covcfgs], $covcycles cycles each"
covs=""
for c in $covcfgs; do
  run_cosim "coverage.$c" "$bdir/cosim/cov-$c/cosim" --seed 1 --cycles "$covcycles" \
    --coverage "$out/coverage-$c.dat"
  covs="$covs $out/coverage-$c.dat"
done
verilator_coverage --write "$out/coverage.dat" $covs > /dev/null 2>&1
tools/cov-summary.py "$out/coverage.dat" > "$out/coverage.txt" || echo "coverage summary failed"

echo "== mutants"
tools/mutants.sh "$bdir" 300000 > "$out/mutants.txt" 2>&1
while IFS= read -r line; do
  case "$line" in
    "mutant "*" caught at "*) record "mutant.$(echo "$line" | cut -d' ' -f2)" pass 0 0 "$line" ;;
    "mutant "*) record "mutant.$(echo "$line" | cut -d' ' -f2)" fail 0 0 "$line" ;;
  esac
done < "$out/mutants.txt"

# ---- summary table
echo
printf '%-28s %-6s %12s %9s  %s\n' case status cycles seconds detail
while IFS='|' read -r n st cy se msg; do
  printf '%-28s %-6s %12s %9.2f  %s\n' "$n" "$st" "$cy" "$se" "$msg"
done < "$cases"
echo
sed -n '1,6p' "$out/coverage.txt"
tail -1 "$out/mutants.txt"
ncases=$(wc -l < "$cases")
echo "rtl regress: $ncases cases, $fails failed, $total_cycles co-simulated cycles"

# ---- JUnit XML
xml() { printf '%s' "$1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g'; }
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuites><testsuite name=\"rtl-regress\" tests=\"$ncases\" failures=\"$fails\">"
  while IFS='|' read -r n st cy se msg; do
    printf '  <testcase classname="rtl" name="%s" time="%s">' "$(xml "$n")" "$se"
    if [ "$st" = pass ]; then
      printf '<system-out>%s cycles: %s</system-out>' "$cy" "$(xml "$msg")"
    else
      printf '<failure message="%s"/>' "$(xml "$msg")"
    fi
    echo '</testcase>'
  done < "$cases"
  echo '</testsuite></testsuites>'
} > "$out/junit.xml.tmp" && mv "$out/junit.xml.tmp" "$out/junit.xml"
echo "wrote $out/junit.xml, $out/coverage.txt"
[ "$fails" -eq 0 ]
