//! The policy alone, without a process: a few orders of events written out,
//! then a property test that walks random ones through a model of the
//! processes and checks the promises of docs/extensions.md ("In every order
//! of events"). tests/orders_of_events.rs runs a smaller set of the same
//! cases on real processes.

use super::*;
use crate::config::{Hook, Supervision};
use crate::supervisor::ChildExit;
use proptest::prelude::*;

const TERM: i32 = 15;
const USR1: i32 = 10;

fn settings(wait_tree: bool, grace_ms: u64, term_delay_ms: Option<u64>, hook: bool) -> Supervision {
    let mut settings = Supervision {
        wait_tree,
        grace_period: Duration::from_millis(grace_ms),
        ..Supervision::default()
    };
    if let Some(ms) = term_delay_ms {
        settings.delays.set(TERM, Duration::from_millis(ms));
    }
    if hook {
        settings.hooks.push(Hook {
            signal: TERM,
            command: "sleep 60".to_owned(),
        });
    }
    settings
}

fn arrived(signal: i32) -> Event {
    Event::Arrived {
        translation: Translation::Unchanged(signal),
        suspend_self: false,
    }
}

/// A SIGTERM arrives and its hook starts: the actions of the start.
fn term_and_its_hook(policy: &mut Policy, now: Instant) -> Vec<Action> {
    assert_eq!(policy.on(arrived(TERM), now), [Action::StartHook(TERM)]);
    policy.on(
        Event::HookStarted {
            signal: TERM,
            started: true,
        },
        now,
    )
}

fn forwards(actions: &[Action]) -> Vec<(i32, Audience)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Forward {
                translation, to, ..
            } => Some((translation.incoming(), *to)),
            _ => None,
        })
        .collect()
}

#[test]
fn without_holds_a_signal_is_passed_on_at_once_to_the_command() {
    let mut policy = Policy::new(&settings(false, 0, None, false));
    let now = Instant::now();
    let actions = policy.on(arrived(USR1), now);
    assert_eq!(forwards(&actions), [(USR1, Audience::Command)]);
    assert_eq!(policy.next_wakeup(now), None, "nothing to wake up for");
}

#[test]
fn the_command_s_exit_sends_sigterm_and_exits_at_once_without_a_grace_period() {
    let mut policy = Policy::new(&settings(false, 0, Some(3000), false));
    let now = Instant::now();
    assert!(forwards(&policy.on(arrived(TERM), now)).is_empty(), "held");
    let actions = policy.on(Event::CommandExited(ChildExit::Exited(3)), now);
    assert_eq!(
        actions,
        [
            Action::DroppedHeld(TERM),
            Action::Forward {
                translation: Translation::Unchanged(TERM),
                suspend_self: false,
                to: Audience::AtExit
            },
            Action::KillHooks,
            Action::Exit(ChildExit::Exited(3)),
        ]
    );
    assert!(policy.on(arrived(TERM), now).is_empty(), "finished");
}

#[test]
fn a_hook_still_running_when_only_hooks_are_left_is_killed_at_once_under_wait_tree() {
    // Item 1: --wait-tree --on-signal 'TERM:sleep 60', TERM, then the
    // command exits: nothing but the hook is left.
    let mut policy = Policy::new(&settings(true, 0, None, true));
    let now = Instant::now();
    let held = term_and_its_hook(&mut policy, now);
    assert!(matches!(held.as_slice(), [Action::Held { hook: true, .. }]));
    let exit = ChildExit::Exited(3);
    assert_eq!(
        policy.on(Event::CommandExited(exit), now),
        [Action::WaitingForTheTree]
    );
    // The loop looks at least every POLL while a hook runs.
    assert!(policy.next_wakeup(now) <= now.checked_add(POLL));
    assert_eq!(
        policy.on(Event::Left(Left::OnlyHooks), now),
        [Action::OnlyHooksLeft, Action::KillHooks, Action::Exit(exit)]
    );
}

