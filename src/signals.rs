//! Signal numbers and names, the `-r s:r` argument, and the rewrite table that
//! decides what a received signal becomes before it is forwarded.

use nix::libc::{SIGPWR, SIGSTKFLT};
use signal_hook::consts::signal::{SIGABRT, SIGCHLD, SIGIO, SIGKILL, SIGSTOP, SIGSYS};
use signal_hook::low_level::signal_name;

/// The highest standard signal; `-r` accepts 1..=MAXSIG on the left and
/// 0..=MAXSIG on the right.
pub const MAXSIG: i32 = 31;

/// The names signal-hook's table does not give: two Linux signals it leaves
/// out, then the aliases that C libraries define for some others.
const MORE_NAMES: &[(&str, i32)] = &[
    ("STKFLT", SIGSTKFLT),
    ("PWR", SIGPWR),
    ("IOT", SIGABRT),
    ("POLL", SIGIO),
    ("CLD", SIGCHLD),
    ("UNUSED", SIGSYS),
];

/// The number of a standard signal named with or without `SIG`, in any case.
pub fn number_for_name(name: &str) -> Option<i32> {
    let bare = match name.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("SIG") => &name[3..],
        _ => name,
    };
    let named = |number: &i32| {
        signal_name(*number)
            .and_then(|full| full.strip_prefix("SIG"))
            .is_some_and(|known| known.eq_ignore_ascii_case(bare))
    };
    (1..=MAXSIG).find(named).or_else(|| {
        MORE_NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(bare))
            .map(|&(_, number)| number)
    })
}

/// A signal that dumb-init can receive and pass on, named or numbered as in
/// `-r` (a number is plain digits): 1..=31 but KILL and STOP, which never
/// arrive, and CHLD, which drives reaping and is never forwarded.
pub fn forwardable(text: &str) -> Option<i32> {
    let number = number_for_name(text).or_else(|| digits(text))?;
    let never_forwarded = [SIGKILL, SIGSTOP, SIGCHLD];
    ((1..=MAXSIG).contains(&number) && !never_forwarded.contains(&number)).then_some(number)
}

/// One `-r s:r` argument, validated: `from` is 1..=31, `to` is 0..=31 (0 drops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub from: i32,
    pub to: i32,
}

/// The `-r` argument was not `<signum>:<signum>` with both in range.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", Self::MESSAGE)]
pub struct InvalidRewrite;

impl InvalidRewrite {
    /// The reference's words for it.
    pub const MESSAGE: &str = "Usage: -r option takes <signum>:<signum>, where <signum> is \
         between 1 and 31.\n\
         This option can be specified multiple times.\n\
         Use --help for full usage.";
}

impl Rewrite {
    /// Reads `s:r` first exactly as C's `sscanf("%d:%d")` does (so every
    /// argument the reference accepts means the same here), and only when that
    /// fails as a pair of signal names or numbers such as `TERM:QUIT`.
    pub fn parse(arg: &str) -> Result<Self, InvalidRewrite> {
        let (from, to) = scan_pair(arg.as_bytes())
            .or_else(|| named_pair(arg))
            .ok_or(InvalidRewrite)?;
        if (1..=MAXSIG).contains(&from) && (0..=MAXSIG).contains(&to) {
            Ok(Rewrite { from, to })
        } else {
            Err(InvalidRewrite)
        }
    }
}

/// `sscanf(arg, "%d:%d")` returning 2.
fn scan_pair(arg: &[u8]) -> Option<(i32, i32)> {
    let (from, rest) = scan_int(arg)?;
    let rest = rest.strip_prefix(b":")?;
    let (to, _trailing) = scan_int(rest)?;
    Some((from, to))
}

/// One `%d` conversion as glibc performs it: skip C-locale blanks, take an
/// optional sign and at least one digit, read the number as a `long` (clamped
/// on overflow, as `strtol` does) and store it in an `int` (keeping the low 32
/// bits). Returns the value and the unread rest.
fn scan_int(input: &[u8]) -> Option<(i32, &[u8])> {
    let start = input
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let mut rest = &input[start..];
    let negative = match rest.first() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => return scan_digits(rest, false),
    };
    rest = &rest[1..];
    scan_digits(rest, negative)
}

fn scan_digits(input: &[u8], negative: bool) -> Option<(i32, &[u8])> {
    let digits = input.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut value: i64 = 0;
    let mut overflowed = false;
    for &digit in &input[..digits] {
        let d = i64::from(digit - b'0');
        match value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        }) {
            Some(next) => value = next,
            None => overflowed = true,
        }
    }
    if overflowed {
        value = if negative { i64::MIN } else { i64::MAX };
    }
    // Truncation to int is what C's assignment of the long result does.
    Some((value as i32, &input[digits..]))
}

/// `NAME:NAME`, `NAME:number` or `number:NAME`, the extension to `-r`: at
/// least one side is a name, and a number is plain digits.
fn named_pair(arg: &str) -> Option<(i32, i32)> {
    let (from, to) = arg.split_once(':')?;
    let (from_name, to_name) = (number_for_name(from), number_for_name(to));
    if from_name.is_none() && to_name.is_none() {
        return None;
    }
    Some((
        from_name.or_else(|| digits(from))?,
        to_name.or_else(|| digits(to))?,
    ))
}

