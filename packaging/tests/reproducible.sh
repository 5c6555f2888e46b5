#!/usr/bin/env bash
# make dist twice, in two different directories, each with a target
# directory of its own: the release files must be the same bytes (every
# file and its SHA256SUMS line compared), no build path (the trees', /root,
# /work, /tmp) may be left in the binaries, and the .debs and wheels must
# hold the release binaries. The first build is this tree's own `make dist`
# when the work tree has no uncommitted changes (make test has just built
# it), else a clone of the commit; it makes all seven architectures. The
# second is a clone of the commit elsewhere, making the architectures in
# REPRODUCIBLE_ARCHES (`uname -m` names; all seven when unset): each of
# them is a build of std and of the program from scratch, about a minute
# here, so make test checks a few (see the Makefile) and
# make reproducible-test all.
#
#   [REPRODUCIBLE_ARCHES="x86_64 s390x"] bash packaging/tests/reproducible.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"

commit=$(git -C "$TOP" rev-parse HEAD)
deb_version=$(sed -n '1s/^dumb-init-rs (\([^)]*\)).*/\1/p' "$TOP/packaging/debian/changelog")
# Different names and depths, so that a path left in a file shows up.
trees=("$WORK/first/dumb-init-rs" "$WORK/second/build-tree/dumb-init-rs")
if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no)" ]; then
    echo "note: the work tree has uncommitted changes; this checks commit $commit only, in two clones"
else
    trees[0]=$TOP
fi
subset=${REPRODUCIBLE_ARCHES:-}
for tree in "${trees[@]}"; do
    start=$SECONDS
    if [ "$tree" != "$TOP" ] && { ! git clone -q --no-checkout "$TOP" "$tree" ||
        ! git -C "$tree" checkout -q "$commit"; }; then
        fail "clone $commit into $tree"
        continue
    fi
    # Each tree builds into its own target/; the second only the subset
    # (ARCHES on make's command line restricts its loops to those rows).
    only=()
    [ "$tree" = "${trees[1]}" ] && [ -n "$subset" ] && only=(ARCHES="$subset")
    log=$WORK/dist-$(echo "$tree" | md5sum | cut -c1-8).log
    if env -u CARGO_TARGET_DIR make -C "$tree" dist "${only[@]}" >"$log" 2>&1; then
        ok "make dist${only[*]:+ ${only[*]}} in $tree ($((SECONDS - start)) s)"
    else
        fail "make dist${only[*]:+ ${only[*]}} in $tree" "$(tail -n 20 "$log")"
    fi
done

first=${trees[0]}/target/dist
second=${trees[1]}/target/dist
for tree in "${trees[@]}"; do
    echo "SHA256SUMS of $tree:"
    sed 's/^/    /' "$tree/target/dist/SHA256SUMS" 2>/dev/null
done
# The seven architectures by their `uname -m` names, their Debian names and
# the tails of their wheels' names (the platform tags of packaging/wheel.py).
declare -A DEB_ARCH=([x86_64]=amd64 [aarch64]=arm64 [ppc64le]=ppc64el [s390x]=s390x [armv7l]=armhf
    [i686]=i386 [riscv64]=riscv64)
declare -A TAGS=(
    [x86_64]=manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64
    [aarch64]=manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64
    [ppc64le]=manylinux_2_17_ppc64le.manylinux2014_ppc64le.musllinux_1_1_ppc64le
    [s390x]=manylinux_2_17_s390x.manylinux2014_s390x.musllinux_1_1_s390x
    [armv7l]=manylinux_2_17_armv7l.manylinux2014_armv7l.musllinux_1_1_armv7l
    [i686]=manylinux_2_17_i686.manylinux2014_i686.musllinux_1_1_i686
    [riscv64]=manylinux_2_17_riscv64.musllinux_1_1_riscv64
)
# The pure-Python wheel that pip takes where none of those fits (macOS...).
STAND_IN=dumb_init_rs-$CARGO_VERSION-py3-none-any.whl
expected=$({
    for arch in "${!DEB_ARCH[@]}"; do
        echo "dumb-init_${CARGO_VERSION}_$arch"
        echo "dumb-init-rs_${deb_version}_${DEB_ARCH[$arch]}.deb"
        echo "dumb-init-rs-inits_${deb_version}_${DEB_ARCH[$arch]}.deb"
        echo "dumb_init_rs-$CARGO_VERSION-py2.py3-none-${TAGS[$arch]}.whl"
    done
    echo "$STAND_IN"
} | LC_ALL=C sort | tr '\n' ' ')
expect_eq "target/dist holds a binary, two .debs and a wheel per architecture, the stand-in wheel (29 files) and SHA256SUMS" \
    "SHA256SUMS $expected" "$(cd "$first" 2>/dev/null && LC_ALL=C ls | tr '\n' ' ')"
