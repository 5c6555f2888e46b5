//! Faults a container throws at PID 1: no more processes, commands that cannot
//! be run, a command that ignores SIGTERM, closed or full standard streams,
//! no terminal, and the supervisor itself being stopped and continued. Where
//! the reference applies, ours must say and do exactly what it does.

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

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{
    Running, Scratch, code, eventually, lines_in_namespace, ours_and_reference, proc_state, run,
    signal_recorder, skip, tool, wait_for_lines, write_executable,
};

const FORK_FAILED: &str = "[dumb-init] Unable to fork. Exiting.\n";

/// Runs `binary args...` from `command` (whose program is ignored) and
/// returns the output.
fn run_binary(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary);
    command
        .args(args)
        .envs(env.iter().copied())
        .process_group(0)
        .stdin(Stdio::null());
    run(&mut command)
}

/// A pids cgroup (v1 controller, or v2 with pids enabled) that we may create
/// children in, or `None`.
fn writable_pids_cgroup() -> Option<PathBuf> {
    let v1 = Path::new("/sys/fs/cgroup/pids");
    let v2 = Path::new("/sys/fs/cgroup");
    let root = if v1.join("cgroup.procs").exists() {
        v1
    } else if fs::read_to_string(v2.join("cgroup.subtree_control"))
        .is_ok_and(|controllers| controllers.split_whitespace().any(|c| c == "pids"))
    {
        v2
    } else {
        return None;
    };
    let probe = root.join(format!("dumb-init-rel-probe-{}", std::process::id()));
    fs::create_dir(&probe).ok()?;
    let usable = probe.join("pids.max").exists();
    let _ = fs::remove_dir(&probe);
    usable.then(|| root.to_owned())
}

/// A child cgroup that allows `max` processes, removed on drop.
struct PidsLimit(PathBuf);

impl PidsLimit {
    fn new(root: &Path, name: &str, max: u32) -> Self {
        let dir = root.join(format!("dumb-init-rel-{}-{name}", std::process::id()));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("pids.max"), max.to_string()).unwrap();
        PidsLimit(dir)
    }
}

impl Drop for PidsLimit {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}