#[test]
fn the_grace_period_counts_from_the_held_sigterm_passed_on() {
    // Item 3: --wait-tree --grace-period 1 --delay TERM:3, the entrypoint
    // gone, a daemon left, then SIGTERM.
    let mut policy = Policy::new(&settings(true, 1000, Some(3000), false));
    let start = Instant::now();
    let exit = ChildExit::Exited(0);
    policy.on(Event::CommandExited(exit), start);
    assert!(forwards(&policy.on(arrived(TERM), start)).is_empty());
    let at = |ms| start + Duration::from_millis(ms);
    assert_eq!(
        policy.next_wakeup(start),
        Some(at(3000)),
        "the hold, not a kill"
    );
    assert!(policy.on(Event::Left(Left::Others), at(1500)).is_empty());
    let passed_on = policy.on(Event::Tick, at(3000));
    assert_eq!(forwards(&passed_on), [(TERM, Audience::Rest)]);
    assert!(passed_on.contains(&Action::GraceStarted(Duration::from_secs(1))));
    assert_eq!(policy.next_wakeup(at(3000)), Some(at(4000)));
    assert!(policy.on(Event::Tick, at(3999)).is_empty());
    assert_eq!(
        policy.on(Event::Tick, at(4000)),
        [Action::KillHooks, Action::KillTheRest, Action::Exit(exit)]
    );
}

#[test]
fn with_a_grace_period_only_hooks_left_ends_dumb_init_at_once() {
    // Item 4: --grace-period 4 --on-signal 'TERM:sleep 30', the command
    // exits half a second after SIGTERM.
    let mut policy = Policy::new(&settings(false, 4000, None, true));
    let now = Instant::now();
    term_and_its_hook(&mut policy, now);
    let exit = ChildExit::Exited(3);
    let actions = policy.on(Event::CommandExited(exit), now);
    assert!(actions.contains(&Action::GraceStarted(Duration::from_secs(4))));
    assert_eq!(
        policy.on(Event::Left(Left::OnlyHooks), now),
        [Action::OnlyHooksLeft, Action::KillHooks, Action::Exit(exit)]
    );
}

#[test]
fn a_hook_that_cannot_start_does_not_hold_its_signal() {
    let mut policy = Policy::new(&settings(false, 0, None, true));
    let now = Instant::now();
    policy.on(arrived(TERM), now);
    let actions = policy.on(
        Event::HookStarted {
            signal: TERM,
            started: false,
        },
        now,
    );
    assert_eq!(forwards(&actions), [(TERM, Audience::Command)]);
}

#[test]
fn a_second_arrival_passes_a_held_signal_on_once_while_its_hook_runs() {
    let mut policy = Policy::new(&settings(false, 0, None, true));
    let now = Instant::now();
    term_and_its_hook(&mut policy, now);
    let second = policy.on(arrived(TERM), now);
    assert_eq!(second.first(), Some(&Action::SecondArrival(TERM)));
    assert_eq!(forwards(&second), [(TERM, Audience::Command)]);
    // The hook's end passes nothing on: the hold is over.
    assert!(forwards(&policy.on(Event::HookExited(TERM), now)).is_empty());
    // A third arrival, with the hook gone, starts it again.
    assert_eq!(policy.on(arrived(TERM), now), [Action::StartHook(TERM)]);
}

#[test]
fn under_wait_tree_a_sigterm_before_the_command_s_exit_starts_the_grace_period() {
    // Item 7's order: SIGTERM while the entrypoint runs (it goes to the
    // whole tree, see supervisor.rs), the entrypoint exits, a daemon that
    // ignores SIGTERM stays: it is killed when the period is over.
    let mut policy = Policy::new(&settings(true, 1000, None, false));
    let start = Instant::now();
    let at = |ms| start + Duration::from_millis(ms);
    assert_eq!(
        forwards(&policy.on(arrived(TERM), start)),
        [(TERM, Audience::Command)]
    );
    let exit = ChildExit::Signaled(TERM);
    policy.on(Event::CommandExited(exit), at(200));
    assert_eq!(policy.next_wakeup(at(200)), Some(at(1000)));
    assert_eq!(
        policy.on(Event::Tick, at(1000)),
        [Action::KillHooks, Action::KillTheRest, Action::Exit(exit)]
    );
}

/// A process of the model.
#[derive(Clone, Debug)]
struct Process {
    alive: bool,
    /// In the command's process group (a group delivery reaches it).
    in_group: bool,
    /// What it does on SIGTERM: exits that many ms later, or stays.
    on_term: Option<u64>,
    /// When it exits of its own accord, if ever.
    exits_at: Option<u64>,
    /// Its parent is dumb-init: its end wakes dumb-init with a SIGCHLD.
    child_of_dumb_init: bool,
    /// Each signal it received, as (signal, how many times).
    received: Vec<(i32, u32)>,
}

