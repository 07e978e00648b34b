#!/usr/bin/env bash
# Run CMD... with a real, unlocked Secret Service (gnome-keyring) on a private
# D-Bus session bus, so that python `keyring` picks
# keyring.backends.SecretService.Keyring and can store and read passwords.
#
#   tests/with_secret_service.sh CMD [ARGS...]
#
# Nothing outside this run is touched: the bus is private (dbus-run-session),
# the keyring files live in a temporary directory that is removed afterwards,
# and the daemon is stopped when CMD ends. The exit status is CMD's.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

# Step 1: re-enter this script inside a fresh session bus.
if [[ -z "${_TRELLIS_SECRET_SERVICE_BUS:-}" ]]; then
    for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$0: '$tool' not found (apt-get install dbus gnome-keyring)" >&2
            exit 127
        fi
    done
    export _TRELLIS_SECRET_SERVICE_BUS=1
    exec dbus-run-session -- bash "$0" "$@"
fi
unset _TRELLIS_SECRET_SERVICE_BUS

# Step 2: start gnome-keyring-daemon with only the secrets component, its
# login keyring created and unlocked with a fixed test password read on stdin.
KEYRING_TMP="$(mktemp -d "${TMPDIR:-/tmp}/trellis-keyring.XXXXXX")"
chmod 700 "$KEYRING_TMP"
mkdir -m 700 -p "$KEYRING_TMP/data" "$KEYRING_TMP/runtime"
KEYRING_PID=""

cleanup() {
    if [[ -n "$KEYRING_PID" ]]; then
        if ! kill "$KEYRING_PID" 2>/dev/null; then
            echo "$0: warning: gnome-keyring-daemon had stopped before the command ended" >&2
            cat "$KEYRING_TMP/log" >&2
        fi
        wait "$KEYRING_PID" 2>/dev/null || true
    fi
    rm -rf "$KEYRING_TMP"
}
trap cleanup EXIT

printf '%s' "trellis-test-keyring" |
    XDG_DATA_HOME="$KEYRING_TMP/data" XDG_RUNTIME_DIR="$KEYRING_TMP/runtime" \
    gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$KEYRING_TMP/log" 2>&1 &
KEYRING_PID=$!

# Ready once it owns org.freedesktop.secrets on the bus. Waiting matters:
# a client that came first would make D-Bus activate a second, locked daemon.
secrets_owned() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 1 100); do
    secrets_owned && break
    kill -0 "$KEYRING_PID" 2>/dev/null || break
    sleep 0.1
done
if ! secrets_owned; then
    echo "$0: gnome-keyring-daemon did not start:" >&2
    cat "$KEYRING_TMP/log" >&2
    exit 1
fi
export GNOME_KEYRING_CONTROL="$KEYRING_TMP/runtime/keyring"

# Step 3: run the command; keep its exit status.
set +e
"$@"
status=$?
set -e
exit "$status"
