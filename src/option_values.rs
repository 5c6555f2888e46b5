//! The values that options and their environment variables take, each read
//! by one function, which the option's declaration (cli.rs) names: `-r`'s
//! `s:r` as C's `sscanf("%d:%d")` reads it (so every value the reference
//! accepts means the same here), seconds, signals, exit statuses, resource
//! limits, umasks and hooks. Errors say what was expected, in the words the
//! user sees.

use std::time::Duration;

use nix::libc;

use crate::config::{Hook, Limit, Rewrite, Rlimit};
use crate::signal_names::{self, MAXSIG};

/// A value that an option or environment variable does not take.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    /// The reference's three lines for a bad `-r`.
    #[error(
        "Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31.\n\
         This option can be specified multiple times.\n\
         Use --help for full usage."
    )]
    Rewrite,
    #[error("expected seconds, such as 10 or 2.5, at most {MAX_SECONDS}")]
    Seconds,
    #[error(
        "expected SIGNAL:SECONDS, such as TERM:5 (a signal dumb-init passes on, and seconds \
         such as 10 or 2.5, at most {MAX_SECONDS})"
    )]
    Delay,
    #[error("expected FROM:TO, two exit statuses from 0 to 255, such as 143:0")]
    ExitMapping,
    #[error(
        "expected a signal dumb-init passes on, by number (1-31) or name, such as TERM \
         (not KILL, STOP or CHLD)"
    )]
    Signal,
    #[error(
        "expected RESOURCE=SOFT[:HARD], such as NOFILE=hard or CORE=0: a resource of \
         prlimit(1) (NOFILE, NPROC, CORE, STACK...), limits as numbers, unlimited or hard"
    )]
    Rlimit,
    #[error("expected an octal umask from 0 to 0777, such as 027")]
    Umask,
    #[error(
        "expected SIGNAL:COMMAND, such as 'TERM:nginx -s quit' (a signal dumb-init passes \
         on, and a shell command)"
    )]
    Hook,
    #[error("expected a command in UTF-8: these bytes would reach the shell changed")]
    HookNotUtf8,
}

/// What a parser gives: the value, or why not, in `InvalidValue`'s words
/// (argh, which calls these parsers, takes the reason as a `String`).
pub type Parsed<T> = Result<T, String>;

impl From<InvalidValue> for String {
    fn from(invalid: InvalidValue) -> String {
        invalid.to_string()
    }
}

/// The longest period any option takes, in seconds (about 31 years): far
/// beyond any use, and far below what the clock's arithmetic could overflow.
pub const MAX_SECONDS: u64 = 1_000_000_000;

