//! The raw kernel signal calls: the mask, the dispositions and the wait for a
//! signal. C libraries keep some real-time signals to themselves (glibc
//! 32-33, musl 32-34): they leave them out of `sigfillset`, and glibc's
//! `sigprocmask` quietly drops them from a mask. nix's `SigSet` is built on
//! those functions (and its `Signal` enum holds no real-time signal at all),
//! so the mask is changed with the system call itself and a set of every
//! signal made here; under musl, signal 34, the first real-time signal a
//! glibc program knows, would otherwise stay unblocked and deadly. Every
//! signal 1-64 is covered, whichever C library is linked and on every
//! architecture: the kernel's signal set is 64 bits everywhere but MIPS.

use std::mem::MaybeUninit;
use std::ptr;
use std::time::Duration;

use nix::errno::Errno;
use nix::libc;
use nix::sys::signal::{SigHandler, Signal};

/// A signal set as the C library lays it out, which begins with the
/// kernel's: the system calls read the first `KERNEL_SIGSET_SIZE` bytes.
#[derive(Clone, Copy)]
pub struct KernelSigset(libc::sigset_t);

/// The size of the kernel's signal set (_NSIG / 8), as the system calls want
/// it: 64 signals on every architecture this builds for.
const KERNEL_SIGSET_SIZE: usize = 64 / 8;

impl KernelSigset {
    /// Every signal (the kernel ignores KILL and STOP in a mask).
    pub fn all() -> Self {
        Self::filled(0xff)
    }

    /// No signal.
    pub fn none() -> Self {
        Self::filled(0)
    }

    /// This set with the standard signals of `mask` added (`add`) or taken
    /// out.
    pub fn with(mut self, mask: u64, add: bool) -> Self {
        for signal in Signal::iterator() {
            if mask & crate::config::signal_bit(signal as i32) == 0 {
                continue;
            }
            // SAFETY: a live sigset_t; a valid standard signal.
            unsafe {
                match add {
                    true => libc::sigaddset(&raw mut self.0, signal as libc::c_int),
                    false => libc::sigdelset(&raw mut self.0, signal as libc::c_int),
                }
            };
        }
        self
    }

    /// `signal` alone, a standard one (which the C library never keeps to
    /// itself). Async-signal-safe.
    pub fn only(signal: Signal) -> Self {
        let mut set = Self::none();
        // SAFETY: a live sigset_t; sigaddset sets the signal's bit and
        // cannot fail for a valid standard signal.
        unsafe { libc::sigaddset(&raw mut set.0, signal as libc::c_int) };
        set
    }

    fn filled(byte: u8) -> Self {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigset_t is an array of integers in every C library, so
        // any bytes make a valid one; all of it is written before use.
        unsafe {
            ptr::write_bytes(set.as_mut_ptr(), byte, 1);
            KernelSigset(set.assume_init())
        }
    }
}

/// Adds `set` to the blocked signals.
pub fn block(set: &KernelSigset) {
    change_mask(libc::SIG_BLOCK, set);
}

/// Takes `set` out of the blocked signals.
pub fn unblock(set: &KernelSigset) {
    change_mask(libc::SIG_UNBLOCK, set);
}

/// Makes `set` the whole mask. Async-signal-safe: used between fork and exec.
pub fn set_mask(set: &KernelSigset) {
    change_mask(libc::SIG_SETMASK, set);
}

fn change_mask(how: libc::c_int, set: &KernelSigset) {
    // SAFETY: the set is a live sigset_t, at least KERNEL_SIGSET_SIZE bytes
    // long; the old-mask pointer may be null. A plain system call is
    // async-signal-safe. Only EINVAL for a bad `how` can come back, and
    // `how` is one of the constants above.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            how,
            &raw const set.0,
            ptr::null_mut::<libc::sigset_t>(),
            KERNEL_SIGSET_SIZE,
        )
    };
}

/// Sets every standard signal (1-31) back to its default action, as the
/// reference does by installing a handler that the exec then resets: the
/// command starts with default dispositions for them whatever dumb-init was
/// given, and SIGCHLD inherited as ignored cannot make the kernel reap behind
/// our back. Real-time signals keep what dumb-init inherited, for the
/// command too, as under the reference. Signals stay blocked in the
/// supervisor and are taken with `wait`, so no handler is needed there (the
/// kernel queues a blocked signal even for a PID 1 that has none).
pub fn reset_dispositions() {
    for signal in Signal::iterator() {
        // KILL and STOP are refused with EINVAL, and cannot be ignored anyway.
        set_action(signal, SigHandler::SigDfl);
    }
}

/// Sets `signal`'s action to `action`, SIG_DFL or SIG_IGN (never a handler:
/// dumb-init installs none). Async-signal-safe: one sigaction(2).
fn set_action(signal: Signal, action: SigHandler) {
    if let SigHandler::SigDfl | SigHandler::SigIgn = action {
        // SAFETY: SIG_DFL and SIG_IGN run no code of ours in a signal
        // context; the previous handler is not called.
        let _ = unsafe { nix::sys::signal::signal(signal, action) };
    }
}

/// Sets the signals of `mask` (bit N: signal N; standard ones) back to
/// their default action. Async-signal-safe: sigaction(2) only.
pub fn set_default(mask: u64) {
    for signal in Signal::iterator() {
        if mask & crate::config::signal_bit(signal as i32) != 0 {
            set_action(signal, SigHandler::SigDfl);
        }
    }
}

