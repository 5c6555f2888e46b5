//! The `[dumb-init] ...` lines on stderr: errors always, debugging lines when
//! verbose. Each line is formatted into a buffer on the stack and written with
//! one `write(2)`, so logging allocates nothing and is safe between fork and
//! exec, and lines from the supervisor and the child do not interleave.

use std::fmt::{self, Write};
use std::time::Duration;

use nix::errno::Errno;

const PREFIX: &str = "[dumb-init] ";

/// Where lines go and whether debugging lines are wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Log {
    /// dumb-init's `[dumb-init] ...` debugging lines.
    pub verbose: bool,
    /// Whose words the lines of `said` are in.
    pub voice: Voice,
}

impl Log {
    /// dumb-init's lines, verbose or not.
    pub const fn dumb_init(verbose: bool) -> Self {
        Log {
            verbose,
            voice: Voice::DumbInit,
        }
    }
}

/// Whose words: dumb-init's lines are the `debug!` ones; tini's and
/// catatonit's are those of `said`, at their own levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Voice {
    DumbInit,
    /// tini's verbosity: 1 warnings (the default), 2 info, 3 debug, 4 trace.
    Tini(u32),
    /// catatonit, its debugging lines on (`CATATONIT_DEBUG`) or not.
    Catatonit(bool),
}

/// Events that tini and catatonit tell in their own words (dumb-init's
/// lines are its `debug!` calls).
#[derive(Clone, Copy, Debug)]
pub enum Said<'a> {
    /// The child started: its PID and the program as given.
    Spawned(i32, &'a [u8]),
    /// A signal passed on to the child.
    Passing(i32),
    /// A process that is not the command was reaped (tini's `-w`).
    ReapedZombie(i32),
    /// The command exited with this code, or died of this signal.
    CommandExited(i32),
    CommandKilled(i32),
    /// A SIGCHLD came.
    ChildSignal,
    /// A child was reaped: its PID, its exit code or (negative) signal, and
    /// whether it was the command.
    Reaped(i32, i32, bool),
    /// A signal taken and dropped (catatonit's job-control stops).
    Swallowed(i32),
    /// In the child: LISTEN_PID holds a number too large to read.
    ListenPidInvalid,
    /// A reaping pass ended: no child left (`true`), or none exited yet.
    NoMoreToReap(bool),
    /// dumb-init exits, the command having exited.
    Exiting,
    /// It became a child subreaper.
    BecameSubreaper,
    /// In the child: the terminal could not be made its foreground, for a
    /// reason that is no error (errno: no terminal, or none there).
    NoForeground(Errno),
    /// In the child: /dev/tty could not be opened (errno); stdin is used.
    NoDevTty(Errno),
}

