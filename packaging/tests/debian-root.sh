#!/usr/bin/env bash
# The .deb on a real Debian root file system: debootstrap a minimal bookworm
# (cached between runs), install Debian's dumb-init into it, install ours over
# it with dpkg, check that dpkg agrees with what is on disk, then build
# examples/Dockerfile.debian's layers into the root and run its ENTRYPOINT as
# process 1 of a PID namespace, stopping it with SIGTERM from outside as
# `docker stop` does. The host's /usr/bin/dumb-init is never touched.
#
#   bash packaging/tests/debian-root.sh path/to/dumb-init-rs_*.deb
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

DEB=${1:?usage: debian-root.sh path/to/dumb-init-rs.deb}
DOCKERFILE=$TOP/examples/Dockerfile.debian
ROOT=$WORK/debian-root
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

# 1. The root: debootstrap once, then unpack the cached tarball.
mkdir -p "$ROOT"
start=$SECONDS
debian_tarball || { summary; exit 1; }
tar -C "$ROOT" --numeric-owner -xf "$DEBIAN_TARBALL"
check "minimal $SUITE root ready in $((SECONDS - start)) s" test -x "$ROOT/usr/bin/dpkg"

in_root() { chroot "$ROOT" "$@"; }
status_of() { in_root dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null || echo not-installed; }
deb_version=$(dpkg-deb -f "$DEB" Version)

# 2. Debian's dumb-init first, as on an image that already has it.
reference_deb
cp "$REFERENCE_DEB" "$ROOT/tmp/reference.deb"
cp "$DEB" "$ROOT/tmp/ours.deb"
check "Debian's dumb-init installs into the root" logged "$WORK/dpkg-reference.log" in_root dpkg -i /tmp/reference.deb
expect_eq "the root's dumb-init is the reference before ours" "dumb-init v1.2.5" "$(in_root /usr/bin/dumb-init -V 2>&1)"

# 3. Ours over it, with dpkg.
if in_root dpkg -i /tmp/ours.deb >"$WORK/dpkg-ours.log" 2>&1; then
    ok "dpkg -i dumb-init-rs over dumb-init"
else
    fail "dpkg -i dumb-init-rs over dumb-init" "$(cat "$WORK/dpkg-ours.log")"
fi
expect_grep "dpkg removes dumb-init in favour of dumb-init-rs" "removing dumb-init in favour of dumb-init-rs" "$WORK/dpkg-ours.log"
expect_eq "/usr/bin/dumb-init is ours (-V)" "dumb-init v$CARGO_VERSION" "$(in_root /usr/bin/dumb-init -V 2>&1)"
check "/usr/bin/dumb-init is the static build, byte for byte" cmp -s "$ROOT/usr/bin/dumb-init" "$STATIC_BIN"
expect_eq "dpkg -S /usr/bin/dumb-init names dumb-init-rs" "dumb-init-rs: /usr/bin/dumb-init" "$(in_root dpkg -S /usr/bin/dumb-init 2>&1)"
expect_eq "dpkg -s dumb-init-rs: installed" "installed" "$(status_of dumb-init-rs)"
expect_eq "dpkg -s dumb-init-rs: version from Cargo.toml" "$deb_version" "$(in_root dpkg-query -W -f '${Version}' dumb-init-rs)"
case $deb_version in "$CARGO_VERSION"-*) ok "package version $deb_version carries Cargo.toml's $CARGO_VERSION" ;;
*) fail "package version carries Cargo.toml's version" "$deb_version vs $CARGO_VERSION" ;; esac
expect_eq "dpkg -s dumb-init-rs: Provides dumb-init" "dumb-init" "$(in_root dpkg-query -W -f '${Provides}' dumb-init-rs)"
expect_eq "dumb-init itself is no longer installed" "not-installed" "$(status_of dumb-init)"
audit=$(in_root dpkg --audit 2>&1)
expect_eq "dpkg --audit finds nothing" "" "$audit"
expect_eq "dpkg -L lists exactly the binary, man page and docs" \
    "$(printf '%s\n' /usr/bin/dumb-init /usr/share/doc/dumb-init-rs/changelog.Debian.gz \
        /usr/share/doc/dumb-init-rs/copyright /usr/share/doc/dumb-init-rs/extensions.md \
        /usr/share/doc/dumb-init-rs/migrating.md /usr/share/doc/dumb-init-rs/packaging.md \
        /usr/share/doc/dumb-init-rs/why-an-init.md \
        /usr/share/lintian/overrides/dumb-init-rs /usr/share/man/man1/dumb-init.1.gz)" \
    "$(in_root dpkg -L dumb-init-rs | while read -r f; do [ -d "$ROOT$f" ] || echo "$f"; done | sort)"
check "the man page is ours and renders" sh -c "zcat '$ROOT/usr/share/man/man1/dumb-init.1.gz' | grep -q 'grace' && zcat '$ROOT/usr/share/man/man1/dumb-init.1.gz' | man -l - >/dev/null 2>&1"
check "copyright is machine-readable and says MIT" sh -c "head -n 1 '$ROOT/usr/share/doc/dumb-init-rs/copyright' | grep -q copyright-format/1.0 && grep -q '^License: MIT$' '$ROOT/usr/share/doc/dumb-init-rs/copyright'"

