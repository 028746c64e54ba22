#!/usr/bin/env bash
# Prints what the lock costs (issue 11), through watchword-cli in a
# throwaway gnome-keyring: the time to turn it on for 50 and 500 accounts
# (Argon2id calibrated to about half a second, then every item sealed),
# to unlock and read every account (`export`, the same reads the window
# makes at start), the same read with the lock off, and one code, each the
# median of RUNS. Figures only: nothing here passes or fails on time.
#   scripts/bench_lock.sh                  # the debug build of this tree
#   PROFILE=release scripts/bench_lock.sh  # the release build (slow to build)
#   SIZES="50" RUNS=3 scripts/bench_lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=${CARGO_TARGET_DIR:-$PWD/target}

if [ -z "${WATCHWORD_BENCH_INSIDE:-}" ]; then
  profile=${PROFILE:-debug}
  flag=""; [ "$profile" = release ] && flag="--release"
  cargo build -q $flag -p watchword-cli
  export WATCHWORD_BENCH_BIN="$target/$profile/watchword-cli"
  export WATCHWORD_BENCH_INSIDE=1
  echo "profile: $profile"
  env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
    dbus-run-session -- bash scripts/session.sh bash "$0" 2> >(grep -v 'fd limit' >&2)
  exit 0
fi

runs=${RUNS:-3}
sizes=${SIZES:-50 500}
bin=$WATCHWORD_BENCH_BIN
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Milliseconds `$@` takes, its standard input from the variable `input`.
time_ms() {
  local start end
  start=$(date +%s%N)
  printf '%s' "$input" | "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
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

printf '%-9s %12s %16s %16s %12s\n' accounts "lock on" "unlock + read" "read, no lock" "code"
for n in $sizes; do
  on=(); open=(); plain=(); code=()
  for run in $(seq 1 "$runs"); do
    dir="$scratch/$n-$run"
    mkdir -p "$dir"
    export WATCHWORD_DATA_DIR="$dir/data" WATCHWORD_KEYCHAIN_SERVICE="watchword-bench-lock-$n-$run-$$"
    accounts "$n" > "$dir/accounts.txt"
    "$bin" import "$dir/accounts.txt" >/dev/null 2>&1
    input="" plain+=("$(time_ms "$bin" export --format uris)")
    input=$'bench password\n' on+=("$(time_ms "$bin" lock on --password-stdin)")
    input=$'bench password\n' open+=("$(time_ms "$bin" --lock-password-stdin export --format uris)")
    first=$(head -1 "$dir/accounts.txt" | sed 's/.*issuer=//')
    input=$'bench password\n' code+=("$(time_ms "$bin" --lock-password-stdin code "$first")")
    secret-tool clear service "$WATCHWORD_KEYCHAIN_SERVICE" >/dev/null 2>&1 || true
  done
  printf '%-9s %10s ms %14s ms %14s ms %10s ms\n' "$n" \
    "$(printf '%s\n' "${on[@]}" | median)" \
    "$(printf '%s\n' "${open[@]}" | median)" \
    "$(printf '%s\n' "${plain[@]}" | median)" \
    "$(printf '%s\n' "${code[@]}" | median)"
done
