//! What the command starts with (--rlimit, --umask, --socket-activation)
//! and the hooks of --on-signal, each through its option and its variable,
//! as PID 1 of a PID namespace and not. Tests whose processes could outlive
//! dumb-init run inside a namespace (dumb-init or tini as its PID 1), so that
//! nothing is left to the machine's own init.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The places dumb-init runs: not as PID 1, then as PID 1 of a namespace
/// where one can be made (otherwise that is said once, and left out).
fn as_pid1() -> Vec<bool> {
    match dumb_init_as_pid1(&[]) {
        Some(_) => vec![false, true],
        None => vec![false],
    }
}

/// dumb-init with `args`, as PID 1 of a new PID namespace (which `as_pid1`
/// has found can be made) or not.
fn init_command(pid1: bool, args: &[&str]) -> Command {
    match pid1 {
        true => dumb_init_as_pid1(args).expect("as_pid1() found a PID namespace can be made"),
        false => dumb_init_with(args),
    }
}

/// Starts `command` in `dir` with its output captured; returns it with the
/// PID that signals for dumb-init go to.
fn start_in(dir: &Path, pid1: bool, mut command: Command) -> (Running, i32) {
    let running = Running::start(
        command
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let target = match pid1 {
        true => namespace_init_pid(&running.child),
        false => running.pid(),
    };
    (running, target)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that dumb-init exited with `status`, showing its stderr if not.
fn assert_status(output: &Output, status: i32, what: &str) {
    assert_eq!(
        code(output.status),
        status,
        "{what}; stderr: {}",
        text(&output.stderr)
    );
}

/// The lines of `file` in `dir`.
fn lines_of(dir: &Path, file: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A command that appends "ready" to `f` (in its directory) once its traps
/// are set, the name of each signal in `names` it receives, and "TERM" on
/// SIGTERM, on which it exits 0.
fn recorder(names: &[&str]) -> String {
    recorder_into("f", names)
}

/// `recorder`, writing to `log` instead: tests/common's `signal_recorder`,
/// with SIGTERM recorded and ending it with status 0.
fn recorder_into(log: &str, names: &[&str]) -> String {
    signal_recorder(names, Path::new(log)).replacen(
        "#!/bin/sh\n",
        &format!("#!/bin/sh\ntrap 'echo TERM >> {log}; exit 0' TERM\n"),
        1,
    )
}

// ------------------------------------------------------------------ rlimit

/// Whether util-linux's prlimit is installed (said once if not).
fn prlimit() -> bool {
    tool("prlimit", "--rlimit under prlimit")
}

/// util-linux's prlimit setting `limits` (such as `--nofile=1024:4096`),
/// then dumb-init with `args`, as PID 1 of a namespace or not. prlimit
/// execs what follows, so dumb-init has the PID the test started.
fn under_prlimit(limits: &[&str], pid1: bool, args: &[&str]) -> Command {
    let mut command = Command::new("prlimit");
    command.args(limits).arg("--");
    if pid1 {
        let namespace = pid_namespace().expect("as_pid1() found a PID namespace can be made");
        command.arg("unshare").args(namespace);
    }
    command
        .arg(dumb_init())
        .args(args)
        .process_group(0)
        .stdin(Stdio::null());
    command
}

/// The soft and hard values of the line of a /proc/PID/limits text that
/// starts with `name` ("Max open files").
fn limit(limits: &str, name: &str) -> (String, String) {
    let line = limits
        .lines()
        .find(|line| line.starts_with(name))
        .unwrap_or_else(|| panic!("no {name:?} in {limits}"));
    let mut values = line[name.len()..].split_whitespace();
    (
        values.next().unwrap().to_owned(),
        values.next().unwrap().to_owned(),
    )
}

fn pair(soft: &str, hard: &str) -> (String, String) {
    (soft.to_owned(), hard.to_owned())
}

#[test]
fn rlimit_hard_raises_the_soft_limit_to_the_hard_one() {
    if !prlimit() {
        return;
    }
    for pid1 in as_pid1() {
        let output = run(&mut under_prlimit(
            &["--nofile=1024:4096"],
            pid1,
            &[
                "--rlimit",
                "NOFILE=hard",
                "sh",
                "-c",
                "ulimit -n; ulimit -Hn",
            ],
        ));
        assert_status(&output, 0, "sh");
        assert_eq!(text(&output.stdout), "4096\n4096\n", "as PID 1: {pid1}");
    }
}

#[test]
fn rlimit_takes_soft_and_hard_values_and_resource_names_in_any_form() {
    if !prlimit() {
        return;
    }
    // The command is cat itself: it reads the limits it was exec'd with.
    let args = [
        "--rlimit",
        "NOFILE=512",
        "--rlimit=rlimit_core=unlimited",
        "--rlimit",
        "Stack=4194304:8388608",
        "--rlimit",
        "RLIMIT_NPROC=100:200",
        "cat",
        "/proc/self/limits",
    ];
    for pid1 in as_pid1() {
        let output = run(&mut under_prlimit(
            &["--nofile=1024:4096", "--core=0:unlimited"],
            pid1,
            &args,
        ));
        assert_status(&output, 0, "cat");
        let limits = text(&output.stdout);
        // Without a hard value the hard limit stays.
        assert_eq!(limit(&limits, "Max open files"), pair("512", "4096"));
        assert_eq!(
            limit(&limits, "Max core file size"),
            pair("unlimited", "unlimited")
        );
        assert_eq!(limit(&limits, "Max stack size"), pair("4194304", "8388608"));
        assert_eq!(limit(&limits, "Max processes"), pair("100", "200"));
    }
}

#[test]
fn the_rlimit_variable_takes_a_list_and_gives_way_to_the_option() {
    if !prlimit() {
        return;
    }
    for pid1 in as_pid1() {
        let mut command = under_prlimit(
            &["--nofile=1024:4096", "--core=1000:unlimited"],
            pid1,
            &["cat", "/proc/self/limits"],
        );
        let output = run(command.env("DUMB_INIT_RLIMIT", "NOFILE=hard, CORE=0"));
        assert_status(&output, 0, "cat");
        let limits = text(&output.stdout);
        assert_eq!(limit(&limits, "Max open files"), pair("4096", "4096"));
        assert_eq!(limit(&limits, "Max core file size"), pair("0", "unlimited"));

        // Given on the command line, the option is the one that counts.
        let mut command = under_prlimit(
            &["--nofile=1024:4096"],
            pid1,
            &["--rlimit", "NOFILE=100", "cat", "/proc/self/limits"],
        );
        let output = run(command.env("DUMB_INIT_RLIMIT", "NOFILE=200"));
        assert_status(&output, 0, "cat");
        assert_eq!(
            limit(&text(&output.stdout), "Max open files"),
            pair("100", "4096")
        );
    }
}

#[test]
fn rlimit_leaves_dumb_inits_own_limits_alone() {
    if !prlimit() {
        return;
    }
    // In setsid mode the command's parent is dumb-init.
    let script = "echo $PPID; cat /proc/$PPID/limits; echo ---; cat /proc/$$/limits";
    for pid1 in as_pid1() {
        let mut command = under_prlimit(
            &["--nofile=1024:4096"],
            pid1,
            &["--rlimit", "NOFILE=2000:3000", "sh", "-c", script],
        );
        let running = Running::start(command.stdout(Stdio::piped()).stderr(Stdio::piped()));
        let dumb_init_pid = match pid1 {
            true => 1,
            false => running.pid(),
        };
        let output = running.output();
        assert_status(&output, 0, "sh");
        let stdout = text(&output.stdout);
        let (parent, rest) = stdout.split_once('\n').unwrap();
        assert_eq!(parent, dumb_init_pid.to_string(), "{stdout}");
        let (dumb_inits, commands) = rest.split_once("---").unwrap();
        assert_eq!(limit(dumb_inits, "Max open files"), pair("1024", "4096"));
        assert_eq!(limit(commands, "Max open files"), pair("2000", "3000"));
    }
}

#[test]
fn a_limit_the_kernel_refuses_is_one_line_and_the_command_never_runs() {
    let nr_open: u64 = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Nobody may go above nr_open (EPERM); a soft limit above the hard one
    // is invalid (EINVAL).
    let above = format!("NOFILE={0}:{0}", nr_open + 1);
    let refused = [
        (vec!["--rlimit", above.as_str()], None),
        (vec!["--rlimit", "CORE=0", "--rlimit", "NOFILE=10:5"], None),
        (vec![], Some("NOFILE=10:5")),
    ];
    for pid1 in as_pid1() {
        for (options, variable) in &refused {
            let scratch = Scratch::new("rlimit-refused");
            let mut args = options.clone();
            args.extend(["sh", "-c", ": > ran"]);
            let mut command = init_command(pid1, &args);
            command.current_dir(scratch.dir());
            if let Some(value) = variable {
                command.env("DUMB_INIT_RLIMIT", value);
            }
            let output = run(&mut command);
            let what = format!("{options:?} {variable:?}, as PID 1: {pid1}");
            assert_status(&output, 1, &what);
            let stderr = text(&output.stderr);
            assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
            assert!(stderr.contains("--rlimit NOFILE="), "{what}: {stderr}");
            assert!(stderr.contains("refused"), "{what}: {stderr}");
            assert!(output.stdout.is_empty(), "{what}");
            assert!(!scratch.path("ran").exists(), "the command ran: {what}");
        }
    }
}

// ------------------------------------------------------------------- umask

/// dumb-init with `args`, started with umask 002 (so that the test's own
/// umask, whatever it is, plays no part).
fn with_umask_002(pid1: bool, args: &[&str]) -> Command {
    let mut command = init_command(pid1, args);
    // SAFETY: umask(2) is async-signal-safe and touches no memory.
    unsafe {
        command.pre_exec(|| {
            nix::libc::umask(0o002);
            Ok(())
        })
    };
    command
}

/// Prints the command's umask, the mode of a file it creates (0666 masked)
/// and its parent's (dumb-init's) umask.
const UMASK_REPORT: &str = "umask; : > made; stat -c %a made; grep Umask /proc/$PPID/status";

#[test]
fn umask_is_the_commands_and_not_dumb_inits() {
    for pid1 in as_pid1() {
        for (value, umask, mode) in [("027", "0027", "640"), ("0", "0000", "666")] {
            let scratch = Scratch::new("umask");
            let option = format!("--umask={value}");
            let mut command = with_umask_002(pid1, &[&option, "sh", "-c", UMASK_REPORT]);
            let output = run(command.current_dir(scratch.dir()));
            assert_status(&output, 0, "sh");
            assert_eq!(
                text(&output.stdout),
                format!("{umask}\n{mode}\nUmask:\t0002\n"),
                "{option}, as PID 1: {pid1}"
            );
        }
    }
}

#[test]
fn umask_027_gives_0027() {
    for pid1 in as_pid1() {
        let output = run(&mut init_command(
            pid1,
            &["--umask", "027", "sh", "-c", "umask"],
        ));
        assert_status(&output, 0, "sh");
        assert_eq!(text(&output.stdout), "0027\n", "as PID 1: {pid1}");
    }
}

#[test]
fn the_umask_variable_does_the_same() {
    for pid1 in as_pid1() {
        let scratch = Scratch::new("umask-env");
        let mut command = with_umask_002(pid1, &["sh", "-c", UMASK_REPORT]);
        let output = run(command
            .current_dir(scratch.dir())
            .env("DUMB_INIT_UMASK", "077"));
        assert_status(&output, 0, "sh");
        assert_eq!(
            text(&output.stdout),
            "0077\n600\nUmask:\t0002\n",
            "as PID 1: {pid1}"
        );
    }
}

// ------------------------------------------------------- socket activation

/// A listening socket, as a service manager would pass on, and its inode
/// (the number in `socket:[...]`).
fn listening_socket(scratch: &Scratch) -> (UnixListener, u64) {
    let listener = UnixListener::bind(scratch.path("socket")).unwrap();
    let inode = std::fs::metadata(format!("/proc/self/fd/{}", listener.as_raw_fd()))
        .unwrap()
        .ino();
    (listener, inode)
}

/// Makes `listener` descriptor 3 of what `command` starts, open across exec.
fn socket_on_fd_3(command: &mut Command, listener: &UnixListener) {
    let fd = listener.as_raw_fd();
    // SAFETY: dup2(2) and fcntl(2) are async-signal-safe and touch no
    // memory; `fd` stays open in the parent until the spawn returns.
    unsafe {
        command.pre_exec(move || {
            let result = match fd {
                // dup2 onto itself would keep close-on-exec set.
                3 => nix::libc::fcntl(3, nix::libc::F_SETFD, 0),
                _ => nix::libc::dup2(fd, 3),
            };
            match result {
                -1 => Err(std::io::Error::last_os_error()),
                _ => Ok(()),
            }
        })
    };
}

/// What the command reports: LISTEN_PID and its own PID, LISTEN_PIDFDID,
/// LISTEN_FDS and LISTEN_FDNAMES, and what its descriptor 3 is.
const LISTEN_REPORT: &str = r#"echo "LISTEN_PID=$LISTEN_PID self=$$"
echo "LISTEN_PIDFDID=${LISTEN_PIDFDID-unset}"
echo "LISTEN_FDS=$LISTEN_FDS LISTEN_FDNAMES=$LISTEN_FDNAMES"
readlink /proc/$$/fd/3"#;

/// The report's lines when dumb-init runs as PID 1 with `args` (then
/// LISTEN_REPORT), the socket on descriptor 3 and these variables; and the
/// socket's inode.
fn listen_report_as_pid1(args: &[&str], env: &[(&str, &str)]) -> (Vec<String>, u64) {
    let scratch = Scratch::new("listen");
    let (listener, inode) = listening_socket(&scratch);
    let mut all = args.to_vec();
    all.extend(["sh", "-c", LISTEN_REPORT]);
    let mut command = init_command(true, &all);
    command
        .env_remove("LISTEN_PID")
        .env_remove("LISTEN_PIDFDID")
        .env("LISTEN_FDS", "1")
        .env("LISTEN_FDNAMES", "web")
        .envs(env.iter().copied());
    socket_on_fd_3(&mut command, &listener);
    let output = run(&mut command);
    drop(listener);
    assert_status(&output, 0, "sh");
    (
        text(&output.stdout).lines().map(str::to_owned).collect(),
        inode,
    )
}

/// As PID 1 with `args` and `env`, LISTEN_PID naming dumb-init: the command
/// is named instead, without LISTEN_PIDFDID, and has the socket. (The
/// command is PID 2, or 3 under qemu-user, whose own thread takes 2.)
fn assert_the_command_takes_the_socket(args: &[&str], env: &[(&str, &str)]) {
    let mut sent = vec![("LISTEN_PID", "1"), ("LISTEN_PIDFDID", "4242")];
    sent.extend_from_slice(env);
    let (lines, inode) = listen_report_as_pid1(args, &sent);
    let me = lines
        .first()
        .and_then(|line| line.rsplit_once(" self="))
        .map(|(_, me)| me.to_owned())
        .unwrap_or_default();
    assert_eq!(
        lines,
        [
            &format!("LISTEN_PID={me} self={me}"),
            "LISTEN_PIDFDID=unset",
            "LISTEN_FDS=1 LISTEN_FDNAMES=web",
            &format!("socket:[{inode}]"),
        ],
        "{args:?} {env:?}"
    );
    assert_ne!(me, "1", "the command is not dumb-init");
}

#[test]
fn as_pid1_socket_activation_names_the_command_which_gets_the_socket() {
    if as_pid1().contains(&true) {
        assert_the_command_takes_the_socket(&["--socket-activation"], &[]);
    }
}

#[test]
fn the_socket_activation_variable_does_the_same() {
    if as_pid1().contains(&true) {
        assert_the_command_takes_the_socket(&[], &[("DUMB_INIT_SOCKET_ACTIVATION", "1")]);
    }
}

#[test]
fn as_pid1_listen_pid_naming_another_process_or_no_option_leaves_it_alone() {
    if !as_pid1().contains(&true) {
        return;
    }
    for (args, env) in [
        // Another process's sockets.
        (&["--socket-activation"][..], &[("LISTEN_PID", "12345")][..]),
        // The variable is a switch: only 1 turns it on.
        (
            &[],
            &[("LISTEN_PID", "1"), ("DUMB_INIT_SOCKET_ACTIVATION", "yes")],
        ),
        // Without the option dumb-init passes the environment unchanged.
        (&[], &[("LISTEN_PID", "1")]),
    ] {
        let mut sent = env.to_vec();
        sent.push(("LISTEN_PIDFDID", "4242"));
        let (lines, inode) = listen_report_as_pid1(args, &sent);
        let listen_pid = env[0].1;
        // The command's own PID, whichever it is (see above), is not used.
        let me = lines
            .first()
            .and_then(|line| line.rsplit_once(" self="))
            .map(|(_, me)| me.to_owned())
            .unwrap_or_default();
        assert_ne!(me, listen_pid, "{args:?} {env:?}");
        assert_eq!(
            lines,
            [
                &format!("LISTEN_PID={listen_pid} self={me}"),
                "LISTEN_PIDFDID=4242",
                "LISTEN_FDS=1 LISTEN_FDNAMES=web",
                &format!("socket:[{inode}]"),
            ],
            "{args:?} {env:?}"
        );
    }
}

/// Runs `sh -c script` with `$DUMB_INIT` the binary under test and the
/// socket on descriptor 3; returns its output lines and the socket's inode.
/// `exec` keeps the shell's PID, so `exec env LISTEN_PID=$$ "$DUMB_INIT"`
/// names dumb-init without it being PID 1.
fn listen_report_not_pid1(script: &str) -> (Vec<String>, u64) {
    let scratch = Scratch::new("listen-not-pid1");
    let (listener, inode) = listening_socket(&scratch);
    let mut command = Command::new("sh");
    command
        .args(["-c", script])
        .env("DUMB_INIT", dumb_init())
        .env("REPORT", LISTEN_REPORT)
        .env("LISTEN_FDS", "1")
        .env("LISTEN_FDNAMES", "web")
        .env("LISTEN_PIDFDID", "4242")
        .process_group(0)
        .stdin(Stdio::null());
    socket_on_fd_3(&mut command, &listener);
    let output = run(&mut command);
    drop(listener);
    assert_status(&output, 0, script);
    (
        text(&output.stdout).lines().map(str::to_owned).collect(),
        inode,
    )
}

#[test]
fn not_as_pid1_socket_activation_names_the_command_too() {
    let (lines, inode) = listen_report_not_pid1(
        r#"echo "dumb-init=$$"; exec env LISTEN_PID=$$ "$DUMB_INIT" --socket-activation sh -c "$REPORT""#,
    );
    let dumb_init_pid = lines[0].strip_prefix("dumb-init=").unwrap();
    let (listen_pid, own) = lines[1]
        .strip_prefix("LISTEN_PID=")
        .unwrap()
        .split_once(" self=")
        .unwrap();
    assert_eq!(listen_pid, own, "{lines:?}");
    assert_ne!(listen_pid, dumb_init_pid, "{lines:?}");
    assert_eq!(
        lines[2..],
        [
            "LISTEN_PIDFDID=unset",
            "LISTEN_FDS=1 LISTEN_FDNAMES=web",
            &format!("socket:[{inode}]"),
        ]
    );
}

#[test]
fn not_as_pid1_listen_pid_naming_another_process_or_no_option_leaves_it_alone() {
    for script in [
        // LISTEN_PID names the shell's parent, not dumb-init.
        r#"echo "named=$PPID"; exec env LISTEN_PID=$PPID "$DUMB_INIT" --socket-activation sh -c "$REPORT""#,
        r#"echo "named=$$"; exec env LISTEN_PID=$$ "$DUMB_INIT" sh -c "$REPORT""#,
    ] {
        let (lines, inode) = listen_report_not_pid1(script);
        let named = lines[0].strip_prefix("named=").unwrap();
        assert!(
            lines[1].starts_with(&format!("LISTEN_PID={named} self=")),
            "{script}: {lines:?}"
        );
        assert_eq!(
            lines[2..],
            [
                "LISTEN_PIDFDID=4242",
                "LISTEN_FDS=1 LISTEN_FDNAMES=web",
                &format!("socket:[{inode}]"),
            ],
            "{script}"
        );
    }
}

// --------------------------------------------------------------- on-signal

/// Starts dumb-init with `args` in `dir`, as PID 1 or not, and waits until
/// the command (a `recorder`) is ready.
fn start_recorder(dir: &Path, pid1: bool, args: &[&str]) -> (Running, i32) {
    let started = start_in(dir, pid1, init_command(pid1, args));
    wait_for_lines(&dir.join("f"), 1);
    started
}

#[test]
fn the_command_gets_sigterm_after_the_hook_has_written_and_exited() {
    // The hook leaves its PID behind: the command's trap says whether that
    // process still exists when SIGTERM arrives (dumb-init reaps the hook
    // before passing the signal on).
    let hook = "TERM:echo $$ > hook.pid; echo draining >> f; sleep 1; echo drained >> f";
    let command = "exec 2>/dev/null
        trap 'kill -0 $(cat hook.pid) && echo TERM-while-the-hook-runs >> f || echo TERM >> f; exit 0' TERM
        echo ready >> f
        while :; do sleep 0.05; done";
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-order");
        let (running, target) = start_recorder(
            scratch.dir(),
            pid1,
            &["--on-signal", hook, "sh", "-c", command],
        );
        send(target, 15);
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(
            lines_of(scratch.dir(), "f"),
            ["ready", "draining", "drained", "TERM"],
            "as PID 1: {pid1}"
        );
    }
}

#[test]
fn the_on_signal_variable_holds_one_hook_whose_command_may_hold_commas() {
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-env");
        let mut command = init_command(pid1, &["sh", "-c", &recorder(&["USR1"])]);
        command.env("DUMB_INIT_ON_SIGNAL", "USR1:echo one,two >> f");
        let (running, target) = start_in(scratch.dir(), pid1, command);
        wait_for_lines(&scratch.path("f"), 1);
        send(target, 10);
        wait_for_lines(&scratch.path("f"), 3);
        send(target, 15);
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(
            lines_of(scratch.dir(), "f"),
            ["ready", "one,two", "USR1", "TERM"],
            "as PID 1: {pid1}"
        );
    }
}

/// `pid pgrp session` of a process, as its shell reads them.
const IDS: &str = "set -- $(cat /proc/$$/stat); echo $1 $5 $6";

fn ids(dir: &Path, file: &str) -> Vec<i64> {
    let lines = wait_for_lines(&dir.join(file), 1);
    lines[0]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn a_hook_runs_in_a_group_of_its_own_that_forwarded_signals_do_not_reach() {
    // The hook notes any SIGUSR2 it gets, and runs until told to finish.
    let hook = format!(
        "USR1:exec 2>/dev/null; {IDS} > hook.ids; trap 'echo USR2 >> hook.log' USR2
         : > hook.up; while [ ! -e finish ]; do sleep 0.05; done"
    );
    let command = format!("{IDS} > command.ids\n{}", recorder(&["USR1", "USR2"]));
    for pid1 in as_pid1() {
        for tree in [&[][..], &["--tree"]] {
            let scratch = Scratch::new("hook-group");
            let mut args = tree.to_vec();
            args.extend(["--on-signal", &hook, "sh", "-c", &command]);
            let (running, target) = start_recorder(scratch.dir(), pid1, &args);
            let what = format!("{tree:?}, as PID 1: {pid1}");
            send(target, 10);
            eventually("the hook is up", || scratch.path("hook.up").exists());
            // Passed on while the hook runs: the command gets it, the hook
            // does not. The hook's shell runs a pending trap before it looks
            // for `finish` again, so a SIGUSR2 it got is noted before it
            // exits.
            send(target, 12);
            assert_eq!(wait_for_lines(&scratch.path("f"), 2), ["ready", "USR2"]);
            std::fs::write(scratch.path("finish"), "").unwrap();
            // The hook has exited: SIGUSR1 goes on.
            assert_eq!(
                wait_for_lines(&scratch.path("f"), 3),
                ["ready", "USR2", "USR1"],
                "{what}"
            );
            send(target, 15);
            let output = running.output();
            assert_status(&output, 0, &what);
            assert!(
                !scratch.path("hook.log").exists(),
                "the hook got SIGUSR2: {what}"
            );
            let (hook, command) = (
                ids(scratch.dir(), "hook.ids"),
                ids(scratch.dir(), "command.ids"),
            );
            assert_eq!(hook[0], hook[1], "the hook leads its group: {what}");
            assert_ne!(hook[1], command[1], "{what}");
            // Not in the command's session either (dumb-init's own).
            assert_ne!(hook[2], command[2], "{what}");
        }
    }
}

#[test]
fn as_pid1_a_second_signal_passes_on_at_once_and_the_hook_dies_with_dumb_init() {
    if !as_pid1().contains(&true) {
        return;
    }
    // The hook would run for a minute; the command exits on the second
    // SIGTERM, which does not wait for it.
    let hook = "TERM:echo $$ > hook.pid; : > hook.up; sleep 60; echo finished >> f";
    let scratch = Scratch::new("hook-second");
    let (running, target) = start_recorder(
        scratch.dir(),
        true,
        &["--on-signal", hook, "sh", "-c", &recorder(&[])],
    );
    send(target, 15);
    eventually("the hook is up", || scratch.path("hook.up").exists());
    assert_eq!(lines_of(scratch.dir(), "f"), ["ready"], "held for the hook");
    send(target, 15);
    // The namespace ends with dumb-init, so nothing of the hook is left
    // whatever dumb-init does; the order and the status are the point here.
    let output = running.output();
    assert_status(&output, 0, "the command's trap");
    assert_eq!(lines_of(scratch.dir(), "f"), ["ready", "TERM"]);
}

/// The script for tests that are not PID 1 and leave a hook behind if
/// dumb-init fails to end it: tini is the namespace's PID 1 and reaps what
/// dumb-init leaves. `hook_group_gone` polls (up to 10 s) until no process
/// of the group that `hook.pid` names is left, and says so.
const HOOK_GONE: &str = r#"
hook_group_gone() {
    hook=$(cat hook.pid); tries=0
    while [ $tries -lt 1000 ]; do
        left=no
        for stat in /proc/[0-9]*/stat; do
            set -- $(cat $stat 2>/dev/null)
            [ "$5" = "$hook" ] && left=yes
        done
        [ $left = no ] && { echo "hook group gone"; return; }
        sleep 0.01; tries=$((tries + 1))
    done
    echo "hook group left"
}
wait_for() { until [ -e "$1" ]; do sleep 0.01; done; }
"#;

#[test]
fn not_as_pid1_a_second_signal_passes_on_at_once_and_the_hook_dies_with_dumb_init() {
    let script = format!(
        r#"{HOOK_GONE}
        cd $WORK
        "$DUMB_INIT" --on-signal 'TERM:echo $$ > hook.pid; : > hook.up; sleep 60; echo finished >> f' \
            sh -c "$RECORDER" &
        init=$!
        wait_for f
        kill -TERM $init
        wait_for hook.up
        echo "while the hook runs: $(cat f)"
        kill -TERM $init
        wait $init; echo "status $?"
        hook_group_gone
        echo "f: $(cat f | tr '\n' ' ')"
        "#
    );
    let scratch = Scratch::new("hook-second-tini");
    let Some(mut command) = namespace_with_init(&script) else {
        return;
    };
    let output = run(command
        .env("WORK", scratch.dir())
        .env("RECORDER", recorder(&[])));
    assert_status(&output, 0, "the script");
    assert_eq!(
        text(&output.stdout).lines().collect::<Vec<_>>(),
        [
            "while the hook runs: ready",
            "status 0",
            "hook group gone",
            "f: ready TERM ",
        ]
    );
}

#[test]
fn when_dumb_init_is_killed_its_parent_death_signal_ends_the_hooks_shell() {
    // The hook's shell itself waits (a builtin read on a FIFO, no child):
    // only the parent-death signal can end it.
    let script = format!(
        r#"{HOOK_GONE}
        cd $WORK
        mkfifo never
        "$DUMB_INIT" --on-signal 'USR1:echo $$ > hook.pid; : > hook.up; read x < never' \
            sh -c "$RECORDER" &
        init=$!
        wait_for f
        kill -USR1 $init
        wait_for hook.up
        kill -KILL $init
        wait $init; echo "status $?"
        hook_group_gone
        "#
    );
    let scratch = Scratch::new("hook-pdeathsig");
    let Some(mut command) = namespace_with_init(&script) else {
        return;
    };
    let output = run(command
        .env("WORK", scratch.dir())
        .env("RECORDER", recorder(&[])));
    assert_status(&output, 0, "the script");
    assert_eq!(text(&output.stdout), "status 137\nhook group gone\n");
}

#[test]
fn a_hook_started_as_the_command_exits_does_not_outlive_dumb_init() {
    // The command asks for the hook and exits at once: dumb-init starts the
    // hook, then reaps the command and exits. Twenty tries, since the hook
    // may or may not have reached its own group by then.
    let script = r#"
        cd $WORK
        for i in $(seq 20); do
            "$DUMB_INIT" --on-signal "USR1:sleep 1; : > leaked.$i" sh -c 'kill -USR1 $PPID; exit 0'
        done
        sleep 2
        ls | grep -c leaked
    "#;
    let scratch = Scratch::new("hook-race-exit");
    let Some(mut command) = namespace_with_init(script) else {
        return;
    };
    let output = run(command.env("WORK", scratch.dir()));
    assert_eq!(text(&output.stdout), "0\n", "hooks left running");
}

#[test]
fn under_tree_a_hook_is_spared_even_just_after_it_starts() {
    // SIGUSR2 comes right behind the SIGUSR1 that starts the hook; the
    // command ignores it, the hook would die of it.
    let script = r#"
        for i in $(seq 20); do
            "$DUMB_INIT" --tree --on-signal 'USR1:sleep 0.2' \
                sh -c 'trap "" USR2; kill -USR1 $PPID; kill -USR2 $PPID; sleep 0.5'
        done
    "#;
    let Some(mut command) = namespace_with_init(script) else {
        return;
    };
    let output = run(&mut command);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("failed"), "{stderr}");
}

#[test]
fn a_failing_hook_is_one_line_and_the_signal_still_goes_on() {
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-fails");
        let (running, target) = start_recorder(
            scratch.dir(),
            pid1,
            &["--on-signal", "TERM:exit 3", "sh", "-c", &recorder(&[])],
        );
        send(target, 15);
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(lines_of(scratch.dir(), "f"), ["ready", "TERM"]);
        let stderr = text(&output.stderr);
        assert_eq!(
            stderr, "[dumb-init] The hook for signal 15 failed with status 3.\n",
            "as PID 1: {pid1}"
        );
    }
}

