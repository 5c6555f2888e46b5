# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source it
# Shared by the package tests (bash; sourced, not run). Counts checks, builds
# busybox roots, runs OCI containers with runc, and cleans up everything it
# started when the script exits, whatever way it exits.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATIC_BIN=${STATIC_BIN:-$TOP/target/x86_64-unknown-linux-musl/release/dumb-init}
CARGO_VERSION=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$TOP/Cargo.toml")

passed=0
failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumb-init-rs-pkgtest.XXXXXX")
RUNC_STATE=$WORK/runc-state
RUNC_IDS=()
BACKGROUND_PIDS=()

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL - $1${2:+: $2}"
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_eq NAME WANTED GOT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "wanted '$2', got '$3'"; fi
}

# expect_grep NAME PATTERN FILE: passes when FILE has a line matching PATTERN.
expect_grep() {
    if grep -q -- "$2" "$3"; then
        ok "$1"
    else
        fail "$1" "no line matching '$2' in $3:"
        sed 's/^/    | /' "$3"
    fi
}

summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

cleanup() {
    local id pid
    for id in "${RUNC_IDS[@]}"; do
        runc --root "$RUNC_STATE" delete -f "$id" >/dev/null 2>&1 || true
    done
    # Each background job is `timeout` over unshare or runc: SIGTERM makes
    # timeout pass it on, unshare dies and --kill-child takes process 1 (and
    # with it the PID namespace) down; SIGKILL whatever is still there.
    for pid in "${BACKGROUND_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BACKGROUND_PIDS[@]}"; do
        if ! wait_until 3 sh -c "! kill -0 $pid"; then
            # shellcheck disable=SC2046 # one PID a word
            kill -KILL $(children "$pid") "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null || true
    done
    # Roots may hold mounts (proc) if a namespace died oddly; never follow
    # them out of the work directory.
    if [ -d "$WORK" ]; then
        findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
        rm -rf --one-file-system "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "$(basename "$0"): needs root (namespaces, chroot, runc)" >&2
        fail "running as root" "run make package-test as root"
        summary
        exit 1
    fi
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# returns 1 when time runs out.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# children PID: the PIDs of PID's children, one a line.
children() {
    cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}

# The process's name as the kernel records it (what ps shows).
comm_of() { cat /proc/"$1"/comm 2>/dev/null; }

# busybox_base DIR: a root file system with nothing but busybox-static (every
# applet linked in /bin, as an Alpine base or a busybox image has it).
busybox_base() {
    local dir=$1 applet
    mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/dev" "$dir/sys"
    chmod 1777 "$dir/tmp"
    cp /bin/busybox "$dir/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
    done
    # runc mounts a /dev of its own; under unshare --root the root's is used.
    mknod -m 666 "$dir/dev/null" c 1 3
}

# busybox_root DIR: busybox_base with our static binary as /usr/bin/dumb-init.
busybox_root() {
    busybox_base "$1"
    install -m 755 "$STATIC_BIN" "$1/usr/bin/dumb-init"
}

# runc_start ID ROOTFS OUTFILE [NAME=VALUE...] -- ARGS...: runs ARGS as the
# container's process 1 in a bundle made with `runc spec`, in the background
# (stdout and stderr to OUTFILE). Sets RUNC_PID to the runc process; its exit
# status is the container's. RUNC_NOFILE=SOFT:HARD in the environment gives
# the container that limit on open files instead of runc's 1024:1024.
runc_start() {
    local id=$1 rootfs=$2 out=$3 bundle
    shift 3
    local env=()
    while [ "$1" != -- ]; do env+=("$1"); shift; done
    shift
    bundle=$WORK/bundle-$id
    mkdir -p "$bundle"
    (cd "$bundle" && runc spec)
    python3 - "$bundle/config.json" "$rootfs" "${#env[@]}" "${env[@]}" "$@" <<'PY'
import json, os, sys
path, rootfs, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
env, args = sys.argv[4:4 + n], sys.argv[4 + n:]
config = json.load(open(path))
config["root"] = {"path": rootfs, "readonly": False}
process = config["process"]
process["terminal"] = False
process["args"] = args
process["env"] = process["env"] + env
# RUNC_NOFILE=SOFT:HARD: the limit on open files the container starts with
# (runc spec's default is 1024:1024).
nofile = os.environ.get("RUNC_NOFILE")
if nofile:
    soft, hard = (int(n) for n in nofile.split(":"))
    limits = [l for l in process.get("rlimits", []) if l["type"] != "RLIMIT_NOFILE"]
    process["rlimits"] = limits + [{"type": "RLIMIT_NOFILE", "soft": soft, "hard": hard}]
config["hostname"] = "pkgtest"
json.dump(config, open(path, "w"), indent=2)
PY
    RUNC_IDS+=("$id")
    timeout 60 runc --root "$RUNC_STATE" run --bundle "$bundle" "$id" </dev/null >"$out" 2>&1 &
    RUNC_PID=$!
    BACKGROUND_PIDS+=("$RUNC_PID")
}

# runc_init_pid ID: the host PID of the container's process 1, once running.
runc_init_pid() {
    runc --root "$RUNC_STATE" state "$1" 2>/dev/null |
        python3 -c '
import json, sys
try:
    state = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
if state["status"] != "running":
    sys.exit(1)
print(state["pid"])'
}

# wait_status PID: waits for a background job of this shell (at most its own
# timeout) and sets STATUS to its exit status. (Not in $(...): a subshell
# cannot wait for its parent's jobs.)
wait_status() {
    STATUS=0
    wait "$1" || STATUS=$?
}

# logged LOG COMMAND...: runs COMMAND with its output in LOG, shown on failure.
logged() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 && return 0
    sed 's/^/    | /' "$log"
    return 1
}

