#!/usr/bin/env bash
# Runs every test suite of qlip and sums them up. Each suite prints one
# summary line; the last line sums all suites as `N passed, N failed,
# N skipped`. Exits non-zero when anything failed.
set -uo pipefail

build=${1:-build}
lit=${LIT:-/usr/lib/llvm-22/bin/lit}
log_dir="$build/check-logs"
mkdir -p "$log_dir"

total_pass=0 total_fail=0 total_skip=0

# count LABEL LOG: the number after "LABEL:" in lit's summary, or 0.
count() {
  grep -E "^ *$1: *[0-9]+" "$2" | head -n1 | sed -E 's/^[^:]*: *([0-9]+).*/\1/' \
    | grep . || echo 0
}

# lit: the IR tests, the tool tests and the install test.
lit_log="$log_dir/lit.log"
"$lit" -sv --order=lexical "$build/test" >"$lit_log" 2>&1
lit_rc=$?
sed -n '/^Failed Tests/,/^$/p;/^Unresolved Tests/,/^$/p' "$lit_log"
pass=$(( $(count Passed "$lit_log") + $(count "Expectedly Failed" "$lit_log") ))
fail=$(( $(count Failed "$lit_log") + $(count Unresolved "$lit_log") \
       + $(count "Timed Out" "$lit_log") + $(count "Unexpectedly Passed" "$lit_log") ))
skip=$(( $(count Unsupported "$lit_log") + $(count Excluded "$lit_log") ))
if [[ $lit_rc -ne 0 && $fail -eq 0 ]]; then
  fail=1  # lit itself broke (a bad config, say): that is a failure too
  tail -n 20 "$lit_log"
fi
echo "lit: $pass passed, $fail failed, $skip skipped (log: $lit_log)"
total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
total_skip=$((total_skip + skip))

# GoogleTest: the unit tests of the non-IR code.
gtest_log="$log_dir/unittests.log"
"$build/bin/qlip-unittests" --gtest_brief=1 --gtest_color=no >"$gtest_log" 2>&1
gtest_rc=$?
grep -E '^\[  FAILED  \] [A-Za-z]' "$gtest_log" | sort -u
gpass=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$gtest_log" | grep -oE '[0-9]+' | head -n1)
gfail=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$gtest_log" | grep -oE '[0-9]+' | head -n1)
gskip=$(grep -E '^\[  SKIPPED \] [0-9]+ test' "$gtest_log" | grep -oE '[0-9]+' | head -n1)
gpass=${gpass:-0} gfail=${gfail:-0} gskip=${gskip:-0}
if [[ $gtest_rc -ne 0 && $gfail -eq 0 ]]; then
  gfail=1  # crashed before its summary
  tail -n 20 "$gtest_log"
fi
echo "unittests: $gpass passed, $gfail failed, $gskip skipped (log: $gtest_log)"
total_pass=$((total_pass + gpass)); total_fail=$((total_fail + gfail))
total_skip=$((total_skip + gskip))

# The libFuzzer targets, when this tree or FUZZ_BUILD's has them (make
# check-sanitize's tree): each runs for 20 seconds on its seed corpus and
# passes without a crash, hang or out-of-memory. One test each.
fuzz_build=$build
if ! compgen -G "$fuzz_build/bin/qlip-fuzz-*" >/dev/null; then
  fuzz_build=${FUZZ_BUILD:-$build}
fi
if compgen -G "$fuzz_build/bin/qlip-fuzz-*" >/dev/null; then
  fuzz_log="$log_dir/fuzz.log"
  "$(dirname "$0")/fuzz.sh" "$fuzz_build" 20 >"$fuzz_log" 2>&1
  fpass=$(grep -c 'no crash or hang' "$fuzz_log")
  ffail=$(grep -c 'FAILED' "$fuzz_log")
  grep 'FAILED' -A3 "$fuzz_log"
  echo "fuzz: $fpass passed, $ffail failed, 0 skipped (log: $fuzz_log)"
  total_pass=$((total_pass + fpass)); total_fail=$((total_fail + ffail))
fi

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
