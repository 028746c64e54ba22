#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 9, part 6): runs each fuzz target of fuzz/
# for SECONDS, one after another, and exits non-zero when any of them finds a
# crash (panic, overflow, abort), an input slower than the per-input time
# limit, or memory over the budget.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     every target when none is named
#
# Engine: libFuzzer, through cargo-fuzz and the libfuzzer-sys crate, on the
# installed *stable* rustc with RUSTC_BOOTSTRAP=1. No nightly toolchain can be
# downloaded here; the coverage instrumentation cargo-fuzz asks for
# (-Cpasses=sancov-module and LLVM's -sanitizer-coverage-* options) is part of
# every rustc, and RUSTC_BOOTSTRAP=1 only lets the stable compiler accept the
# few -Z flags cargo-fuzz passes. libFuzzer was preferred to afl.rs because it
# runs in process (fast on 2 cores), needs no AFL++ build or system tuning
# (core_pattern, CPU governor), and enforces the time and RSS limits itself.
#
# No sanitizer (-s none): the crate forbids unsafe code, so AddressSanitizer
# would only watch the dependencies' unsafe code, at half the speed and two to
# three times the memory: its shadow memory and quarantine would make the RSS
# limit measure ASan instead of Watchword. Panics still abort and are caught,
# and the build keeps debug assertions and overflow checks (-a).
#
# Limits, per input: FUZZ_TIMEOUT seconds (default 10: issue 9 asks for about
# a second on hostile input; 10 leaves room for the instrumented build and a
# busy machine, and a real vault's KDF is not what these inputs carry) and
# FUZZ_RSS_MB of resident memory for the whole process (default 200: a target
# sits at 40 to 90 MB of RSS with its corpus loaded, libFuzzer's tables
# included, and issue 9's budget is ~100 MB beyond that).
#
# Seeds: fuzz/seeds/ (a few hand-written URIs and payloads), the
# reproducers of fuzz/regressions/ (replayed first, so they act as regression
# checks), the import
# fixtures of ../shared/fixtures/importers (or WATCHWORD_FIXTURES; copied into
# fuzz/corpus/ at run time, never committed), and QR PNGs the qr_image target
# renders itself. Corpora grow in fuzz/corpus/ from run to run; crashes land
# in fuzz/artifacts/TARGET/. Both are ignored by git.
set -euo pipefail

seconds="${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
timeout_s="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-200}"
fixtures="${WATCHWORD_FIXTURES:-$root/../shared/fixtures/importers}"
export RUSTC_BOOTSTRAP=1
# Release with debug assertions and overflow checks, no sanitizer (see above).
build_flags=(-O -a -s none)

# cargo-fuzz from crates.io when it is not installed, into the ignored
# target/ of the repository (the user's ~/.cargo stays untouched).
tools="$root/target/tools"
export PATH="$tools/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz into $tools"
    cargo install cargo-fuzz --locked --version '^0.13' --root "$tools" --quiet
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${#targets[@]} fuzz targets"
build_start=$SECONDS
cargo fuzz build "${build_flags[@]}" >/dev/null 2>&1 || cargo fuzz build "${build_flags[@]}"
echo "   built in $((SECONDS - build_start)) s"
bin_dir="$root/fuzz/target/x86_64-unknown-linux-gnu/release"

# seed TARGET: fills fuzz/corpus/TARGET with its seeds.
seed() {
    local target="$1" corpus="corpus/$1"
    mkdir -p "$corpus"
    if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "$corpus"/; fi
    # Reproducers kept in the repository are replayed first, every run.
    if [ -d "regressions/$target" ]; then cp -n regressions/"$target"/* "$corpus"/; fi
    local have_fixtures=false
    [ -d "$fixtures" ] && have_fixtures=true
    case "$target" in
    import_read | import_decrypt)
        if $have_fixtures; then
            find "$fixtures" -type f ! -name README.md -exec cp -n {} "$corpus"/ \;
        fi
        ;;
    freeotp_java)
        if $have_fixtures; then cp -n "$fixtures/freeotp_v2_api34.xml" "$corpus"/; fi
        ;;
    andotp_opened)
        if $have_fixtures; then cp -n "$fixtures/andotp_plain.json" "$corpus"/; fi
        ;;
    uri | enrol_paste)
        cp -n seeds/uri/* seeds/migration_uri/* "$corpus"/
        if $have_fixtures; then
            # One URI a file, from the fixtures that list them.
            local n=0 line
            while IFS= read -r line; do
                n=$((n + 1))
                [ -n "$line" ] && printf '%s' "$line" >"$corpus/fixture-line-$n.txt"
            done < <(cat "$fixtures/plain.txt" "$fixtures/ente_auth.txt")
        fi
        ;;
    qr_image)
        WATCHWORD_FUZZ_WRITE_SEEDS="$corpus" "$bin_dir/qr_image" 2>/dev/null
        ;;
    esac
    if ! $have_fixtures; then
        case "$target" in
        import_* | freeotp_java | andotp_opened)
            echo "   (no fixtures at $fixtures: $target starts from its own seeds)"
            ;;
        esac
    fi
}

failed=()
for target in "${targets[@]}"; do
    seed "$target"
    mkdir -p "artifacts/$target"
    log="artifacts/$target/last-run.log"
    echo "== $target: ${seconds} s, ${timeout_s} s an input, ${rss_mb} MB"
    status=0
    cargo fuzz run "${build_flags[@]}" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    # The last status line: executions, coverage, corpus size, memory.
    grep -E '^#[0-9]+' "$log" | tail -n 1 | sed 's/^/   /' || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
        sed 's/^/   /' || true
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "   FAILED (exit $status):"
        grep -E 'ERROR: libFuzzer|panicked at|Test unit written|SUMMARY' "$log" | sed 's/^/     /' || true
        echo "   full log: fuzz/$log"
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "== fuzzing found problems in: ${failed[*]}"
    exit 1
fi
echo "== fuzzing found nothing in ${#targets[@]} targets"
