#!/bin/sh
# sta.sh — run OpenSTA's timing and power report on a flat netlist of rtl/gate/synth.sh
# (rtl/gate/sta.tcl) and check the result: an OpenSTA script does not stop at an error
# and returns 0 anyway, so the inputs are checked before and the log after.
# usage: rtl/gate/sta.sh --lib LIB --dir DIR --top TOP [--period NS]
#   reads DIR/flat.v; writes DIR/timing.txt, DIR/pin_caps.txt, DIR/power.txt, DIR/sta.log
# exit codes: 0 ok, 2 usage, 3 bad liberty or netlist (OpenSTA's message shown), 4 I/O
lib=""; dir=""; top=""; period=10
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    --period) period="$2"; shift 2 ;;
    *) echo "sta.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -n "$dir" ] && [ -n "$top" ] || {
  echo "usage: sta.sh --lib LIB --dir DIR --top TOP [--period NS]" >&2; exit 2; }
[ -r "$lib" ] || { echo "sta.sh: $lib: cannot read the liberty file" >&2; exit 4; }
[ -r "$dir/flat.v" ] || { echo "sta.sh: $dir/flat.v: cannot read the netlist" >&2; exit 4; }
here=$(dirname "$(realpath "$0")")
rm -f "$dir/timing.txt" "$dir/pin_caps.txt" "$dir/power.txt"
GATE_LIB=$(realpath "$lib") GATE_NETLIST=$(realpath "$dir/flat.v") GATE_TOP="$top" \
GATE_PERIOD="$period" GATE_OUT=$(realpath "$dir") \
  sta -no_splash -exit "$here/sta.tcl" > "$dir/sta.log" 2>&1
rc=$?
err=$(grep -m1 '^Error' "$dir/sta.log")
if [ -n "$err" ]; then
  case "$err" in
    *"$lib"*|*iberty*) echo "sta.sh: $lib: OpenSTA cannot read the liberty file: $err" >&2 ;;
    *) echo "sta.sh: OpenSTA: $err (log: $dir/sta.log)" >&2 ;;
  esac
  exit 3
fi
if [ $rc -ne 0 ] || ! grep -q '^Total' "$dir/power.txt" 2>/dev/null; then
  echo "sta.sh: OpenSTA exited $rc without a power report (log: $dir/sta.log)" >&2
  exit 3
fi
echo "sta.sh: $top -> $dir (timing.txt, power.txt)"
