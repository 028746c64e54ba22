#!/usr/bin/env bash
# Every check and test; run by scripts/test.sh inside its private session.
set -euo pipefail
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo build (app and CLI, used by the end-to-end tests)"
cargo build --workspace --bins --quiet
echo "== cargo test"
cargo test --workspace --no-fail-fast "$@"
echo "== fuzz smoke (scripts/fuzz.sh, 10 s a target)"
# Targets known to reach the blow-ups the input budget of issue 9 removes
# (a Google export claiming 2^31 parts in enrol_paste; costly KDF parameters
# in import_decrypt) stay out until that budget is merged: set
# FUZZ_SMOKE_TARGETS to "all" then. "none" skips the smoke: its first build
# from a fresh clone (cargo-fuzz, then every dependency with coverage
# instrumentation) costs minutes; later runs reuse fuzz/target.
smoke="${FUZZ_SMOKE_TARGETS:-uri migration_uri migration_proto freeotp_java import_read andotp_plaintext qr_image}"
# shellcheck disable=SC2086 # $smoke is a list of target names
case "$smoke" in
all) bash scripts/fuzz.sh 10 ;;
none) echo "   skipped (FUZZ_SMOKE_TARGETS=none)" ;;
*) bash scripts/fuzz.sh 10 $smoke ;;
esac
