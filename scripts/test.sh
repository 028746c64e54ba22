#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test against real parts:
# a private D-Bus session with an unlocked gnome-keyring, Xvfb, tauri-driver
# and WebKitWebDriver, and the X clipboard.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
# A one-off build gains nothing from incremental state, which would add
# gigabytes to the target folder.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
# The D-Bus session must be outermost and must not see a display: a Secret
# Service write with a display and a locked keyring waits on a prompt forever.
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh bash scripts/checks.sh "$@"
