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
    pub verbose: bool,
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
pub fn write_stderr(mut bytes: &[u8]) {
    // A plain write(2) on descriptor 2: no lock, no buffer, no allocation.
    let stderr = std::io::stderr();
    while !bytes.is_empty() {
        match nix::unistd::write(&stderr, bytes) {
            Ok(written) if written > 0 => bytes = bytes.get(written..).unwrap_or_default(),
            Err(Errno::EINTR) => continue,
            // stderr is closed or full: there is no one left to tell.
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
        write_stderr(self.bytes.get(..self.len).unwrap_or_default());
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
