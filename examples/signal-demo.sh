#!/bin/sh
# Runs examples/background-job-entrypoint.sh under dumb-init and sends
# dumb-init one SIGTERM, as `docker stop` does: both the entrypoint and its
# background job receive it and the whole tree exits at once.
#
#   sh examples/signal-demo.sh [path/to/dumb-init]
set -eu
dumb_init=${1:-target/release/dumb-init}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$dumb_init" sh "$here/background-job-entrypoint.sh" >"$out" &
pid=$!
sleep 1
echo "demo: sending SIGTERM to dumb-init (PID $pid), as docker stop would"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat "$out"
echo "demo: dumb-init exited with status $status"
grep -q "background job: got SIGTERM" "$out"