/// dumb-init, in a mount namespace of its own where /bin/sh is a file it
/// may not execute, running `sleep 60` (which needs no shell) with a hook
/// for SIGTERM that would leave `hook-ran`; as PID 1 of a PID namespace or
/// not. Returns its output once SIGTERM has been sent.
fn with_a_hook_that_cannot_start(pid1: bool) -> Option<(Output, Scratch)> {
    // A mount namespace of its own; without root, inside a user namespace
    // (which the PID namespaces' probe has found can be made).
    let namespace = pid_namespace()?;
    let scratch = Scratch::new("hook-no-shell");
    std::fs::write(scratch.path("not-a-shell"), "x").unwrap();
    let mut command = Command::new("unshare");
    if !is_root() {
        command.args(["--user", "--map-root-user"]);
    }
    command.arg("--mount");
    if pid1 {
        command.args(
            namespace
                .iter()
                .filter(|arg| !arg.starts_with("--user") && !arg.starts_with("--map")),
        );
    }
    command
        .args([
            "bash",
            "-c",
            r#"mount --bind not-a-shell /bin/sh && exec "$DUMB_INIT" "$@""#,
            "bash",
            "--on-signal",
            "TERM:: > hook-ran",
            "sleep",
            "60",
        ])
        .env("DUMB_INIT", dumb_init())
        .process_group(0)
        .stdin(Stdio::null());
    let (running, target) = start_in(scratch.dir(), pid1, command);
    // bash execs dumb-init (same PID); signals wait until sleep runs.
    eventually("dumb-init runs sleep", || {
        children(target).iter().any(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
        })
    });
    send(target, 15);
    Some((running.output(), scratch))
}

