//! The processes around the supervisor: becoming a child subreaper so that
//! orphans of the command come back to us, reading the tree of descendants
//! from /proc and signalling its members through pidfds (the grace period's
//! SIGKILL, `--tree`), and the signal that the parent's death sends.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr;

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sys::signal::Signal;
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
        Ok(()) => {
            log::debug!(
                log,
                "Became a child subreaper: orphans of the command are reaped here."
            );
            log::said(log, log::Said::BecameSubreaper);
        }
        Err(errno) => log::error!("Unable to become a child subreaper ({}).", Why(errno)),
    }
}

/// Whether orphans come back to this process: it is PID 1, or a child
/// subreaper.
pub fn reaps_orphans() -> bool {
    Pid::this().as_raw() == 1 || nix::sys::prctl::get_child_subreaper().unwrap_or(false)
}

/// Closes every descriptor from `first` up, in the init (catatonit does, so
/// that it holds nothing the command was given).
pub fn close_descriptors_from(first: u32) {
    // SAFETY: close_range takes three integers; closing descriptors nobody
    // here uses (the supervisor holds none) is sound.
    let closed = unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0) };
    if closed == 0 {
        return;
    }
    // Kernels before 5.9: each descriptor the limit allows (at most 2^16).
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(1024, |(soft, _)| {
            usize::try_from(soft).unwrap_or(usize::MAX)
        })
        .min(1 << 16);
    for fd in usize::try_from(first).unwrap_or(usize::MAX)..soft {
        // SAFETY: as above; a descriptor that is not open gives EBADF.
        unsafe { libc::close(i32::try_from(fd).unwrap_or(i32::MAX)) };
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

/// A process of the tree, as /proc showed it when the tree was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub pid: Pid,
    pub parent: Pid,
    /// Its process group.
    pub group: Pid,
    /// When it started, in clock ticks since boot: with the PID, it names
    /// this process and no other, even once the PID is reused.
    start: u64,
}

/// Why the tree cannot be read from /proc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TreeUnreadable {
    /// /proc is not this PID namespace's (the namespace has none of its own
    /// mounted, or something hides it).
    NotOurs,
    /// No descriptor is left to read /proc with (EMFILE, ENFILE).
    Descriptors(Errno),
}

impl std::fmt::Display for TreeUnreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TreeUnreadable::NotOurs => f.write_str("/proc is not this namespace's"),
            TreeUnreadable::Descriptors(errno) => {
                write!(
                    f,
                    "no descriptor is left to read /proc with ({})",
                    Why(*errno)
                )
            }
        }
    }
}

/// Whether an error opening a file means that no descriptor is left.
fn out_of_descriptors(errno: Errno) -> bool {
    matches!(errno, Errno::EMFILE | Errno::ENFILE)
}

/// Whether /proc is this process's namespace's: `/proc/self` names our PID
/// there only when it is.
pub(crate) fn proc_is_ours() -> bool {
    nix::fcntl::readlink("/proc/self")
        .ok()
        .and_then(|link| link.to_str()?.parse::<i32>().ok())
        == Some(Pid::this().as_raw())
}

/// Every process whose chain of parents leads to `root`, read from /proc, in
/// /proc's order, which is by PID. One descriptor at a time: the directory
/// is read whole and closed before the first `stat` file is opened.
pub(crate) fn descendants(root: Pid) -> Result<Vec<Member>, TreeUnreadable> {
    let listed = read_tree(root, false)?;
    Ok(listed.into_iter().map(|(member, _)| member).collect())
}

/// How many pidfds a reading may hold at once: what the descriptor limit
/// leaves beyond a margin for the `stat` files and whatever else is open.
fn pidfds_to_hold() -> usize {
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(0, |(soft, _)| soft);
    usize::try_from(soft.saturating_sub(64)).unwrap_or(usize::MAX)
}

