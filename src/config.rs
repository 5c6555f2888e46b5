//! What the user asked for, as values: the command, the mode, and the tables
//! the supervisor consults (rewrites, delays, exit statuses). The command
//! line builds a `Config` (cli.rs); the spawner and the supervisor read it.
//! Nothing here makes a system call.

use std::ffi::OsString;
use std::time::Duration;

use crate::log::Log;
use crate::signal_names::MAXSIG;

/// Everything dumb-init needs to run a command.
#[derive(Debug, PartialEq)]
pub struct Config {
    pub command: Vec<OsString>,
    pub mode: Mode,
    pub log: Log,
    /// Become the child subreaper when not PID 1 (`--subreaper`).
    pub subreaper: bool,
    /// The signal to receive when the parent dies (`--pdeathsig`).
    pub pdeathsig: Option<i32>,
    /// `DUMB_INIT_DEBUG=1` turned verbose output on.
    pub debug_from_env: bool,
    /// `DUMB_INIT_SETSID=0` turned single-child mode on.
    pub single_child_from_env: bool,
    pub start: Start,
    pub supervision: Supervision,
    /// Where the three inits differ (dumb-init's defaults, or tini's or
    /// catatonit's, as their fronts set them).
    pub init: Init,
}

/// What the init does where dumb-init, tini and catatonit differ. The front
/// of each (cli.rs, tini.rs, catatonit.rs) fills it in; the spawner and the
/// supervisor read the values, never which init it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init {
    /// The child leads a process group of its own, made the foreground of
    /// the terminal found there (tini, catatonit), instead of dumb-init's
    /// session (setsid mode) or nothing (`-c`).
    pub child_group: Option<TerminalFrom>,
    /// The child starts with the signal mask and the dispositions the init
    /// was started with, these signals added to the mask (tini: none;
    /// catatonit: the job-control stops); `None`: a clean state, as
    /// dumb-init's child.
    pub inherited_mask_plus: Option<u64>,
    /// Signals the init leaves unblocked, to their default action: a
    /// kill() of one ends the init, as under tini and catatonit (the
    /// synchronous ones). Bit N: signal N.
    pub unblocked: u64,
    /// Signals the init ignores and never takes (tini's TTIN and TTOU).
    pub ignored: u64,
    /// How an exec that fails is told and what it exits with.
    pub exec_failure: ExecFailure,
    /// The init moves to `/` after the fork (dumb-init).
    pub chdir_root: bool,
    /// The init closes its descriptors from 3 up after the fork (catatonit).
    pub close_descriptors: bool,
    /// No command: wait for SIGINT or SIGTERM, then exit 0 (catatonit -P).
    pub pause: bool,
    /// Say so when neither PID 1 nor a subreaper (tini's warning).
    pub warn_without_reaper: bool,
}

impl Default for Init {
    /// dumb-init's.
    fn default() -> Self {
        Init {
            child_group: None,
            inherited_mask_plus: None,
            unblocked: 0,
            ignored: 0,
            exec_failure: ExecFailure::DumbInit,
            chdir_root: true,
            close_descriptors: false,
            pause: false,
            warn_without_reaper: false,
        }
    }
}

/// Where the child finds the terminal whose foreground it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalFrom {
    /// Standard input (tini): any error but "no terminal" ends the child.
    Stdin,
    /// /dev/tty, or standard input where it cannot be opened (catatonit).
    DevTty,
}

/// An exec that fails: its line and status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecFailure {
    /// `[dumb-init] CMD: STRERROR`, 2.
    DumbInit,
    /// `[FATAL tini (PID)] exec CMD failed: STRERROR`, 127 for ENOENT, 126
    /// for EACCES, 1 otherwise.
    Tini,
    /// `ERROR (catatonit:PID): failed to exec pid1: STRERROR`, 1.
    Catatonit,
}

/// Bit `signal` of a signal mask (0 outside 1..=64).
pub fn signal_bit(signal: i32) -> u64 {
    u32::try_from(signal)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|shift| 1u64.checked_shl(shift))
        .unwrap_or(0)
}

/// What the command starts with, beyond what dumb-init was given.
#[derive(Debug, Default, PartialEq)]
pub struct Start {
    /// `--rlimit`, in the order given (a later one for a resource wins).
    pub rlimits: Vec<Rlimit>,
    /// `--umask`.
    pub umask: Option<u32>,
    /// `--socket-activation`: LISTEN_PID naming dumb-init is made to name
    /// the command.
    pub socket_activation: bool,
    /// LISTEN_PID is read as C's `strtoll` reads it (blanks, a sign, the
    /// digits, anything after ignored), as catatonit reads it; else it must
    /// be the PID exactly.
    pub listen_pid_as_strtoll: bool,
}

