#!/usr/bin/env bash
# `podman run --init --init-path=INIT`, through a link named catatonit as
# Debian's podman finds its init (/usr/libexec/podman/catatonit ->
# /usr/bin/catatonit); in the container podman runs it as
# /run/podman-init -- COMMAND. The checks are catatonit 0.1.7's behaviour,
# what `podman run --init` runs: exit statuses (1 for a program that cannot
# be run), `podman stop` reaching the entrypoint alone, `podman kill -s
# USR1`, orphans reaped. packaging/tests/engine-init.sh holds the checks;
# docs/containers.md explains them. Podman's state is the test's own
# (podman-env.sh).
#
#   [INIT=/usr/bin/catatonit] bash packaging/tests/podman-init.sh
#
# INIT defaults to Debian's catatonit, which passes every check; point it at
# our static build to check ours as podman-init.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/podman-env.sh"
podman_namespaces "$0" "$@"
. "$here/engine-init.sh"
. "$here/lib.sh"
require_root
export LC_ALL=C

INIT=$(realpath "${INIT:-/usr/bin/catatonit}")
for tool in podman tini; do
    if ! command -v "$tool" >/dev/null; then
        fail "$tool is installed" "make deps (tools/install-test-deps.sh) installs it"
        summary
        exit 1
    fi
done
if [ ! -x "$INIT" ]; then
    fail "INIT ($INIT) is an executable file"
    summary
    exit 1
fi
trap 'podman_cleanup; cleanup' EXIT
podman_setup
echo "podman $(podman --version | awk '{print $3}'), storage in $PODMAN_DIR; INIT=$INIT, run as podman-init"

mkdir -p "$WORK/bin"
ln -s "$INIT" "$WORK/bin/catatonit"
# What engine-init.sh's checks run.
# shellcheck disable=SC2034 # read there
{
    ENGINE_NAME=podman
    ENGINE=(env TMPDIR="$PODMAN_DIR/tmp" podman)
    ENGINE_RUN=(--cgroup-parent "$PODMAN_CGROUP_PARENT" "${PODMAN_RUN[@]}")
    ENGINE_INIT=(--init --init-path "$WORK/bin/catatonit")
    INIT_MOUNT=/run/podman-init
}

init_image localhost/dumb-init-rs-test/busybox-static || { summary; exit 1; }
pid1_checks "podman run --init"
exit_checks "podman run --init" 1 1
stop_checks "podman run --init" no
zombie_checks "podman run --init" 0 "${ENGINE_INIT[@]}"
# Control: no init, sleep is process 1 and reaps nothing.
zombie_checks "podman run without --init (control)" 3

podman_remove_all
expect_eq "every container and image removed" "0 containers, 0 images" "$(podman_left)"
summary
