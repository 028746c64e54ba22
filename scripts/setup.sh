#!/usr/bin/env bash
# Installs what Watchword needs on Debian/Ubuntu and is not there yet.
#   scripts/setup.sh app    build and run the desktop app
#   scripts/setup.sh test   also everything the tests drive (Xvfb, keyring, WebDriver, …)
set -euo pipefail

want=${1:-app}
app_packages=(pkg-config build-essential libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libssl-dev libxdo-dev)
test_packages=(python3 zbar-tools xvfb weston wl-clipboard webkit2gtk-driver dbus-x11 dbus gnome-keyring libsecret-tools x11-utils
  oathtool xclip feh xdotool x11-xkb-utils strace python3-gi gir1.2-atspi-2.0
  poppler-utils libglib2.0-bin shared-mime-info desktop-file-utils groff-base
  dpkg-dev appstream man-db bash-completion)

packages=("${app_packages[@]}")
if [ "$want" = test ]; then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed'; then
    missing+=("$p")
  fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is not installed: get it from https://rustup.rs and run this again." >&2
  exit 1
fi
# Cargo.toml's rust-version (1.89: std's file locks); Debian's own rustc is older.
need=1.89
have=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
  echo "Rust $have is too old: Watchword needs $need or later (rustup update)." >&2
  exit 1
fi

if [ "$want" = test ]; then
  if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "Installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add rustfmt clippy
  fi
  # The accessibility test injects axe-core (pinned in tests/a11y) into the
  # real window.
  a11y="$(cd "$(dirname "$0")/.." && pwd)/tests/a11y"
  if [ ! -f "$a11y/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null; then
      echo "Installing npm"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
    echo "Installing axe-core"
    (cd "$a11y" && npm ci --no-audit --no-fund --silent)
  fi
  # The Aegis export test checks our vaults with PyCA cryptography, an
  # implementation independent of ours.
  if ! python3 -c 'import cryptography' 2>/dev/null; then
    echo "Installing Python's cryptography"
    python3 -m pip install --quiet cryptography 2>/dev/null || {
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-cryptography >/dev/null
    }
  fi
fi
