#!/bin/sh
# An entrypoint in the usual shape: start a helper in the background, then the
# main loop in the foreground. Each part reports the SIGTERM it receives on
# stdout. Without an init that signals the whole group, the background job
# never hears `docker stop`.
(
    trap 'echo "background job: got SIGTERM, flushing and exiting"; exit 0' TERM
    echo "background job: started"
    while :; do sleep 0.1; done 2>/dev/null
) &

trap 'echo "entrypoint: got SIGTERM"; wait; exit 0' TERM
echo "entrypoint: started"
while :; do sleep 0.1; done 2>/dev/null
