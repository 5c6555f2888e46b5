#!/bin/sh
# Runs a command with the executables of the other architectures a release
# ships for (aarch64, ppc64le, s390x, 32-bit ARM, riscv64) handed to
# qemu-user by the kernel (binfmt_misc), for as long as the command runs, so
# that those builds run as they are: in place, in chroots and in containers.
# (i686 needs no entry: an x86-64 kernel runs it natively.)
#
#   sh tools/binfmt-qemu.sh COMMAND [ARGUMENT...]
#
# The entries are the ones Debian's qemu-user-static ships for systemd-binfmt
# (/usr/lib/binfmt.d/qemu-<name>.conf, flags POF: argv[0] kept, interpreter
# opened at registration so that it works inside other roots, binary opened
# by the kernel). Where systemd does not run (containers, CI machines) nobody
# registers them. On this kernel the registrations live as long as a mount of
# binfmt_misc does, so the file system is mounted in a mount namespace of
# the command's own: when the command ends, so do the mount and the entries
# it added, unless the host has binfmt_misc mounted too, in which case the
# host's mount and entries are shared and stay as they were (plus these
# entries, where the host lacked them).
set -eu

[ "$#" -gt 0 ] || {
    echo "usage: binfmt-qemu.sh COMMAND [ARGUMENT...]" >&2
    exit 2
}
# Debian's names for the entries, which are qemu's names for the machines.
entries="aarch64 ppc64le s390x arm riscv64"
for name in $entries; do
    if [ ! -r "/usr/lib/binfmt.d/qemu-$name.conf" ]; then
        echo "binfmt-qemu: no /usr/lib/binfmt.d/qemu-$name.conf (tools/install-test-deps.sh installs qemu-user-static)" >&2
        exit 1
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "binfmt-qemu: needs root (mount and register binfmt_misc)" >&2
    exit 1
fi

# shellcheck disable=SC2016 # expanded by the inner sh
exec unshare --mount sh -c '
    set -eu
    dir=/proc/sys/fs/binfmt_misc entries=$1
    shift
    mountpoint -q "$dir" || mount -t binfmt_misc binfmt_misc "$dir"
    for name in $entries; do
        [ -e "$dir/qemu-$name" ] || cat "/usr/lib/binfmt.d/qemu-$name.conf" >"$dir/register"
    done
    exec "$@"' sh "$entries" "$@"
