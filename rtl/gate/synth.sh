#!/bin/sh
# synth.sh — synthesise RTL to a liberty standard-cell library with yosys for the
# gate-level energy check (docs/energy.md §9). Writes into OUT_DIR:
#   hier.v     the mapped netlist, one module per RTL module (abc maps each one; buffers
#              and sizing from -constr / -D)
#   flat.v     the same cells flattened: every cell keeps its RTL instance path in its
#              name (u_rope.u_back.u_rotate._123_); wires renamed and split so that no
#              assign is left; constants on cell pins become the input ports mpb_tie_lo /
#              mpb_tie_hi (OpenSTA 2019's report_power crashes on constant pins) -> OpenSTA
#   sim.json   flat.v as yosys JSON, the cells as blackboxes, and cells.json the cells'
#              functions from the liberty file (yosys read_liberty) -> the gate-level
#              simulator (analysis/gate_sim.c)
#   cell_area.txt  "CELL AREA" of every cell group of the liberty file
#   stat.txt   yosys `stat -liberty` of hier.v (cells, area in um^2)
#   yosys.log
# usage: rtl/gate/synth.sh --lib LIB --top TOP --out OUT_DIR [--cwd DIR] [--delay PS]
#          [--param NAME=VALUE]... [--keep INSTANCE]... FILE.v...
#   --cwd DIR   run yosys in DIR ($readmemh paths of the RTL tables are relative to it)
#   --keep I    keep only these instances of TOP (e.g. u_dot); the others are removed
#   --delay PS  abc delay target in ps (default 4000)
# exit codes: 0 ok, 2 usage, 3 bad liberty or RTL (yosys error shown), 4 I/O
set -e
lib=""; top=""; out=""; cwd="."; delay=4000; params=""; keep=""; files=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --cwd) cwd="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --param) params="$params -chparam ${2%%=*} ${2#*=}"; shift 2 ;;
    --keep) keep="$keep $2"; shift 2 ;;
    -*) echo "synth.sh: unknown option $1" >&2; exit 2 ;;
    *) files="$files $(realpath "$1")"; shift ;;
  esac
done
[ -n "$lib" ] && [ -n "$top" ] && [ -n "$out" ] && [ -n "$files" ] || {
  echo "usage: synth.sh --lib LIB --top TOP --out DIR [--cwd DIR] [--param N=V]... [--keep I]... FILE.v..." >&2
  exit 2; }
[ -r "$lib" ] || { echo "synth.sh: $lib: cannot read the liberty file" >&2; exit 4; }
libarg="$lib"
lib=$(realpath "$lib")
mkdir -p "$out" || exit 4
out=$(realpath "$out")
log="$out/yosys.log"
: > "$log"

# run_yosys SCRIPT [liberty]: run in $cwd; on failure show yosys's ERROR line (naming the
# liberty file when the script only reads it) and exit 3
run_yosys() {
  if ! (cd "$cwd" && yosys -q -l "$log.part" -s "$1") > /dev/null 2>&1; then
    cat "$log.part" >> "$log" 2>/dev/null
    msg=$(grep -m1 'ERROR' "$log.part" 2>/dev/null || true)
    if [ "$2" = liberty ]; then
      echo "synth.sh: $libarg: not a liberty file yosys can read: ${msg:-see $log}" >&2
    else
      echo "synth.sh: yosys failed (${msg:-see $log})" >&2
    fi
    rm -f "$log.part"
    exit 3
  fi
  cat "$log.part" >> "$log"; rm -f "$log.part"
}

# a liberty file yosys cannot parse, or one without cells, is an input error
printf 'read_liberty -lib %s\n' "$lib" > "$out/check.ys"
run_yosys "$out/check.ys" liberty
grep -q 'cell *(' "$lib" || { echo "synth.sh: $libarg: no cell groups (not a liberty library)" >&2; exit 3; }

del=""
if [ -n "$keep" ]; then
  del="delete $top/c:u_* $(for k in $keep; do printf '%s/c:%s %%d ' "$top" "$k"; done)"
fi
printf 'set_driving_cell INVX1\nset_load 0.01\n' > "$out/abc.constr"
cat > "$out/synth.ys" <<EOF
read_verilog -defer $files
hierarchy -check -top $top $params
$del
synth -top $top
dfflibmap -liberty $lib
abc -liberty $lib -constr $out/abc.constr -D $delay
opt_clean -purge
tee -o $out/stat.txt stat -liberty $lib
write_verilog -noattr -noexpr -nohex -nodec $out/hier.v
EOF
run_yosys "$out/synth.ys"

cat > "$out/flat.ys" <<EOF
read_verilog $out/hier.v
read_liberty -lib $lib
hierarchy -top $top
flatten
rename -hide w:* x:* %d
splitnets
opt_clean -purge
write_verilog -noattr -noexpr -nohex -nodec $out/flat0.v
EOF
run_yosys "$out/flat.ys"
# constants on cell pins -> two tie ports (after the first port list entry)
sed -e "s/1'b0/mpb_tie_lo/g; s/1'b1/mpb_tie_hi/g" \
    -e "0,/^module [A-Za-z_0-9]*(/s//&mpb_tie_lo, mpb_tie_hi, /" \
    -e "0,/^  input /s//  input mpb_tie_lo;\n  input mpb_tie_hi;\n&/" "$out/flat0.v" > "$out/flat.v"
rm -f "$out/flat0.v"

cat > "$out/sim.ys" <<EOF
read_verilog $out/flat.v
read_liberty -lib $lib
hierarchy -top $top
write_json $out/sim.json
design -reset
read_liberty $lib
write_json $out/cells.json
EOF
run_yosys "$out/sim.ys"
# cell areas (um^2) of the library: the `area` attribute of every cell group
awk '/^[ \t]*cell[ \t]*[(]/ { s = $0; sub(/^[^(]*[(]/, "", s); sub(/[)].*/, "", s); gsub(/"/, "", s); cell = s }
     /^[ \t]*area[ \t]*:/ && cell != "" { s = $0; sub(/^[^:]*:/, "", s); sub(/;.*/, "", s);
       print cell, s + 0; cell = "" }' "$lib" > "$out/cell_area.txt"
echo "synth.sh: $top -> $out (flat.v, sim.json, stat.txt)"