#[test]
fn fork_failure_under_a_pids_cgroup_limit_is_one_line_and_exit_1() {
    let Some(root) = writable_pids_cgroup() else {
        skip(
            "fork failure under a pids cgroup",
            "no pids cgroup this user may create children in (the RLIMIT_NPROC test \
             covers the same failure)",
        );
        return;
    };
    for binary in ours_and_reference() {
        // One process allowed: dumb-init itself. The shell moves into the
        // cgroup and becomes dumb-init, whose fork then fails.
        let limit = PidsLimit::new(&root, "fork", 1);
        let mut command = Command::new("sh");
        command
            .args(["-c", r#"echo $$ > "$0/cgroup.procs" && exec "$@""#])
            .arg(&limit.0)
            .arg(&binary)
            .arg("true")
            .process_group(0)
            .stdin(Stdio::null());
        let output = run(&mut command);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr, FORK_FAILED, "{}", binary.display());
        assert_eq!(code(output.status), 1, "{}", binary.display());
    }
}

#[test]
fn fork_failure_under_rlimit_nproc_is_one_line_and_exit_1() {
    let root = common::is_root();
    // Copies that `nobody` can run, wherever the build tree is.
    let scratch = Scratch::new("nproc");
    fs::set_permissions(scratch.dir(), fs::Permissions::from_mode(0o755)).unwrap();
    for (index, original) in ours_and_reference().iter().enumerate() {
        let binary = scratch.path(&format!("dumb-init-{index}"));
        write_executable(&binary, &fs::read(original).unwrap());
        let mut command = Command::new(&binary);
        command.arg("true").process_group(0).stdin(Stdio::null());
        if root {
            // Root is exempt from RLIMIT_NPROC: run as nobody.
            command.uid(65534).gid(65534);
        }
        // SAFETY: setrlimit is async-signal-safe and only affects the child.
        unsafe {
            command.pre_exec(|| {
                let one = nix::libc::rlimit {
                    rlim_cur: 1,
                    rlim_max: 1,
                };
                if nix::libc::setrlimit(nix::libc::RLIMIT_NPROC, &one) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let output = run(&mut command);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr, FORK_FAILED, "{}", binary.display());
        assert_eq!(code(output.status), 1, "{}", binary.display());
    }
}

/// One command that cannot be run, and what glibc calls the reason.
struct ExecCase {
    what: &'static str,
    command: String,
    path: Option<String>,
    error: &'static str,
}

fn exec_cases(scratch: &Scratch) -> Vec<ExecCase> {
    let dir = scratch.dir().display().to_string();
    fs::write(scratch.path("not-executable"), "#!/bin/sh\nexit 0\n").unwrap();
    symlink(scratch.path("loop-b"), scratch.path("loop-a")).unwrap();
    symlink(scratch.path("loop-a"), scratch.path("loop-b")).unwrap();
    fs::create_dir(scratch.path("bin")).unwrap();
    fs::create_dir(scratch.path("bin/a-directory")).unwrap();
    fs::write(scratch.path("bin/plain-file"), "data\n").unwrap();
    let long_name = "n".repeat(300);
    let case = |what, command: String, path: Option<String>, error| ExecCase {
        what,
        command,
        path,
        error,
    };
    vec![
        case(
            "missing path",
            format!("{dir}/missing"),
            None,
            "No such file or directory",
        ),
        case(
            "missing in PATH",
            "no-such-command-here".into(),
            Some(format!("{dir}/bin")),
            "No such file or directory",
        ),
        case(
            "empty name",
            String::new(),
            None,
            "No such file or directory",
        ),
        case(
            "no execute bit",
            format!("{dir}/not-executable"),
            None,
            "Permission denied",
        ),
        case(
            "no execute bit, found in PATH",
            "plain-file".into(),
            Some(format!("{dir}/bin")),
            "Permission denied",
        ),
        case("a directory", dir.clone(), None, "Permission denied"),
        case(
            "a directory in PATH",
            "a-directory".into(),
            Some(format!("{dir}/bin")),
            "Permission denied",
        ),
        case(
            "not a directory",
            "/etc/passwd/child".into(),
            None,
            "Not a directory",
        ),
        case(
            "component too long",
            format!("{dir}/{long_name}"),
            None,
            "File name too long",
        ),
        case(
            "bare name too long",
            long_name.clone(),
            None,
            "File name too long",
        ),
        case(
            "path too long",
            format!("/{}", "d/".repeat(2100)),
            None,
            "File name too long",
        ),
        case(
            "symlink loop",
            format!("{dir}/loop-a"),
            None,
            "Too many levels of symbolic links",
        ),
    ]
}

#[test]
fn every_exec_error_is_one_line_in_glibc_words_and_exit_2_like_the_reference() {
    let scratch = Scratch::new("exec");
    for case in exec_cases(&scratch) {
        let expected = format!("[dumb-init] {}: {}\n", case.command, case.error);
        for binary in ours_and_reference() {
            let mut env = vec![];
            if let Some(path) = &case.path {
                env.push(("PATH", path.as_str()));
            }
            let output = run_binary(&binary, &["--", &case.command], &env);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(stderr, expected, "{}: {}", case.what, binary.display());
            assert_eq!(
                code(output.status),
                2,
                "{}: {}",
                case.what,
                binary.display()
            );
        }
    }
}

#[test]
fn a_text_file_busy_is_reported_like_the_reference() {
    let scratch = Scratch::new("txtbsy");
    let path = scratch.path("being-written");
    let _writer = fs::File::create(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let command = path.display().to_string();
    for binary in ours_and_reference() {
        let output = run_binary(&binary, &[&command], &[]);
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("[dumb-init] {command}: Text file busy\n"),
            "{}",
            binary.display()
        );
        assert_eq!(code(output.status), 2);
    }
}

#[test]
fn a_file_without_a_shebang_runs_under_bin_sh() {
    let scratch = Scratch::new("enoexec");
    let script = scratch.script("no-shebang", "echo \"ran with $# args: $*\"\nexit 7\n");
    let script = script.display().to_string();
    for binary in ours_and_reference() {
        let output = run_binary(&binary, &[&script, "a", "b"], &[]);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "ran with 2 args: a b\n"
        );
        assert_eq!(code(output.status), 7, "{}", binary.display());
    }
}

/// The largest filler for which `binary filler... ` itself still starts, with
/// `PATH` naming a directory whose length the child's exec adds: there the
/// child's exec meets E2BIG although dumb-init's own did not.
#[test]
fn an_argument_list_too_long_for_the_command_is_reported_like_the_reference() {
    let scratch = Scratch::new("e2big");
    // A directory path of about 3,800 bytes holding `true`.
    let mut deep = scratch.dir().to_owned();
    while deep.as_os_str().len() < 3_800 {
        deep.push("d".repeat(200));
    }
    fs::create_dir_all(&deep).unwrap();
    symlink("/bin/true", deep.join("true")).unwrap();
    let path = deep.display().to_string();
    for binary in ours_and_reference() {
        // Binary search on the size of one big argument (below the kernel's
        // 128 KiB per string) repeated until dumb-init barely starts.
        let starts = |filler: usize| -> Option<Output> {
            let big = "x".repeat(100_000);
            let mut command = Command::new(&binary);
            command
                .arg("true")
                .args(std::iter::repeat_n(&big, filler / 100_000))
                .arg("y".repeat(filler % 100_000 + 1))
                .env_clear()
                .env("PATH", &path)
                .process_group(0)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            // `true` exits at once whatever it is given.
            let child = command.spawn().ok()?;
            Some(child.wait_with_output().unwrap())
        };
        let (mut low, mut high) = (1_000_000usize, 3_000_000usize);
        assert!(starts(low).is_some() && starts(high).is_none());
        while high - low > 1 {
            let middle = (low + high) / 2;
            if starts(middle).is_some() {
                low = middle;
            } else {
                high = middle;
            }
        }
        let output = starts(low).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "[dumb-init] true: Argument list too long\n",
            "{}",
            binary.display()
        );
        assert_eq!(code(output.status), 2);
    }
}

/// A shell that records TERM and keeps running, and exits 3 on USR1.
fn term_shrugging_recorder(log: &Path) -> String {
    format!(
        "#!/bin/sh\ntrap 'echo TERM >> {0}' TERM\ntrap 'exit 3' USR1\necho ready >> {0}\n\
         while :; do sleep 0.02; done\n",
        log.display()
    )
}

#[test]
fn a_command_that_shrugs_off_sigterm_still_gets_every_one_and_is_reaped() {
    let scratch = Scratch::new("shrug");
    let log = scratch.path("log");
    let script = scratch.script("child.sh", &term_shrugging_recorder(&log));
    let running = Running::start(&mut common::dumb_init_with(&[script.to_str().unwrap()]));
    wait_for_lines(&log, 1);
    for sent in 1..=3 {
        running.signal(15);
        let lines = wait_for_lines(&log, 1 + sent);
        assert_eq!(lines.last().unwrap(), "TERM");
    }
    assert!(
        proc_state(running.pid()).is_some_and(|s| s != 'Z'),
        "dumb-init alive"
    );
    running.signal(10);
    assert_eq!(code(running.wait()), 3);
}

#[test]
fn grace_period_kills_a_descendant_that_ignores_sigterm_after_the_period() {
    // The command leaves a grandchild that ignores SIGTERM and exits 5; the
    // grandchild, orphaned, comes to dumb-init (the grace period makes it a
    // subreaper). All under tini in a PID namespace, so that it is reaped
    // even if dumb-init fails to. What the grandchild sees: nothing ends it
    // before the period is over, and it is gone when dumb-init has exited.
    let script = r#"
        "$DUMB_INIT" -v --grace-period=1 sh -c '
            (trap "" TERM; exec sh -c "echo \$\$ > $WORK/pid.tmp; mv $WORK/pid.tmp $WORK/pid; exec sleep 1000") &
            while [ ! -s $WORK/pid ]; do sleep 0.01; done
            date +%s%N > $WORK/exit; exit 5' 2> $WORK/stderr
        status=$?
        end=$(date +%s%N)
        pid=$(cat $WORK/pid)
        echo "status $status"
        echo "ms $(( (end - $(cat $WORK/exit)) / 1000000 ))"
        [ -e /proc/$pid ] && echo "grandchild left" || echo "grandchild gone"
        echo "pid $pid"
        cat $WORK/stderr
    "#;
    let Some(lines) = lines_in_namespace(script) else {
        return;
    };
    let all = lines.join("\n");
    assert_eq!(lines[0], "status 5", "{all}");
    let waited: u64 = lines[1].strip_prefix("ms ").unwrap().parse().unwrap();
    assert!(waited >= 1000, "exited before the period: {all}");
    assert_eq!(lines[2], "grandchild gone", "{all}");
    // Only dumb-init's own line can tell that it, and not tini after it,
    // reaped the grandchild: the verbose line is the evidence here.
    let pid = lines[3].strip_prefix("pid ").unwrap();
    assert!(
        all.contains(&format!(
            "A child with PID {pid} was terminated by signal 9."
        )),
        "{all}"
    );
}

/// Starts `binary args` with its descriptors 0-2 closed as listed.
fn run_with_closed(binary: &Path, args: &[&str], closed: &'static [i32]) -> Output {
    let mut command = Command::new(binary);
    command
        .args(args)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: close is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            for &fd in closed {
                nix::libc::close(fd);
            }
            Ok(())
        });
    }
    run(&mut command)
}

