#!/bin/sh
# cosim-build.sh — build (once) the lock-step co-simulation binary of an arbitrary datapath
# configuration and RoPE geometry into a cache directory, keyed by a hash of everything
# that determines the build; print the binary's absolute path. Used by the sweeps'
# rtl_check (docs/sweeps.md); the make rules are sim/cosim/module.mk (cosim-prereqs,
# cosim-custom), always the plain (SAN=0) variant.
#
# usage: tools/cosim-build.sh --config FILE --head-dim D --base B [--cache DIR] [--src DIR]
#                              [--src-key FILE] [--max-size BYTES]
#        tools/cosim-build.sh --prepare-key FILE [--src DIR]
#        tools/cosim-build.sh --prune --max-size BYTES [--cache DIR] [--src DIR]
#   --cache DIR        default $MPB_COSIM_CACHE, else SRC/build/cosim-cache
#   --src DIR          the source tree; default $MPB_SOURCE_DIR, else this script's ../
#   --prepare-key FILE build the prerequisites, hash the sources once, write FILE, exit;
#   --src-key FILE     use FILE instead of doing that again (a sweep prepares the key once
#                      and passes it to every point: the sources are hashed once per sweep)
#   --max-size BYTES   after a build, prune the cache to BYTES (least recently used first)
#   --prune            only prune (with --max-size); prints what it removed
# LRU: every use of an entry (a hit or a build) touches CACHE/<key>/.used. Pruning removes
# the entries used longest ago, and killed half-built ones, until the total is at most
# BYTES; it never removes an entry whose CACHE/<key>.lock is held (a build, or a sweep
# running the entry's binary holds it shared), nor the entry just used.
# Key = SHA-256 of: the configuration resolved by cosim_prep (mpb_config_write) as its
# RTL parameter set (rtl/cfg2vparams.sh: every parameter but clock_mhz), head_dim and
# base, the content and name of every source of the build (RTL, harness, the libraries
# linked in, the make rules; list from `make cosim-prereqs`), the Verilator and C/C++ flags and the
# Verilator and compiler versions. Entry CACHE/<key>/: built in place under an
# exclusive flock(1) of CACHE/<key>.lock, complete only once CACHE/<key>/.complete exists
# (written last, by rename), so concurrent callers build a key once and a killed build is
# redone. Verilator errors on a parameter set are cached as CACHE/<key>/.unsupported.
# Every build appends "<key> built <seconds> s" to CACHE/builds.log.
# stdout: the binary's path (one line). Exit 0 ok, 2 usage, 3 the configuration is
# rejected (by the C model, or Verilator cannot build the RTL with it; reason on stderr),
# 4 build or I/O failure (log tail on stderr).
set -u
cfg= hd= base= cache="${MPB_COSIM_CACHE:-}" src="${MPB_SOURCE_DIR:-}"
prepare= srckey= maxsize= prune_only=
usage() { echo "usage: tools/cosim-build.sh --config FILE --head-dim D --base B [--cache DIR] [--src DIR] [--src-key FILE] [--max-size BYTES] | --prepare-key FILE | --prune --max-size BYTES" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || usage; cfg="$2"; shift 2 ;;
    --head-dim) [ $# -ge 2 ] || usage; hd="$2"; shift 2 ;;
    --base) [ $# -ge 2 ] || usage; base="$2"; shift 2 ;;
    --cache) [ $# -ge 2 ] || usage; cache="$2"; shift 2 ;;
    --src) [ $# -ge 2 ] || usage; src="$2"; shift 2 ;;
    --prepare-key) [ $# -ge 2 ] || usage; prepare="$2"; shift 2 ;;
    --src-key) [ $# -ge 2 ] || usage; srckey="$2"; shift 2 ;;
    --max-size) [ $# -ge 2 ] || usage; maxsize="$2"; shift 2 ;;
    --prune) prune_only=1; shift ;;
    -h|--help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cosim-build.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$maxsize" in ''|*[!0-9]*) [ -z "$maxsize" ] || { echo "cosim-build.sh: --max-size '$maxsize' is not a number of bytes" >&2; exit 2; } ;; esac
if [ -n "$prune_only" ]; then
  [ -n "$maxsize" ] || usage
elif [ -z "$prepare" ]; then
  [ -n "$cfg" ] && [ -n "$hd" ] && [ -n "$base" ] || usage
