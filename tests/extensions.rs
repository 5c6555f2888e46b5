//! The opt-in extensions: --subreaper and --grace-period, as PID 1 and not.
//! Tests with orphans run under tini as the namespace's PID 1, so that an
//! orphan dumb-init does not adopt is still reaped by someone.

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

/// A command for dumb-init that orphans a `sleep` (its parent exits at
/// once), then reports who adopted it and whether it is reaped once killed.
const ORPHAN_REPORT: &str = r#"
    sh -c 'sleep 30 & echo $! > $WORK/orphan; echo $$ > $WORK/middle'
    orphan=$(cat $WORK/orphan); middle=$(cat $WORK/middle)
    parent() { awk '/^PPid/ {print $2}' /proc/$orphan/status; }
    while [ "$(parent)" = "$middle" ]; do sleep 0.01; done
    [ "$(parent)" = "$PPID" ] && echo "adopted by dumb-init" || echo "adopted by PID $(parent)"
    kill $orphan
    tries=0
    while [ -e /proc/$orphan ] && [ $tries -lt 300 ]; do sleep 0.01; tries=$((tries + 1)); done
    [ -e /proc/$orphan ] && echo "left as $(awk '/^State/ {print $2}' /proc/$orphan/status)" || echo reaped
"#;

/// ORPHAN_REPORT's lines when dumb-init runs it after `prefix` (variables
/// and options), not as PID 1; `None` where no namespace can be made.
fn orphan_report(prefix: &str, options: &str) -> Option<Vec<String>> {
    let command = ORPHAN_REPORT.replace('\'', r"'\''");
    lines_in_namespace(&format!(
        "{prefix} \"$DUMB_INIT\" {options} sh -c '{command}'"
    ))
}

#[test]
fn with_subreaper_orphans_come_back_to_dumb_init_and_are_reaped() {
    let Some(lines) = orphan_report("", "--subreaper") else {
        return;
    };
    assert_eq!(lines, ["adopted by dumb-init", "reaped"]);
}

#[test]
fn the_subreaper_environment_variable_does_the_same() {
    let Some(lines) = orphan_report("DUMB_INIT_SUBREAPER=1", "") else {
        return;
    };
    assert_eq!(lines, ["adopted by dumb-init", "reaped"]);
}

#[test]
fn without_subreaper_orphans_go_to_the_namespace_init() {
    // tini is PID 1 here and reaps it; dumb-init never sees it.
    let Some(lines) = orphan_report("", "") else {
        return;
    };
    assert_eq!(lines, ["adopted by PID 1", "reaped"]);
}

#[test]
fn as_pid1_subreaper_changes_nothing() {
    let scratch = Scratch::new("pid1-subreaper");
    let Some(mut command) = dumb_init_as_pid1(&["-v", "--subreaper", "sh", "-c", ORPHAN_REPORT])
    else {
        return;
    };
    let output = run(command.env("WORK", scratch.dir()));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "adopted by dumb-init\nreaped\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("subreaper"), "{stderr}");
}

/// The command: a group member that ignores SIGTERM (when `stubborn`) or
/// exits on it, then the command itself exits with 5. Prints dumb-init's
/// status, how long it took from the command's exit, and the member's fate.
fn grace_script(options: &str, stubborn: bool) -> String {
    // The member says it is ready once its trap is set, so that the
    // SIGTERM can never come before it, however slow the machine.
    let member = if stubborn {
        "trap \"\" TERM; : > $WORK/ready; exec sleep 30"
    } else {
        ": > $WORK/ready; exec sleep 30"
    };
    format!(
        r#""$DUMB_INIT" {options} sh -c '({member}) & echo $! > $WORK/member; while [ ! -e $WORK/ready ]; do sleep 0.01; done; date +%s%N > $WORK/exit; exit 5'
        status=$?
        end=$(date +%s%N)
        echo "status $status"
        echo "ms $(( (end - $(cat $WORK/exit)) / 1000000 ))"
        member=$(cat $WORK/member)
        [ -e /proc/$member ] && echo "member still running" || echo "member gone"
        "#
    )
}

fn elapsed_ms(lines: &[String]) -> u64 {
    lines[1].strip_prefix("ms ").unwrap().parse().unwrap()
}

#[test]
fn a_member_that_ignores_sigterm_is_killed_when_the_grace_period_ends() {
    let Some(lines) = lines_in_namespace(&grace_script("--grace-period=1", true)) else {
        return;
    };
    assert_eq!(lines[0], "status 5");
    assert_eq!(lines[2], "member gone");
    assert!(
        elapsed_ms(&lines) >= 1000,
        "left before the period ended: {lines:?}"
    );
}

