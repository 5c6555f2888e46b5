#!/bin/sh
# Runs a command with aarch64 executables handed to qemu-user by the kernel
# (binfmt_misc), for as long as the command runs, so that the aarch64 build
# runs as it is: in place, in chroots and in containers.
#
#   sh tools/binfmt-qemu-aarch64.sh COMMAND [ARGUMENT...]
#
# The entry is the one Debian's qemu-user-static ships for systemd-binfmt
# (/usr/lib/binfmt.d/qemu-aarch64.conf, flags POF: argv[0] kept, interpreter
# opened at registration so that it works inside other roots, binary opened
# by the kernel). Where systemd does not run (containers, CI machines) nobody
# registers it. On this kernel the registrations live as long as a mount of
# binfmt_misc does, so the file system is mounted in a mount namespace of
# the command's own: when the command ends, so do the mount and the entry it
# added, unless the host has binfmt_misc mounted too, in which case the host's
# mount and entries are shared and stay as they were (plus this entry, if the
# host lacked it).
set -eu

[ "$#" -gt 0 ] || {
    echo "usage: binfmt-qemu-aarch64.sh COMMAND [ARGUMENT...]" >&2
    exit 2
}
entry=/usr/lib/binfmt.d/qemu-aarch64.conf
if [ ! -r "$entry" ]; then
    echo "binfmt-qemu-aarch64: no $entry (tools/install-test-deps.sh installs qemu-user-static)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "binfmt-qemu-aarch64: needs root (mount and register binfmt_misc)" >&2
    exit 1
fi

# shellcheck disable=SC2016 # expanded by the inner sh
exec unshare --mount sh -c '
    set -eu
    dir=/proc/sys/fs/binfmt_misc entry=$1
    shift
    mountpoint -q "$dir" || mount -t binfmt_misc binfmt_misc "$dir"
    [ -e "$dir/qemu-aarch64" ] || cat "$entry" >"$dir/register"
    exec "$@"' sh "$entry" "$@"
