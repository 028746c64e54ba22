#!/usr/bin/env bash
# Sets up what is missing, then prints "codes on screen" for Watchword and
# numberstation (a GTK authenticator, from Debian) with 50 and 500 accounts:
# seconds from exec to the first frame in which a code can be read, three
# runs each, the same harness for both (tests/first_frame.py: its own Xvfb,
# every changed frame kept, tesseract reads them afterwards), then each
# app's CPU at rest (its whole process tree, over IDLE seconds) and the
# memory (PSS) of that tree. Release build; about five minutes.
# COUNTS="50", RUNS=5, APPS="watchword", IDLE=0 narrow it; REST_RUNS=5
# REST_COMPARE=NAME=VALUE compares an environment setting at rest (RUNS=0
# skips the start-up part); REST_SECONDS=1 adds each second's CPU time, REST_THREADS=1
# each thread's CPU time and wake-ups; REST_KIND=hotp
# seeds counter-based accounts (nothing changes at rest); KEEP_FRAMES=DIR
# keeps the frames either side of each verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr tesseract-ocr-eng)
command -v numberstation >/dev/null || missing+=(numberstation)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --quiet -p watchword -p watchword-cli
target="${CARGO_TARGET_DIR:-target}"
export WATCHWORD_BIN="$PWD/$target/release/watchword" WATCHWORD_CLI="$PWD/$target/release/watchword-cli"
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh python3 tests/first_frame.py
