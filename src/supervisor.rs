//! The supervisor: waits in the kernel for signals, forwards them through the
//! rewrite table, reaps every child, and when the command exits sends SIGTERM
//! to what is left and exits with the command's status. The decisions are pure
//! functions (`decide`, `ChildExit::status`); `Supervisor` carries them out.

use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::libc;
use nix::sys::wait::WaitPidFlag;
use nix::unistd::Pid;
use signal_hook::consts::signal::{
    SIGCHLD, SIGCONT, SIGHUP, SIGKILL, SIGPIPE, SIGSTOP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};

use crate::config::{Mode, RewriteTable, Supervision, Translation};
use crate::delay::{Arrival, Holds};
use crate::hooks::Hooks;
use crate::kernel_signals::{self, KernelSigset, Received};
use crate::log::{self, Log};
use crate::process_tree::{self, ProcNotOurs};
use crate::terminal::HandOff;

/// Blocks every signal, so that none is lost before the supervisor waits for
/// it, then sets every disposition to the default, which the command inherits.
pub fn take_over_signals() {
    kernel_signals::block(&KernelSigset::all());
    kernel_signals::reset_dispositions();
}

/// Where forwarded signals go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardTarget {
    /// The process group the child leads (setsid mode).
    Group(Pid),
    /// The child alone (single-child mode).
    Child(Pid),
    /// Every descendant, each through a pidfd (`--tree`); the child leads
    /// the group to fall back on where /proc cannot be read.
    Tree(Pid),
}

impl ForwardTarget {
    pub fn new(mode: Mode, child: Pid, tree: bool) -> Self {
        match (mode, tree) {
            (_, true) => ForwardTarget::Tree(child),
            (Mode::Setsid, false) => ForwardTarget::Group(child),
            (Mode::SingleChild, false) => ForwardTarget::Child(child),
        }
    }

    /// The `pid` argument to `kill(2)`.
    fn kill_argument(self) -> libc::pid_t {
        match self {
            ForwardTarget::Group(leader) | ForwardTarget::Tree(leader) => {
                leader.as_raw().saturating_neg()
            }
            ForwardTarget::Child(child) => child.as_raw(),
        }
    }
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChildExit {
    Exited(i32),
    Signaled(i32),
}

impl ChildExit {
    /// dumb-init's exit status for this: the code, or 128 + the signal.
    pub fn status(self) -> i32 {
        match self {
            ChildExit::Exited(code) => code,
            ChildExit::Signaled(signal) => signal.saturating_add(128),
        }
    }
}

/// What to do with one received signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A SIGPIPE we raised ourselves by writing a line to a stderr nobody
    /// reads: dropped without a word. Forwarding it would kill the command,
    /// and logging it would raise the next one, a loop that never reaps.
    DropOwnSigpipe,
    /// The kernel's SIGHUP or SIGCONT after TIOCNOTTY: dropped, once.
    SwallowHandOff,
    /// SIGCHLD: reap whatever has exited.
    Reap,
    /// Anything else: forward (after rewriting), and for job-control stops
    /// stop ourselves too, so that Ctrl-Z suspends the whole session.
    Forward {
        translation: Translation,
        suspend_self: bool,
    },
}

/// Decides what a received signal means. Consumes a pending hand-off ignore.
pub(crate) fn decide(received: Received, hand_off: &mut HandOff, rewrites: &RewriteTable) -> Step {
    let signal = received.signal;
    if signal == SIGPIPE && received.sent_by_self() {
        return Step::DropOwnSigpipe;
    }
    let pending = match signal {
        SIGHUP => Some(&mut hand_off.sighup),
        SIGCONT => Some(&mut hand_off.sigcont),
        _ => None,
    };
    if let Some(pending @ true) = pending {
        *pending = false;
        return Step::SwallowHandOff;
    }
    if signal == SIGCHLD {
        return Step::Reap;
    }
    Step::Forward {
        translation: rewrites.translate(signal),
        suspend_self: suspends(signal),
    }
}

