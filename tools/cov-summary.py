#!/usr/bin/env python3
"""cov-summary.py — summarise a Verilator coverage file (coverage.dat, possibly merged
with `verilator_coverage --write`): points and hit points per kind (line, toggle, ...)
and per RTL file, plus the never-hit line points (file:line). Output: a text table.
usage: tools/cov-summary.py COVERAGE.dat"""
import re
import sys


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        text = open(sys.argv[1], encoding="latin-1").read()
    except OSError as e:
        print(f"cov-summary.py: {sys.argv[1]}: {e.strerror}", file=sys.stderr)
        return 4
    kinds, files, missed = {}, {}, set()
    for m in re.finditer(r"^C '(.*)' (\d+)$", text, re.M):
        fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01")[1:])
        kind = fields.get("page", "?").split("/")[0].replace("v_", "")
        hit = int(m.group(2)) > 0
        k = kinds.setdefault(kind, [0, 0])
        k[0] += 1
        k[1] += hit
        f = files.setdefault((fields.get("f", "?"), kind), [0, 0])
        f[0] += 1
        f[1] += hit
        if kind == "line" and not hit:
            missed.add(f"{fields.get('f')}:{fields.get('l')}")
    if not kinds:
        print(f"cov-summary.py: {sys.argv[1]}: no coverage points", file=sys.stderr)
        return 3
    print(f"{'kind':<8} {'points':>8} {'hit':>8} {'cover':>7}")
    for kind, (n, h) in sorted(kinds.items()):
        print(f"{kind:<8} {n:>8} {h:>8} {100.0 * h / n:>6.1f}%")
    print(f"\n{'file':<28} {'kind':<7} {'points':>7} {'hit':>7} {'cover':>7}")
    for (fn, kind), (n, h) in sorted(files.items()):
        print(f"{fn:<28} {kind:<7} {n:>7} {h:>7} {100.0 * h / n:>6.1f}%")
    if missed:
        print("\nline points never hit: " + " ".join(sorted(missed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
