//! The supervisor: waits in the kernel for signals, forwards them through the
//! rewrite table, reaps every child, and when the command exits sends SIGTERM
//! to what is left and exits with the command's status. The decisions are pure
//! functions (`decide` for each signal received, `ChildExit::status`, and the
//! rest in policy.rs); `Supervisor` carries them out.

use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::libc;
use nix::sys::wait::WaitPidFlag;
use nix::unistd::Pid;
use signal_hook::consts::signal::{SIGCHLD, SIGCONT, SIGHUP, SIGKILL, SIGPIPE, SIGSTOP};

use crate::config::{ExitRemap, Init, Mode, RewriteTable, Supervision, Translation, signal_bit};
use crate::hooks::Hooks;
use crate::kernel_signals::{self, KernelSigset, Received};
use crate::log::{self, Log, Said};
use crate::policy::{Action, Audience, Event, Left, Policy, suspends};
use crate::process_tree::{self, TreeUnreadable};
use crate::terminal::HandOff;

/// What the command's signal state is to be, as `take_over_signals` found
/// the init's.
pub struct CommandSignals {
    /// The signals the supervisor waits for: all but those the init leaves
    /// to their default action or ignores (a synchronous signal waited for
    /// would be taken and passed on instead of ending the init, as it ends
    /// tini and catatonit).
    pub waited: KernelSigset,
    /// The mask to exec with.
    pub for_the_command: KernelSigset,
    /// Signals the init ignores that the command gets at their default.
    pub default_again: u64,
}

/// Blocks every signal but those `init` leaves unblocked, so that none is
/// lost before the supervisor waits for it. For dumb-init, then sets every
/// disposition to the default and the command starts with an empty mask;
/// for tini and catatonit, the command gets the mask and the dispositions
/// the init was started with (and the signals the init ignores for itself
/// back as it found them).
pub fn take_over_signals(init: &Init) -> CommandSignals {
    let started_with = kernel_signals::current_mask();
    kernel_signals::block(&KernelSigset::all());
    // An ignored signal that is blocked is still queued: unblocked, the
    // kernel drops it.
    let not_waited = init.unblocked | init.ignored;
    if not_waited != 0 {
        kernel_signals::unblock(&KernelSigset::none().with(not_waited, true));
    }
    let default_again = kernel_signals::ignore(init.ignored);
    let waited = KernelSigset::all().with(not_waited, false);
    match init.inherited_mask_plus {
        Some(plus) => CommandSignals {
            waited,
            for_the_command: started_with.with(plus, true),
            default_again,
        },
        None => {
            kernel_signals::reset_dispositions();
            CommandSignals {
                waited,
                for_the_command: KernelSigset::none(),
                default_again,
            }
        }
    }
}

