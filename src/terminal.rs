//! The controlling terminal's hand-off in setsid mode: the supervisor gives
//! up the terminal of stdin before the fork, so that the child, leader of a
//! new session, can take it and do job control (Ctrl-Z, Ctrl-C reach its
//! group). Giving it up makes the kernel send SIGHUP and SIGCONT, which are
//! for the supervisor and must not be passed on.

use nix::libc;
use nix::unistd;

use crate::config::Mode;
use crate::errno::Why;
use crate::log::{self, Log};

nix::ioctl_none_bad!(
    /// TIOCNOTTY: give up the controlling terminal of the descriptor.
    give_up_terminal,
    libc::TIOCNOTTY
);
nix::ioctl_write_int_bad!(
    /// TIOCSCTTY: take the descriptor's terminal as the controlling one.
    take_terminal,
    libc::TIOCSCTTY
);
nix::ioctl_write_ptr_bad!(
    /// TIOCSPGRP: make a process group the terminal's foreground
    /// (tcsetpgrp).
    set_foreground,
    libc::TIOCSPGRP,
    libc::pid_t
);

/// Makes this process's group the foreground of the terminal on `fd`
/// (tini's and catatonit's child). Async-signal-safe.
pub fn take_foreground(fd: std::os::fd::RawFd) -> Result<(), nix::errno::Errno> {
    let group = unistd::getpgrp().as_raw();
    // SAFETY: TIOCSPGRP reads one pid_t through the pointer, a live local.
    unsafe { set_foreground(fd, &raw const group) }.map(drop)
}

/// The kernel's SIGHUP and SIGCONT that follow TIOCNOTTY, to be swallowed once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandOff {
    pub sighup: bool,
    pub sigcont: bool,
}

/// In setsid mode, gives up the controlling terminal of stdin so that the
/// child's new session can take it. When a session leader does this the
/// kernel sends SIGHUP and SIGCONT to its process group; they are for us,
/// not the child, which would otherwise die of the SIGHUP.
pub fn detach(mode: Mode, log: Log) -> HandOff {
    if mode != Mode::Setsid {
        return HandOff::default();
    }
    // SAFETY: TIOCNOTTY takes no argument and only affects this process.
    if let Err(errno) = unsafe { give_up_terminal(libc::STDIN_FILENO) } {
        log::debug!(
            log,
            "Unable to detach from controlling tty ({}).",
            Why(errno)
        );
        return HandOff::default();
    }
    if unistd::getsid(None) == Ok(unistd::getpid()) {
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

/// In the child, once it leads its new session: takes stdin's terminal as
/// its controlling terminal, if it has one. Async-signal-safe.
pub fn attach(log: Log) {
    // SAFETY: TIOCSCTTY takes an int argument; 0 means do not steal.
    if let Err(errno) = unsafe { take_terminal(libc::STDIN_FILENO, 0) } {
        log::debug!(log, "Unable to attach to controlling tty ({}).", Why(errno));
    }
}
