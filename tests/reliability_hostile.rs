//! What a hostile probe found, kept fixed: durations too large for the
//! clock, a /proc that is not the namespace's own, signals that arrive before
//! the command has its process group, and real-time signals inherited as
//! ignored. Each runs as PID 1 of a PID namespace and not. Then arbitrary
//! option values and variables, through the binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Whether this test can make PID namespaces without /proc and trace
/// processes (root, with unshare); if not, the group is skipped, said once.
fn as_root() -> bool {
    let root = is_root();
    if !root {
        skip(
            "probes that need root",
            "PID namespaces without a /proc of their own, and strace",
        );
    }
    // As root, a PID namespace can be made where unshare is installed.
    root && pid_namespace().is_some()
}

/// Whether the probes that run dumb-init under strace, with tini as the
/// namespace's PID 1, can run here (said once if not).
fn under_strace() -> bool {
    as_root() && tools(&["tini", "strace"], "probes under strace and tini")
}

/// dumb-init with `args`, as PID 1 of a namespace or not.
fn dumb_init(pid1: bool, args: &[&str]) -> Command {
    match pid1 {
        true => dumb_init_as_pid1(args).expect("as root a PID namespace can be made"),
        false => dumb_init_with(args),
    }
}

/// A status from dumb-init's own end: an exit code, never a signal death.
fn exit_code(output: &Output) -> i32 {
    assert_eq!(
        output.status.signal(),
        None,
        "dumb-init died of a signal: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.status.code().unwrap()
}

const TOO_LONG: &str = "18446744073709551615";

#[test]
fn durations_too_large_for_the_clock_are_refused_with_one_line() {
    for pid1 in [false, true] {
        if pid1 && !as_root() {
            continue;
        }
        // Arguments, variables, and what the refusal names.
        type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 6] = [
            (&["--grace-period", TOO_LONG, "true"], &[], "--grace-period"),
            (&["--grace-period=1e309", "true"], &[], "--grace-period"),
            (
                &["--delay", &format!("TERM:{TOO_LONG}"), "true"],
                &[],
                "--delay",
            ),
            (&["--delay=INT:inf", "true"], &[], "--delay"),
            (
                &["true"],
                &[("DUMB_INIT_GRACE_PERIOD", TOO_LONG)],
                "DUMB_INIT_GRACE_PERIOD",
            ),
            (
                &["true"],
                &[("DUMB_INIT_DELAY", "TERM:nan")],
                "DUMB_INIT_DELAY",
            ),
        ];
        for (args, env, named) in cases {
            let output = run(dumb_init(pid1, args).envs(env.iter().copied()));
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(exit_code(&output), 1, "{args:?} {env:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with(&format!("{}: invalid {named} '", dumb_init_path())),
                "{stderr}"
            );
        }
        // The longest period taken is a normal run.
        let output = run(&mut dumb_init(
            pid1,
            &["--grace-period=1000000000", "sh", "-c", "exit 4"],
        ));
        assert_eq!(exit_code(&output), 4);
    }
}

fn dumb_init_path() -> String {
    common::dumb_init().display().to_string()
}

/// Waits until no signal is pending at `pid`: it has taken what was sent.
fn taken(pid: i32) {
    eventually("the signal is taken", || {
        ["SigPnd", "ShdPnd"].iter().all(|field| {
            proc_status_field(pid, field)
                .is_some_and(|mask| u64::from_str_radix(&mask, 16) == Ok(0))
        })
    });
}