/// Job-control stops: forwarded, and then dumb-init stops itself too.
fn suspends(signal: i32) -> bool {
    matches!(signal, SIGTSTP | SIGTTOU | SIGTTIN)
}

/// The running supervisor.
pub struct Supervisor {
    child: Pid,
    target: ForwardTarget,
    hand_off: HandOff,
    log: Log,
    settings: Supervision,
    holds: Holds,
    hooks: Hooks,
    /// The command has been reaped: its PID may name another process now.
    child_reaped: bool,
    /// The tree could not be read: said once, then the group is signalled.
    said_proc_is_not_ours: bool,
}

impl Supervisor {
    /// The supervisor of `child`, which is signalled through `target`.
    pub fn new(
        child: Pid,
        target: ForwardTarget,
        settings: Supervision,
        hand_off: HandOff,
        log: Log,
    ) -> Self {
        Supervisor {
            child,
            target,
            hand_off,
            log,
            hooks: Hooks::new(&settings.hooks),
            settings,
            holds: Holds::default(),
            child_reaped: false,
            said_proc_is_not_ours: false,
        }
    }

    /// Runs until the child exits, and the rest as asked; returns dumb-init's
    /// exit status.
    pub fn run(mut self) -> i32 {
        let exit = loop {
            match self.next_step(self.holds_timeout()) {
                Some(Step::Reap) => {
                    if let Some(exit) = self.reap_until_child_exits() {
                        break exit;
                    }
                }
                Some(Step::Forward {
                    translation,
                    suspend_self,
                }) => self.forward_or_hold(translation, suspend_self),
                _ => {}
            }
            self.forward_held_signals_due();
        };
        match self.settings.wait_tree {
            true => self.wait_for_the_tree(),
            false => self.end_the_rest(),
        }
        self.hooks.kill_all();
        let status = exit.status();
        log::debug!(self.log, "Child exited with status {status}. Goodbye.");
        let mapped = self.settings.exit_remap.map(status);
        if mapped != status {
            log::debug!(
                self.log,
                "Exiting with status {mapped} for {status} (remapped)."
            );
        }
        mapped
    }

    /// How long the signal wait may last: until the next held signal is
    /// due, or with no hold in progress until a signal comes.
    fn holds_timeout(&self) -> Option<Duration> {
        time_left(self.holds.next_due())
    }

    /// Forwards a received signal, unless `--delay` or its `--on-signal`
    /// hook holds it; a second arrival of a held signal goes at once.
    fn forward_or_hold(&mut self, translation: Translation, suspend_self: bool) {
        let signal = translation.incoming();
        if self.holds.cut_short(signal) {
            log::debug!(
                self.log,
                "Signal {signal} arrived again while held: forwarding it now."
            );
            return self.forward(translation, suspend_self);
        }
        let hook = self.hooks.start(signal, self.log);
        match self
            .holds
            .arrive(signal, &self.settings.delays, hook, Instant::now)
        {
            Arrival::Forward => self.forward(translation, suspend_self),
            Arrival::Held { period, hook } => {
                if let Some(period) = period {
                    log::debug!(
                        self.log,
                        "Holding signal {signal} for {} ms before forwarding it.",
                        log::millis(period)
                    );
                }
                if hook {
                    log::debug!(
                        self.log,
                        "Holding signal {signal} until its hook has exited."
                    );
                }
            }
        }
    }

    fn forward_held_signals_due(&mut self) {
        while let Some(signal) = self.holds.take_due(Instant::now) {
            log::debug!(
                self.log,
                "Signal {signal} is held no longer: forwarding it now."
            );
            self.forward(self.settings.rewrites.translate(signal), suspends(signal));
        }
    }

