//! Starting the child: fork, and in the child setsid, taking the terminal
//! (terminal.rs), the umask, a clean signal state and exec with glibc's
//! `execvp` rules; the resource limits set on it from the supervisor before
//! it may exec. The hooks of `--on-signal` start the same way, each in a
//! process group of its own. Everything a child needs is prepared before the
//! fork, so that the child runs only async-signal-safe calls and allocates
//! nothing.

use std::ffi::{CStr, CString, OsStr, OsString, c_char};
use std::fmt::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::ptr;
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::stat::Mode as Permissions;
use nix::unistd::{self, ForkResult, Pid};

use crate::config::{ExecFailure, Limit, Mode, Rlimit, TerminalFrom};
use crate::errno::{Strerror, Why};
use crate::kernel_signals::{self, KernelSigset};
use crate::log::{self, LineBuffer, Log};
use crate::option_values;
use crate::terminal;

unsafe extern "C" {
    /// The process's environment, handed to the command as it is.
    static environ: *const *const c_char;
}

/// The shell glibc's `execvp` hands a file that the kernel would not run.
const SHELL: &CStr = c"/bin/sh";
/// glibc's search path when `PATH` is unset.
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";
/// glibc's limits on a file name searched for in `PATH`, and on `PATH` itself.
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 4096;

/// The exec of the command, prepared before the fork.
pub struct ExecPlan {
    /// The command's name as given, for the error message.
    name: Vec<u8>,
    /// Keeps the strings that `argv` points into alive.
    _args: Vec<CString>,
    argv: Vec<*const c_char>,
    /// The paths to try, in order.
    candidates: Vec<CString>,
    /// Whether `candidates` came from a `PATH` search (failures move on to the
    /// next directory) or is the one path the command named.
    searched: bool,
    /// `/bin/sh <candidate> <args...>`: slot 1 is filled in just before use.
    script_argv: Vec<*const c_char>,
    /// An error glibc reports before trying anything.
    early_error: Option<Errno>,
    /// The umask to exec with (`--umask`), or dumb-init's own.
    umask: Option<Permissions>,
    /// The environment to exec with, where it is not the process's own.
    environment: Option<Environment>,
    /// The directory to exec in, where it is not the process's own.
    directory: Option<CString>,
    /// The signal mask to exec with: none (dumb-init), or the one the init
    /// was started with and more (tini, catatonit).
    exec_mask: KernelSigset,
    /// Signals the init ignores for itself that go back to their default
    /// action for the command (bit N: signal N).
    default_again: u64,
    /// LISTEN_PID held a number too large to read (the child says so).
    listen_pid_invalid: bool,
}

impl ExecPlan {
    /// Prepares `command` for exec (an empty one fails as an empty name
    /// does), searching `path` (the value of `PATH`, `None` if unset) as
    /// glibc's `execvp` does.
    pub fn new(command: &[OsString], path: Option<&[u8]>) -> Self {
        // Arguments come from a C argv, so they hold no NUL bytes; an empty
        // CString is the fallback that keeps this infallible.
        let args: Vec<CString> = command
            .iter()
            .map(|arg| CString::new(arg.as_bytes()).unwrap_or_default())
            .collect();
        let mut argv: Vec<*const c_char> = args.iter().map(|arg| arg.as_ptr()).collect();
        argv.push(ptr::null());
        let mut script_argv = vec![SHELL.as_ptr(), ptr::null()];
        script_argv.extend_from_slice(argv.get(1..).unwrap_or_default());

        let name = command
            .first()
            .map(|name| name.as_bytes().to_vec())
            .unwrap_or_default();
        let (candidates, searched, early_error) = search_order(&name, path);
        ExecPlan {
            name,
            _args: args,
            argv,
            candidates,
            searched,
            script_argv,
            early_error,
            umask: None,
            environment: None,
            directory: None,
            exec_mask: KernelSigset::none(),
            default_again: 0,
            listen_pid_invalid: false,
        }
    }

