#!/usr/bin/env bash
# Sets up what is missing, then builds and launches Watchword.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
exec cargo run --release -p watchword
