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
