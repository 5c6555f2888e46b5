//! Shared support for the integration tests: the binary under test, the
//! reference it is compared with, what this machine and user allow (and the
//! groups of tests skipped where they do not), scratch directories, children
//! with deadlines, and polling for files that helper scripts write. Every
//! process started here is killed and waited for.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long any single wait in a test may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The binary under test: `DUMB_INIT_UNDER_TEST`, or the one cargo built.
pub fn dumb_init() -> PathBuf {
    std::env::var_os("DUMB_INIT_UNDER_TEST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_dumb-init")))
}

/// A command running dumb-init with `args`, in a process group of its own
/// (so that the test's own group never receives what dumb-init forwards).
pub fn dumb_init_with(args: &[&str]) -> Command {
    let mut command = Command::new(dumb_init());
    command.args(args).process_group(0).stdin(Stdio::null());
    command
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { nix::libc::geteuid() == 0 }
}

/// The variable that makes a missing tool fail the tests that need it
/// rather than skip them: `make test` and `.ci/run` set it to 1, so that CI
/// runs everything; `make check` and a plain `cargo test` do not, so that a
/// machine without the test tools (root's or anyone's) still passes, saying
/// what it skipped.
pub const STRICT: &str = "DUMB_INIT_TEST_STRICT";

/// Whether `DUMB_INIT_TEST_STRICT` is set (to anything but empty or 0).
pub fn strict() -> bool {
    std::env::var_os(STRICT).is_some_and(|value| !value.is_empty() && value != "0")
}

/// Says, once per test binary (for each reason), that the tests of `group`
/// return early here and why. Written to the process's stderr itself rather than through
/// `eprintln!`, which the test harness captures and shows only for a test
/// that fails: a skip must be seen in a run that passes.
pub fn skip(group: &str, reason: &str) {
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let line = format!("skip: {group}: {reason}");
    let mut said = SAID.lock().unwrap_or_else(PoisonError::into_inner);
    if !said.contains(&line) {
        let _ = writeln!(std::io::stderr(), "{line}");
        said.push(line);
    }
}

/// The tests of `group` cannot run for want of something installable,
/// which `missing` names with how to install it: under
/// `DUMB_INIT_TEST_STRICT` the test fails, saying so; otherwise the group is
/// skipped (said once).
pub fn without(group: &str, missing: &str) {
    assert!(
        !strict(),
        "{group}: {missing}; {STRICT} is set, so this fails instead of skipping"
    );
    skip(group, &format!("{missing}; {STRICT}=1 fails instead"));
}

/// Whether `path` is a program: a regular, non-empty file with an execute
/// bit. (Not /dev/null bound over a program's path, which is how a test
/// tool is hidden to see the skips.)
fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|meta| {
        meta.is_file() && meta.len() > 0 && meta.permissions().mode() & 0o111 != 0
    })
}

/// Where `program` is installed: a path is taken as it is, a name is looked
/// for on PATH as exec does.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return is_program(Path::new(program)).then(|| PathBuf::from(program));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_program(candidate))
}

/// The Debian package that installs `program`.
fn package_of(program: &str) -> &str {
    match program {
        "tini" | "tini-static" => "tini",
        "busybox" => "busybox-static",
        "cc" => "gcc",
        "unshare" | "prlimit" | "setsid" => "util-linux",
        "/usr/bin/dumb-init" => "dumb-init",
        other => other,
    }
}

/// "X is not installed (how to install it)", for `programs`.
fn not_installed(programs: &[&str]) -> String {
    let mut packages: Vec<&str> = Vec::new();
    for package in programs.iter().map(|program| package_of(program)) {
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    format!(
        "{} {} not installed (`sh tools/install-test-deps.sh` as root, or `apt-get install {}`)",
        programs.join(" and "),
        if programs.len() == 1 { "is" } else { "are" },
        packages.join(" ")
    )
}

/// Whether every one of `programs` (names on PATH, or paths) is installed.
/// The one place the tests ask before they run a tool: where some are
/// missing, `without` names them for `group` (a failure under
/// `DUMB_INIT_TEST_STRICT`, a skip said once otherwise).
pub fn tools(programs: &[&str], group: &str) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|program| find_program(program).is_none())
        .collect();
    if !missing.is_empty() {
        without(group, &not_installed(&missing));
    }
    missing.is_empty()
}

