#!/usr/bin/env bash
# dumb-init-rs-inits (the names tini, tini-static and catatonit as links to
# dumb-init) on a real Debian root with Debian's docker.io: debootstrap a
# minimal bookworm (the root debian-root.sh uses, cached), install docker.io
# and catatonit from the archive (docker.io brings tini), then ours over
# them with apt: tini and catatonit go, docker.io stays, and every name
# leads to our binary. docker.io is then removed and installed again with
# ours in place: apt must not bring tini back. Then the root's own dockerd,
# started with no --init-path, runs `docker run --init` with ours as
# /sbin/docker-init, and tini's checks (packaging/tests/engine-init.sh) run
# against it. The machine's own packages are never touched.
#
#   [TINI_CHECKS=0] bash packaging/tests/inits-root.sh path/to/dumb-init-rs_*.deb path/to/dumb-init-rs-inits_*.deb
#
# TINI_CHECKS=0 leaves out the checks of tini's behaviour (docker info's
# version, exit statuses, stop, zombies), keeping those of the package and
# of which binary docker runs.
# apt in the root reaches the machine's Debian mirror (the .debs it fetches
# are kept in the cache directory, so a second run fetches only the lists).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/engine-init.sh"
engine_namespaces "$0" "$@"
. "$here/lib.sh"
require_root
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

usage="usage: inits-root.sh path/to/dumb-init-rs.deb path/to/dumb-init-rs-inits.deb"
DEB=${1:?$usage}
INITS_DEB=${2:?$usage}
ROOT=$WORK/debian-root
if [ "${DUMB_INIT_RS_ENGINE_NAMESPACES:-}" != 1 ]; then
    fail "running in a PID and mount namespace of its own" "needs root, unshare and tini"
    summary
    exit 1
fi

# 1. The package as built.
expect_eq "dumb-init-rs-inits: Depends on this very dumb-init-rs" "dumb-init-rs (= $(dpkg-deb -f "$DEB" Version))" \
    "$(dpkg-deb -f "$INITS_DEB" Depends)"
expect_eq "dumb-init-rs-inits: Provides, Conflicts, Replaces" \
    "catatonit (= 0.1.7), tini (= 0.19.0)|catatonit, tini|catatonit, tini" \
    "$(dpkg-deb -f "$INITS_DEB" Provides)|$(dpkg-deb -f "$INITS_DEB" Conflicts)|$(dpkg-deb -f "$INITS_DEB" Replaces)"
expect_eq "dumb-init-rs-inits holds the links, its documents and nothing else" \
    "$(printf '%s\n' "./usr/bin/catatonit -> dumb-init" "./usr/bin/tini -> dumb-init" \
        "./usr/bin/tini-static -> dumb-init" "./usr/libexec/podman/catatonit -> ../../bin/catatonit" \
        ./usr/share/doc/dumb-init-rs-inits/changelog.Debian.gz ./usr/share/doc/dumb-init-rs-inits/copyright \
        ./usr/share/lintian/overrides/dumb-init-rs-inits "./usr/share/man/man1/catatonit.1.gz -> dumb-init.1.gz" \
        "./usr/share/man/man1/tini-static.1.gz -> dumb-init.1.gz" "./usr/share/man/man1/tini.1.gz -> dumb-init.1.gz")" \
    "$(dpkg-deb -c "$INITS_DEB" | awk '$1 !~ /^d/ { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' | sort)"

# 2. The root, with the mirror's lists and the fetched .debs kept in $CACHE
# between runs, the machine's resolver, and no service started by a
# maintainer script (policy-rc.d says no).
mkdir -p "$ROOT"
start=$SECONDS
debian_tarball || { summary; exit 1; }
tar -C "$ROOT" --numeric-owner -xf "$DEBIAN_TARBALL"
check "minimal $SUITE root ready in $((SECONDS - start)) s" test -x "$ROOT/usr/bin/apt-get"
# A mount point of its own, so that / is one inside the chroot: dockerd
# remounts it when it unpacks an image, and runc pivots from it (step 6).
mount --bind "$ROOT" "$ROOT"
mkdir -p "$CACHE/inits-root/lists/partial" "$CACHE/inits-root/archives/partial"
mount --bind "$CACHE/inits-root/lists" "$ROOT/var/lib/apt/lists"
mount --bind "$CACHE/inits-root/archives" "$ROOT/var/cache/apt/archives"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
cp "$DEB" "$ROOT/tmp/dumb-init-rs.deb"
cp "$INITS_DEB" "$ROOT/tmp/dumb-init-rs-inits.deb"

