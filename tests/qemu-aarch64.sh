#!/usr/bin/env bash
# The integration tests or the compat suite against the aarch64 binary, run
# under qemu-user on this x86-64 host. Run it through
# tools/binfmt-qemu-aarch64.sh, which registers qemu-user-static with
# binfmt_misc while it runs, so that the aarch64 file runs as it is:
# DUMB_INIT_UNDER_TEST names it directly, argv[0] is kept and it runs inside
# chroots and containers too. What qemu cannot reproduce is listed, with the
# reason, in tests/qemu-aarch64.skip; everything else runs.
#
#   sh tools/binfmt-qemu-aarch64.sh bash tests/qemu-aarch64.sh integration|compat BINARY
set -eu

suite=${1:?usage: qemu-aarch64.sh integration|compat BINARY}
binary=${2:?usage: qemu-aarch64.sh integration|compat BINARY}
top=$(cd "$(dirname "$0")/.." && pwd)
skips=$top/tests/qemu-aarch64.skip
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

if ! file -L "$binary" | grep -q 'ARM aarch64.*statically linked'; then
    echo "qemu-aarch64: $binary is not a static aarch64 executable (run make static-aarch64)" >&2
    exit 1
fi
# binfmt_misc must hand the file to qemu; without it nothing here can run.
if ! version=$("$binary" -V 2>&1); then
    echo "qemu-aarch64: $binary does not run here ($version); run this under tools/binfmt-qemu-aarch64.sh" >&2
    exit 1
fi
echo "under qemu: $binary ($version, $(qemu-aarch64-static --version | head -n 1))"

# skipped SUITE: the skip file's names for SUITE, one a line.
skipped() { awk -F ' *[|] *' -v suite="$1" '$1 == suite { print $2 }' "$skips"; }

export DUMB_INIT_UNDER_TEST=$binary
case $suite in
integration)
    # A name that is no test would skip nothing: refuse it.
    listed=$(cd "$top" && cargo test -q --release --test '*' -- --list --format terse 2>/dev/null |
        sed -n 's/: test$//p')
    args=()
    while IFS= read -r name; do
        if ! grep -qxF -- "$name" <<<"$listed"; then
            echo "qemu-aarch64: $skips skips '$name', which is no integration test" >&2
            exit 1
        fi
        args+=(--skip "$name")
    done < <(skipped integration)
    awk -F ' *[|] *' '$1 == "integration" { print "skip " $2 ": " $3 }' "$skips"
    cd "$top"
    # --exact: each --skip names one test, not every test containing it.
    cargo test --release --test '*' -- --exact "${args[@]}"
    ;;
compat)
    cd "$top"
    python3 compat-tests/run.py --skip "$skips"
    ;;
*)
    echo "qemu-aarch64: unknown suite '$suite' (integration or compat)" >&2
    exit 1
    ;;
esac