#[test]
fn a_hook_that_cannot_start_is_told_and_the_signal_still_goes_on() {
    for pid1 in as_pid1() {
        let Some((output, scratch)) = with_a_hook_that_cannot_start(pid1) else {
            return;
        };
        // sleep died of the SIGTERM passed on.
        assert_status(&output, 128 + 15, "sleep");
        assert!(!scratch.path("hook-ran").exists());
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("The hook for signal 15 failed with status 127."),
            "{stderr}"
        );
    }
}

#[test]
fn a_hook_that_cannot_start_is_one_line() {
    for pid1 in as_pid1() {
        let Some((output, _scratch)) = with_a_hook_that_cannot_start(pid1) else {
            return;
        };
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn with_a_delay_a_quick_hook_does_not_shorten_it() {
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-delay");
        let (running, target) = start_recorder(
            scratch.dir(),
            pid1,
            &[
                "--delay=TERM:0.5",
                "--on-signal",
                "TERM:echo hook >> f",
                "sh",
                "-c",
                &recorder(&[]),
            ],
        );
        let sent = Instant::now();
        send(target, 15);
        wait_for_lines(&scratch.path("f"), 3);
        let elapsed = sent.elapsed();
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(lines_of(scratch.dir(), "f"), ["ready", "hook", "TERM"]);
        // A lower bound only: the command's line comes after the signal.
        assert!(
            elapsed >= Duration::from_millis(500),
            "SIGTERM came {elapsed:?} after it was sent, as PID 1: {pid1}"
        );
    }
}

#[test]
fn with_a_delay_a_slow_hook_holds_the_signal_until_it_exits() {
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-slow");
        let (running, target) = start_recorder(
            scratch.dir(),
            pid1,
            &[
                "--delay=TERM:0.1",
                "--on-signal",
                "TERM:sleep 1; echo hook >> f",
                "sh",
                "-c",
                &recorder(&[]),
            ],
        );
        send(target, 15);
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(
            lines_of(scratch.dir(), "f"),
            ["ready", "hook", "TERM"],
            "as PID 1: {pid1}"
        );
    }
}

