#!/usr/bin/env bash
# The examples as real images in a real engine: podman builds
# examples/Dockerfile.{debian,scratch,alpine,release,nginx} as they stand
# (only their base images replaced, through their build arguments: no
# registry can be reached here), runs each entrypoint with `podman run -d` and stops it with
# `podman stop`, as users do. Then one shell-entrypoint image is stopped five
# ways, side by side: no init, `podman run --init` (catatonit), the reference
# dumb-init, ours, and ours with --rewrite 15:3 for a server that stops
# gracefully on SIGQUIT. docs/containers.md explains each part.
#
#   bash packaging/tests/containers.sh path/to/dumb-init-rs_*.deb
#
# Podman's state is a directory of the test's own (see podman-env.sh); every
# container and image is removed at the end, whatever happened.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/podman-env.sh"
podman_namespaces "$0" "$@"
. "$here/lib.sh"
require_root

DEB=${1:?usage: containers.sh path/to/dumb-init-rs.deb}
# What Dockerfile.scratch and Dockerfile.alpine COPY from the build context:
# make static's file (the .deb, and so the Debian image, holds the shipped
# build, STATIC_BIN).
COPIED_BIN=$TOP/target/x86_64-unknown-linux-musl/release/dumb-init
EXAMPLES=$TOP/examples
IMG=localhost/dumb-init-rs-test
export LC_ALL=C
for tool in podman tini catatonit; do
    if ! command -v "$tool" >/dev/null; then
        fail "$tool is installed" "make deps (tools/install-test-deps.sh) installs it"
        summary
        exit 1
    fi
done
trap 'podman_cleanup; cleanup' EXIT
podman_setup
echo "podman $(podman --version | awk '{print $3}'), storage in $PODMAN_DIR"

# below SECONDS LIMIT / at_least SECONDS LIMIT: compare decimal seconds.
below() { awk -v s="$1" -v l="$2" 'BEGIN { exit !(s < l) }'; }
at_least() { awk -v s="$1" -v l="$2" 'BEGIN { exit !(s >= l) }'; }

# pid1_is NAME FILE: the container's process 1 is process 1 in its PID
# namespace and runs FILE (byte for byte).
pid1_is() {
    local pid
    pid=$(container_pid "$1") || return 1
    [ "$(awk '/^NSpid:/ {print $NF}' /proc/"$pid"/status)" = 1 ] && cmp -s "/proc/$pid/exe" "$2"
}

# stop_checks LABEL NAME EXIT: podman stop ends NAME well inside its 10 s,
# with no SIGKILL, and the container exits with EXIT.
stop_checks() {
    timed_stop "$2"
    if below "$STOP_SECONDS" 5 && [ "$STOP_KILLED" = 0 ]; then
        ok "$1: podman stop takes $STOP_SECONDS s, no SIGKILL"
    else
        fail "$1: podman stop ends it without SIGKILL, within 5 s" "$STOP_SECONDS s; $(cat "$WORK/stop-$2.err")"
    fi
    expect_eq "$1: exit code (podman inspect)" "$3" "$EXIT_CODE"
}

# httpd_checks LABEL NAME PATTERN EXIT: NAME, an example whose entrypoint
# ends in busybox httpd on port 8080, runs our dumb-init as process 1, serves
# a page matching PATTERN, has httpd as dumb-init's only child, and stops
# with EXIT.
httpd_checks() {
    local label=$1 name=$2 pattern=$3 exit_code=$4
    check "$label: process 1 is our static dumb-init" pid1_is "$name" "$COPIED_BIN"
    if wait_until 5 serves "$(container_pid "$name")" http://127.0.0.1:8080/ "$pattern"; then
        ok "$label: httpd answers on port 8080 with '$pattern'"
    else
        fail "$label: httpd answers on port 8080 with '$pattern'" "$(pm logs "$name" 2>&1)"
    fi
    expect_eq "$label: httpd is dumb-init's only child" "dumb-init: httpd" \
        "$(process_and_children "$(container_pid "$name")")"
    stop_checks "$label (httpd dies of SIGTERM: 128+15)" "$name" "$exit_code"
    pm rm "$name" >/dev/null
}

