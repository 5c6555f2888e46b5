#!/bin/sh
# Builds target/debian/dumb-init-rs_<version>_amd64.deb from the static
# binary, with dpkg-deb and the hand-kept files in packaging/debian/.
#
#   sh packaging/build-deb.sh path/to/static/dumb-init
#
# The upstream version comes from Cargo.toml; the Debian revision from the
# top entry of packaging/debian/changelog, which must name the same upstream
# version (so a version bump cannot silently ship a stale changelog).
set -eu

binary=${1:?usage: build-deb.sh path/to/static/dumb-init}
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

# A .deb ships one architecture; refuse anything but a static x86-64 file so
# a glibc build never slips into a package that claims to need nothing.
if ! file -L "$binary" | grep -q 'x86-64.*static'; then
    echo "build-deb: $binary is not a static x86-64 executable (run make static)" >&2
    exit 1
fi

# Reproducible: every time stamp is the changelog's date.
SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  //p' "$debian/changelog" | head -n 1)" +%s)
export SOURCE_DATE_EPOCH

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
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

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$deb_version/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    "$debian/control" >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -exec md5sum {} + | LC_ALL=C sort -k 2) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb=$out/dumb-init-rs_${deb_version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
