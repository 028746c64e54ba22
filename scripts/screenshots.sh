#!/usr/bin/env bash
# Re-takes the README's screenshots (docs/watchword-light.png, -dark.png)
# of the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh \
  cargo run -q -p watchword-e2e --example screenshots