    /// The command starts with `mask` blocked, and `default_again`'s
    /// signals back at their default action.
    pub fn signals(mut self, mask: KernelSigset, default_again: u64) -> Self {
        self.exec_mask = mask;
        self.default_again = default_again;
        self
    }

    /// The command starts with this umask.
    pub fn umask(mut self, mask: Option<u32>) -> Self {
        self.umask = mask.map(|mask| Permissions::from_bits_truncate(mask as libc::mode_t));
        self
    }

    /// `--socket-activation`: where LISTEN_PID names dumb-init, the command
    /// gets LISTEN_PID naming itself, and no LISTEN_PIDFDID (which names a
    /// pidfd of dumb-init's); LISTEN_FDS and LISTEN_FDNAMES pass unchanged.
    /// Returns whether it did.
    /// With `as_strtoll`, LISTEN_PID is read as C's `strtoll` reads it
    /// (catatonit's reading), else it must be the PID's digits exactly.
    pub fn pass_sockets(&mut self, as_strtoll: bool) -> bool {
        let me = Pid::this().as_raw();
        let value = std::env::var_os("LISTEN_PID");
        let ours = value.as_ref().is_some_and(|pid| match as_strtoll {
            true => option_values::c_number(pid.as_bytes()).0 == Some(i64::from(me)),
            false => pid.as_bytes() == me.to_string().as_bytes(),
        });
        // strtoll's ERANGE: digits where it reads them, too many of them.
        self.listen_pid_invalid = as_strtoll
            && value.is_some_and(|pid| {
                let read = pid.as_bytes().trim_ascii_start();
                let digits = read
                    .strip_prefix(b"-")
                    .or(read.strip_prefix(b"+"))
                    .unwrap_or(read);
                digits.first().is_some_and(u8::is_ascii_digit)
                    && option_values::c_number(read).0.is_none()
            });
        if ours {
            self.environment = Some(Environment::with_listen_pid_slot());
        }
        ours
    }

    /// Tries each candidate as glibc's `execvp` does and returns the error
    /// that it would leave in errno. Async-signal-safe; allocates nothing,
    /// which is why it calls `execve` itself: nix's `execve` builds its
    /// pointer arrays on the heap.
    fn exec(&mut self) -> Errno {
        if let Some(errno) = self.early_error {
            return errno;
        }
        if let Some(mask) = self.umask {
            nix::sys::stat::umask(mask);
        }
        if let Some(directory) = &self.directory {
            // Gone since? Then where dumb-init is.
            let _ = unistd::chdir(directory.as_c_str());
        }
        let environment = match &mut self.environment {
            Some(environment) => {
                environment.fill_listen_pid(Pid::this().as_raw());
                environment.pointers.as_ptr()
            }
            // SAFETY: environ is the C library's, read as it left it; nobody
            // changes it in this single-threaded child.
            None => unsafe { environ },
        };
        // The command starts with no signal of ours pending (our lines are
        // all written by now) and an empty mask; the mask is restored if an
        // exec fails, so that a signal that comes before the next one stays
        // pending for the command.
        kernel_signals::discard_pending_sigpipe();
        kernel_signals::set_default(self.default_again);
        let mut denied = false;
        let mut last = Errno::ENOENT;
        for candidate in &self.candidates {
            kernel_signals::set_mask(&self.exec_mask);
            last = execve(candidate, &self.argv, environment);
            if last == Errno::ENOEXEC {
                // No #! line and not a binary: glibc runs it with /bin/sh.
                if let Some(script) = self.script_argv.get_mut(1) {
                    *script = candidate.as_ptr();
                }
                last = execve(SHELL, &self.script_argv, environment);
            }
            kernel_signals::set_mask(&KernelSigset::all());
            if !self.searched {
                return last;
            }
            match last {
                Errno::EACCES => denied = true,
                Errno::ENOENT
                | Errno::ESTALE
                | Errno::ENOTDIR
                | Errno::ENODEV
                | Errno::ETIMEDOUT => {}
                _ => return last,
            }
        }
        if denied { Errno::EACCES } else { last }
    }
}