#[test]
fn closed_standard_streams_stay_closed_for_the_command_and_nothing_breaks() {
    let scratch = Scratch::new("closed");
    let report = scratch.path("fds");
    let probe = "exec 3>\"$0\"; for fd in 0 1 2; do if [ -e /proc/self/fd/$fd ]; then \
                 echo \"$fd open\" >&3; else echo \"$fd closed\" >&3; fi; done; exit 4";
    for binary in ours_and_reference() {
        let report_arg = report.display().to_string();
        let output = run_with_closed(&binary, &["-v", "sh", "-c", probe, &report_arg], &[0, 1, 2]);
        assert_eq!(code(output.status), 4, "{}", binary.display());
        assert_eq!(
            fs::read_to_string(&report).unwrap(),
            "0 closed\n1 closed\n2 closed\n",
            "{}",
            binary.display()
        );
        // An exec error with nowhere to write it still exits 2.
        let output = run_with_closed(&binary, &["/nonexistent"], &[0, 1, 2]);
        assert_eq!(code(output.status), 2, "{}", binary.display());
    }
}

#[test]
fn full_standard_streams_do_not_change_the_status() {
    for binary in ours_and_reference() {
        for args in [
            &["-v", "sh", "-c", "echo hi; exit 6"][..],
            &["-v", "/nonexistent"],
        ] {
            let mut command = Command::new(&binary);
            command
                .args(args)
                .process_group(0)
                .stdin(fs::File::open("/dev/full").unwrap())
                .stdout(
                    fs::OpenOptions::new()
                        .write(true)
                        .open("/dev/full")
                        .unwrap(),
                )
                .stderr(
                    fs::OpenOptions::new()
                        .write(true)
                        .open("/dev/full")
                        .unwrap(),
                );
            let status = Running::start(&mut command).wait();
            let expected = if args[1] == "sh" { 6 } else { 2 };
            assert_eq!(code(status), expected, "{} {args:?}", binary.display());
        }
    }
}

