//! Signals sent to dumb-init reach the command: the whole process group in
//! setsid mode, the direct child only with -c, rewritten or dropped with -r,
//! and job-control stops suspend the session and dumb-init with it.

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

use common::*;

/// Starts dumb-init with `options` running a recorder script for `signals`,
/// which also starts a background recorder (a second member of the group).
/// Returns the running dumb-init and the two logs once both are ready.
fn start_family(
    scratch: &Scratch,
    options: &[&str],
    signals: &[&str],
) -> (Running, std::path::PathBuf, std::path::PathBuf) {
    let child_log = scratch.path("child.log");
    let background_log = scratch.path("background.log");
    let background = scratch.script("background.sh", &signal_recorder(signals, &background_log));
    let mut child_script = signal_recorder(signals, &child_log);
    child_script = child_script.replacen(
        "#!/bin/sh\n",
        &format!("#!/bin/sh\nsh {} &\n", background.display()),
        1,
    );
    let child = scratch.script("child.sh", &child_script);
    // The command is `sh child.sh`, as many entrypoints are written.
    let mut args: Vec<&str> = options.to_vec();
    let child_path = child.to_str().unwrap().to_owned();
    args.extend(["sh", &child_path]);
    let running = Running::start(&mut dumb_init_with(&args));
    wait_for_lines(&child_log, 1);
    wait_for_lines(&background_log, 1);
    (running, child_log, background_log)
}

#[test]
fn sigterm_is_forwarded_to_the_whole_group_in_setsid_mode() {
    let scratch = Scratch::new("group");
    let (running, child_log, background_log) = start_family(&scratch, &[], &["USR1", "TERM"]);
    running.signal(10);
    assert_eq!(wait_for_lines(&child_log, 2), ["ready", "USR1"]);
    assert_eq!(wait_for_lines(&background_log, 2), ["ready", "USR1"]);
    running.signal(15);
    assert_eq!(wait_for_lines(&child_log, 3)[2], "TERM");
    assert_eq!(wait_for_lines(&background_log, 3)[2], "TERM");
    // The recorders trap TERM and keep going; end them.
    drop(running);
}

#[test]
fn single_child_mode_signals_only_the_direct_child() {
    let scratch = Scratch::new("single");
    let (running, child_log, background_log) = start_family(&scratch, &["-c"], &["USR1", "USR2"]);
    running.signal(10);
    assert_eq!(wait_for_lines(&child_log, 2), ["ready", "USR1"]);
    // A marker sent to the background recorder directly shows it was
    // listening all along and never received the USR1.
    let child_pid = children(running.pid())[0];
    let recorder = children(child_pid)
        .into_iter()
        .find(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .unwrap_or_default()
                .contains("background.sh")
        })
        .expect("the background recorder is a child of the command");
    send(recorder, 12);
    assert_eq!(wait_for_lines(&background_log, 2), ["ready", "USR2"]);
}

#[test]
fn a_rewrite_turns_one_signal_into_another() {
    for rewrite in ["10:12", "USR1:USR2", "sigusr1:12"] {
        let scratch = Scratch::new("rewrite");
        let (running, child_log, background_log) =
            start_family(&scratch, &["-r", rewrite], &["USR1", "USR2"]);
        running.signal(10);
        assert_eq!(
            wait_for_lines(&child_log, 2),
            ["ready", "USR2"],
            "-r {rewrite}"
        );
        assert_eq!(
            wait_for_lines(&background_log, 2),
            ["ready", "USR2"],
            "-r {rewrite}"
        );
    }
}