/// Tells `said` as the voice words it, at its level; nothing for dumb-init.
pub fn said(log: Log, said: Said<'_>) {
    match (log.voice, said) {
        (Voice::DumbInit, _) => {}
        (Voice::Tini(level), Said::Spawned(child, program)) if level > 1 => tini_line(
            1,
            "INFO ",
            format_args!(
                "Spawned child process '{}' with pid '{child}'",
                String::from_utf8_lossy(program)
            ),
        ),
        (Voice::Tini(level), Said::Passing(signal)) if level > 2 => tini_line(
            1,
            "DEBUG",
            format_args!("Passing signal: '{}'", signal_text(signal)),
        ),
        (Voice::Tini(level), Said::ReapedZombie(reaped)) if level > 0 => tini_line(
            2,
            "WARN ",
            format_args!("Reaped zombie process with pid={reaped}"),
        ),
        (Voice::Tini(level), Said::CommandExited(code)) if level > 1 => tini_line(
            1,
            "INFO ",
            format_args!("Main child exited normally (with status '{code}')"),
        ),
        (Voice::Tini(level), Said::CommandKilled(signal)) if level > 1 => tini_line(
            1,
            "INFO ",
            format_args!(
                "Main child exited with signal (with signal '{}')",
                signal_text(signal)
            ),
        ),
        (Voice::Catatonit(true), Said::Spawned(child, program)) => catatonit_line(
            "DEBUG",
            format_args!(
                "pid1 ({child}) spawned: {}",
                String::from_utf8_lossy(program)
            ),
        ),
        (Voice::Tini(level), Said::ChildSignal) if level > 2 => {
            tini_line(1, "DEBUG", format_args!("Received SIGCHLD"))
        }
        (Voice::Tini(level), Said::Reaped(reaped, _, _)) if level > 2 => tini_line(
            1,
            "DEBUG",
            format_args!("Reaped child with pid: '{reaped}'"),
        ),
        (Voice::Tini(level), Said::NoMoreToReap(none_left)) if level > 3 => match none_left {
            true => tini_line(1, "TRACE", format_args!("No child to wait")),
            false => tini_line(1, "TRACE", format_args!("No child to reap")),
        },
        (Voice::Tini(level), Said::Exiting) if level > 3 => {
            tini_line(1, "TRACE", format_args!("Exiting: child has exited"))
        }
        (Voice::Tini(level), Said::BecameSubreaper) if level > 3 => {
            tini_line(1, "TRACE", format_args!("Registered as child subreaper"))
        }
        (Voice::Tini(level), Said::NoForeground(errno)) if level > 2 => {
            let why = match errno {
                Errno::ENXIO => "no such device",
                _ => "no tty",
            };
            tini_line(
                1,
                "DEBUG",
                format_args!("tcsetpgrp failed: {why} (ok to proceed)"),
            )
        }
        (Voice::Catatonit(true), Said::Swallowed(_)) => catatonit_line(
            "DEBUG",
            format_args!("ignoring kernel attempting to stop us: tty has TOSTOP set"),
        ),
        (Voice::Catatonit(true), Said::ListenPidInvalid) => {
            catatonit_line("WARN", format_args!("LISTEN_PID has an invalid value"))
        }
        (Voice::Catatonit(true), Said::Reaped(reaped, how, false)) => match how {
            0.. => catatonit_line(
                "DEBUG",
                format_args!("child process {reaped} exited with code {how}"),
            ),
            _ => catatonit_line(
                "DEBUG",
                format_args!(
                    "child process {reaped} exited due to signal {}",
                    how.saturating_neg()
                ),
            ),
        },
        (Voice::Catatonit(true), Said::NoMoreToReap(true)) => catatonit_line(
            "DEBUG",
            format_args!("got ECHILD: no children left to monitor"),
        ),
        (Voice::Catatonit(true), Said::NoDevTty(errno)) => catatonit_line(
            "INFO",
            format_args!(
                "using stdin as tty fd: could not open /dev/tty: {}",
                crate::errno::Strerror::from(errno)
            ),
        ),
        (Voice::Catatonit(true), Said::NoForeground(errno)) => match errno {
            Errno::ENXIO => catatonit_line(
                "DEBUG",
                format_args!("setting foreground process failed: no such device"),
            ),
            _ => catatonit_line(
                "DEBUG",
                format_args!(
                    "setting foreground process failed: no tty present: {}",
                    crate::errno::Strerror::from(errno)
                ),
            ),
        },
        _ => {}
    }
}

/// The warning of an init that is neither PID 1 nor a subreaper, in its
/// voice's words (tini's; the others say none).
pub fn warn_without_reaper(log: Log) {
    if let Voice::Tini(level) = log.voice
        && level > 0
    {
        tini_line(
            2,
            "WARN ",
            format_args!(
                "Tini is not running as PID 1 and isn't registered as a child subreaper.\n\
                 Zombie processes will not be re-parented to Tini, so zombie reaping won't \
                 work.\nTo fix the problem, use the -s option or set the environment variable \
                 TINI_SUBREAPER to register Tini as a child subreaper, or run Tini as PID 1."
            ),
        );
    }
}

/// `[LEVEL tini (PID)] text` to descriptor `fd` (stdout for info and
/// below, stderr for warnings and errors, as tini writes them).
pub fn tini_line(fd: i32, level: &str, text: fmt::Arguments<'_>) {
    let mut line = LineBuffer::new();
    let _ = writeln!(line, "[{level} tini ({})] {text}", nix::unistd::getpid());
    line.flush_to(fd);
}

/// `LEVEL (catatonit:PID): text` on stderr.
pub fn catatonit_line(level: &str, text: fmt::Arguments<'_>) {
    let mut line = LineBuffer::new();
    let _ = writeln!(
        line,
        "{level} (catatonit:{}): {text}",
        nix::unistd::getpid()
    );
    line.flush();
}

