#!/usr/bin/env bash
# Regenerates the app icons from icons/icon.svg (needs librsvg2-bin,
# imagemagick and icnsutils). The outputs are committed.
set -euo pipefail
cd "$(dirname "$0")/../icons"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32 48 64 128 256 512; do rsvg-convert -w $s -h $s icon.svg -o "$tmp/$s.png"; done
cp "$tmp/32.png" 32x32.png; cp "$tmp/128.png" 128x128.png
cp "$tmp/256.png" 128x128@2x.png; cp "$tmp/512.png" icon.png
/usr/bin/convert "$tmp"/{16,24,32,48,64,128,256}.png icon.ico
png2icns icon.icns "$tmp"/{32,128,256,512}.png >/dev/null