    /// Waits for the next signal (up to `timeout`), decides what it means and
    /// logs it as the reference does; the caller carries the step out.
    fn next_step(&mut self, timeout: Option<Duration>) -> Option<Step> {
        let received = kernel_signals::wait(&KernelSigset::all(), timeout)?;
        let signal = received.signal;
        let step = decide(received, &mut self.hand_off, &self.settings.rewrites);
        if !matches!(step, Step::DropOwnSigpipe) {
            log::debug!(self.log, "Received signal {signal}.");
        }
        if matches!(step, Step::SwallowHandOff) {
            log::debug!(self.log, "Ignoring tty hand-off signal {signal}.");
        }
        Some(step)
    }

    fn forward(&mut self, translation: Translation, suspend_self: bool) {
        if let Translation::Rewritten { from, to } = translation {
            log::debug!(self.log, "Translating signal {from} to {to}.");
        }
        match translation.outgoing() {
            Some(signal) => {
                self.send(signal);
                log::debug!(self.log, "Forwarded signal {signal} to children.");
            }
            None => log::debug!(self.log, "Not forwarding signal 0 to children (ignored)."),
        }
        if suspend_self {
            log::debug!(self.log, "Suspending self due to TTY signal.");
            let _ = signal_hook::low_level::raise(SIGSTOP);
        }
    }

    /// `signal` to the target. Until the child has called setsid() its
    /// process group does not exist: a signal that arrives that early (the
    /// parent-death signal raised at start-up, a stop sent at once) goes to
    /// the child itself, which keeps it blocked and pending until its exec,
    /// where the command receives it. Never once the child is reaped: its
    /// PID may be another process's by then. A group or child already gone
    /// is not an error here.
    fn send(&mut self, signal: i32) {
        if let ForwardTarget::Tree(_) = self.target {
            let hooks = &self.hooks;
            match process_tree::signal_tree(Pid::this(), signal, |member| hooks.spares(member)) {
                Ok(_) => return,
                Err(ProcNotOurs) if !self.said_proc_is_not_ours => {
                    log::error!(
                        "/proc is not this namespace's, so the tree cannot be read: signals go \
                         to the process group instead."
                    );
                    self.said_proc_is_not_ours = true;
                }
                Err(ProcNotOurs) => {}
            }
        }
        let sent = process_tree::send(self.target.kill_argument(), signal);
        if let (Err(Errno::ESRCH), ForwardTarget::Group(leader) | ForwardTarget::Tree(leader)) =
            (sent, self.target)
            && !self.child_reaped
        {
            let _ = process_tree::send(leader.as_raw(), signal);
        }
    }

    /// Reaps every child that has exited; returns the command's exit if it
    /// was among them.
    fn reap_until_child_exits(&mut self) -> Option<ChildExit> {
        while let Reaped::One(pid, exit) = self.reap() {
            if pid == self.child {
                self.child_reaped = true;
                return Some(exit);
            }
        }
        None
    }

    /// Reaps one child without waiting; a hook's end lets its signal go on.
    fn reap(&mut self) -> Reaped {
        let reaped = reap(self.log, WaitPidFlag::WNOHANG);
        if let Reaped::One(pid, exit) = reaped
            && let Some(signal) = self.hooks.exited(pid, exit.status(), self.log)
        {
            self.holds.hook_done(signal);
        }
        reaped
    }

    /// The command has exited: held signals are dropped, SIGTERM goes to what
    /// is left, then the grace period if asked for.
    fn end_the_rest(&mut self) {
        for signal in self.holds.drop_all() {
            log::debug!(
                self.log,
                "Dropping held signal {signal}: the command has exited."
            );
        }
        self.forward(self.settings.rewrites.translate(SIGTERM), false);
        if !self.settings.grace_period.is_zero() {
            self.wait_for_the_rest();
        }
    }

