//! Signal names and numbers: `TERM`, `SIGterm` and `15` all name signal 15.
//! The option values that take a signal (`-r`, `--delay`, `--pdeathsig`...)
//! read them through here.

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
    let bare = match name.split_at_checked(3) {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case("SIG") => rest,
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
    let number = name_or_digits(text)?;
    let never_forwarded = [SIGKILL, SIGSTOP, SIGCHLD];
    ((1..=MAXSIG).contains(&number) && !never_forwarded.contains(&number)).then_some(number)
}

/// A signal named or numbered (plain digits): the number if it is a name,
/// else the digits' value, whatever it is; the caller checks the range.
pub fn name_or_digits(text: &str) -> Option<i32> {
    number_for_name(text).or_else(|| digits(text))
}

fn digits(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_number_has_a_name() {
        for number in 1..=MAXSIG {
            let named =
                signal_name(number).is_some() || MORE_NAMES.iter().any(|&(_, n)| n == number);
            assert!(named, "signal {number}");
        }
    }

    #[test]
    fn names_are_the_linux_ones_with_or_without_sig_in_any_case() {
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
            ("sigterm", 15),
            ("SigUsr1", 10),
            ("iot", 6),
            ("cld", 17),
        ];
        for (name, number) in cases {
            assert_eq!(number_for_name(name), Some(number), "{name}");
        }
        assert_eq!(number_for_name("SIG"), None);
        assert_eq!(number_for_name(""), None);
        assert_eq!(number_for_name("SIGSIGTERM"), None);
        assert_eq!(number_for_name("RTMIN"), None);
    }

    #[test]
    fn forwardable_signals_are_numbers_or_names_but_not_kill_stop_or_chld() {
        assert_eq!(forwardable("TERM"), Some(15));
        assert_eq!(forwardable("sigusr1"), Some(10));
        assert_eq!(forwardable("15"), Some(15));
        assert_eq!(forwardable("31"), Some(31));
        for bad in [
            "KILL",
            "9",
            "STOP",
            "19",
            "CHLD",
            "17",
            "0",
            "32",
            "+15",
            " 15",
            "",
            "NOPE",
            "99999999999999999999",
        ] {
            assert_eq!(forwardable(bad), None, "{bad:?}");
        }
    }
}