impl Process {
    fn receive(&mut self, signal: i32) {
        match self.received.iter_mut().find(|(s, _)| *s == signal) {
            Some((_, count)) => *count += 1,
            None => self.received.push((signal, 1)),
        }
    }

    fn count(&self, signal: i32) -> u32 {
        self.received
            .iter()
            .find(|(s, _)| *s == signal)
            .map_or(0, |(_, count)| *count)
    }
}

/// One order of events, drawn at random.
#[derive(Clone, Debug)]
struct Scenario {
    tree: bool,
    wait_tree: bool,
    grace_ms: u64,
    term_delay_ms: Option<u64>,
    /// The TERM hook: how long it runs (`None`: it hangs).
    hook: Option<Option<u64>>,
    command: Process,
    daemons: Vec<Process>,
    /// When TERM and USR1 arrive.
    terms: Vec<u64>,
    usr1s: Vec<u64>,
}

fn process(child_of_dumb_init: bool) -> impl Strategy<Value = Process> {
    (
        any::<bool>(),
        prop::option::of(0u64..1500),
        prop::option::of(0u64..4000),
        any::<bool>(),
    )
        .prop_map(move |(in_group, on_term, exits_at, child)| Process {
            alive: true,
            in_group,
            on_term,
            exits_at,
            child_of_dumb_init: child_of_dumb_init || child,
            received: Vec::new(),
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        (any::<bool>(), any::<bool>()),
        prop_oneof![Just(0u64), 1u64..3000],
        prop::option::of(0u64..3000),
        prop::option::of(prop::option::of(0u64..3000)),
        process(true),
        prop::collection::vec(process(false), 0..3),
        prop::collection::vec(0u64..5000, 1..4),
        prop::collection::vec(0u64..5000, 0..3),
    )
        .prop_map(
            |((tree, wait_tree), grace_ms, term_delay_ms, hook, command, daemons, terms, usr1s)| {
                Scenario {
                    tree,
                    wait_tree,
                    grace_ms,
                    term_delay_ms,
                    hook,
                    command: Process {
                        in_group: true,
                        ..command
                    },
                    daemons,
                    terms,
                    usr1s,
                }
            },
        )
}

/// What happens next in the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Happening {
    Arrival(i32),
    /// Process N ends (0: the command; 1.. the daemons).
    Ends(usize),
    HookEnds,
}

/// The model world and what it saw.
struct World {
    scenario: Scenario,
    now: u64,
    queue: Vec<(u64, Happening)>,
    hook_running: bool,
    hook_starts: u32,
    /// Arrivals of each signal not yet passed on.
    unforwarded: Vec<(i32, u32)>,
    /// When the SIGTERM that starts the grace period was passed on.
    grace_from: Option<u64>,
    command_exit: Option<(u64, ChildExit)>,
    exited: Option<(u64, ChildExit)>,
    killed_the_rest: Option<u64>,
    /// When nothing but hooks was left, the command gone, first.
    only_hooks_since: Option<u64>,
}

impl World {
    fn new(scenario: Scenario) -> Self {
        let mut queue = Vec::new();
        queue.extend(
            scenario
                .terms
                .iter()
                .map(|&t| (t, Happening::Arrival(TERM))),
        );
        queue.extend(
            scenario
                .usr1s
                .iter()
                .map(|&t| (t, Happening::Arrival(USR1))),
        );
        if let Some(at) = scenario.command.exits_at {
            queue.push((at, Happening::Ends(0)));
        }
        for (index, daemon) in scenario.daemons.iter().enumerate() {
            if let Some(at) = daemon.exits_at {
                queue.push((at, Happening::Ends(index + 1)));
            }
        }
        World {
            scenario,
            now: 0,
            queue,
            hook_running: false,
            hook_starts: 0,
            unforwarded: Vec::new(),
            grace_from: None,
            command_exit: None,
            exited: None,
            killed_the_rest: None,
            only_hooks_since: None,
        }
    }

    fn process(&mut self, index: usize) -> Option<&mut Process> {
        match index {
            0 => Some(&mut self.scenario.command),
            n => self.scenario.daemons.get_mut(n - 1),
        }
    }

    fn processes(&self) -> impl Iterator<Item = &Process> {
        std::iter::once(&self.scenario.command).chain(&self.scenario.daemons)
    }

    fn daemons_alive(&self) -> bool {
        self.scenario.daemons.iter().any(|d| d.alive)
    }

