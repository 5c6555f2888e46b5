#!/usr/bin/env bash
# Socket activation through podman: podman, started the way systemd starts a
# socket-activated service (LISTEN_FDS=1 with the listening socket on
# descriptor 3, LISTEN_PID naming podman), passes the socket to the
# container and sets LISTEN_PID to 1 there, the container's process 1:
# dumb-init. With --socket-activation the command behind it gets LISTEN_PID
# naming itself, as sd_listen_fds() wants, and the socket; without it,
# LISTEN_PID still names dumb-init and the command would not take the
# socket. Python stands in for systemd, which these machines do not run.
#
#   bash packaging/tests/socket-activation.sh
#
# The image is a busybox-static root with the shipped build (STATIC_BIN) at
# /usr/bin/dumb-init; podman's state is the test's own (podman-env.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/podman-env.sh"
podman_namespaces "$0" "$@"
. "$here/lib.sh"
require_root
trap 'podman_cleanup; cleanup' EXIT
podman_setup
IMG=localhost/dumb-init-rs-test/socket-activation

root=$WORK/root
busybox_root "$root"
if tar -C "$root" --numeric-owner -c . | pm import - "$IMG" >"$WORK/import.log" 2>&1; then
    ok "podman import: a busybox-static root with $(basename "$STATIC_BIN")"
else
    fail "podman import: a busybox-static root" "$(cat "$WORK/import.log")"
    summary
    exit 1
fi

# activated OUT DUMB_INIT_OPTIONS...: podman run, handed a listening socket
# on descriptor 3 as systemd hands one; the command prints its PID,
# LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES and what descriptor 3 is.
activated() {
    local out=$1
    shift
    python3 - "$out" "$@" <<'PY'
import os, socket, sys
out, options = sys.argv[1], sys.argv[2:]
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
os.dup2(listener.fileno(), 3)
os.set_inheritable(3, True)
# The socket's inode, as /proc/PID/fd/3 shows it in the container.
with open(out + ".inode", "w") as f:
    f.write("socket:[%d]\n" % os.fstat(3).st_ino)
report = ('echo "me=$$ LISTEN_PID=$LISTEN_PID LISTEN_FDS=$LISTEN_FDS '
          'LISTEN_FDNAMES=$LISTEN_FDNAMES"; readlink /proc/self/fd/3')
os.environ.update(LISTEN_FDS="1", LISTEN_FDNAMES="web", LISTEN_PID=str(os.getpid()))
with open(out, "w") as f:
    os.dup2(f.fileno(), 1)
os.execvp("timeout", ["timeout", "60", "podman", "run", "--rm",
    "--cgroup-parent", os.environ["PODMAN_CGROUP_PARENT"],
    "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
    os.environ["IMG"], "/usr/bin/dumb-init", *options, "sh", "-c", report])
PY
}
export PODMAN_CGROUP_PARENT IMG

TMPDIR=$PODMAN_DIR/tmp activated "$WORK/with" --socket-activation 2>"$WORK/with.err"
expect_eq "podman run: the container ran" 0 "$?"
line=$(head -n 1 "$WORK/with")
pid=${line#me=}
pid=${pid%% *}
expect_eq "with --socket-activation, LISTEN_PID names the command" \
    "me=$pid LISTEN_PID=$pid LISTEN_FDS=1 LISTEN_FDNAMES=web" "$line"
expect_eq "with --socket-activation, the command has podman's socket on descriptor 3" \
    "$(cat "$WORK/with.inode")" "$(sed -n 2p "$WORK/with")"

TMPDIR=$PODMAN_DIR/tmp activated "$WORK/without" 2>"$WORK/without.err"
line=$(head -n 1 "$WORK/without")
expect_eq "without it, LISTEN_PID still names process 1, dumb-init, as podman set it" \
    "LISTEN_PID=1 LISTEN_FDS=1 LISTEN_FDNAMES=web" "${line#me=* }"

summary
