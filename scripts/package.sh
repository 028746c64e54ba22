#!/usr/bin/env bash
# Builds Watchword's .deb and .rpm with the Tauri bundler (crates/xtask,
# package.rs): both programs, man pages, completions, desktop entry,
# AppStream metainfo, icons and licence.
#   scripts/package.sh            release build; the packages land in
#                                 target/release/bundle/{deb,rpm}
#   scripts/package.sh --debug    from the debug build (CI's quick smoke)
#   scripts/package.sh --test     then install the .deb on this machine, use
#                                 it, and purge it (root, or sudo); the test
#                                 needs a D-Bus session and Xvfb, so run it
#                                 as scripts/test.sh does, or through it
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
test=false
for arg in "$@"; do
  case "$arg" in
  --debug) profile=debug ;;
  --test) test=true ;;
  *) echo "usage: scripts/package.sh [--debug] [--test]" >&2; exit 2 ;;
  esac
done
if [ "$test" = true ]; then scripts/setup.sh test; else scripts/setup.sh app; fi
if ! command -v dpkg-shlibdeps >/dev/null; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing dpkg-dev (dpkg-shlibdeps finds the .deb's dependencies)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
# The bundler (xtask) always runs from the debug build. Build it, and the
# debug programs, with the workspace's flags, as scripts/checks.sh does:
# `-p` alone picks other feature sets, and cargo would rebuild half the
# dependencies (5 minutes of CI's package smoke).
cargo build --quiet --workspace --bins
if [ "$profile" = release ]; then cargo build --release --quiet -p watchword -p watchword-cli; fi
target="${CARGO_TARGET_DIR:-target}"
bin_dir="$target/$profile"
start=$(date +%s)
mapfile -t made < <("$target/debug/xtask" package "$bin_dir")
for file in "${made[@]}"; do
  echo "   $file ($(du -h "$file" | cut -f1))"
done
echo "   bundled in $(($(date +%s) - start)) s"
if [ "$test" = true ]; then
  # The test installs and purges through `sudo -n`: ask for the password
  # (if any) here, where it can be typed.
  if [ "$(id -u)" -ne 0 ]; then sudo -v; fi
  deb=$(printf '%s\n' "${made[@]}" | grep '\.deb$')
  if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -n "${DISPLAY:-}" ]; then
    WATCHWORD_DEB="$(realpath "$deb")" cargo test --quiet --workspace --test package -- --ignored
  else
    # Its own D-Bus session, keyring and Xvfb, as scripts/test.sh makes.
    WATCHWORD_DEB="$(realpath "$deb")" exec env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
      dbus-run-session -- bash scripts/session.sh \
      cargo test --quiet --workspace --test package -- --ignored
  fi
fi