    /// Who a signal for `audience` reaches (indices), as supervisor.rs's
    /// targets do: the tree under --tree and --wait-tree, else the group.
    fn audience(&self, to: Audience) -> Vec<usize> {
        // In setsid mode every audience is the tree or the group alike.
        let _ = to;
        let whole_tree = self.scenario.tree || self.scenario.wait_tree;
        self.processes()
            .enumerate()
            .filter(|(_, p)| p.alive && (whole_tree || p.in_group))
            .map(|(index, _)| index)
            .collect()
    }

    fn at(&self, base: Instant) -> Instant {
        base + Duration::from_millis(self.now)
    }

    fn carry_out(&mut self, policy: &mut Policy, base: Instant, actions: Vec<Action>) {
        for action in actions {
            assert!(self.exited.is_none(), "{action:?} after the exit");
            match action {
                Action::Forward {
                    translation, to, ..
                } => self.forward(translation, to),
                Action::StartHook(signal) => {
                    assert!(!self.hook_running, "a second hook for {signal}");
                    self.hook_running = true;
                    self.hook_starts += 1;
                    if let Some(Some(runs)) = self.scenario.hook {
                        self.queue.push((self.now + runs, Happening::HookEnds));
                    }
                    let answer = policy.on(
                        Event::HookStarted {
                            signal,
                            started: true,
                        },
                        self.at(base),
                    );
                    self.carry_out(policy, base, answer);
                }
                Action::KillHooks => self.hook_running = false,
                Action::KillTheRest => {
                    self.check_the_kill();
                    self.killed_the_rest = Some(self.now);
                    for index in 0..=self.scenario.daemons.len() {
                        if let Some(p) = self.process(index) {
                            p.alive = false;
                        }
                    }
                }
                Action::Exit(exit) => {
                    assert_eq!(Some(exit), self.command_exit.map(|(_, e)| e));
                    self.exited = Some((self.now, exit));
                }
                _ => {}
            }
        }
    }

    fn forward(&mut self, translation: Translation, to: Audience) {
        let signal = translation.incoming();
        if to != Audience::AtExit {
            // Each arrival is passed on at most once.
            let slot = self.unforwarded.iter_mut().find(|(s, _)| *s == signal);
            match slot {
                Some((_, count)) if *count > 0 => *count -= 1,
                _ => panic!(
                    "signal {signal} passed on with no arrival left at {}",
                    self.now
                ),
            }
        }
        if signal == TERM && self.grace_from.is_none() {
            let starts_grace = match self.scenario.wait_tree {
                true => to != Audience::AtExit,
                false => to == Audience::AtExit,
            };
            if starts_grace {
                self.grace_from = Some(self.now);
            }
        }
        for index in self.audience(to) {
            let now = self.now;
            let Some(p) = self.process(index) else {
                continue;
            };
            p.receive(signal);
            if signal == TERM
                && let Some(after) = p.on_term
            {
                self.queue.push((now + after, Happening::Ends(index)));
            }
        }
    }

    /// The grace period's SIGKILL: not before the SIGTERM that started it
    /// was passed on, and the period after it (and after the command's exit).
    fn check_the_kill(&self) {
        let grace = self.scenario.grace_ms;
        assert!(grace > 0, "a kill without a grace period");
        let from = self
            .grace_from
            .expect("a kill before its SIGTERM was passed on");
        let (exited, _) = self.command_exit.expect("a kill while the command runs");
        assert!(
            self.now >= (from + grace).max(exited),
            "killed at {} ms: SIGTERM passed on at {from} ms, period {grace} ms",
            self.now
        );
    }

    /// What the loop tells the policy once the command has exited.
    fn left(&self) -> Left {
        match (self.daemons_alive(), self.hook_running) {
            (true, _) => Left::Others,
            (false, true) => Left::OnlyHooks,
            (false, false) => Left::Nothing,
        }
    }
}