/// The tree as `descendants` reads it, each member with the pidfd taken
/// (if `with_pidfds`) just before its `stat` file was read: a pidfd that
/// names the process the reading found, or one that died since, never a
/// process that took its PID later. Where no descriptor is left for it,
/// none.
fn read_tree(root: Pid, with_pidfds: bool) -> Result<Vec<(Member, Option<Pidfd>)>, TreeUnreadable> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let pids: Vec<i32> = match Dir::open("/proc", flags, Mode::empty()) {
        Ok(entries) => entries
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.file_name().to_str().ok()?.parse().ok())
            .collect(),
        Err(errno) if out_of_descriptors(errno) => {
            return Err(TreeUnreadable::Descriptors(errno));
        }
        Err(_) => return Err(TreeUnreadable::NotOurs),
    };
    if !proc_is_ours() {
        return Err(TreeUnreadable::NotOurs);
    }
    let mut all = Vec::with_capacity(pids.len());
    let mut room = match with_pidfds {
        true => pidfds_to_hold(),
        false => 0,
    };
    for pid in pids {
        let pid = Pid::from_raw(pid);
        let pidfd = match room.checked_sub(1) {
            Some(left) => match Pidfd::open(pid) {
                Ok(pidfd) => {
                    room = left;
                    Some(pidfd)
                }
                Err(Errno::ESRCH) => continue,
                Err(_) => None,
            },
            None => None,
        };
        match member(pid) {
            Ok(Some(member)) => all.push((member, pidfd)),
            Ok(None) => {}
            Err(errno) => return Err(TreeUnreadable::Descriptors(errno)),
        }
    }
    let by_pid = all.is_sorted_by_key(|(member, _)| member.pid);
    let index_of = |wanted: Pid| match by_pid {
        true => all
            .binary_search_by_key(&wanted, |(member, _)| member.pid)
            .ok(),
        false => all.iter().position(|(member, _)| member.pid == wanted),
    };
    // A process is in the tree when its parent is `root` or in the tree.
    // Passes over the list mark them until one marks nothing new; parents
    // mostly have lower PIDs than their children (until PIDs wrap), so one
    // or two passes do.
    let mut in_tree = vec![false; all.len()];
    let mut marked_more = true;
    while marked_more {
        marked_more = false;
        for (index, (member, _)) in all.iter().enumerate() {
            let parent_in_tree = member.parent == root
                || index_of(member.parent).is_some_and(|i| in_tree.get(i) == Some(&true));
            if let Some(mark @ false) = in_tree.get_mut(index)
                && parent_in_tree
            {
                *mark = true;
                marked_more = true;
            }
        }
    }
    Ok(all
        .into_iter()
        .zip(in_tree)
        .filter_map(|(member, in_tree)| in_tree.then_some(member))
        .collect())
}

/// `signal` to each of `members` that is still the process listed, through
/// a pidfd: taken first, then the process's start time read again and
/// compared, then the signal sent through the pidfd, which fails if that
/// process has died meanwhile. A PID reused since the listing is never
/// signalled. Kernels before 5.3 have no pidfds, and with one descriptor
/// left there is no room for a pidfd beside the `stat` file: there the PID
/// itself is signalled after the same check. Returns how many were
/// signalled.
pub(crate) fn signal_each(members: &[Member], signal: i32) -> usize {
    members
        .iter()
        .filter(|listed| match Pidfd::open(listed.pid) {
            Ok(pidfd) => match member(listed.pid) {
                Ok(now) => same(listed, now) && pidfd.signal(signal).is_ok(),
                Err(_) => {
                    drop(pidfd);
                    still(listed) && send(listed.pid.as_raw(), signal).is_ok()
                }
            },
            // Gone already.
            Err(Errno::ESRCH) => false,
            Err(_) => still(listed) && send(listed.pid.as_raw(), signal).is_ok(),
        })
        .count()
}

