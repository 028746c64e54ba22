#!/usr/bin/env bash
# Times the hostile inputs of issue 9 on two CLIs: the one before the input
# budgets (BEFORE, default /work/before/watchword-cli) and this checkout's.
# Each run is guarded (timeout 60 s, 4 GB of address space) so it cannot
# hurt the machine; a timeout or an abort is the answer for that input.
#   scripts/hostile.sh [DIR]
set -u
cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d)}
before=${BEFORE:-/work/before/watchword-cli}
cargo build -q -p watchword-cli -p watchword-core --example hostile || exit 1
after=${CARGO_TARGET_DIR:-target}/debug/watchword-cli
${CARGO_TARGET_DIR:-target}/debug/examples/hostile "$dir" >/dev/null || exit 1
export WATCHWORD_DATA_DIR="$dir/data" WATCHWORD_KEYCHAIN_SERVICE=watchword-hostile
measure() { # binary file → "exit  seconds  peak-MB  stderr-bytes  first line"
    local out err
    out=$(mktemp) err=$(mktemp)
    ( ulimit -v 4000000; echo wrong | /usr/bin/time -v -o "$out.time" timeout 60 \
        "$1" import --dry-run --password-stdin "$2" >/dev/null 2>"$err" )
    local code=$? secs mem
    secs=$(awk -F': ' '/Elapsed/ {print $2}' "$out.time")
    mem=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$out.time")
    [ "$code" = 124 ] && code="timeout"
    printf '%-8s %8s %6s MB %9s B  %s\n' "$code" "$secs" "$mem" "$(wc -c <"$err")" \
        "$(head -c 150 "$err" | head -1)"
    rm -f "$out" "$out.time" "$err"
}
for file in "$dir"/*.*; do
    [ -f "$file" ] || continue
    echo "== $(basename "$file") ($(wc -c <"$file") bytes)"
    printf 'before: '; measure "$before" "$file"
    printf 'after:  '; measure "$after" "$file"
done