#[test]
fn without_a_grace_period_dumb_init_leaves_the_stubborn_member_behind() {
    let Some(lines) = lines_in_namespace(&grace_script("", true)) else {
        return;
    };
    assert_eq!(lines[0], "status 5");
    assert_eq!(lines[2], "member still running");
}

#[test]
fn the_grace_period_ends_as_soon_as_the_tree_is_empty() {
    let Some(lines) = lines_in_namespace(&grace_script("--grace-period=30", false)) else {
        return;
    };
    assert_eq!(lines[0], "status 5");
    assert_eq!(lines[2], "member gone");
    // Far below the 30 s period: nothing was left to wait for.
    assert!(elapsed_ms(&lines) < 10_000, "{lines:?}");
}

#[test]
fn the_grace_period_environment_variable_does_the_same() {
    let Some(lines) = lines_in_namespace(&grace_script("", true).replace(
        "\"$DUMB_INIT\"",
        "DUMB_INIT_GRACE_PERIOD=0.5 \"$DUMB_INIT\"",
    )) else {
        return;
    };
    assert_eq!(lines[0], "status 5");
    assert_eq!(lines[2], "member gone");
    assert!(elapsed_ms(&lines) >= 500, "{lines:?}");
}

/// Runs `script` (which exits 5) under `dumb-init -v --grace-period=PERIOD`
/// as PID 1, `$WORK` the scratch directory given; returns dumb-init's
/// verbose lines and how long it ran, or `None` where no namespace can be
/// made.
fn verbose_grace_as_pid1(
    scratch: &Scratch,
    period: &str,
    script: &str,
) -> Option<(String, std::time::Duration)> {
    let option = format!("--grace-period={period}");
    let mut command = dumb_init_as_pid1(&["-v", &option, "sh", "-c", script])?;
    let started = std::time::Instant::now();
    let output = run(command.env("WORK", scratch.dir()));
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(code(output.status), 5, "{stderr}");
    Some((stderr, took))
}

#[test]
fn as_pid1_the_grace_period_kills_a_stubborn_member_and_says_so() {
    let scratch = Scratch::new("grace-pid1");
    let Some((stderr, took)) = verbose_grace_as_pid1(
        &scratch,
        "0.5",
        "(trap '' TERM; : > $WORK/ready; exec sleep 30) &
         while [ ! -e $WORK/ready ]; do sleep 0.01; done; exit 5",
    ) else {
        return;
    };
    // The member ignores SIGTERM: only the end of the period ends it.
    assert!(took.as_millis() >= 500, "left after {took:?}: {stderr}");
    // These lines are the documented verbose output (docs/extensions.md).
    for line in [
        "[dumb-init] Waiting up to 500 ms for the remaining processes to exit.\n",
        "[dumb-init] Grace period over; sending SIGKILL to 1 remaining processes.\n",
    ] {
        assert!(stderr.contains(line), "{stderr}");
    }
    assert!(
        stderr.ends_with("[dumb-init] Child exited with status 5. Goodbye.\n"),
        "{stderr}"
    );
}

#[test]
fn as_pid1_the_grace_period_ends_when_everyone_has_exited() {
    // The member takes 0.3 s to finish after its SIGTERM, then says so in a
    // file. As PID 1, dumb-init's exit ends the namespace and kills whatever
    // is left in it: the word arrives only if dumb-init waited for the
    // member, and it must not have waited for the rest of the 30 s period.
    let scratch = Scratch::new("grace-pid1-done");
    let Some((stderr, took)) = verbose_grace_as_pid1(
        &scratch,
        "30",
        "(trap 'sleep 0.3; echo TERM > $WORK/member; exit 0' TERM; : > $WORK/ready;
          while :; do sleep 0.05; done) &
         while [ ! -e $WORK/ready ]; do sleep 0.01; done; exit 5",
    ) else {
        return;
    };
    let member = std::fs::read_to_string(scratch.path("member")).unwrap_or_default();
    assert_eq!(member, "TERM\n", "the member's end was cut short: {stderr}");
    assert!(took.as_secs() < 10, "took {took:?}: {stderr}");
    assert!(
        stderr.contains("[dumb-init] All remaining processes exited after"),
        "{stderr}"
    );
    assert!(!stderr.contains("SIGKILL"), "{stderr}");
}
