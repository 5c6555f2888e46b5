#!/usr/bin/env bash
# Runs the examples in examples/ the way they are meant to run, as far as this
# machine allows: no Docker engine and no Kubernetes here, so each image's
# file system is put together from its Dockerfile's COPY lines over a
# busybox-static root and its ENTRYPOINT + CMD run as process 1 in runc;
# the Pods' commands run the same way (nginx-pod.yaml with stand-ins for
# nginx, drain-pod.yaml with busybox httpd), and so does daemon-entrypoint.sh.
#
# Not run here, one line each:
#   Dockerfile.debian: run in packaging/tests/debian-root.sh, on a debootstrap root.
#   Dockerfile.alpine: its `RUN apk add busybox-extras` needs apk; busybox-static's httpd stands in.
#   Dockerfile.scratch: `--from=busybox:1.36-musl` needs a registry; the host's busybox-static stands in.
#   Dockerfile.nginx and kubernetes/nginx-pod.yaml: need the nginx image; a stand-in with nginx's
#     signal behaviour (SIGQUIT graceful, SIGTERM fast) runs the Pod's exact command line.
#   Dockerfile.release: run in packaging/tests/foreign-root.sh on a root of each other
#     architecture, where `uname -m` names that architecture.
# packaging/tests/containers.sh builds the five Dockerfiles as images with
# podman (those base images replaced by build arguments) and stops them with
# `podman stop`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

EXAMPLES=$TOP/examples
DOCKERFILE_PY=$TOP/packaging/tests/dockerfile.py

# 1. Every Dockerfile: what it COPYs exists, its ENTRYPOINT is exec form and
# a command line dumb-init accepts.
for dockerfile in "$EXAMPLES"/Dockerfile.*; do
    name=$(basename "$dockerfile")
    missing=""
    while IFS=$'\t' read -r stage source _; do
        [ "$stage" = - ] || continue
        # shellcheck disable=SC2086 # COPY sources are globs
        set -- $TOP/$source
        [ -e "$1" ] || missing="$missing $source"
    done < <(python3 "$DOCKERFILE_PY" copies "$dockerfile")
    expect_eq "$name: every COPY source exists (after make deb)" "" "$missing"

    if ! mapfile -t entrypoint < <(python3 "$DOCKERFILE_PY" entrypoint "$dockerfile") || [ "${#entrypoint[@]}" = 0 ]; then
        fail "$name: ENTRYPOINT in exec form"
        continue
    fi
    case ${entrypoint[0]} in
    /usr/bin/dumb-init | /dumb-init) ok "$name: ENTRYPOINT starts with dumb-init (${entrypoint[0]})" ;;
    *) fail "$name: ENTRYPOINT starts with dumb-init" "${entrypoint[0]}" ;;
    esac
    # Its options (everything up to and including "--"), then a command.
    options=()
    for arg in "${entrypoint[@]:1}"; do
        options+=("$arg")
        [ "$arg" = -- ] && break
    done
    "$STATIC_BIN" "${options[@]}" sh -c 'exit 7' 2>"$WORK/options.err"
    status=$?
    expect_eq "$name: dumb-init accepts the ENTRYPOINT's options (${options[*]})" 7 "$status"
done

# image_root DIR DOCKERFILE: DIR as the image would have it: busybox applets
# (for an Alpine base) when the Dockerfile's base is not scratch, then the
# Dockerfile's COPY lines.
image_root() {
    mkdir -p "$1"
    if python3 "$DOCKERFILE_PY" bases "$2" | tail -n 1 | grep $'^-\talpine' >/dev/null; then
        busybox_root "$1"
        rm "$1/usr/bin/dumb-init" # the Dockerfile's COPY must put it there
    fi
    apply_copies "$2" "$1"
}

# container_env DOCKERFILE: its ENV lines, for runc_start.
container_env() { python3 "$DOCKERFILE_PY" env "$1"; }