/// Whether `now` (the PID read again) is the process `listed`.
fn same(listed: &Member, now: Option<Member>) -> bool {
    now.is_some_and(|now| now.start == listed.start)
}

/// Whether `listed`'s PID still names the process listed.
fn still(listed: &Member) -> bool {
    same(listed, member(listed.pid).ok().flatten())
}

/// `kill(2)` with any signal number (nix's `Signal` holds no real-time one).
pub(crate) fn send(target: libc::pid_t, signal: i32) -> Result<(), Errno> {
    // SAFETY: kill takes two integers, no pointers.
    Errno::result(unsafe { libc::kill(target, signal) }).map(drop)
}

/// `signal` to every descendant of `root` but those `spared`, each once.
///
/// Which processes a delivery counts as there when the signal came: those
/// that one reading of /proc, made when the signal is passed on and before
/// any of them is signalled, finds in the tree. The reading is whole before
/// the first signal goes, so no process it lists can have been started in
/// answer to this signal (a cleanup command run by a trap), and each gets
/// it once. The race this leaves: a process forked after the reading by a
/// parent that had not yet received the signal does not get it, as if it
/// had been forked just after the signal (a signal to a process group has
/// no such window: the kernel makes a fork and a group's signal exclusive).
/// The window is the time from the reading to the parent's signal
/// (docs/extensions.md has figures). Returns how many were signalled.
pub(crate) fn signal_tree(
    root: Pid,
    signal: i32,
    spared: impl Fn(&Member) -> bool,
) -> Result<usize, TreeUnreadable> {
    let mut members = read_tree(root, true)?;
    members.retain(|(member, _)| !spared(member));
    Ok(members
        .iter()
        .filter(|(listed, pidfd)| match pidfd {
            Some(pidfd) => pidfd.signal(signal).is_ok(),
            None => signal_each(std::slice::from_ref(listed), signal) == 1,
        })
        .count())
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

    /// `signal` to the process.
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

/// `pid` as `/proc/<pid>/stat` shows it now: `None` if it is gone, an
/// error if no descriptor is left to read it with.
fn member(pid: Pid) -> Result<Option<Member>, Errno> {
    let path = format!("/proc/{pid}/stat");
    let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC;
    let file = match open(path.as_str(), flags, Mode::empty()) {
        Ok(file) => file,
        Err(errno) if out_of_descriptors(errno) => return Err(errno),
        Err(_) => return Ok(None),
    };
    // A stat line is a few hundred bytes; a command name is at most 64.
    let mut stat = [0u8; 1024];
    let Ok(read) = nix::unistd::read(&file, &mut stat) else {
        return Ok(None);
    };
    let parsed = stat.get(..read).and_then(parse_stat);
    Ok(parsed.map(|(parent, group, start)| Member {
        pid,
        parent: Pid::from_raw(parent),
        group: Pid::from_raw(group),
        start,
    }))
}

/// The parent PID, the process group and the start time from the text of
/// `/proc/<pid>/stat`: the 4th, 5th and 22nd fields, counted past the
/// command name, which is in parentheses and may itself hold `)`.
fn parse_stat(stat: &[u8]) -> Option<(i32, i32, u64)> {
    let after_name = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(stat.get(after_name.checked_add(1)?..)?).ok()?;
    let mut fields = rest.split_ascii_whitespace();
    let parent = fields
        .nth(1)?
        .parse()
        .ok()
        .filter(|&parent: &i32| parent >= 0)?;
    let group = fields.next()?.parse().ok()?;
    // Fields 6 to 21 lie between the group and the start time.
    let start = fields.nth(16)?.parse().ok()?;
    Some((parent, group, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Child, Command, Stdio};

    const STAT: &[u8] = b"42 (we (ird) name) S 7 42 42 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 \
                          123456 2949120 215 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0";

    #[test]
    fn the_parent_and_start_are_read_past_a_name_holding_parentheses() {
        assert_eq!(parse_stat(STAT), Some((7, 42, 123456)));
        assert_eq!(parse_stat(b"garbage"), None);
        assert_eq!(parse_stat(b"9 (x) S -1 9"), None);
        assert_eq!(parse_stat(b"9 (x) S 1 9"), None, "cut short");
    }

    #[test]
    fn this_test_s_proc_is_its_namespace_s() {
        assert!(proc_is_ours());
    }

    /// `sh -c script`, in a process group of its own, with its output piped.
    fn shell(script: &str) -> Child {
        Command::new("sh")
            .args(["-c", script])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap()
    }

    /// The first line of `child`'s output: a PID it printed.
    fn printed_pid(child: &mut Child) -> Pid {
        use std::io::{BufRead, BufReader};
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        Pid::from_raw(line.trim().parse().unwrap())
    }

    /// Ends `child`'s whole process group.
    fn end(mut child: Child) {
        let _ = send(-(child.id() as i32), libc::SIGKILL);
        child.wait().unwrap();
    }

    use std::os::unix::process::CommandExt;

    #[test]
    fn children_and_grandchildren_are_listed_with_their_parents() {
        // sh starts a subshell that starts a sleep: child, grandchild and
        // great-grandchild of this test.
        let mut child = shell("(sleep 30 & echo $!; wait) & wait");
        let great_grandchild = printed_pid(&mut child);
        let tree = descendants(Pid::this()).unwrap();
        let shell_pid = Pid::from_raw(child.id() as i32);
        let find = |pid: Pid| tree.iter().find(|member| member.pid == pid).copied();
        let sleep = find(great_grandchild).expect("the sleep is listed");
        let subshell = find(sleep.parent).expect("its parent is listed");
        assert_eq!(subshell.parent, shell_pid);
        assert_eq!(find(shell_pid).map(|m| m.parent), Some(Pid::this()));
        assert_eq!(find(nix::unistd::getppid()), None, "our own parent is not");
        end(child);
    }

    #[test]
    fn orphans_that_come_to_us_are_listed() {
        if Pid::this().as_raw() != 1 {
            // Orphans go to the nearest reaper: this test runs again as PID 1
            // of a PID namespace of its own, where they come to it and where
            // whatever is left ends with it.
            // Without root, in a user namespace of its own, where the kernel
            // allows one.
            // SAFETY: geteuid takes nothing and cannot fail.
            let user: &[&str] = match unsafe { libc::geteuid() } {
                0 => &[],
                _ => &["--user", "--map-root-user"],
            };
            let status = Command::new("unshare")
                .args(user)
                .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
                .arg(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "process_tree::tests::orphans_that_come_to_us_are_listed",
                ])
                .status()
                .unwrap();
            assert!(status.success(), "as PID 1: {status}");
            return;
        }
        // The subshell exits at once: its sleep is orphaned and comes here.
        let mut child = shell("(sleep 30 & echo $!) ; sleep 30");
        let orphan = printed_pid(&mut child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let tree = descendants(Pid::this()).unwrap();
            let adopted = tree
                .iter()
                .any(|m| m.pid == orphan && m.parent == Pid::this());
            if adopted {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{tree:?}");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        end(child);
    }

    #[test]
    fn signal_each_signals_a_listed_child_through_its_pidfd() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let listed = member(Pid::from_raw(child.id() as i32)).unwrap().unwrap();
        assert_eq!(signal_each(&[listed], libc::SIGKILL), 1);
        assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    }

    #[test]
    fn signal_each_spares_a_pid_that_names_another_process_now() {
        // Listed with another start time, as a reused PID would be.
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let mut listed = member(Pid::from_raw(child.id() as i32)).unwrap().unwrap();
        listed.start = listed.start.wrapping_sub(1);
        assert_eq!(signal_each(&[listed], libc::SIGKILL), 0);
        let alive = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(alive);
    }
}
