#!/usr/bin/env bash
# The static binary the way Alpine and scratch images get it: checks what can
# be checked of packaging/alpine/APKBUILD without abuild (not available on
# Debian), installs its package() output into a root holding only
# busybox-static, and runs it there as process 1, in runc (an OCI bundle from
# `runc spec`) and with unshare --root, stopping it with SIGTERM from outside.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

APKBUILD=$TOP/packaging/alpine/APKBUILD

# 1. The APKBUILD: valid shell, the right names and version, and a package()
# that lays out the static build as apk would install it.
check "APKBUILD parses (sh -n)" sh -n "$APKBUILD"
check "APKBUILD parses (busybox ash -n)" busybox ash -n "$APKBUILD"
# What abuild defines before it sources an APKBUILD.
# shellcheck disable=SC2034 # read by the APKBUILD
startdir=$TOP/packaging/alpine srcdir=$WORK/apk-src pkgdir=$WORK/apk-pkg CTARGET=x86_64-alpine-linux-musl
apk_vars=$(
    # shellcheck disable=SC1090
    . "$APKBUILD"
    printf '%s|%s|%s|%s|%s\n' "$pkgname" "$pkgver" "$license" "$provides" "$replaces"
    for f in prepare build check package; do [ "$(type -t "$f")" = function ] && printf '%s() ' "$f"; done
)
IFS='|' read -r pkgname pkgver license provides replaces <<<"$(head -n 1 <<<"$apk_vars")"
expect_eq "APKBUILD: pkgname" dumb-init-rs "$pkgname"
expect_eq "APKBUILD: pkgver is Cargo.toml's version" "$CARGO_VERSION" "$pkgver"
cargo_license=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["license"])' "$TOP/Cargo.toml")
expect_eq "APKBUILD: license is Cargo.toml's" "$cargo_license" "$license"
check "APKBUILD: provides dumb-init" grep -qE '(^| )dumb-init(=|$| )' <<<"$provides"
expect_eq "APKBUILD: replaces dumb-init" dumb-init "$replaces"
expect_eq "APKBUILD: defines prepare, build, check and package" "prepare() build() check() package() " "$(tail -n +2 <<<"$apk_vars")"

# package() runs as abuild would run it, in the APKBUILD's builddir, where
# build() would have left the static binary at target/release/dumb-init.
mkdir -p "$pkgdir"
if (
    # shellcheck disable=SC1090
    . "$APKBUILD"
    set -e
    # shellcheck disable=SC2154 # builddir comes from the APKBUILD
    mkdir -p "$builddir/target/release"
    cp "$STATIC_BIN" "$builddir/target/release/dumb-init"
    cp -r "$TOP/docs" "$builddir/docs"
    cd "$builddir"
    package
) >"$WORK/apk-package.log" 2>&1; then
    ok "APKBUILD: package() runs"
else
    fail "APKBUILD: package() runs" "$(cat "$WORK/apk-package.log")"
fi
check "APKBUILD: package() installs /usr/bin/dumb-init (mode 755)" \
    test "$(stat -c %a "$pkgdir/usr/bin/dumb-init" 2>/dev/null)" = 755
check "APKBUILD: package() installs the man page" test -s "$pkgdir/usr/share/man/man1/dumb-init.1"

# 2. A root with nothing but busybox-static and the packaged binary.
ROOT=$WORK/busybox-root
busybox_root "$ROOT"
cp "$pkgdir/usr/bin/dumb-init" "$ROOT/usr/bin/dumb-init" || rm "$ROOT/usr/bin/dumb-init"
cp "$TOP/examples/background-job-entrypoint.sh" "$ROOT/entrypoint.sh"
check "the root holds no libc" test -z "$(find "$ROOT" -name 'libc*' -o -name 'ld-*')"
expect_eq "dumb-init -V runs in the busybox root" "dumb-init v$CARGO_VERSION" \
    "$(chroot "$ROOT" /usr/bin/dumb-init -V 2>&1)"

# 3. In runc: the entrypoint with a background job, SIGTERM via runc kill.
out=$WORK/runc-entrypoint.out
runc_start "entrypoint-$$" "$ROOT" "$out" -- /usr/bin/dumb-init -- sh /entrypoint.sh
if wait_until 10 grep -q "background job: started" "$out" && wait_until 5 grep -q "entrypoint: started" "$out"; then
    ok "runc: the entrypoint starts under dumb-init"
else
    fail "runc: the entrypoint starts under dumb-init" "$(cat "$out")"
fi
init=$(runc_init_pid "entrypoint-$$")
expect_eq "runc: process 1 is dumb-init" "dumb-init 1" \
    "$(comm_of "$init") $(awk '/^NSpid:/ {print $NF}' /proc/"$init"/status 2>/dev/null)"
runc --root "$RUNC_STATE" kill "entrypoint-$$" TERM
wait_status "$RUNC_PID"
expect_grep "runc: SIGTERM reaches the background job" "background job: got SIGTERM" "$out"
expect_grep "runc: SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$out"
expect_eq "runc: the container exits with the entrypoint's status (0)" 0 "$STATUS"

# 4. In runc: an orphan re-parented to process 1 is reaped, not left a zombie.
out=$WORK/runc-orphan.out
runc_start "orphan-$$" "$ROOT" "$out" -- \
    /usr/bin/dumb-init -v -- sh -c '(sleep 0.3 &); echo "orphan started"; exec sleep 30'
wait_until 10 grep -q "orphan started" "$out"
init=$(runc_init_pid "orphan-$$")
orphan_checks "runc" "$init" "$out"
runc --root "$RUNC_STATE" kill "orphan-$$" TERM
wait_status "$RUNC_PID"
expect_eq "runc: SIGTERM ends the container with 128+15" 143 "$STATUS"

# 5. The same root with unshare --root instead of runc.
out=$WORK/unshare-entrypoint.out
run_as_pid1 "$ROOT" "$out" /usr/bin/dumb-init -- sh /entrypoint.sh
wait_until 10 grep -q "entrypoint: started" "$out"
pid1=$(pid1_of)
expect_eq "unshare --root: process 1 is dumb-init" dumb-init "$(comm_of "$pid1")"
kill -TERM "$pid1"
wait_status "$UNSHARE_PID"
expect_grep "unshare --root: SIGTERM reaches the background job" "background job: got SIGTERM" "$out"
expect_eq "unshare --root: exit status 0" 0 "$STATUS"

summary