# 2. Dockerfile.alpine: the templated entrypoint, then exec httpd.
root=$WORK/alpine-root
image_root "$root" "$EXAMPLES/Dockerfile.alpine"
mapfile -t command < <(python3 "$DOCKERFILE_PY" command "$EXAMPLES/Dockerfile.alpine")
mapfile -t env < <(container_env "$EXAMPLES/Dockerfile.alpine")
out=$WORK/alpine.out
runc_start "alpine-$$" "$root" "$out" "${env[@]}" -- "${command[@]}"
init=""
if wait_until 10 grep -q "templated-entrypoint: wrote" "$out"; then
    init=$(runc_init_pid "alpine-$$")
    ok "Dockerfile.alpine: the entrypoint renders its configuration"
else
    fail "Dockerfile.alpine: the entrypoint renders its configuration" "$(cat "$out")"
fi
check "Dockerfile.alpine: httpd.conf holds the templated allow rule" grep -qx 'A:0.0.0.0/0' "$root/etc/httpd.conf"
if wait_until 5 serves "$init" http://127.0.0.1:8080/ 'Hello from alpine-example'; then
    ok "Dockerfile.alpine: httpd serves the page rendered from SITE_NAME"
else
    fail "Dockerfile.alpine: httpd serves the page rendered from SITE_NAME" "$(cat "$out")"
fi
expect_eq "Dockerfile.alpine: after exec, httpd is dumb-init's only child (no shell left)" \
    "dumb-init: httpd" "$(process_and_children "$init")"
runc --root "$RUNC_STATE" kill "alpine-$$" TERM
wait_status "$RUNC_PID"
expect_eq "Dockerfile.alpine: SIGTERM stops httpd; exit status 128+15" 143 "$STATUS"

# 3. Dockerfile.scratch: only dumb-init and a static httpd in the image.
root=$WORK/scratch-root
image_root "$root" "$EXAMPLES/Dockerfile.scratch"
expect_eq "Dockerfile.scratch: the image holds only dumb-init, httpd and the page" \
    "/bin/httpd /dumb-init /www/index.html" "$(cd "$root" && find . -type f | sed 's/^\.//' | sort | tr '\n' ' ' | sed 's/ $//')"
mapfile -t command < <(python3 "$DOCKERFILE_PY" command "$EXAMPLES/Dockerfile.scratch")
out=$WORK/scratch.out
runc_start "scratch-$$" "$root" "$out" -- "${command[@]}"
wait_until 5 runc_init_pid "scratch-$$" >/dev/null
init=$(runc_init_pid "scratch-$$")
if wait_until 5 serves "$init" http://127.0.0.1:8080/ 'scratch example'; then
    ok "Dockerfile.scratch: httpd serves /www under dumb-init"
else
    fail "Dockerfile.scratch: httpd serves /www under dumb-init" "$(cat "$out")"
fi
expect_eq "Dockerfile.scratch: process 1 is dumb-init, its child httpd" "dumb-init: httpd" \
    "$(process_and_children "$init")"
runc --root "$RUNC_STATE" kill "scratch-$$" TERM
wait_status "$RUNC_PID"
expect_eq "Dockerfile.scratch: SIGTERM stops httpd; exit status 128+15" 143 "$STATUS"

# 4. two-servers.sh: dumb-init as the script's interpreter (shebang).
root=$WORK/two-servers-root
busybox_root "$root"
install -D -m 755 "$EXAMPLES/two-servers.sh" "$root/usr/local/bin/two-servers"
out=$WORK/two-servers.out
runc_start "two-servers-$$" "$root" "$out" -- /usr/local/bin/two-servers
wait_until 10 grep -q "two-servers: api" "$out"
init=$(runc_init_pid "two-servers-$$")
# The kernel names a process run through a shebang after the script, so
# look at what it executes instead.
expect_eq "two-servers.sh: the shebang makes dumb-init process 1, running sh" \
    "/usr/bin/dumb-init /bin/sh /usr/local/bin/two-servers" "$(tr '\0' ' ' </proc/"$init"/cmdline | sed 's/ $//')"
check "two-servers.sh: process 1 executes the static dumb-init" cmp -s "/proc/$init/exe" "$STATIC_BIN"
expect_eq "two-servers.sh: the shell's children are the two servers" "sh: httpd httpd" \
    "$(process_and_children "$(children "$init")")"
for probe in "8081/health.json:status" "8082/:web front end"; do
    url=http://127.0.0.1:${probe%%:*}
    if wait_until 5 serves "$init" "$url" "${probe#*:}"; then
        ok "two-servers.sh: $url answers"
    else
        fail "two-servers.sh: $url answers" "$(cat "$out")"
    fi
