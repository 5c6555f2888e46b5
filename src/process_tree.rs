//! The processes under the supervisor: becoming a child subreaper so that
//! orphans of the command come back to us, and listing what is left of the
//! tree when the grace period ends.

use alloc::vec;
use alloc::vec::Vec;
use core::ffi::CStr;

use crate::log::{self, Log};
use crate::strerror::{Strerror, last_errno};

/// Makes orphaned descendants reparent to this process instead of to the
/// namespace's PID 1. As PID 1 that already happens, so nothing is done.
pub fn become_subreaper(log: Log) {
    // SAFETY: getpid has no preconditions.
    if unsafe { libc::getpid() } == 1 {
        return;
    }
    // SAFETY: PR_SET_CHILD_SUBREAPER takes one integer argument.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong) } == 0 {
        log::debug!(
            log,
            "Became a child subreaper: orphans of the command are reaped here."
        );
    } else {
        let errno = last_errno();
        log::error!(
            "Unable to become a child subreaper (errno={errno} {}).",
            Strerror(errno)
        );
    }
}

/// Every live process whose chain of parents leads to `root`, read from /proc.
pub fn descendants(root: i32) -> Vec<i32> {
    // (parent, pid) for every process, sorted so that one parent's children
    // sit together.
    let mut links: Vec<(i32, i32)> = Vec::new();
    for_each_process(|pid| {
        if let Some(parent) = parent_from_proc(pid) {
            links.push((parent, pid));
        }
    });
    links.sort_unstable();
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(parent) = queue.pop() {
        let first = links.partition_point(|&(p, _)| p < parent);
        for &(_, child) in links[first..].iter().take_while(|&&(p, _)| p == parent) {
            found.push(child);
            queue.push(child);
        }
    }
    found
}

/// Calls `visit` with the PID of every process listed in /proc.
fn for_each_process(mut visit: impl FnMut(i32)) {
    // SAFETY: a NUL-terminated path.
    let dir = unsafe { libc::opendir(c"/proc".as_ptr()) };
    if dir.is_null() {
        return;
    }
    loop {
        // SAFETY: dir is an open directory stream, used by this thread only.
        let entry = unsafe { libc::readdir(dir) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returned a valid entry whose d_name is a
        // NUL-terminated string; it is read before the next readdir.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        if let Some(pid) = decimal(name.to_bytes()) {
            visit(pid);
        }
    }
    // SAFETY: dir is open and not used again.
    unsafe { libc::closedir(dir) };
}

/// The parent PID of `pid`, from `/proc/<pid>/stat`.
fn parent_from_proc(pid: i32) -> Option<i32> {
    // "/proc/" and up to ten digits and "/stat" and a NUL.
    let mut path = [0u8; 32];
    let digits = pid.checked_ilog10().unwrap_or(0) as usize + 1;
    let name_end = 6 + digits;
    path[..6].copy_from_slice(b"/proc/");
    let mut rest = pid;
    for slot in path[6..name_end].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    path[name_end..name_end + 5].copy_from_slice(b"/stat");
    // SAFETY: the path ends with a NUL byte (the array was zeroed).
    let fd = unsafe { libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    // A stat line is a few hundred bytes; a command name is at most 64.
    let mut stat = [0u8; 1024];
    // SAFETY: the buffer is live and as long as the length passed.
    let read = unsafe { libc::read(fd, stat.as_mut_ptr().cast(), stat.len()) };
    // SAFETY: fd is open and not used again.
    unsafe { libc::close(fd) };
    parent_of(stat.get(..usize::try_from(read).ok()?)?)
}

/// The parent PID from the text of `/proc/<pid>/stat`: the second field after
/// the command name, which is in parentheses and may itself hold `)`.
fn parent_of(stat: &[u8]) -> Option<i32> {
    let after_name = stat.iter().rposition(|&b| b == b')')?;
    let mut fields = stat[after_name + 1..]
        .split(u8::is_ascii_whitespace)
        .filter(|field| !field.is_empty());
    let _state = fields.next()?;
    decimal(fields.next()?)
}

/// A non-negative decimal number that fits in an `i32`.
fn decimal(text: &[u8]) -> Option<i32> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0i32, |value, &byte| {
        let digit = byte.checked_sub(b'0').filter(|d| *d <= 9)?;
        value.checked_mul(10)?.checked_add(i32::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_is_read_past_a_name_holding_parentheses() {
        assert_eq!(parent_of(b"42 (we (ird) name) S 7 42 42 0 -1"), Some(7));
        assert_eq!(parent_of(b"1 (init) S 0 1 1"), Some(0));
        assert_eq!(parent_of(b"garbage"), None);
        assert_eq!(parent_of(b"9 (x) S -1 9"), None);
    }

    #[test]
    fn a_spawned_child_is_listed_among_our_descendants() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let listed = descendants(std::process::id() as i32).contains(&(child.id() as i32));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(listed);
    }
}
