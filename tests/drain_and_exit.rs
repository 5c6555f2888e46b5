//! The extensions for draining and for the exit status: --delay,
//! --remap-exit and --pdeathsig, with real processes and signals. Timings are
//! checked loosely: a delay is at least its length and well below a second
//! more.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const TERM: i32 = 15;
const USR1: i32 = 10;
const USR2: i32 = 12;

/// A command that records TERM, QUIT and USR1 in `log` as they arrive and
/// exits 4 on USR2; "ready" once its traps are set.
fn recorder(scratch: &Scratch) -> (std::path::PathBuf, std::path::PathBuf) {
    let log = scratch.path("signals");
    let mut script = signal_recorder(&["TERM", "QUIT", "USR1"], &log);
    script = script.replace("#!/bin/sh\n", "#!/bin/sh\ntrap 'exit 4' USR2\n");
    (scratch.script("recorder", &script), log)
}

/// Waits until `log` holds `lines` lines, then returns them and when the last
/// one appeared.
fn lines_at(log: &Path, lines: usize) -> (Vec<String>, Instant) {
    let found = wait_for_lines(log, lines);
    (found, Instant::now())
}

#[test]
fn a_delayed_sigterm_is_forwarded_after_its_delay_while_other_signals_flow() {
    let scratch = Scratch::new("delay");
    let (recorder, log) = recorder(&scratch);
    let running = Running::start(&mut dumb_init_with(&[
        "--delay",
        "TERM:1",
        recorder.to_str().unwrap(),
    ]));
    wait_for_lines(&log, 1);
    let sent = Instant::now();
    running.signal(TERM);
    running.signal(USR1);
    let (early, _) = lines_at(&log, 2);
    assert_eq!(early, ["ready", "USR1"], "USR1 went first, TERM is held");
    let (all, arrived) = lines_at(&log, 3);
    assert_eq!(all[2], "TERM");
    let held = arrived - sent;
    assert!(held >= Duration::from_secs(1), "held only {held:?}");
    assert!(held < Duration::from_secs(2), "held {held:?}");
    running.signal(USR2);
    assert_eq!(code(running.wait()), 4);
}

#[test]
fn a_second_arrival_forwards_a_held_signal_at_once_and_only_once() {
    let scratch = Scratch::new("delay-cut");
    let (recorder, log) = recorder(&scratch);
    let running = Running::start(&mut dumb_init_with(&[
        "--delay=TERM:1.5",
        recorder.to_str().unwrap(),
    ]));
    wait_for_lines(&log, 1);
    let sent = Instant::now();
    running.signal(TERM);
    std::thread::sleep(Duration::from_millis(100));
    running.signal(TERM);
    let (_, arrived) = lines_at(&log, 2);
    assert!(arrived - sent < Duration::from_secs(1), "cut short");
    // Past the end of the first hold: nothing more was forwarded.
    std::thread::sleep(Duration::from_millis(2000));
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text, "ready\nTERM\n");
    running.signal(USR2);
    assert_eq!(code(running.wait()), 4);
}

#[test]
fn the_command_exiting_during_a_delay_ends_dumb_init_at_once() {
    let scratch = Scratch::new("delay-exit");
    let (recorder, log) = recorder(&scratch);
    let running = Running::start(
        dumb_init_with(&["-v", "--delay", "TERM:30", recorder.to_str().unwrap()])
            .stderr(Stdio::piped()),
    );
    wait_for_lines(&log, 1);
    running.signal(TERM);
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    running.signal(USR2);
    let output = running.output();
    assert_eq!(code(output.status), 4);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The held SIGTERM never reached the command.
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ready\n");
    // The verbose lines of a hold are documented (docs/extensions.md).
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in [
        "[dumb-init] Holding signal 15 for 30000 ms before forwarding it.\n",
        "[dumb-init] Dropping held signal 15: the command has exited.\n",
    ] {
        assert!(stderr.contains(line), "{stderr}");
    }
}

#[test]
fn a_held_signal_is_rewritten_when_it_is_forwarded() {
    let scratch = Scratch::new("delay-rewrite");
    let (recorder, log) = recorder(&scratch);
    let running = Running::start(&mut dumb_init_with(&[
        "-r",
        "TERM:QUIT",
        "--delay",
        "TERM:0.5",
        recorder.to_str().unwrap(),
    ]));
    wait_for_lines(&log, 1);
    let sent = Instant::now();
    running.signal(TERM);
    let (lines, arrived) = lines_at(&log, 2);
    assert_eq!(lines[1], "QUIT");
    assert!(arrived - sent >= Duration::from_millis(500));
    running.signal(USR2);
    assert_eq!(code(running.wait()), 4);
}

#[test]
fn the_delay_environment_variable_does_the_same() {
    let scratch = Scratch::new("delay-env");
    let (recorder, log) = recorder(&scratch);
    let running = Running::start(
        dumb_init_with(&[recorder.to_str().unwrap()]).env("DUMB_INIT_DELAY", "HUP:3,TERM:0.6"),
    );
    wait_for_lines(&log, 1);
    let sent = Instant::now();
    running.signal(TERM);
    let (_, arrived) = lines_at(&log, 2);
    let held = arrived - sent;
    assert!(held >= Duration::from_millis(600), "held only {held:?}");
    assert!(held < Duration::from_millis(1600), "held {held:?}");
    running.signal(USR2);
    assert_eq!(code(running.wait()), 4);
}

/// The exit status of `dumb-init <args>`, with `env` set.
fn status_of(args: &[&str], env: &[(&str, &str)]) -> i32 {
    let mut command = dumb_init_with(args);
    for (name, value) in env {
        command.env(name, value);
    }
    code(run(&mut command).status)
}

