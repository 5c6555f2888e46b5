#!/usr/bin/env bash
# `docker run --init` with INIT as the init: a private dockerd from Debian's
# docker.io (its own data, exec root, socket and cgroup parent; no bridge,
# no iptables, vfs storage) with --init-path pointing at INIT through a link
# named docker-init, as docker.io installs it (/usr/bin/docker-init ->
# tini-static), so that INIT is run by that name both in the container
# (/sbin/docker-init) and by `docker info` (docker-init --version). The
# checks are tini 0.19.0's behaviour, what Docker's own builds ship:
# exit statuses (127 and 126 for programs that cannot be run), `docker stop`
# reaching the entrypoint alone, `docker kill -s USR1`, orphans reaped, and
# `docker info` reading the version. packaging/tests/engine-init.sh holds
# the checks; docs/containers.md explains them.
#
#   [INIT=/usr/bin/tini-static] bash packaging/tests/docker-init.sh
#
# INIT defaults to Debian's tini-static, which passes every check; point it
# at our static build to check ours as docker-init.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/engine-init.sh"
engine_namespaces "$0" "$@"
. "$here/lib.sh"
require_root
export LC_ALL=C

INIT=$(realpath "${INIT:-/usr/bin/tini-static}")
# Debian's client and daemon by their paths: another `docker` on PATH may be
# a client of another version.
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
for file in "$DOCKER" "$DOCKERD" "$INIT"; do
    if [ ! -x "$file" ]; then
        fail "$file is installed" "make deps (tools/install-test-deps.sh) installs docker.io"
        summary
        exit 1
    fi
done
if [ "${DUMB_INIT_RS_ENGINE_NAMESPACES:-}" != 1 ]; then
    fail "running in a PID and mount namespace of its own" "needs root, unshare and tini"
    summary
    exit 1
fi

D=$WORK/docker
mkdir -p "$D"/{data,exec,etc-docker,run,bin,client}
ln -s "$INIT" "$D/bin/docker-init"
CGROUP_PARENT=dumb-init-rs-test-${WORK##*.}

# What dockerd writes outside its --data-root and --exec-root stays in this
# mount namespace: /run (containerd's and dockerd's default sockets and
# plugin directory; an empty /run also keeps it from using a containerd the
# machine may run) and /etc/docker (its key.json).
mount -t tmpfs -o mode=755 dumb-init-rs-test-run /run
mount --bind "$D/etc-docker" /etc/docker 2>/dev/null || fail "bind mount over /etc/docker (docker.io makes it)"

# docker_cleanup: every container, then the daemon (SIGTERM, SIGKILL after
# 20 s) and the containerd it started, then the cgroups; lib.sh's cleanup
# then unmounts and removes $WORK.
docker_cleanup() {
    local pid
    if [ -S "$D/sock" ]; then
        # shellcheck disable=SC2046 # one ID a word
        timeout 60 "$DOCKER" -H "unix://$D/sock" rm -f $(timeout 20 "$DOCKER" -H "unix://$D/sock" ps -aq) >/dev/null 2>&1
    fi
    if [ -n "${DOCKERD_PID:-}" ]; then
        kill -TERM "$DOCKERD_PID" 2>/dev/null
        wait_until 20 sh -c "! kill -0 $DOCKERD_PID" || kill -KILL "$DOCKERD_PID" 2>/dev/null
        wait "$DOCKERD_PID" 2>/dev/null
    fi
    # Its containerd and shims, if any outlived it.
    for pid in $(pgrep -f -- "$D/exec/"); do kill -KILL "$pid" 2>/dev/null; done
    find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -depth -type d \
        \( -name "$CGROUP_PARENT" -o -path "*/$CGROUP_PARENT/*" \) -exec rmdir {} + 2>/dev/null
    return 0
}
trap 'docker_cleanup; cleanup' EXIT

start=$SECONDS
"$DOCKERD" --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" -H "unix://$D/sock" \
    --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --cgroup-parent "$CGROUP_PARENT" --init-path="$D/bin/docker-init" \
    </dev/null >"$D/dockerd.log" 2>&1 &
DOCKERD_PID=$!
# The client's configuration (~/.docker) stays here too.
export DOCKER_CONFIG=$D/client
# What engine-init.sh's checks run.
# shellcheck disable=SC2034 # read there
{
    ENGINE_NAME=docker
    ENGINE=("$DOCKER" -H "unix://$D/sock")
    ENGINE_RUN=(--network none)
    ENGINE_INIT=(--init)
    INIT_MOUNT=/sbin/docker-init
}
if wait_until 60 eng version >/dev/null; then
    ok "dockerd $("$DOCKERD" --version | awk '{print $3}' | tr -d ,) answers on its own socket ($((SECONDS - start)) s)"
else
    fail "dockerd starts" "$(tail -n 20 "$D/dockerd.log")"
    summary
    exit 1
fi
echo "INIT=$INIT, run as docker-init"

# 1. docker info and the version it reads from docker-init --version.
docker_info_checks "$D/bin/docker-init" "$D/dockerd.log" "$D/bin/docker-init" --version

# 2. The image, then the checks: tini's statuses and signals.
init_image localhost/dumb-init-rs-test/busybox-static || { summary; exit 1; }
pid1_checks "docker run --init"
exit_checks "docker run --init" 127 126
stop_checks "docker run --init" no
# Control: the same entrypoint with tini's -g through its environment
# variable: the background job hears it too, so the check above can fail.
stop_checks "docker run --init -e TINI_KILL_PROCESS_GROUP=1 (control)" yes -e TINI_KILL_PROCESS_GROUP=1
zombie_checks "docker run --init" 0 "${ENGINE_INIT[@]}"
# Control: no init, sleep is process 1 and reaps nothing.
zombie_checks "docker run without --init (control)" 3

summary