    /// `--wait-tree`: the command has exited and nothing is signalled.
    /// Reaps, and passes signals on to the whole tree (held ones too, when
    /// due), until no descendant is left. A SIGTERM starts the grace period,
    /// if one is set, after which what is left is killed.
    fn wait_for_the_tree(&mut self) {
        self.target = ForwardTarget::Tree(self.child);
        log::debug!(
            self.log,
            "Waiting for the rest of the tree to exit (--wait-tree)."
        );
        // Once a SIGTERM has come: when the grace period ends (`None`: a
        // period the clock cannot reach, which never ends).
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            match self.reap() {
                Reaped::One(..) => continue,
                Reaped::NoneLeft => {
                    log::debug!(self.log, "No process is left.");
                    return;
                }
                Reaped::StillRunning => {}
            }
            let until_deadline = time_left(deadline.flatten());
            if until_deadline.is_some_and(|left| left.is_zero()) {
                self.kill_the_rest();
                return;
            }
            if let Some(Step::Forward {
                translation,
                suspend_self,
            }) = self.next_step(sooner(until_deadline, self.holds_timeout()))
            {
                let period = self.settings.grace_period;
                if translation.incoming() == SIGTERM && !period.is_zero() && deadline.is_none() {
                    log::debug!(
                        self.log,
                        "Waiting up to {} ms for the remaining processes to exit.",
                        log::millis(period)
                    );
                    deadline = Some(Instant::now().checked_add(period));
                }
                self.forward_or_hold(translation, suspend_self);
            }
            self.forward_held_signals_due();
        }
    }

    /// Reaps until no process is left under us or the grace period ends, then
    /// kills what remains. Signals that arrive meanwhile are still forwarded.
    fn wait_for_the_rest(&mut self) {
        let started = Instant::now();
        let period = self.settings.grace_period;
        // A period the clock cannot reach lasts until the tree is empty.
        let deadline = started.checked_add(period);
        // Whole milliseconds: formatting an f64 would link the float
        // printing code for this one line.
        log::debug!(
            self.log,
            "Waiting up to {} ms for the remaining processes to exit.",
            log::millis(period)
        );
        loop {
            match self.reap() {
                Reaped::One(..) => continue,
                Reaped::NoneLeft => {
                    log::debug!(
                        self.log,
                        "All remaining processes exited after {} ms.",
                        log::millis(started.elapsed())
                    );
                    return;
                }
                Reaped::StillRunning => {}
            }
            let left = time_left(deadline);
            if left.is_some_and(|left| left.is_zero()) {
                break;
            }
            match self.next_step(left) {
                // The group and the tree outlive the child; a lone child's
                // PID, once reaped, may belong to someone else, so nothing
                // goes there.
                Some(Step::Forward {
                    translation,
                    suspend_self,
                }) if !matches!(self.target, ForwardTarget::Child(_)) => {
                    self.forward(translation, suspend_self)
                }
                _ => {}
            }
        }
        self.kill_the_rest();
    }

    /// SIGKILL to what is left of the tree, read again until nothing is
    /// left; as PID 1 of a namespace whose /proc cannot be read, to every
    /// process in it. Done within `KILL_BOUND`: what a SIGKILL cannot end
    /// (a process stuck in the kernel) or what cannot be found is left.
    fn kill_the_rest(&mut self) {
        let me = Pid::this();
        let deadline = Instant::now().checked_add(KILL_BOUND);
        let mut told = false;
        loop {
            match process_tree::signal_tree(me, SIGKILL, |_| false) {
                Ok(killed) if killed > 0 && !told => log::debug!(
                    self.log,
                    "Grace period over; sending SIGKILL to {killed} remaining processes."
                ),
                Ok(_) => {}
                Err(ProcNotOurs) if me.as_raw() == 1 => {
                    if !told {
                        log::debug!(
                            self.log,
                            "Grace period over; /proc is not this namespace's: sending SIGKILL to \
                             every process in it."
                        );
                    }
                    let _ = process_tree::send(-1, SIGKILL);
                }
                Err(ProcNotOurs) => {
                    // Nothing was killed, so nothing is worth waiting for.
                    log::error!(
                        "Grace period over, but /proc is not this namespace's: the \
                         remaining processes cannot be found, and are left running."
                    );
                    return;
                }
            }
            told = true;
            // A round: reap what the SIGKILL ended; what is still there
            // after it (orphans of the killed, reparented here) is read again.
            let until = sooner(Instant::now().checked_add(KILL_ROUND), deadline);
            if self.reap_until_none_left(until) || until == deadline {
                return;
            }
        }
    }

    /// Reaps until no child is left (true) or `until` passes (false),
    /// sleeping in the kernel until a signal comes. Signals that come are
    /// dropped: the tree is being killed.
    fn reap_until_none_left(&mut self, until: Option<Instant>) -> bool {
        loop {
            match self.reap() {
                Reaped::One(..) => continue,
                Reaped::NoneLeft => return true,
                Reaped::StillRunning => {}
            }
            let left = time_left(until);
            if left.is_some_and(|left| left.is_zero()) {
                return false;
            }
            let _ = kernel_signals::wait(&KernelSigset::all(), left);
        }
    }
}

