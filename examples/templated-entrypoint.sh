#!/bin/sh
# An entrypoint in the common shape: render the server's configuration from
# the environment, then `exec` the server. After the exec the server *is*
# this process, dumb-init's direct child, so it receives dumb-init's signals
# itself and its exit status becomes the container's. (Without the exec, a
# shell would sit between them and the container would stop only when the
# shell does.)
#
#   ENTRYPOINT ["/usr/bin/dumb-init", "--", "/usr/local/bin/templated-entrypoint.sh"]
#   CMD ["httpd", "-f", "-v", "-p", "8080", "-c", "/etc/httpd.conf", "-h", "/srv/www"]
set -eu

: "${SITE_NAME:=example}"
: "${ALLOW_FROM:=0.0.0.0/0}"
: "${DOC_ROOT:=/srv/www}"
: "${HTTPD_CONF:=/etc/httpd.conf}"

mkdir -p "$DOC_ROOT" "$(dirname "$HTTPD_CONF")"
cat >"$HTTPD_CONF" <<CONF
# Written by templated-entrypoint.sh at start-up; edit the environment, not this file.
A:$ALLOW_FROM
D:*
.txt:text/plain
CONF
printf '<!doctype html>\n<title>%s</title>\n<p>Hello from %s.</p>\n' \
    "$SITE_NAME" "$SITE_NAME" >"$DOC_ROOT/index.html"

echo "templated-entrypoint: wrote $HTTPD_CONF for $SITE_NAME; starting: $*"
exec "$@"