/// `--rlimit RESOURCE=SOFT[:HARD]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlimit {
    /// The name as prlimit(1) and ulimit users know it, in capitals.
    pub name: &'static str,
    /// The kernel's number for it (RLIMIT_*).
    pub resource: u32,
    pub soft: Limit,
    /// `Limit::Hard` when not given: the hard limit stays.
    pub hard: Limit,
}

/// One side of a resource limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Value(u64),
    Unlimited,
    /// The current hard limit.
    Hard,
}

/// What the supervisor consults while the command runs and when it ends.
#[derive(Debug, PartialEq)]
pub struct Supervision {
    pub rewrites: RewriteTable,
    pub delays: DelayTable,
    /// How long to wait for the rest of the tree after the command exits.
    pub grace_period: Duration,
    pub exit_remap: ExitRemap,
    /// Signal every descendant, not the process group (`--tree`).
    pub tree: bool,
    /// When the command exits, signal nothing and wait for every descendant
    /// (`--wait-tree`).
    pub wait_tree: bool,
    /// `--on-signal`: the shell command to run when a signal arrives, before
    /// it is passed on; one per signal (a later one wins).
    pub hooks: Vec<Hook>,
    /// When the command exits, dumb-init sends the rest SIGTERM (through
    /// the rewrite table); tini and catatonit signal nothing.
    pub term_at_exit: bool,
    /// Signals taken but neither passed on nor acted on (catatonit's
    /// job-control stops). Bit N: signal N.
    pub swallowed: u64,
    /// Say each process reaped that is not the command (tini's `-w`).
    pub report_reaped: bool,
    /// A job-control stop passed on stops dumb-init too (dumb-init, so
    /// that Ctrl-Z suspends the whole session); not tini, not catatonit.
    pub stop_with_the_command: bool,
    /// Reap what has exited with the command before exiting (tini,
    /// catatonit); dumb-init exits at once.
    pub reap_before_exit: bool,
}

impl Default for Supervision {
    fn default() -> Self {
        Supervision {
            rewrites: RewriteTable::default(),
            delays: DelayTable::default(),
            grace_period: Duration::ZERO,
            exit_remap: ExitRemap::default(),
            tree: false,
            wait_tree: false,
            hooks: Vec::new(),
            term_at_exit: true,
            swallowed: 0,
            report_reaped: false,
            stop_with_the_command: true,
            reap_before_exit: false,
        }
    }
}

/// `--on-signal SIGNAL:COMMAND`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub signal: i32,
    pub command: String,
}

impl Config {
    /// Whether dumb-init must adopt the command's orphans (when it is not
    /// PID 1, which adopts them anyway): asked for, or needed to see the
    /// whole tree.
    pub fn adopts_orphans(&self) -> bool {
        let settings = &self.supervision;
        self.subreaper || !settings.grace_period.is_zero() || settings.tree || settings.wait_tree
    }
}

/// Which processes receive forwarded signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The child leads a new session; signals go to its whole process group.
    Setsid,
    /// Signals go to the direct child only.
    SingleChild,
}

/// A table with one slot per standard signal, 0..=MAXSIG (slot 0 unused):
/// lookups of any `i32` return `None` outside it instead of panicking. The
/// tables here and the holds of `--delay` (delay.rs) are such tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PerSignal<T>([Option<T>; MAXSIG as usize + 1]);

impl<T: Copy> Default for PerSignal<T> {
    fn default() -> Self {
        PerSignal([None; MAXSIG as usize + 1])
    }
}

impl<T: Copy> PerSignal<T> {
    pub(crate) fn get(&self, signal: i32) -> Option<T> {
        let index = usize::try_from(signal).ok()?;
        self.0.get(index).copied().flatten()
    }

    pub(crate) fn slot(&mut self, signal: i32) -> Option<&mut Option<T>> {
        let index = usize::try_from(signal).ok()?;
        self.0.get_mut(index)
    }

    /// The signals that have a value, with it, in signal order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i32, T)> + '_ {
        (0..=MAXSIG)
            .zip(&self.0)
            .filter_map(|(signal, value)| Some((signal, (*value)?)))
    }

    /// Every slot, with its signal, in signal order.
    pub(crate) fn slots_mut(&mut self) -> impl Iterator<Item = (i32, &mut Option<T>)> + '_ {
        (0..=MAXSIG).zip(self.0.iter_mut())
    }
}

/// One `-r s:r`: `from` is 1..=31, `to` is 0..=31 (0 drops the signal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub from: i32,
    pub to: i32,
}

/// What a received signal becomes: itself, or a rewritten signal (0 = drop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Translation {
    Unchanged(i32),
    Rewritten { from: i32, to: i32 },
}

impl Translation {
    /// The signal as it was received.
    pub fn incoming(self) -> i32 {
        match self {
            Translation::Unchanged(signal) | Translation::Rewritten { from: signal, .. } => signal,
        }
    }

