#!/usr/bin/env bash
# Prints what automatic backups cost (issue 10): the time to write and
# verify one backup of 50 and 500 accounts through the store (encrypt,
# write, flush, read back, decrypt, compare, prune; median of RUNS), the
# same as `watchword-cli backup now` takes from a terminal, and the number
# of backups a 300-account import writes (one). Each in a throwaway
# gnome-keyring. Figures only: nothing here passes or fails on time.
#   scripts/bench_backup.sh                  # the debug build of this tree
#   PROFILE=release scripts/bench_backup.sh  # the release build (slow to build)
#   SIZES="50" RUNS=3 scripts/bench_backup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=${CARGO_TARGET_DIR:-$PWD/target}

if [ -z "${WATCHWORD_BENCH_INSIDE:-}" ]; then
  profile=${PROFILE:-debug}
  flag=""; [ "$profile" = release ] && flag="--release"
  cargo build -q $flag -p watchword-cli
  cargo build -q $flag -p watchword-core --example backup_figures
  export WATCHWORD_BENCH_BIN="$target/$profile/watchword-cli"
  export WATCHWORD_BENCH_EXAMPLE="$target/$profile/examples/backup_figures"
  export WATCHWORD_BENCH_INSIDE=1
  echo "profile: $profile"
  env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
    dbus-run-session -- bash scripts/session.sh bash "$0" 2> >(grep -v 'fd limit' >&2)
  exit 0
fi

runs=${RUNS:-5}
sizes=${SIZES:-50 500}
bin=$WATCHWORD_BENCH_BIN
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
key() { head -c 20 /dev/urandom | base32 | tr -d '='; }
accounts() {
  for i in $(seq -w 1 "$1"); do
    echo "otpauth://totp/Bench$i:user$i@example.com?secret=$(key)&issuer=Bench$i"
  done
}
backups() { find "$1" -maxdepth 1 -name 'watchword-backup-*.json' | wc -l; }

echo "Through the store (core):"
for n in $sizes; do
  "$WATCHWORD_BENCH_EXAMPLE" "$n" "$runs"
done

echo "From a terminal (watchword-cli backup now: start, keychain read, backup):"
for n in $sizes; do
  run="$scratch/cli-$n"
  mkdir -p "$run/out"
  export WATCHWORD_DATA_DIR="$run/data" WATCHWORD_KEYCHAIN_SERVICE="watchword-bench-$RANDOM$RANDOM"
  accounts "$n" >"$run/accounts.txt"
  "$bin" import "$run/accounts.txt" >/dev/null 2>&1
  echo "bench password" | "$bin" backup setup --dir "$run/out" --password-stdin 2>/dev/null
  times=()
  for _ in $(seq "$runs"); do
    times+=("$(time_ms "$bin" backup now)")
  done
  printf 'backup now, %4s accounts: %5s ms (median of %s)\n' "$n" \
    "$(printf '%s\n' "${times[@]}" | median)" "$runs"
  unset WATCHWORD_DATA_DIR WATCHWORD_KEYCHAIN_SERVICE
done

echo "Coalescing:"
run="$scratch/import"
mkdir -p "$run/out"
export WATCHWORD_DATA_DIR="$run/data" WATCHWORD_KEYCHAIN_SERVICE="watchword-bench-$RANDOM$RANDOM"
echo "bench password" | "$bin" backup setup --dir "$run/out" --password-stdin 2>/dev/null
before=$(backups "$run/out")
accounts 300 >"$run/accounts.txt"
ms=$(time_ms "$bin" import "$run/accounts.txt")
after=$(backups "$run/out")
echo "importing 300 accounts: $ms ms; backups in the folder before: $before, after: $after ($((after - before)) written)"
