#!/bin/sh
# An entrypoint that starts a daemon and exits, as many do: busybox httpd,
# without -f, forks into the background, and the script is done. dumb-init
# exits with its direct child, so on its own the container would stop at
# once; with --wait-tree it stays, passing signals on to the daemon, until
# the daemon is gone, and then exits with this script's status:
#
#   ENTRYPOINT ["/usr/bin/dumb-init", "--wait-tree", "--", "/usr/local/bin/daemon-entrypoint.sh"]
#
# `docker stop` (or podman's) sends SIGTERM to dumb-init, which passes it on
# to httpd, in a session of its own; httpd exits, and so does dumb-init.
set -e
www=${WWW:-/tmp/www}
mkdir -p "$www"
echo "served by a daemon" >"$www/index.html"
busybox httpd -p "${PORT:-8080}" -h "$www"
echo "entrypoint: httpd started in the background, exiting"