fi
[ -n "$prepare$prune_only" ] || case "$hd" in ''|*[!0-9]*) echo "cosim-build.sh: --head-dim '$hd' is not an integer" >&2; exit 2 ;; esac
# base: a number; as a C double literal (500000 -> 500000.0) for cosim_config.h
[ -n "$prepare$prune_only" ] || lit=$(printf '%s' "$base" | awk '/^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ { if ($0 !~ /[.eE]/) $0 = $0 ".0"; print; ok = 1 } END { exit !ok }') \
  || { echo "cosim-build.sh: --base '$base' is not a positive number" >&2; exit 2; }
[ -n "$src" ] || src="$(dirname "$0")/.."
src=$(cd "$src" 2>/dev/null && pwd) || { echo "cosim-build.sh: no source tree at '$src'" >&2; exit 4; }
[ -f "$src/sim/cosim/module.mk" ] || { echo "cosim-build.sh: $src is not the mpbsim source tree" >&2; exit 4; }
[ -n "$cache" ] || cache="$src/build/cosim-cache"
mkdir -p "$cache" && cache=$(cd "$cache" && pwd) || { echo "cosim-build.sh: cannot create $cache" >&2; exit 4; }

# prune_cache BYTES [KEEP]: remove entries, least recently used first (half-built ones
# first of all), until the entries total at most BYTES; skip locked entries and KEEP.
prune_cache() {
  limit=$1 keep=${2:-}
  list=$(for d in "$cache"/*/; do
    [ -d "$d" ] || continue
    k=$(basename "$d")
    case "$k" in .tmp.*) continue ;; esac
    if [ -f "$d.complete" ] || [ -f "$d.unsupported" ]; then
      t=$(stat -c %Y "$d.used" 2>/dev/null || stat -c %Y "$d")
    else t=0; fi
    echo "$t $(du -sk "$d" | cut -f1) $k"
  done | sort -n)
  total=$(echo "$list" | awk '{ s += $2 } END { print s * 1024 }')
  echo "$list" | while read -r t kb k; do
    [ -n "$k" ] || continue
    [ "$total" -gt "$limit" ] || break
    [ "$k" = "$keep" ] && continue
    if ( flock -xn 8 || exit 1; rm -rf "${cache:?}/$k" ) 8> "$cache/$k.lock"; then
      total=$((total - kb * 1024))
      echo "$k pruned $((kb / 1024)) MB (total now $((total / 1048576)) MB, limit $((limit / 1048576)) MB)" >> "$cache/builds.log"
      echo "cosim-build.sh: pruned $k ($kb KB)" >&2
    fi
  done
}
if [ -n "$prune_only" ]; then
  prune_cache "$maxsize"
  du -sk "$cache" | awk '{ printf "cosim-build.sh: %s now holds %.1f MB\n", $2, $1 / 1024 }' >&2
  exit 0
fi

# A caller's make (e.g. `make test-one SAN=1`) must not leak its variables or jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
mk() { make -C "$src" --no-print-directory SAN=0 "$@"; }

tmp=$(mktemp -d "$cache/.tmp.XXXXXX") || { echo "cosim-build.sh: cannot write in $cache" >&2; exit 4; }
trap 'rm -rf "$tmp"' EXIT

# 1. libmpb and cosim_prep (shared by every key: exclusive lock; key builds hold it shared),
# and the hash of every source: once, or read from the key file a sweep prepared.
if [ -n "$srckey" ]; then
  cp "$srckey" "$tmp/prereqs" 2>/dev/null || { echo "cosim-build.sh: cannot read $srckey" >&2; exit 4; }
else
  if ! flock -x "$cache/.prereq.lock" make -C "$src" --no-print-directory SAN=0 cosim-prereqs > "$tmp/prereqs" 2>&1; then
    echo "cosim-build.sh: make cosim-prereqs failed:" >&2; tail -20 "$tmp/prereqs" >&2; exit 4
  fi
fi
prep=$(sed -n 's/^prep: //p' "$tmp/prereqs")
files=$(sed -n 's/^files: //p' "$tmp/prereqs")
flags=$(sed -n 's/^flags: //p' "$tmp/prereqs")
[ -x "$prep" ] && [ -n "$files" ] || { echo "cosim-build.sh: unexpected output of make cosim-prereqs${srckey:+ in $srckey}" >&2; exit 4; }
if [ -n "$srckey" ]; then
  sed -n 's/^sha: //p' "$tmp/prereqs" > "$tmp/files.sha"
else
  (cd "$src" && sha256sum $files) > "$tmp/files.sha" || { echo "cosim-build.sh: cannot read the sources" >&2; exit 4; }
fi
if [ -n "$prepare" ]; then
  { grep -v '^sha: ' "$tmp/prereqs" | grep '^\(prep\|files\|flags\): '; sed 's/^/sha: /' "$tmp/files.sha"; } \
    > "$prepare.tmp" && mv "$prepare.tmp" "$prepare" || { echo "cosim-build.sh: cannot write $prepare" >&2; exit 4; }
  exit 0
fi
[ -r "$cfg" ] || { echo "cosim-build.sh: cannot read configuration '$cfg'" >&2; exit 4; }
cfg=$(cd "$(dirname "$cfg")" && pwd)/$(basename "$cfg")

# 2. resolve the configuration (and check that the C model accepts it with this geometry)
"$prep" "$cfg" "$hd" "$lit" "$tmp/resolve" > "$tmp/prep.log" 2>&1; rc=$?
if [ $rc -ne 0 ]; then
  sed 's/^/cosim-build.sh: /' "$tmp/prep.log" >&2
  [ $rc -eq 3 ] && exit 3 || exit 4
fi

# 3. the key. The configuration enters as its RTL parameter set (rtl/cfg2vparams.sh: every
# parameter but clock_mhz, which changes neither the RTL nor the C model's outputs), so
# points that differ only in the clock share one build.
"$src/rtl/cfg2vparams.sh" "$tmp/resolve/config.cfg" > "$tmp/params" 2> "$tmp/params.err" || {
  sed 's/^/cosim-build.sh: /' "$tmp/params.err" >&2; exit 3; }
key=$( {
  echo "mpbsim cosim cache 1"
  cat "$tmp/params"
  echo "geometry $hd $lit"
  echo "flags $flags"
  verilator --version 2>&1
  g++ --version 2>&1 | head -1
  gcc --version 2>&1 | head -1
  cat "$tmp/files.sha"
} | sha256sum | cut -c1-24)
dir="$cache/$key"

unsupported() { echo "cosim-build.sh: Verilator cannot build the RTL with this configuration: $(cat "$dir/.unsupported")" >&2; exit 3; }
if [ ! -f "$dir/.complete" ] && [ ! -f "$dir/.unsupported" ]; then
  exec 9> "$cache/$key.lock"
  flock -x 9
  if [ ! -f "$dir/.complete" ] && [ ! -f "$dir/.unsupported" ]; then
    rm -rf "$dir" && mkdir -p "$dir" && cp "$tmp/resolve/config.cfg" "$dir/input.cfg" \
      || { echo "cosim-build.sh: cannot write $dir" >&2; exit 4; }
    t0=$(date +%s.%N)
    flock -s "$cache/.prereq.lock" make -C "$src" --no-print-directory SAN=0 cosim-custom \
      COSIM_CUSTOM_DIR="$dir" COSIM_CUSTOM_CFG="$dir/input.cfg" COSIM_CUSTOM_HEAD_DIM="$hd" \
      COSIM_CUSTOM_BASE="$lit" COSIM_CUSTOM_NAME="$key" > "$dir/build.log" 2>&1; rc=$?
    t1=$(date +%s.%N)
    if [ $rc -ne 0 ]; then
      err=$(grep -m1 '^%Error' "$dir/obj/verilator.log" 2>/dev/null)
      if [ -n "$err" ]; then
        printf '%s\n' "$err" > "$dir/.unsupported.tmp" && mv "$dir/.unsupported.tmp" "$dir/.unsupported"
        unsupported
      fi
      echo "cosim-build.sh: build of $dir failed (log $dir/build.log):" >&2
      tail -20 "$dir/build.log" >&2
      exit 4
    fi
    { echo "key $key"; echo "head_dim $hd base $lit"; echo "flags $flags"; cat "$tmp/files.sha"; } > "$dir/key.txt"
    secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
    echo "$secs" > "$dir/build-seconds"
    touch "$dir/.complete.tmp" && mv "$dir/.complete.tmp" "$dir/.complete" \
      || { echo "cosim-build.sh: cannot write $dir/.complete" >&2; exit 4; }
    echo "$key built $secs s" >> "$cache/builds.log"
  fi
  exec 9>&-
fi
touch "$dir/.used" 2>/dev/null   # least-recently-used order of the cache
[ -n "$maxsize" ] && prune_cache "$maxsize" "$key"
[ -f "$dir/.unsupported" ] && unsupported
echo "$dir/cosim"