fn digits(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
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
pub struct RewriteTable {
    to: [Option<u8>; MAXSIG as usize + 1],
}

impl RewriteTable {
    pub fn set(&mut self, rewrite: Rewrite) {
        // Rewrite::parse keeps both numbers in 0..=31.
        self.to[rewrite.from as usize] = Some(rewrite.to as u8);
    }

    /// Adds `from -> to` unless the user already rewrote `from`.
    pub fn set_default(&mut self, from: i32, to: i32) {
        let slot = &mut self.to[from as usize];
        if slot.is_none() {
            *slot = Some(to as u8);
        }
    }

    pub fn translate(&self, signal: i32) -> Translation {
        let rewritten = usize::try_from(signal)
            .ok()
            .and_then(|index| self.to.get(index).copied().flatten());
        match rewritten {
            Some(to) => Translation::Rewritten {
                from: signal,
                to: i32::from(to),
            },
            None => Translation::Unchanged(signal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signal_hook::consts::signal::{SIGTSTP, SIGTTIN, SIGUSR1};

    fn parse(arg: &str) -> Result<(i32, i32), InvalidRewrite> {
        Rewrite::parse(arg).map(|r| (r.from, r.to))
    }

    #[test]
    fn plain_numbers_parse() {
        assert_eq!(parse("15:3"), Ok((15, 3)));
        assert_eq!(parse("1:0"), Ok((1, 0)));
        assert_eq!(parse("31:31"), Ok((31, 31)));
    }

    #[test]
    fn sscanf_quirks_are_kept() {
        assert_eq!(parse("  15:3"), Ok((15, 3)), "leading blanks");
        assert_eq!(
            parse("\t+15: -0"),
            Ok((15, 0)),
            "signs and blank before the second number"
        );
        assert_eq!(parse("15:3xyz"), Ok((15, 3)), "trailing text ignored");
        assert_eq!(parse("15:3:4"), Ok((15, 3)));
        assert_eq!(parse("4294967311:3"), Ok((15, 3)), "long truncated to int");
        assert_eq!(parse("-4294967281:3"), Ok((15, 3)));
    }

    #[test]
    fn out_of_range_or_malformed_is_rejected() {
        for bad in [
            "0:3",
            "32:3",
            "15:32",
            "15:-1",
            "-15:3",
            "15",
            "15:",
            ":3",
            "",
            "15 :3",
            "15:+",
            "x:3",
            "99999999999999999999:3",
            "0x10:3",
            "15;3",
            "+-1:3",
        ] {
            assert_eq!(parse(bad), Err(InvalidRewrite), "{bad:?}");
        }
    }

    #[test]
    fn signal_names_parse_with_or_without_sig_in_any_case() {
        assert_eq!(parse("TERM:QUIT"), Ok((15, 3)));
        assert_eq!(parse("SIGTERM:SIGQUIT"), Ok((15, 3)));
        assert_eq!(parse("sigusr1:0"), Ok((10, 0)));
        assert_eq!(parse("SIGTERM:3"), Ok((15, 3)));
        assert_eq!(parse("15:quit"), Ok((15, 3)));
        assert_eq!(parse("iot:cld"), Ok((6, 17)));
        assert_eq!(parse("poll:Pwr"), Ok((29, 30)));
    }

    #[test]
    fn unknown_names_are_rejected() {
        for bad in [
            "TERMS:QUIT",
            "SIG:3",
            "RTMIN:1",
            "TERM:QUITE",
            "TERM",
            "TERM:99",
        ] {
            assert_eq!(parse(bad), Err(InvalidRewrite), "{bad:?}");
        }
    }

    #[test]
    fn every_standard_number_has_a_name() {
        for number in 1..=MAXSIG {
            let named =
                signal_name(number).is_some() || MORE_NAMES.iter().any(|&(_, n)| n == number);
            assert!(named, "signal {number}");
        }
    }

    #[test]
    fn names_are_the_linux_ones() {
        let cases = [
            ("HUP", 1),
            ("ILL", 4),
            ("STKFLT", 16),
            ("CHLD", 17),
            ("URG", 23),
            ("WINCH", 28),
            ("IO", 29),
            ("PWR", 30),
            ("SYS", 31),
        ];
        for (name, number) in cases {
            assert_eq!(number_for_name(name), Some(number), "{name}");
        }
        assert_eq!(number_for_name("SIG"), None);
        assert_eq!(number_for_name(""), None);
        assert_eq!(number_for_name("SIGSIGTERM"), None);
    }

    #[test]
    fn forwardable_signals_are_numbers_or_names_but_not_kill_stop_or_chld() {
        assert_eq!(forwardable("TERM"), Some(15));
        assert_eq!(forwardable("sigusr1"), Some(10));
        assert_eq!(forwardable("15"), Some(15));
        assert_eq!(forwardable("31"), Some(31));
        for bad in [
            "KILL", "9", "STOP", "19", "CHLD", "17", "0", "32", "+15", " 15", "", "NOPE",
        ] {
            assert_eq!(forwardable(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_table_rewrites_only_what_was_set() {
        let mut table = RewriteTable::default();
        table.set(Rewrite { from: 15, to: 3 });
        table.set(Rewrite { from: 2, to: 0 });
        assert_eq!(table.translate(15).outgoing(), Some(3));
        assert_eq!(table.translate(2).outgoing(), None);
        assert_eq!(table.translate(1), Translation::Unchanged(1));
        assert_eq!(table.translate(40), Translation::Unchanged(40));
    }

    #[test]
    fn defaults_do_not_override_user_rewrites() {
        let mut table = RewriteTable::default();
        table.set(Rewrite {
            from: SIGTSTP,
            to: SIGUSR1,
        });
        table.set_default(SIGTSTP, SIGSTOP);
        table.set_default(SIGTTIN, SIGSTOP);
        assert_eq!(table.translate(SIGTSTP).outgoing(), Some(SIGUSR1));
        assert_eq!(table.translate(SIGTTIN).outgoing(), Some(SIGSTOP));
    }
}