in_root() { chroot "$ROOT" "$@"; }
status_of() { in_root dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null || echo not-installed; }
statuses() { local p; for p in "$@"; do printf '%s:%s ' "$p" "$(status_of "$p")"; done | sed 's/ $//'; }
apt_in_root() { logged "$WORK/apt-$1.log" in_root apt-get -q -y --no-install-recommends "$@"; }

check "apt-get update in the root" apt_in_root update

# 3. Debian's docker.io (which depends on tini) and catatonit, as a machine
# that runs both engines has them.
start=$SECONDS
check "apt-get install docker.io catatonit" apt_in_root install docker.io catatonit
echo "(docker.io, its dependencies and catatonit installed in $((SECONDS - start)) s)"
expect_eq "before ours: docker.io, tini and catatonit are installed" \
    "docker.io:installed tini:installed catatonit:installed" "$(statuses docker.io tini catatonit)"
expect_eq "before ours: docker-init is Debian's tini-static" "/usr/bin/tini-static" \
    "$(in_root readlink -f /usr/bin/docker-init)"

# 4. Ours over them, with apt, as one installs a downloaded .deb.
check "apt-get install ./dumb-init-rs.deb ./dumb-init-rs-inits.deb" \
    apt_in_root install /tmp/dumb-init-rs.deb /tmp/dumb-init-rs-inits.deb
expect_grep "apt removes tini" "^Removing tini " "$WORK/apt-install.log"
expect_grep "apt removes catatonit" "^Removing catatonit " "$WORK/apt-install.log"
expect_eq "after ours: docker.io stays, tini and catatonit are gone" \
    "docker.io:installed dumb-init-rs:installed dumb-init-rs-inits:installed tini:not-installed catatonit:not-installed" \
    "$(statuses docker.io dumb-init-rs dumb-init-rs-inits tini catatonit)"
expect_eq "dpkg --audit finds nothing" "" "$(in_root dpkg --audit 2>&1)"
check "apt-get check: every dependency is satisfied" logged "$WORK/apt-check.log" in_root apt-get check
links_checks() {
    local path
    for path in /usr/bin/tini /usr/bin/tini-static /usr/bin/catatonit /usr/libexec/podman/catatonit /usr/bin/docker-init; do
        expect_eq "$1: $path leads to /usr/bin/dumb-init" /usr/bin/dumb-init "$(in_root readlink -f "$path")"
    done
    for path in /usr/bin/tini /usr/bin/tini-static /usr/bin/catatonit /usr/libexec/podman/catatonit; do
        expect_eq "$1: dpkg -S $path" "dumb-init-rs-inits: $path" "$(in_root dpkg -S "$path" 2>&1)"
    done
    expect_eq "$1: dpkg -S /usr/bin/docker-init (docker.io's link to tini-static)" \
        "docker.io: /usr/bin/docker-init" "$(in_root dpkg -S /usr/bin/docker-init 2>&1)"
}
links_checks "after ours"
check "/usr/bin/dumb-init is the packaged binary" cmp -s "$ROOT/usr/bin/dumb-init" \
    <(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/bin/dumb-init)

# A package that wants the versions we stand in for installs against ours.
mkdir -p "$WORK/needs/DEBIAN"
cat >"$WORK/needs/DEBIAN/control" <<EOF
Package: needs-tini-and-catatonit
Version: 1.0
Architecture: all
Maintainer: package tests <root@localhost>
Depends: tini (>= 0.19.0), catatonit (>= 0.1.7)
Description: test package that depends on tini and catatonit
 Used by the package tests only.
EOF
dpkg-deb --root-owner-group --build "$WORK/needs" "$ROOT/tmp/needs.deb" >/dev/null
check "a package depending on tini (>= 0.19.0) and catatonit (>= 0.1.7) installs against ours" \
    logged "$WORK/dpkg-needs.log" in_root dpkg -i /tmp/needs.deb
check "dpkg -r it again" logged "$WORK/dpkg-needs-r.log" in_root dpkg -r needs-tini-and-catatonit