/// `-r s:r`, read first exactly as C's `sscanf("%d:%d")` does, and only when
/// that fails as a pair of signal names or numbers such as `TERM:QUIT`.
pub fn rewrite(arg: &str) -> Parsed<Rewrite> {
    let (from, to) = scan_pair(arg.as_bytes())
        .or_else(|| named_pair(arg))
        .ok_or(InvalidValue::Rewrite)?;
    if (1..=MAXSIG).contains(&from) && (0..=MAXSIG).contains(&to) {
        Ok(Rewrite { from, to })
    } else {
        Err(InvalidValue::Rewrite.into())
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
    let rest = input.get(start..)?;
    match rest.split_first() {
        Some((b'-', digits)) => scan_digits(digits, true),
        Some((b'+', digits)) => scan_digits(digits, false),
        _ => scan_digits(rest, false),
    }
}

fn scan_digits(input: &[u8], negative: bool) -> Option<(i32, &[u8])> {
    let count = input.iter().take_while(|b| b.is_ascii_digit()).count();
    let (digits, rest) = input.split_at_checked(count)?;
    if digits.is_empty() {
        return None;
    }
    // As strtol: accumulate towards the sign, clamping at the long's ends.
    let clamp = if negative { i64::MIN } else { i64::MAX };
    let value = digits.iter().try_fold(0i64, |value, &digit| {
        let digit = i64::from(digit.checked_sub(b'0')?);
        let shifted = value.checked_mul(10)?;
        if negative {
            shifted.checked_sub(digit)
        } else {
            shifted.checked_add(digit)
        }
    });
    // Truncation to int is what C's assignment of the long result does.
    Some((value.unwrap_or(clamp) as i32, rest))
}

/// `NAME:NAME`, `NAME:number` or `number:NAME`, the extension to `-r`: at
/// least one side is a name, and a number is plain digits.
fn named_pair(arg: &str) -> Option<(i32, i32)> {
    let (from, to) = arg.split_once(':')?;
    if signal_names::number_for_name(from).is_none() && signal_names::number_for_name(to).is_none()
    {
        return None;
    }
    Some((
        signal_names::name_or_digits(from)?,
        signal_names::name_or_digits(to)?,
    ))
}

/// Seconds as a plain decimal (`10`, `2.5`, `.25`): no sign, no exponent, at
/// most `MAX_SECONDS`. Read in integers, to the nanosecond (further decimals
/// are dropped), so that no float is involved.
pub fn seconds(text: &str) -> Parsed<Duration> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let plain = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.len().saturating_add(fraction.len()) == 0 || !plain(whole) || !plain(fraction) {
        return Err(InvalidValue::Seconds.into());
    }
    let seconds = match whole.trim_start_matches('0') {
        "" => 0,
        digits => digits.parse().map_err(|_| InvalidValue::Seconds)?,
    };
    if seconds > MAX_SECONDS {
        return Err(InvalidValue::Seconds.into());
    }
    // Nanoseconds: the first nine decimals, padded with zeros; any further
    // digit that is not 0 rounds up to the next nanosecond, so that a
    // period given as more than zero is never zero.
    let nanos: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    let nanos = nanos.parse().map_err(|_| InvalidValue::Seconds)?;
    let beyond = fraction.get(9..).unwrap_or_default();
    let round_up = Duration::from_nanos(u64::from(beyond.bytes().any(|b| b != b'0')));
    Duration::new(seconds, nanos)
        .checked_add(round_up)
        .filter(|period| *period <= Duration::new(MAX_SECONDS, 999_999_999))
        .ok_or_else(|| InvalidValue::Seconds.into())
}

/// `--delay SIGNAL:SECONDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    pub signal: i32,
    pub period: Duration,
}

/// `SIGNAL:SECONDS`, the signal as `signal_names::forwardable` reads it.
pub fn delay(text: &str) -> Parsed<Delay> {
    let (signal, period) = text.split_once(':').ok_or(InvalidValue::Delay)?;
    Ok(Delay {
        signal: signal_names::forwardable(signal).ok_or(InvalidValue::Delay)?,
        period: seconds(period).map_err(|_| InvalidValue::Delay)?,
    })
}

/// `--remap-exit FROM:TO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitMapping {
    pub from: u8,
    pub to: u8,
}

/// `FROM:TO`, two exit statuses as plain decimals.
pub fn exit_mapping(text: &str) -> Parsed<ExitMapping> {
    let status = |text: &str| plain_number(text).ok_or(InvalidValue::ExitMapping);
    let (from, to) = text.split_once(':').ok_or(InvalidValue::ExitMapping)?;
    Ok(ExitMapping {
        from: status(from)?,
        to: status(to)?,
    })
}

/// A number as C's `strtol` family reads it from the start of `text`:
/// blanks, an optional sign, decimal digits. The value (`None` where there
/// is no digit, or it overflows, C's ERANGE) and what follows the digits.
pub fn c_number(text: &[u8]) -> (Option<i64>, &[u8]) {
    let text = text.trim_ascii_start();
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let count = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (digits, after) = rest.split_at_checked(count).unwrap_or((rest, &[]));
    if digits.is_empty() {
        return (None, text);
    }
    let value = digits.iter().try_fold(0i64, |value, &digit| {
        let digit = i64::from(digit.saturating_sub(b'0'));
        match negative {
            true => value.checked_mul(10)?.checked_sub(digit),
            false => value.checked_mul(10)?.checked_add(digit),
        }
    });
    (value, after)
}