# Every crate compiled into the binary is named in copyright (so a new
# dependency cannot ship without its licence being listed).
crates=$(cd "$TOP" && cargo metadata --format-version 1 --offline --filter-platform x86_64-unknown-linux-musl 2>/dev/null |
    python3 -c '
import json, sys
meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
seen, todo = set(), [meta["resolve"]["root"]]
while todo:
    node = todo.pop()
    if node in seen:
        continue
    seen.add(node)
    if any("proc-macro" in t["kind"] for t in packages[node]["targets"]):
        continue  # runs in the compiler; none of its code reaches the binary
    for dep in nodes[node]["deps"]:
        if any(k["kind"] is None for k in dep["dep_kinds"]):
            todo.append(dep["pkg"])
for node in seen:
    package = packages[node]
    if node != meta["resolve"]["root"] and not any("proc-macro" in t["kind"] for t in package["targets"]):
        print(package["name"])
' | sort -u)
unlisted=$(for crate in $crates; do grep -qw -- "$crate" "$ROOT/usr/share/doc/dumb-init-rs/copyright" || echo "$crate"; done | tr '\n' ' ')
if [ -z "$crates" ]; then
    fail "copyright names every crate in the binary" "cargo metadata gave no crates"
else
    expect_eq "copyright names every crate in the binary ($(echo $crates | wc -w) crates)" "" "$unlisted"
fi

# 4. Provides: a package that depends on dumb-init is satisfied by ours.
mkdir -p "$WORK/needs/DEBIAN"
cat >"$WORK/needs/DEBIAN/control" <<EOF
Package: needs-dumb-init
Version: 1.0
Architecture: all
Maintainer: package tests <root@localhost>
Depends: dumb-init
Description: test package that depends on dumb-init
 Used by the package tests only.
EOF
dpkg-deb --root-owner-group --build "$WORK/needs" "$ROOT/tmp/needs.deb" >/dev/null
check "a package depending on dumb-init installs against ours" logged "$WORK/dpkg-needs.log" in_root dpkg -i /tmp/needs.deb

# 5. Removal leaves nothing behind.
check "dpkg -r removes both packages" logged "$WORK/dpkg-remove.log" in_root dpkg -r needs-dumb-init dumb-init-rs
check "/usr/bin/dumb-init is gone after removal" test ! -e "$ROOT/usr/bin/dumb-init"
expect_eq "dpkg --audit still finds nothing" "" "$(in_root dpkg --audit 2>&1)"

# 6. examples/Dockerfile.debian's layers over a root that has Debian's
# dumb-init again: its COPY lines, then its RUN line (apt-get install of the
# .deb) in the root, as `docker build` would on debian:bookworm-slim.
in_root dpkg -i /tmp/reference.deb >/dev/null 2>&1
apply_copies "$DOCKERFILE" "$ROOT"
run_line=$(python3 "$TOP/packaging/tests/dockerfile.py" run "$DOCKERFILE")
if in_root sh -c "$run_line" >"$WORK/apt.log" 2>&1; then
    ok "Dockerfile.debian's RUN line (apt-get install of the .deb) works in the root"
else
    fail "Dockerfile.debian's RUN line works in the root" "$(tail -n 20 "$WORK/apt.log")"
fi
expect_eq "after apt: dumb-init-rs installed" "installed" "$(status_of dumb-init-rs)"
expect_eq "after apt: Debian's dumb-init removed" "not-installed" "$(status_of dumb-init)"
expect_eq "after apt: dpkg --audit finds nothing" "" "$(in_root dpkg --audit 2>&1)"

# 7. The image's ENTRYPOINT + CMD as process 1 of a PID namespace rooted in
# the Debian root; SIGTERM from outside, as `docker stop` sends it.
mapfile -t command < <(python3 "$TOP/packaging/tests/dockerfile.py" command "$DOCKERFILE")
out=$WORK/entrypoint.out
run_as_pid1 "$ROOT" "$out" "${command[@]}"
if wait_until 10 grep -q "background job: started" "$out" && wait_until 5 grep -q "entrypoint: started" "$out"; then
    ok "Dockerfile.debian's entrypoint starts under dumb-init"
else
    fail "Dockerfile.debian's entrypoint starts under dumb-init" "$(cat "$out")"
fi
pid1=$(pid1_of)
expect_eq "process 1 in the namespace is dumb-init" "dumb-init 1" \
    "$(comm_of "$pid1") $(awk '/^NSpid:/ {print $NF}' /proc/"$pid1"/status 2>/dev/null)"
check "process 1 runs the installed static binary" cmp -s "/proc/$pid1/exe" "$STATIC_BIN"
kill -TERM "$pid1" 2>/dev/null
wait_status "$UNSHARE_PID"
expect_grep "SIGTERM reaches the entrypoint's background job" "background job: got SIGTERM" "$out"
expect_grep "SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$out"
expect_eq "the container exits with the entrypoint's status (0)" 0 "$STATUS"

# The same entrypoint with sh as process 1 and no init: the background job
# never hears the SIGTERM. This is what the check above would see if ours
# did not signal the whole group.
out=$WORK/no-init.out
run_as_pid1 "$ROOT" "$out" "${command[@]:2}"
wait_until 10 grep -q "entrypoint: started" "$out"
pid1=$(pid1_of)
kill -TERM "$pid1" 2>/dev/null
sleep 1
if grep -q "entrypoint: got SIGTERM" "$out" && ! grep -q "background job: got SIGTERM" "$out"; then
    ok "without an init the background job misses SIGTERM (control)"
else
    fail "without an init the background job misses SIGTERM (control)" "$(cat "$out")"
fi
stop_pid1

summary
