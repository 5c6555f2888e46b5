#!/usr/bin/env bash
# One of the other architectures a release ships for, on this x86-64 host,
# in a root file system of that architecture: Debian's busybox-static for it
# (from trixie for riscv64, which bookworm does not have) with a dpkg
# database. Every program in the root is of that architecture and runs under
# qemu-user (binfmt_misc, registered by tools/binfmt-qemu.sh), except on
# i686, which an x86-64 kernel runs natively.
#
# 1. The .deb: Debian's dumb-init for the architecture is installed with
#    dpkg --root, then ours over it, which replaces it, then ours is removed.
# 2. examples/Dockerfile.release, as `docker build` would run it on that
#    architecture: its pick stage's COPY lines bring target/dist/ in and its
#    RUN line, run by the root's own shell, picks the release file by what
#    `uname -m` prints there (under qemu, the emulated machine's name).
# 3. The binary it picked, as an image runs it: -V; an exit status passed
#    through; and as process 1 of a PID namespace rooted there, SIGTERM from
#    outside reaching a background job of the shell entrypoint, -r 15:10
#    applied, and an orphan reaped. The host's /usr/bin/dumb-init is never
#    touched.
#
#   sh tools/binfmt-qemu.sh bash packaging/tests/foreign-root.sh ARCH DEBIAN_ARCH DEB BINARY
#
# ARCH is the `uname -m` name, BINARY the release build the .deb holds.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

usage="usage: foreign-root.sh ARCH DEBIAN_ARCH DEB BINARY"
ARCH=${1:?$usage}
DEB_ARCH=${2:?$usage}
DEB=${3:?$usage}
BIN=${4:?$usage}
ROOT=$WORK/root-$ARCH
DOCKERFILE=$TOP/examples/Dockerfile.release
export LC_ALL=C
# How processes of this architecture run here.
case $ARCH in
i686) runner=native ;;
armv7l) runner=qemu-arm-static ;;
*) runner=qemu-$ARCH-static ;;
esac
echo "$ARCH ($DEB_ARCH), run by: $runner"

# 1. The package itself.
expect_eq "dpkg-deb -I: Architecture: $DEB_ARCH" "$DEB_ARCH" "$(dpkg-deb -f "$DEB" Architecture 2>&1)"
dpkg-deb -x "$DEB" "$WORK/unpacked"
check "the packaged /usr/bin/dumb-init is a static $ARCH executable" \
    python3 "$TOP/tools/static_elf.py" "$WORK/unpacked/usr/bin/dumb-init" "$ARCH"
check "the packaged binary is the $ARCH release build, byte for byte" cmp -s "$WORK/unpacked/usr/bin/dumb-init" "$BIN"

# The root: that architecture's busybox-static with every applet linked in
# /bin, an empty dpkg database, and the entrypoint the examples use.
foreign_debs "$DEB_ARCH" busybox-static dumb-init || { summary; exit 1; }
busybox_deb=${FOREIGN_DEBS[0]} reference_deb=${FOREIGN_DEBS[1]}
mkdir -p "$ROOT/bin" "$ROOT/usr/bin" "$ROOT/tmp" "$ROOT/proc" "$ROOT/dev" "$ROOT/var/lib/dpkg/info" \
    "$ROOT/var/lib/dpkg/updates"
chmod 1777 "$ROOT/tmp"
mknod -m 666 "$ROOT/dev/null" c 1 3
touch "$ROOT/var/lib/dpkg/status"
dpkg-deb --fsys-tarfile "$busybox_deb" | tar -x -C "$WORK" --wildcards '*bin/busybox'
busybox=$(find "$WORK/bin" "$WORK/usr/bin" -name busybox 2>/dev/null | head -n 1)
install -m 755 "$busybox" "$ROOT/bin/busybox"
check "Debian's busybox-static for $DEB_ARCH is a static $ARCH executable ($(basename "$busybox_deb"))" \
    python3 "$TOP/tools/static_elf.py" "$ROOT/bin/busybox" "$ARCH"
