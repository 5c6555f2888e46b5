#!/usr/bin/env bash
# make package-test: the .deb on a Debian root, the static binary in a
# busybox root (the APKBUILD with it), the examples, the examples built and
# stopped as podman images, socket activation through podman, every other
# architecture's .deb and release file in a root of that architecture (under
# qemu-user, i686 natively), and make dist built twice and compared
# (reproducible.sh). Then the engines' inits: `docker run --init` and
# `podman run --init` given an init (docker-init.sh, podman-init.sh), and
# dumb-init-rs-inits on a Debian root with docker.io (inits-root.sh). Each
# script prints its checks and a final "N passed, N failed"; this adds them
# up and times each part.
#
#   SHIPPED="ARCH:DEBIAN_ARCH:BINARY ..." [ENGINE_INIT=reference|ours|off] bash packaging/tests/run.sh
#
# SHIPPED names the shipped binary of each architecture (the Makefile passes
# one word per row of its ARCH_TABLE); the first must be x86_64's.
# ENGINE_INIT picks the init docker-init.sh and podman-init.sh give the
# engines: "ours" (the default), the shipped x86_64 binary, run by the
# engines as docker-init and podman-init; "reference", Debian's tini-static
# and catatonit, which the checks are written against (each passes them
# all); "off", neither. With
# "reference", inits-root.sh checks the package and which binary docker
# runs, not tini's behaviour (TINI_CHECKS=0); with "ours", everything.
# ONLY="SCRIPT ..." runs only those parts, by script name (e.g.
# ONLY="docker-init.sh podman-init.sh inits-root.sh").
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$top/Cargo.toml")
read -r -a shipped <<<"${SHIPPED:?SHIPPED=\"ARCH:DEBIAN_ARCH:BINARY ...\" (make package-test sets it)}"
# deb_of DEBIAN_ARCH: the newest .deb of this version for it.
deb_of() { ls -t "$top"/target/debian/dumb-init-rs_"$version"-*_"$1".deb 2>/dev/null | head -n 1; }
inits_deb_of() { ls -t "$top"/target/debian/dumb-init-rs-inits_"$version"-*_"$1".deb 2>/dev/null | head -n 1; }
ENGINE_INIT=${ENGINE_INIT:-ours}
case $ENGINE_INIT in
reference | ours | off) ;;
*)
    echo "package-test: ENGINE_INIT is reference, ours or off, not '$ENGINE_INIT'" >&2
    exit 2
    ;;
esac

parts=()
for row in "${shipped[@]}"; do
    IFS=: read -r arch deb_arch binary <<<"$row"
    deb=$(deb_of "$deb_arch")
    if [ -z "$deb" ]; then
        echo "package-test: no target/debian/dumb-init-rs_${version}-*_$deb_arch.deb; run make deb" >&2
        exit 1
    fi
    if [ "$arch" = x86_64 ]; then
        export STATIC_BIN=$binary
        parts+=("debian-root.sh $deb" static-root.sh examples.sh "containers.sh $deb"
            socket-activation.sh)
        inits_deb=$(inits_deb_of "$deb_arch")
        if [ -z "$inits_deb" ]; then
            echo "package-test: no target/debian/dumb-init-rs-inits_${version}-*_$deb_arch.deb; run make deb" >&2
            exit 1
        fi
        [ "$ENGINE_INIT" = off ] || parts+=(docker-init.sh podman-init.sh)
        parts+=("inits-root.sh $deb $inits_deb")
    else
        parts+=("foreign-root.sh $arch $deb_arch $deb $binary")
    fi
done
parts+=(reproducible.sh)

passed=0
failed=0
for part in "${parts[@]}"; do
    read -r -a words <<<"$part"
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" ${words[0]} "* ]] || continue
    name=${words[0]}
    [ "$name" = foreign-root.sh ] && name="$name ${words[1]}"
    runner=
    case $part in
    # The other architectures run with qemu-user registered for their files.
    foreign-root.sh*) runner="sh $top/tools/binfmt-qemu.sh" ;;
    docker-init.sh)
        runner="env INIT=/usr/bin/tini-static"
        [ "$ENGINE_INIT" = ours ] && runner="env INIT=$STATIC_BIN"
        ;;
    podman-init.sh)
        runner="env INIT=/usr/bin/catatonit"
        [ "$ENGINE_INIT" = ours ] && runner="env INIT=$STATIC_BIN"
        ;;
    inits-root.sh*)
        runner="env TINI_CHECKS=0"
        [ "$ENGINE_INIT" = ours ] && runner="env TINI_CHECKS=1"
        ;;
    esac
    [ "$runner" = "${runner#env }" ] || name="$name (${runner#env })"
    echo "== $name"
    start=$SECONDS
    # shellcheck disable=SC2086 # part is a script and its arguments
    $runner bash "$here"/$part | tee "${TMPDIR:-/tmp}/package-test.$$.log"
    status=${PIPESTATUS[0]}
    counts=$(tail -n 1 "${TMPDIR:-/tmp}/package-test.$$.log")
    rm -f "${TMPDIR:-/tmp}/package-test.$$.log"
    if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        [ "$status" = 0 ] || [ "${BASH_REMATCH[2]}" != 0 ] || failed=$((failed + 1))
    else
        echo "FAIL - $name ended without its summary (status $status)"
        failed=$((failed + 1))
    fi
    echo "== $name: $((SECONDS - start)) s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
