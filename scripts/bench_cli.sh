#!/usr/bin/env bash
# Prints how long `watchword-cli` takes with many accounts (issue 13):
# `code QUERY`, `list`, `add` and `remove`, each the median of 5 runs, with
# 50 and with 500 accounts, each in a throwaway gnome-keyring; then a full load of
# 500 accounts by the core, batched against one item at a time.
# Figures only: nothing here passes or fails on time.
#   scripts/bench_cli.sh                    # the debug build of this tree
#   scripts/bench_cli.sh /path/to/watchword-cli …   # those binaries instead
#   PROFILE=release scripts/bench_cli.sh    # the release build (slow to build)
#   SIZES="50" RUNS=3 scripts/bench_cli.sh  # fewer
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ -z "${WATCHWORD_BENCH_INSIDE:-}" ]; then
  profile=${PROFILE:-debug}
  flag=""; [ "$profile" = release ] && flag="--release"
  if [ $# -eq 0 ]; then
    cargo build -q $flag -p watchword-cli
    set -- "$PWD/target/$profile/watchword-cli"
  fi
  # The core's load figure, built before the session starts.
  if [ -f crates/core/examples/load_figures.rs ]; then
    cargo build -q $flag -p watchword-core --example load_figures
    export WATCHWORD_BENCH_EXAMPLE="$PWD/target/$profile/examples/load_figures"
  fi
  export WATCHWORD_BENCH_INSIDE=1
  # The D-Bus session outermost and without a display, as in scripts/test.sh.
  session() {
    env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
      dbus-run-session -- bash scripts/session.sh bash "$0" "$@" 2> >(grep -v 'fd limit' >&2)
  }
  printf '%-40s %5s %8s %8s %8s %8s\n' binary N "code" list add remove
  # Each binary and size with a keyring of its own: gnome-keyring rewrites
  # its whole file at every change, so the items of an earlier row would
  # slow the later ones down.
  for bin in "$@"; do
    for n in ${SIZES:-50 500}; do
      SIZES=$n session "$bin"
    done
  done
  if [ -x "${WATCHWORD_BENCH_EXAMPLE:-}" ]; then
    echo
    session
  fi
  exit 0
fi

runs=${RUNS:-5}
sizes=${SIZES:-50 500}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Milliseconds one command takes, its output thrown away.
time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# A random base32 key, different for each account (an account with the same
# key and issuer would be refused as a duplicate).
key() { head -c 20 /dev/urandom | base32 | tr -d '='; }

# With no binary: the core's full-load figure.
if [ $# -eq 0 ]; then
  "$WATCHWORD_BENCH_EXAMPLE" 500 "$runs"
  exit 0
fi

for bin in "$@"; do
  for n in $sizes; do
    run="$scratch/$(basename "$bin")-$n-$RANDOM"
    mkdir -p "$run"
    export WATCHWORD_DATA_DIR="$run/data" WATCHWORD_KEYCHAIN_SERVICE="watchword-bench-$RANDOM$RANDOM"
    # The accounts go in through one import (one lock, one load).
    for i in $(seq -w 1 "$n"); do
      echo "otpauth://totp/Bench$i:user$i@example.com?secret=$(key)&issuer=Bench$i"
    done >"$run/accounts.txt"
    "$bin" import "$run/accounts.txt" >/dev/null 2>&1
    rm "$run/accounts.txt"
    query=Bench$(printf "%0${#n}d" $((n / 2)))
    code=(); list=(); add=(); remove=()
    for _ in $(seq "$runs"); do
      code+=("$(time_ms "$bin" code "$query")")
      list+=("$(time_ms "$bin" list)")
      key >"$run/key"
      add+=("$(time_ms "$bin" add --issuer Extra --account extra <"$run/key")")
      remove+=("$(time_ms "$bin" remove Extra)")
    done
    printf '%-40s %5s %6sms %6sms %6sms %6sms\n' "$(basename "$(dirname "$bin")")/$(basename "$bin")" "$n" \
      "$(printf '%s\n' "${code[@]}" | median)" "$(printf '%s\n' "${list[@]}" | median)" \
      "$(printf '%s\n' "${add[@]}" | median)" "$(printf '%s\n' "${remove[@]}" | median)"
    unset WATCHWORD_DATA_DIR WATCHWORD_KEYCHAIN_SERVICE
  done
done