done
runc --root "$RUNC_STATE" kill "two-servers-$$" TERM
wait_status "$RUNC_PID"
expect_grep "two-servers.sh: SIGTERM reaches both servers" "api exited with status 143, web with 143" "$out"
expect_eq "two-servers.sh: exit status 0 after both servers stopped" 0 "$STATUS"

# 5. kubernetes/nginx-pod.yaml: the container's command and args exactly,
# with stand-ins for nginx and its image's entrypoint; SIGTERM as the kubelet
# sends it when the pod is deleted.
# pod_command FILE: the Pod's first container's command and args, a line each.
pod_command() {
    python3 - "$1" <<'PY'
import sys, yaml
pod = yaml.safe_load(open(sys.argv[1]))
container = pod["spec"]["containers"][0]
print("\n".join(container["command"] + container["args"]))
PY
}
mapfile -t pod_command < <(pod_command "$EXAMPLES/kubernetes/nginx-pod.yaml")
root=$WORK/pod-root
busybox_root "$root"
install -D -m 755 "$TOP/packaging/tests/stand-ins/nginx" "$root/usr/sbin/nginx"
install -D -m 755 "$TOP/packaging/tests/stand-ins/docker-entrypoint.sh" "$root/docker-entrypoint.sh"
expect_eq "nginx-pod.yaml: command rewrites SIGTERM to SIGQUIT for nginx" \
    "/usr/bin/dumb-init --rewrite 15:3 -- /docker-entrypoint.sh nginx -g daemon off;" "${pod_command[*]}"
# pod_env FILE: the Pod's first container's env, as NAME=VALUE lines.
pod_env() {
    python3 - "$1" <<'PY'
import sys, yaml
pod = yaml.safe_load(open(sys.argv[1]))
for var in pod["spec"]["containers"][0].get("env", []):
    print(f"{var['name']}={var['value']}")
PY
}
mapfile -t pod_env < <(pod_env "$EXAMPLES/kubernetes/nginx-pod.yaml")
expect_eq "nginx-pod.yaml: its env raises open files to the hard limit, no core dumps" \
    "DUMB_INIT_RLIMIT=NOFILE=hard,CORE=0" "${pod_env[*]}"
# run_pod NAME [NAME=VALUE...] -- ARGS...: runs ARGS in the pod root as
# containerd 2 starts a container (open files 1024 soft, 4096 hard here),
# sends SIGTERM once nginx has started; leaves the output in $WORK/NAME.out
# and the status in STATUS.
run_pod() {
    local name=$1
    shift
    RUNC_NOFILE=1024:4096 runc_start "$name-$$" "$root" "$WORK/$name.out" "$@"
    wait_until 10 grep -q "nginx stand-in: started" "$WORK/$name.out"
    runc --root "$RUNC_STATE" kill "$name-$$" TERM
    wait_status "$RUNC_PID"
}
run_pod pod "${pod_env[@]}" -- "${pod_command[@]}"
expect_grep "nginx-pod.yaml: nginx gets its arguments" "started with: -g daemon off;" "$WORK/pod.out"
expect_grep "nginx-pod.yaml: nginx starts with open files at the hard limit and no core dumps" \
    "open files 4096, core 0" "$WORK/pod.out"
expect_grep "nginx-pod.yaml: SIGTERM arrives as SIGQUIT (graceful stop)" "SIGQUIT, graceful shutdown" "$WORK/pod.out"
expect_eq "nginx-pod.yaml: the container exits 0 after the graceful stop" 0 "$STATUS"
# Control: without --rewrite the stand-in takes the fast path.
run_pod pod-no-rewrite -- /usr/bin/dumb-init -- /docker-entrypoint.sh nginx -g "daemon off;"
expect_grep "control: without --rewrite, nginx gets SIGTERM (fast stop)" "SIGTERM, fast shutdown" "$WORK/pod-no-rewrite.out"
expect_eq "control: without --rewrite the container exits 1" 1 "$STATUS"
expect_grep "control: without DUMB_INIT_RLIMIT, nginx keeps the soft limit of 1024" \
    "open files 1024, core" "$WORK/pod-no-rewrite.out"

