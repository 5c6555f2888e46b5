#!/bin/sh
# make dist: the release files in target/dist/, named as dumb-init names its
# own (dumb-init_<version>_x86_64, dumb-init_<version>_aarch64), the amd64
# and arm64 .debs, the two wheels, and SHA256SUMS over all six. Two runs from
# the same commit give the same bytes, in any directory: the binaries carry no
# build paths (make static remaps them) and the .debs' and wheels' time stamps
# are the last commit's (build-deb.sh, wheel.py).
# packaging/tests/reproducible.sh checks it.
#
#   sh packaging/dist.sh path/to/x86_64/dumb-init path/to/aarch64/dumb-init
set -eu

x86_64=${1:?usage: dist.sh X86_64_BINARY AARCH64_BINARY}
aarch64=${2:?usage: dist.sh X86_64_BINARY AARCH64_BINARY}
top=$(cd "$(dirname "$0")/.." && pwd)
dist=$top/target/dist
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$top/Cargo.toml")

# build-deb.sh checks that each binary is a static file of its architecture.
amd64_deb=$(sh "$top/packaging/build-deb.sh" "$x86_64" amd64)
arm64_deb=$(sh "$top/packaging/build-deb.sh" "$aarch64" arm64)
# The same two files as the wheels' dumb-init (wheel.py checks them too).
x86_64_wheel=$(python3 "$top/packaging/wheel.py" "$x86_64" x86_64)
aarch64_wheel=$(python3 "$top/packaging/wheel.py" "$aarch64" aarch64)

rm -rf "$dist"
mkdir -p "$dist"
install -m 755 "$x86_64" "$dist/dumb-init_${version}_x86_64"
install -m 755 "$aarch64" "$dist/dumb-init_${version}_aarch64"
install -m 644 "$amd64_deb" "$arm64_deb" "$x86_64_wheel" "$aarch64_wheel" "$dist/"
sums=$(cd "$dist" && sha256sum "dumb-init_${version}_x86_64" "dumb-init_${version}_aarch64" \
    "$(basename "$amd64_deb")" "$(basename "$arm64_deb")" \
    "$(basename "$x86_64_wheel")" "$(basename "$aarch64_wheel")" | LC_ALL=C sort -k 2)
printf '%s\n' "$sums" >"$dist/SHA256SUMS"
chmod 644 "$dist/SHA256SUMS"
echo "$dist:"
cat "$dist/SHA256SUMS"
