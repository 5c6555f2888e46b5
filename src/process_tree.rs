//! The processes around the supervisor: becoming a child subreaper so that
//! orphans of the command come back to us, listing and killing what is left
//! of the tree when the grace period ends, and the signal that the parent's
//! death sends.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr;

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sys::signal::{Signal, kill};
use nix::sys::stat::Mode;
use nix::unistd::{Pid, getppid};

use crate::errno::Why;
use crate::log::{self, Log};

/// Makes orphaned descendants reparent to this process instead of to the
/// namespace's PID 1. As PID 1 that already happens, so nothing is done.
pub fn become_subreaper(log: Log) {
    if Pid::this().as_raw() == 1 {
        return;
    }
    match nix::sys::prctl::set_child_subreaper(true) {
        Ok(()) => log::debug!(
            log,
            "Became a child subreaper: orphans of the command are reaped here."
        ),
        Err(errno) => log::error!("Unable to become a child subreaper ({}).", Why(errno)),
    }
}

/// Asks the kernel for `signal` when dumb-init's parent dies; `parent` is the
/// parent that dumb-init started with. If it has died already, before the
/// setting took effect, the signal is raised here, so that it is not lost.
/// It stays blocked like every signal and is handled as any received one.
pub fn signal_on_parent_death(signal: i32, parent: Pid, log: Log) {
    // The command line accepts standard signals only.
    let Ok(signal) = Signal::try_from(signal) else {
        return;
    };
    if let Err(errno) = nix::sys::prctl::set_pdeathsig(signal) {
        log::error!("Unable to set the parent death signal ({}).", Why(errno));
        return;
    }
    log::debug!(log, "Parent death signal set to {}.", signal as i32);
    if getppid() != parent {
        log::debug!(
            log,
            "The parent died before that: raising signal {} now.",
            signal as i32
        );
        let _ = signal_hook::low_level::raise(signal as i32);
    }
}

/// SIGKILL to each of `pids`, descendants of `root` when they were listed.
/// Where the kernel has pidfds, each process is signalled through one, and
/// only once it is known to be still in the tree: a PID whose process has
/// exited and been reaped since the listing may name another process now.
/// Kernels before 5.3 have no pidfds; there the PID itself is signalled.
pub(crate) fn kill_all(pids: &[Pid], root: Pid) {
    for &pid in pids {
        match Pidfd::open(pid) {
            Ok(pidfd) => {
                // Checked after the pidfd is taken, and the process found
                // alive after the check: the /proc entry read in between was
                // that very process's, whose PID nobody else can have had.
                let in_tree =
                    parent(pid).is_some_and(|parent| parent == root || pids.contains(&parent));
                if in_tree && pidfd.signal(0).is_ok() {
                    let _ = pidfd.signal(libc::SIGKILL);
                }
            }
            // Gone already.
            Err(Errno::ESRCH) => {}
            Err(_) => {
                let _ = kill(pid, Signal::SIGKILL);
            }
        }
    }
}

/// A process's pidfd: a handle that names that process and no other, for as
/// long as it is held. nix has no wrapper for these calls.
struct Pidfd(OwnedFd);

impl Pidfd {
    fn open(pid: Pid) -> Result<Self, Errno> {
        // SAFETY: pidfd_open takes a PID and flags, no pointers.
        let fd = Errno::result(unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) })?;
        let fd = i32::try_from(fd).map_err(|_| Errno::EBADF)?;
        // SAFETY: the kernel just opened this descriptor for us alone.
        Ok(Pidfd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// `signal` to the process (0 only checks that it is alive).
    fn signal(&self, signal: i32) -> Result<(), Errno> {
        // SAFETY: a live pidfd, a signal number, no siginfo (null), no flags.
        let answer = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                signal,
                ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        Errno::result(answer).map(drop)
    }
}

/// Every live process whose chain of parents leads to `root`, read from /proc.
pub(crate) fn descendants(root: Pid) -> Vec<Pid> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let Ok(entries) = Dir::open("/proc", flags, Mode::empty()) else {
        return Vec::new();
    };
    // (pid, parent) for every process, in /proc's order, which is by PID.
    let links: Vec<(Pid, Pid)> = entries
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str().ok()?.parse().ok())
        .filter_map(|pid| Some((Pid::from_raw(pid), parent(Pid::from_raw(pid))?)))
        .collect();
    let by_pid = links.is_sorted_by_key(|&(pid, _)| pid);
    let index_of = |wanted: Pid| match by_pid {
        true => links.binary_search_by_key(&wanted, |&(pid, _)| pid).ok(),
        false => links.iter().position(|&(pid, _)| pid == wanted),
    };
    // A process is in the tree when its parent is `root` or in the tree.
    // Passes over the list mark them until one marks nothing new; parents
    // mostly come before their children, so one or two passes do.
    let mut in_tree = vec![false; links.len()];
    let mut marked_more = true;
    while marked_more {
        marked_more = false;
        for (index, &(_, parent)) in links.iter().enumerate() {
            if !in_tree[index] && (parent == root || index_of(parent).is_some_and(|i| in_tree[i])) {
                in_tree[index] = true;
                marked_more = true;
            }
        }
    }
    links
        .iter()
        .zip(in_tree)
        .filter_map(|(&(pid, _), in_tree)| in_tree.then_some(pid))
        .collect()
}

/// The parent of `pid`, from `/proc/<pid>/stat`.
fn parent(pid: Pid) -> Option<Pid> {
    let path = format!("/proc/{pid}/stat");
    let file = open(
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    // A stat line is a few hundred bytes; a command name is at most 64.
    let mut stat = [0u8; 1024];
    let read = nix::unistd::read(&file, &mut stat).ok()?;
    parent_of(&stat[..read]).map(Pid::from_raw)
}

/// The parent PID from the text of `/proc/<pid>/stat`: the second field after
/// the command name, which is in parentheses and may itself hold `)`.
fn parent_of(stat: &[u8]) -> Option<i32> {
    let after_name = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[after_name + 1..]).ok()?;
    let mut fields = rest.split_ascii_whitespace();
    let _state = fields.next()?;
    fields
        .next()?
        .parse()
        .ok()
        .filter(|&parent: &i32| parent >= 0)
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
    fn kill_all_kills_a_listed_child_through_its_pidfd() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        kill_all(&[pid], Pid::this());
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
    }

    #[test]
    fn kill_all_spares_a_process_that_is_not_in_the_tree() {
        // Listed under the wrong root (as a reused PID would be): the check
        // of its parent keeps it alive.
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        kill_all(&[pid], Pid::from_raw(1));
        let alive = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(alive);
    }

    #[test]
    fn a_spawned_child_is_listed_among_our_descendants() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let listed = descendants(Pid::this()).contains(&Pid::from_raw(child.id() as i32));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(listed);
    }
}
