#!/usr/bin/dumb-init /bin/sh
# shellcheck shell=sh
# Two servers in one container, with dumb-init as the script's interpreter:
# the kernel runs `/usr/bin/dumb-init /bin/sh two-servers.sh`, so dumb-init
# is process 1 without an ENTRYPOINT and this shell is its child. The shell
# does not pass signals on itself: dumb-init sends each one to the shell's
# whole session, both servers included.
#
#   COPY examples/two-servers.sh /usr/local/bin/two-servers
#   CMD ["/usr/local/bin/two-servers"]

mkdir -p /srv/api /srv/web
echo '{"status": "ok"}' >/srv/api/health.json
echo '<p>web front end</p>' >/srv/web/index.html

httpd -f -p "${API_PORT:-8081}" -h /srv/api &
api=$!
httpd -f -p "${WEB_PORT:-8082}" -h /srv/web &
web=$!
echo "two-servers: api (PID $api) on ${API_PORT:-8081}, web (PID $web) on ${WEB_PORT:-8082}"

# SIGTERM interrupts the first wait; then collect both servers.
trap 'echo "two-servers: SIGTERM received, waiting for both servers"' TERM
wait
wait "$api"
api_status=$?
wait "$web"
web_status=$?
echo "two-servers: api exited with status $api_status, web with $web_status"

# 143 = 128 + SIGTERM: the servers stopped because they were asked to.
[ "$api_status" = 143 ] && [ "$web_status" = 143 ]
