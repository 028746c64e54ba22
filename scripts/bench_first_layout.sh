#!/usr/bin/env bash
# Sets up what is missing, then prints how long WebKitGTK takes to build,
# lay out and paint the list's rows the first time (tests/first_layout.py):
# the page's own HTML, CSS and row template in a bare window. ROWS=50,
# RUNS=5; BODY_FONT / MONO_FONT try other font stacks. About a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if ! /usr/bin/python3 -c 'import gi; gi.require_version("WebKit2", "4.1")' 2>/dev/null; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing python3-gi gir1.2-webkit2-4.1"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    python3-gi gir1.2-webkit2-4.1 >/dev/null
fi
exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  dbus-run-session -- bash scripts/session.sh /usr/bin/python3 tests/first_layout.py