/// Sets the signals of `mask` to be ignored; returns those of them that
/// were at their default action before (bit N: signal N).
pub fn ignore(mask: u64) -> u64 {
    let mut were_default = 0;
    for signal in Signal::iterator() {
        let bit = crate::config::signal_bit(signal as i32);
        if mask & bit == 0 {
            continue;
        }
        let ignore = nix::sys::signal::SigAction::new(
            SigHandler::SigIgn,
            nix::sys::signal::SaFlags::empty(),
            nix::sys::signal::SigSet::empty(),
        );
        // SAFETY: SIG_IGN runs no code of ours; the old action is only read.
        if let Ok(old) = unsafe { nix::sys::signal::sigaction(signal, &ignore) }
            && matches!(old.handler(), SigHandler::SigDfl)
        {
            were_default |= bit;
        }
    }
    were_default
}

/// The signal mask this thread has now.
pub fn current_mask() -> KernelSigset {
    let mut set = KernelSigset::none();
    // SAFETY: a null new set only reads the mask into `set`, a live
    // sigset_t at least KERNEL_SIGSET_SIZE bytes long.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_BLOCK,
            ptr::null::<libc::sigset_t>(),
            &raw mut set.0,
            KERNEL_SIGSET_SIZE,
        )
    };
    set
}

/// Drops a pending SIGPIPE and leaves its action as it was (the default
/// for dumb-init's child; whatever the init was given for tini's and
/// catatonit's, where an ignored SIGPIPE stays ignored). The child calls it
/// before it unblocks signals for the exec: its own lines written to a pipe
/// nobody reads raise SIGPIPE, which stays pending while blocked (even if
/// ignored) and would kill it before the command runs. Setting SIG_IGN
/// discards what is pending. Async-signal-safe: sigaction(2) only.
pub fn discard_pending_sigpipe() {
    let ignore = nix::sys::signal::SigAction::new(
        SigHandler::SigIgn,
        nix::sys::signal::SaFlags::empty(),
        nix::sys::signal::SigSet::empty(),
    );
    // SAFETY: SIG_IGN runs no code of ours; the old action is only read.
    let old = unsafe { nix::sys::signal::sigaction(Signal::SIGPIPE, &ignore) };
    if let Ok(old) = old
        && matches!(old.handler(), SigHandler::SigDfl)
    {
        set_action(Signal::SIGPIPE, SigHandler::SigDfl);
    }
}

/// A signal taken off the pending set, with who sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    pub signal: i32,
    /// `si_code` of its siginfo: SI_USER for kill() and for signals the
    /// kernel raises for a process's own doing (SIGPIPE on a write).
    pub code: i32,
    /// `si_pid` when `code` is SI_USER, else 0.
    pub sender: i32,
}

impl Received {
    /// This process raised it itself (a getpid() call: ask only when it
    /// matters, the hot path forwards without it).
    pub fn sent_by_self(&self) -> bool {
        self.code == libc::SI_USER && self.sender == nix::unistd::getpid().as_raw()
    }
}

/// Sleeps in the kernel until a signal of `set` (which must be blocked) is
/// pending, or `timeout` passes, and takes it off the pending set. The C
/// library's `sigtimedwait` passes the set through as it is, and knows each
/// architecture's system call and time layout.
pub fn wait(set: &KernelSigset, timeout: Option<Duration>) -> Option<Received> {
    let timeout = timeout.map(|left| libc::timespec {
        // A day is as good as forever here: the caller waits again.
        tv_sec: left.as_secs().min(86_400) as _,
        tv_nsec: left.subsec_nanos() as _,
    });
    let timeout = timeout.as_ref().map_or(ptr::null(), ptr::from_ref);
    let mut info = MaybeUninit::<libc::siginfo_t>::uninit();
    // SAFETY: the set is a live sigset_t, info is a live siginfo_t for the
    // kernel to fill in, and the timeout pointer is null or points at a
    // live timespec.
    let signal = unsafe { libc::sigtimedwait(&raw const set.0, info.as_mut_ptr(), timeout) };
    let signal = Errno::result(signal).ok()?;
    // SAFETY: a successful sigtimedwait filled in the siginfo.
    let info = unsafe { info.assume_init() };
    let sender = if info.si_code == libc::SI_USER {
        // SAFETY: for SI_USER the kernel filled in the sender's PID.
        unsafe { info.si_pid() }
    } else {
        0
    };
    Some(Received {
        signal,
        code: info.si_code,
        sender,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_real_time_signal_is_waited_for_not_delivered() {
        // Signal 34 is reserved by musl and left out of its sigfillset; the
        // raw mask must still hold it. Run in a thread so that the test
        // harness's own threads keep their masks.
        std::thread::spawn(|| {
            block(&KernelSigset::all());
            // SAFETY: sending a blocked signal to this very thread.
            unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::gettid(), 34) };
            let received = wait(&KernelSigset::all(), Some(Duration::from_secs(5)));
            assert_eq!(received.map(|r| r.signal), Some(34));
            assert_eq!(
                wait(&KernelSigset::all(), Some(Duration::from_millis(1))),
                None
            );
        })
        .join()
        .unwrap();
    }
}
