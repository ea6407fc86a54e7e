#!/bin/sh
# rtl-bench.sh — simulation speed of the three units (rope, exp, dot side by side) on
# the same seeded stimulus, measured in one run: the cycle-accurate C model alone, the
# Verilated RTL alone, the lock-step co-simulation (both + compare), and Icarus (the
# testbench of rtl/tb reading the same stimulus from a file). Prints cycles/s and the
# ratios. Every rate includes generating the stimulus (the same code in all three
# Verilator-binary modes).
# usage: tools/rtl-bench.sh BUILD_DIR [CYCLES] [ICARUS_CYCLES]
set -eu
bdir="$1"; cycles="${2:-2000000}"; icycles="${3:-20000}"
bin="$bdir/cosim/default/cosim"
rate() { sed -n 's/.* \([0-9][0-9]*\) cycles\/s.*/\1/p'; }
cm=$("$bin" --mode cmodel --seed 1 --cycles "$cycles" | rate)
rtl=$("$bin" --mode rtl --seed 1 --cycles "$cycles" | rate)
co=$("$bin" --mode cosim --seed 1 --cycles "$cycles" | rate)
vec="$bdir/icarus/default"
"$bdir/cosim/vectors" --config "$bdir/cosim/default/config.cfg" --head-dim 128 --base 500000 \
  --seed 1 --cycles "$icycles" --stim "$vec/bench-stim.txt" --expect "$vec/bench-expect.txt"
t0=$(date +%s.%N)
out=$(vvp -n "$vec/tb.vvp" +stim="$vec/bench-stim.txt" +expect="$vec/bench-expect.txt")
t1=$(date +%s.%N)
case "$out" in *"ICARUS PASS"*) ;; *) echo "rtl-bench: Icarus run failed: $out" >&2; exit 1 ;; esac
iv=$(awk -v a="$t0" -v b="$t1" -v n="$icycles" 'BEGIN { printf "%.0f", n / (b - a) }')
echo "rtl bench: default configuration, rope + exp + dot units, seed 1"
printf '%-34s %12s %14s\n' simulator cycles "cycles/s"
printf '%-34s %12s %14s\n' "C model alone (mpb_*_pipe)" "$cycles" "$cm"
printf '%-34s %12s %14s\n' "Verilated RTL alone" "$cycles" "$rtl"
printf '%-34s %12s %14s\n' "lock-step co-simulation" "$cycles" "$co"
printf '%-34s %12s %14s\n' "Icarus (vvp, testbench compare)" "$icycles" "$iv"
awk -v cm="$cm" -v rtl="$rtl" -v co="$co" -v iv="$iv" 'BEGIN {
  printf "ratio co-simulation cost / Verilated RTL cost : %.2fx (target <= 1.3x)\n", rtl / co
  printf "ratio C model speed / Verilated RTL speed     : %.2fx (target >= 10x)\n", cm / rtl
  printf "ratio Verilated RTL speed / Icarus speed      : %.0fx\n", rtl / iv
}'
