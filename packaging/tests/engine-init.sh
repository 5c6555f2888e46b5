# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source it
# What an engine's `run --init` must get from its init, shared by
# packaging/tests/docker-init.sh (Docker: tini's behaviour) and
# podman-init.sh (podman: catatonit's) (bash; sourced). The caller sets
#
#   ENGINE_NAME  docker or podman, for the checks' names
#   ENGINE       the engine's command line (an array), e.g. (docker -H ...)
#   ENGINE_RUN   the options every `run` gets (network, limits, cgroup)
#   ENGINE_INIT  the options that add the init (--init, podman's --init-path)
#   INIT         the init binary, as the engine was pointed at it
#   INIT_MOUNT   where the engine puts it in the container (/sbin/docker-init)
#   INIT_IMAGE   the image, made by init_image
#
# and calls the *_checks below with what the init it stands for does. The
# docker and podman CLIs take the same words for everything used here.

# engine_namespaces SCRIPT ARGS...: runs SCRIPT again (unless this is that
# run) in new PID and mount namespaces with tini as process 1, as
# podman-env.sh's podman_namespaces does and for the same reasons: the
# engine's shims daemonize and are reaped by tini, the engine's writes to
# /run and /etc/docker can be hidden from the machine, and whatever is left
# when the script ends dies with the namespace. Call it before sourcing
# lib.sh.
engine_namespaces() {
    [ "${DUMB_INIT_RS_ENGINE_NAMESPACES:-}" = 1 ] && return 0
    [ "$(id -u)" = 0 ] && command -v tini >/dev/null || return 0
    export DUMB_INIT_RS_ENGINE_NAMESPACES=1
    exec unshare --pid --fork --kill-child=SIGTERM --mount-proc --propagation private tini -g -- bash "$@"
}

# eng ARGS...: the engine, bounded in time (no step here needs two minutes).
eng() { timeout 120 "${ENGINE[@]}" "$@"; }

# init_image NAME: imports a busybox-static root as image NAME (INIT_IMAGE)
# with the two files the checks run: /stop-entrypoint.sh and
# /not-executable. The entrypoint starts a background job in its own
# process group; each part says when SIGTERM reaches it; the entrypoint
# then waits a second (time enough for a signalled background job to say
# so) and exits 0.
init_image() {
    local root=$WORK/init-image
    busybox_base "$root"
    cat >"$root/stop-entrypoint.sh" <<'EOF'
#!/bin/sh
(
    trap 'echo "background job: got SIGTERM"; exit 0' TERM
    echo "background job: started"
    while :; do sleep 0.1; done
) &
trap 'echo "entrypoint: got SIGTERM"; sleep 1; exit 0' TERM
echo "entrypoint: started"
while :; do sleep 0.1; done
EOF
    chmod 755 "$root/stop-entrypoint.sh"
    printf '#!/bin/sh\necho "not-executable ran"\n' >"$root/not-executable"
    chmod 644 "$root/not-executable"
    INIT_IMAGE=$1
    if tar -C "$root" --numeric-owner -c . | eng import - "$INIT_IMAGE" >"$WORK/import.log" 2>&1; then
        ok "$ENGINE_NAME import: a busybox-static root as $INIT_IMAGE"
    else
        fail "$ENGINE_NAME import: a busybox-static root" "$(cat "$WORK/import.log")"
        return 1
    fi
    rm -rf --one-file-system "$root"
}

# inspect NAME FORMAT
inspect() { eng inspect --format "$2" "$1" 2>/dev/null; }

# run_to_end NAME ARGS...: `run` (attached) to the end; sets EXIT_CODE and
# STATE_ERROR from inspect (STATE_ERROR is the engine's own complaint when it
# could not start the container at all).
run_to_end() {
    local name=$1
    shift
    eng run --name "$name" "${ENGINE_RUN[@]}" "$@" >"$WORK/$name.out" 2>&1
    EXIT_CODE=$(inspect "$name" '{{.State.ExitCode}}')
    STATE_ERROR=$(inspect "$name" '{{.State.Error}}')
}

# start NAME ARGS...: `run -d`.
start() {
    local name=$1
    shift
    eng run -d --name "$name" "${ENGINE_RUN[@]}" "$@" >"$WORK/$name.start" 2>&1 ||
        sed 's/^/    | /' "$WORK/$name.start"
}

# pid_of NAME: the host PID of the container's process 1, once it runs.
pid_of() { inspect "$1" '{{.State.Pid}}' | grep -v '^0$'; }

# logs_of NAME: the container's output.
logs_of() { eng logs "$1" 2>&1; }

# logs_have NAME PATTERN
logs_have() { logs_of "$1" | grep -q -- "$2"; }

# has_child PID NAME: PID has a child whose name is NAME.
has_child() {
    local child
    for child in $(children "$1"); do [ "$(comm_of "$child")" = "$2" ] && return 0; done
    return 1
}