# serves PID URL PATTERN: URL, fetched from inside PID's network namespace,
# has a line matching PATTERN.
serves() {
    # (busybox-static 1.35's wget -T crashes; timeout bounds it instead.)
    timeout 3 nsenter --net=/proc/"$1"/ns/net /bin/busybox wget -q -O - "$2" | grep -q -- "$3"
}

# process_and_children PID: "name: child-name child-name ..." for PID.
process_and_children() {
    local child names=""
    for child in $(children "$1"); do names="$names $(comm_of "$child")"; done
    echo "$(comm_of "$1"):$names"
}

# run_as_pid1 ROOT OUT ARGS...: runs ARGS as process 1 of a new PID (and
# mount) namespace whose root directory is ROOT, with a clean environment, in
# the background. Sets UNSHARE_PID to the `timeout` job around unshare.
run_as_pid1() {
    local root=$1 out=$2
    shift 2
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        timeout 30 unshare --pid --fork --kill-child --mount-proc --root="$root" "$@" \
        >"$out" 2>&1 </dev/null &
    UNSHARE_PID=$!
    BACKGROUND_PIDS+=("$UNSHARE_PID")
    wait_until 5 pid1_of >/dev/null
}

# pid1_of: the host PID of the namespace's process 1 (timeout -> unshare ->
# process 1).
pid1_of() {
    local unshare pid1
    unshare=$(children "$UNSHARE_PID" | head -n 1)
    [ -n "$unshare" ] || return 1
    pid1=$(children "$unshare" | head -n 1)
    [ -n "$pid1" ] && echo "$pid1"
}

# stop_pid1: ends the run_as_pid1 job at once (SIGKILL to unshare; its
# --kill-child then kills process 1 and so the whole namespace).
stop_pid1() {
    local unshare
    unshare=$(children "$UNSHARE_PID" | head -n 1)
    [ -n "$unshare" ] && kill -KILL "$unshare" 2>/dev/null
    wait "$UNSHARE_PID" 2>/dev/null
    return 0
}

