//! Signals held back before they are forwarded (`--delay`): which signals
//! wait how long, and the holds in progress. Pure decisions about time; the
//! supervisor asks them and carries them out.

use std::time::{Duration, Instant};

use crate::signals::MAXSIG;

/// How long each received signal is held (none, for most).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelayTable {
    hold: [Option<Duration>; MAXSIG as usize + 1],
}

impl DelayTable {
    /// Holds `signal` (1..=31) for `period`; a later setting for the same
    /// signal wins.
    pub fn set(&mut self, signal: i32, period: Duration) {
        if let Some(slot) = usize::try_from(signal)
            .ok()
            .and_then(|index| self.hold.get_mut(index))
        {
            *slot = Some(period);
        }
    }

    fn get(&self, signal: i32) -> Option<Duration> {
        usize::try_from(signal)
            .ok()
            .and_then(|index| self.hold.get(index).copied().flatten())
    }

    pub fn is_empty(&self) -> bool {
        self.hold.iter().all(Option::is_none)
    }
}

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

/// The holds in progress: for each signal, when it is due. `held` has bit N
/// set while signal N is held, so that a supervisor holding nothing (the
/// usual case) asks no more than one word per signal it forwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holds {
    held: u32,
    due: [Option<Instant>; MAXSIG as usize + 1],
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
        // table.get found a slot, so the signal is in 1..=31.
        let slot = &mut self.due[signal as usize];
        match slot.take() {
            Some(_) => {
                self.held &= !(1 << signal);
                Arrival::CutShort
            }
            None => {
                *slot = Some(now() + period);
                self.held |= 1 << signal;
                Arrival::Held { period }
            }
        }
    }

    /// The earliest moment a hold ends, if any is in progress.
    pub fn next_due(&self) -> Option<Instant> {
        if self.held == 0 {
            return None;
        }
        self.due.iter().flatten().min().copied()
    }

    /// A signal whose hold has ended by `now()`, taken off the holds (the
    /// clock is read only while something is held).
    pub fn take_due(&mut self, now: impl FnOnce() -> Instant) -> Option<i32> {
        if self.held == 0 {
            return None;
        }
        let now = now();
        let index = self
            .due
            .iter()
            .position(|due| due.is_some_and(|due| due <= now))?;
        self.due[index] = None;
        self.held &= !(1 << index);
        Some(index as i32)
    }

    /// Ends every hold; returns the signals that were held.
    pub fn drop_all(&mut self) -> impl Iterator<Item = i32> + '_ {
        self.held = 0;
        self.due
            .iter_mut()
            .enumerate()
            .filter_map(|(signal, due)| due.take().map(|_| signal as i32))
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
    fn the_last_setting_for_a_signal_wins() {
        let mut table = table();
        table.set(TERM, Duration::from_millis(300));
        assert_eq!(table.get(TERM), Some(Duration::from_millis(300)));
        assert!(!table.is_empty());
        assert!(DelayTable::default().is_empty());
    }
}
