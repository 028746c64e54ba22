#!/usr/bin/env bash
# Sets up what is missing, then prints Watchword's figures (release builds):
#   QR decoding over a rendered corpus, beside plain rqrr and zbarimg;
#   codes on screen beside numberstation (scripts/bench_first_frame.sh),
#   and the rows' first layout in a bare WebKitGTK window
#   (scripts/bench_first_layout.sh);
#   the window's start-up time, idle CPU and memory, against a real
#   gnome-keyring under Xvfb.
#   scripts/bench.sh            # all of it (about 15 minutes)
#   MINUTES=2 scripts/bench.sh  # a shorter memory watch
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if ! command -v zbarimg >/dev/null; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y -qq --no-install-recommends zbar-tools >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench -p watchword-core --bench qr_bench
bash scripts/bench_first_frame.sh
bash scripts/bench_first_layout.sh
export WATCHWORD_APP_PROFILE=release
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh \
  cargo bench -p watchword-e2e --bench window_costs -- "$@"
