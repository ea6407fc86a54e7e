#!/bin/sh
# pytest.sh — the Python package's pytest suite as one test binary of `make test`
# (python/module.mk copies it to build/tests/pytest). Runs pytest in the venv next to it
# (build/venv) from the repository root, prints pytest's output, then the summary lines
# of a GoogleTest binary carrying pytest's counts and its closing line, which is what
# tools/run-tests.sh reads. Exit status: pytest's (0 all passed; 5 "no tests ran" counts
# as a failure here).
here=$(cd "$(dirname "$0")" && pwd)
py="$here/../venv/bin/python"
log=$(mktemp) || exit 1
"$py" -m pytest -q -p no:cacheprovider -o addopts="" python/tests > "$log" 2>&1
rc=$?
cat "$log"
closing=$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)' "$log" | tail -1 | sed 's/^=* *//; s/ *=*$//')
count() { echo "$closing" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0; }
pass=$(count passed)
fail=$(($(count failed) + $(count error)))
skip=$(count skipped)
rm -f "$log"
[ $rc -ne 0 ] && [ "$fail" = 0 ] && fail=1
echo "[  PASSED  ] $pass tests (pytest: ${closing:-no result line})"
[ "$skip" != 0 ] && echo "[  SKIPPED ] $skip tests, see the pytest output above"
[ "$fail" != 0 ] && echo "[  FAILED  ] $fail tests, listed above"
exit $rc
