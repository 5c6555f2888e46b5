#!/usr/bin/env bash
# make dist twice, from two clones of the same commit in two different
# directories, each with a target directory of its own: the release files
# must be the same bytes (SHA256SUMS and every file compared), no build
# path (the clone's, /root, /work, /tmp) may be left in the binaries, and
# the wheels must hold the release binaries.
#
#   bash packaging/tests/reproducible.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"

commit=$(git -C "$TOP" rev-parse HEAD)
deb_version=$(sed -n '1s/^dumb-init-rs (\([^)]*\)).*/\1/p' "$TOP/packaging/debian/changelog")
if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no)" ]; then
    echo "note: the work tree has uncommitted changes; this checks commit $commit only"
fi

# Different names and depths, so that a path left in a file shows up.
clones=("$WORK/first/dumb-init-rs" "$WORK/second/build-tree/dumb-init-rs")
for clone in "${clones[@]}"; do
    start=$SECONDS
    if ! git clone -q --no-checkout "$TOP" "$clone" ||
        ! git -C "$clone" checkout -q "$commit"; then
        fail "clone $commit into $clone"
        continue
    fi
    # Each clone builds into its own target/.
    if env -u CARGO_TARGET_DIR make -C "$clone" dist >"$clone.log" 2>&1; then
        ok "make dist in $clone ($((SECONDS - start)) s)"
    else
        fail "make dist in $clone" "$(tail -n 20 "$clone.log")"
    fi
done

first=${clones[0]}/target/dist
second=${clones[1]}/target/dist
for clone in "${clones[@]}"; do
    echo "SHA256SUMS of $clone:"
    sed 's/^/    /' "$clone/target/dist/SHA256SUMS" 2>/dev/null
done
wheels="dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64.whl"
wheels="$wheels dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl"
expect_eq "target/dist holds the six release files and SHA256SUMS" \
    "SHA256SUMS dumb-init-rs_${deb_version}_amd64.deb dumb-init-rs_${deb_version}_arm64.deb dumb-init_${CARGO_VERSION}_aarch64 dumb-init_${CARGO_VERSION}_x86_64 $wheels" \
    "$(cd "$first" 2>/dev/null && LC_ALL=C ls | tr '\n' ' ' | sed 's/ $//')"
check "SHA256SUMS is the same from both clones" cmp "$first/SHA256SUMS" "$second/SHA256SUMS"
for file in "$first"/*; do
    name=$(basename "$file")
    check "$name is byte-identical from both clones" cmp "$file" "$second/$name"
done
check "SHA256SUMS matches the files" sh -c "cd '$first' && sha256sum --quiet -c SHA256SUMS"

for arch in x86_64 aarch64; do
    binary=$first/dumb-init_${CARGO_VERSION}_$arch
    if [ ! -s "$binary" ]; then
        fail "dumb-init_${CARGO_VERSION}_$arch names no build path" "$binary is missing"
        continue
    fi
    leaks=$(strings -n 4 "$binary" | grep -E "(/root|/work|/tmp|/home)/|$WORK|/\.cargo|/\.rustup" | head -n 5)
    expect_eq "dumb-init_${CARGO_VERSION}_$arch names no build path" "" "$leaks"
done
for wheel in $wheels; do
    arch=${wheel##*_1_1_}
    arch=${arch%.whl}
    check "$wheel holds dumb-init_${CARGO_VERSION}_$arch" cmp -s "$first/dumb-init_${CARGO_VERSION}_$arch" \
        <(python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
            "$first/$wheel" "dumb_init_rs-$CARGO_VERSION.data/scripts/dumb-init")
done
expect_eq "the arm64 .deb says Architecture: arm64" arm64 \
    "$(dpkg-deb -f "$first/dumb-init-rs_${deb_version}_arm64.deb" Architecture 2>&1)"
expect_eq "the .debs' time stamps are the commit's" \
    "$(date -u -d "@$(git -C "$TOP" log -1 --format=%ct "$commit")" '+%Y-%m-%d %H:%M')" \
    "$(TZ=UTC dpkg-deb -c "$first/dumb-init-rs_${deb_version}_amd64.deb" | awk '$6 == "./usr/bin/dumb-init" { print $4, $5 }')"

summary