/// How long the grace period's SIGKILL may take to empty the tree: dumb-init
/// never waits longer than the grace period and this.
const KILL_BOUND: Duration = Duration::from_secs(1);
/// How long a round of the SIGKILL waits before reading the tree again.
const KILL_ROUND: Duration = Duration::from_millis(100);

/// The time from now until `deadline`, zero once it has passed; `None` for
/// no deadline.
fn time_left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()))
}

/// The sooner of two optional moments or timeouts; either one alone if the
/// other is `None`.
fn sooner<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The result of one `waitpid(-1, ...)`.
enum Reaped {
    One(Pid, ChildExit),
    StillRunning,
    NoneLeft,
}

/// Reaps one child, logging it as the reference does. The raw status is
/// decoded here, with libc's waitpid: nix's `WaitStatus` cannot represent a
/// death by a real-time signal (its waitpid reaps the child, then returns an
/// error), and a reaped child must never go unnoticed.
fn reap(log: Log, flags: WaitPidFlag) -> Reaped {
    loop {
        let mut status = 0;
        // SAFETY: status is a live int for waitpid to write to.
        let pid = unsafe { libc::waitpid(-1, &mut status, flags.bits()) };
        if pid == 0 {
            return Reaped::StillRunning;
        }
        if pid < 0 {
            if Errno::last() == Errno::EINTR {
                continue;
            }
            return Reaped::NoneLeft;
        }
        let pid = Pid::from_raw(pid);
        let exit = if libc::WIFEXITED(status) {
            let code = libc::WEXITSTATUS(status);
            log::debug!(
                log,
                "A child with PID {pid} exited with exit status {code}."
            );
            ChildExit::Exited(code)
        } else if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            log::debug!(
                log,
                "A child with PID {pid} was terminated by signal {signal}."
            );
            ChildExit::Signaled(signal)
        } else {
            // Stops and continues are not asked for.
            continue;
        };
        return Reaped::One(pid, exit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rewrite;
    use signal_hook::consts::signal::{SIGINT, SIGQUIT, SIGUSR1};

    /// A signal as another process sends it.
    fn sent(signal: i32) -> Received {
        Received {
            signal,
            code: libc::SI_USER,
            sender: 1,
        }
    }

    fn default_setsid_table() -> RewriteTable {
        let mut table = RewriteTable::default();
        for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
            table.set_default(signal, SIGSTOP);
        }
        table
    }

    #[test]
    fn sigterm_is_forwarded_unchanged_by_default() {
        let step = decide(
            sent(SIGTERM),
            &mut HandOff::default(),
            &RewriteTable::default(),
        );
        assert_eq!(
            step,
            Step::Forward {
                translation: Translation::Unchanged(SIGTERM),
                suspend_self: false
            }
        );
    }

    #[test]
    fn sigchld_reaps_and_is_never_forwarded() {
        let mut table = RewriteTable::default();
        table.set(Rewrite {
            from: SIGCHLD,
            to: SIGUSR1,
        });
        assert_eq!(
            decide(sent(SIGCHLD), &mut HandOff::default(), &table),
            Step::Reap
        );
    }

    #[test]
    fn rewritten_signals_carry_their_translation() {
        let mut table = RewriteTable::default();
        table.set(Rewrite {
            from: SIGTERM,
            to: SIGQUIT,
        });
        table.set(Rewrite {
            from: SIGINT,
            to: 0,
        });
        let term = decide(sent(SIGTERM), &mut HandOff::default(), &table);
        let int = decide(sent(SIGINT), &mut HandOff::default(), &table);
        assert!(
            matches!(term, Step::Forward { translation, .. } if translation.outgoing() == Some(SIGQUIT))
        );
        assert!(
            matches!(int, Step::Forward { translation, .. } if translation.outgoing().is_none())
        );
    }

    #[test]
    fn job_control_stops_become_sigstop_and_suspend_the_supervisor() {
        let table = default_setsid_table();
        for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
            let step = decide(sent(signal), &mut HandOff::default(), &table);
            assert_eq!(
                step,
                Step::Forward {
                    translation: Translation::Rewritten {
                        from: signal,
                        to: SIGSTOP
                    },
                    suspend_self: true
                }
            );
        }
    }

    #[test]
    fn hand_off_signals_are_swallowed_exactly_once() {
        let table = RewriteTable::default();
        let mut hand_off = HandOff {
            sighup: true,
            sigcont: true,
        };
        assert_eq!(
            decide(sent(SIGHUP), &mut hand_off, &table),
            Step::SwallowHandOff
        );
        assert_eq!(
            decide(sent(SIGCONT), &mut hand_off, &table),
            Step::SwallowHandOff
        );
        assert!(matches!(
            decide(sent(SIGHUP), &mut hand_off, &table),
            Step::Forward { .. }
        ));
        assert!(matches!(
            decide(sent(SIGCONT), &mut hand_off, &table),
            Step::Forward { .. }
        ));
    }

    #[test]
    fn a_sigpipe_we_raised_ourselves_is_dropped_and_one_sent_to_us_is_forwarded() {
        let table = RewriteTable::default();
        let own = Received {
            signal: SIGPIPE,
            code: libc::SI_USER,
            sender: std::process::id() as i32,
        };
        assert_eq!(
            decide(own, &mut HandOff::default(), &table),
            Step::DropOwnSigpipe
        );
        assert!(matches!(
            decide(sent(SIGPIPE), &mut HandOff::default(), &table),
            Step::Forward { .. }
        ));
    }

    #[test]
    fn realtime_signals_are_forwarded_as_they_are() {
        let step = decide(sent(40), &mut HandOff::default(), &default_setsid_table());
        assert_eq!(
            step,
            Step::Forward {
                translation: Translation::Unchanged(40),
                suspend_self: false
            }
        );
    }

    #[test]
    fn exit_status_is_the_code_or_128_plus_the_signal() {
        assert_eq!(ChildExit::Exited(0).status(), 0);
        assert_eq!(ChildExit::Exited(255).status(), 255);
        assert_eq!(ChildExit::Signaled(9).status(), 137);
        assert_eq!(ChildExit::Signaled(15).status(), 143);
    }

    #[test]
    fn setsid_mode_signals_the_group_and_single_child_mode_the_child() {
        let child = Pid::from_raw(4242);
        assert_eq!(
            ForwardTarget::new(Mode::Setsid, child, false).kill_argument(),
            -4242
        );
        assert_eq!(
            ForwardTarget::new(Mode::SingleChild, child, false).kill_argument(),
            4242
        );
    }
}
