//! Load on PID 1: thousands of orphans, and a storm of signals while children
//! come and go. Each run is dumb-init as PID 1 of its own PID namespace, so
//! that only it can reap the orphans and none escapes to the machine.
//! `DUMB_INIT_LONG_TESTS=1` runs the full sizes recorded in
//! docs/reliability.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;
#[path = "common/reliability.rs"]
mod reliability;

use std::collections::BTreeMap;
use std::fs;
use std::process::Stdio;

use common::{
    Running, Scratch, code, dumb_init_as_pid1, eventually, namespace_init_pid, run, send,
};
use reliability::{Rng, figure, helper, pending_mask, queued_signals, scale, seed};

/// Runs the orphan generator under dumb-init as PID 1 and returns its figures
/// line, dumb-init's stderr and status; `None` where it cannot run here.
fn orphan_run(args: &[&str], total: u64, burst: u64, death: i32) -> Option<(String, String, i32)> {
    // Files, not pipes: the verbose log of 10,000 reaps would fill a pipe
    // that is only read after the exit.
    let scratch = Scratch::new("orphans");
    let mut command = dumb_init_as_pid1(args)?;
    let helper = helper()?;
    command
        .arg(helper)
        .args([
            "orphans",
            &total.to_string(),
            &burst.to_string(),
            &death.to_string(),
        ])
        .stdout(fs::File::create(scratch.path("stdout")).unwrap())
        .stderr(fs::File::create(scratch.path("stderr")).unwrap());
    let status = Running::start(&mut command).wait();
    let figures = fs::read_to_string(scratch.path("stdout")).unwrap();
    let stderr = fs::read_to_string(scratch.path("stderr")).unwrap();
    Some((figures.trim().to_owned(), stderr, code(status)))
}

#[test]
fn thousands_of_orphans_are_all_reaped_and_memory_stays_flat() {
    let total = scale(2_000, 10_000);
    // Verbose: a line written for every reap is part of the load.
    let Some((figures, stderr, status)) = orphan_run(&["-v"], total, 250, 0) else {
        return;
    };
    eprintln!("orphans: {figures}");
    assert_eq!(status, 0, "{figures}\n{stderr}");
    assert_eq!(figure(&figures, "created"), total as i64, "{figures}");
    // What the generator saw of its namespace at the end: nothing but PID 1
    // and itself, no zombie. There only dumb-init, PID 1, can have reaped
    // the orphans.
    assert_eq!(figure(&figures, "others"), 0, "{figures}");
    assert_eq!(figure(&figures, "zombies"), 0, "{figures}");
    // Flat: the supervisor's resident memory after the last burst is within a
    // few pages of what it was after the first.
    let grown = figure(&figures, "rss_end_kb") - figure(&figures, "rss_start_kb");
    assert!(grown <= 64, "VmRSS grew by {grown} KiB: {figures}");
}

#[test]
fn orphans_killed_by_a_realtime_signal_are_all_reaped() {
    // A status that nix cannot turn into a `Signal` must still be reaped, and
    // reaping must go on to the next zombie.
    let Some((figures, stderr, status)) = orphan_run(&[], scale(200, 2_000), 50, 40) else {
        return;
    };
    assert_eq!(status, 0, "{figures}\n{stderr}");
    assert_eq!(figure(&figures, "zombies"), 0, "{figures}");
    assert_eq!(figure(&figures, "others"), 0, "{figures}");
}

#[test]
fn a_command_killed_by_a_realtime_signal_gives_128_plus_its_number() {
    for signal in [34, 40, 64] {
        let script = format!("kill -{signal} $$");
        let output = run(&mut common::dumb_init_with(&["sh", "-c", &script]));
        assert_eq!(
            code(output.status),
            128 + signal,
            "killed by signal {signal}"
        );
    }
}

/// The standard signals of the storm: every one but KILL and STOP (not
/// catchable), TSTP, TTIN and TTOU (they suspend dumb-init; see the faults
/// tests) and SYS (the end-of-storm marker).
const STANDARD: [i32; 25] = [
    1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 23, 24, 25, 26, 27, 28, 29, 30,
];
const SIGCHLD: i32 = 17;
const SIGSYS: i32 = 31;

#[test]
fn a_storm_of_signals_is_forwarded_while_children_come_and_go() {
    let total = scale(20_000, 100_000);
    let scratch = Scratch::new("storm");
    let Some(mut command) = dumb_init_as_pid1(&[]) else {
        return;
    };
    let Some(helper) = helper() else {
        return;
    };
    command
        .arg(helper)
        .arg("storm")
        .arg(scratch.dir())
        .arg("42")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let running = Running::start(&mut command);
    eventually("the generator's handlers", || {
        scratch.path("ready").exists()
    });
    let init = namespace_init_pid(&running.child);

    // Real-time signals from 34: 32 and 33 are glibc's own (see
    // docs/reliability.md); 34 is SIGRTMIN for glibc programs.
    let kinds: Vec<i32> = STANDARD.iter().copied().chain(34..=64).collect();
    let mut rng = Rng::new(seed());
    let mut sent: BTreeMap<i32, u64> = BTreeMap::new();
    let mut refused = 0u64;
    for index in 0..total {
        let signal = *rng.pick(&kinds);
        // SAFETY: kill(2) has no memory-safety preconditions.
        if unsafe { nix::libc::kill(init, signal) } == 0 {
            *sent.entry(signal).or_default() += 1;
        } else {
            // The user's queue of real-time signals is full: not sent.
            refused += 1;
        }
        if index % 256 == 0 {
            // Keep the queue well below RLIMIT_SIGPENDING, so that neither
            // our sends nor dumb-init's forwards are refused. A supervisor
            // that stopped draining its queue fails here.
            eventually("dumb-init drains its signal queue", || {
                queued_signals(init) < 4_000
            });
        }
    }
    // Everything sent has been taken by dumb-init, so the marker is
    // forwarded after every storm signal.
    eventually("dumb-init takes every pending signal", || {
        pending_mask(init) == 0
    });
    send(init, SIGSYS);
    let output = running.output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(code(output.status), 42, "dumb-init's status\n{stderr}");

    let report = fs::read_to_string(scratch.path("report")).unwrap();
    let value = |key: &str| -> u64 {
        report
            .lines()
            .find_map(|line| line.strip_prefix(key)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key:?} in the report"))
    };
    let received = |signal: i32| value(&format!("signal {signal} "));
    assert_eq!(value("zombies "), 0, "zombies left: {report}");
    assert_eq!(value("others "), 0, "processes left: {report}");
    assert!(value("churned ") > 0, "children came and went");
    let mut problems = Vec::new();
    for (&signal, &count) in &sent {
        let got = received(signal);
        if signal >= 34 {
            // Real-time signals queue: every one is delivered, once.
            if got != count {
                problems.push(format!("real-time {signal}: sent {count}, received {got}"));
            }
        } else if signal != SIGCHLD && (got == 0 || got > count) {
            // Standard ones coalesce while pending: at least one arrives,
            // never more than were sent.
            problems.push(format!("standard {signal}: sent {count}, received {got}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{problems:#?}\nrefused sends: {refused}"
    );
    eprintln!(
        "storm: {} signals sent, {refused} refused, {} kinds",
        sent.values().sum::<u64>(),
        sent.len()
    );
}
