//! --tree, --wait-tree, the grace period, holds and hooks in orders of
//! events that once hung dumb-init or signalled a process twice, each on
//! real processes, as PID 1 of a PID namespace and not (then under tini,
//! PID 1 of a namespace of its own, which reaps what is orphaned): one test
//! per finding of docs/reliability.md ("Orders of events"), then a few of
//! the orders that src/policy/tests.rs walks without processes.
//!
//! Each test is a shell script run in the namespace: `launch ARGS` starts
//! dumb-init (`$PID1` set: as PID 1 of a namespace of its own) in the
//! background and sets `$di` to its PID as seen here; `finish` waits for
//! it and prints its status; `$W` is a scratch directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use common::*;

const PRELUDE: &str = r#"
set -u
W=$WORK
now() { echo $(( $(date +%s%N) / 1000000 )); }
launch() {
    if [ -n "${PID1:-}" ]; then
        unshare --pid --fork --mount-proc --kill-child "$@" 2>>$W/err &
        launcher=$!
        di=
        while [ -z "$di" ]; do
            di=$(tr -d ' ' < /proc/$launcher/task/$launcher/children 2>/dev/null)
            [ -n "$di" ] || sleep 0.01
        done
    else
        "$@" 2>>$W/err &
        launcher=$! di=$!
    fi
}
finish() { wait $launcher; echo "status $?"; }
# hold_signals MS: each signal dumb-init sends is held MS ms (strace, on
# dumb-init alone); returns once strace has attached. `release` lets go.
hold_signals() {
    strace -qq -o /dev/null -p $di -e trace=pidfd_send_signal,kill \
        -e inject=pidfd_send_signal:delay_enter=$(($1 * 1000)) \
        -e inject=kill:delay_enter=$(($1 * 1000)) &
    tracer=$!
    while [ "$(awk '/^TracerPid/ {print $2}' /proc/$di/status)" = 0 ]; do sleep 0.01; done
}
release() { kill $tracer 2>/dev/null; wait $tracer 2>/dev/null; }
wait_for() { while [ ! -e "$1" ]; do sleep 0.01; done; }
# A daemon in a session of its own: notes its SIGTERM (and exits 0 on it,
# unless the second argument is "stubborn"), says it is up.
cat > $W/daemon.sh <<'EOF'
case "${2:-}" in
    stubborn) trap 'echo "$1 got TERM" >> "$W/log"' TERM ;;
    *) trap 'echo "$1 got TERM" >> "$W/log"; exit 0' TERM ;;
esac
: > "$W/$1.up"
while :; do sleep 0.05; done
EOF
export W
"#;

/// Runs `script` after the prelude, with dumb-init as PID 1 of a namespace
/// of its own (`pid1`) or not; its stdout lines, or `None` where no
/// namespace can be made or a tool is missing (said once).
fn run_script(pid1: bool, script: &str) -> Option<Vec<String>> {
    if !tool("unshare", "orders of events") {
        return None;
    }
    let scratch = Scratch::new("orders");
    let mut command = namespace_with_init(&format!("{PRELUDE}\n{script}"))?;
    if pid1 {
        command.env("PID1", "1");
    }
    let output = run(command.env("WORK", scratch.dir()));
    let err = std::fs::read_to_string(scratch.path("err")).unwrap_or_default();
    assert!(
        output.status.success(),
        "{}{err}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.extend(err.lines().map(|line| format!("err: {line}")));
    Some(lines)
}

/// The number after `prefix` on the first line that starts with it.
fn number(lines: &[String], prefix: &str) -> u64 {
    lines
        .iter()
        .find_map(|line| line.strip_prefix(prefix)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no line {prefix:?} in {lines:?}"))
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|line| line == wanted)
}

/// How long dumb-init may take beyond a bound the docs state, on a busy
/// machine (the bounds themselves are checked without processes, in
/// src/policy/tests.rs).
const SLACK_MS: u64 = 1500;

#[test]
fn under_wait_tree_a_hook_left_alone_is_killed_and_dumb_init_exits() {
    // Finding 1: the command exits while its TERM hook runs for a minute.
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            r#"
            t0=$(now)
            launch "$DUMB_INIT" --wait-tree --on-signal 'TERM:echo $$ > $W/hook.pid; exec sleep 60' \
                sh -c 'kill -TERM $PPID; sleep 1; exit 3'
            finish; echo "took $(( $(now) - t0 ))"
            if [ -z "${PID1:-}" ]; then
                hook=$(cat $W/hook.pid)
                state=$(cut -d' ' -f3 /proc/$hook/stat 2>/dev/null)
                case "$state" in ''|Z) echo "hook gone" ;; *) echo "hook left: $state" ;; esac
            fi
            "#,
        ) else {
            return;
        };
        assert!(has(&lines, "status 3"), "pid1 {pid1}: {lines:?}");
        let took = number(&lines, "took ");
        assert!(took < 1000 + 1000 + SLACK_MS, "pid1 {pid1}: took {took} ms");
        if !pid1 {
            assert!(has(&lines, "hook gone"), "{lines:?}");
        }
    }
}