# stop_timed NAME: `stop` with the engine's default 10 s timeout; sets
# STOP_SECONDS and EXIT_CODE.
stop_timed() {
    local start end
    start=$(date +%s%N)
    eng stop "$1" >/dev/null 2>"$WORK/stop-$1.err"
    end=$(date +%s%N)
    STOP_SECONDS=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')
    EXIT_CODE=$(inspect "$1" '{{.State.ExitCode}}')
}

# below SECONDS LIMIT: compares decimal seconds.
below() { awk -v s="$1" -v l="$2" 'BEGIN { exit !(s < l) }'; }

# zombies_under PID: how many of PID's descendants (PID 1's: every process
# of the container) are zombies.
zombies_under() {
    local pid count=0 todo=("$1")
    while [ "${#todo[@]}" != 0 ]; do
        pid=${todo[0]}
        todo=("${todo[@]:1}")
        [ "$(awk '/^State:/ {print $2}' /proc/"$pid"/status 2>/dev/null)" = Z ] && count=$((count + 1))
        # shellcheck disable=SC2207 # one PID a word
        todo+=($(children "$pid"))
    done
    echo "$count"
}

# docker_info_checks INIT_BINARY DOCKERD_LOG COMMAND...: `docker info` runs
# `docker-init --version` (COMMAND runs it as dockerd does) and reads tini's
# line, "tini version X - git.Y": the init version it shows is Y (Debian's
# tini prints no git part, and it shows nothing), "N/A" when the line is not
# tini's, with a warning in DOCKERD_LOG. Y stops at the next dot: Docker
# splits "git.Y" on dots and takes the second of exactly two parts. Its Init
# Binary is INIT_BINARY. When INIT is ours (it answers as dumb-init when
# told to), Y names our version.
docker_info_checks() {
    local init_binary=$1 log=$2 status version_line commit
    shift 2
    "$@" >"$WORK/version.out" 2>"$WORK/version.err"
    status=$?
    version_line=$(cat "$WORK/version.out")
    expect_eq "docker-init --version: exit status 0, nothing on stderr" "0 ''" \
        "$status '$(cat "$WORK/version.err")'"
    if [[ $version_line =~ ^tini\ version\ [^\ ]+(\ -\ git\.([^.]+))?$ ]]; then
        ok "docker-init --version prints one line in tini's shape: $version_line"
    else
        fail "docker-init --version prints one line in tini's shape (tini version X - git.Y)" "$version_line"
    fi
    commit=${BASH_REMATCH[2]:-}
    expect_eq "docker info: Init Binary is $init_binary" "$init_binary" "$(eng info --format '{{.InitBinary}}')"
    expect_eq "docker info: init version is what docker-init --version says after git. ('$commit')" "$commit" \
        "$(eng info --format '{{.InitCommit.ID}}')"
    eng info >"$WORK/info.out" 2>&1
    expect_grep "docker info: the init version line" "^ init version: $commit\$" "$WORK/info.out"
    if grep -q "failed to parse\|failed to retrieve" "$log"; then
        fail "dockerd reads docker-init's version" "$(grep "failed to parse\|failed to retrieve" "$log" | head -n 2)"
    else
        ok "dockerd reads docker-init's version (no warning in its log)"
    fi
    if [ "$(DUMB_INIT_PERSONALITY=dumb-init "$INIT" -V 2>&1)" = "dumb-init v$CARGO_VERSION" ]; then
        if [[ $commit =~ ${CARGO_VERSION//./[^.]} ]]; then
            ok "docker info: our init version names $CARGO_VERSION ($commit)"
        else
            fail "docker info: our init version names $CARGO_VERSION" "init version: '$commit'"
        fi
    fi
}

# pid1_checks LABEL: process 1 of a `run --init` container is INIT, run as
# INIT_MOUNT -- COMMAND; USR1 sent with `kill -s USR1` ends a sleeping
# entrypoint, and the container's exit code says so (128+10).
pid1_checks() {
    local label=$1 name=pid1 pid
    start "$name" "${ENGINE_INIT[@]}" "$INIT_IMAGE" sleep 1000
    wait_until 10 pid_of "$name" >/dev/null
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && wait_until 5 has_child "$pid" sleep; then
        ok "$label: run -d --init starts sleep under the init"
    else
        fail "$label: run -d --init starts sleep under the init" "$(logs_of "$name")"
    fi
    check "$label: process 1 runs INIT ($INIT)" cmp -s "/proc/$pid/exe" "$INIT"
    expect_eq "$label: process 1's command line" "$INIT_MOUNT -- sleep 1000" \
        "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ $//')"
    expect_eq "$label: process 1 is process 1 of its PID namespace" 1 \
        "$(awk '/^NSpid:/ {print $NF}' /proc/"$pid"/status 2>/dev/null)"
    eng kill -s USR1 "$name" >/dev/null
    eng wait "$name" >/dev/null 2>&1
    expect_eq "$label: kill -s USR1 on a sleeping entrypoint: exit code 138 (128+SIGUSR1)" 138 \
        "$(inspect "$name" '{{.State.ExitCode}}')"
    eng rm -f "$name" >/dev/null 2>&1
}

# exit_checks LABEL MISSING NOT_EXECUTABLE: the container's exit code is
# the entrypoint's (0, 3), and MISSING for a program that does not exist,
# NOT_EXECUTABLE for a file without execute permission: the init's own
# statuses, from a container that did start (no engine error).
exit_checks() {
    local label=$1
    run_to_end exit-0 "${ENGINE_INIT[@]}" "$INIT_IMAGE" true
    expect_eq "$label: an entrypoint that exits 0: exit code 0" 0 "$EXIT_CODE"
    run_to_end exit-3 "${ENGINE_INIT[@]}" "$INIT_IMAGE" sh -c 'exit 3'
    expect_eq "$label: an entrypoint that exits 3: exit code 3" 3 "$EXIT_CODE"
    run_to_end missing "${ENGINE_INIT[@]}" "$INIT_IMAGE" /no/such/program
    expect_eq "$label: a program that does not exist: exit code $2, from the init (no engine error)" \
        "$2 ''" "$EXIT_CODE '$STATE_ERROR'"
    run_to_end not-executable "${ENGINE_INIT[@]}" "$INIT_IMAGE" /not-executable
    expect_eq "$label: a file without execute permission: exit code $3, from the init (no engine error)" \
        "$3 ''" "$EXIT_CODE '$STATE_ERROR'"
    eng rm -f exit-0 exit-3 missing not-executable >/dev/null 2>&1
}

# stop_checks LABEL BACKGROUND [RUN-OPTION...]: `stop` (SIGTERM to process
# 1) on /stop-entrypoint.sh ends it well inside the 10 s timeout with the
# entrypoint's exit code, 0; the entrypoint gets SIGTERM, and its background
# job gets it too when BACKGROUND is "yes", not when "no" (the init signals
# its child alone, or the child's whole group). Then `stop` on a sleeping
# entrypoint (no handler: SIGTERM kills it): exit code 143 (128+SIGTERM).
stop_checks() {
    local label=$1 background=$2 name=stop-entrypoint got
    shift 2
    start "$name" "$@" "${ENGINE_INIT[@]}" "$INIT_IMAGE" /stop-entrypoint.sh
    if wait_until 10 logs_have "$name" "entrypoint: started" && wait_until 5 logs_have "$name" "background job: started"; then
        ok "$label: the entrypoint and its background job start"
    else
        fail "$label: the entrypoint and its background job start" "$(logs_of "$name")"
    fi
    stop_timed "$name"
    if below "$STOP_SECONDS" 5; then
        ok "$label: stop ends it in $STOP_SECONDS s (timeout 10 s)"
    else
        fail "$label: stop ends it well inside the 10 s timeout" "$STOP_SECONDS s; $(cat "$WORK/stop-$name.err")"
    fi
    expect_eq "$label: stop: exit code 0, the entrypoint's" 0 "$EXIT_CODE"
    logs_of "$name" >"$WORK/$name.logs"
    expect_grep "$label: stop: SIGTERM reaches the entrypoint" "entrypoint: got SIGTERM" "$WORK/$name.logs"
    got=no
    grep -q "background job: got SIGTERM" "$WORK/$name.logs" && got=yes
    expect_eq "$label: stop: SIGTERM reaches the entrypoint's background job (its process group): $background" \
        "$background" "$got"
    eng rm -f "$name" >/dev/null 2>&1

    name=stop-sleep
    start "$name" "$@" "${ENGINE_INIT[@]}" "$INIT_IMAGE" sleep 1000
    wait_until 10 pid_of "$name" >/dev/null && wait_until 5 has_child "$(pid_of "$name")" sleep
    stop_timed "$name"
    if below "$STOP_SECONDS" 5; then
        ok "$label: stop ends a sleeping entrypoint in $STOP_SECONDS s"
    else
        fail "$label: stop ends a sleeping entrypoint well inside the 10 s timeout" "$STOP_SECONDS s"
    fi
    expect_eq "$label: stop on a sleeping entrypoint: exit code 143 (128+SIGTERM)" 143 "$EXIT_CODE"
    eng rm -f "$name" >/dev/null 2>&1
}

# zombie_checks LABEL ZOMBIES [RUN-OPTION...]: an entrypoint that leaves
# three orphans, which exit at once, then execs sleep: a second later the
# container holds ZOMBIES zombies (0 with an init that reaps; 3 with sleep
# as process 1, the control).
zombie_checks() {
    local label=$1 zombies=$2 name=orphans pid
    shift 2
    start "$name" "$@" "$INIT_IMAGE" sh -c '(sleep 0.2 &); (sleep 0.2 &); (sleep 0.2 &); echo "orphans started"; exec sleep 1000'
    wait_until 10 logs_have "$name" "orphans started" || fail "$label: the entrypoint starts" "$(logs_of "$name")"
    sleep 1.2
    pid=$(pid_of "$name")
    expect_eq "$label: $zombies zombies in the container a second after its orphans exit" "$zombies" \
        "$([ -n "$pid" ] && zombies_under "$pid")"
    eng rm -f "$name" >/dev/null 2>&1
}
