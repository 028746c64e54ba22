#!/usr/bin/env bash
# Sets up what is missing, then prints what the quick-copy palette costs
# (release build): `watchword --quick` to the palette on screen, first and
# later openings, and its memory and idle CPU once made (about 2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
export WATCHWORD_APP_PROFILE=release
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh \
  cargo bench -p watchword-e2e --bench palette_costs -- "$@"
