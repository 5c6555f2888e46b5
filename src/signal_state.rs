//! The process's signal state: the mask, the dispositions and the wait for a
//! signal, all made with the system calls themselves, through `libc::syscall`.
//! C libraries keep some real-time signals to themselves (glibc 32-33, musl
//! 32-34): they leave them out of `sigfillset`, `sigaddset` and
//! `sigprocmask`, refuse `sigaction` on them, and musl unblocks two of them
//! the first time a handler is installed. Under musl that would leave signal
//! 34, the first real-time signal a glibc program knows, unblocked and
//! deadly. nix's `SigSet`, `sigaction` and `SigSet::wait` are built on those
//! functions and on its `Signal` enum, which holds no real-time signal at
//! all, so they cannot serve here. The kernel's view is used instead, and
//! every signal 1-64 is covered whichever C library is linked.

use std::mem::MaybeUninit;
use std::ptr;
use std::time::Duration;

use nix::libc;

/// A kernel signal set: bit N-1 stands for signal N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelSigset(u64);

impl KernelSigset {
    /// Every signal (the kernel ignores KILL and STOP in a mask).
    pub const ALL: KernelSigset = KernelSigset(!0);
    pub const NONE: KernelSigset = KernelSigset(0);
}

/// The size of a kernel signal set, as the system calls want it.
const SIGSET_SIZE: usize = size_of::<u64>();

/// Adds `set` to the blocked signals.
pub fn block(set: KernelSigset) {
    change_mask(libc::SIG_BLOCK, set);
}

/// Makes `set` the whole mask. Async-signal-safe: used between fork and exec.
pub fn set_mask(set: KernelSigset) {
    change_mask(libc::SIG_SETMASK, set);
}

fn change_mask(how: libc::c_int, set: KernelSigset) {
    // SAFETY: the set is a live u64 of the size passed; the old-mask pointer
    // may be null. A plain system call is async-signal-safe. Only EINVAL for
    // a bad `how` can come back, and `how` is a constant.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            how,
            &set.0,
            ptr::null_mut::<u64>(),
            SIGSET_SIZE,
        )
    };
}

/// Sets every signal 1-64 back to its default action. Signals stay blocked in
/// the supervisor and are taken with `wait`, so no handler is needed there
/// (the kernel queues a blocked signal even for a PID 1 that has none); the
/// command then inherits default dispositions whatever dumb-init was given,
/// and SIGCHLD inherited as ignored cannot make the kernel reap behind our
/// back.
pub fn reset_dispositions() {
    for signal in 1..=64 {
        set_disposition(signal, libc::SIG_DFL);
    }
}

/// Drops a pending SIGPIPE and leaves the default action in place. The child
/// calls it before it unblocks signals for the exec: its own lines written
/// to a pipe nobody reads raise SIGPIPE, which stays pending while blocked
/// (even if ignored) and would kill it before the command runs. Setting
/// SIG_IGN discards what is pending. Async-signal-safe.
pub fn discard_pending_sigpipe() {
    set_disposition(libc::SIGPIPE, libc::SIG_IGN);
    set_disposition(libc::SIGPIPE, libc::SIG_DFL);
}

/// The kernel's `struct sigaction` on x86_64 and aarch64.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("KernelSigaction's layout is known for x86_64 and aarch64 only");

fn set_disposition(signal: libc::c_int, handler: usize) {
    let action = KernelSigaction {
        handler,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    // SAFETY: a live action of the kernel's layout and a null old-action
    // pointer, with the kernel's sigset size; SIG_DFL and SIG_IGN need no
    // restorer. KILL and STOP are refused with EINVAL, which is fine.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigaction,
            signal,
            &action,
            ptr::null_mut::<KernelSigaction>(),
            SIGSET_SIZE,
        )
    };
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
    pub fn from_self(&self) -> bool {
        self.code == libc::SI_USER && self.sender == nix::unistd::getpid().as_raw()
    }
}

/// Sleeps in the kernel until a signal of `set` (which must be blocked) is
/// pending, or `timeout` passes, and takes it off the pending set.
pub fn wait(set: KernelSigset, timeout: Option<Duration>) -> Option<Received> {
    let timeout = timeout.map(|left| libc::timespec {
        // A day is as good as forever here: the caller waits again.
        tv_sec: left.as_secs().min(86_400) as _,
        tv_nsec: left.subsec_nanos().into(),
    });
    let timeout = timeout.as_ref().map_or(ptr::null(), ptr::from_ref);
    let mut info = MaybeUninit::<libc::siginfo_t>::uninit();
    // SAFETY: the set is a live u64 of the size passed, info is a live
    // siginfo_t for the kernel to fill in, and the timeout pointer is null or
    // points at a live timespec.
    let signal = unsafe {
        libc::syscall(
            libc::SYS_rt_sigtimedwait,
            &set.0,
            info.as_mut_ptr(),
            timeout,
            SIGSET_SIZE,
        )
    };
    if signal <= 0 {
        return None;
    }
    // SAFETY: a successful rt_sigtimedwait filled in the siginfo.
    let info = unsafe { info.assume_init() };
    let sender = if info.si_code == libc::SI_USER {
        // SAFETY: for SI_USER the kernel filled in the sender's PID.
        unsafe { info.si_pid() }
    } else {
        0
    };
    Some(Received {
        signal: signal as i32,
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
            block(KernelSigset::ALL);
            // SAFETY: sending a blocked signal to this very thread.
            unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::gettid(), 34) };
            // tgkill reports SI_TKILL, not SI_USER: only kill() and the
            // kernel raising a signal for our own write count as from_self.
            let received = wait(KernelSigset::ALL, Some(Duration::from_secs(5)));
            assert_eq!(
                received.map(|r| (r.signal, r.from_self())),
                Some((34, false))
            );
            assert_eq!(
                wait(KernelSigset::ALL, Some(Duration::from_millis(1))),
                None
            );
        })
        .join()
        .unwrap();
    }
}