# 5. docker.io removed, then installed again with ours in place: apt takes
# ours for its tini, fetches nothing of tini's, and podman's recommended
# init (catatonit | tini | dumb-init) is ours too.
check "apt-get remove docker.io" apt_in_root remove docker.io
check "apt-get install docker.io, ours installed" apt_in_root install docker.io
if grep -q "^Unpacking tini \|^Setting up tini " "$WORK/apt-install.log"; then
    fail "apt-get install docker.io does not bring Debian's tini" "$(grep tini "$WORK/apt-install.log")"
else
    ok "apt-get install docker.io does not bring Debian's tini"
fi
expect_eq "after docker.io again: tini not installed, ours are" \
    "docker.io:installed tini:not-installed dumb-init-rs-inits:installed" \
    "$(statuses docker.io tini dumb-init-rs-inits)"
links_checks "after docker.io again"
in_root apt-get -s -q install podman >"$WORK/apt-podman.log" 2>&1
if grep -q "^Inst podman " "$WORK/apt-podman.log" && ! grep -q "^Inst catatonit \|^Inst tini \|^Remv dumb-init-rs" "$WORK/apt-podman.log"; then
    ok "apt-get -s install podman (recommends catatonit | tini | dumb-init): would install no other init"
else
    fail "apt-get -s install podman would install no other init" "$(grep -E '^(Inst|Remv)' "$WORK/apt-podman.log" | head -n 20)"
fi

# 6. The root's own dockerd, with no --init-path: it finds docker-init on
# its PATH, docker.io's link, which now leads to ours. It runs chrooted in
# the root, with the machine's /sys and /dev and a /run of its own.
mount --rbind /sys "$ROOT/sys"
mount --make-rslave "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --make-rslave "$ROOT/dev"
mount -t tmpfs -o mode=755 dumb-init-rs-test-run "$ROOT/run"
CGROUP_PARENT=dumb-init-rs-test-${WORK##*.}
# root_docker_cleanup: the containers, the daemon and what it started, its
# cgroups; lib.sh's cleanup then unmounts and removes the root.
root_docker_cleanup() {
    local pid
    if [ -S "$ROOT/run/docker.sock" ]; then
        # shellcheck disable=SC2046 # one ID a word
        timeout 60 chroot "$ROOT" docker rm -f $(timeout 20 chroot "$ROOT" docker ps -aq) >/dev/null 2>&1
    fi
    if [ -n "${DOCKERD_PID:-}" ]; then
        kill -TERM "$DOCKERD_PID" 2>/dev/null
        wait_until 20 sh -c "! kill -0 $DOCKERD_PID" || kill -KILL "$DOCKERD_PID" 2>/dev/null
        wait "$DOCKERD_PID" 2>/dev/null
    fi
    for pid in $(pgrep -f -- "containerd.*/run/docker/containerd"); do kill -KILL "$pid" 2>/dev/null; done
    find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -depth -type d \
        \( -name "$CGROUP_PARENT" -o -path "*/$CGROUP_PARENT/*" \) -exec rmdir {} + 2>/dev/null
    return 0
}
trap 'root_docker_cleanup; cleanup' EXIT
start=$SECONDS
chroot "$ROOT" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --cgroup-parent "$CGROUP_PARENT" </dev/null >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
# What engine-init.sh's checks run.
# shellcheck disable=SC2034 # read there
{
    ENGINE_NAME=docker
    ENGINE=(chroot "$ROOT" docker)
    ENGINE_RUN=(--network none)
    ENGINE_INIT=(--init)
    INIT=$ROOT/usr/bin/dumb-init
    INIT_MOUNT=/sbin/docker-init
}
if wait_until 60 eng version >/dev/null; then
    ok "the root's dockerd answers ($((SECONDS - start)) s)"
else
    fail "the root's dockerd starts" "$(tail -n 20 "$WORK/dockerd.log")"
    summary
    exit 1
fi
init_image localhost/dumb-init-rs-test/busybox-static || { summary; exit 1; }
pid1_checks "the root's docker run --init"
if [ "${TINI_CHECKS:-1}" != 0 ]; then
    docker_info_checks docker-init "$WORK/dockerd.log" chroot "$ROOT" docker-init --version
    exit_checks "the root's docker run --init" 127 126
    stop_checks "the root's docker run --init" no
    zombie_checks "the root's docker run --init" 0 "${ENGINE_INIT[@]}"
else
    echo "TINI_CHECKS=0: tini's behaviour not checked"
fi

summary