#[test]
fn a_tree_delivery_does_not_reach_what_a_trap_starts_in_answer() {
    // Finding 2: the trap starts a cleanup command while dumb-init is
    // still signalling the rest of the tree. Each signal dumb-init sends is
    // held 100 ms (strace), so the cleanup command is there long before
    // the delivery ends: it must not get the SIGTERM too.
    if !tool("strace", "orders of events under strace") {
        return;
    }
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            r#"
            cat > $W/cleanup.sh <<'EOF'
trap 'echo "cleanup got TERM" >> $W/log' TERM
echo "cleanup started" >> $W/log
sleep 1 & wait
EOF
            launch "$DUMB_INIT" --tree sh -c '
                trap "sh $W/cleanup.sh; exit 0" TERM
                for i in 1 2 3 4; do sleep 30 & done
                : > $W/ready
                while :; do sleep 0.05 & wait $!; done'
            wait_for $W/ready
            hold_signals 100
            kill -TERM $di
            finish
            release
            cat $W/log
            "#,
        ) else {
            return;
        };
        assert!(has(&lines, "status 0"), "pid1 {pid1}: {lines:?}");
        assert!(has(&lines, "cleanup started"), "pid1 {pid1}: {lines:?}");
        assert!(!has(&lines, "cleanup got TERM"), "pid1 {pid1}: {lines:?}");
    }
}

#[test]
fn a_tree_delivery_misses_a_child_forked_after_its_reading_by_a_parent_not_yet_signalled() {
    // The race the rule of finding 2 leaves (process_tree::signal_tree): a
    // daemon forks a child as soon as the entrypoint has its SIGTERM, that
    // is, after dumb-init read the tree, and before the daemon's own
    // SIGTERM comes (each signal held 300 ms). The daemon gets it; the
    // child, not there when the tree was read, does not.
    if !tool("strace", "orders of events under strace") {
        return;
    }
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            r#"
            cat > $W/forker.sh <<'EOF'
trap 'echo "parent got TERM" >> $W/log; exit 0' TERM
: > $W/forker.up
while [ ! -e $W/main-got-TERM ]; do sleep 0.01; done
sh -c 'trap "echo \"child got TERM\" >> $W/log" TERM; echo "child started" >> $W/log; sleep 3 & wait' &
wait
EOF
            launch "$DUMB_INIT" --tree sh -c '
                trap ": > $W/main-got-TERM" TERM
                setsid sh $W/forker.sh &
                wait_up() { while [ ! -e $W/forker.up ]; do sleep 0.01; done; }; wait_up
                : > $W/ready
                while [ ! -e $W/done ]; do sleep 0.05; done'
            wait_for $W/ready
            hold_signals 300
            kill -TERM $di
            while ! grep -q "parent got TERM" $W/log 2>/dev/null; do sleep 0.01; done
            sleep 0.3
            cat $W/log
            release
            : > $W/done
            finish
            "#,
        ) else {
            return;
        };
        let started = lines.iter().position(|l| l == "child started");
        let parent = lines.iter().position(|l| l == "parent got TERM");
        assert!(
            started.is_some() && started < parent,
            "the child was forked in the window: pid1 {pid1}: {lines:?}"
        );
        assert!(!has(&lines, "child got TERM"), "pid1 {pid1}: {lines:?}");
        assert!(has(&lines, "status 0"), "pid1 {pid1}: {lines:?}");
    }
}