# 1. Base images, imported from root file systems made here.
# Debian: the debootstrapped bookworm the package tests share, trimmed as
# debian:bookworm-slim is (no apt lists or caches, documentation, man pages
# or locales), so that vfs has less to copy.
start=$SECONDS
debian_tarball || { summary; exit 1; }
root=$WORK/debian-base
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$DEBIAN_TARBALL"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
if tar -C "$root" --numeric-owner -c . | pm import - "$IMG/debian:$SUITE" >"$WORK/import-debian.log" 2>&1; then
    ok "podman import: $SUITE root as $IMG/debian:$SUITE ($((SECONDS - start)) s)"
else
    fail "podman import: $SUITE root" "$(cat "$WORK/import-debian.log")"
fi
rm -rf --one-file-system "$root"

# busybox-static with every applet linked: what the busybox image is, and
# what an Alpine base is besides musl and apk (none of which the examples
# use). It stands in for busybox:1.36-musl and alpine:3.20.
root=$WORK/busybox-base
busybox_root "$root"
rm "$root/usr/bin/dumb-init" # the Dockerfiles put it there themselves
busybox_version=$(/bin/busybox | sed -n '1s/^BusyBox v\([0-9.]*\).*/\1/p')
if tar -C "$root" --numeric-owner -c . | pm import - "$IMG/busybox-static:$busybox_version" >"$WORK/import-busybox.log" 2>&1; then
    ok "podman import: busybox-static root as $IMG/busybox-static:$busybox_version"
else
    fail "podman import: busybox-static root" "$(cat "$WORK/import-busybox.log")"
fi
BUSYBOX_IMAGE=$IMG/busybox-static:$busybox_version

# An image that already has Debian's dumb-init, installed the Debian way.
reference_deb
context=$WORK/context-debian-dumb-init
mkdir -p "$context"
cp "$REFERENCE_DEB" "$context/"
cat >"$context/Containerfile" <<EOF
FROM $IMG/debian:$SUITE
COPY $(basename "$REFERENCE_DEB") /tmp/
RUN dpkg -i /tmp/$(basename "$REFERENCE_DEB") && rm /tmp/$(basename "$REFERENCE_DEB")
EOF
check "podman build: $SUITE with Debian's dumb-init" \
    podman_build "$WORK/build-debian-dumb-init.log" -t "$IMG/debian-dumb-init:$SUITE" "$context"

# 2. examples/Dockerfile.debian over it: apt-get install of our .deb
# replaces Debian's dumb-init.
# The context is the repository, and the Dockerfile takes every .deb there.
expect_eq "the build context's target/debian/ holds the .deb under test, alone" "$(realpath "$DEB")" \
    "$(realpath "$TOP"/target/debian/dumb-init-rs_*_amd64.deb)"
start=$SECONDS
if podman_build "$WORK/build-debian.log" -f "$EXAMPLES/Dockerfile.debian" \
    --build-arg BASE_IMAGE="$IMG/debian-dumb-init:$SUITE" -t "$IMG/example-debian" "$TOP"; then
    ok "podman build examples/Dockerfile.debian ($((SECONDS - start)) s)"
else
    fail "podman build examples/Dockerfile.debian"
fi
expect_grep "Dockerfile.debian: apt removes Debian's dumb-init" "^Removing dumb-init " "$WORK/build-debian.log"
expect_grep "Dockerfile.debian: apt sets up dumb-init-rs" "^Setting up dumb-init-rs " "$WORK/build-debian.log"

podman_start debian "$IMG/example-debian"
if wait_until 10 logs_have debian "background job: started" && wait_until 5 logs_have debian "entrypoint: started"; then
    ok "Dockerfile.debian: podman run -d starts the entrypoint"
else
    fail "Dockerfile.debian: podman run -d starts the entrypoint" "$(pm logs debian 2>&1)"
