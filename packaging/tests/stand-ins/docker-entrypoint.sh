#!/bin/sh
# Stand-in for the nginx image's /docker-entrypoint.sh, which ends by
# exec'ing its arguments.
exec "$@"