/// `execve(path, argv, environment)`; returns only when it failed, with why.
fn execve(path: &CStr, argv: &[*const c_char], environment: *const *const c_char) -> Errno {
    if argv.last() == Some(&ptr::null()) {
        // SAFETY: path is NUL-terminated; argv's pointers are NUL-terminated
        // strings owned by the plan (or SHELL), and it ends with a null
        // pointer (checked above); the environment is the C library's or
        // the plan's, each a null-terminated array of strings.
        unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), environment) };
    }
    Errno::last()
}

/// An environment of the command's own: the process's, but LISTEN_PID,
/// whose value only the child can write (its PID), and no LISTEN_PIDFDID.
struct Environment {
    /// Keeps the strings that `pointers` points into alive.
    _kept: Vec<CString>,
    /// `LISTEN_PID=` and room for any PID and a NUL.
    listen_pid: Vec<u8>,
    pointers: Vec<*const c_char>,
}

const LISTEN_PID: &[u8] = b"LISTEN_PID=";

impl Environment {
    fn with_listen_pid_slot() -> Self {
        // Every entry of the C library's environment as it is, but the two
        // replaced: std's `vars_os` skips entries without `=` or starting
        // with `=`, which the command gets without this option.
        let replaced = |entry: &[u8]| {
            [&b"LISTEN_PID="[..], b"LISTEN_PIDFDID="]
                .iter()
                .any(|name| entry.starts_with(name))
        };
        let kept: Vec<CString> = environment_entries()
            .into_iter()
            .filter(|entry| !replaced(entry.to_bytes()))
            .collect();
        // The largest PID has 10 digits; its NUL follows.
        let mut listen_pid = LISTEN_PID.to_vec();
        listen_pid.resize(LISTEN_PID.len().saturating_add(11), 0);
        let mut pointers: Vec<*const c_char> = kept.iter().map(|s| s.as_ptr()).collect();
        pointers.push(listen_pid.as_ptr().cast());
        pointers.push(ptr::null());
        Environment {
            _kept: kept,
            listen_pid,
            pointers,
        }
    }