fi
check "Dockerfile.debian: process 1 is our static dumb-init" pid1_is debian "$STATIC_BIN"
pm cp debian:/usr/bin/dumb-init "$WORK/debian-image-dumb-init" 2>/dev/null
check "Dockerfile.debian: the image's /usr/bin/dumb-init is ours, byte for byte" cmp -s "$WORK/debian-image-dumb-init" "$STATIC_BIN"
expect_eq "Dockerfile.debian: dumb-init -V in the image" "dumb-init v$CARGO_VERSION" "$(pm exec debian /usr/bin/dumb-init -V 2>&1)"
expect_eq "Dockerfile.debian: dpkg: dumb-init-rs installed, dumb-init not" "installed not-installed" \
    "$(pm exec debian sh -c 'for p in dumb-init-rs dumb-init; do dpkg-query -W -f "\${db:Status-Status} " $p 2>/dev/null || printf "not-installed "; done' | sed 's/ $//')"
stop_checks "Dockerfile.debian" debian 0
pm logs debian >"$WORK/debian.logs" 2>&1
expect_grep "Dockerfile.debian: SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$WORK/debian.logs"
expect_grep "Dockerfile.debian: SIGTERM reaches its background job" "background job: got SIGTERM" "$WORK/debian.logs"
pm rm debian >/dev/null

# 3. examples/Dockerfile.scratch: dumb-init and a static httpd, nothing else.
# With --layers=false, this podman deletes the image of a stage that has no
# instructions (here BUSYBOX_IMAGE itself) at the end of the build; with
# layers it keeps it. The image is small, so layers cost nothing here.
if podman_build "$WORK/build-scratch.log" --layers=true -f "$EXAMPLES/Dockerfile.scratch" \
    --build-arg BUSYBOX_IMAGE="$BUSYBOX_IMAGE" -t "$IMG/example-scratch" "$TOP"; then
    ok "podman build examples/Dockerfile.scratch"
else
    fail "podman build examples/Dockerfile.scratch"
fi
mnt=$(pm image mount "$IMG/example-scratch" 2>/dev/null)
expect_eq "Dockerfile.scratch: the image holds only dumb-init, httpd and the page" \
    "/bin/httpd /dumb-init /www/index.html" "$(cd "${mnt:-/nonexistent}" 2>/dev/null && find . -type f | sed 's/^\.//' | sort | tr '\n' ' ' | sed 's/ $//')"
pm image unmount "$IMG/example-scratch" >/dev/null 2>&1
podman_start scratch "$IMG/example-scratch"
wait_until 5 container_pid scratch >/dev/null
httpd_checks Dockerfile.scratch scratch 'scratch example' 143

# 4. examples/Dockerfile.alpine on the busybox-static base.
if podman_build "$WORK/build-alpine.log" -f "$EXAMPLES/Dockerfile.alpine" \
    --build-arg ALPINE_IMAGE="$BUSYBOX_IMAGE" -t "$IMG/example-alpine" "$TOP"; then
    ok "podman build examples/Dockerfile.alpine (ALPINE_IMAGE=busybox-static)"
else
    fail "podman build examples/Dockerfile.alpine"
fi
podman_start alpine -e SITE_NAME=podman-test "$IMG/example-alpine"
if wait_until 10 logs_have alpine "templated-entrypoint: wrote /etc/httpd.conf for podman-test"; then
    ok "Dockerfile.alpine: the entrypoint renders its configuration from -e SITE_NAME"
else
    fail "Dockerfile.alpine: the entrypoint renders its configuration" "$(pm logs alpine 2>&1)"
fi
# After exec, the entrypoint's shell is gone: httpd is the only child.
httpd_checks Dockerfile.alpine alpine 'Hello from podman-test' 143

# 4b. examples/Dockerfile.release on the busybox-static base: its pick stage
# takes the release file for what `uname -m` says in the build (x86_64
# here; foreign-root.sh runs the same RUN line on the other architectures).
release_file=$TOP/target/dist/dumb-init_${CARGO_VERSION}_x86_64
if podman_build "$WORK/build-release.log" -f "$EXAMPLES/Dockerfile.release" \
    --build-arg BASE_IMAGE="$BUSYBOX_IMAGE" -t "$IMG/example-release" "$TOP"; then
    ok "podman build examples/Dockerfile.release (BASE_IMAGE=busybox-static)"
else
    fail "podman build examples/Dockerfile.release"
fi
expect_grep "Dockerfile.release: the pick stage checks dumb-init_${CARGO_VERSION}_x86_64 against SHA256SUMS" \
    "dumb-init_${CARGO_VERSION}_x86_64: OK" "$WORK/build-release.log"
