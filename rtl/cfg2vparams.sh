#!/bin/sh
# cfg2vparams.sh — turn a resolved datapath configuration (the output of
# `mpbsim config --config FILE`, libconfig syntax) into the RTL's parameter overrides:
# one -GNAME=VALUE per parameter of mpb_top (NAME = the configuration name in upper case,
# enums as their index). clock_mhz is not an RTL parameter.
# usage: rtl/cfg2vparams.sh RESOLVED.cfg [PREFIX]   (PREFIX: -G for Verilator (default),
#        -Pmpb_top. for Icarus)
set -e
cfg="$1"; prefix="${2:--G}"
[ -r "$cfg" ] || { echo "cfg2vparams.sh: cannot read '$cfg'" >&2; exit 4; }
awk -v prefix="$prefix" '
  /^[ \t]*#/ || !/=/ { next }
  {
    line = $0; sub(/#.*/, "", line); gsub(/[ \t";]/, "", line)
    split(line, kv, "="); k = kv[1]; v = kv[2]
    if (k == "clock_mhz") next
    if (k == "phi_mode")     v = (v == "exact") ? 0 : (v == "logadd") ? 1 : "BAD"
    if (k == "rounding")     v = (v == "trunc") ? 0 : (v == "nearest") ? 1 : (v == "even") ? 2 : "BAD"
    if (k == "acc_overflow") v = (v == "wrap") ? 0 : (v == "sat") ? 1 : "BAD"
    if (v == "BAD" || v !~ /^-?[0-9]+$/) { printf "cfg2vparams.sh: bad value for %s\n", k > "/dev/stderr"; bad = 1; exit 3 }
    printf "%s%s=%s ", prefix, toupper(k), v; n++
  }
  END { if (!bad && n != 18) { printf "cfg2vparams.sh: expected 18 RTL parameters, found %d\n", n > "/dev/stderr"; exit 3 } print "" }
' "$cfg"
