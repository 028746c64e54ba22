#!/usr/bin/env bash
# Every check and test; run by scripts/test.sh inside its private session.
set -euo pipefail
# Each step says when it began, so a slow CI run shows where its time went.
step() { echo "== $* [$((SECONDS / 60)) min $((SECONDS % 60)) s in]"; }
# Disk: CI once died in the linker on a full disk; the log says how full.
df -h . | sed 's/^/   /'
step "cargo fmt --check"
cargo fmt --all --check
step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "cargo build (app and CLI, used by the end-to-end tests)"
cargo build --workspace --bins --quiet
step "cargo test"
# A test that cannot make its fault on this machine (a tmpfs needs root)
# checks nothing and says so here, after the tests.
export WATCHWORD_SKIPPED="${CARGO_TARGET_DIR:-$PWD/target}/skipped-tests.txt"
rm -f "$WATCHWORD_SKIPPED"
cargo test --workspace --no-fail-fast "$@"
if [ -s "$WATCHWORD_SKIPPED" ]; then
  echo "== tests that could not make their fault here, so checked nothing:"
  sed 's/^/   /' "$WATCHWORD_SKIPPED"
fi
step "package smoke (scripts/package.sh --debug --test)"
# The .deb and .rpm from the debug build; the .deb is installed, its CLI
# and app used, its files checked, and it is purged. The release packages
# are `scripts/package.sh`.
bash scripts/package.sh --debug --test
step "fuzz smoke (scripts/fuzz.sh, 10 s a target)"
# Every target, 10 s each. FUZZ_SMOKE_TARGETS picks some ("uri qr_image"),
# or "none" to skip: its first build from a fresh clone (cargo-fuzz, then
# every dependency with coverage instrumentation) costs minutes; later runs
# reuse fuzz/target. The long runs are `scripts/fuzz.sh SECONDS`.
smoke="${FUZZ_SMOKE_TARGETS:-all}"
# shellcheck disable=SC2086 # $smoke is a list of target names
case "$smoke" in
all) bash scripts/fuzz.sh 10 ;;
none) echo "   skipped (FUZZ_SMOKE_TARGETS=none)" ;;
*) bash scripts/fuzz.sh 10 $smoke ;;
esac
step "done; disk and the build's size:"
df -h . | sed 's/^/   /'
du -sh "${CARGO_TARGET_DIR:-target}" 2>/dev/null | sed 's/^/   /' || true