/// strsignal's words, as glibc has them, for the signals tini names.
pub fn signal_text(signal: i32) -> &'static str {
    const WORDS: [&str; 32] = [
        "Unknown signal 0",
        "Hangup",
        "Interrupt",
        "Quit",
        "Illegal instruction",
        "Trace/breakpoint trap",
        "Aborted",
        "Bus error",
        "Floating point exception",
        "Killed",
        "User defined signal 1",
        "Segmentation fault",
        "User defined signal 2",
        "Broken pipe",
        "Alarm clock",
        "Terminated",
        "Stack fault",
        "Child exited",
        "Continued",
        "Stopped (signal)",
        "Stopped",
        "Stopped (tty input)",
        "Stopped (tty output)",
        "Urgent I/O condition",
        "CPU time limit exceeded",
        "File size limit exceeded",
        "Virtual timer expired",
        "Profiling timer expired",
        "Window changed",
        "I/O possible",
        "Power failure",
        "Bad system call",
    ];
    usize::try_from(signal)
        .ok()
        .and_then(|index| WORDS.get(index))
        .copied()
        .unwrap_or("Real-time signal")
}

/// A line, always shown.
pub fn write_line(args: fmt::Arguments<'_>) {
    let mut line = LineBuffer::new();
    // The buffer never fails; text beyond its end is flushed in pieces.
    let _ = line.write_str(PREFIX);
    let _ = line.write_fmt(args);
    line.push(b"\n");
    line.flush();
}

/// Raw bytes to stderr (messages that must carry argument bytes unchanged).
pub fn write_stderr(bytes: &[u8]) {
    write_to(2, bytes);
}

/// Raw bytes to stdout (tini's info lines, help and version).
pub fn write_stdout(bytes: &[u8]) {
    write_to(1, bytes);
}

/// A plain write(2) on descriptor `fd`, 1 or 2: no lock, no buffer, no
/// allocation.
fn write_to(fd: i32, mut bytes: &[u8]) {
    // SAFETY: the standard descriptors are borrowed for this call only;
    // closed ones fail with EBADF below.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(written) if written > 0 => bytes = bytes.get(written..).unwrap_or_default(),
            Err(Errno::EINTR) => continue,
            // Closed or full: there is no one left to tell.
            _ => return,
        }
    }
}

/// Whole milliseconds, for lines: `Duration::as_millis` gives a u128, whose
/// printing would link code of its own for these few lines.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A fixed stack buffer that `fmt` writes into.
pub struct LineBuffer {
    bytes: [u8; 1024],
    len: usize,
}

impl LineBuffer {
    pub const fn new() -> Self {
        LineBuffer {
            bytes: [0; 1024],
            len: 0,
        }
    }

    pub fn push(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.len >= self.bytes.len() {
                self.flush();
            }
            let room = self.bytes.get_mut(self.len..).unwrap_or_default();
            let take = room.len().min(data.len());
            let (now, later) = data.split_at_checked(take).unwrap_or((data, &[]));
            if let Some(room) = room.get_mut(..take) {
                room.copy_from_slice(now);
            }
            self.len = self.len.saturating_add(take);
            data = later;
        }
    }

    pub fn flush(&mut self) {
        self.flush_to(2);
    }

    /// Writes what is buffered to descriptor `fd` (1 or 2).
    pub fn flush_to(&mut self, fd: i32) {
        write_to(fd, self.bytes.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

impl Default for LineBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for LineBuffer {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push(text.as_bytes());
        Ok(())
    }
}

/// `log::debug!(log, "...", args)`: a verbose line.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_debug {
    ($log:expr, $($arg:tt)*) => {
        // The test comes first, so that quiet runs (the hot path of
        // forwarding) do not even assemble the arguments.
        if $log.verbose {
            $crate::log::write_line(format_args!($($arg)*))
        }
    };
}

/// `log::error!("...", args)`: a line shown whatever the verbosity.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_error {
    ($($arg:tt)*) => {
        $crate::log::write_line(format_args!($($arg)*))
    };
}

pub use {__log_debug as debug, __log_error as error};