# apply_copies DOCKERFILE ROOT: carries out the final stage's COPY lines into
# ROOT, as `docker build` would, from the repository (the build context).
# A `--from=` stage based on a busybox image is served by the host's
# busybox-static, the same program.
apply_copies() {
    local dockerfile=$1 root=$2 stage source dest target file
    while IFS=$'\t' read -r stage source dest; do
        if [ "$stage" = - ]; then
            # shellcheck disable=SC2086 # a COPY source may be a glob
            set -- $TOP/$source
        elif python3 "$TOP/packaging/tests/dockerfile.py" bases "$dockerfile" | grep "^$stage"$'\t'busybox >/dev/null; then
            set -- /bin/busybox
        else
            fail "COPY --from=$stage $source in $(basename "$dockerfile")" "no stand-in for stage $stage"
            continue
        fi
        for file in "$@"; do
            if [ ! -e "$file" ]; then
                fail "COPY $source in $(basename "$dockerfile")" "$file does not exist"
            elif [ -d "$file" ]; then
                mkdir -p "$root$dest" && cp -a "$file/." "$root$dest/"
            else
                target=$root$dest
                [ "${dest%/}" != "$dest" ] && target=$target$(basename "$file")
                mkdir -p "$(dirname "$target")" && cp -p "$file" "$target"
            fi
        done
    done < <(python3 "$TOP/packaging/tests/dockerfile.py" copies "$dockerfile")
}

# The Debian root the package tests share: debian-root.sh installs the .deb
# into it, containers.sh imports it as an image. Debootstrapped once, cached
# as a tarball between runs.
SUITE=${SUITE:-bookworm}
CACHE=${DUMB_INIT_RS_TEST_CACHE:-/var/cache/dumb-init-rs-test}

# The mirror apt uses on this machine, from deb822 .sources or one-line .list
# files; DEBOOTSTRAP_MIRROR overrides it.
host_mirror() {
    python3 - "$SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/* <<'PY'
import sys
suite, paths = sys.argv[1], sys.argv[2:]
for path in paths:
    try:
        text = open(path).read()
    except OSError:
        continue
    if path.endswith(".sources"):
        for stanza in text.split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                if line[:1] not in ("#", " ", "\t", "") and ":" in line:
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.split()
            if "deb" in fields.get("types", []) and suite in fields.get("suites", []):
                print(fields["uris"][0]); sys.exit()
    elif path.endswith(".list"):
        for line in text.splitlines():
            words = [w for w in line.split() if not w.startswith("[")]
            if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                print(words[1]); sys.exit()
sys.exit(1)
PY
}

# debian_tarball: sets DEBIAN_TARBALL to a minimal $SUITE root as a tarball
# in $CACHE, running debootstrap only when there is none yet; counts a
# failure and returns 1 when it cannot.
debian_tarball() {
    local mirror key
    mirror=${DEBOOTSTRAP_MIRROR:-$(host_mirror)} || {
        fail "finding the host's apt mirror for $SUITE" "set DEBOOTSTRAP_MIRROR"
        return 1
    }
    key=$SUITE-minbase-$(dpkg --print-architecture)-$(printf '%s' "$mirror" | md5sum | cut -c1-8)
    DEBIAN_TARBALL=$CACHE/$key.tar
    mkdir -p "$CACHE"
    [ -s "$DEBIAN_TARBALL" ] && return 0
    echo "debootstrap --variant=minbase $SUITE from $mirror (cached in $DEBIAN_TARBALL afterwards)"
    if debootstrap --variant=minbase "$SUITE" "$WORK/bootstrap" "$mirror" >"$WORK/debootstrap.log" 2>&1; then
        tar -C "$WORK/bootstrap" --numeric-owner -cf "$DEBIAN_TARBALL.tmp" . && mv "$DEBIAN_TARBALL.tmp" "$DEBIAN_TARBALL"
        rm -rf --one-file-system "$WORK/bootstrap"
    else
        tail -n 20 "$WORK/debootstrap.log"
        fail "debootstrap $SUITE" "see the log above"
        return 1
    fi
}

