//! Signals held back before they are forwarded (`--delay`): the holds in
//! progress, for the waits that `DelayTable` (config.rs) sets. Pure
//! decisions about time; the supervisor asks them and carries them out.

use std::time::{Duration, Instant};

use crate::config::{DelayTable, PerSignal};

/// What to do with a signal that has just arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Not delayed, no hook: forward it now.
    Forward,
    /// Held: forward it when `period` has passed (if any) and its hook has
    /// exited (if `hook`).
    Held {
        period: Option<Duration>,
        hook: bool,
    },
}

/// One signal's hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hold {
    due: Due,
    /// Its hook is still running.
    hook: bool,
}

/// When a held signal's delay ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Due {
    /// No delay: it waits for its hook only.
    Now,
    At(Instant),
    /// A period beyond what the clock can hold: it ends only with a second
    /// arrival or the command's exit. (The options refuse such periods; this
    /// keeps the arithmetic from panicking whatever it is given.)
    Never,
}

/// The holds in progress: for each signal, when it is due. `held` has bit N
/// set while signal N is held, so that a supervisor holding nothing (the
/// usual case) asks no more than one word per signal it forwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holds {
    held: u32,
    holds: PerSignal<Hold>,
}

/// Bit `signal` of `Holds::held` (0 for a number outside the word).
fn bit(signal: i32) -> u32 {
    u32::try_from(signal)
        .ok()
        .and_then(|shift| 1u32.checked_shl(shift))
        .unwrap_or(0)
}

impl Holds {
    /// A second arrival of a held signal: the hold ends, and the signal is to
    /// be forwarded now. `false` if it was not held.
    pub fn cut_short(&mut self, signal: i32) -> bool {
        if self.held == 0 {
            return false;
        }
        let Some(hold) = self.holds.slot(signal) else {
            return false;
        };
        let was_held = hold.take().is_some();
        self.held &= !bit(signal);
        was_held
    }

    /// Decides what `signal`, arriving at `now()` and not held yet, becomes
    /// under `table`, when its hook has just started (`hook`) or not. The
    /// clock is read only for a signal that is delayed: the others, on the
    /// forwarding path, cost no system call more.
    pub fn arrive(
        &mut self,
        signal: i32,
        table: &DelayTable,
        hook: bool,
        now: impl FnOnce() -> Instant,
    ) -> Arrival {
        let period = table.get(signal);
        if period.is_none() && !hook {
            return Arrival::Forward;
        }
        let Some(slot) = self.holds.slot(signal) else {
            return Arrival::Forward;
        };
        let due = match period {
            None => Due::Now,
            Some(period) => now().checked_add(period).map_or(Due::Never, Due::At),
        };
        *slot = Some(Hold { due, hook });
        self.held |= bit(signal);
        Arrival::Held { period, hook }
    }

    /// `signal`'s hook has exited: the hold now waits for its delay only.
    pub fn hook_done(&mut self, signal: i32) {
        if let Some(Some(hold)) = self.holds.slot(signal) {
            hold.hook = false;
        }
    }

    /// The earliest moment a hold ends by its delay, if any is in progress
    /// and not waiting for a hook.
    pub fn next_due(&self) -> Option<Instant> {
        if self.held == 0 {
            return None;
        }
        self.holds
            .iter()
            .filter_map(|(_, hold)| match hold {
                Hold {
                    due: Due::At(due),
                    hook: false,
                } => Some(due),
                _ => None,
            })
            .min()
    }

    /// A signal whose hold has ended by `now()` (its delay over, its hook
    /// exited), taken off the holds. The clock is read only while something
    /// is held.
    pub fn take_due(&mut self, now: impl FnOnce() -> Instant) -> Option<i32> {
        if self.held == 0 {
            return None;
        }
        let now = now();
        let (signal, hold) = self.holds.slots_mut().find(|(_, hold)| match hold {
            Some(Hold { due, hook: false }) => match due {
                Due::Now => true,
                Due::At(due) => *due <= now,
                Due::Never => false,
            },
            Some(Hold { hook: true, .. }) | None => false,
        })?;
        *hold = None;
        self.held &= !bit(signal);
        Some(signal)
    }

