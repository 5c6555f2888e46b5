//! Starting the child: giving up the terminal, fork, and in the child setsid,
//! taking the terminal, a clean signal state and exec with glibc's `execvp`
//! rules. Everything the child needs is prepared before the fork, so that the
//! child runs only async-signal-safe calls and allocates nothing.

use alloc::ffi::CString;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char};
use core::fmt::Write;
use core::ptr;

use crate::cli::Mode;
use crate::log::{self, LineBuffer, Log};
use crate::signal_state::{self, KernelSigset};
use crate::strerror::{Strerror, last_errno};

unsafe extern "C" {
    static environ: *const *const c_char;
}

/// The shell glibc's `execvp` hands a file that the kernel would not run.
const SHELL: &CStr = c"/bin/sh";
/// glibc's search path when `PATH` is unset.
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";
/// glibc's limits on a file name searched for in `PATH`, and on `PATH` itself.
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 4096;

/// The kernel's SIGHUP and SIGCONT that follow TIOCNOTTY, to be swallowed once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandOff {
    pub sighup: bool,
    pub sigcont: bool,
}

/// In setsid mode, gives up the controlling terminal of stdin so that the
/// child's new session can take it and do job control. When a session leader
/// does this the kernel sends SIGHUP and SIGCONT to its process group; they are
/// for us, not the child, which would otherwise die of the SIGHUP.
pub fn detach_from_terminal(mode: Mode, log: Log) -> HandOff {
    if mode != Mode::Setsid {
        return HandOff::default();
    }
    // SAFETY: TIOCNOTTY takes no argument and only affects this process.
    if unsafe { libc::ioctl(libc::STDIN_FILENO, libc::TIOCNOTTY) } == -1 {
        let errno = last_errno();
        log::debug!(
            log,
            "Unable to detach from controlling tty (errno={errno} {}).",
            Strerror(errno)
        );
        return HandOff::default();
    }
    // SAFETY: getsid(0) and getpid() have no preconditions.
    if unsafe { libc::getsid(0) == libc::getpid() } {
        log::debug!(
            log,
            "Detached from controlling tty, ignoring the first SIGHUP and SIGCONT we receive."
        );
        HandOff {
            sighup: true,
            sigcont: true,
        }
    } else {
        log::debug!(
            log,
            "Detached from controlling tty, but was not session leader."
        );
        HandOff::default()
    }
}

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
    early_error: Option<i32>,
}

impl ExecPlan {
    /// Prepares `command` (non-empty) for exec, searching `path` (the value of
    /// `PATH`, `None` if unset) as glibc's `execvp` does.
    pub fn new(command: &[&[u8]], path: Option<&[u8]>) -> Self {
        // Arguments come from a C argv, so they hold no NUL bytes; an empty
        // CString is the fallback that keeps this infallible.
        let args: Vec<CString> = command
            .iter()
            .map(|arg| CString::new(*arg).unwrap_or_default())
            .collect();
        let mut argv: Vec<*const c_char> = args.iter().map(|arg| arg.as_ptr()).collect();
        argv.push(ptr::null());
        let mut script_argv = vec![SHELL.as_ptr(), ptr::null()];
        script_argv.extend_from_slice(&argv[1..]);

        let name = command[0].to_vec();
        let (candidates, searched, early_error) = search_order(&name, path);
        ExecPlan {
            name,
            _args: args,
            argv,
            candidates,
            searched,
            script_argv,
            early_error,
        }
    }

    /// Tries each candidate as glibc's `execvp` does and returns the error
    /// that it would leave in errno. Async-signal-safe; allocates nothing.
    fn exec(&mut self) -> i32 {
        if let Some(errno) = self.early_error {
            return errno;
        }
        let mut denied = false;
        let mut last = libc::ENOENT;
        for candidate in &self.candidates {
            // The command starts with an empty mask and no signal of ours
            // pending; the mask is restored if the exec fails.
            signal_state::discard_pending_sigpipe();
            signal_state::set_mask(KernelSigset::NONE);
            // SAFETY: every pointer is a NUL-terminated string owned by self or
            // the environment, and both arrays end with a null pointer.
            unsafe { libc::execve(candidate.as_ptr(), self.argv.as_ptr(), environ) };
            last = last_errno();
            if last == libc::ENOEXEC {
                // No #! line and not a binary: glibc runs it with /bin/sh.
                self.script_argv[1] = candidate.as_ptr();
                // SAFETY: as above; script_argv ends with argv's null pointer.
                unsafe { libc::execve(SHELL.as_ptr(), self.script_argv.as_ptr(), environ) };
                last = last_errno();
            }
            signal_state::set_mask(KernelSigset::ALL);
            if !self.searched {
                return last;
            }
            match last {
                libc::EACCES => denied = true,
                libc::ENOENT | libc::ESTALE | libc::ENOTDIR | libc::ENODEV | libc::ETIMEDOUT => {}
                _ => return last,
            }
        }
        if denied { libc::EACCES } else { last }
    }
}

