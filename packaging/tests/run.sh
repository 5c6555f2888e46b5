#!/usr/bin/env bash
# make package-test: the .deb on a Debian root, the static binary in a
# busybox root (the APKBUILD with it), the examples, the examples built and
# stopped as podman images, the arm64 .deb in a root of its own under qemu,
# and make dist built twice from two clones and compared (reproducible.sh).
# Each script prints its checks and a final "N passed, N failed"; this adds
# them up and times each part.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$top/Cargo.toml")
deb=$(ls -t "$top"/target/debian/dumb-init-rs_"$version"-*_amd64.deb 2>/dev/null | head -n 1)
deb_arm64=$(ls -t "$top"/target/debian/dumb-init-rs_"$version"-*_arm64.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ] || [ -z "$deb_arm64" ]; then
    echo "package-test: no target/debian/dumb-init-rs_${version}-*_{amd64,arm64}.deb; run make deb" >&2
    exit 1
fi

passed=0
failed=0
# The arm64 part runs with qemu-user registered for aarch64 files.
qemu="sh $top/tools/binfmt-qemu.sh"
for part in "debian-root.sh $deb" static-root.sh examples.sh "containers.sh $deb" \
    "arm64-root.sh $deb_arm64" reproducible.sh; do
    echo "== ${part%% *}"
    start=$SECONDS
    runner=
    case $part in arm64-root.sh*) runner=$qemu ;; esac
    # shellcheck disable=SC2086 # part is a script and its argument
    $runner bash "$here"/$part | tee "${TMPDIR:-/tmp}/package-test.$$.log"
    status=${PIPESTATUS[0]}
    counts=$(tail -n 1 "${TMPDIR:-/tmp}/package-test.$$.log")
    rm -f "${TMPDIR:-/tmp}/package-test.$$.log"
    if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        [ "$status" = 0 ] || [ "${BASH_REMATCH[2]}" != 0 ] || failed=$((failed + 1))
    else
        echo "FAIL - ${part%% *} ended without its summary (status $status)"
        failed=$((failed + 1))
    fi
    echo "== ${part%% *}: $((SECONDS - start)) s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