/// `tools` for one program.
pub fn tool(program: &str, group: &str) -> bool {
    tools(&[program], group)
}

/// unshare's options for a new PID namespace with its own /proc, or `None`
/// where unshare is missing or this user cannot make one (said once). Root
/// makes it directly; any other user inside a user namespace of its own,
/// mapped to root there, where the kernel allows that (the namespace's
/// processes are still the user's, so the tests signal them from outside as
/// before).
pub fn pid_namespace() -> Option<&'static [&'static str]> {
    const AS_ROOT: &[&str] = &["--pid", "--fork", "--mount-proc", "--kill-child"];
    const AS_USER: &[&str] = &[
        "--user",
        "--map-root-user",
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child",
    ];
    if !tool("unshare", "PID namespaces") {
        return None;
    }
    static HOW: OnceLock<Option<&'static [&'static str]>> = OnceLock::new();
    let how = *HOW.get_or_init(|| {
        if is_root() {
            return Some(AS_ROOT);
        }
        let probe = Command::new("unshare")
            .args(AS_USER)
            .arg("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        probe
            .is_ok_and(|status| status.success())
            .then_some(AS_USER)
    });
    if how.is_none() {
        skip(
            "PID namespaces",
            "not root, and this kernel lets no user namespace be made \
             (`unshare --user --map-root-user --pid` failed): the tests that \
             run dumb-init or tini as PID 1 of a namespace return early",
        );
    }
    how
}

/// The reference dumb-init that ours is compared with: the file named by
/// `DUMB_INIT_REFERENCE`, by default `/usr/bin/dumb-init`, checked once to
/// be Debian's C build of dumb-init 1.2.5 (its package and its `-V` line,
/// as compat-tests/run.py checks it). A file that is anything else fails
/// every test that asks, naming the file and what was wrong, strict or not:
/// a copy of our own binary there would otherwise compare the program with
/// itself. So does a named file that is missing. Where the default file is
/// missing (or dpkg, which checks it), the reference's half of the
/// comparisons is skipped, said once, and ours runs alone; under
/// `DUMB_INIT_TEST_STRICT` or with `CI=true` that fails instead.
pub fn reference() -> Option<&'static Path> {
    static CHECKED: OnceLock<Result<PathBuf, Unusable>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let named = std::env::var_os("DUMB_INIT_REFERENCE");
        let path = named
            .clone()
            .map_or_else(|| PathBuf::from("/usr/bin/dumb-init"), PathBuf::from);
        check_reference(&path, named.is_some())
    });
    match checked {
        Ok(path) => Some(path),
        Err(Unusable::Missing(missing)) => {
            let ci = std::env::var_os("CI").is_some_and(|v| v == "true");
            assert!(!ci, "the reference: {missing}; CI=true, so this fails");
            without(
                "comparisons with the reference (ours runs alone there)",
                missing,
            );
            None
        }
        Err(Unusable::Wrong(wrong)) => panic!("{wrong}"),
    }
}

/// Why `reference()` has no reference to give.
enum Unusable {
    /// The default file, or dpkg to check it with, is not installed (what
    /// and how to install it): a skip, or a failure when strict.
    Missing(String),
    /// A file is there but is not the reference, or a named one is
    /// missing: always a failure.
    Wrong(String),
}