podman_start release "$IMG/example-release"
if wait_until 10 logs_have release "background job: started" && wait_until 5 logs_have release "entrypoint: started"; then
    ok "Dockerfile.release: podman run -d starts the entrypoint"
else
    fail "Dockerfile.release: podman run -d starts the entrypoint" "$(pm logs release 2>&1)"
fi
check "Dockerfile.release: process 1 is the x86_64 release file" pid1_is release "$release_file"
stop_checks "Dockerfile.release" release 0
pm logs release >"$WORK/release.logs" 2>&1
expect_grep "Dockerfile.release: SIGTERM reaches its background job" "background job: got SIGTERM" "$WORK/release.logs"
pm rm release >/dev/null

# 5. examples/Dockerfile.nginx on a Debian image holding the nginx stand-in
# (SIGQUIT: graceful, exit 0; SIGTERM: fast, exit 1) and the image's
# entrypoint stand-in. Like nginx:1.27 it runs nginx through
# /docker-entrypoint.sh; unlike it, it declares no STOPSIGNAL, so podman
# stop sends SIGTERM and the rewrite has something to do.
context=$WORK/context-nginx
mkdir -p "$context"
cp "$TOP/packaging/tests/stand-ins/nginx" "$TOP/packaging/tests/stand-ins/docker-entrypoint.sh" "$context/"
cat >"$context/Containerfile" <<EOF
FROM $IMG/debian:$SUITE
COPY nginx /usr/sbin/nginx
COPY docker-entrypoint.sh /docker-entrypoint.sh
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
EOF
check "podman build: $SUITE with the nginx stand-in" \
    podman_build "$WORK/build-nginx-stand-in.log" -t "$IMG/nginx-stand-in" "$context"
if podman_build "$WORK/build-nginx.log" -f "$EXAMPLES/Dockerfile.nginx" \
    --build-arg NGINX_IMAGE="$IMG/nginx-stand-in" -t "$IMG/example-nginx" "$TOP"; then
    ok "podman build examples/Dockerfile.nginx (NGINX_IMAGE=the stand-in)"
else
    fail "podman build examples/Dockerfile.nginx"
fi

# 6. The side-by-side table. One image for the shell entrypoint:
# Dockerfile.debian's, plus the reference dumb-init copied in from the host
# (Debian's C build, dynamically linked against glibc, which the image has).
reference=/usr/bin/dumb-init
expect_eq "the host's $reference is Debian's dumb-init 1.2.5" "dumb-init: $reference dumb-init v1.2.5" \
    "$(dpkg -S "$reference" 2>&1) $("$reference" -V 2>&1)"
context=$WORK/context-compare
mkdir -p "$context"
cp "$reference" "$context/dumb-init-reference"
cat >"$context/Containerfile" <<EOF
FROM $IMG/example-debian
COPY dumb-init-reference /usr/local/bin/dumb-init-reference
EOF
check "podman build: Dockerfile.debian's image plus the reference dumb-init" \
    podman_build "$WORK/build-compare.log" -t "$IMG/compare" "$context"

ROWS=()
# row KEY INIT NAME READY PID1-CHECK ARGS...: runs ARGS with podman run -d,
# waits for the READY line in its output, checks process 1 (PID1-CHECK:
# "comm:NAME" or a file its exe must equal), stops it with podman stop and
# adds a table row. Sets FOREGROUND and BACKGROUND to what the output says
# each part received.
row() {
    local key=$1 init=$2 name=$3 ready=$4 pid1=$5 logs=$WORK/$3.logs pid
    shift 5
    podman_start "$name" "$@"
    if ! wait_until 10 logs_have "$name" "$ready"; then
        fail "($key) $init: starts" "$(pm logs "$name" 2>&1)"
    elif [ "$ready" = "entrypoint: started" ] && ! wait_until 5 logs_have "$name" "background job: started"; then
        fail "($key) $init: its background job starts" "$(pm logs "$name" 2>&1)"
    fi
    pid=$(container_pid "$name")
    case $pid1 in
    comm:*) expect_eq "($key) $init: process 1" "${pid1#comm:}" "$(comm_of "$pid")" ;;
    *) check "($key) $init: process 1 runs $pid1" pid1_is "$name" "$pid1" ;;
    esac
    timed_stop "$name"
    pm logs "$name" >"$logs" 2>&1
    if grep -q "nginx stand-in" "$logs"; then
        FOREGROUND=$(sed -n 's/^nginx stand-in: \(SIG[A-Z]*\), \([a-z]*\) shutdown$/\1 (\2 stop)/p' "$logs")
        BACKGROUND=none
    else
        FOREGROUND="not signalled"
        BACKGROUND="not signalled"
        grep -q "entrypoint: got SIGTERM" "$logs" && FOREGROUND=SIGTERM
        grep -q "background job: got SIGTERM" "$logs" && BACKGROUND=SIGTERM
    fi
    [ "$STOP_KILLED" = 1 ] && FOREGROUND="$FOREGROUND, then SIGKILL"
    ROWS+=("| ($key) $init | $STOP_SECONDS s | $EXIT_CODE | ${FOREGROUND:-nothing} | $BACKGROUND |")
    pm rm "$name" >/dev/null
}