#[test]
fn the_grace_period_counts_from_the_held_sigterm_passed_on() {
    // Finding 3: the entrypoint is gone, a daemon stays; SIGTERM is held
    // 2 s by a delay or a hook; the grace period is 1 s. The daemon's trap
    // runs (its SIGTERM came before any SIGKILL), after the hold.
    for hold in ["--delay TERM:2", "--on-signal TERM:sleep\\ 2"] {
        for pid1 in [false, true] {
            let Some(lines) = run_script(
                pid1,
                &format!(
                    r#"
                    launch "$DUMB_INIT" -v --wait-tree --grace-period 1 {hold} \
                        sh -c 'setsid sh $W/daemon.sh daemon & while [ ! -e $W/daemon.up ]; do sleep 0.01; done; exit 5'
                    while ! grep -q "Waiting for the rest of the tree" $W/err 2>/dev/null; do sleep 0.01; done
                    t0=$(now); kill -TERM $di; finish; echo "took $(( $(now) - t0 ))"
                    cat $W/log
                    "#
                ),
            ) else {
                return;
            };
            let what = format!("{hold}, pid1 {pid1}: {lines:?}");
            assert!(has(&lines, "status 5"), "{what}");
            assert!(has(&lines, "daemon got TERM"), "{what}");
            assert!(number(&lines, "took ") >= 2000, "{what}");
        }
    }
}

#[test]
fn with_a_grace_period_a_hook_left_alone_ends_at_once_and_quietly() {
    // Finding 4.
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            r#"
            t0=$(now)
            launch "$DUMB_INIT" --grace-period 4 --on-signal 'TERM:sleep 30' \
                sh -c 'kill -TERM $PPID; sleep 0.5; exit 3'
            finish; echo "took $(( $(now) - t0 ))"
            "#,
        ) else {
            return;
        };
        assert!(has(&lines, "status 3"), "pid1 {pid1}: {lines:?}");
        let took = number(&lines, "took ");
        assert!(took < 500 + 1000 + SLACK_MS, "pid1 {pid1}: took {took} ms");
        assert!(
            !lines.iter().any(|line| line.contains("failed")),
            "pid1 {pid1}: {lines:?}"
        );
    }
}

#[test]
fn under_a_terminal_a_hook_of_single_child_mode_may_touch_it() {
    // Finding 5: -c keeps dumb-init in the terminal's session; a hook that
    // sets the terminal (tcsetattr) from a background group of it was
    // stopped by SIGTTOU, and the command never got its SIGTERM.
    if !tool("script", "hooks under a terminal") {
        return;
    }
    let Some(lines) = run_script(
        false,
        r#"
        script -qfec "exec $DUMB_INIT -c --on-signal 'TERM:stty sane; echo hooked >> $W/log' \
            sh -c 'trap \"echo command got TERM >> $W/log; exit 0\" TERM; : > $W/up; while :; do sleep 0.05; done'" \
            /dev/null > /dev/null &
        launcher=$!
        wait_for $W/up
        di=$(tr -d ' ' < /proc/$launcher/task/$launcher/children)
        kill -TERM $di
        wait $launcher; echo "status $?"
        cat $W/log
        "#,
    ) else {
        return;
    };
    assert_eq!(
        lines
            .iter()
            .filter(|l| !l.starts_with("err:"))
            .collect::<Vec<_>>(),
        ["status 0", "hooked", "command got TERM"]
    );
}