#[test]
fn a_rewrite_to_zero_drops_the_signal() {
    let scratch = Scratch::new("drop");
    let (running, child_log, _) = start_family(&scratch, &["-r", "10:0"], &["USR1", "USR2"]);
    running.signal(10);
    running.signal(12);
    assert_eq!(wait_for_lines(&child_log, 2), ["ready", "USR2"]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let lines = wait_for_lines(&child_log, 2);
    assert!(
        !lines.contains(&"USR1".to_owned()),
        "USR1 was forwarded: {lines:?}"
    );
}

#[test]
fn real_time_signals_are_forwarded() {
    // 34 is the first one a glibc program knows, and one that musl keeps for
    // itself: the static build must still block and forward it.
    for signal in ["34", "50", "64"] {
        let scratch = Scratch::new("realtime");
        let (running, child_log, background_log) = start_family(&scratch, &[], &[signal]);
        running.signal(signal.parse().unwrap());
        assert_eq!(wait_for_lines(&child_log, 2), ["ready", signal]);
        assert_eq!(wait_for_lines(&background_log, 2), ["ready", signal]);
    }
}

#[test]
fn as_pid1_a_signal_from_inside_the_namespace_is_forwarded() {
    let script = "trap 'echo got USR1; exit 3' USR1; kill -USR1 1; while :; do sleep 0.02; done";
    let Some(mut command) = dumb_init_as_pid1(&["sh", "-c", script]) else {
        return;
    };
    let output = run(&mut command);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "got USR1\n");
    assert_eq!(code(output.status), 3);
}

#[test]
fn sigtstp_stops_the_group_and_dumb_init_and_sigcont_resumes_them() {
    let scratch = Scratch::new("tstp");
    let (running, child_log, _) = start_family(&scratch, &[], &["CONT"]);
    let child = children(running.pid())[0];
    running.signal(20);
    eventually("the child stops", || proc_state(child) == Some('T'));
    eventually("dumb-init stops itself", || {
        proc_state(running.pid()) == Some('T')
    });
    running.signal(18);
    eventually("dumb-init runs again", || {
        proc_state(running.pid()) != Some('T')
    });
    assert_eq!(
        wait_for_lines(&child_log, 2),
        ["ready", "CONT"],
        "CONT forwarded to the group"
    );
    eventually("the child runs again", || proc_state(child) != Some('T'));
}

#[test]
fn sigchld_sent_by_hand_is_not_forwarded() {
    // The command is the C helper's recorder, which starts nothing: a
    // SIGCHLD in its log can only have been passed on by dumb-init. Signal 40
    // marks the end. dumb-init takes pending signals lowest first and passes
    // each on before it takes the next, and the recorder takes them lowest
    // first too, so a forwarded SIGCHLD would be logged before the marker.
    let Some(helper) = reliability::helper() else {
        return;
    };
    for mode in [&[][..], &["-c"][..]] {
        let scratch = Scratch::new("sigchld");
        let log = scratch.path("signals");
        let mut args = mode.to_vec();
        args.extend([helper.to_str().unwrap(), "record", log.to_str().unwrap()]);
        let running = Running::start(&mut dumb_init_with(&args));
        wait_for_lines(&log, 1);
        running.signal(17);
        running.signal(40);
        assert_eq!(wait_for_lines(&log, 2), ["ready", "40"], "{mode:?}");
        // The recorder does log a SIGCHLD that reaches it: this can fail.
        send(children(running.pid())[0], 17);
        assert_eq!(wait_for_lines(&log, 3)[2], "17", "{mode:?}");
        // SIGTERM ends the recorder with 0, and dumb-init with it.
        running.signal(15);
        assert_eq!(code(running.wait()), 0, "{mode:?}");
        assert_eq!(wait_for_lines(&log, 4)[3], "15", "{mode:?}");
    }
}

#[test]
fn when_the_child_exits_the_rest_of_the_group_gets_sigterm() {
    let scratch = Scratch::new("leftover");
    let log = scratch.path("background.log");
    let background = scratch.script("background.sh", &signal_recorder(&["TERM"], &log));
    let child = format!(
        "sh {} & while ! grep -q ready {}; do sleep 0.01; done; exit 7",
        background.display(),
        log.display()
    );
    let script = format!(
        "\"$DUMB_INIT\" sh -c '{child}'; echo $?; while ! grep -q TERM {log}; do sleep 0.01; done",
        log = log.display()
    );
    let Some(mut command) = namespace_with_init(&script) else {
        return;
    };
    let output = run(&mut command);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "7\n");
    assert_eq!(wait_for_lines(&log, 2), ["ready", "TERM"]);
}