    /// Ends every hold; returns the signals that were held.
    pub fn drop_all(&mut self) -> impl Iterator<Item = i32> + '_ {
        self.held = 0;
        self.holds
            .slots_mut()
            .filter_map(|(signal, hold)| hold.take().map(|_| signal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM: i32 = 15;
    const INT: i32 = 2;

    fn table() -> DelayTable {
        let mut table = DelayTable::default();
        table.set(TERM, Duration::from_secs(5));
        table.set(INT, Duration::from_secs(1));
        table
    }

    #[test]
    fn a_signal_without_a_delay_is_forwarded_at_once_without_reading_the_clock() {
        let mut holds = Holds::default();
        let clock_unread = || -> Instant { panic!("the clock was read") };
        assert_eq!(
            holds.arrive(10, &table(), false, clock_unread),
            Arrival::Forward
        );
        assert_eq!(holds.next_due(), None);
        assert_eq!(holds.take_due(clock_unread), None, "nothing held: no clock");
    }

    #[test]
    fn a_delayed_signal_is_due_when_its_period_has_passed() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        let period = Duration::from_secs(5);
        assert_eq!(
            holds.arrive(TERM, &table(), false, || start),
            Arrival::Held {
                period: Some(period),
                hook: false
            }
        );
        assert_eq!(holds.next_due(), Some(start + period));
        assert_eq!(holds.take_due(|| start + Duration::from_secs(4)), None);
        assert_eq!(holds.take_due(|| start + period), Some(TERM));
        assert_eq!(holds.take_due(|| start + period), None, "only once");
        assert_eq!(holds.next_due(), None);
    }

    #[test]
    fn a_second_arrival_cuts_the_hold_short_and_the_signal_goes_once() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        holds.arrive(TERM, &table(), false, || start);
        assert!(holds.cut_short(TERM));
        assert_eq!(holds.next_due(), None);
        assert_eq!(holds.take_due(|| start + Duration::from_secs(10)), None);
        // Nothing is held any more: the next arrival starts a new hold.
        assert!(matches!(
            holds.arrive(TERM, &table(), false, || start),
            Arrival::Held { .. }
        ));
    }

    #[test]
    fn holds_of_different_signals_run_side_by_side() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        holds.arrive(TERM, &table(), false, || start);
        holds.arrive(INT, &table(), false, || start);
        assert_eq!(holds.next_due(), Some(start + Duration::from_secs(1)));
        assert_eq!(holds.take_due(|| start + Duration::from_secs(2)), Some(INT));
        assert_eq!(holds.next_due(), Some(start + Duration::from_secs(5)));
        assert_eq!(holds.drop_all().collect::<Vec<_>>(), [TERM]);
        assert_eq!(holds.next_due(), None);
    }

    #[test]
    fn a_period_beyond_the_clock_holds_until_a_second_arrival() {
        let mut table = DelayTable::default();
        table.set(TERM, Duration::MAX);
        let (mut holds, start) = (Holds::default(), Instant::now());
        assert_eq!(
            holds.arrive(TERM, &table, false, || start),
            Arrival::Held {
                period: Some(Duration::MAX),
                hook: false
            }
        );
        assert_eq!(holds.next_due(), None);
        assert_eq!(
            holds.take_due(|| start + Duration::from_secs(1 << 40)),
            None
        );
        assert!(holds.cut_short(TERM));
        assert_eq!(holds.drop_all().count(), 0);
    }

    #[test]
    fn a_signal_with_a_hook_waits_for_it_and_for_its_delay_whichever_is_later() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        // No delay for USR1: it waits for its hook only.
        assert_eq!(
            holds.arrive(10, &table(), true, || start),
            Arrival::Held {
                period: None,
                hook: true
            }
        );
        assert_eq!(holds.take_due(|| start), None, "the hook runs");
        holds.hook_done(10);
        assert_eq!(holds.take_due(|| start), Some(10));
        // TERM's delay (5 s) outlasts its hook (done at 1 s)...
        holds.arrive(TERM, &table(), true, || start);
        assert_eq!(holds.next_due(), None, "no wake-up while the hook runs");
        holds.hook_done(TERM);
        assert_eq!(holds.take_due(|| start + Duration::from_secs(1)), None);
        assert_eq!(
            holds.take_due(|| start + Duration::from_secs(5)),
            Some(TERM)
        );
        // ...and a hook that outlasts the delay holds the signal past it.
        holds.arrive(TERM, &table(), true, || start);
        assert_eq!(holds.take_due(|| start + Duration::from_secs(6)), None);
        holds.hook_done(TERM);
        assert_eq!(
            holds.take_due(|| start + Duration::from_secs(6)),
            Some(TERM)
        );
    }

    #[test]
    fn a_signal_not_held_is_not_cut_short() {
        let mut holds = Holds::default();
        assert!(!holds.cut_short(TERM));
        holds.arrive(INT, &table(), false, Instant::now);
        assert!(!holds.cut_short(TERM));
        assert!(holds.cut_short(INT));
        assert!(!holds.cut_short(INT), "only once");
    }
}
