#!/usr/bin/env bash
# The integration tests or the compat suite against the build for another
# architecture a release ships for (the Makefile's ARCH_TABLE, by its
# `uname -m` name), on this x86-64 host. i686 runs natively on an x86-64
# kernel; the others run under qemu-user: run this through
# tools/binfmt-qemu.sh, which registers qemu-user-static with binfmt_misc
# while it runs, so that the file runs as it is: DUMB_INIT_UNDER_TEST names
# it directly, argv[0] is kept and it runs inside chroots and containers too.
# The test harnesses stay native; only dumb-init is foreign. What qemu cannot
# reproduce is listed, per architecture and with the reason, in
# tests/qemu.skip; everything else runs.
#
#   sh tools/binfmt-qemu.sh bash tests/cross-arch.sh ARCH integration|compat BINARY
set -eu

usage="usage: cross-arch.sh ARCH integration|compat BINARY"
arch=${1:?$usage}
suite=${2:?$usage}
binary=${3:?$usage}
top=$(cd "$(dirname "$0")/.." && pwd)
skips=$top/tests/qemu.skip
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

if ! python3 "$top/tools/static_elf.py" "$binary" "$arch"; then
    echo "cross-arch: $binary is not a static $arch executable (run make static-$arch)" >&2
    exit 1
fi
# binfmt_misc must hand the file to qemu; without it nothing here can run.
if ! version=$("$binary" -V 2>&1); then
    echo "cross-arch: $binary does not run here ($version); run this under tools/binfmt-qemu.sh" >&2
    exit 1
fi
# How it runs: the kernel's own loader, or the qemu that binfmt_misc names.
runner=native
case $arch in
x86_64 | i686) ;;
armv7l) runner=$(qemu-arm-static --version | head -n 1) ;;
*) runner=$(qemu-"$arch"-static --version | head -n 1) ;;
esac
echo "$arch: $binary ($version; $runner)"

# The skip list's lines for this architecture and SUITE, as
# "name | reason": the first column lists the architectures where the reason
# was seen.
skipped() {
    awk -F ' *[|] *' -v arch="$arch" -v suite="$1" '
        /^#/ || NF != 4 { next }
        $2 == suite { n = split($1, arches, / +/); for (i = 1; i <= n; i++) if (arches[i] == arch) print $3 " | " $4 }
    ' "$skips"
}

export DUMB_INIT_UNDER_TEST=$binary
cd "$top"
case $suite in
integration)
    # A name that is no test would skip nothing: refuse it.
    listed=$(cargo test -q --release --test '*' -- --list --format terse 2>/dev/null | sed -n 's/: test$//p')
    args=()
    while IFS= read -r line; do
        name=${line%% | *}
        if ! grep -qxF -- "$name" <<<"$listed"; then
            echo "cross-arch: $skips skips '$name', which is no integration test" >&2
            exit 1
        fi
        args+=(--skip "$name")
        echo "skip $name: ${line#* | }"
    done < <(skipped integration)
    # --exact: each --skip names one test, not every test containing it.
    cargo test --release --no-fail-fast --test '*' -- --exact "${args[@]}"
    ;;
compat)
    # compat-tests/run.py reads "compat | scenario | reason" lines.
    list=$(mktemp)
    trap 'rm -f "$list"' EXIT
    skipped compat | sed 's/^/compat | /' >"$list"
    scenarios=$(python3 compat-tests/run.py --list)
    while IFS= read -r name; do
        if ! grep -qxF -- "$name" <<<"$scenarios"; then
            echo "cross-arch: $skips skips '$name', which is no compat scenario" >&2
            exit 1
        fi
    done < <(skipped compat | sed 's/ | .*//')
    python3 compat-tests/run.py --skip "$list"
    ;;
*)
    echo "cross-arch: unknown suite '$suite' (integration or compat)" >&2
    exit 1
    ;;
esac
