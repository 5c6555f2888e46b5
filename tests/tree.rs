//! --tree and --wait-tree: signals for every descendant (daemons that left
//! the process group, jobs of a shell with job control), each once, and an
//! init that outlives an entrypoint that starts daemons and exits. Each runs
//! as PID 1 of a PID namespace and not; nothing is left running.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use std::path::Path;
use std::process::Stdio;

use common::*;

/// A process that records every signal it receives, one number a line, in
/// `<work>/<name>.log` (queued real-time signals once each), writes its PID
/// to `<work>/<name>.pid` once ready, and exits 0 on SIGTERM, unless a third
/// argument makes it shrug SIGTERM off.
const RECORDER: &str = r#"
import os, signal, sys
name, work, stubborn = sys.argv[1], sys.argv[2], len(sys.argv) > 3
catchable = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]
signal.pthread_sigmask(signal.SIG_BLOCK, catchable)
log = os.open(os.path.join(work, name + ".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
with open(os.path.join(work, name + ".pid.tmp"), "w") as f:
    f.write(str(os.getpid()))
os.rename(os.path.join(work, name + ".pid.tmp"), os.path.join(work, name + ".pid"))
while True:
    number = signal.sigwaitinfo(catchable).si_signo
    if number == signal.SIGCHLD:
        continue
    os.write(log, b"%d\n" % number)
    if number == signal.SIGTERM and not stubborn:
        sys.exit(0)
"#;

/// The members an entrypoint starts: a daemon that called setsid(), one
/// that forked twice (its parent gone, in a session of its own), a job of a
/// shell with job control (a group of its own), a job in the command's own
/// group; the entrypoint itself records too ("main").
const MEMBERS: [&str; 5] = ["setsid", "double-fork", "job-control", "own-group", "main"];

/// The entrypoint: bash starting the members, waiting until each is ready,
/// then becoming the main recorder.
fn entrypoint(scratch: &Scratch) -> String {
    let recorder = scratch.path("recorder.py");
    std::fs::write(&recorder, RECORDER).unwrap();
    let rec = format!("python3 {} ", recorder.display());
    let work = scratch.dir().display();
    format!(
        r#"
        setsid {rec} setsid {work} &
        ( setsid {rec} double-fork {work} & )
        set -m; {rec} job-control {work} & set +m
        {rec} own-group {work} &
        for m in setsid double-fork job-control own-group; do
            while [ ! -e {work}/$m.pid ]; do sleep 0.01; done
        done
        exec {rec} main {work}
        "#
    )
}

/// Whether python3, which runs the recorders, is installed (said once if not).
fn python() -> bool {
    tool("python3", "--tree and --wait-tree (recorders in Python)")
}

/// What `member` recorded, as signal numbers.
fn recorded(scratch: &Scratch, member: &str) -> Vec<i32> {
    std::fs::read_to_string(scratch.path(&format!("{member}.log")))
        .unwrap_or_default()
        .lines()
        .map(|line| line.parse().unwrap())
        .collect()
}

fn pid_of(scratch: &Scratch, member: &str) -> i32 {
    std::fs::read_to_string(scratch.path(&format!("{member}.pid")))
        .unwrap()
        .parse()
        .unwrap()
}

/// dumb-init running `script` under bash with `options`, as PID 1 of a
/// namespace or not; and the PID signals go to. `None` where no PID
/// namespace can be made (tests/common says so once).
fn start(pid1: bool, options: &[&str], script: &str) -> Option<(Running, i32)> {
    let mut args = options.to_vec();
    args.extend(["bash", "-c", script]);
    let mut command = match pid1 {
        true => dumb_init_as_pid1(&args)?,
        false => dumb_init_with(&args),
    };
    let running = Running::start(command.stdout(Stdio::null()).stderr(Stdio::piped()));
    let target = match pid1 {
        true => namespace_init_pid(&running.child),
        false => running.pid(),
    };
    Some((running, target))
}

fn wait_for(path: &Path) {
    eventually(&format!("{} exists", path.display()), || path.exists());
}

/// The members' PIDs are those of their own namespace; each is gone once
/// its log holds its SIGTERM and its PID file's process is no recorder.
fn all_gone(scratch: &Scratch, pid1: bool) {
    if pid1 {
        // The namespace ended with dumb-init: nothing of it is left.
        return;
    }
    for member in MEMBERS {
        let pid = pid_of(scratch, member);
        eventually(&format!("{member} ({pid}) is gone"), || {
            std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .map_or(true, |cmdline| !cmdline.contains("recorder.py"))
        });
    }
}

#[test]
fn under_tree_every_descendant_gets_each_signal_once() {
    if !python() {
        return;
    }
    for pid1 in [false, true] {
        let scratch = Scratch::new("tree");
        // The grace period keeps dumb-init, as PID 1, from ending the
        // namespace before every member has recorded its SIGTERM: it waits
        // for the tree (and ends as soon as it is empty).
        let options = ["--tree", "--grace-period=20"];
        let Some((running, target)) = start(pid1, &options, &entrypoint(&scratch)) else {
            return;
        };
        wait_for(&scratch.path("main.pid"));
        // A real-time signal queues: a member signalled twice would record
        // it twice.
        send(target, 36);
        for member in MEMBERS {
            eventually(&format!("{member} records 36"), || {
                !recorded(&scratch, member).is_empty()
            });
        }
        send(target, 15);
        let output = running.output();
        assert_eq!(
            code(output.status),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        for member in MEMBERS {
            assert_eq!(
                recorded(&scratch, member),
                [36, 15],
                "{member}, as PID 1: {pid1}"
            );
        }
        all_gone(&scratch, pid1);
    }
}

#[test]
fn without_tree_only_the_process_group_gets_the_signal() {
    if !python() {
        return;
    }
    // The same tree under plain dumb-init: what --tree is for. --subreaper
    // changes no signal's way: it keeps the double-forked daemon a
    // descendant, which the clean-up ends with the rest.
    let scratch = Scratch::new("group");
    let Some((running, target)) = start(false, &["--subreaper"], &entrypoint(&scratch)) else {
        return;
    };
    wait_for(&scratch.path("main.pid"));
    send(target, 36);
    for member in ["own-group", "main"] {
        eventually(&format!("{member} records 36"), || {
            !recorded(&scratch, member).is_empty()
        });
    }
    for member in ["setsid", "double-fork", "job-control"] {
        assert_eq!(recorded(&scratch, member), [0; 0], "{member}");
    }
    drop(running);
}

#[test]
fn the_tree_variable_does_the_same_and_refuses_single_child() {
    if !python() {
        return;
    }
    let scratch = Scratch::new("tree-env");
    let mut args = vec!["bash", "-c"];
    let script = entrypoint(&scratch);
    args.push(&script);
    let running = Running::start(
        dumb_init_with(&args)
            .env("DUMB_INIT_TREE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    wait_for(&scratch.path("main.pid"));
    send(running.pid(), 15);
    let output = running.output();
    assert_eq!(code(output.status), 0);
    for member in MEMBERS {
        assert_eq!(recorded(&scratch, member), [15], "{member}");
    }
    all_gone(&scratch, false);

    // The refusal names what was given: an option or its variable.
    for (args, env, named) in [
        (
            &["--tree", "-c", "true"][..],
            None,
            "--tree and --single-child",
        ),
        (
            &["-c", "true"],
            Some(("DUMB_INIT_TREE", "1")),
            "DUMB_INIT_TREE=1 and --single-child",
        ),
        (
            &["--tree", "true"],
            Some(("DUMB_INIT_SETSID", "0")),
            "--tree and DUMB_INIT_SETSID=0",
        ),
    ] {
        let mut command = dumb_init_with(args);
        command.envs(env);
        let output = run(&mut command);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(output.status), 1, "{args:?} {env:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("{named} contradict each other")),
            "{stderr}"
        );
    }
}

/// Whether the entrypoint (bash) has exited: every child left to
/// dumb-init is a recorder (python3), adopted.
fn entrypoint_gone(dumb_init: i32) -> bool {
    let left = children(dumb_init);
    !left.is_empty()
        && left.iter().all(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "python3")
        })
}

/// An entrypoint that starts a setsid daemon and exits 3 once it is ready.
fn starts_a_daemon_and_exits(scratch: &Scratch) -> String {
    let recorder = scratch.path("recorder.py");
    std::fs::write(&recorder, RECORDER).unwrap();
    let work = scratch.dir().display();
    format!(
        r#"setsid python3 {} daemon {work} &
           while [ ! -e {work}/daemon.pid ]; do sleep 0.01; done
           exit 3"#,
        recorder.display()
    )
}

#[test]
fn under_wait_tree_dumb_init_outlives_the_entrypoint_until_the_daemon_ends() {
    if !python() {
        return;
    }
    for pid1 in [false, true] {
        let scratch = Scratch::new("wait-tree");
        let Some((running, target)) = start(
            pid1,
            &["-v", "--wait-tree"],
            &starts_a_daemon_and_exits(&scratch),
        ) else {
            return;
        };
        wait_for(&scratch.path("daemon.pid"));
        // The entrypoint has exited; dumb-init stays, and signals nothing.
        eventually("the entrypoint is reaped", || entrypoint_gone(target));
        assert_eq!(
            recorded(&scratch, "daemon"),
            [0; 0],
            "nothing is sent at the exit"
        );
        // A signal reaches the daemon, outside the group.
        send(target, 36);
        eventually("the daemon records 36", || {
            recorded(&scratch, "daemon") == [36]
        });
        assert!(proc_state(target).is_some(), "dumb-init is still there");
        // The engine's SIGTERM reaches it too; then nothing is left and
        // dumb-init exits with the entrypoint's status.
        send(target, 15);
        let output = running.output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(output.status), 3, "{stderr}");
        assert_eq!(recorded(&scratch, "daemon"), [36, 15]);
        assert!(stderr.contains("Waiting for the rest of the tree to exit (--wait-tree)."));
        assert!(stderr.contains("No process is left."), "{stderr}");
    }
}

#[test]
fn under_wait_tree_the_grace_period_counts_from_the_sigterm() {
    if !python() {
        return;
    }
    for pid1 in [false, true] {
        let scratch = Scratch::new("wait-tree-grace");
        // The daemon shrugs off SIGTERM: only the SIGKILL ends it.
        let script = starts_a_daemon_and_exits(&scratch).replace(" &\n", " stubborn &\n");
        let Some((running, target)) =
            start(pid1, &["-v", "--wait-tree", "--grace-period=0.5"], &script)
        else {
            return;
        };
        wait_for(&scratch.path("daemon.pid"));
        eventually("the entrypoint is reaped", || entrypoint_gone(target));
        send(target, 15);
        let output = running.output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(output.status), 3, "{stderr}");
        assert!(
            stderr.contains("Waiting up to 500 ms for the remaining processes to exit."),
            "{stderr}"
        );
        assert!(
            stderr.contains("sending SIGKILL to 1 remaining processes."),
            "{stderr}"
        );
    }
}

#[test]
fn the_wait_tree_variable_does_the_same() {
    if !python() {
        return;
    }
    let scratch = Scratch::new("wait-tree-env");
    let mut args = vec!["bash", "-c"];
    let script = starts_a_daemon_and_exits(&scratch);
    args.push(&script);
    let running = Running::start(
        dumb_init_with(&args)
            .env("DUMB_INIT_WAIT_TREE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for(&scratch.path("daemon.pid"));
    eventually("the entrypoint is reaped", || {
        entrypoint_gone(running.pid())
    });
    send(running.pid(), 15);
    assert_eq!(code(running.wait()), 3);
    assert_eq!(recorded(&scratch, "daemon"), [15]);
}