/// A number written as plain decimal digits (no sign, no blank), that fits
/// in `T`.
fn plain_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| text.parse().ok()).flatten()
}

/// A signal dumb-init can receive and pass on (`--pdeathsig`).
pub fn signal(text: &str) -> Parsed<i32> {
    signal_names::forwardable(text).ok_or_else(|| InvalidValue::Signal.into())
}

/// The resources by the names prlimit(1) and ulimit users know.
#[allow(
    clippy::unnecessary_cast,
    reason = "glibc's RLIMIT_* are u32 already, musl's c_int"
)]
const RESOURCES: [(&str, u32); 16] = [
    ("AS", libc::RLIMIT_AS as u32),
    ("CORE", libc::RLIMIT_CORE as u32),
    ("CPU", libc::RLIMIT_CPU as u32),
    ("DATA", libc::RLIMIT_DATA as u32),
    ("FSIZE", libc::RLIMIT_FSIZE as u32),
    ("LOCKS", libc::RLIMIT_LOCKS as u32),
    ("MEMLOCK", libc::RLIMIT_MEMLOCK as u32),
    ("MSGQUEUE", libc::RLIMIT_MSGQUEUE as u32),
    ("NICE", libc::RLIMIT_NICE as u32),
    ("NOFILE", libc::RLIMIT_NOFILE as u32),
    ("NPROC", libc::RLIMIT_NPROC as u32),
    ("RSS", libc::RLIMIT_RSS as u32),
    ("RTPRIO", libc::RLIMIT_RTPRIO as u32),
    ("RTTIME", libc::RLIMIT_RTTIME as u32),
    ("SIGPENDING", libc::RLIMIT_SIGPENDING as u32),
    ("STACK", libc::RLIMIT_STACK as u32),
];

/// `RESOURCE=SOFT[:HARD]`: the resource in any case, with or without
/// `RLIMIT_`; each limit a number, `unlimited` or `hard` (the current hard
/// limit). Without HARD the hard limit stays.
pub fn rlimit(text: &str) -> Parsed<Rlimit> {
    let (resource, limits) = text.split_once('=').ok_or(InvalidValue::Rlimit)?;
    let bare = match resource.split_at_checked(7) {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case("RLIMIT_") => rest,
        _ => resource,
    };
    let &(name, resource) = RESOURCES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(bare))
        .ok_or(InvalidValue::Rlimit)?;
    let limit = |text: &str| match text {
        "unlimited" | "infinity" => Ok(Limit::Unlimited),
        "hard" => Ok(Limit::Hard),
        digits => plain_number(digits)
            .map(Limit::Value)
            .ok_or(InvalidValue::Rlimit),
    };
    let (soft, hard) = match limits.split_once(':') {
        Some((soft, hard)) => (limit(soft)?, limit(hard)?),
        None => (limit(limits)?, Limit::Hard),
    };
    Ok(Rlimit {
        name,
        resource,
        soft,
        hard,
    })
}

/// An octal umask, at most 0777 (`027`, `0022`, `7`).
pub fn umask(text: &str) -> Parsed<u32> {
    let octal =
        !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| matches!(b, b'0'..=b'7'));
    u32::from_str_radix(text, 8)
        .ok()
        .filter(|&mask| octal && mask <= 0o777)
        .ok_or_else(|| InvalidValue::Umask.into())
}

