#!/bin/sh
# Installs what the tests need when it is missing: the reference dumb-init,
# tini and tini-static (the tini suite's reference), busybox-static, runc, util-linux's unshare, Python for the compat suite,
# the musl targets; for the packages and their tests
# (make deb, make package-test) debootstrap, file, man-db and PyYAML; for the
# other architectures' builds (the Makefile's ARCH_TABLE) their Rust targets,
# Debian's cross gcc and static glibc where the target is -gnu, and
# qemu-user-static (which tools/binfmt-qemu.sh registers while a test runs);
# for the container tests podman, catatonit and docker.io; for the wheel
# tests python3's venv.
# Needs root for apt; does nothing that is already there.
#
# Extra needs come as COMMAND:PACKAGE arguments (`make bench` adds valgrind).
set -eu

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
for extra in "$@"; do
    need "${extra%%:*}" "${extra#*:}"
done
need /usr/bin/dumb-init dumb-init
need tini tini
need tini-static tini
# The container root file system needs a static busybox; Debian's plain
# busybox package is dynamically linked.
busybox_is_static() {
    b=$(command -v busybox 2>/dev/null) || return 1
    ! LC_ALL=C ldd "$b" >/dev/null 2>&1
}
busybox_is_static || missing="$missing busybox-static"
need runc runc
need unshare util-linux
need python3 python3
# python3 -m venv needs ensurepip, which Debian ships apart.
python3 -c 'import ensurepip' 2>/dev/null || missing="$missing python3-venv"
need script bsdutils
# Tests hold system calls in dumb-init with strace's fault injection.
need strace strace
need cc gcc
need debootstrap debootstrap
need file file
need man man-db
need qemu-aarch64-static qemu-user-static
# The -gnu targets' linkers, each with its glibc (libc.a) for static linking.
for cross in powerpc64le-linux-gnu:ppc64el s390x-linux-gnu:s390x arm-linux-gnueabihf:armhf riscv64-linux-gnu:riscv64; do
    triple=${cross%%:*}
    [ -e "/usr/$triple/lib/libc.a" ] || missing="$missing libc6-dev-${cross#*:}-cross"
    need "$triple-gcc" "gcc-$triple"
done

# podman (packaging/tests/containers.sh, podman-init.sh) and docker.io
# (packaging/tests/docker-init.sh) without their recommends: the tests use
# vfs storage and no network (no fuse-overlayfs, slirp4netns, buildah), and
# dbus-user-session would bring systemd. catatonit is what `podman run
# --init` runs, and tini-static (docker.io's /usr/bin/docker-init) what
# `docker run --init` runs, compared there and the references of the
# catatonit and tini suites (make compat-catatonit, make compat-tini). The
# tests start a dockerd of their own: the package's service is not started
# (see below).
missing_podman=""
command -v podman >/dev/null 2>&1 || missing_podman="$missing_podman podman"
command -v catatonit >/dev/null 2>&1 || missing_podman="$missing_podman catatonit"
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || missing_podman="$missing_podman docker.io"

if [ -n "$missing" ] || [ -n "$missing_podman" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-test-deps: missing:$missing$missing_podman (run as root to install them)" >&2
        exit 1
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    [ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    if [ -n "$missing_podman" ]; then
        # docker.io's and containerd's maintainer scripts start their
        # services through invoke-rc.d, which asks policy-rc.d first: where
        # the machine has none, one that says no (101) for this install.
        policy=/usr/sbin/policy-rc.d
        made_policy=""
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
        fi
        status=0
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing_podman >/dev/null ||
            status=$?
        [ -z "$made_policy" ] || rm -f "$policy"
        [ "$status" = 0 ] || exit "$status"
    fi
fi

# PyYAML for the python3 on PATH, which need not be Debian's.
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml

if command -v rustup >/dev/null 2>&1; then
    for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl powerpc64le-unknown-linux-gnu \
        s390x-unknown-linux-gnu armv7-unknown-linux-gnueabihf i686-unknown-linux-musl riscv64gc-unknown-linux-gnu; do
        rustup target list --installed | grep -qx "$target" || rustup target add "$target"
    done
fi