#[test]
fn verbose_lines_into_a_pipe_nobody_reads_do_not_stop_the_supervisor() {
    // Each failed write raises SIGPIPE at dumb-init itself. The reference
    // takes it for a signal to forward: it kills the command with it, writes
    // the next line, raises SIGPIPE again and spins forever without reaping
    // (docs/reliability.md). Ours must run the command to its end.
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    drop(read_end);
    let mut command = common::dumb_init_with(&["-v", "sh", "-c", "sleep 0.2; exit 3"]);
    command.stdout(Stdio::null()).stderr(write_end);
    let status = Running::start(&mut command).wait();
    assert_eq!(code(status), 3);
}

#[test]
fn an_exec_error_into_a_pipe_nobody_reads_still_exits_2_like_the_reference() {
    // The child writes the error line itself; the SIGPIPE that raises must
    // not turn exit 2 into death by signal 13.
    for binary in ours_and_reference() {
        let (read_end, write_end) = nix::unistd::pipe().unwrap();
        drop(read_end);
        let mut command = Command::new(&binary);
        command
            .arg("/nonexistent")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(write_end);
        let status = Running::start(&mut command).wait();
        assert_eq!(code(status), 2, "{}", binary.display());
    }
}

#[test]
fn without_a_controlling_terminal_the_command_runs_and_its_status_passes_through() {
    if !tool(
        "setsid",
        "without a controlling terminal (util-linux's setsid)",
    ) {
        return;
    }
    for binary in ours_and_reference() {
        let mut command = Command::new("setsid");
        command
            .args(["-w"])
            .arg(&binary)
            .args(["-v", "sh", "-c", "exit 9"])
            .process_group(0)
            .stdin(Stdio::null());
        let output = run(&mut command);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(output.status), 9, "{}", binary.display());
        assert!(
            stderr.contains(
                "Unable to detach from controlling tty (errno=25 Inappropriate ioctl for device)"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn a_stopped_and_continued_supervisor_forwards_what_arrived_meanwhile_and_reaps() {
    let scratch = Scratch::new("stopcont");
    let log = scratch.path("log");
    let script = scratch.script("child.sh", &signal_recorder(&["USR1", "CONT"], &log));
    let running = Running::start(&mut common::dumb_init_with(&[script.to_str().unwrap()]));
    wait_for_lines(&log, 1);
    running.signal(19); // SIGSTOP
    eventually("dumb-init stopped", || {
        proc_state(running.pid()) == Some('T')
    });
    running.signal(10); // SIGUSR1, pending while stopped
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        wait_for_lines(&log, 1),
        ["ready"],
        "nothing forwarded while stopped"
    );
    running.signal(18); // SIGCONT
    let lines = wait_for_lines(&log, 3);
    let mut got: Vec<&str> = lines[1..].iter().map(String::as_str).collect();
    got.sort();
    assert_eq!(got, ["CONT", "USR1"]);
    running.signal(15);
    assert_eq!(code(running.wait()), 143);
}