#[test]
fn the_longest_delay_holds_one_sigterm_and_a_second_passes_it_on() {
    for pid1 in [false, true] {
        if pid1 && !as_root() {
            continue;
        }
        let scratch = Scratch::new("long-delay");
        let log = scratch.path("log");
        // Records SIGUSR1, and exits 7 on SIGTERM.
        let recorder = scratch.script(
            "recorder",
            &format!(
                "#!/bin/sh\nexec 2>/dev/null\ntrap 'echo USR1 >> {log}' USR1\n\
                 trap 'echo TERM >> {log}; exit 7' TERM\necho ready >> {log}\n\
                 while :; do sleep 1 & wait $!; kill $! 2>/dev/null; done\n",
                log = log.display()
            ),
        );
        let recorder = recorder.display().to_string();
        let mut command = dumb_init(pid1, &["--delay=TERM:1000000000", &recorder]);
        let running = Running::start(command.stdout(Stdio::null()).stderr(Stdio::piped()));
        let target = match pid1 {
            true => namespace_init_pid(&running.child),
            false => running.pid(),
        };
        wait_for_lines(&log, 1);
        send(target, 15);
        taken(target);
        // SIGUSR1 is not delayed: it reaches the recorder while SIGTERM,
        // taken before it, is held.
        send(target, 10);
        assert_eq!(
            wait_for_lines(&log, 2),
            ["ready", "USR1"],
            "the first SIGTERM is held"
        );
        send(target, 15);
        assert_eq!(wait_for_lines(&log, 3), ["ready", "USR1", "TERM"]);
        let output = running.output();
        assert_eq!(
            exit_code(&output),
            7,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A member of the command's group that shrugs off SIGTERM and lives 60 s,
/// while the command exits 3.
const LEFTOVER: &str = r#"(trap "" TERM; exec sleep 60) & sleep 0.1; exit 3"#;

/// Runs `script` (which runs `$DUMB_INIT`) in a PID namespace without a /proc
/// of its own: dumb-init's status, stderr, and how long it took.
fn in_namespace_without_its_proc(script: &str) -> (i32, String, Duration) {
    let mut command = Command::new("unshare");
    command
        .args([
            "--pid",
            "--fork",
            "--mount",
            "--kill-child",
            "sh",
            "-c",
            script,
        ])
        .env("DUMB_INIT", common::dumb_init())
        .env("LEFTOVER", LEFTOVER)
        .process_group(0)
        .stdin(Stdio::null());
    let started = Instant::now();
    let output = run(&mut command);
    let took = started.elapsed();
    (
        exit_code(&output),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        took,
    )
}

#[test]
fn as_pid1_with_the_host_s_proc_the_grace_period_ends_on_time() {
    if !as_root() {
        return;
    }
    // /proc is the host's: dumb-init, PID 1 here, is some other PID there.
    let (status, stderr, took) = in_namespace_without_its_proc(
        r#"exec "$DUMB_INIT" -v --grace-period=0.5 sh -c "$LEFTOVER""#,
    );
    assert_eq!(status, 3, "{stderr}");
    assert!(
        stderr.contains("/proc is not this namespace's: sending SIGKILL to every process in it."),
        "{stderr}"
    );
    assert!(stderr.contains("was terminated by signal 9."), "{stderr}");
    // Well before the leftover would have ended by itself (60 s).
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn as_pid1_with_an_empty_proc_the_grace_period_ends_on_time() {
    if !as_root() {
        return;
    }
    let (status, stderr, took) = in_namespace_without_its_proc(
        r#"mount -t tmpfs none /proc && exec "$DUMB_INIT" -v --grace-period=0.5 sh -c "$LEFTOVER""#,
    );
    assert_eq!(status, 3, "{stderr}");
    assert!(
        stderr.contains("sending SIGKILL to every process in it."),
        "{stderr}"
    );
    assert!(stderr.contains("was terminated by signal 9."), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn not_pid1_with_the_host_s_proc_the_grace_period_says_so_and_ends_on_time() {
    if !as_root() || !tool("tini", "probes under tini") {
        return;
    }
    // tini is PID 1 and dumb-init its child; when dumb-init is gone tini
    // exits and the kernel ends the leftover with the namespace.
    let (status, stderr, took) = in_namespace_without_its_proc(
        r#"exec tini -s -- "$DUMB_INIT" --grace-period=0.5 sh -c "$LEFTOVER""#,
    );
    assert_eq!(status, 3, "{stderr}");
    assert_eq!(
        stderr,
        "[dumb-init] Grace period over, but /proc is not this namespace's: the remaining \
         processes cannot be found, and are left running.\n"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// strace's arguments that hold each listed system call for `hold_ms` on
/// entry, in dumb-init and in its child. `-D`: strace is not dumb-init's
/// parent.
fn slowed(calls: &[&str], hold_ms: u32) -> Vec<String> {
    let mut args: Vec<String> = ["-D", "-f", "-qq", "-o", "/dev/null", "-e"]
        .map(str::to_owned)
        .into();
    args.push(format!("trace={}", calls.join(",")));
    for call in calls {
        args.extend([
            "-e".to_owned(),
            format!("inject={call}:delay_enter={}", hold_ms * 1000),
        ]);
    }
    args
}

/// A command that says whether its SIGTERM trap ran or it ran on for 2 s.
const TRAPS_TERM: &str = r#"trap "echo trapped; exit 0" TERM; i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; echo ran on"#;

#[test]
fn the_parent_death_signal_raised_at_start_up_reaches_the_command() {
    if !under_strace() {
        return;
    }
    // dumb-init's parent is a subshell that exits at 0.3 s, while
    // dumb-init's prctl is held for 1 s: dumb-init raises the signal
    // itself. (dumb-init must have read its parent's PID before the
    // subshell exits: under qemu-user and strace on a loaded machine its
    // start-up can take a good part of 0.1 s.) The child's setsid is held
    // too, so the signal comes before the group exists. The command, which
    // starts after that, must be stopped by it, not trap it or run on. tini, the namespace's PID 1, adopts
    // dumb-init; the outer shell waits for dumb-init's last line.
    let strace = slowed(&["prctl", "setsid"], 1000).join(" ");
    let script = format!(
        r#"( strace {strace} "$DUMB_INIT" -v --pdeathsig=TERM sh -c '{TRAPS_TERM}' \
               >"$WORK/out" 2>"$WORK/err" & sleep 0.3 )
           i=0
           until grep -q Goodbye "$WORK/err" || [ $i -ge 2000 ]; do sleep 0.01; i=$((i+1)); done
           cat "$WORK/out" "$WORK/err""#
    );
    for _ in 0..3 {
        let lines = lines_in_namespace(&script).expect("under_strace() found tini and a namespace");
        assert!(
            lines
                .iter()
                .any(|l| l == "[dumb-init] The parent died before that: raising signal 15 now."),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "[dumb-init] Child exited with status 143. Goodbye."),
            "{lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l == "trapped" || l == "ran on"),
            "{lines:?}"
        );
    }
}

#[test]
fn a_sigterm_before_the_child_has_its_group_reaches_the_command() {
    if !under_strace() {
        return;
    }
    for pid1 in [false, true] {
        // As PID 1 dumb-init is the namespace's init; otherwise tini is, and
        // reaps strace's tracer, which it adopts.
        let mut command = Command::new("unshare");
        command.args(["--pid", "--fork", "--mount-proc", "--kill-child"]);
        if !pid1 {
            command.args(["tini", "-s", "--"]);
        }
        command
            .arg("strace")
            .args(slowed(&["setsid"], 300))
            .arg(common::dumb_init())
            .args(["sh", "-c", TRAPS_TERM])
            .process_group(0)
            .stdin(Stdio::null());
        let running = Running::start(command.stdout(Stdio::piped()).stderr(Stdio::piped()));
        let init = namespace_init_pid(&running.child);
        // The supervisor, and its child before the exec: both are named
        // dumb-init (strace's tracer, adopted by PID 1, is not).
        let named = |pid: &i32| comm(*pid) == "dumb-init";
        let dumb_init = match pid1 {
            true => init,
            false => {
                eventually("tini starts dumb-init", || children(init).iter().any(named));
                children(init).into_iter().find(named).unwrap()
            }
        };
        // dumb-init blocks every signal before it forks; once it has, its
        // child is held in setsid() for 0.3 s: the signal comes before the
        // group exists.
        eventually("dumb-init has forked", || {
            children(dumb_init).iter().any(named)
        });
        send(dumb_init, 15);
        let output = running.output();
        assert_eq!(output.status.code(), Some(143), "as PID 1: {pid1}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "",
            "as PID 1: {pid1}"
        );
    }
}

/// A process's command name.
fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

mod arbitrary_values {
    use super::*;
    use proptest::prelude::*;

    /// Every option and variable of the binary under test, read from its
    /// help, so that one added later is sampled too: each long option with
    /// whether it takes a value, and each `DUMB_INIT_` variable. -h and -V
    /// are left out (they exit 0 before anything runs).
    fn surface() -> (Vec<(String, bool)>, Vec<String>) {
        let help = run(&mut dumb_init_with(&["--help"]));
        let help = String::from_utf8(help.stderr).unwrap();
        let mut options = Vec::new();
        let mut variables = Vec::new();
        for line in help.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            // "-c, --single-child  ...", "--delay=SIG:S  ...", "-r, --rewrite s:r ..."
            let (long, next) = match words.as_slice() {
                [short, long, rest @ ..] if short.ends_with(',') => (*long, rest.first()),
                [long, rest @ ..] => (*long, rest.first()),
                [] => continue,
            };
            if let Some(name) = long.strip_prefix("--") {
                let (name, equals) = name
                    .split_once('=')
                    .map_or((name, false), |(n, _)| (n, true));
                // A value after a space is in lower case (-r's "s:r").
                let spaced = next.is_some_and(|word| word.contains(':') && word.len() <= 4);
                if !matches!(name, "help" | "version") {
                    options.push((format!("--{name}"), equals || spaced));
                }
            }
            if let Some(variable) = words.first().and_then(|word| word.split('=').next()) {
                if variable.starts_with("DUMB_INIT_") {
                    variables.push(variable.to_owned());
                }
            }
        }
        (options, variables)
    }

    #[test]
    fn the_help_gives_every_option_and_variable_to_sample() {
        let (options, variables) = surface();
        for (option, takes_value) in [
            ("--single-child", false),
            ("--rewrite", true),
            ("--grace-period", true),
            ("--socket-activation", false),
            ("--on-signal", true),
        ] {
            assert!(
                options.contains(&(option.to_owned(), takes_value)),
                "{option} in {options:?}"
            );
        }
        assert_eq!(options.len(), 14, "{options:?}");
        assert_eq!(variables.len(), 13, "{variables:?}");
        assert!(variables.contains(&"DUMB_INIT_ON_SIGNAL".to_owned()));
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "18446744073709551615",
                "-9223372036854775808",
                "1e309",
                "inf",
                "nan",
                "TERM:99999999999999999999",
                "1000000000",
                "0:0",
                "15:3",
                "HUP",
                "",
            ])
            .prop_map(str::to_owned),
            "[ -~]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Through the binary, for a sample: any option values and
        /// variables end in an exit status (0 or the command's for a run, 1
        /// for a refusal), never in a signal death.
        #[test]
        fn no_value_crashes_the_binary(
            options in prop::collection::vec((prop::sample::select(surface().0), value()), 0..4),
            variables in prop::collection::vec((prop::sample::select(surface().1), value()), 0..4),
        ) {
            let mut args: Vec<String> = Vec::new();
            for ((option, takes_value), value) in &options {
                args.push(option.clone());
                if *takes_value {
                    args.push(value.clone());
                }
            }
            args.extend(["sh", "-c", "exit 5"].map(str::to_owned));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = run(dumb_init_with(&args).envs(variables.iter().map(|(k, v)| (k, v.as_str()))));
            prop_assert_eq!(output.status.signal(), None, "{:?} {:?}", args, variables);
            let code = output.status.code().unwrap();
            // A run gives the command's 5 (or what --remap-exit made of
            // it), a refusal 1.
            let remapped = args.contains(&"--remap-exit")
                || variables.iter().any(|(name, _)| name == "DUMB_INIT_REMAP_EXIT");
            prop_assert!(code == 5 || code == 1 || remapped, "{code} for {args:?} {variables:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            prop_assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}