#[test]
fn a_hook_runs_where_dumb_init_was_started_and_writes_to_its_output() {
    // dumb-init itself moves to /; the command moves elsewhere too.
    let hook = "USR1:pwd > where; echo hook-out; echo hook-err >&2";
    let command = format!("cd /tmp\n{}", recorder_into("\"$F\"", &["USR1"]));
    for pid1 in as_pid1() {
        let scratch = Scratch::new("hook-dir");
        let mut started = init_command(pid1, &["--on-signal", hook, "sh", "-c", &command]);
        started.env("F", scratch.path("f"));
        let (running, target) = start_in(scratch.dir(), pid1, started);
        wait_for_lines(&scratch.path("f"), 1);
        send(target, 10);
        wait_for_lines(&scratch.path("f"), 2);
        send(target, 15);
        let output = running.output();
        assert_status(&output, 0, "the command's trap");
        assert_eq!(
            lines_of(scratch.dir(), "where"),
            [scratch.dir().display().to_string()],
            "as PID 1: {pid1}"
        );
        assert_eq!(text(&output.stdout), "hook-out\n");
        assert_eq!(text(&output.stderr), "hook-err\n");
    }
}

// -------------------------------------------------------------- bad values

#[test]
fn every_bad_value_is_one_line_naming_it_and_the_command_never_runs() {
    let options: &[&[&str]] = &[
        &["--rlimit", "FOO=1"],
        &["--rlimit", "NOFILE"],
        &["--rlimit", "NOFILE=-1"],
        &["--rlimit=NOFILE=1k"],
        &["--rlimit", "NOFILE=1:2:3"],
        &["--rlimit", "NOFILE=1", "--rlimit", "CORE="],
        &["--umask", "8"],
        &["--umask=0778"],
        &["--umask", "1000"],
        &["--umask="],
        &["--on-signal", "TERM"],
        &["--on-signal", "TERM:"],
        &["--on-signal", "TERM:  "],
        &["--on-signal=KILL:true"],
        &["--on-signal", "NOPE:true"],
        &["--on-signal", ":true"],
    ];
    let variables = [
        ("DUMB_INIT_RLIMIT", "NOFILE=x"),
        ("DUMB_INIT_RLIMIT", "NOFILE=1,BOGUS=2"),
        ("DUMB_INIT_UMASK", "9"),
        ("DUMB_INIT_UMASK", "0o22"),
        ("DUMB_INIT_ON_SIGNAL", "TERM:"),
        ("DUMB_INIT_ON_SIGNAL", "STOP:true"),
    ];
    let cases = options
        .iter()
        .map(|args| {
            (
                args.to_vec(),
                None,
                args.iter().find(|a| a.starts_with("--")).unwrap(),
            )
        })
        .map(|(args, env, name)| {
            let name = name.split('=').next().unwrap().to_owned();
            (args, env, name)
        })
        .chain(
            variables
                .iter()
                .map(|&(name, value)| (vec![], Some((name, value)), name.to_owned())),
        );
    for (args, env, name) in cases {
        for pid1 in as_pid1() {
            let scratch = Scratch::new("bad-value");
            let mut all = args.clone();
            all.extend(["sh", "-c", ": > ran"]);
            let mut command = init_command(pid1, &all);
            command.current_dir(scratch.dir()).envs(env);
            let output = run(&mut command);
            let what = format!("{args:?} {env:?}, as PID 1: {pid1}");
            assert_status(&output, 1, &what);
            let stderr = text(&output.stderr);
            assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
            assert!(
                stderr.contains(&format!("invalid {name} ")),
                "{what}: {stderr}"
            );
            assert!(output.stdout.is_empty(), "{what}");
            assert!(!scratch.path("ran").exists(), "the command ran: {what}");
        }
    }
}
