//! Signals held back before they are forwarded (`--delay`): the holds in
//! progress, for the waits that `DelayTable` (config.rs) sets. Pure
//! decisions about time; the supervisor asks them and carries them out.

use std::time::{Duration, Instant};

use crate::config::DelayTable;
use crate::signal_names::MAXSIG;

/// What to do with a signal that has just arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Not delayed: forward it now.
    Forward,
    /// Held: forward it when `period` has passed.
    Held { period: Duration },
    /// It was already held: forward it now, once, and end the hold.
    CutShort,
}

/// One signal's hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Hold {
    #[default]
    None,
    /// Due at this moment.
    Until(Instant),
    /// A period beyond what the clock can hold: it ends only with a second
    /// arrival or the command's exit. (The options refuse such periods; this
    /// keeps the arithmetic from panicking whatever it is given.)
    Forever,
}

/// The holds in progress: for each signal, when it is due. `held` has bit N
/// set while signal N is held, so that a supervisor holding nothing (the
/// usual case) asks no more than one word per signal it forwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holds {
    held: u32,
    holds: [Hold; MAXSIG as usize + 1],
}

/// Bit `signal` of `Holds::held` (0 for a number outside the word).
fn bit(signal: usize) -> u32 {
    u32::try_from(signal)
        .ok()
        .and_then(|shift| 1u32.checked_shl(shift))
        .unwrap_or(0)
}

impl Holds {
    /// Decides what `signal`, arriving at `now()`, becomes under `table`.
    /// The clock is read only for a signal that is delayed: the others, on
    /// the forwarding path, cost no system call more.
    pub fn arrive(
        &mut self,
        signal: i32,
        table: &DelayTable,
        now: impl FnOnce() -> Instant,
    ) -> Arrival {
        let Some(period) = table.get(signal) else {
            return Arrival::Forward;
        };
        let Some((index, hold)) = usize::try_from(signal)
            .ok()
            .and_then(|index| Some((index, self.holds.get_mut(index)?)))
        else {
            return Arrival::Forward;
        };
        match std::mem::take(hold) {
            Hold::None => {
                *hold = now().checked_add(period).map_or(Hold::Forever, Hold::Until);
                self.held |= bit(index);
                Arrival::Held { period }
            }
            Hold::Until(_) | Hold::Forever => {
                self.held &= !bit(index);
                Arrival::CutShort
            }
        }
    }

    /// The earliest moment a hold ends, if any is in progress.
    pub fn next_due(&self) -> Option<Instant> {
        if self.held == 0 {
            return None;
        }
        self.holds
            .iter()
            .filter_map(|hold| match hold {
                Hold::Until(due) => Some(*due),
                Hold::None | Hold::Forever => None,
            })
            .min()
    }

    /// A signal whose hold has ended by `now()`, taken off the holds (the
    /// clock is read only while something is held).
    pub fn take_due(&mut self, now: impl FnOnce() -> Instant) -> Option<i32> {
        if self.held == 0 {
            return None;
        }
        let now = now();
        let (index, hold) = self
            .holds
            .iter_mut()
            .enumerate()
            .find(|(_, hold)| matches!(hold, Hold::Until(due) if *due <= now))?;
        *hold = Hold::None;
        self.held &= !bit(index);
        i32::try_from(index).ok()
    }

    /// Ends every hold; returns the signals that were held.
    pub fn drop_all(&mut self) -> impl Iterator<Item = i32> + '_ {
        self.held = 0;
        (0..)
            .zip(self.holds.iter_mut())
            .filter_map(|(signal, hold)| (std::mem::take(hold) != Hold::None).then_some(signal))
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
        assert_eq!(holds.arrive(10, &table(), clock_unread), Arrival::Forward);
        assert_eq!(holds.next_due(), None);
        assert_eq!(holds.take_due(clock_unread), None, "nothing held: no clock");
    }

    #[test]
    fn a_delayed_signal_is_due_when_its_period_has_passed() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        let period = Duration::from_secs(5);
        assert_eq!(
            holds.arrive(TERM, &table(), || start),
            Arrival::Held { period }
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
        holds.arrive(TERM, &table(), || start);
        let later = start + Duration::from_secs(1);
        assert_eq!(holds.arrive(TERM, &table(), || later), Arrival::CutShort);
        assert_eq!(holds.next_due(), None);
        assert_eq!(holds.take_due(|| start + Duration::from_secs(10)), None);
        // Nothing is held any more: the next arrival starts a new hold.
        assert!(matches!(
            holds.arrive(TERM, &table(), || later),
            Arrival::Held { .. }
        ));
    }

    #[test]
    fn holds_of_different_signals_run_side_by_side() {
        let (mut holds, start) = (Holds::default(), Instant::now());
        holds.arrive(TERM, &table(), || start);
        holds.arrive(INT, &table(), || start);
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
            holds.arrive(TERM, &table, || start),
            Arrival::Held {
                period: Duration::MAX
            }
        );
        assert_eq!(holds.next_due(), None);
        assert_eq!(
            holds.take_due(|| start + Duration::from_secs(1 << 40)),
            None
        );
        assert_eq!(holds.arrive(TERM, &table, || start), Arrival::CutShort);
        assert_eq!(holds.drop_all().count(), 0);
    }
}