# 6. kubernetes/drain-pod.yaml: its command and args in a busybox root with a
# page in /www; SIGTERM as the kubelet sends it. The server must keep
# answering while dumb-init holds the SIGTERM (--delay TERM:5), then stop,
# and the container exit 0 (--remap-exit 143:0).
mapfile -t drain_command < <(pod_command "$EXAMPLES/kubernetes/drain-pod.yaml")
root=$WORK/drain-root
busybox_root "$root"
mkdir -p "$root/www"
echo "drain example" >"$root/www/index.html"
runc_start "drain-$$" "$root" "$WORK/drain.out" -- "${drain_command[@]}"
wait_until 10 runc_init_pid "drain-$$" >/dev/null
init=$(runc_init_pid "drain-$$")
wait_until 10 serves "$init" http://127.0.0.1:8080/ 'drain example'
start=$SECONDS
runc --root "$RUNC_STATE" kill "drain-$$" TERM
sleep 3
check "drain-pod.yaml: still answering 3 s after SIGTERM" serves "$init" http://127.0.0.1:8080/ 'drain example'
wait_status "$RUNC_PID"
took=$((SECONDS - start))
check "drain-pod.yaml: stopped after the 5 s delay, well before 10 ($took s)" \
    test "$took" -ge 5 -a "$took" -lt 10
expect_eq "drain-pod.yaml: the container exits 0 (143 remapped)" 0 "$STATUS"

# 7. daemon-entrypoint.sh, with the ENTRYPOINT its comment gives
# (--wait-tree): the script starts busybox httpd, which forks into the
# background, and exits 0. dumb-init must stay while httpd runs, pass
# SIGTERM on to it (in a session of its own) and exit with the script's 0.
mapfile -t daemon_command < <(sed -n 's/^#   ENTRYPOINT //p' "$EXAMPLES/daemon-entrypoint.sh" |
    python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')
expect_eq "daemon-entrypoint.sh: its ENTRYPOINT runs it under --wait-tree" \
    "/usr/bin/dumb-init --wait-tree -- /usr/local/bin/daemon-entrypoint.sh" "${daemon_command[*]}"
root=$WORK/daemon-root
busybox_root "$root"
install -D -m 755 "$EXAMPLES/daemon-entrypoint.sh" "$root/usr/local/bin/daemon-entrypoint.sh"
runc_start "daemon-$$" "$root" "$WORK/daemon.out" -- "${daemon_command[@]}"
wait_until 10 grep -q "httpd started in the background, exiting" "$WORK/daemon.out"
init=$(runc_init_pid "daemon-$$")
if wait_until 5 serves "$init" http://127.0.0.1:8080/ 'served by a daemon'; then
    ok "daemon-entrypoint.sh: the daemon serves after the script has exited"
else
    fail "daemon-entrypoint.sh: the daemon serves after the script has exited" "$(cat "$WORK/daemon.out")"
fi
sleep 1
# The script is gone; httpd, a session of its own, is dumb-init's by adoption.
expect_eq "daemon-entrypoint.sh: dumb-init stays, with the daemon as its only child" \
    "dumb-init: busybox" "$(process_and_children "$init")"
daemon=$(children "$init")
check "daemon-entrypoint.sh: the daemon left dumb-init's session" \
    test "$(awk '{print $6}' /proc/"$daemon"/stat)" != "$(awk '{print $6}' /proc/"$init"/stat)"
runc --root "$RUNC_STATE" kill "daemon-$$" TERM
wait_status "$RUNC_PID"
expect_eq "daemon-entrypoint.sh: SIGTERM stops the daemon; exit status is the script's 0" 0 "$STATUS"
# Control: without --wait-tree the container ends as soon as the script does.
runc_start "daemon-no-wait-$$" "$root" "$WORK/daemon-no-wait.out" -- \
    /usr/bin/dumb-init -- /usr/local/bin/daemon-entrypoint.sh
start=$SECONDS
wait_status "$RUNC_PID"
took=$((SECONDS - start))
check "control: without --wait-tree the container ends with the script ($took s, status $STATUS)" \
    test "$STATUS" = 0 -a "$took" -lt 10

summary