check "its applets link into /bin, run by $runner" chroot "$ROOT" /bin/busybox --install -s /bin
cp "$TOP/examples/background-job-entrypoint.sh" "$ROOT/entrypoint.sh"

in_dpkg() { dpkg --root="$ROOT" "$@"; }
status_of() { dpkg-query --root="$ROOT" -W -f '${db:Status-Status}' "$1" 2>/dev/null || echo not-installed; }
if in_dpkg -i "$DEB" >"$WORK/dpkg-refused.log" 2>&1; then
    fail "an amd64 root refuses the $DEB_ARCH package" "$(cat "$WORK/dpkg-refused.log")"
else
    expect_grep "an amd64 root refuses the $DEB_ARCH package" "does not match system" "$WORK/dpkg-refused.log"
fi
check "dpkg --add-architecture $DEB_ARCH" in_dpkg --add-architecture "$DEB_ARCH"

# Debian's dumb-init first, as on an image that has it. It is linked to
# glibc, which this root does not hold (hence --force-depends): what is
# checked is that dpkg hands its place to ours.
check "Debian's dumb-init:$DEB_ARCH installs ($(basename "$reference_deb"))" \
    logged "$WORK/dpkg-reference.log" in_dpkg --force-depends -i "$reference_deb"
if in_dpkg -i "$DEB" >"$WORK/dpkg-ours.log" 2>&1; then
    ok "dpkg --root -i dumb-init-rs over dumb-init"
else
    fail "dpkg --root -i dumb-init-rs over dumb-init" "$(cat "$WORK/dpkg-ours.log")"
fi
expect_grep "dpkg removes dumb-init in favour of dumb-init-rs" \
    "will remove dumb-init:$DEB_ARCH in favour of dumb-init-rs:$DEB_ARCH" "$WORK/dpkg-ours.log"
expect_eq "dpkg -s: dumb-init-rs installed, $DEB_ARCH; dumb-init not" "install ok installed $DEB_ARCH not-installed" \
    "$(dpkg-query --root="$ROOT" -W -f '${Status} ${Architecture}' dumb-init-rs 2>&1) $(status_of dumb-init)"
expect_eq "dpkg -S /usr/bin/dumb-init names dumb-init-rs:$DEB_ARCH" "dumb-init-rs:$DEB_ARCH: /usr/bin/dumb-init" \
    "$(dpkg-query --root="$ROOT" -S /usr/bin/dumb-init 2>&1)"
check "the installed /usr/bin/dumb-init is the $ARCH release build" cmp -s "$ROOT/usr/bin/dumb-init" "$BIN"
expect_eq "dpkg --audit finds nothing" "" "$(in_dpkg --audit 2>&1)"
expect_eq "dumb-init -V from the package, in the root" "dumb-init v$CARGO_VERSION" \
    "$(chroot "$ROOT" /usr/bin/dumb-init -V 2>&1)"
check "dpkg --root -r removes it" logged "$WORK/dpkg-remove.log" in_dpkg -r dumb-init-rs
check "/usr/bin/dumb-init is gone after removal" test ! -e "$ROOT/usr/bin/dumb-init"

# 2. Dockerfile.release's pick stage in the root: its COPY lines from the
# build context, its RUN line by the root's shell. On i686 the shell runs
# under `setarch i686`, as on a 32-bit kernel: an x86-64 kernel tells
# i386 processes x86_64 (and the Dockerfile then picks the x86_64 file,
# which that kernel runs).
while IFS=$'\t' read -r stage source dest; do
    # shellcheck disable=SC2086 # a COPY source may be a glob
    [ "$stage" = - ] && mkdir -p "$ROOT$dest" && cp -p $TOP/$source "$ROOT$dest"
done < <(python3 "$TOP/packaging/tests/dockerfile.py" copies "$DOCKERFILE" pick)
run_line=$(python3 "$TOP/packaging/tests/dockerfile.py" run "$DOCKERFILE" pick)
personality=()
[ "$ARCH" = i686 ] && personality=(setarch i686)
expect_eq "uname -m in the root says $ARCH" "$ARCH" "$("${personality[@]}" chroot "$ROOT" uname -m 2>&1)"
if "${personality[@]}" chroot "$ROOT" /bin/sh -c "$run_line" >"$WORK/pick.log" 2>&1; then
    ok "Dockerfile.release's RUN line runs in the root"
