#!/bin/sh
# make dist: the release files in target/dist/: one static binary per
# architecture, named as dumb-init names its own (dumb-init_<version>_<what
# `uname -m` prints there>), two .debs per Debian architecture (dumb-init-rs
# and dumb-init-rs-inits), one wheel per architecture, the pure-Python
# stand-in wheel that pip takes everywhere else (macOS...), and SHA256SUMS
# over all of them. Two runs from the same commit give the same bytes, in
# any directory: the binaries carry no build paths (the Makefile remaps
# them) and the .debs' and wheels' time stamps are the last commit's
# (build-deb.sh, wheel.py).
# packaging/tests/reproducible.sh checks it.
#
#   sh packaging/dist.sh UNAME_M DEBIAN_ARCH BINARY [UNAME_M DEBIAN_ARCH BINARY]...
#
# (the Makefile passes one triple per row of its ARCH_TABLE).
set -eu

usage="usage: dist.sh UNAME_M DEBIAN_ARCH BINARY [UNAME_M DEBIAN_ARCH BINARY]..."
if [ "$#" -lt 3 ] || [ $(($# % 3)) != 0 ]; then
    echo "$usage" >&2
    exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
dist=$top/target/dist
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$top/Cargo.toml")

# Built first, into a directory of their own, so that target/dist/ holds
# nothing from an earlier run. build-deb.sh and wheel.py check that each
# binary is a static file of its architecture.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 644 "$(python3 "$top/packaging/wheel.py" --stand-in)" "$stage/"
while [ "$#" -gt 0 ]; do
    machine=$1 deb_arch=$2 binary=$3
    shift 3
    # build-deb.sh prints its two .debs' paths (dumb-init-rs and
    # dumb-init-rs-inits), one a line.
    debs=$(sh "$top/packaging/build-deb.sh" "$binary" "$deb_arch")
    wheel=$(python3 "$top/packaging/wheel.py" "$binary" "$machine")
    install -m 755 "$binary" "$stage/dumb-init_${version}_$machine"
    echo "$debs" | while read -r deb; do install -m 644 "$deb" "$stage/" || exit 1; done
    install -m 644 "$wheel" "$stage/"
done

rm -rf "$dist"
mkdir -p "$dist"
cp -p "$stage"/* "$dist/"
# In the C locale's order, as sort(1) and ls(1) list them there.
(cd "$dist" && LC_ALL=C && export LC_ALL && sha256sum -- *) >"$stage/SHA256SUMS"
install -m 644 "$stage/SHA256SUMS" "$dist/SHA256SUMS"
echo "$dist:"
cat "$dist/SHA256SUMS"
