#!/usr/bin/env bash
# make demo-container: examples/background-job-entrypoint.sh in a podman
# image, run twice and stopped with `podman stop` (its default 10 s timeout),
# as `docker stop` would: once with sh as process 1 (no init), once under
# dumb-init-rs. Without an init the stop waits the full 10 s and ends in
# SIGKILL (exit 137), and the background job never hears the SIGTERM; with
# dumb-init both parts stop at once.
#
#   bash examples/container-demo.sh [path/to/static/dumb-init]
#
# The image is a busybox-static root with the static binary, so no registry
# or network is needed. Needs root, podman, tini and busybox-static (make
# deps installs them); podman keeps its state in a directory of its own,
# removed at the end (packaging/tests/podman-env.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
STATIC_BIN=$(realpath "${1:-$top/target/x86_64-unknown-linux-musl/release/dumb-init}")
export STATIC_BIN

if [ "$(id -u)" != 0 ]; then
    echo "container-demo: needs root (podman with a storage of its own, namespaces)" >&2
    exit 1
fi
for tool in podman tini unshare; do
    if ! command -v "$tool" >/dev/null; then
        echo "container-demo: $tool not found; make deps installs podman, tini and busybox-static" >&2
        exit 1
    fi
done
if [ ! -x /bin/busybox ] || LC_ALL=C ldd /bin/busybox >/dev/null 2>&1; then
    echo "container-demo: needs busybox-static (a static /bin/busybox) for the image" >&2
    exit 1
fi
if [ ! -x "$STATIC_BIN" ]; then
    echo "container-demo: no static dumb-init at $STATIC_BIN; run make static" >&2
    exit 1
fi

. "$top/packaging/tests/podman-env.sh"
podman_namespaces "$0" "$@"
. "$top/packaging/tests/lib.sh"
trap 'podman_cleanup; cleanup' EXIT
podman_setup

image=localhost/dumb-init-rs-demo/background-job
root=$WORK/root
busybox_root "$root"
install -D -m 755 "$top/examples/background-job-entrypoint.sh" "$root/usr/local/bin/entrypoint.sh"
if ! tar -C "$root" --numeric-owner -c . | pm import \
    --change 'ENTRYPOINT ["/usr/bin/dumb-init", "--"]' \
    --change 'CMD ["sh", "/usr/local/bin/entrypoint.sh"]' - "$image" >"$WORK/import.log" 2>&1; then
    cat "$WORK/import.log" >&2
    echo "container-demo: podman import failed" >&2
    exit 1
fi

echo "demo: image $image: ENTRYPOINT [\"/usr/bin/dumb-init\", \"--\"], CMD [\"sh\", \"/usr/local/bin/entrypoint.sh\"]"
echo "demo: podman run -d --entrypoint '[\"sh\"]' $image /usr/local/bin/entrypoint.sh   # no init"
podman_start no-init --entrypoint '["sh"]' "$image" /usr/local/bin/entrypoint.sh
echo "demo: podman run -d $image   # dumb-init-rs"
podman_start dumb-init "$image"
for name in no-init dumb-init; do
    wait_until 10 logs_have "$name" "background job: started"
    wait_until 5 logs_have "$name" "entrypoint: started"
done

# report NAME: one column of the table for container NAME, just stopped.
report() {
    local logs=$WORK/$1.logs
    pm logs "$1" >"$logs" 2>&1
    SECONDS_OF[$1]="$STOP_SECONDS s"
    CODE_OF[$1]=$EXIT_CODE
    [ "$STOP_KILLED" = 1 ] && CODE_OF[$1]="$EXIT_CODE (SIGKILL)"
    FOREGROUND_OF[$1]="never signalled"
    grep -q "entrypoint: got SIGTERM" "$logs" && FOREGROUND_OF[$1]="got SIGTERM"
    BACKGROUND_OF[$1]="never signalled"
    grep -q "background job: got SIGTERM" "$logs" && BACKGROUND_OF[$1]="got SIGTERM"
}
declare -A SECONDS_OF CODE_OF FOREGROUND_OF BACKGROUND_OF
for name in dumb-init no-init; do
    echo "demo: podman stop $name"
    timed_stop "$name"
    report "$name"
done

echo
printf '%-20s %-26s %s\n' "" "no init (sh is PID 1)" "dumb-init-rs"
printf '%-20s %-26s %s\n' "podman stop took" "${SECONDS_OF[no-init]}" "${SECONDS_OF[dumb-init]}"
printf '%-20s %-26s %s\n' "exit code" "${CODE_OF[no-init]}" "${CODE_OF[dumb-init]}"
printf '%-20s %-26s %s\n' "entrypoint" "${FOREGROUND_OF[no-init]}" "${FOREGROUND_OF[dumb-init]}"
printf '%-20s %-26s %s\n' "background job" "${BACKGROUND_OF[no-init]}" "${BACKGROUND_OF[dumb-init]}"
for name in no-init dumb-init; do
    echo
    echo "demo: output of $name:"
    sed 's/^/    /' "$WORK/$name.logs"
done
[ "${BACKGROUND_OF[dumb-init]}" = "got SIGTERM" ]