#[test]
fn as_pid1_without_its_own_proc_wait_tree_still_reaches_the_daemons() {
    // Finding 6: /proc is the host's, or an empty one.
    if !is_root() {
        skip(
            "PID 1 without its /proc",
            "needs root for a mount namespace",
        );
        return;
    }
    for mount in ["", "mount -t tmpfs none /proc &&"] {
        let Some(lines) = run_script(
            false,
            &format!(
                r#"
                unshare --pid --fork --mount --kill-child sh -c '{mount} exec "$DUMB_INIT" -v --wait-tree \
                    sh -c "setsid sh $W/daemon.sh daemon & while [ ! -e $W/daemon.up ]; do sleep 0.01; done; exit 4"' 2>>$W/err &
                launcher=$!
                while ! grep -q "Waiting for the rest of the tree" $W/err 2>/dev/null; do sleep 0.01; done
                di=$(tr -d ' ' < /proc/$launcher/task/$launcher/children)
                kill -TERM $di
                wait $launcher; echo "status $?"
                cat $W/log
                "#
            ),
        ) else {
            return;
        };
        assert!(has(&lines, "status 4"), "{mount:?}: {lines:?}");
        assert!(has(&lines, "daemon got TERM"), "{mount:?}: {lines:?}");
    }
}

#[test]
fn under_wait_tree_a_stop_during_the_entrypoint_s_life_reaches_its_daemon() {
    // Finding 7: the common case of --wait-tree, `docker stop` while the
    // entrypoint still runs.
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            r#"
            launch "$DUMB_INIT" --wait-tree sh -c '
                setsid sh $W/daemon.sh daemon &
                trap "exit 0" TERM
                while [ ! -e $W/daemon.up ]; do sleep 0.01; done
                : > $W/ready
                while :; do sleep 0.05; done'
            wait_for $W/ready
            kill -TERM $di
            finish
            cat $W/log
            "#,
        ) else {
            return;
        };
        assert!(has(&lines, "status 0"), "pid1 {pid1}: {lines:?}");
        assert_eq!(
            lines.iter().filter(|l| *l == "daemon got TERM").count(),
            1,
            "pid1 {pid1}: {lines:?}"
        );
    }
}

#[test]
fn with_four_descriptors_tree_and_rlimit_work_and_with_three_the_fallback_is_said() {
    // Finding 8: --tree with one descriptor beyond the standard three
    // reads the tree one file at a time; --rlimit needs no descriptor to
    // hold the command; with none left, the group gets the signals and the
    // grace period's SIGKILL, and a line says why. dumb-init's own soft
    // limit is lowered; the command gets the hard one back (`--rlimit
    // NOFILE=hard`), as a shell needs more.
    if !tool("prlimit", "descriptors running out") {
        return;
    }
    // A binary linked dynamically opens its libraries before main: with no
    // descriptor left it cannot start at all (the static builds can).
    let starts_with_none = run(std::process::Command::new("prlimit")
        .arg("--nofile=3:1024")
        .arg(dumb_init())
        .arg("-V"))
    .status
    .success();
    if !starts_with_none {
        skip(
            "no descriptor left",
            "this build is linked dynamically and cannot start with none (the static builds are \
             tested)",
        );
    }
    for pid1 in [false, true] {
        let Some(lines) = run_script(
            pid1,
            &format!(
                r#"
                launch prlimit --nofile=4:1024 "$DUMB_INIT" --tree --wait-tree --rlimit NOFILE=hard sh -c '
                    setsid sh $W/daemon.sh daemon &
                    trap "exit 0" TERM
                    while [ ! -e $W/daemon.up ]; do sleep 0.01; done
                    : > $W/ready
                    while :; do sleep 0.05; done'
                wait_for $W/ready
                kill -TERM $di
                finish
                cat $W/log
                if {starts_with_none}; then
                    t0=$(now)
                    launch prlimit --nofile=3:1024 "$DUMB_INIT" --tree --rlimit NOFILE=hard \
                        --grace-period 0.5 sh -c '(trap "" TERM; exec sleep 60) & sleep 0.2; exit 3'
                    finish; echo "took $(( $(now) - t0 ))"
                fi
                "#
            ),
        ) else {
            return;
        };
        let what = format!("pid1 {pid1}: {lines:?}");
        assert!(has(&lines, "status 0"), "{what}");
        assert!(has(&lines, "daemon got TERM"), "{what}");
        if starts_with_none {
            assert!(has(&lines, "status 3"), "{what}");
            assert!(number(&lines, "took ") < 500 + 1000 + SLACK_MS, "{what}");
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("no descriptor is left to read /proc with (errno=24")),
                "{what}"
            );
        }
    }
}