#[test]
fn remap_exit_maps_what_the_command_s_end_gives() {
    let term = ["sh", "-c", "kill -TERM $$"];
    assert_eq!(status_of(&term, &[]), 143);
    let mapped = [&["--remap-exit", "143:0"][..], &term].concat();
    assert_eq!(status_of(&mapped, &[]), 0);
    assert_eq!(
        status_of(&["--remap-exit=3:7", "sh", "-c", "exit 3"], &[]),
        7
    );
    assert_eq!(
        status_of(&["--remap-exit=3:7", "sh", "-c", "exit 4"], &[]),
        4
    );
    // A command that cannot be run ends with 2, which is the command's end too.
    assert_eq!(status_of(&["--remap-exit", "2:0", "/nonexistent"], &[]), 0);
    let env = [("DUMB_INIT_REMAP_EXIT", "3:0,4:1")];
    assert_eq!(status_of(&["sh", "-c", "exit 4"], &env), 1);
}

#[test]
fn dumb_init_s_own_errors_are_not_remapped() {
    assert_eq!(status_of(&["--remap-exit", "1:0"], &[]), 1, "usage");
    assert_eq!(status_of(&["--remap-exit", "1:0", "-x", "true"], &[]), 1);
    let env = [("DUMB_INIT_REMAP_EXIT", "1:0")];
    assert_eq!(status_of(&["--delay", "bad", "true"], &env), 1);
}

#[test]
fn remapping_is_told_in_a_line_of_its_own_after_the_reference_s_last() {
    let output = run(&mut dumb_init_with(&[
        "-v",
        "--remap-exit",
        "5:0",
        "sh",
        "-c",
        "exit 5",
    ]));
    assert_eq!(code(output.status), 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with(
            "[dumb-init] Child exited with status 5. Goodbye.\n\
             [dumb-init] Exiting with status 0 for 5 (remapped).\n"
        ),
        "{stderr}"
    );
}

#[test]
fn a_bad_value_stops_dumb_init_before_anything_is_started() {
    let scratch = Scratch::new("bad-value");
    let marker = scratch.path("started");
    let touch = ["touch", marker.to_str().unwrap()];
    for bad in [
        &["--remap-exit", "300:0"][..],
        &["--delay", "TERM"],
        &["--delay", "TERM:-1"],
        &["--pdeathsig", "NOPE"],
    ] {
        let output = run(&mut dumb_init_with(&[bad, &touch].concat()));
        assert_eq!(code(output.status), 1, "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("invalid {} '", bad[0])),
            "{stderr}"
        );
        assert!(!marker.exists(), "{bad:?} started the command");
    }
}

/// Runs dumb-init with `variables` and `options` in the background of a
/// shell that exits once the command is ready, so that dumb-init's parent
/// dies; all under tini as PID 1 of a namespace of its own. Prints what the
/// command received within three seconds; `None` where no namespace can be
/// made.
fn after_the_parent_dies(variables: &str, options: &str) -> Option<Vec<String>> {
    let scratch = Scratch::new("pdeathsig");
    let (recorder, log) = recorder(&scratch);
    let script = format!(
        r#"sh -c '{variables} "$DUMB_INIT" {options} {recorder} & while [ ! -s {log} ]; do sleep 0.01; done'
        tries=0
        while [ "$(wc -l < {log})" -lt 2 ] && [ $tries -lt 300 ]; do sleep 0.01; tries=$((tries + 1)); done
        cat {log}"#,
        recorder = recorder.display(),
        log = log.display(),
    );
    lines_in_namespace(&script)
}

#[test]
fn when_the_parent_dies_the_pdeathsig_is_passed_on_to_the_command() {
    let Some(lines) = after_the_parent_dies("", "--pdeathsig TERM") else {
        return;
    };
    assert_eq!(lines, ["ready", "TERM"]);
}

#[test]
fn the_pdeathsig_goes_through_the_rewrite_table() {
    let Some(lines) = after_the_parent_dies("", "--pdeathsig=TERM -r 15:3") else {
        return;
    };
    assert_eq!(lines, ["ready", "QUIT"]);
}

#[test]
fn the_pdeathsig_environment_variable_does_the_same() {
    let Some(lines) = after_the_parent_dies("DUMB_INIT_PDEATHSIG=USR1", "") else {
        return;
    };
    assert_eq!(lines, ["ready", "USR1"]);
}

#[test]
fn without_pdeathsig_the_parent_s_death_sends_nothing() {
    let Some(lines) = after_the_parent_dies("", "") else {
        return;
    };
    assert_eq!(lines, ["ready"]);
}

/// The milliseconds in a line of examples/drain-demo.sh such as
/// `drain: +2603 ms: answered`.
fn drain_ms(line: &str) -> u64 {
    let after = line.split_once('+').unwrap().1;
    after.split_once(" ms").unwrap().0.parse().unwrap()
}

#[test]
fn the_drain_example_keeps_answering_through_its_delay_then_exits_0() {
    if !tool("busybox", "the drain example (busybox httpd)") {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/drain-demo.sh");
    let output = run(std::process::Command::new("sh")
        .arg(script)
        .arg(dumb_init())
        .arg(port.to_string())
        .process_group(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let answered: Vec<u64> = stdout
        .lines()
        .filter(|line| line.ends_with(": answered"))
        .map(drain_ms)
        .collect();
    let stopped = stdout
        .lines()
        .find(|line| line.ends_with("no longer answering"))
        .map(drain_ms)
        .unwrap();
    assert!(answered.iter().any(|&ms| ms >= 2500), "{stdout}");
    assert!((3000..4000).contains(&stopped), "{stdout}");
    assert!(
        stdout.contains("dumb-init exited with status 0 after"),
        "{stdout}"
    );
}