    /// The signal to send, or `None` when the rewrite drops it.
    pub fn outgoing(self) -> Option<i32> {
        match self {
            Translation::Unchanged(signal) => Some(signal),
            Translation::Rewritten { to: 0, .. } => None,
            Translation::Rewritten { to, .. } => Some(to),
        }
    }
}

/// The `-r` rewrites in force, for signals 1..=31.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RewriteTable(PerSignal<i32>);

impl RewriteTable {
    /// Adds `from -> to`; a later rewrite of the same signal wins. A signal
    /// outside 1..=31 (which `-r` refuses) has no slot and is not rewritten.
    pub fn set(&mut self, rewrite: Rewrite) {
        if let Some(slot) = self.0.slot(rewrite.from) {
            *slot = Some(rewrite.to);
        }
    }

    /// Adds `from -> to` unless the user already rewrote `from`.
    pub fn set_default(&mut self, from: i32, to: i32) {
        if let Some(slot @ None) = self.0.slot(from) {
            *slot = Some(to);
        }
    }

    pub fn translate(&self, signal: i32) -> Translation {
        match self.0.get(signal) {
            Some(to) => Translation::Rewritten { from: signal, to },
            None => Translation::Unchanged(signal),
        }
    }
}

/// `--delay`: how long each received signal is held (none, for most).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelayTable(PerSignal<Duration>);

impl DelayTable {
    /// Holds `signal` (1..=31) for `period`; a later setting for the same
    /// signal wins.
    pub fn set(&mut self, signal: i32, period: Duration) {
        if let Some(slot) = self.0.slot(signal) {
            *slot = Some(period);
        }
    }

    pub fn get(&self, signal: i32) -> Option<Duration> {
        self.0.get(signal)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().next().is_none()
    }
}

/// `--remap-exit`: the status dumb-init exits with, for each status that the
/// command's end gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitRemap {
    to: [Option<u8>; 256],
}

impl Default for ExitRemap {
    fn default() -> Self {
        ExitRemap { to: [None; 256] }
    }
}

impl ExitRemap {
    /// Maps `from` to `to`; a later mapping of the same status wins.
    pub fn set(&mut self, from: u8, to: u8) {
        if let Some(slot) = self.to.get_mut(usize::from(from)) {
            *slot = Some(to);
        }
    }

    /// The status to exit with for `status` (mappings are not chained).
    pub fn map(&self, status: i32) -> i32 {
        usize::try_from(status)
            .ok()
            .and_then(|index| self.to.get(index).copied().flatten())
            .map_or(status, i32::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rewrite_table_rewrites_only_what_was_set() {
        let mut table = RewriteTable::default();
        table.set(Rewrite { from: 15, to: 3 });
        table.set(Rewrite { from: 2, to: 0 });
        assert_eq!(table.translate(15).outgoing(), Some(3));
        assert_eq!(table.translate(2).outgoing(), None);
        assert_eq!(table.translate(1), Translation::Unchanged(1));
        assert_eq!(table.translate(40), Translation::Unchanged(40));
        assert_eq!(table.translate(-1), Translation::Unchanged(-1));
    }

    #[test]
    fn defaults_do_not_override_user_rewrites() {
        let mut table = RewriteTable::default();
        table.set(Rewrite { from: 20, to: 10 });
        table.set_default(20, 19);
        table.set_default(21, 19);
        assert_eq!(table.translate(20).outgoing(), Some(10));
        assert_eq!(table.translate(21).outgoing(), Some(19));
    }

    #[test]
    fn signals_outside_the_tables_are_ignored_not_a_panic() {
        let mut rewrites = RewriteTable::default();
        rewrites.set(Rewrite { from: 64, to: 3 });
        rewrites.set(Rewrite { from: -3, to: 3 });
        rewrites.set_default(i32::MAX, 3);
        assert_eq!(rewrites, RewriteTable::default());
        let mut delays = DelayTable::default();
        delays.set(32, Duration::from_secs(1));
        delays.set(i32::MIN, Duration::from_secs(1));
        assert!(delays.is_empty());
        assert_eq!(delays.get(i32::MAX), None);
    }

    #[test]
    fn the_last_delay_for_a_signal_wins() {
        let mut table = DelayTable::default();
        table.set(15, Duration::from_secs(5));
        table.set(15, Duration::from_millis(300));
        assert_eq!(table.get(15), Some(Duration::from_millis(300)));
        assert!(!table.is_empty());
        assert!(DelayTable::default().is_empty());
    }

    #[test]
    fn exit_remap_maps_only_what_was_set_and_the_last_mapping_wins() {
        let mut remap = ExitRemap::default();
        remap.set(143, 0);
        remap.set(2, 0);
        remap.set(2, 9);
        assert_eq!((remap.map(143), remap.map(2), remap.map(1)), (0, 9, 1));
        assert_eq!((remap.map(-1), remap.map(256)), (-1, 256));
    }
}
