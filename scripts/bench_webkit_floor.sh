#!/usr/bin/env bash
# Sets up what is missing, then prints what a bare WebKitGTK window costs at
# rest (tests/webkit_floor.py): a list like Watchword's whose countdowns move
# each second, a page changing one character a second, a timer that changes
# nothing, and nothing at all. The floor for Watchword's idle figure, with
# none of Watchword's code (issue 13). About 8 minutes (RUNS=3, IDLE=30);
# RUNS, IDLE, ROWS and VARIANTS narrow it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
missing=()
/usr/bin/python3 -c "import gi; gi.require_version('WebKit2', '4.1')" 2>/dev/null ||
  missing+=(python3-gi gir1.2-webkit2-4.1)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh /usr/bin/python3 tests/webkit_floor.py
