#!/usr/bin/env bash
# Inside a private D-Bus session (made by scripts/test.sh or bench.sh):
# starts a throwaway gnome-keyring, unlocked, and an Xvfb display, then
# runs the command given as arguments.
set -euo pipefail

scratch=$(mktemp -d)
cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  if [ -n "${keyring_pid:-}" ]; then
    # gnome-keyring-daemon has been seen to die under the tests (a fatal
    # GLib error in the daemon); D-Bus then starts a locked one that asks
    # for a password nobody can type, and every later keyring test fails.
    # Said here with the daemon's own last words, so a red run says why.
    # A daemon replaced on purpose (`--replace`, as store_locked's test
    # does) exits cleanly: only a death by a signal is reported.
    if ! kill -0 "$keyring_pid" 2>/dev/null; then
      status=0
      wait "$keyring_pid" 2>/dev/null || status=$?
      if [ "$status" -gt 128 ]; then
        echo "== session.sh: gnome-keyring-daemon (pid $keyring_pid) died of signal $((status - 128)) during the run; its last messages:" >&2
        tail -n 30 "$scratch/keyring.log" | sed 's/^/   /' >&2 || true
      fi
    fi
    kill "$keyring_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# A throwaway keyring, unlocked with a known password, never the user's own.
export XDG_DATA_HOME="$scratch/share" XDG_CONFIG_HOME="$scratch/config" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# Services D-Bus starts on demand (the accessibility bus, for one) get the
# same private folders: without them at-spi's bus would sit at
# ~/.cache/at-spi/bus, shared with every other session on the machine, and
# a second test run (or CI beside a developer's run) would take it away.
dbus-update-activation-environment XDG_RUNTIME_DIR XDG_DATA_HOME XDG_CONFIG_HOME
# In the foreground, so that its messages (a GLib error before it dies)
# are kept in $scratch/keyring.log and its pid is known; the password on
# standard input unlocks the login keyring.
gnome-keyring-daemon --foreground --unlock --components=secrets \
  < <(printf 'watchword-test') >/dev/null 2>"$scratch/keyring.log" &
keyring_pid=$!
export GNOME_KEYRING_CONTROL="$XDG_RUNTIME_DIR/keyring"
# The daemon claims org.freedesktop.secrets a moment after --unlock returns.
# A probe sent before that has D-Bus start a second, locked daemon of its
# own (which wins the name and asks for a password nobody can type): on a
# busy machine that is most runs. So first wait for the name, asking in a
# way that starts nothing (bounded: 10 s).
for _ in $(seq 100); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
    grep -q true && break
  sleep 0.1
done
# Prove the Secret Service answers before anything relies on it. The daemon
# makes its login collection after it has answered --unlock; a store that
# comes first finds no collection ("Object does not exist at path"), so
# wait for the state: a stored item that reads back (bounded: 5 s).
for _ in $(seq 50); do
  printf probe | timeout 20 secret-tool store --label=probe watchword-probe probe 2>/dev/null || true
  [ "$(timeout 20 secret-tool lookup watchword-probe probe 2>/dev/null)" = probe ] && break
  sleep 0.1
done
[ "$(timeout 20 secret-tool lookup watchword-probe probe)" = probe ] || {
  echo "gnome-keyring did not come up unlocked" >&2; exit 1; }
timeout 20 secret-tool clear watchword-probe probe

# Only now a display: Xvfb inside the session.
display=:$((90 + RANDOM % 500))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$scratch/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

export RUST_BACKTRACE=1
"$@"
