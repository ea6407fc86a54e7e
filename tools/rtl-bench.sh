#!/bin/sh
# rtl-bench.sh — simulation speed of the three units (rope, exp, dot side by side) on
# the same seeded stimulus, measured in one run: the cycle-accurate C model alone, the
# Verilated RTL alone, the lock-step co-simulation (both + compare) in one thread and
# with the C model on a second thread, and Icarus (the testbench of rtl/tb reading the
# same stimulus from a file). Prints cycles/s, CPU seconds and the ratios.
# The one-thread Verilator-binary rates include generating the stimulus (the same code
# in each); the stimulus generator is also timed alone (fed the in_ready answers of a C
# model pre-run, so it draws exactly what a real run draws) and its cost per cycle
# subtracted for the net rates. In the two-thread co-simulation the generator runs on
# the C model's thread, off the RTL's path, so its wall-clock rate is compared raw.
# usage: tools/rtl-bench.sh BUILD_DIR [CYCLES] [ICARUS_CYCLES]
set -eu
bdir="$1"; cycles="${2:-2000000}"; icycles="${3:-20000}"
bin="$bdir/cosim/default/cosim"
# "<cycles/s> <cpu seconds>" of one run
measure() {
  "$bin" --seed 1 --cycles "$cycles" "$@" |
    sed -n 's/.* \([0-9][0-9]*\) cycles\/s (cpu \([0-9.]*\) s.*/\1 \2/p'
}
st=$(measure --mode stim)
cm=$(measure --mode cmodel)
rtl=$(measure --mode rtl)
co1=$(measure --mode cosim --threads 1)
co2=$(measure --mode cosim --threads 2)
vec="$bdir/icarus/default"
"$bdir/cosim/vectors" --config "$bdir/cosim/default/config.cfg" --head-dim 128 --base 500000 \
  --seed 1 --cycles "$icycles" --stim "$vec/bench-stim.txt" --expect "$vec/bench-expect.txt"
t0=$(date +%s.%N)
out=$(vvp -n "$vec/tb.vvp" +stim="$vec/bench-stim.txt" +expect="$vec/bench-expect.txt")
t1=$(date +%s.%N)
case "$out" in *"ICARUS PASS"*) ;; *) echo "rtl-bench: Icarus run failed: $out" >&2; exit 1 ;; esac
iv=$(awk -v a="$t0" -v b="$t1" -v n="$icycles" 'BEGIN { printf "%.0f", n / (b - a) }')
echo "rtl bench: default configuration, rope + exp + dot units, seed 1, $cycles cycles," \
  "$(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
awk -v st="$st" -v cm="$cm" -v rtl="$rtl" -v co1="$co1" -v co2="$co2" -v iv="$iv" -v n="$cycles" 'BEGIN {
  split(st, S, " "); split(cm, M, " "); split(rtl, R, " "); split(co1, A, " "); split(co2, B, " ")
  # net rate: cycles/s with the stimulus generator'"'"'s own cost per cycle taken out
  ncm = 1 / (1 / M[1] - 1 / S[1]); nrtl = 1 / (1 / R[1] - 1 / S[1]); nco = 1 / (1 / A[1] - 1 / S[1])
  printf "%-40s %12s %12s %8s\n", "simulator", "cycles/s", "net cyc/s", "cpu s"
  printf "%-40s %12.0f %12s %8.3f\n", "stimulus generator alone", S[1], "-", S[2]
  printf "%-40s %12.0f %12.0f %8.3f\n", "C model alone (mpb_*_pipe, DELAY)", M[1], ncm, M[2]
  printf "%-40s %12.0f %12.0f %8.3f\n", "Verilated RTL alone", R[1], nrtl, R[2]
  printf "%-40s %12.0f %12.0f %8.3f\n", "lock-step co-simulation, 1 thread", A[1], nco, A[2]
  printf "%-40s %12.0f %12s %8.3f\n", "lock-step co-simulation, 2 threads", B[1], "-", B[2]
  printf "%-40s %12.0f %12s %8s\n", "Icarus (vvp, testbench compare)", iv, "-", "-"
  printf "ratio co-simulation cost / Verilated RTL cost: 2 threads %.2fx wall, %.2fx cpu;" \
    " 1 thread %.2fx net, %.2fx raw (target <= 1.3x)\n", R[1] / B[1], B[2] / R[2], nrtl / nco, R[1] / A[1]
  printf "ratio C model speed / Verilated RTL speed    : %.2fx net, %.2fx raw (target >= 10x)\n", ncm / nrtl, M[1] / R[1]
  printf "ratio Verilated RTL speed / Icarus speed     : %.0fx\n", R[1] / iv
  printf "per cycle (ns, net): C model %.1f, Verilated RTL %.1f, stimulus %.1f\n", 1e9 / ncm, 1e9 / nrtl, 1e9 / S[1]
}'
