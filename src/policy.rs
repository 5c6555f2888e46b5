//! The supervisor's choices, as values: what each event (a signal passed on
//! to us, a hook started or ended, the command's exit, what is left below
//! dumb-init, the time) means in the state the supervisor is in, and what is
//! to be done about it. Nothing here makes a system call or reads the clock:
//! the time comes with each event, and supervisor.rs carries the actions
//! out. The property test below walks random orders of events through it.
//!
//! The promises kept here (docs/extensions.md, "In every order of events"):
//! - once the command has exited and nothing but dumb-init's own hooks is
//!   left, dumb-init kills the hooks and exits (the loop looks at what is
//!   left after every reap, and at least every `POLL` while a hook runs);
//! - the grace period counts from the moment its SIGTERM is passed on, after
//!   any hold of it, and no SIGKILL comes before that moment and the period;
//! - each arrival of a signal is passed on at most once.

use std::time::{Duration, Instant};

use signal_hook::consts::signal::{SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU};

use crate::config::{DelayTable, RewriteTable, Supervision, Translation};
use crate::delay::{Arrival, Holds};
use crate::supervisor::ChildExit;

/// How often, at most, the loop looks at what is left while the command has
/// exited and a hook runs: a process whose parent is not dumb-init can end
/// without a SIGCHLD to dumb-init, and the bound is "within a second".
pub(crate) const POLL: Duration = Duration::from_millis(400);

/// Who a signal passed on is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Audience {
    /// While the command runs: its group, the command alone (`-c`), or every
    /// descendant (`--tree`, and `--wait-tree` in setsid mode).
    Command,
    /// The SIGTERM dumb-init sends when the command exits, as the reference
    /// sends it: to the same audience.
    AtExit,
    /// After the command's exit: every descendant (`--tree`,
    /// `--wait-tree`), or the group; nobody in single-child mode without
    /// `--wait-tree`, since the child's PID may name another process.
    Rest,
}

/// What is left below dumb-init once the command has exited, as the loop
/// saw it after reaping what had exited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Left {
    /// No child at all.
    Nothing,
    /// Only the hooks' processes.
    OnlyHooks,
    /// Other processes (or the tree could not be read).
    Others,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A signal to pass on arrived (what `supervisor::decide` forwards).
    Arrived {
        translation: Translation,
        suspend_self: bool,
    },
    /// The hook that `Action::StartHook` asked for started, or could not.
    HookStarted {
        signal: i32,
        started: bool,
    },
    /// The hook for this signal has exited.
    HookExited(i32),
    CommandExited(ChildExit),
    /// What is left, once the command has exited.
    Left(Left),
    /// Nothing but the time: something may be due.
    Tick,
}

/// What to do, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Pass a signal on (and, for job-control stops, stop dumb-init too).
    Forward {
        translation: Translation,
        suspend_self: bool,
        to: Audience,
    },
    /// Start the hook for this signal, and answer with `Event::HookStarted`.
    StartHook(i32),
    /// The hook for this signal is still running: no second one starts.
    HookStillRunning(i32),
    /// A signal is held (for its delay, its hook, or both).
    Held {
        signal: i32,
        period: Option<Duration>,
        hook: bool,
    },
    /// A held signal arrived again: it goes now (the `Forward` follows).
    SecondArrival(i32),
    /// A hold has ended (the `Forward` follows).
    HoldEnded(i32),
    /// A held signal is dropped: the command has exited.
    DroppedHeld(i32),
    /// The command has exited and dumb-init waits for the tree.
    WaitingForTheTree,
    /// The grace period has started, for this long.
    GraceStarted(Duration),
    /// Nothing but hooks is left.
    OnlyHooksLeft,
    /// No process is left.
    NothingLeft,
    /// SIGKILL to every running hook's group; their ends are not failures.
    KillHooks,
    /// The grace period is over: SIGKILL to everything left.
    KillTheRest,
    /// Exit with the command's status.
    Exit(ChildExit),
}

