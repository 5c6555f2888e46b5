#!/bin/sh
# Installs what `make bench` needs when it is missing: the reference
# dumb-init, tini, a C compiler for the helpers, unshare for the PID
# namespace, Python for the harness and valgrind for the instruction counts.
# Needs root for apt; does nothing that is already there.
set -eu

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need /usr/bin/dumb-init dumb-init
need /usr/bin/tini tini
need cc gcc
need unshare util-linux
need python3 python3
need valgrind valgrind

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "bench: missing:$missing (run as root to install them)" >&2
        exit 1
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
