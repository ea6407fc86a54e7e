#!/bin/sh
# rtl-bench.sh — simulation speed of the three units (rope, exp, dot side by side) on
# the same seeded stimulus, measured in one run: the cycle-accurate C model alone, the
# Verilated RTL alone, the lock-step co-simulation (both + compare), and Icarus (the
# testbench of rtl/tb reading the same stimulus from a file). Prints cycles/s and the
# ratios. The three Verilator-binary rates include generating the stimulus (the same
# code in each); the stimulus generator is also timed alone and its cost per cycle
# subtracted for the net rates the ratios use (both are printed).
# usage: tools/rtl-bench.sh BUILD_DIR [CYCLES] [ICARUS_CYCLES]
set -eu
bdir="$1"; cycles="${2:-2000000}"; icycles="${3:-20000}"
bin="$bdir/cosim/default/cosim"
rate() { sed -n 's/.* \([0-9][0-9]*\) cycles\/s.*/\1/p'; }
st=$("$bin" --mode stim --seed 1 --cycles "$cycles" | rate)
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
echo "rtl bench: default configuration, rope + exp + dot units, seed 1, $cycles cycles"
awk -v st="$st" -v cm="$cm" -v rtl="$rtl" -v co="$co" -v iv="$iv" 'BEGIN {
  # net rate: cycles/s with the stimulus generator'"'"'s own cost per cycle taken out
  ncm = 1 / (1 / cm - 1 / st); nrtl = 1 / (1 / rtl - 1 / st); nco = 1 / (1 / co - 1 / st)
  printf "%-34s %14s %14s\n", "simulator", "cycles/s", "net cycles/s"
  printf "%-34s %14.0f %14s\n", "stimulus generator alone", st, "-"
  printf "%-34s %14.0f %14.0f\n", "C model alone (mpb_*_pipe, DELAY)", cm, ncm
  printf "%-34s %14.0f %14.0f\n", "Verilated RTL alone", rtl, nrtl
  printf "%-34s %14.0f %14.0f\n", "lock-step co-simulation", co, nco
  printf "%-34s %14.0f %14s\n", "Icarus (vvp, testbench compare)", iv, "-"
  printf "ratio co-simulation cost / Verilated RTL cost : %.2fx net, %.2fx raw (target <= 1.3x)\n", nrtl / nco, rtl / co
  printf "ratio C model speed / Verilated RTL speed     : %.2fx net, %.2fx raw (target >= 10x)\n", ncm / nrtl, cm / rtl
  printf "ratio Verilated RTL speed / Icarus speed      : %.0fx\n", rtl / iv
}'