/// The paths glibc's `execvp` tries for `name`: the name itself when it holds
/// a slash, otherwise each `PATH` entry joined to it (an empty entry meaning
/// the current directory).
fn search_order(name: &[u8], path: Option<&[u8]>) -> (Vec<CString>, bool, Option<i32>) {
    let c_path = |bytes: Vec<u8>| CString::new(bytes).unwrap_or_default();
    if name.is_empty() {
        return (Vec::new(), false, Some(libc::ENOENT));
    }
    if name.contains(&b'/') {
        return (vec![c_path(name.to_vec())], false, None);
    }
    if name.len() > NAME_MAX {
        return (Vec::new(), true, Some(libc::ENAMETOOLONG));
    }
    let path = path.unwrap_or(DEFAULT_PATH);
    // glibc sizes its buffer from at most PATH_MAX - 1 bytes of PATH and skips
    // entries that would not fit.
    let longest = path.len().min(PATH_MAX - 1);
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

/// Forks the child that runs the command. Returns its PID in the supervisor,
/// or fork's errno.
pub fn spawn(plan: &mut ExecPlan, mode: Mode, log: Log) -> Result<i32, i32> {
    // SAFETY: the process is single-threaded here, and the child branch only
    // makes async-signal-safe calls on memory prepared before the fork.
    match unsafe { libc::fork() } {
        -1 => Err(last_errno()),
        0 => become_command(plan, mode, log),
        child => Ok(child),
    }
}

/// The child's side of the fork: never returns.
fn become_command(plan: &mut ExecPlan, mode: Mode, log: Log) -> ! {
    // Signals stay blocked until the exec itself (see `ExecPlan::exec`), so
    // that our own lines cannot kill us with SIGPIPE before the command runs.
    if mode == Mode::Setsid {
        // SAFETY: setsid has no preconditions.
        if unsafe { libc::setsid() } == -1 {
            let errno = last_errno();
            log::error!(
                "Unable to setsid (errno={errno} {}). Exiting.",
                Strerror(errno)
            );
            // SAFETY: _exit is async-signal-safe and ends the child at once.
            unsafe { libc::_exit(1) };
        }
        // SAFETY: TIOCSCTTY takes an int argument; 0 means do not steal.
        if unsafe { libc::ioctl(libc::STDIN_FILENO, libc::TIOCSCTTY, 0) } == -1 {
            let errno = last_errno();
            log::debug!(
                log,
                "Unable to attach to controlling tty (errno={errno} {}).",
                Strerror(errno)
            );
        }
        log::debug!(log, "setsid complete.");
    }
    let errno = plan.exec();
    let mut line = LineBuffer::new();
    line.push(b"[dumb-init] ");
    line.push(&plan.name);
    let _ = writeln!(line, ": {}", Strerror(errno));
    line.flush();
    // SAFETY: as above.
    unsafe { libc::_exit(2) }
}

/// The command's `PATH`, as the environment holds it.
pub fn path_variable() -> Option<&'static [u8]> {
    environment_variable(c"PATH")
}

/// The value of an environment variable, bytes unchanged.
pub fn environment_variable(name: &CStr) -> Option<&'static [u8]> {
    // SAFETY: name is NUL-terminated. The process is single-threaded, so the
    // environment is not changed under us, and nothing here ever changes it:
    // the string getenv points at lives as long as the process.
    let value = unsafe { libc::getenv(name.as_ptr()) };
    // SAFETY: as above; a non-null result is a NUL-terminated string.
    (!value.is_null()).then(|| unsafe { CStr::from_ptr(value) }.to_bytes())
}