/// `SIGNAL:COMMAND`: a signal dumb-init passes on and a shell command that
/// is not blank. A NUL is how cli.rs marks a value whose bytes were not
/// UTF-8 (no argument holds one): refused, as the shell would get other
/// bytes than those given.
pub fn hook(text: &str) -> Parsed<Hook> {
    if text.contains('\0') {
        return Err(InvalidValue::HookNotUtf8.into());
    }
    let (signal, command) = text.split_once(':').ok_or(InvalidValue::Hook)?;
    if command.trim().is_empty() {
        return Err(InvalidValue::Hook.into());
    }
    Ok(Hook {
        signal: signal_names::forwardable(signal).ok_or(InvalidValue::Hook)?,
        command: command.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(arg: &str) -> Parsed<(i32, i32)> {
        rewrite(arg).map(|r| (r.from, r.to))
    }

    #[test]
    fn c_numbers_are_read_as_strtol_reads_them() {
        for (text, value, rest) in [
            (&b"42"[..], Some(42), &b""[..]),
            (b"042x", Some(42), b"x"),
            (b" +42 ", Some(42), b" "),
            (b"-3", Some(-3), b""),
            (b"", None, b""),
            (b"  ", None, b""),
            (b"+", None, b"+"),
            (b"abc", None, b"abc"),
            (b"99999999999999999999", None, b""),
        ] {
            assert_eq!(c_number(text), (value, rest), "{text:?}");
        }
    }

    #[test]
    fn rewrite_takes_plain_numbers() {
        assert_eq!(pair("15:3"), Ok((15, 3)));
        assert_eq!(pair("1:0"), Ok((1, 0)));
        assert_eq!(pair("31:31"), Ok((31, 31)));
    }

    #[test]
    fn rewrite_keeps_the_sscanf_quirks() {
        assert_eq!(pair("  15:3"), Ok((15, 3)), "leading blanks");
        assert_eq!(
            pair("\t+15: -0"),
            Ok((15, 0)),
            "signs and blank before the second number"
        );
        assert_eq!(pair("15:3xyz"), Ok((15, 3)), "trailing text ignored");
        assert_eq!(pair("15:3:4"), Ok((15, 3)));
        assert_eq!(pair("4294967311:3"), Ok((15, 3)), "long truncated to int");
        assert_eq!(pair("-4294967281:3"), Ok((15, 3)));
    }

    #[test]
    fn rewrite_refuses_what_is_out_of_range_or_malformed() {
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
            "-99999999999999999999:3",
            "0x10:3",
            "15;3",
            "+-1:3",
        ] {
            assert_eq!(pair(bad), Err(InvalidValue::Rewrite.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn rewrite_takes_signal_names_with_or_without_sig_in_any_case() {
        assert_eq!(pair("TERM:QUIT"), Ok((15, 3)));
        assert_eq!(pair("SIGTERM:SIGQUIT"), Ok((15, 3)));
        assert_eq!(pair("sigusr1:0"), Ok((10, 0)));
        assert_eq!(pair("SIGTERM:3"), Ok((15, 3)));
        assert_eq!(pair("15:quit"), Ok((15, 3)));
        assert_eq!(pair("iot:cld"), Ok((6, 17)));
        assert_eq!(pair("poll:Pwr"), Ok((29, 30)));
        for bad in [
            "TERMS:QUIT",
            "SIG:3",
            "RTMIN:1",
            "TERM:QUITE",
            "TERM",
            "TERM:99",
        ] {
            assert_eq!(pair(bad), Err(InvalidValue::Rewrite.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn seconds_are_plain_decimals_up_to_the_maximum() {
        assert_eq!(seconds("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds(".25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("3."), Ok(Duration::from_secs(3)));
        assert_eq!(seconds("0.0000000019"), Ok(Duration::from_nanos(2)));
        assert_eq!(
            seconds("0.0000000001"),
            Ok(Duration::from_nanos(1)),
            "not 0"
        );
        assert_eq!(seconds("0.0000000010"), Ok(Duration::from_nanos(1)));
        assert_eq!(seconds("2.50000000000"), Ok(Duration::from_millis(2500)));
        assert_eq!(
            seconds("0001000000000"),
            Ok(Duration::from_secs(MAX_SECONDS))
        );
        assert_eq!(
            seconds("1000000000.999999999"),
            Ok(Duration::new(MAX_SECONDS, 999_999_999))
        );
        for bad in [
            "-1",
            "+1",
            "1e3",
            "",
            ".",
            "abc",
            "1.2.3",
            " 1",
            "inf",
            "NaN",
            "1e309",
            "1000000001",
            "1000000000.9999999991",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999",
        ] {
            assert_eq!(
                seconds(bad),
                Err(InvalidValue::Seconds.to_string()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn delay_exit_mapping_and_signal_values() {
        assert_eq!(
            delay("usr1:0.5"),
            Ok(Delay {
                signal: 10,
                period: Duration::from_millis(500)
            })
        );
        for bad in [
            "TERM",
            "TERM:-1",
            "CHLD:1",
            "NOPE:1",
            "TERM:18446744073709551615",
        ] {
            assert_eq!(delay(bad), Err(InvalidValue::Delay.to_string()), "{bad:?}");
        }
        assert_eq!(exit_mapping("143:0"), Ok(ExitMapping { from: 143, to: 0 }));
        for bad in ["300:0", "1", "-1:0", "1:", "+1:0"] {
            assert_eq!(
                exit_mapping(bad),
                Err(InvalidValue::ExitMapping.to_string()),
                "{bad:?}"
            );
        }
        assert_eq!(signal("sighup"), Ok(1));
        assert_eq!(signal("KILL"), Err(InvalidValue::Signal.to_string()));
    }

    #[test]
    fn rlimit_takes_a_resource_and_soft_and_hard_limits() {
        let nofile = RESOURCES
            .iter()
            .find(|(name, _)| *name == "NOFILE")
            .unwrap()
            .1;
        assert_eq!(
            rlimit("NOFILE=hard"),
            Ok(Rlimit {
                name: "NOFILE",
                resource: nofile,
                soft: Limit::Hard,
                hard: Limit::Hard
            })
        );
        assert_eq!(
            rlimit("rlimit_nofile=1024:4096").map(|r| (r.name, r.soft, r.hard)),
            Ok(("NOFILE", Limit::Value(1024), Limit::Value(4096)))
        );
        assert_eq!(
            rlimit("core=0").map(|r| (r.name, r.soft, r.hard)),
            Ok(("CORE", Limit::Value(0), Limit::Hard))
        );
        assert_eq!(
            rlimit("Stack=unlimited:unlimited").map(|r| (r.soft, r.hard)),
            Ok((Limit::Unlimited, Limit::Unlimited))
        );
        assert_eq!(
            rlimit("RTTIME=18446744073709551615").map(|r| r.soft),
            Ok(Limit::Value(u64::MAX))
        );
        for bad in [
            "NOFILE",
            "NOFILE=",
            "=1",
            "FILES=1",
            "NOFILE=-1",
            "NOFILE=1k",
            "NOFILE=1:",
            "NOFILE=1:2:3",
            "NOFILE=18446744073709551616",
            "NOFILE= 1",
            "RLIMIT_=1",
        ] {
            assert_eq!(
                rlimit(bad),
                Err(InvalidValue::Rlimit.to_string()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn umask_is_octal_up_to_0777() {
        assert_eq!(umask("027"), Ok(0o27));
        assert_eq!(umask("0022"), Ok(0o22));
        assert_eq!(umask("0"), Ok(0));
        assert_eq!(umask("777"), Ok(0o777));
        for bad in [
            "", "8", "0o22", "1000", "07777", "-1", "22 ", "0x1f", "00000",
        ] {
            assert_eq!(umask(bad), Err(InvalidValue::Umask.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn hook_takes_a_signal_and_a_command() {
        assert_eq!(
            hook("TERM:nginx -s quit"),
            Ok(Hook {
                signal: 15,
                command: "nginx -s quit".to_owned()
            })
        );
        assert_eq!(
            hook("usr1:a:b, c").map(|h| h.command),
            Ok("a:b, c".to_owned())
        );
        for bad in ["TERM", "TERM:", "TERM:  ", "KILL:x", "NOPE:x", ":x"] {
            assert_eq!(hook(bad), Err(InvalidValue::Hook.to_string()), "{bad:?}");
        }
        assert_eq!(
            hook("TERM:echo \u{fffd}").map(|h| h.command),
            Ok("echo \u{fffd}".to_owned()),
            "a U+FFFD given as such"
        );
        assert_eq!(
            hook("TERM:a\u{fffd}b\0"),
            Err(InvalidValue::HookNotUtf8.to_string())
        );
    }
}