/// The command's environment under dumb-init started with exactly
/// `environment` (entries as bytes, whatever their shape) and `options`.
fn environment_of_the_command(options: &str, environment: &str) -> Vec<String> {
    let program = format!(
        r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def array(items):
    items = [i.encode() for i in items]
    return (ctypes.c_char_p * (len(items) + 1))(*items, None)
env = [{environment}, "LISTEN_PID=%d" % os.getpid(), "PATH=/usr/bin:/bin"]
argv = [os.environ["DUMB_INIT"], *{options:?}.split(), "cat", "/proc/self/environ"]
libc.execve(argv[0].encode(), array(argv), array(env))
sys.exit("execve failed")
"#
    );
    let output = run(std::process::Command::new("python3")
        .args(["-c", &program])
        .env("DUMB_INIT", dumb_init()));
    assert!(output.status.success(), "{output:?}");
    output
        .stdout
        .split(|&b| b == 0)
        .filter(|entry| !entry.is_empty())
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .collect()
}

#[test]
fn socket_activation_keeps_every_entry_of_the_environment() {
    // Finding 9: entries without `=`, or starting with one, reach the
    // command with the option as without it.
    if !tool("python3", "environments of any shape") {
        return;
    }
    let odd = r#""NOEQUALS", "=leading", "KEY=value""#;
    let without = environment_of_the_command("", odd);
    let with = environment_of_the_command("--socket-activation", odd);
    for entry in ["NOEQUALS", "=leading", "KEY=value"] {
        assert!(without.iter().any(|e| e == entry), "{without:?}");
        assert!(with.iter().any(|e| e == entry), "{with:?}");
    }
    assert_eq!(with.len(), without.len(), "{with:?} / {without:?}");
    let listen_pid = with.iter().find(|e| e.starts_with("LISTEN_PID=")).unwrap();
    let without_pid = without
        .iter()
        .find(|e| e.starts_with("LISTEN_PID="))
        .unwrap();
    assert_ne!(listen_pid, without_pid, "rewritten for the command");
}

#[test]
fn the_small_findings_on_the_binary() {
    // Finding 10, as the binary says it.
    let output = run(dumb_init_with(&["--tree", "true"]).env("DUMB_INIT_SETSID", "0"));
    assert!(
        String::from_utf8_lossy(&output.stderr).ends_with(
            "dumb-init: --tree and DUMB_INIT_SETSID=0 contradict each other: one signals every \
             descendant, the other the child alone\n"
        ),
        "{output:?}"
    );
    let output = run(&mut dumb_init_with(&["--delay", "TERM:1\nx", "true"]));
    assert_eq!(code(output.status), 1);
    assert_eq!(output.stderr.iter().filter(|&&b| b == b'\n').count(), 1);
    let output = run(&mut dumb_init_with(&[
        "--on-signal",
        "TERM:echo \u{fffd}",
        "true",
    ]));
    assert_eq!(code(output.status), 0, "{output:?}");
    let output = run(&mut dumb_init_with(&[
        "--rlimit",
        "NOFILE=999999999",
        "--rlimit",
        "NOFILE=100",
        "sh",
        "-c",
        "ulimit -n",
    ]));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "100\n",
        "{output:?}"
    );
    // A grace period given as more than zero is one: dumb-init adopts
    // orphans for it when not PID 1.
    let output = run(&mut dumb_init_with(&[
        "-v",
        "--grace-period",
        "0.0000000001",
        "true",
    ]));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("Became a child subreaper"),
        "{output:?}"
    );
}

