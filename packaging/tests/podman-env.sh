# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source it
# Podman with a state of its own, for packaging/tests/containers.sh and
# examples/container-demo.sh (bash; sourced). Nothing of the machine's
# podman state is written (podman reads only the packages' own
# /etc/containers/policy.json and seccomp profile): storage (vfs), run and
# lock files, events and network configuration live under $WORK/podman,
# and the places this podman (Debian's 4.3) writes to whatever it is told
# (its blob-info cache in /var/lib/containers/cache, the short-name alias
# cache in /var/cache/containers, runc's state in /run/runc, image
# configurations passing through /var/tmp) are covered by bind mounts seen
# only by the test's own mount namespace.
#
# What podman needs on these machines, each explained where it is set:
# vfs storage, the cgroupfs manager, runc, file events and locks, no network
# and explicit rlimits for `podman run`.

# podman_namespaces SCRIPT ARGS...: runs SCRIPT again (unless this is that
# run) in new PID and mount namespaces, with tini as process 1. conmon
# daemonizes, so its parent becomes process 1: tini reaps it (the machine's
# own process 1 does not reap promptly), and when the script ends, process 1
# ends and the kernel kills whatever is left in the namespace. If unshare is
# killed, tini gets SIGTERM and (-g) passes it to the script's process
# group, so that the script's EXIT trap still removes what it made. Call it
# before sourcing lib.sh (exec does not run lib.sh's EXIT trap). Without
# root, podman or tini it returns and the script goes on, to report what is
# missing.
podman_namespaces() {
    [ "${DUMB_INIT_RS_PODMAN_NAMESPACES:-}" = 1 ] && return 0
    [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v tini >/dev/null || return 0
    export DUMB_INIT_RS_PODMAN_NAMESPACES=1
    exec unshare --pid --fork --kill-child=SIGTERM --mount-proc --propagation private tini -g -- bash "$@"
}

PODMAN_BIND_MOUNTS=()
PODMAN_MADE_DIRS=()

# podman_setup: points podman (this shell and its children) at $WORK/podman.
podman_setup() {
    PODMAN_DIR=$WORK/podman
    # Relative, so runc places each container's cgroups below its own (the
    # session's) cgroup rather than in a libpod_parent at the top of each
    # hierarchy; podman_cleanup removes the directories.
    PODMAN_CGROUP_PARENT=dumb-init-rs-test-${WORK##*.}
    mkdir -p "$PODMAN_DIR"/{root,runroot,tmp,cni,volumes,blob-cache,alias-cache,runc,var-tmp}
    chmod 1777 "$PODMAN_DIR/var-tmp"
    # cgroupfs: no systemd here. runc: crun refuses this machine's hybrid
    # cgroup v1 layout. events and locks in files of our own: no journald,
    # and the default shm lock segment (/dev/shm/libpod_lock) is shared by
    # every podman on the machine. pull_policy never: no registry is
    # reachable, and nothing may be fetched by accident.
    cat >"$PODMAN_DIR/containers.conf" <<EOF
[containers]
cgroups = "no-conmon"

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
events_logfile_path = "$PODMAN_DIR/events.log"
lock_type = "file"
tmp_dir = "$PODMAN_DIR/tmp"
volume_path = "$PODMAN_DIR/volumes"
image_copy_tmp_dir = "$PODMAN_DIR/tmp"
pull_policy = "never"

[network]
network_config_dir = "$PODMAN_DIR/cni"
EOF
    # vfs: works on any file system and kernel and mounts nothing.
    cat >"$PODMAN_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$PODMAN_DIR/root"
runroot = "$PODMAN_DIR/runroot"
EOF
    # No search registries: a short image name never turns into a pull.
    : >"$PODMAN_DIR/registries.conf"
    export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
    export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
    export CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf
    podman_bind "$PODMAN_DIR/blob-cache" /var/lib/containers
    podman_bind "$PODMAN_DIR/alias-cache" /var/cache/containers
    podman_bind "$PODMAN_DIR/runc" /run/runc
    case $WORK in
    /var/tmp/*) ;; # (the bind would hide $WORK itself)
    *) podman_bind "$PODMAN_DIR/var-tmp" /var/tmp ;;
    esac
}

# podman_bind DIR TARGET: DIR over TARGET in this mount namespace only,
# making TARGET (an empty directory) first if the machine has none.
podman_bind() {
    if [ ! -d "$2" ]; then
        mkdir -p "$2" && PODMAN_MADE_DIRS+=("$2")
    fi
    mount --bind "$1" "$2" && PODMAN_BIND_MOUNTS+=("$2")
}

# pm ARGS...: podman, bounded in time (no step here needs a minute).
pm() { TMPDIR=$PODMAN_DIR/tmp timeout 120 podman "$@"; }

# How a container is run here. The network is none: the rootful default
# (a CNI bridge) would add a bridge and iptables rules to the host, and
# slirp4netns/pasta are for rootless podman; the container keeps a network
# namespace of its own with loopback, where the tests reach its server. The
# rlimits: podman's defaults are refused on these machines ("error setting
# rlimit ... operation not permitted").
PODMAN_RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# How an image is built: the same network; --layers=false commits each build
# as one layer (vfs copies the whole tree for every layer).
PODMAN_BUILD=(--pull=never --network none --layers=false)

# podman_remove_all: every container and image (all of them are ours) and
# the containers' cgroups.
podman_remove_all() {
    [ -n "${PODMAN_DIR:-}" ] || return 0
    pm rm --all --force --time 0 >/dev/null 2>&1
    pm rmi --all --force >/dev/null 2>&1
    find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -depth -type d \
        \( -name "$PODMAN_CGROUP_PARENT" -o -path "*/$PODMAN_CGROUP_PARENT/*" \) \
        -exec rmdir {} + 2>/dev/null
    return 0
}

# podman_cleanup: podman_remove_all, then the bind mounts and the
# directories made for them.
podman_cleanup() {
    local target
    [ -n "${PODMAN_DIR:-}" ] || return 0
    podman_remove_all
    for target in "${PODMAN_BIND_MOUNTS[@]}"; do umount "$target" 2>/dev/null; done
    PODMAN_BIND_MOUNTS=()
    for target in "${PODMAN_MADE_DIRS[@]}"; do rmdir "$target" 2>/dev/null; done
    PODMAN_MADE_DIRS=()
    return 0
}

# podman_left: what podman still holds ("N containers, N images").
podman_left() {
    echo "$(pm ps --all --quiet | wc -l) containers, $(pm images --all --quiet | wc -l) images"
}

# podman_start NAME ARGS...: `podman run -d` with this machine's options;
# ARGS are podman run's (image, command).
podman_start() {
    local name=$1
    shift
    pm run -d --name "$name" --cgroup-parent "$PODMAN_CGROUP_PARENT" "${PODMAN_RUN[@]}" "$@" >/dev/null
}

# podman_build LOG ARGS...: `podman build` with this machine's options, the
# output in LOG (shown on failure).
podman_build() {
    local log=$1
    shift
    logged "$log" pm build --cgroup-parent "$PODMAN_CGROUP_PARENT" "${PODMAN_BUILD[@]}" "$@"
}

# container_pid NAME: the host PID of the container's process 1.
container_pid() { pm inspect --format '{{.State.Pid}}' "$1" 2>/dev/null | grep -v '^0$'; }

# logs_have NAME PATTERN: the container's output has a line matching PATTERN.
logs_have() { pm logs "$1" 2>&1 | grep -q -- "$2"; }

# timed_stop NAME: `podman stop NAME` (its default 10 s timeout); sets
# STOP_SECONDS to the time it took, STOP_KILLED to 1 when podman said it
# resorted to SIGKILL, and EXIT_CODE to the exit code from podman inspect.
timed_stop() {
    local start end
    start=$(date +%s%N)
    pm stop "$1" >/dev/null 2>"$WORK/stop-$1.err"
    end=$(date +%s%N)
    STOP_SECONDS=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')
    STOP_KILLED=0
    grep -q "resorting to SIGKILL" "$WORK/stop-$1.err" && STOP_KILLED=1
    EXIT_CODE=$(pm inspect --format '{{.State.ExitCode}}' "$1")
}
