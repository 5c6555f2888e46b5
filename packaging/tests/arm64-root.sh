#!/usr/bin/env bash
# The arm64 .deb on this x86-64 host: dpkg --root installs it into a root of
# its own (busybox-static and a dpkg database, arm64 added as a foreign
# architecture, as multiarch does), and its binary runs there under
# qemu-user (binfmt_misc, registered by tools/install-test-deps.sh): -V in a
# chroot, then as process 1 of a PID namespace, where SIGTERM from outside
# reaches the entrypoint's background job and an orphan is reaped. The
# host's /usr/bin/dumb-init is never touched.
#
#   bash packaging/tests/arm64-root.sh path/to/dumb-init-rs_*_arm64.deb
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

DEB=${1:?usage: arm64-root.sh path/to/dumb-init-rs_*_arm64.deb}
AARCH64_BIN=${STATIC_BIN_AARCH64:-$TOP/target/aarch64-unknown-linux-musl/release/dumb-init}
ROOT=$WORK/arm64-root
export LC_ALL=C

# 1. The package itself.
expect_eq "dpkg-deb -I: Architecture: arm64" arm64 "$(dpkg-deb -f "$DEB" Architecture 2>&1)"
dpkg-deb -x "$DEB" "$WORK/unpacked"
check "the packaged /usr/bin/dumb-init is a static aarch64 executable" \
    sh -c "file -L '$WORK/unpacked/usr/bin/dumb-init' | grep -q 'ARM aarch64.*statically linked'"
check "the packaged binary is the aarch64 build, byte for byte" cmp -s "$WORK/unpacked/usr/bin/dumb-init" "$AARCH64_BIN"

# 2. A root of its own: busybox-static and an empty dpkg database.
busybox_root "$ROOT"
rm -f "$ROOT/usr/bin/dumb-init"
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates"
touch "$ROOT/var/lib/dpkg/status"
cp "$TOP/examples/background-job-entrypoint.sh" "$ROOT/entrypoint.sh"
in_dpkg() { dpkg --root="$ROOT" "$@"; }
if in_dpkg -i "$DEB" >"$WORK/dpkg-refused.log" 2>&1; then
    fail "an amd64 root refuses the arm64 package" "$(cat "$WORK/dpkg-refused.log")"
else
    expect_grep "an amd64 root refuses the arm64 package" "does not match system" "$WORK/dpkg-refused.log"
fi
check "dpkg --add-architecture arm64" in_dpkg --add-architecture arm64
check "dpkg --root -i installs the arm64 package" logged "$WORK/dpkg-install.log" in_dpkg -i "$DEB"
expect_eq "dpkg -s: installed, arm64" "install ok installed arm64" \
    "$(dpkg-query --root="$ROOT" -W -f '${Status} ${Architecture}' dumb-init-rs 2>&1)"
expect_eq "dpkg -S /usr/bin/dumb-init names dumb-init-rs:arm64" "dumb-init-rs:arm64: /usr/bin/dumb-init" \
    "$(dpkg-query --root="$ROOT" -S /usr/bin/dumb-init 2>&1)"
check "the installed /usr/bin/dumb-init is the aarch64 build" cmp -s "$ROOT/usr/bin/dumb-init" "$AARCH64_BIN"
expect_eq "dpkg --audit finds nothing" "" "$(in_dpkg --audit 2>&1)"

# 3. It runs there, under qemu.
expect_eq "dumb-init -V runs in the root under qemu" "dumb-init v$CARGO_VERSION" \
    "$(chroot "$ROOT" /usr/bin/dumb-init -V 2>&1)"

out=$WORK/entrypoint.out
run_as_pid1 "$ROOT" "$out" /usr/bin/dumb-init -- sh /entrypoint.sh
if wait_until 20 grep -q "background job: started" "$out" && wait_until 10 grep -q "entrypoint: started" "$out"; then
    ok "as process 1: the entrypoint starts under dumb-init"
else
    fail "as process 1: the entrypoint starts under dumb-init" "$(cat "$out")"
fi
pid1=$(pid1_of)
expect_eq "process 1 is dumb-init, run by qemu" "dumb-init 1 qemu-aarch64-static" \
    "$(comm_of "$pid1") $(awk '/^NSpid:/ {print $NF}' /proc/"$pid1"/status 2>/dev/null) $(basename "$(readlink /proc/"$pid1"/exe)")"
kill -TERM "$pid1" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_grep "as process 1: SIGTERM reaches the background job" "background job: got SIGTERM" "$out"
expect_grep "as process 1: SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$out"
expect_eq "as process 1: exit status 0 (the entrypoint's)" 0 "$STATUS"

# An orphan re-parented to process 1 is reaped, not left a zombie.
out=$WORK/orphan.out
run_as_pid1 "$ROOT" "$out" /usr/bin/dumb-init -v -- sh -c '(sleep 0.3 &); echo "orphan started"; exec sleep 30'
wait_until 20 grep -q "orphan started" "$out"
pid1=$(pid1_of)
orphan_checks "as process 1" "$pid1" "$out"
kill -TERM "$pid1" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_eq "as process 1: SIGTERM ends the command, 128+15" 143 "$STATUS"

# 4. Removal leaves nothing behind.
check "dpkg --root -r removes it" logged "$WORK/dpkg-remove.log" in_dpkg -r dumb-init-rs
check "/usr/bin/dumb-init is gone after removal" test ! -e "$ROOT/usr/bin/dumb-init"

summary