/// One of the orders of src/policy/tests.rs on real processes: options,
/// what the entrypoint does, when the SIGTERMs come.
struct Order {
    options: &'static str,
    /// The daemon shrugs SIGTERM off.
    stubborn: bool,
    /// The entrypoint exits by itself at once (else on SIGTERM).
    entrypoint_exits: bool,
    terms: u32,
}

const ORDERS: [Order; 6] = [
    Order {
        options: "--wait-tree --grace-period 0.5",
        stubborn: true,
        entrypoint_exits: true,
        terms: 1,
    },
    Order {
        options: "--wait-tree --delay TERM:0.3 --on-signal TERM:sleep\\ 60",
        stubborn: false,
        entrypoint_exits: false,
        terms: 2,
    },
    Order {
        options: "--tree --grace-period 0.5 --on-signal TERM:sleep\\ 0.2",
        stubborn: true,
        entrypoint_exits: false,
        terms: 1,
    },
    Order {
        options: "--wait-tree --on-signal TERM:sleep\\ 0.2",
        stubborn: false,
        entrypoint_exits: true,
        terms: 3,
    },
    Order {
        options: "--tree --wait-tree --grace-period 0.5 --delay TERM:0.2",
        stubborn: true,
        entrypoint_exits: false,
        terms: 1,
    },
    Order {
        options: "--grace-period 0.5 --on-signal TERM:sleep\\ 60",
        stubborn: false,
        entrypoint_exits: false,
        terms: 2,
    },
];

#[test]
fn orders_of_events_on_real_processes_keep_the_promises() {
    for pid1 in [false, true] {
        for order in &ORDERS {
            let stubborn = if order.stubborn { "stubborn" } else { "" };
            let entrypoint = match order.entrypoint_exits {
                true => "exit 0".to_owned(),
                false => "trap 'exit 0' TERM; while :; do sleep 0.05; done".to_owned(),
            };
            let Some(lines) = run_script(
                pid1,
                &format!(
                    r#"
                    launch "$DUMB_INIT" -v {options} sh -c '
                        setsid sh $W/daemon.sh daemon {stubborn} &
                        while [ ! -e $W/daemon.up ]; do sleep 0.01; done
                        : > $W/ready
                        {entrypoint}'
                    wait_for $W/ready
                    i=0
                    while [ $i -lt {terms} ]; do kill -TERM $di; i=$((i+1)); sleep 0.1; done
                    t0=$(now); finish; echo "took $(( $(now) - t0 ))"
                    cat $W/log 2>/dev/null
                    echo "daemon: $(pgrep -f '^sh [^ ]*/daemon.sh daemon' | wc -l)"
                    "#,
                    options = order.options,
                    terms = order.terms,
                ),
            ) else {
                return;
            };
            let what = format!("{}, pid1 {pid1}: {lines:?}", order.options);
            // Each process gets each SIGTERM at most once (and the one
            // dumb-init sends at the command's exit).
            let got = lines.iter().filter(|l| *l == "daemon got TERM").count();
            assert!(got as u32 <= order.terms + 1, "{what}");
            // Nothing is left running: the daemon (gone with the namespace,
            // or by its SIGTERM or the grace period's SIGKILL).
            assert!(has(&lines, "daemon: 0"), "{what}");
            // And dumb-init ended soon after the last SIGTERM: a hold, a
            // grace period and a second for a hook left alone at most.
            assert!(
                number(&lines, "took ") < 300 + 500 + 1000 + SLACK_MS,
                "{what}"
            );
        }
    }
}
