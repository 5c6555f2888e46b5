//! The processes under the supervisor: becoming a child subreaper so that
//! orphans of the command come back to us, and listing what is left of the
//! tree when the grace period ends.

use std::fs;

use nix::unistd::Pid;

use crate::log::{self, Log};
use crate::strerror::Strerror;

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
        Err(errno) => log::error!(
            "Unable to become a child subreaper (errno={} {}).",
            errno as i32,
            Strerror::from(errno)
        ),
    }
}

/// Every live process whose chain of parents leads to `root`, read from /proc.
pub fn descendants(root: Pid) -> Vec<Pid> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    // (parent, pid) for every process, sorted so that one parent's children
    // sit together.
    let mut links: Vec<(i32, i32)> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter_map(|pid: i32| {
            let stat = fs::read(format!("/proc/{pid}/stat")).ok()?;
            Some((parent_of(&stat)?, pid))
        })
        .collect();
    links.sort_unstable();
    let mut found = Vec::new();
    let mut queue = vec![root.as_raw()];
    while let Some(parent) = queue.pop() {
        let first = links.partition_point(|&(p, _)| p < parent);
        for &(_, child) in links[first..].iter().take_while(|&&(p, _)| p == parent) {
            found.push(Pid::from_raw(child));
            queue.push(child);
        }
    }
    found
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
