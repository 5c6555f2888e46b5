#!/bin/sh
# A drain, as a server behind a load balancer or a Kubernetes Service needs:
# after SIGTERM it keeps answering for 3 s (while the endpoint is being taken
# out of rotation), then it stops, and the container exits 0.
#
#   dumb-init --delay TERM:3 --remap-exit 143:0 busybox httpd -f ...
#
# --delay holds the SIGTERM for 3 s before passing it on; busybox httpd then
# dies of it (143), which --remap-exit reports as a clean 0.
#
#   sh examples/drain-demo.sh [path/to/dumb-init] [port]
set -eu
dumb_init=${1:-target/release/dumb-init}
port=${2:-8099}
www=$(mktemp -d)
trap 'rm -rf "$www"' EXIT
echo "still serving" >"$www/index.html"
url=http://127.0.0.1:$port/

"$dumb_init" --delay TERM:3 --remap-exit 143:0 \
    busybox httpd -f -p "127.0.0.1:$port" -h "$www" &
pid=$!
# (busybox 1.35's wget -T crashes; timeout bounds it instead.)
answers() { timeout 2 busybox wget -q -O /dev/null "$url" 2>/dev/null; }
tries=0
until answers; do
    tries=$((tries + 1))
    [ "$tries" -lt 200 ] || { echo "drain: the server never answered" >&2; kill "$pid"; exit 1; }
    sleep 0.05
done

start=$(date +%s%N)
since() { echo $((($(date +%s%N) - start) / 1000000)); }
echo "drain: SIGTERM to dumb-init (PID $pid), as the kubelet or docker stop sends it"
kill -TERM "$pid"
while answers; do
    echo "drain: +$(since) ms: answered"
    sleep 0.5
done
echo "drain: +$(since) ms: no longer answering"
status=0
wait "$pid" || status=$?
echo "drain: dumb-init exited with status $status after $(since) ms"