# expect_row KEY LABEL MIN MAX EXIT FOREGROUND BACKGROUND: loose checks on
# the row just measured (times between MIN and MAX seconds).
expect_row() {
    if at_least "$STOP_SECONDS" "$3" && below "$STOP_SECONDS" "$4"; then
        ok "($1) $2: podman stop took $STOP_SECONDS s (expected $3 to $4 s)"
    else
        fail "($1) $2: podman stop time" "$STOP_SECONDS s, expected $3 to $4 s"
    fi
    expect_eq "($1) $2: exit code" "$5" "$EXIT_CODE"
    expect_eq "($1) $2: the foreground process got" "$6" "$FOREGROUND"
    expect_eq "($1) $2: the background job got" "$7" "$BACKGROUND"
}

entrypoint=/usr/local/bin/entrypoint.sh
start=$SECONDS
row a "no init: sh is process 1" plain "entrypoint: started" comm:sh \
    --entrypoint '["sh"]' "$IMG/compare" "$entrypoint"
expect_row a "no init" 9 20 137 "SIGTERM, then SIGKILL" "not signalled"
row b "podman run --init (catatonit)" catatonit "entrypoint: started" /usr/bin/catatonit \
    --init --entrypoint '["sh"]' "$IMG/compare" "$entrypoint"
expect_row b "podman run --init" 9 20 137 "SIGTERM, then SIGKILL" "not signalled"
row c "reference dumb-init 1.2.5" reference "entrypoint: started" "$reference" \
    --entrypoint '["/usr/local/bin/dumb-init-reference", "--"]' "$IMG/compare" sh "$entrypoint"
expect_row c "reference dumb-init" 0 5 0 SIGTERM SIGTERM
row d "dumb-init-rs" ours "entrypoint: started" "$STATIC_BIN" "$IMG/compare"
expect_row d "dumb-init-rs" 0 5 0 SIGTERM SIGTERM
row e "dumb-init-rs --rewrite 15:3, nginx stand-in" rewrite "nginx stand-in: started" "$STATIC_BIN" \
    "$IMG/example-nginx"
expect_row e "dumb-init-rs --rewrite 15:3" 0 5 0 "SIGQUIT (graceful stop)" none
row "e0" "control: (e) without --rewrite" no-rewrite "nginx stand-in: started" "$STATIC_BIN" \
    --entrypoint '["/usr/bin/dumb-init", "--", "/docker-entrypoint.sh"]' "$IMG/example-nginx" nginx -g "daemon off;"
expect_row e0 "without --rewrite" 0 5 1 "SIGTERM (fast stop)" none
echo
echo "podman stop (default 10 s timeout), one run each, $(date -u +%Y-%m-%d):"
echo
echo "| run | podman stop | exit code | foreground process got | background job got |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "table measured in $((SECONDS - start)) s"

# 7. Nothing left behind.
podman_remove_all
expect_eq "every container and image removed" "0 containers, 0 images" "$(podman_left)"
expect_eq "no cgroup of the test left" "" \
    "$(find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d -name "$PODMAN_CGROUP_PARENT" 2>/dev/null)"

summary
