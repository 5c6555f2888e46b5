//! The system calls that run once per signal or per reaped child, made
//! directly. The C library's wrappers add work to each of them (musl's
//! variadic `syscall()`, errno, the checks of a cancellation point), and on
//! these paths that work would be paid again for every signal forwarded and
//! every orphan reaped. Each call returns what the kernel answered: a value,
//! or an errno. Elsewhere the C library's functions are used as they are.

use core::ptr;

use libc::{c_int, c_long, pid_t, siginfo_t, timespec};

/// The size of a kernel signal set, as the signal calls want it.
const SIGSET_SIZE: usize = core::mem::size_of::<u64>();

/// `kill(2)`: `pid` may name a process group (negative).
pub fn kill(pid: pid_t, signal: c_int) -> Result<(), c_int> {
    // SAFETY: kill takes no pointers.
    let answer = unsafe { syscall4(libc::SYS_kill, pid as usize, signal as usize, 0, 0) };
    checked(answer).map(drop)
}

/// `wait4(-1, &status, flags, NULL)`: the PID of a child that changed state
/// (0 with WNOHANG when none has yet), with its status.
pub fn wait_any(flags: c_int) -> Result<(pid_t, c_int), c_int> {
    let mut status: c_int = 0;
    // SAFETY: status is a live int for the kernel to fill in; no rusage.
    let answer = unsafe {
        syscall4(
            libc::SYS_wait4,
            -1isize as usize,
            ptr::from_mut(&mut status) as usize,
            flags as usize,
            0,
        )
    };
    checked(answer).map(|pid| (pid as pid_t, status))
}

/// `rt_sigprocmask(how, set, NULL)`. Async-signal-safe.
pub fn change_mask(how: c_int, set: u64) {
    // SAFETY: set is a live u64 of the size passed; no old mask is asked for.
    // Only EINVAL for a bad `how` can come back, and `how` is a constant.
    unsafe {
        syscall4(
            libc::SYS_rt_sigprocmask,
            how as usize,
            ptr::from_ref(&set) as usize,
            0,
            SIGSET_SIZE,
        )
    };
}

/// The kernel's `struct sigaction` on x86_64 and aarch64.
#[repr(C)]
pub struct KernelSigaction {
    pub handler: usize,
    pub flags: u64,
    pub restorer: usize,
    pub mask: u64,
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("KernelSigaction's layout is known for x86_64 and aarch64 only");

/// `rt_sigaction(signal, action, NULL)`. Async-signal-safe.
pub fn set_action(signal: c_int, action: &KernelSigaction) -> Result<(), c_int> {
    // SAFETY: action is a live struct of the kernel's layout; no old action
    // is asked for. SIG_DFL and SIG_IGN need no restorer.
    let answer = unsafe {
        syscall4(
            libc::SYS_rt_sigaction,
            signal as usize,
            ptr::from_ref(action) as usize,
            0,
            SIGSET_SIZE,
        )
    };
    checked(answer).map(drop)
}

/// `rt_sigtimedwait(set, info, timeout)`: the signal taken off the pending
/// set, its siginfo written to `info`. No timeout waits for ever.
pub fn take_signal(
    set: u64,
    info: &mut core::mem::MaybeUninit<siginfo_t>,
    timeout: Option<&timespec>,
) -> Result<c_int, c_int> {
    let timeout = timeout.map_or(ptr::null(), ptr::from_ref);
    // SAFETY: set is a live u64 of the size passed, info a live siginfo_t
    // for the kernel to fill in, and the timeout null or a live timespec.
    let answer = unsafe {
        syscall4(
            libc::SYS_rt_sigtimedwait,
            ptr::from_ref(&set) as usize,
            info.as_mut_ptr() as usize,
            timeout as usize,
            SIGSET_SIZE,
        )
    };
    checked(answer).map(|signal| signal as c_int)
}

/// The kernel's answer: negative errno values are errors.
fn checked(answer: isize) -> Result<usize, c_int> {
    if (-4095..0).contains(&answer) {
        Err(-answer as c_int)
    } else {
        Ok(answer as usize)
    }
}

/// A system call with up to four arguments, by the x86_64 convention: the
/// number in rax, the arguments in rdi, rsi, rdx and r10, the answer in rax;
/// the kernel overwrites rcx and r11.
///
/// # Safety
/// The arguments must be valid for the call: pointers to live memory of the
/// sizes the kernel expects.
#[cfg(target_arch = "x86_64")]
unsafe fn syscall4(number: c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    let answer: isize;
    // SAFETY: the caller's guarantee covers what the kernel reads and
    // writes; the instruction itself touches only the registers named here.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") number as isize => answer,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    answer
}

/// Elsewhere, the C library's `syscall()`, its errno turned back into the
/// kernel's negative answer.
///
/// # Safety
/// As for the x86_64 version.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn syscall4(number: c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    // SAFETY: the caller's guarantee.
    match unsafe { libc::syscall(number, a, b, c, d) } {
        -1 => -(crate::strerror::last_errno() as isize),
        answer => answer as isize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // wait_any is left to the integration tests: here it could reap the
    // child of another test running in parallel.
    #[test]
    fn errors_come_back_as_errno_values() {
        assert_eq!(kill(i32::MAX, 0), Err(libc::ESRCH));
        assert_eq!(kill(std::process::id() as pid_t, 0), Ok(()));
        let action = KernelSigaction {
            handler: libc::SIG_DFL,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        assert_eq!(set_action(libc::SIGKILL, &action), Err(libc::EINVAL));
    }
}