else
    fail "Dockerfile.release's RUN line runs in the root" "$(cat "$WORK/pick.log")"
fi
expect_grep "it checks the file against SHA256SUMS" "^dumb-init_${CARGO_VERSION}_$ARCH: OK$" "$WORK/pick.log"
# The final stage's COPY --from=pick, within the same root.
while IFS=$'\t' read -r stage source dest; do
    if [ "$stage" = pick ]; then
        install -D -m 755 "$ROOT$source" "$ROOT$dest"
    elif [ "$stage" = - ]; then
        install -D -m 644 "$TOP/$source" "$ROOT$dest"
    fi
done < <(python3 "$TOP/packaging/tests/dockerfile.py" copies "$DOCKERFILE")
check "it picked dumb-init_${CARGO_VERSION}_$ARCH, the $ARCH release build" cmp -s "$ROOT/usr/bin/dumb-init" "$BIN"
rm -rf "$ROOT/tmp/dist" "$ROOT/dumb-init"

# 3. The picked binary, as the image runs it.
expect_eq "dumb-init -V" "dumb-init v$CARGO_VERSION" "$(chroot "$ROOT" /usr/bin/dumb-init -V 2>&1)"
chroot "$ROOT" /usr/bin/dumb-init sh -c 'exit 7'
expect_eq "the command's exit status comes back (7)" 7 "$?"

mapfile -t command < <(python3 "$TOP/packaging/tests/dockerfile.py" command "$DOCKERFILE")
out=$WORK/entrypoint.out
run_as_pid1 "$ROOT" "$out" "${command[@]}"
if wait_until 20 grep -q "background job: started" "$out" && wait_until 10 grep -q "entrypoint: started" "$out"; then
    ok "as process 1: the image's entrypoint starts under dumb-init"
else
    fail "as process 1: the image's entrypoint starts under dumb-init" "$(cat "$out")"
fi
pid1=$(pid1_of)
exe=$(basename "$(readlink /proc/"$pid1"/exe)")
[ "$runner" = native ] && runner=dumb-init
expect_eq "process 1 is dumb-init, run by $runner" "dumb-init 1 $runner" \
    "$(comm_of "$pid1") $(awk '/^NSpid:/ {print $NF}' /proc/"$pid1"/status 2>/dev/null) $exe"
kill -TERM "$pid1" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_grep "as process 1: SIGTERM reaches the background job" "background job: got SIGTERM" "$out"
expect_grep "as process 1: SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$out"
expect_eq "as process 1: exit status 0 (the entrypoint's)" 0 "$STATUS"

# -r 15:10: the SIGTERM sent to process 1 reaches the command as SIGUSR1.
out=$WORK/rewrite.out
run_as_pid1 "$ROOT" "$out" /usr/bin/dumb-init -r 15:10 -- \
    sh -c 'trap "echo got USR1; exit 3" USR1; trap "echo got TERM; exit 4" TERM; echo ready; while :; do sleep 0.1; done'
wait_until 20 grep -q "^ready$" "$out"
kill -TERM "$(pid1_of)" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_eq "-r 15:10: SIGTERM arrives as SIGUSR1, and the command's status (3) comes back" "got USR1 3" \
    "$(grep '^got ' "$out" | tr '\n' ' ')$STATUS"

# An orphan re-parented to process 1 is reaped, not left a zombie. (/bin/sleep
# by its path: busybox runs an applet named alone by executing itself, which
# under qemu names the process after the shell.)
out=$WORK/orphan.out
run_as_pid1 "$ROOT" "$out" /usr/bin/dumb-init -v -- sh -c '(sleep 0.3 &); echo "orphan started"; exec /bin/sleep 30'
wait_until 20 grep -q "orphan started" "$out"
pid1=$(pid1_of)
orphan_checks "as process 1" "$pid1" "$out"
kill -TERM "$pid1" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_eq "as process 1: SIGTERM ends the command, 128+15" 143 "$STATUS"

summary