/// What `reference()` checks, once.
fn check_reference(path: &Path, named: bool) -> Result<PathBuf, Unusable> {
    let what = if named {
        format!("{} (DUMB_INIT_REFERENCE)", path.display())
    } else {
        format!(
            "{} (the default; DUMB_INIT_REFERENCE names another)",
            path.display()
        )
    };
    let fix = "point DUMB_INIT_REFERENCE at Debian's dumb-init 1.2.5, or install \
               it with `sh tools/install-test-deps.sh` as root";
    if named && !path.exists() {
        return Err(Unusable::Wrong(format!(
            "the reference {what} does not exist: {fix}"
        )));
    }
    // Not a file at all (nothing, or /dev/null bound over it to hide it):
    // not installed.
    if !named && !fs::metadata(path).is_ok_and(|meta| meta.is_file()) {
        return Err(Unusable::Missing(not_installed(&[&path.to_string_lossy()])));
    }
    let mut wrong = Vec::new();
    match Command::new(path)
        .arg("-V")
        .stdin(Stdio::null())
        .env_clear()
        .output()
    {
        Ok(out) if out.stderr == b"dumb-init v1.2.5\n" && out.stdout.is_empty() => {}
        Ok(out) => wrong.push(format!(
            "`-V` printed {:?} on stderr{}, not \"dumb-init v1.2.5\"",
            String::from_utf8_lossy(&out.stderr),
            if out.stdout.is_empty() {
                ""
            } else {
                " and something on stdout"
            },
        )),
        Err(error) => wrong.push(format!("it does not run: {error}")),
    }
    // Its package is dpkg's to say. Without dpkg, a file whose `-V` is
    // right cannot be told from a copy of ours that says the same.
    if wrong.is_empty() && find_program("dpkg").is_none() {
        let missing = format!(
            "{}, so {} cannot be checked to be Debian's dumb-init 1.2.5",
            not_installed(&["dpkg"]),
            path.display()
        );
        return Err(match named {
            true => Unusable::Wrong(format!("the reference {what}: {missing}")),
            false => Unusable::Missing(missing),
        });
    }
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    match Command::new("dpkg").arg("-S").arg(&real).output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            // "pkg[, pkg...]: path" lines, after any "diversion by" lines
            // (a package that diverts the file does not own it).
            let owners: Vec<&str> = text
                .lines()
                .filter(|line| !line.starts_with("diversion by "))
                .filter_map(|line| line.split_once(": "))
                .filter(|(_, owned)| Path::new(owned.trim()) == real)
                .flat_map(|(packages, _)| packages.split(", "))
                .map(|package| package.split(':').next().unwrap_or(package).trim())
                .collect();
            if !owners.contains(&"dumb-init") {
                let said = format!("{text}{}", String::from_utf8_lossy(&out.stderr));
                wrong.push(format!(
                    "dpkg -S {} names no dumb-init package ({})",
                    real.display(),
                    said.trim()
                ));
            }
        }
        Err(error) => wrong.push(format!(
            "dpkg -S could not be run to find its package: {error}"
        )),
    }
    if wrong.is_empty() {
        Ok(path.to_owned())
    } else {
        Err(Unusable::Wrong(format!(
            "the reference {what} is not Debian's C dumb-init 1.2.5: {}; {fix}",
            wrong.join("; ")
        )))
    }
}

/// Ours, then the reference where there is one (see `reference`): the
/// binaries that a comparison runs, each to give the same result.
pub fn ours_and_reference() -> Vec<PathBuf> {
    let mut binaries = vec![dumb_init()];
    binaries.extend(reference().map(Path::to_owned));
    binaries
}

/// A command running dumb-init as PID 1 of a new PID namespace (with its own
/// /proc), or `None` where none can be made (see `pid_namespace`). unshare
/// forwards nothing, so signals are sent to the PID that
/// `namespace_init_pid` finds.
pub fn dumb_init_as_pid1(args: &[&str]) -> Option<Command> {
    let mut command = Command::new("unshare");
    command
        .args(pid_namespace()?)
        .arg(dumb_init())
        .args(args)
        .process_group(0)
        .stdin(Stdio::null());
    Some(command)
}

/// The PID (in our namespace) of the process that `unshare` forked.
pub fn namespace_init_pid(unshare: &Child) -> i32 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(&pid) = children(unshare.id() as i32).first() {
            return pid;
        }
        assert!(Instant::now() < deadline, "unshare never forked");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dumb-init-test-{}-{}-{name}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// Writes an executable script.
    pub fn script(&self, file: &str, text: &str) -> PathBuf {
        let path = self.path(file);
        write_executable(&path, text.as_bytes());
        path
    }
}

