#!/bin/sh
# Builds target/debian/dumb-init-rs_<version>_<arch>.deb from a static
# binary, and beside it dumb-init-rs-inits_<version>_<arch>.deb (the names
# tini, tini-static and catatonit as links to it), with dpkg-deb and the
# hand-kept files in packaging/debian/; prints the two paths, one a line.
# The architecture is Debian's name (amd64, the default, arm64, ppc64el,
# s390x, armhf, i386 or riscv64), and the binary must be a static executable
# for it.
#
#   sh packaging/build-deb.sh path/to/static/dumb-init [DEBIAN_ARCH]
#
# The upstream version comes from Cargo.toml; the Debian revision from the
# top entry of packaging/debian/changelog, which must name the same upstream
# version (so a version bump cannot silently ship a stale changelog).
set -eu

binary=${1:?usage: build-deb.sh path/to/static/dumb-init [DEBIAN_ARCH]}
arch=${2:-amd64}
top=$(cd "$(dirname "$0")/.." && pwd)
debian=$top/packaging/debian
out=$top/target/debian

cargo_version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$top/Cargo.toml")
deb_version=$(sed -n '1s/^dumb-init-rs (\([^)]*\)).*/\1/p' "$debian/changelog")
case $deb_version in
"$cargo_version"-*) ;;
*)
    echo "build-deb: changelog version '$deb_version' does not match Cargo.toml version '$cargo_version'" >&2
    echo "build-deb: add an entry to packaging/debian/changelog" >&2
    exit 1
    ;;
esac

# A .deb ships one architecture; refuse anything but a static file for it so
# a glibc build (or another architecture's) never slips into a package that
# claims to need nothing. Debian's names, and what `uname -m` says there.
case $arch in
amd64) machine=x86_64 ;;
arm64) machine=aarch64 ;;
ppc64el) machine=ppc64le ;;
s390x) machine=s390x ;;
armhf) machine=armv7l ;;
i386) machine=i686 ;;
riscv64) machine=riscv64 ;;
*)
    echo "build-deb: unknown architecture '$arch' (amd64, arm64, ppc64el, s390x, armhf, i386 or riscv64)" >&2
    exit 1
    ;;
esac
if ! python3 "$top/tools/static_elf.py" "$binary" "$machine"; then
    echo "build-deb: $binary is not a static $machine executable (the Makefile's static and static-small targets build one)" >&2
    exit 1
fi

# The ppc64el, s390x, armhf and riscv64 builds contain glibc, linked
# statically from Debian's libc6-dev-<arch>-cross: like Debian's own
# statically linked packages, the package names that glibc (Built-Using).
built_using=
case $arch in
ppc64el | s390x | armhf | riscv64)
    built_using=$(dpkg-query -W -f '${Built-Using}' "libc6-dev-$arch-cross" 2>/dev/null |
        tr ',' '\n' | sed -n 's/^ *\(glibc (= [^)]*)\) *$/\1/p')
    if [ -z "$built_using" ]; then
        echo "build-deb: the $arch build links glibc from libc6-dev-$arch-cross, which is not installed (make deps)" >&2
        exit 1
    fi
    ;;
esac

# Reproducible: every time stamp is SOURCE_DATE_EPOCH. When the caller has
# not set it, it is the time of the last commit: the source that was built,
# whatever the changelog's date (which changes only with a release, so it
# would stamp newer code with an older time). Outside a git checkout (an
# exported tree) the changelog's date is all there is.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null) ||
        SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  //p' "$debian/changelog" | head -n 1)" +%s)
fi
export SOURCE_DATE_EPOCH

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# build_package NAME ROOT CONTROL [BUILT_USING]: the control file from the
# template CONTROL, md5sums, time stamps, then target/debian/NAME_..._ARCH.deb
# from ROOT; prints its path.
build_package() {
    name=$1 pkgroot=$2
    # Apparent sizes: the blocks a file system allots differ between file
    # systems, and so would the control file.
    installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$pkgroot" | cut -f1)
    sed -e "s/@VERSION@/$deb_version/g" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@ARCH@/$arch/" \
        "$3" >"$pkgroot/DEBIAN/control"
    if [ -n "${4:-}" ]; then
        sed -i "/^Installed-Size:/a Built-Using: $4" "$pkgroot/DEBIAN/control"
    fi
    (cd "$pkgroot" && find usr -type f -exec md5sum {} + | LC_ALL=C sort -k 2) >"$pkgroot/DEBIAN/md5sums"
    chmod 644 "$pkgroot/DEBIAN/control" "$pkgroot/DEBIAN/md5sums"
    find "$pkgroot" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    deb=$out/${name}_${deb_version}_${arch}.deb
    dpkg-deb --root-owner-group -Zxz --build "$pkgroot" "$deb" >/dev/null
    echo "$deb"
}

# dumb-init-rs: the binary, its man page and the guides.
root=$stage/root
doc=$root/usr/share/doc/dumb-init-rs
install -d -m 755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$doc" \
    "$root/usr/share/lintian/overrides"
install -m 755 "$binary" "$root/usr/bin/dumb-init"
gzip -9n <"$top/docs/dumb-init.1" >"$root/usr/share/man/man1/dumb-init.1.gz"
gzip -9n <"$debian/changelog" >"$doc/changelog.Debian.gz"
install -m 644 "$debian/copyright" "$doc/copyright"
for guide in why-an-init.md migrating.md extensions.md packaging.md; do
    install -m 644 "$top/docs/$guide" "$doc/$guide"
done
install -m 644 "$debian/lintian-overrides" "$root/usr/share/lintian/overrides/dumb-init-rs"
chmod 644 "$root/usr/share/man/man1/dumb-init.1.gz" "$doc/changelog.Debian.gz"
build_package dumb-init-rs "$root" "$debian/control" "$built_using"

# dumb-init-rs-inits: no file of its own but the links, at the paths where
# Debian's tini and catatonit put their programs (docker.io's
# /usr/bin/docker-init is a link to tini-static; podman's default init is
# /usr/libexec/podman/catatonit, a link to catatonit as Debian's catatonit
# has it), and man pages that lead to dumb-init(1). dumb-init picks its
# personality by the name it is run by, and the link's name is that name.
# Its copyright and changelog are dumb-init-rs's: one source, one version.
inits=$stage/inits
inits_doc=$inits/usr/share/doc/dumb-init-rs-inits
install -d -m 755 "$inits/DEBIAN" "$inits/usr/bin" "$inits/usr/libexec/podman" "$inits/usr/share/man/man1" \
    "$inits_doc" "$inits/usr/share/lintian/overrides"
for name in tini tini-static catatonit; do
    ln -s dumb-init "$inits/usr/bin/$name"
    ln -s dumb-init.1.gz "$inits/usr/share/man/man1/$name.1.gz"
done
ln -s ../../bin/catatonit "$inits/usr/libexec/podman/catatonit"
install -m 644 "$doc/changelog.Debian.gz" "$doc/copyright" "$inits_doc/"
install -m 644 "$debian/lintian-overrides-inits" "$inits/usr/share/lintian/overrides/dumb-init-rs-inits"
build_package dumb-init-rs-inits "$inits" "$debian/control-inits"