# Every file of the second build, and its line in SHA256SUMS, is the first's.
built=${subset:-${!DEB_ARCH[*]}}
expect_eq "the second build made a binary, two .debs and a wheel for each of its architectures ($built), and the stand-in" \
    $((4 * $(wc -w <<<"$built") + 1)) "$(find "$second" -maxdepth 1 -type f ! -name SHA256SUMS | wc -l)"
for file in "$second"/*; do
    name=$(basename "$file")
    [ "$name" = SHA256SUMS ] && continue
    check "$name is byte-identical from both builds" cmp "$file" "$first/$name"
    expect_eq "$name: the same SHA256SUMS line from both builds" "$(grep "  $name\$" "$first/SHA256SUMS")" \
        "$(grep "  $name\$" "$second/SHA256SUMS")"
done
if [ -z "$subset" ]; then
    check "SHA256SUMS is the same from both builds" cmp "$first/SHA256SUMS" "$second/SHA256SUMS"
fi
# sums_cover DIR: SHA256SUMS names every other file of DIR, and they match it.
sums_cover() {
    [ "$(find "$1" -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort)" = \
        "$(awk '{ print $2 }' "$1/SHA256SUMS")" ] && (cd "$1" && sha256sum --quiet -c SHA256SUMS)
}
check "SHA256SUMS names every other file, and they match it" sums_cover "$first"

for arch in "${!DEB_ARCH[@]}"; do
    binary=$first/dumb-init_${CARGO_VERSION}_$arch
    if [ ! -s "$binary" ]; then
        fail "dumb-init_${CARGO_VERSION}_$arch names no build path" "$binary is missing"
        continue
    fi
    leaks=$(strings -n 4 "$binary" | grep -E "(/root|/work|/tmp|/home)/|$WORK|$TOP|/\.cargo|/\.rustup" | head -n 5)
    expect_eq "dumb-init_${CARGO_VERSION}_$arch names no build path" "" "$leaks"
    wheel=dumb_init_rs-$CARGO_VERSION-py2.py3-none-${TAGS[$arch]}.whl
    check "$wheel holds dumb-init_${CARGO_VERSION}_$arch" cmp -s "$binary" \
        <(python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
            "$first/$wheel" "dumb_init_rs-$CARGO_VERSION.data/scripts/dumb-init")
    deb=$first/dumb-init-rs_${deb_version}_${DEB_ARCH[$arch]}.deb
    expect_eq "the ${DEB_ARCH[$arch]} .deb says Architecture: ${DEB_ARCH[$arch]} and holds dumb-init_${CARGO_VERSION}_$arch" \
        "${DEB_ARCH[$arch]} same" \
        "$(dpkg-deb -f "$deb" Architecture 2>&1) $(cmp -s "$binary" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/dumb-init) && echo same)"
    inits=$first/dumb-init-rs-inits_${deb_version}_${DEB_ARCH[$arch]}.deb
    expect_eq "the ${DEB_ARCH[$arch]} dumb-init-rs-inits .deb says Architecture: ${DEB_ARCH[$arch]} and depends on that dumb-init-rs" \
        "${DEB_ARCH[$arch]} dumb-init-rs (= $deb_version)" \
        "$(dpkg-deb -f "$inits" Architecture 2>&1) $(dpkg-deb -f "$inits" Depends 2>&1)"
done
expect_eq "the .debs' time stamps are the commit's" \
    "$(date -u -d "@$(git -C "$TOP" log -1 --format=%ct "$commit")" '+%Y-%m-%d %H:%M')" \
    "$(TZ=UTC dpkg-deb -c "$first/dumb-init-rs_${deb_version}_amd64.deb" | awk '$6 == "./usr/bin/dumb-init" { print $4, $5 }')"

summary