    /// Writes `pid` after `LISTEN_PID=`, in place: the child's own PID,
    /// known only after the fork. Async-signal-safe; allocates nothing.
    fn fill_listen_pid(&mut self, pid: i32) {
        let digits = self
            .listen_pid
            .get_mut(LISTEN_PID.len()..)
            .unwrap_or_default();
        let mut text = [0u8; 10];
        let mut rest = pid.unsigned_abs();
        let mut start = text.len();
        while let Some(slot) = start.checked_sub(1).and_then(|i| text.get_mut(i)) {
            *slot = b'0'.saturating_add((rest % 10) as u8);
            start = start.saturating_sub(1);
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let text = text.get(start..).unwrap_or_default();
        for (slot, byte) in digits.iter_mut().zip(text.iter().chain(&[0])) {
            *slot = *byte;
        }
    }
}

/// The entries of `environ`, copied.
fn environment_entries() -> Vec<CString> {
    let mut entries = Vec::new();
    // SAFETY: environ is the C library's null-terminated array of
    // NUL-terminated strings (or null), read before any fork, in a process
    // with one thread that does not change it meanwhile.
    unsafe {
        let mut next = environ;
        while !next.is_null() && !(*next).is_null() {
            entries.push(CStr::from_ptr(*next).to_owned());
            next = next.add(1);
        }
    }
    entries
}

/// The paths glibc's `execvp` tries for `name`: the name itself when it holds
/// a slash, otherwise each `PATH` entry joined to it (an empty entry meaning
/// the current directory).
fn search_order(name: &[u8], path: Option<&[u8]>) -> (Vec<CString>, bool, Option<Errno>) {
    let c_path = |bytes: Vec<u8>| CString::new(bytes).unwrap_or_default();
    if name.is_empty() {
        return (Vec::new(), false, Some(Errno::ENOENT));
    }
    if name.contains(&b'/') {
        return (vec![c_path(name.to_vec())], false, None);
    }
    if name.len() > NAME_MAX {
        return (Vec::new(), true, Some(Errno::ENAMETOOLONG));
    }
    let path = path.unwrap_or(DEFAULT_PATH);
    // glibc sizes its buffer from at most PATH_MAX - 1 bytes of PATH and skips
    // entries that would not fit.
    let longest = path.len().min(PATH_MAX.saturating_sub(1));
    let candidates = path
        .split(|&b| b == b':')
        .filter(|dir| dir.len() <= longest)
        .map(|dir| {
            let mut full = dir.to_vec();
            if !dir.is_empty() {
                full.push(b'/');
            }
            full.extend_from_slice(name);
            c_path(full)
        })
        .collect();
    (candidates, true, None)
}

/// Why the command was not started.
#[derive(Debug)]
pub enum NotStarted {
    /// fork() failed.
    Fork(Errno),
    /// The kernel refused a resource limit: the line that says so.
    Limit(String),
}

/// Forks the child that runs the command, with `rlimits` set on it before it
/// may exec. Returns its PID in the supervisor.
pub fn spawn(
    plan: &mut ExecPlan,
    apart: Apart,
    rlimits: &[Rlimit],
    log: Log,
) -> Result<Pid, NotStarted> {
    let supervisor = Pid::this();
    // SAFETY: the process is single-threaded here, and the child branch only
    // makes async-signal-safe calls on memory prepared before the fork.
    match unsafe { unistd::fork() }.map_err(NotStarted::Fork)? {
        ForkResult::Parent { child } => {
            if rlimits.is_empty() {
                return Ok(child);
            }
            if let Err(line) = rlimits.iter().try_for_each(|limit| set_limit(child, limit)) {
                let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(child, None);
                return Err(NotStarted::Limit(line));
            }
            let _ = nix::sys::signal::kill(child, GATE);
            Ok(child)
        }
        ForkResult::Child => {
            if !rlimits.is_empty() {
                wait_at_the_gate(supervisor);
            }
            become_command(plan, apart, log)
        }
    }
}

/// The signal that lets the child go on once its limits are set. A signal,
/// not a pipe: it needs no descriptor, so that `--rlimit` works where
/// dumb-init itself has only its standard three and one more.
const GATE: nix::sys::signal::Signal = nix::sys::signal::Signal::SIGUSR2;

/// Waits, with every signal still blocked, until the supervisor sends
/// `GATE` (one from anyone else, say to dumb-init's process group, which
/// the child is still in, is taken and dropped: dumb-init gets its own copy
/// and passes it on). If the supervisor dies first, the command must not
/// run without it: the child exits. Async-signal-safe.
fn wait_at_the_gate(supervisor: Pid) {
    let gate = KernelSigset::only(GATE);
    loop {
        match kernel_signals::wait(&gate, Some(Duration::from_millis(100))) {
            Some(received)
                if received.code == libc::SI_USER && received.sender == supervisor.as_raw() =>
            {
                return;
            }
            Some(_) => {}
            None if unistd::getppid() != supervisor => exit_now(1),
            None => {}
        }
    }
}

/// Sets `limit` on `child`, through prlimit(2) (the kernel's 64-bit layout on
/// every architecture): the kernel checks it, and its refusal is the one
/// line that stops start-up.
fn set_limit(child: Pid, limit: &Rlimit) -> Result<(), String> {
    let mut old = libc::rlimit64 {
        rlim_cur: 0,
        rlim_max: 0,
    };
    prlimit(child, limit.resource, None, Some(&mut old)).map_err(|errno| {
        format!(
            "--rlimit {}: unable to read it ({})",
            limit.name,
            Why(errno)
        )
    })?;
    let value = |side: Limit| match side {
        Limit::Value(value) => value,
        Limit::Unlimited => libc::RLIM64_INFINITY,
        Limit::Hard => old.rlim_max,
    };
    let new = libc::rlimit64 {
        rlim_cur: value(limit.soft),
        rlim_max: value(limit.hard),
    };
    prlimit(child, limit.resource, Some(&new), None).map_err(|errno| {
        let shown = |value: u64| match value {
            libc::RLIM64_INFINITY => "unlimited".to_owned(),
            value => value.to_string(),
        };
        format!(
            "--rlimit {}={}:{}: the kernel refused it ({})",
            limit.name,
            shown(new.rlim_cur),
            shown(new.rlim_max),
            Why(errno)
        )
    })
}

fn prlimit(
    pid: Pid,
    resource: u32,
    new: Option<&libc::rlimit64>,
    old: Option<&mut libc::rlimit64>,
) -> Result<(), Errno> {
    let new = new.map_or(ptr::null(), ptr::from_ref);
    let old = old.map_or(ptr::null_mut(), ptr::from_mut);
    // SAFETY: each pointer is null or points at a live rlimit64, the
    // kernel's layout for prlimit64 on every architecture.
    let answer = unsafe { libc::syscall(libc::SYS_prlimit64, pid.as_raw(), resource, new, old) };
    Errno::result(answer).map(drop)
}

/// How the child is set apart from the init, and how a failed exec ends it.
#[derive(Clone, Copy, Debug)]
pub struct Apart {
    pub mode: Mode,
    /// A process group of its own, made the terminal's foreground (tini,
    /// catatonit), instead of what `mode` does.
    pub group: Option<TerminalFrom>,
    pub exec_failure: ExecFailure,
}

/// The child's side of the fork: never returns.
fn become_command(plan: &mut ExecPlan, apart: Apart, log: Log) -> ! {
    // Signals stay blocked until the exec itself (see `ExecPlan::exec`), so
    // that our own lines cannot kill us with SIGPIPE before the command runs.
    if plan.listen_pid_invalid {
        log::said(log, log::Said::ListenPidInvalid);
    }
    // tini's child says why it has no foreground only when the exec fails
    // (its line sits in a buffer an exec discards); catatonit's at once.
    let mut no_foreground = None;
    match (apart.group, apart.mode) {
        (Some(terminal), _) => {
            no_foreground = lead_a_foreground_group(terminal, apart.exec_failure, log);
            if let (Some(errno), ExecFailure::Catatonit) = (no_foreground, apart.exec_failure) {
                log::said(log, log::Said::NoForeground(errno));
            }
        }
        (None, Mode::Setsid) => {
            if let Err(errno) = unistd::setsid() {
                log::error!("Unable to setsid ({}). Exiting.", Why(errno));
                exit_now(1);
            }
            terminal::attach(log);
            log::debug!(log, "setsid complete.");
        }
        (None, Mode::SingleChild) => {}
    }
    let errno = plan.exec();
    let mut line = LineBuffer::new();
    let status = match apart.exec_failure {
        ExecFailure::DumbInit => {
            line.push(b"[dumb-init] ");
            line.push(&plan.name);
            let _ = writeln!(line, ": {}", Strerror::from(errno));
            2
        }
        ExecFailure::Tini => {
            if let Some(errno) = no_foreground {
                log::said(log, log::Said::NoForeground(errno));
            }
            let _ = write!(line, "[FATAL tini ({})] exec ", Pid::this());
            line.push(&plan.name);
            let _ = writeln!(line, " failed: {}", Strerror::from(errno));
            match errno {
                Errno::ENOENT => 127,
                Errno::EACCES => 126,
                _ => 1,
            }
        }
        ExecFailure::Catatonit => {
            let _ = writeln!(
                line,
                "ERROR (catatonit:{}): failed to exec pid1: {}",
                Pid::this(),
                Strerror::from(errno)
            );
            1
        }
    };
    line.flush();
    exit_now(status)
}

/// tini's and catatonit's child: a process group of its own, made the
/// foreground of the terminal (where there is one), in the init's session.
/// Async-signal-safe; SIGTTOU, which the kernel sends a background group
/// that sets the foreground, is blocked here. Returns why there is no
/// foreground, where that is no error (no terminal).
fn lead_a_foreground_group(from: TerminalFrom, failure: ExecFailure, log: Log) -> Option<Errno> {
    let _ = unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
    let opened = match from {
        TerminalFrom::Stdin => None,
        TerminalFrom::DevTty => match nix::fcntl::open(
            c"/dev/tty",
            OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) {
            Ok(tty) => Some(tty),
            Err(errno) => {
                log::said(log, log::Said::NoDevTty(errno));
                None
            }
        },
    };
    let answer = match &opened {
        Some(tty) => terminal::take_foreground(std::os::fd::AsRawFd::as_raw_fd(tty)),
        None => terminal::take_foreground(libc::STDIN_FILENO),
    };
    let harmless = match from {
        // tini: no terminal, or none there.
        TerminalFrom::Stdin => [Errno::ENOTTY, Errno::ENXIO, Errno::ENOTTY],
        TerminalFrom::DevTty => [Errno::ENOTTY, Errno::ENXIO, Errno::EBADF],
    };
    let errno = answer.err()?;
    if !harmless.contains(&errno) {
        let mut line = LineBuffer::new();
        let _ = match failure {
            ExecFailure::Catatonit => writeln!(
                line,
                "ERROR (catatonit:{}): setting foreground process failed: {}",
                Pid::this(),
                Strerror::from(errno)
            ),
            _ => writeln!(
                line,
                "[FATAL tini ({})] tcsetpgrp failed: {}",
                Pid::this(),
                Strerror::from(errno)
            ),
        };
        line.flush();
        exit_now(1);
    }
    Some(errno)
}

/// A hook's exec: `/bin/sh -c COMMAND`, in the directory dumb-init was
/// started in (the supervisor moves to `/`).
pub fn hook_plan(command: &str) -> ExecPlan {
    let argv =
        [SHELL.to_bytes(), b"-c", command.as_bytes()].map(|arg| OsStr::from_bytes(arg).to_owned());
    let mut plan = ExecPlan::new(&argv, None);
    plan.directory = std::env::current_dir()
        .ok()
        .and_then(|directory| CString::new(directory.into_os_string().into_vec()).ok());
    plan
}

/// Forks a hook: in a session of its own (so in a group of its own too),
/// so that what is passed on to the command's group or tree does not reach
/// it, and a terminal it touches is not its controlling one, whose job
/// control would stop it; killed with SIGKILL if dumb-init dies. Its output
/// is dumb-init's. A hook that cannot run its shell exits 127 without a
/// word: the supervisor's line about its status is the one line.
pub fn spawn_hook(plan: &mut ExecPlan) -> Result<Pid, Errno> {
    let supervisor = Pid::this();
    // SAFETY: as for `spawn`.
    match unsafe { unistd::fork() }? {
        // Until the child has called setsid it is in dumb-init's group: the
        // hooks know its PID (hooks.rs spares it and kills it by PID too),
        // and if dumb-init is gone before the parent-death signal is set,
        // the child sees it below and exits.
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => {
            // Cannot fail: the child is no group leader.
            let _ = unistd::setsid();
            let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
            // dumb-init died before the setting took: nobody will kill us.
            if unistd::getppid() != supervisor {
                exit_now(127);
            }
            let _ = plan.exec();
            exit_now(127)
        }
    }
}

/// `_exit(2)`: ends the child at once, without the exit handlers that belong
/// to the supervisor's copy of the process (nix has no wrapper for it).
fn exit_now(status: i32) -> ! {
    // SAFETY: _exit is async-signal-safe and has no preconditions.
    unsafe { libc::_exit(status) }
}

/// The command's `PATH`, as the environment holds it.
pub fn path_variable() -> Option<OsString> {
    std::env::var_os("PATH")
}