/// The supervisor's state, and what the user asked of it.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    wait_tree: bool,
    term_at_exit: bool,
    stop_with_the_command: bool,
    grace_period: Duration,
    rewrites: RewriteTable,
    delays: DelayTable,
    /// Bit N: signal N has a hook.
    hooked: u64,
    /// Bit N: the hook for signal N is running.
    hooks_running: u64,
    holds: Holds,
    /// The command's end, once it has exited.
    command: Option<ChildExit>,
    /// Once the grace period has started: when it ends (`None`: a period
    /// the clock cannot reach, which never ends).
    grace_ends: Option<Option<Instant>>,
    /// dumb-init has decided to exit: nothing more happens.
    finished: bool,
}

/// Bit `signal` of a mask (0 for a number outside it).
fn bit(signal: i32) -> u64 {
    u32::try_from(signal)
        .ok()
        .and_then(|shift| 1u64.checked_shl(shift))
        .unwrap_or(0)
}

/// Job-control stops: passed on, and then dumb-init stops itself too.
pub(crate) fn suspends(signal: i32) -> bool {
    matches!(signal, SIGTSTP | SIGTTOU | SIGTTIN)
}

impl Policy {
    pub(crate) fn new(settings: &Supervision) -> Self {
        Policy {
            wait_tree: settings.wait_tree,
            term_at_exit: settings.term_at_exit,
            stop_with_the_command: settings.stop_with_the_command,
            grace_period: settings.grace_period,
            rewrites: settings.rewrites.clone(),
            delays: settings.delays.clone(),
            hooked: settings
                .hooks
                .iter()
                .fold(0, |mask, hook| mask | bit(hook.signal)),
            hooks_running: 0,
            holds: Holds::default(),
            command: None,
            grace_ends: None,
            finished: false,
        }
    }

    /// Whether the command has exited.
    pub(crate) fn command_exited(&self) -> bool {
        self.command.is_some()
    }

    /// Whether a hook is running.
    pub(crate) fn hooks_running(&self) -> bool {
        self.hooks_running != 0
    }

    /// When the loop must wake up at the latest, if nothing comes before:
    /// the next hold due, the end of the grace period once the command has
    /// exited, and the next look at what is left while a hook runs then.
    pub(crate) fn next_wakeup(&self, now: Instant) -> Option<Instant> {
        if self.finished {
            return None;
        }
        let holds = self.holds_apply().then(|| self.holds.next_due()).flatten();
        let after_exit = self.command.is_some();
        let grace = after_exit.then_some(self.grace_ends).flatten().flatten();
        let poll = (after_exit && self.hooks_running())
            .then(|| now.checked_add(POLL))
            .flatten();
        [holds, grace, poll].into_iter().flatten().min()
    }

    /// What `event`, at `now`, calls for; then what has come due by `now`.
    pub(crate) fn on(&mut self, event: Event, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.finished {
            return actions;
        }
        match event {
            Event::Arrived {
                translation,
                suspend_self,
            } => self.arrived(translation, suspend_self, now, &mut actions),
            Event::HookStarted { signal, started } => {
                if started {
                    self.hooks_running |= bit(signal);
                }
                if self.holds_apply() {
                    self.hold_or_forward(signal, started, now, &mut actions);
                }
            }
            Event::HookExited(signal) => {
                self.hooks_running &= !bit(signal);
                self.holds.hook_done(signal);
            }
            Event::CommandExited(exit) => self.command_ended(exit, now, &mut actions),
            Event::Left(left) => self.left(left, &mut actions),
            Event::Tick => {}
        }
        self.due(now, &mut actions);
        actions
    }

    /// Holds and hooks apply while the command runs, and after it under
    /// `--wait-tree`; after it otherwise, signals pass on at once.
    fn holds_apply(&self) -> bool {
        self.command.is_none() || self.wait_tree
    }

    /// Whom a signal passed on now is for.
    fn audience(&self) -> Audience {
        match self.command {
            None => Audience::Command,
            Some(_) => Audience::Rest,
        }
    }