/// Writes `bytes` to `path`, mode 0755, from a child process. Were the test
/// process to open the file for writing, a child that another test thread
/// forks meanwhile would hold a copy of that descriptor until it execs, and
/// an exec of the file in that window fails with ETXTBSY (Text file busy).
/// The file is only ever open for writing in `sh`, which exits before this
/// returns.
pub fn write_executable(path: &Path, bytes: &[u8]) {
    let mut writer = Command::new("sh")
        .args(["-c", r#"cat > "$1" && chmod 755 "$1""#, "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start sh to write an executable");
    writer
        .stdin
        .take()
        .unwrap()
        .write_all(bytes)
        .expect("write an executable through sh");
    let status = writer.wait().unwrap();
    assert!(status.success(), "writing {}: {status}", path.display());
}

impl Drop for Scratch {
    /// Kills what is still running with the directory on its command line
    /// (a daemon that escaped every tree a test can walk, when a test
    /// failed half way or ran where no subreaper could hold it), then
    /// removes the directory.
    fn drop(&mut self) {
        let dir = self.0.as_os_str().as_bytes();
        for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|p| p.parse::<i32>().ok())
            else {
                continue;
            };
            let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
            if pid != std::process::id() as i32 && cmdline.windows(dir.len()).any(|w| w == dir) {
                // SAFETY: kill(2) has no memory-safety preconditions.
                unsafe { nix::libc::kill(pid, nix::libc::SIGKILL) };
            }
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A started child that is killed (with its process group) if the test
/// ends before it does.
pub struct Running {
    pub child: Child,
    done: bool,
}

impl Running {
    pub fn start(command: &mut Command) -> Self {
        Running {
            child: command.spawn().expect("start the command"),
            done: false,
        }
    }

    /// Takes charge of a child started elsewhere.
    pub fn adopt(child: Child) -> Self {
        Running { child, done: false }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, signal: i32) {
        send(self.pid(), signal);
    }

    /// Waits for the exit, failing the test after `PATIENCE`.
    pub fn wait(mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.done = true;
                return status;
            }
            assert!(Instant::now() < deadline, "dumb-init did not exit in time");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the exit and returns the captured output.
    pub fn output(mut self) -> Output {
        let status = {
            let deadline = Instant::now() + PATIENCE;
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    break status;
                }
                assert!(Instant::now() < deadline, "dumb-init did not exit in time");
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        self.done = true;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        use std::io::Read;
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_end(&mut stdout).unwrap();
        }
        if let Some(mut err) = self.child.stderr.take() {
            err.read_to_end(&mut stderr).unwrap();
        }
        Output {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // The command leads a session of its own, so killing dumb-init's
        // group is not enough: kill everything below it first. Leaves
        // first, each while its parent lives to reap it (a process killed
        // together with its parent goes, dead, to the machine's init, which
        // reaps late), waiting for that up to a bound for the whole tree.
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut below = descendants(self.pid());
        below.reverse();
        let mut groups = Vec::new();
        for &pid in &below {
            if let Ok(group) = nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(pid))) {
                groups.push(group.as_raw());
            }
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe { nix::libc::kill(pid, nix::libc::SIGKILL) };
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        // Then the groups they were in, for a process forked after the
        // listing (a recorder's next sleep), and dumb-init's own.
        let own_group = nix::unistd::getpgrp().as_raw();
        for group in groups {
            if group != own_group && group != self.pid() {
                // SAFETY: as above; never the test's own group.
                unsafe { nix::libc::kill(-group, nix::libc::SIGKILL) };
            }
        }
        // SAFETY: as above; the group is the one `process_group(0)` made.
        unsafe { nix::libc::kill(-self.pid(), nix::libc::SIGKILL) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PIDs below `pid`, found through /proc/PID/task/TID/children.
pub fn descendants(pid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(parent) = queue.pop() {
        for child in children(parent) {
            found.push(child);
            queue.push(child);
        }
    }
    found
}

/// The direct children of `pid`.
pub fn children(pid: i32) -> Vec<i32> {
    fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

/// Sends `signal` (a number, real-time ones included) to `pid`.
pub fn send(pid: i32, signal: i32) {
    // SAFETY: kill(2) has no memory-safety preconditions.
    let result = unsafe { nix::libc::kill(pid, signal) };
    assert_eq!(result, 0, "kill({pid}, {signal})");
}

/// Runs a command to completion with a deadline.
pub fn run(command: &mut Command) -> Output {
    Running::start(command.stdout(Stdio::piped()).stderr(Stdio::piped())).output()
}

/// Waits until `path` exists and holds at least `lines` lines; returns them.
pub fn wait_for_lines(path: &Path, lines: usize) -> Vec<String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = fs::read_to_string(path).unwrap_or_default();
        let found: Vec<String> = text.lines().map(str::to_owned).collect();
        if found.len() >= lines {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{} holds {found:?}, wanted {lines} lines",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The exit code, or 128 + signal as a shell reports it.
pub fn code(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// A shell script that records every signal in `names` to `log` (one name a
/// line), writes "ready" to `log` once its traps are set, and waits forever.
pub fn signal_recorder(names: &[&str], log: &Path) -> String {
    // The shell reports its sleeps dying of forwarded signals on stderr.
    let mut script = String::from("#!/bin/sh\nexec 2>/dev/null\n");
    for name in names {
        script.push_str(&format!("trap 'echo {name} >> {}' {name}\n", log.display()));
    }
    // It waits with the `wait` builtin for a background sleep, not in a
    // foreground `sleep`: the shell runs a foreground command with vfork,
    // and a SIGSTOP that lands between the vfork and the exec stops the
    // child and leaves the shell in uninterruptible sleep, never stopped
    // itself. `wait` also returns at once for a trapped signal.
    // A trap that ends the shell with `exit` (a test may add one) would leave
    // the background sleep running, an orphan for the machine's init: the
    // EXIT trap ends it and reaps it first.
    script.push_str(&format!(
        "trap 'kill $! 2>/dev/null; wait $! 2>/dev/null' EXIT\n\
         echo ready >> {}\nwhile :; do sleep 1 & wait $!; kill $! 2>/dev/null; done\n",
        log.display()
    ));
    script
}

/// A field of /proc/PID/status, such as "SigBlk".
pub fn proc_status_field(pid: i32, field: &str) -> Option<String> {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|line| {
        line.strip_prefix(&format!("{field}:"))
            .map(|v| v.trim().to_owned())
    })
}

/// The one-letter state of a process (R, S, T, Z...).
pub fn proc_state(pid: i32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rfind(')')?;
    stat[after + 1..].split_whitespace().next()?.chars().next()
}

/// Polls until `check` holds, failing after `PATIENCE`.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A command running the shell `script` in a new PID namespace whose PID 1 is
/// tini, a real init that reaps whatever is orphaned inside it, so that tests
/// with orphans never leave zombies to the machine's own init. `$DUMB_INIT`
/// in the script is the binary under test. When the script ends, tini exits
/// and the kernel ends everything left in the namespace. `None` where no
/// namespace can be made or tini is missing (said once).
pub fn namespace_with_init(script: &str) -> Option<Command> {
    let namespace = pid_namespace()?;
    if !tool("tini", "tests under tini in a PID namespace") {
        return None;
    }
    let mut command = Command::new("unshare");
    command
        .args(namespace)
        .args(["tini", "--", "sh", "-c"])
        .arg(script)
        .env("DUMB_INIT", dumb_init())
        .process_group(0)
        .stdin(Stdio::null());
    Some(command)
}

/// Runs `script` under tini in a PID namespace (see `namespace_with_init`),
/// `$WORK` a scratch directory; asserts that it succeeded and returns its
/// stdout lines, or `None` where it cannot run here.
pub fn lines_in_namespace(script: &str) -> Option<Vec<String>> {
    let scratch = Scratch::new("namespace");
    let output = run(namespace_with_init(script)?.env("WORK", scratch.dir()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}