# reference_deb: sets REFERENCE_DEB to Debian's dumb-init package, fetched
# with apt-get download (and kept in $CACHE), or the cached one when apt
# cannot fetch it.
reference_deb() {
    mkdir -p "$CACHE"
    REFERENCE_DEB=$(cd "$WORK" && apt-get download -q dumb-init >/dev/null 2>&1 && ls "$WORK"/dumb-init_*.deb)
    if [ -n "$REFERENCE_DEB" ]; then
        cp "$REFERENCE_DEB" "$CACHE/"
    else
        REFERENCE_DEB=$(ls "$CACHE"/dumb-init_*.deb 2>/dev/null | tail -n 1)
        echo "apt-get download dumb-init failed; using the cached $REFERENCE_DEB"
    fi
}

# orphan_checks LABEL INIT OUT: the command under `dumb-init -v` (process
# INIT, output in OUT) was `sh -c '(sleep 0.3 &); echo "orphan started"; exec
# sleep 30'`: once the orphan has exited, process 1 has one child left, alive,
# and its log tells of reaping a child other than the command.
orphan_checks() {
    local label=$1 init=$2 out=$3 kids spawned
    sleep 1
    kids=$(for pid in $(children "$init"); do echo "$(comm_of "$pid"):$(awk '/^State:/ {print $2}' /proc/"$pid"/status)"; done | tr '\n' ' ')
    expect_eq "$label: after the orphan exits, process 1 has one child, alive" "sleep:S " "$kids"
    spawned=$(sed -n 's/^\[dumb-init\] Child spawned with PID \([0-9]*\)\.$/\1/p' "$out")
    if grep "^\[dumb-init\] A child with PID [0-9]* exited with exit status 0\.$" "$out" | grep -vq "PID $spawned "; then
        ok "$label: dumb-init reports reaping the orphan"
    else
        fail "$label: dumb-init reports reaping the orphan" "$(cat "$out")"
    fi
}

# foreign_debs DEBIAN_ARCH PACKAGE...: sets FOREIGN_DEBS to Debian's .debs of
# PACKAGE for another architecture (busybox-static and dumb-init for the
# roots of packaging/tests/foreign-root.sh). apt fetches them (so they are
# checked against the archive's signed indexes) with lists of its own in
# $CACHE, never touching the machine's apt state, and they are kept in
# $CACHE: once fetched, no network is needed. riscv64 comes from trixie,
# the first Debian release with a riscv64 port; the others from $SUITE.
# Counts a failure and returns 1 when it cannot.
foreign_debs() {
    local arch=$1 suite=$SUITE mirror dir apt_dir package deb log
    shift
    local packages=("$@") missing=()
    [ "$arch" = riscv64 ] && suite=trixie
    dir=$CACHE/foreign-debs/$arch
    for package in "${packages[@]}"; do
        compgen -G "$dir/${package}_*.deb" >/dev/null || missing+=("$package:$arch")
    done
    if [ "${#missing[@]}" != 0 ]; then
        mirror=${DEBOOTSTRAP_MIRROR:-$(host_mirror)} || {
            fail "finding the host's apt mirror for $SUITE" "set DEBOOTSTRAP_MIRROR"
            return 1
        }
        apt_dir=$CACHE/foreign-apt/$arch
        mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dir"
        echo "deb [arch=$arch] $mirror $suite main" >"$apt_dir/sources.list"
        : >"$apt_dir/status"
        local apt=(apt-get -q -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
            -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Dir::State::status="$apt_dir/status"
            -o APT::Architectures::="$arch" -o Acquire::Languages=none -o APT::Sandbox::User=root)
        log=$WORK/foreign-debs-$arch.log
        echo "apt-get download ${missing[*]} from $mirror $suite (cached in $dir afterwards)"
        if ! (cd "$dir" && "${apt[@]}" update && "${apt[@]}" download "${missing[@]}") >"$log" 2>&1; then
            tail -n 20 "$log"
            fail "apt-get download ${missing[*]}" "see the log above"
            return 1
        fi
    fi
    FOREIGN_DEBS=()
    for package in "${packages[@]}"; do
        deb=$(compgen -G "$dir/${package}_*.deb" | tail -n 1)
        [ -n "$deb" ] || { fail "Debian's $package for $arch is in $dir"; return 1; }
        FOREIGN_DEBS+=("$deb")
    done
}