    fn arrived(
        &mut self,
        translation: Translation,
        suspend_self: bool,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        let signal = translation.incoming();
        if !self.holds_apply() {
            return self.forward(translation, suspend_self, now, actions);
        }
        if self.holds.cut_short(signal) {
            actions.push(Action::SecondArrival(signal));
            return self.forward(translation, suspend_self, now, actions);
        }
        if self.hooked & bit(signal) != 0 {
            if self.hooks_running & bit(signal) == 0 {
                // The arrival goes on when the loop answers HookStarted.
                return actions.push(Action::StartHook(signal));
            }
            actions.push(Action::HookStillRunning(signal));
        }
        self.hold_or_forward(signal, false, now, actions);
    }

    /// A signal not held yet: held for its delay and its hook (if `hook`:
    /// it has just started), or passed on now.
    fn hold_or_forward(
        &mut self,
        signal: i32,
        hook: bool,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        match self.holds.arrive(signal, &self.delays, hook, || now) {
            Arrival::Forward => {
                let translation = self.rewrites.translate(signal);
                let suspend = self.stop_with_the_command && suspends(signal);
                self.forward(translation, suspend, now, actions);
            }
            Arrival::Held { period, hook } => actions.push(Action::Held {
                signal,
                period,
                hook,
            }),
        }
    }

    /// Passes a signal on now; a SIGTERM passed on under `--wait-tree`
    /// starts the grace period, if one is set and none has started.
    fn forward(
        &mut self,
        translation: Translation,
        suspend_self: bool,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        actions.push(Action::Forward {
            translation,
            suspend_self,
            to: self.audience(),
        });
        if self.wait_tree && translation.incoming() == SIGTERM {
            self.start_grace(now, actions);
        }
    }

    fn start_grace(&mut self, now: Instant, actions: &mut Vec<Action>) {
        if self.grace_period.is_zero() || self.grace_ends.is_some() {
            return;
        }
        self.grace_ends = Some(now.checked_add(self.grace_period));
        actions.push(Action::GraceStarted(self.grace_period));
    }

    fn command_ended(&mut self, exit: ChildExit, now: Instant, actions: &mut Vec<Action>) {
        if self.command.is_some() {
            return;
        }
        self.command = Some(exit);
        if self.wait_tree {
            return actions.push(Action::WaitingForTheTree);
        }
        actions.extend(self.holds.drop_all().map(Action::DroppedHeld));
        if self.term_at_exit {
            actions.push(Action::Forward {
                translation: self.rewrites.translate(SIGTERM),
                suspend_self: false,
                to: Audience::AtExit,
            });
        }
        if self.grace_period.is_zero() {
            self.finish(exit, actions);
        } else {
            self.start_grace(now, actions);
        }
    }

    fn left(&mut self, left: Left, actions: &mut Vec<Action>) {
        let Some(exit) = self.command else {
            return;
        };
        match left {
            Left::Nothing => actions.push(Action::NothingLeft),
            Left::OnlyHooks => actions.push(Action::OnlyHooksLeft),
            Left::Others => return,
        }
        self.finish(exit, actions);
    }

    /// What has come due by `now`: held signals whose hold has ended, and
    /// once the command has exited, the end of the grace period.
    fn due(&mut self, now: Instant, actions: &mut Vec<Action>) {
        if self.finished {
            return;
        }
        if self.holds_apply() {
            while let Some(signal) = self.holds.take_due(|| now) {
                actions.push(Action::HoldEnded(signal));
                let translation = self.rewrites.translate(signal);
                let suspend = self.stop_with_the_command && suspends(signal);
                self.forward(translation, suspend, now, actions);
            }
        }
        if let (Some(exit), Some(Some(ends))) = (self.command, self.grace_ends)
            && ends <= now
        {
            actions.push(Action::KillHooks);
            actions.push(Action::KillTheRest);
            actions.push(Action::Exit(exit));
            self.finished = true;
        }
    }

    /// Exit: the hooks are killed first, as none outlives dumb-init.
    fn finish(&mut self, exit: ChildExit, actions: &mut Vec<Action>) {
        actions.push(Action::KillHooks);
        actions.push(Action::Exit(exit));
        self.finished = true;
    }
}

#[cfg(test)]
mod tests;