/// Runs a scenario through the policy: each happening in time order, then
/// the wake-ups the policy asks for, as the loop would.
fn walk(scenario: Scenario) -> World {
    let settings = settings(
        scenario.wait_tree,
        scenario.grace_ms,
        scenario.term_delay_ms,
        scenario.hook.is_some(),
    );
    let mut settings = settings;
    settings.tree = scenario.tree;
    let mut policy = Policy::new(&settings);
    let base = Instant::now();
    let mut world = World::new(scenario);
    const HORIZON: u64 = 60_000;
    while world.exited.is_none() {
        world.queue.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        let next_happening = world.queue.last().map(|(at, _)| *at);
        let wakeup = policy
            .next_wakeup(world.at(base))
            .map(|at| u64::try_from(at.saturating_duration_since(base).as_millis()).unwrap());
        let now = match (next_happening, wakeup) {
            (None, None) => break,
            (a, b) => a.into_iter().chain(b).min().unwrap().max(world.now),
        };
        if now > HORIZON {
            break;
        }
        world.now = now;
        // A wake-up: a happening due now, or the policy's tick.
        let mut woken = true;
        let event = match world.queue.last() {
            Some(&(at, happening)) if at <= now => {
                world.queue.pop();
                match happening {
                    Happening::Arrival(signal) => {
                        match world.unforwarded.iter_mut().find(|(s, _)| *s == signal) {
                            Some((_, count)) => *count += 1,
                            None => world.unforwarded.push((signal, 1)),
                        }
                        Some(arrived(signal))
                    }
                    Happening::Ends(index) => {
                        let hook_running = world.hook_running;
                        let Some(p) = world.process(index) else {
                            continue;
                        };
                        if !p.alive {
                            continue;
                        }
                        p.alive = false;
                        // An end that is no child of dumb-init's wakes it
                        // only while no hook runs (the model's stand-in for
                        // a parent in the tree that is still there).
                        woken = p.child_of_dumb_init || !hook_running;
                        match index {
                            0 => {
                                let exit = ChildExit::Exited(3);
                                world.command_exit = Some((now, exit));
                                Some(Event::CommandExited(exit))
                            }
                            _ => None,
                        }
                    }
                    Happening::HookEnds => {
                        if !world.hook_running {
                            continue;
                        }
                        world.hook_running = false;
                        Some(Event::HookExited(TERM))
                    }
                }
            }
            _ => Some(Event::Tick),
        };
        if world.command_exit.is_some()
            && !world.daemons_alive()
            && world.only_hooks_since.is_none()
        {
            world.only_hooks_since = Some(now);
        }
        if let Some(event) = event {
            let actions = policy.on(event, world.at(base));
            world.carry_out(&mut policy, base, actions);
        }
        if woken && world.exited.is_none() && policy.command_exited() {
            let left = world.left();
            let actions = policy.on(Event::Left(left), world.at(base));
            world.carry_out(&mut policy, base, actions);
        }
    }
    world
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn in_every_order_of_events_the_promises_hold(scenario in scenario()) {
        let world = walk(scenario);
        let s = &world.scenario;
        // Each process gets each arrival at most once (and dumb-init's own
        // SIGTERM at the command's exit once).
        for p in world.processes() {
            let terms = s.terms.len() as u32 + 1;
            prop_assert!(p.count(TERM) <= terms, "{p:?}");
            prop_assert!(p.count(USR1) <= s.usr1s.len() as u32, "{p:?}");
        }
        // Once the command has exited and nothing but hooks is left,
        // dumb-init exits within a second.
        if let Some(since) = world.only_hooks_since {
            let (exited, _) = world.exited.expect("dumb-init never exited with only hooks left");
            prop_assert!(exited <= since + 1000, "only hooks since {since} ms, exit at {exited} ms");
        }
        if let Some((at, _)) = world.exited {
            // No hook outlives dumb-init.
            prop_assert!(!world.hook_running, "a hook left running at {at} ms");
            // With --wait-tree or a grace period, nothing at all.
            if s.wait_tree || s.grace_ms > 0 {
                prop_assert!(!world.daemons_alive(), "a process left at {at} ms");
            }
            // Without either, dumb-init exits with the command, as the reference.
            if !s.wait_tree && s.grace_ms == 0 {
                prop_assert_eq!(Some(at), world.command_exit.map(|(t, _)| t));
            }
            // The kill, if any, came when the grace period ended, not later
            // (its lower bound is checked where it happens).
            if let (Some(killed), Some(from)) = (world.killed_the_rest, world.grace_from) {
                let (exit_at, _) = world.command_exit.unwrap();
                prop_assert!(killed <= (from + s.grace_ms).max(exit_at) + 1);
            }
        } else if world.command_exit.is_some() && !world.daemons_alive() {
            prop_assert!(false, "the command and the daemons gone, dumb-init still there");
        }
        // A hook starts only for a TERM that arrived.
        prop_assert!(world.hook_starts as usize <= s.terms.len());
    }
}