/// catatonit's `-P`: no command; waits for SIGINT or SIGTERM and exits 0,
/// reaping what it adopts meanwhile; every other signal is dropped.
pub fn pause(waited: &KernelSigset, swallowed: u64, log: Log) -> i32 {
    loop {
        match kernel_signals::wait(waited, None).map(|r| r.signal) {
            Some(nix::libc::SIGINT | nix::libc::SIGTERM) => return 0,
            Some(SIGCHLD) => while let Reaped::One(..) = reap(log, WaitPidFlag::WNOHANG) {},
            Some(signal) if swallowed & signal_bit(signal) != 0 => {
                log::said(log, Said::Swallowed(signal))
            }
            _ => {}
        }
    }
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
    /// Where signals go while the command runs: every descendant under
    /// `--tree`, and under `--wait-tree` in setsid mode (so that a
    /// `docker stop` during the command's life reaches the daemons it
    /// started, which `--wait-tree` then waits for); else the group, or the
    /// child alone.
    pub fn new(mode: Mode, child: Pid, settings: &Supervision) -> Self {
        match (mode, settings.tree, settings.wait_tree) {
            (_, true, _) | (Mode::Setsid, _, true) => ForwardTarget::Tree(child),
            (Mode::Setsid, false, false) => ForwardTarget::Group(child),
            (Mode::SingleChild, false, _) => ForwardTarget::Child(child),
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
    /// The exit code, or the signal as a negative number.
    pub fn code_or_signal(self) -> i32 {
        match self {
            ChildExit::Exited(code) => code,
            ChildExit::Signaled(signal) => signal.saturating_neg(),
        }
    }

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
    /// A signal the init takes and drops (catatonit's job-control stops).
    Swallow,
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
/// `swallowed`: signals dropped (bit N: signal N); `stops`: whether a
/// job-control stop passed on stops dumb-init too.
pub(crate) fn decide(
    received: Received,
    hand_off: &mut HandOff,
    rewrites: &RewriteTable,
    (swallowed, stops): (u64, bool),
) -> Step {
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
    if swallowed & signal_bit(signal) != 0 {
        return Step::Swallow;
    }
    Step::Forward {
        translation: rewrites.translate(signal),
        suspend_self: stops && suspends(signal),
    }
}

/// The running supervisor: waits, asks the policy (policy.rs) what each
/// event means, and carries out what it says.
pub struct Supervisor {
    child: Pid,
    /// Where signals go while the command runs.
    target: ForwardTarget,
    /// Where signals go after the command's exit, if anywhere.
    rest: Option<ForwardTarget>,
    hand_off: HandOff,
    log: Log,
    rewrites: RewriteTable,
    exit_remap: ExitRemap,
    /// Signals dropped (bit N: signal N).
    swallowed: u64,
    /// The signals waited for (see `CommandSignals`).
    waited: KernelSigset,
    /// A job-control stop passed on stops the supervisor too.
    stop_with_the_command: bool,
    /// Reap what has exited with the command before exiting.
    reap_before_exit: bool,
    /// Say each process reaped that is not the command.
    report_reaped: bool,
    policy: Policy,
    hooks: Hooks,
    /// The command has been reaped: its PID may name another process now.
    child_reaped: bool,
    /// When the grace period started, for its last line.
    grace_started: Option<Instant>,
    /// The tree could not be read: said once, then the fallback is used.
    said_tree_unreadable: bool,
}

impl Supervisor {
    /// The supervisor of `child`, which is signalled through `target` while
    /// it runs; in `mode`, with `settings`, waiting for `waited`.
    pub fn new(
        child: Pid,
        target: ForwardTarget,
        mode: Mode,
        settings: Supervision,
        (hand_off, waited): (HandOff, KernelSigset),
        log: Log,
    ) -> Self {
        let rest = match (settings.tree || settings.wait_tree, mode) {
            (true, _) => Some(ForwardTarget::Tree(child)),
            (false, Mode::Setsid) => Some(ForwardTarget::Group(child)),
            (false, Mode::SingleChild) => None,
        };
        Supervisor {
            child,
            target,
            rest,
            hand_off,
            log,
            policy: Policy::new(&settings),
            hooks: Hooks::new(&settings.hooks),
            rewrites: settings.rewrites,
            exit_remap: settings.exit_remap,
            swallowed: settings.swallowed,
            waited,
            stop_with_the_command: settings.stop_with_the_command,
            reap_before_exit: settings.reap_before_exit,
            report_reaped: settings.report_reaped,
            child_reaped: false,
            grace_started: None,
            said_tree_unreadable: false,
        }
    }

    /// Runs until the policy says to exit; returns dumb-init's exit status.
    pub fn run(mut self) -> i32 {
        loop {
            let now = Instant::now();
            let timeout = self
                .policy
                .next_wakeup(now)
                .map(|at| at.saturating_duration_since(now));
            let done = match self.next_step(timeout) {
                Some(Step::Forward {
                    translation,
                    suspend_self,
                }) => self.handle(Event::Arrived {
                    translation,
                    suspend_self,
                }),
                Some(Step::Reap) => {
                    log::said(self.log, Said::ChildSignal);
                    self.reap_all().1
                }
                _ => self.handle(Event::Tick),
            };
            if let Some(status) = done {
                return status;
            }
            // Once the command has exited, every wake-up looks at what is
            // left (the policy wakes us often enough while a hook runs).
            if self.policy.command_exited()
                && let Some(status) = self.look_at_what_is_left()
            {
                return status;
            }
        }
    }

    /// Asks the policy about `event` and carries out what it says; the
    /// status to exit with, once it says to exit.
    fn handle(&mut self, event: Event) -> Option<i32> {
        let actions = self.policy.on(event, Instant::now());
        for action in actions {
            if let Some(status) = self.carry_out(action) {
                return Some(status);
            }
        }
        None
    }

    fn carry_out(&mut self, action: Action) -> Option<i32> {
        let log = self.log;
        match action {
            Action::Forward {
                translation,
                suspend_self,
                to,
            } => self.forward(translation, suspend_self, to),
            Action::StartHook(signal) => {
                let started = self.hooks.start(signal, log);
                return self.handle(Event::HookStarted { signal, started });
            }
            Action::HookStillRunning(signal) => {
                log::debug!(log, "The hook for signal {signal} is still running.")
            }
            Action::Held {
                signal,
                period,
                hook,
            } => {
                if let Some(period) = period {
                    log::debug!(
                        log,
                        "Holding signal {signal} for {} ms before forwarding it.",
                        log::millis(period)
                    );
                }
                if hook {
                    log::debug!(log, "Holding signal {signal} until its hook has exited.");
                }
            }
            Action::SecondArrival(signal) => log::debug!(
                log,
                "Signal {signal} arrived again while held: forwarding it now."
            ),
            Action::HoldEnded(signal) => {
                log::debug!(log, "Signal {signal} is held no longer: forwarding it now.")
            }
            Action::DroppedHeld(signal) => log::debug!(
                log,
                "Dropping held signal {signal}: the command has exited."
            ),
            Action::WaitingForTheTree => log::debug!(
                log,
                "Waiting for the rest of the tree to exit (--wait-tree)."
            ),
            Action::GraceStarted(period) => {
                self.grace_started = Some(Instant::now());
                // Whole milliseconds: formatting an f64 would link the float
                // printing code for this one line.
                log::debug!(
                    log,
                    "Waiting up to {} ms for the remaining processes to exit.",
                    log::millis(period)
                );
            }
            Action::OnlyHooksLeft => {
                log::debug!(log, "Only hooks are left: ending them.")
            }
            Action::NothingLeft => match self.grace_started {
                Some(started) => log::debug!(
                    log,
                    "All remaining processes exited after {} ms.",
                    log::millis(started.elapsed())
                ),
                None => log::debug!(log, "No process is left."),
            },
            Action::KillHooks => self.hooks.kill_all(),
            Action::KillTheRest => self.kill_the_rest(),
            Action::Exit(exit) => {
                let status = self.exit_status(exit);
                if self.reap_before_exit {
                    self.reap_what_has_exited();
                }
                log::said(log, Said::Exiting);
                return Some(status);
            }
        }
        None
    }

    /// The status to exit with for the command's end, remapped.
    fn exit_status(&self, exit: ChildExit) -> i32 {
        log::said(
            self.log,
            match exit {
                ChildExit::Exited(code) => Said::CommandExited(code),
                ChildExit::Signaled(signal) => Said::CommandKilled(signal),
            },
        );
        let status = exit.status();
        log::debug!(self.log, "Child exited with status {status}. Goodbye.");
        let mapped = self.exit_remap.map(status);
        if mapped != status {
            log::debug!(
                self.log,
                "Exiting with status {mapped} for {status} (remapped)."
            );
        }
        mapped
    }

    /// Waits for the next signal (up to `timeout`), decides what it means and
    /// logs it as the reference does; the caller carries the step out.
    fn next_step(&mut self, timeout: Option<Duration>) -> Option<Step> {
        let received = kernel_signals::wait(&self.waited, timeout)?;
        let signal = received.signal;
        let step = decide(
            received,
            &mut self.hand_off,
            &self.rewrites,
            (self.swallowed, self.stop_with_the_command),
        );
        if !matches!(step, Step::DropOwnSigpipe) {
            log::debug!(self.log, "Received signal {signal}.");
        }
        if matches!(step, Step::SwallowHandOff) {
            log::debug!(self.log, "Ignoring tty hand-off signal {signal}.");
        }
        if matches!(step, Step::Swallow) {
            log::said(self.log, Said::Swallowed(signal));
        }
        Some(step)
    }

    fn forward(&mut self, translation: Translation, suspend_self: bool, to: Audience) {
        if let Translation::Rewritten { from, to } = translation {
            log::debug!(self.log, "Translating signal {from} to {to}.");
        }
        let target = match to {
            Audience::Command | Audience::AtExit => Some(self.target),
            Audience::Rest => self.rest,
        };
        match (translation.outgoing(), target) {
            (Some(signal), Some(target)) => {
                log::said(self.log, Said::Passing(signal));
                self.send(target, signal);
                log::debug!(self.log, "Forwarded signal {signal} to children.");
            }
            (Some(_), None) => {}
            (None, _) => log::debug!(self.log, "Not forwarding signal 0 to children (ignored)."),
        }
        if suspend_self {
            log::debug!(self.log, "Suspending self due to TTY signal.");
            let _ = signal_hook::low_level::raise(SIGSTOP);
        }
    }

    /// `signal` to `target`. Until the child has called setsid() its
    /// process group does not exist: a signal that arrives that early (the
    /// parent-death signal raised at start-up, a stop sent at once) goes to
    /// the child itself, which keeps it blocked and pending until its exec,
    /// where the command receives it. Never once the child is reaped: its
    /// PID may be another process's by then. A group or child already gone
    /// is not an error here.
    fn send(&mut self, target: ForwardTarget, signal: i32) {
        if let ForwardTarget::Tree(_) = target {
            let hooks = &self.hooks;
            match process_tree::signal_tree(Pid::this(), signal, |member| hooks.spares(member)) {
                Ok(_) => return,
                Err(unreadable) => {
                    // As PID 1, every process of the namespace is in the tree.
                    let everyone = Pid::this().as_raw() == 1;
                    if !self.said_tree_unreadable {
                        self.said_tree_unreadable = true;
                        let instead = match everyone {
                            true => "every process of the namespace",
                            false => "the process group",
                        };
                        log::error!(
                            "{unreadable}, so the tree cannot be read: signals go to {instead} \
                             instead."
                        );
                    }
                    if everyone {
                        let _ = process_tree::send(-1, signal);
                        return;
                    }
                }
            }
        }
        let sent = process_tree::send(target.kill_argument(), signal);
        if let (Err(Errno::ESRCH), ForwardTarget::Group(leader) | ForwardTarget::Tree(leader)) =
            (sent, target)
            && !self.child_reaped
        {
            let _ = process_tree::send(leader.as_raw(), signal);
        }
    }

    /// Reaps every child that has exited, telling the policy of the command
    /// and the hooks among them. Returns whether children are left, and the
    /// status to exit with if the policy said to exit.
    fn reap_all(&mut self) -> (Reaped, Option<i32>) {
        loop {
            let reaped = reap(self.log, WaitPidFlag::WNOHANG);
            let Reaped::One(pid, exit) = reaped else {
                log::said(
                    self.log,
                    Said::NoMoreToReap(matches!(reaped, Reaped::NoneLeft)),
                );
                return (reaped, None);
            };
            let command = pid == self.child && !self.child_reaped;
            log::said(
                self.log,
                Said::Reaped(pid.as_raw(), exit.code_or_signal(), command),
            );
            let event = if pid == self.child && !self.child_reaped {
                self.child_reaped = true;
                Some(Event::CommandExited(exit))
            } else {
                let hook = self.hooks.exited(pid, exit.status(), self.log);
                if hook.is_none() && self.report_reaped {
                    log::said(self.log, Said::ReapedZombie(pid.as_raw()));
                }
                hook.map(Event::HookExited)
            };
            if let Some(event) = event
                && let Some(status) = self.handle(event)
            {
                return (Reaped::StillRunning, Some(status));
            }
        }
    }

    /// One last pass of reaping, the command's end told (tini and
    /// catatonit reap what has exited with it before they exit).
    fn reap_what_has_exited(&mut self) {
        loop {
            let reaped = reap(self.log, WaitPidFlag::WNOHANG);
            let Reaped::One(pid, exit) = reaped else {
                log::said(
                    self.log,
                    Said::NoMoreToReap(matches!(reaped, Reaped::NoneLeft)),
                );
                return;
            };
            log::said(
                self.log,
                Said::Reaped(pid.as_raw(), exit.code_or_signal(), false),
            );
            if self.hooks.exited(pid, exit.status(), self.log).is_none() && self.report_reaped {
                log::said(self.log, Said::ReapedZombie(pid.as_raw()));
            }
        }
    }

    /// Once the command has exited: reaps what has exited, and tells the
    /// policy what is left. Whether only hooks are left is read from /proc,
    /// and only while a hook runs; where the tree cannot be read, others
    /// are taken to be left.
    fn look_at_what_is_left(&mut self) -> Option<i32> {
        let (reaped, done) = self.reap_all();
        if done.is_some() {
            return done;
        }
        let left = match reaped {
            Reaped::NoneLeft => Left::Nothing,
            _ if !self.policy.hooks_running() => Left::Others,
            _ => {
                let hooks = &self.hooks;
                match process_tree::descendants(Pid::this()) {
                    Ok(tree) if tree.iter().all(|member| hooks.spares(member)) => Left::OnlyHooks,
                    _ => Left::Others,
                }
            }
        };
        self.handle(Event::Left(left))
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
                Err(unreadable) if me.as_raw() == 1 => {
                    if !told {
                        log::debug!(
                            self.log,
                            "Grace period over; {unreadable}: sending SIGKILL to every process \
                             in it."
                        );
                    }
                    let _ = process_tree::send(-1, SIGKILL);
                }
                Err(unreadable @ TreeUnreadable::Descriptors(_)) => {
                    // The processes are there, only not readable: what can
                    // be reached without /proc is killed.
                    if !told {
                        log::error!(
                            "Grace period over; {unreadable}: sending SIGKILL to the process \
                             group."
                        );
                    }
                    let _ = process_tree::send(self.child.as_raw().saturating_neg(), SIGKILL);
                }
                Err(TreeUnreadable::NotOurs) => {
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
            if let (Reaped::NoneLeft, _) = self.reap_all() {
                return true;
            }
            let left = time_left(until);
            if left.is_some_and(|left| left.is_zero()) {
                return false;
            }
            let _ = kernel_signals::wait(&self.waited, left);
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
    use signal_hook::consts::signal::{
        SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1,
    };

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
            (0, true),
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
            decide(sent(SIGCHLD), &mut HandOff::default(), &table, (0, true)),
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
        let term = decide(sent(SIGTERM), &mut HandOff::default(), &table, (0, true));
        let int = decide(sent(SIGINT), &mut HandOff::default(), &table, (0, true));
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
            let step = decide(sent(signal), &mut HandOff::default(), &table, (0, true));
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
            decide(sent(SIGHUP), &mut hand_off, &table, (0, true)),
            Step::SwallowHandOff
        );
        assert_eq!(
            decide(sent(SIGCONT), &mut hand_off, &table, (0, true)),
            Step::SwallowHandOff
        );
        assert!(matches!(
            decide(sent(SIGHUP), &mut hand_off, &table, (0, true)),
            Step::Forward { .. }
        ));
        assert!(matches!(
            decide(sent(SIGCONT), &mut hand_off, &table, (0, true)),
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
            decide(own, &mut HandOff::default(), &table, (0, true)),
            Step::DropOwnSigpipe
        );
        assert!(matches!(
            decide(sent(SIGPIPE), &mut HandOff::default(), &table, (0, true)),
            Step::Forward { .. }
        ));
    }

    #[test]
    fn job_control_stops_stop_the_supervisor_only_where_asked() {
        let table = RewriteTable::default();
        for (stops, suspends) in [(true, true), (false, false)] {
            assert_eq!(
                decide(sent(SIGTSTP), &mut HandOff::default(), &table, (0, stops)),
                Step::Forward {
                    translation: Translation::Unchanged(SIGTSTP),
                    suspend_self: suspends
                }
            );
        }
    }

    #[test]
    fn swallowed_signals_are_dropped_not_forwarded() {
        let stops = signal_bit(SIGTSTP) | signal_bit(SIGTTIN);
        let table = RewriteTable::default();
        for (signal, step) in [
            (SIGTSTP, Step::Swallow),
            (SIGTTIN, Step::Swallow),
            (SIGCHLD, Step::Reap),
        ] {
            assert_eq!(
                decide(sent(signal), &mut HandOff::default(), &table, (stops, true)),
                step
            );
        }
        assert!(matches!(
            decide(
                sent(SIGTTOU),
                &mut HandOff::default(),
                &table,
                (stops, true)
            ),
            Step::Forward { .. }
        ));
    }

    #[test]
    fn realtime_signals_are_forwarded_as_they_are() {
        let step = decide(
            sent(40),
            &mut HandOff::default(),
            &default_setsid_table(),
            (0, true),
        );
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
        let plain = Supervision::default();
        assert_eq!(
            ForwardTarget::new(Mode::Setsid, child, &plain).kill_argument(),
            -4242
        );
        assert_eq!(
            ForwardTarget::new(Mode::SingleChild, child, &plain).kill_argument(),
            4242
        );
    }

    #[test]
    fn wait_tree_signals_the_tree_while_the_command_runs_unless_single_child() {
        let child = Pid::from_raw(4242);
        let wait_tree = Supervision {
            wait_tree: true,
            ..Supervision::default()
        };
        assert_eq!(
            ForwardTarget::new(Mode::Setsid, child, &wait_tree),
            ForwardTarget::Tree(child)
        );
        assert_eq!(
            ForwardTarget::new(Mode::SingleChild, child, &wait_tree),
            ForwardTarget::Child(child)
        );
    }
}
