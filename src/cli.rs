//! The command line. A front that follows glibc's `getopt_long` with the
//! reference's option string `+hvVcr:` walks the raw arguments (clusters,
//! attached values, `--opt=value`, unambiguous prefixes, stop at the first
//! non-option or `--`) and reports errors in getopt's words. What it accepts
//! it hands to argh, which defines the option surface, as a canonical list:
//! each option by its whole long name, each value as the next argument, in
//! the order given. The command never leaves `OsString`: it reaches exec
//! byte-for-byte. The environment variables are read last, as the reference
//! does.

use std::borrow::Cow;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use argh::FromArgs;
use signal_hook::consts::signal::{SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};

use crate::held::DelayTable;
use crate::log::Log;
use crate::signals::{self, InvalidRewrite, Rewrite, RewriteTable};
use crate::supervisor::ExitRemap;

/// The options, as argh reads the front's canonical list.
#[derive(FromArgs, Debug)]
/// dumb-init's options, in canonical form.
struct OptionSurface {
    /// pass signals to the direct child only
    #[argh(switch)]
    single_child: bool,
    /// rewrite received signal s to r before passing it on (s:r)
    #[argh(option, from_str_fn(rewrite))]
    rewrite: Vec<Rewrite>,
    /// print what happens to stderr
    #[argh(switch)]
    verbose: bool,
    /// adopt and reap the command's orphans when not PID 1
    #[argh(switch)]
    subreaper: bool,
    /// seconds to wait for the command's tree after it exits (the last wins)
    #[argh(option, from_str_fn(seconds))]
    grace_period: Vec<Duration>,
    /// hold a received signal for some seconds before passing it on (SIGNAL:SECONDS)
    #[argh(option, from_str_fn(delay))]
    delay: Vec<Delay>,
    /// exit with status TO where the command's end gives FROM (FROM:TO)
    #[argh(option, from_str_fn(remap_exit))]
    remap_exit: Vec<ExitMapping>,
    /// the signal to receive when dumb-init's parent dies (the last wins)
    #[argh(option, from_str_fn(signal))]
    pdeathsig: Vec<i32>,
}

fn rewrite(text: &str) -> Result<Rewrite, String> {
    Rewrite::parse(text).map_err(|error| error.to_string())
}

fn seconds(text: &str) -> Result<Duration, String> {
    parse_seconds(text).map_err(|error| error.to_string())
}

fn delay(text: &str) -> Result<Delay, String> {
    parse_delay(text).map_err(|error| error.to_string())
}

fn remap_exit(text: &str) -> Result<ExitMapping, String> {
    parse_exit_mapping(text).map_err(|error| error.to_string())
}

fn signal(text: &str) -> Result<i32, String> {
    parse_signal(text).map_err(|error| error.to_string())
}

/// `--delay SIGNAL:SECONDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    pub signal: i32,
    pub period: Duration,
}

/// `--remap-exit FROM:TO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitMapping {
    pub from: u8,
    pub to: u8,
}

/// A value that an option or environment variable does not take.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error(transparent)]
    Rewrite(#[from] InvalidRewrite),
    #[error("expected seconds, such as 10 or 2.5")]
    Seconds,
    #[error(
        "expected SIGNAL:SECONDS, such as TERM:5 (a signal dumb-init passes on, and seconds \
         such as 10 or 2.5)"
    )]
    Delay,
    #[error("expected FROM:TO, two exit statuses from 0 to 255, such as 143:0")]
    ExitMapping,
    #[error(
        "expected a signal dumb-init passes on, by number (1-31) or name, such as TERM \
         (not KILL, STOP or CHLD)"
    )]
    Signal,
}

/// Which processes receive forwarded signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The child leads a new session; signals go to its whole process group.
    Setsid,
    /// Signals go to the direct child only.
    SingleChild,
}

/// Everything the supervisor needs to run a command.
#[derive(Debug, PartialEq)]
pub struct Config {
    pub command: Vec<OsString>,
    pub mode: Mode,
    pub log: Log,
    pub rewrites: RewriteTable,
    pub subreaper: bool,
    pub grace_period: Duration,
    pub delays: DelayTable,
    pub exit_remap: ExitRemap,
    pub pdeathsig: Option<i32>,
    /// `DUMB_INIT_DEBUG=1` turned verbose output on.
    pub debug_from_env: bool,
    /// `DUMB_INIT_SETSID=0` turned single-child mode on.
    pub single_child_from_env: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Run the command (boxed: the tables make it large).
    Run(Box<Config>),
    /// Print `message` on stderr and exit with `status` (help, version, errors).
    Exit { message: Vec<u8>, status: i32 },
}

/// Parses `argv` (argv[0] included); `env` looks up environment variables.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    let program = argv.first().map_or(&b"dumb-init"[..], |a| a.as_bytes());
    let scan = scan(program, argv);
    let surface = match read_surface(program, &scan.given) {
        Ok(surface) => surface,
        Err(message) => return exit(message, 1),
    };
    match scan.stop {
        Some(Stop::Help) => return exit(help(program), 0),
        Some(Stop::Version) => return exit(version(), 0),
        Some(Stop::Invalid(message)) => return exit(message, 1),
        None => {}
    }
    if scan.command.is_empty() {
        return exit(usage(program), 1);
    }

    let is =
        |name: &str, wanted: &str| env(name).is_some_and(|v| v.as_bytes() == wanted.as_bytes());
    let debug_from_env = is("DUMB_INIT_DEBUG", "1");
    let single_child_from_env = is("DUMB_INIT_SETSID", "0");
    let subreaper = surface.subreaper || is("DUMB_INIT_SUBREAPER", "1");
    // Each extension's variable is read only when its option is not given.
    let grace_period = surface.grace_period.last().copied();
    let grace_period = match value_or_env(
        program,
        &env,
        grace_period,
        "DUMB_INIT_GRACE_PERIOD",
        parse_seconds,
    ) {
        Ok(period) => period.unwrap_or(Duration::ZERO),
        Err(message) => return exit(message, 1),
    };
    let pdeathsig = surface.pdeathsig.last().copied();
    let pdeathsig = match value_or_env(
        program,
        &env,
        pdeathsig,
        "DUMB_INIT_PDEATHSIG",
        parse_signal,
    ) {
        Ok(signal) => signal,
        Err(message) => return exit(message, 1),
    };
    let delays = match values_or_env(program, &env, surface.delay, "DUMB_INIT_DELAY", parse_delay) {
        Ok(delays) => delays,
        Err(message) => return exit(message, 1),
    };
    let exit_mappings = match values_or_env(
        program,
        &env,
        surface.remap_exit,
        "DUMB_INIT_REMAP_EXIT",
        parse_exit_mapping,
    ) {
        Ok(mappings) => mappings,
        Err(message) => return exit(message, 1),
    };

    let mode = if surface.single_child || single_child_from_env {
        Mode::SingleChild
    } else {
        Mode::Setsid
    };
    let mut rewrites = RewriteTable::default();
    for rewrite in surface.rewrite {
        rewrites.set(rewrite);
    }
    if mode == Mode::Setsid {
        // Job-control stops would stop only the child, leaving the session
        // half-suspended; stopping with SIGSTOP instead keeps Ctrl-Z working.
        for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
            rewrites.set_default(signal, SIGSTOP);
        }
    }

    Outcome::Run(Box::new(Config {
        command: scan.command.to_vec(),
        mode,
        log: Log {
            verbose: surface.verbose || debug_from_env,
        },
        rewrites,
        subreaper,
        grace_period,
        delays: delays
            .iter()
            .fold(DelayTable::default(), |mut table, delay| {
                table.set(delay.signal, delay.period);
                table
            }),
        exit_remap: exit_mappings
            .iter()
            .fold(ExitRemap::default(), |mut remap, mapping| {
                remap.set(mapping.from, mapping.to);
                remap
            }),
        pdeathsig,
        debug_from_env,
        single_child_from_env,
    }))
}

/// argh reads the options the front found, in their canonical form. It stops
/// at the first value that does not parse, the first in the order given, and
/// that one is named in its option's words.
fn read_surface(program: &[u8], given: &[Given]) -> Result<OptionSurface, Vec<u8>> {
    let mut canonical: Vec<Cow<str>> = Vec::new();
    for option in given {
        canonical.push(Cow::Owned(format!("--{}", option.opt.name())));
        if let Some(value) = option.value {
            // Every value parser reads ASCII only and stops at the first byte
            // it does not take, so replacing what is not UTF-8 changes no
            // outcome; messages quote the bytes as given.
            canonical.push(String::from_utf8_lossy(value));
        }
    }
    let canonical: Vec<&str> = canonical.iter().map(|arg| arg.as_ref()).collect();
    OptionSurface::from_args(&["dumb-init"], &canonical).map_err(|early| {
        given
            .iter()
            .find_map(|option| option.refusal(program))
            .unwrap_or_else(|| early.output.into_bytes())
    })
}

/// A single-valued extension: the option's value if given, else that of its
/// variable `name` (unset or empty is the same as not given).
fn value_or_env<T>(
    program: &[u8],
    env: &impl Fn(&str) -> Option<OsString>,
    given: Option<T>,
    name: &str,
    parse: fn(&str) -> Result<T, InvalidValue>,
) -> Result<Option<T>, Vec<u8>> {
    if given.is_some() {
        return Ok(given);
    }
    let Some(value) = env(name).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    parse(&value.to_string_lossy())
        .map(Some)
        .map_err(|error| invalid(program, name, value.as_bytes(), &error))
}

/// A repeatable extension: the options' values if any was given, else the
/// comma-separated items of its variable `name`.
fn values_or_env<T>(
    program: &[u8],
    env: &impl Fn(&str) -> Option<OsString>,
    given: Vec<T>,
    name: &str,
    parse: fn(&str) -> Result<T, InvalidValue>,
) -> Result<Vec<T>, Vec<u8>> {
    if !given.is_empty() {
        return Ok(given);
    }
    let Some(value) = env(name).filter(|value| !value.is_empty()) else {
        return Ok(given);
    };
    value
        .to_string_lossy()
        .split(',')
        .map(|item| parse(item.trim()))
        .collect::<Result<_, _>>()
        .map_err(|error| invalid(program, name, value.as_bytes(), &error))
}

/// The message for a value that `source` (an option or a variable) does not
/// take: the reference's words for `-r`, one line naming the source for the
/// extensions.
fn invalid(program: &[u8], source: &str, value: &[u8], error: &InvalidValue) -> Vec<u8> {
    let reason = error.to_string();
    match error {
        InvalidValue::Rewrite(_) => [reason.as_bytes(), b"\n"].concat(),
        _ => [
            program,
            b": invalid ",
            source.as_bytes(),
            b" '",
            value,
            b"': ",
            reason.as_bytes(),
            b"\n",
        ]
        .concat(),
    }
}

fn exit(message: Vec<u8>, status: i32) -> Outcome {
    Outcome::Exit { message, status }
}

/// Seconds as a plain decimal (`10`, `2.5`, `.25`): no sign, no exponent.
/// Read in integers, to the nanosecond (further decimals are dropped).
fn parse_seconds(text: &str) -> Result<Duration, InvalidValue> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let dots = text.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != text.len() {
        return Err(InvalidValue::Seconds);
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let seconds = match whole {
        "" => 0,
        whole => whole.parse().map_err(|_| InvalidValue::Seconds)?,
    };
    // Nanoseconds: the first nine decimals, padded with zeros.
    let nanos = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0, |nanos, digit| nanos * 10 + u32::from(digit - b'0'));
    Ok(Duration::new(seconds, nanos))
}

/// `SIGNAL:SECONDS`, the signal as `signals::forwardable` reads it.
fn parse_delay(text: &str) -> Result<Delay, InvalidValue> {
    let (signal, seconds) = text.split_once(':').ok_or(InvalidValue::Delay)?;
    Ok(Delay {
        signal: signals::forwardable(signal).ok_or(InvalidValue::Delay)?,
        period: parse_seconds(seconds).map_err(|_| InvalidValue::Delay)?,
    })
}

/// `FROM:TO`, two exit statuses as plain decimals.
fn parse_exit_mapping(text: &str) -> Result<ExitMapping, InvalidValue> {
    let status = |text: &str| {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u8>().ok())
            .flatten()
            .ok_or(InvalidValue::ExitMapping)
    };
    let (from, to) = text.split_once(':').ok_or(InvalidValue::ExitMapping)?;
    Ok(ExitMapping {
        from: status(from)?,
        to: status(to)?,
    })
}

fn parse_signal(text: &str) -> Result<i32, InvalidValue> {
    signals::forwardable(text).ok_or(InvalidValue::Signal)
}

fn version() -> Vec<u8> {
    format!("dumb-init v{}\n", env!("CARGO_PKG_VERSION")).into_bytes()
}

fn usage(program: &[u8]) -> Vec<u8> {
    [
        b"Usage: ",
        program,
        b" [option] program [args]\nTry ",
        program,
        b" --help for full usage.\n",
    ]
    .concat()
}

fn help(program: &[u8]) -> Vec<u8> {
    [
        b"dumb-init v",
        env!("CARGO_PKG_VERSION").as_bytes(),
        b"\nUsage: ",
        program,
        b" [option] command [[arg] ...]

Runs a command as a child in a session of its own, passes every signal it
receives on to that session's process group, reaps orphaned processes and
exits with the command's status. Meant to be PID 1 in a container.

Options:
   -c, --single-child    Pass signals to the direct child only, not to its
                         whole process group (no new session is made).
   -r, --rewrite s:r     Turn received signal s into r before passing it on;
                         r = 0 drops s. Numbers 1-31 or names such as TERM,
                         SIGQUIT or usr1 (0 on the right). Repeatable.
   -v, --verbose         Print what happens to stderr.
   -h, --help            Print this help and exit.
   -V, --version         Print the version and exit.
       --subreaper       When not PID 1, adopt and reap the orphans of the
                         command's tree (PR_SET_CHILD_SUBREAPER).
       --grace-period=S  When the child exits, wait up to S seconds (decimals
                         allowed) for the rest of its tree to exit after
                         SIGTERM, then SIGKILL what is left. Default 0.
       --delay=SIG:S     Hold received signal SIG for S seconds before
                         passing it on; other signals flow meanwhile, and a
                         second SIG passes it on at once. Repeatable.
       --remap-exit=A:B  Exit with status B where the command's end gives A
                         (0-255 each). Repeatable.
       --pdeathsig=SIG   Receive SIG when dumb-init's parent dies, and pass
                         it on like any other signal.

Environment:
   DUMB_INIT_DEBUG=1           same as --verbose
   DUMB_INIT_SETSID=0          same as --single-child
   DUMB_INIT_SUBREAPER=1       same as --subreaper
   DUMB_INIT_GRACE_PERIOD=S    same as --grace-period=S
   DUMB_INIT_DELAY=SIG:S,...   same as --delay for each item
   DUMB_INIT_REMAP_EXIT=A:B,...  same as --remap-exit for each item
   DUMB_INIT_PDEATHSIG=SIG     same as --pdeathsig=SIG
",
    ]
    .concat()
}

/// An option the front recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    Help,
    Version,
    SingleChild,
    Verbose,
    Rewrite,
    Subreaper,
    GracePeriod,
    Delay,
    RemapExit,
    Pdeathsig,
}

impl Opt {
    /// The whole long name, without `--`.
    fn name(self) -> &'static str {
        match self {
            Opt::Help => "help",
            Opt::Version => "version",
            Opt::SingleChild => "single-child",
            Opt::Verbose => "verbose",
            Opt::Rewrite => "rewrite",
            Opt::Subreaper => "subreaper",
            Opt::GracePeriod => "grace-period",
            Opt::Delay => "delay",
            Opt::RemapExit => "remap-exit",
            Opt::Pdeathsig => "pdeathsig",
        }
    }

    fn takes_value(self) -> bool {
        !matches!(
            self,
            Opt::Help | Opt::Version | Opt::SingleChild | Opt::Verbose | Opt::Subreaper
        )
    }

    /// Whether `value` parses as this option's value.
    fn check(self, value: &str) -> Result<(), InvalidValue> {
        match self {
            Opt::Rewrite => Rewrite::parse(value).map(drop).map_err(Into::into),
            Opt::GracePeriod => parse_seconds(value).map(drop),
            Opt::Delay => parse_delay(value).map(drop),
            Opt::RemapExit => parse_exit_mapping(value).map(drop),
            Opt::Pdeathsig => parse_signal(value).map(drop),
            Opt::Help | Opt::Version | Opt::SingleChild | Opt::Verbose | Opt::Subreaper => Ok(()),
        }
    }

    fn from_short(c: u8) -> Option<Opt> {
        match c {
            b'h' => Some(Opt::Help),
            b'v' => Some(Opt::Verbose),
            b'V' => Some(Opt::Version),
            b'c' => Some(Opt::SingleChild),
            b'r' => Some(Opt::Rewrite),
            _ => None,
        }
    }
}

/// The reference's long options, in its table order (getopt lists ambiguous
/// possibilities in this order). Abbreviations are matched against these only.
const REFERENCE_LONG: [Opt; 5] = [
    Opt::Help,
    Opt::SingleChild,
    Opt::Rewrite,
    Opt::Verbose,
    Opt::Version,
];

/// The extensions: whole names only, so that no abbreviation the reference
/// accepts (`--s` for `--single-child`) changes meaning or becomes ambiguous.
const EXTENSION_LONG: [Opt; 5] = [
    Opt::Subreaper,
    Opt::GracePeriod,
    Opt::Delay,
    Opt::RemapExit,
    Opt::Pdeathsig,
];

/// An option as the front found it, with its value's bytes as given.
#[derive(Debug)]
struct Given<'a> {
    opt: Opt,
    value: Option<&'a [u8]>,
}

impl Given<'_> {
    /// The message for this option's value, if it does not parse.
    fn refusal(&self, program: &[u8]) -> Option<Vec<u8>> {
        let value = self.value?;
        let error = self.opt.check(&String::from_utf8_lossy(value)).err()?;
        Some(invalid(
            program,
            &format!("--{}", self.opt.name()),
            value,
            &error,
        ))
    }
}

/// Why option parsing stopped before the command.
#[derive(Debug, PartialEq)]
enum Stop {
    Help,
    Version,
    /// getopt's message, with argv[0], ending in a newline.
    Invalid(Vec<u8>),
}

/// What the front found: the options before the stop (or the command), why
/// it stopped early if it did, and the command.
struct Scan<'a> {
    given: Vec<Given<'a>>,
    stop: Option<Stop>,
    command: &'a [OsString],
}

/// Walks `argv` as `getopt_long(argc, argv, "+hvVcr:", ...)` would.
fn scan<'a>(program: &[u8], argv: &'a [OsString]) -> Scan<'a> {
    let mut given = Vec::new();
    let mut next = 1;
    let stop = loop {
        let Some(arg) = argv.get(next).map(|a| a.as_bytes()) else {
            break None;
        };
        if arg == b"--" {
            next += 1;
            break None;
        }
        if arg.len() < 2 || arg[0] != b'-' {
            break None;
        }
        next += 1;
        let found = if arg[1] == b'-' {
            scan_long(program, &arg[2..], argv, &mut next).map(|option| vec![option])
        } else {
            scan_cluster(program, &arg[1..], argv, &mut next)
        };
        match found {
            Ok(options) => {
                let stop = options.iter().find_map(|option| match option.opt {
                    Opt::Help => Some(Stop::Help),
                    Opt::Version => Some(Stop::Version),
                    _ => None,
                });
                given.extend(
                    options
                        .into_iter()
                        .take_while(|option| !matches!(option.opt, Opt::Help | Opt::Version)),
                );
                if stop.is_some() {
                    break stop;
                }
            }
            Err(message) => break Some(Stop::Invalid(message)),
        }
    };
    let command = match stop {
        None => argv.get(next..).unwrap_or_default(),
        Some(_) => &[],
    };
    Scan {
        given,
        stop,
        command,
    }
}

/// A `--name[=value]` argument (`body` is what follows `--`).
fn scan_long<'a>(
    program: &[u8],
    body: &'a [u8],
    argv: &'a [OsString],
    next: &mut usize,
) -> Result<Given<'a>, Vec<u8>> {
    let name_end = body.iter().position(|&b| b == b'=').unwrap_or(body.len());
    let (name, attached) = (&body[..name_end], body.get(name_end + 1..));
    let exact = REFERENCE_LONG
        .iter()
        .chain(&EXTENSION_LONG)
        .find(|opt| opt.name().as_bytes() == name);
    let opt = match exact {
        Some(&opt) => opt,
        None => {
            let matches: Vec<Opt> = REFERENCE_LONG
                .into_iter()
                .filter(|opt| opt.name().as_bytes().starts_with(name))
                .collect();
            match matches.as_slice() {
                [] => return Err(refuse(program, &[b"unrecognized option '--", body, b"'"])),
                [only] => *only,
                several => {
                    let mut parts: Vec<&[u8]> =
                        vec![b"option '--", body, b"' is ambiguous; possibilities:"];
                    for opt in several {
                        parts.extend_from_slice(&[b" '--", opt.name().as_bytes(), b"'"]);
                    }
                    return Err(refuse(program, &parts));
                }
            }
        }
    };
    let long = opt.name().as_bytes();
    let value = match (opt.takes_value(), attached) {
        (true, Some(value)) => Some(value),
        (true, None) => match argv.get(*next) {
            Some(value) => {
                *next += 1;
                Some(value.as_bytes())
            }
            None => {
                let parts: [&[u8]; 3] = [b"option '--", long, b"' requires an argument"];
                return Err(refuse(program, &parts));
            }
        },
        (false, Some(_)) => {
            let parts: [&[u8]; 3] = [b"option '--", long, b"' doesn't allow an argument"];
            return Err(refuse(program, &parts));
        }
        (false, None) => None,
    };
    Ok(Given { opt, value })
}

/// A `-abc` cluster (`letters` is what follows `-`), up to the first option
/// that ends parsing (help, version) or takes the rest as its value.
fn scan_cluster<'a>(
    program: &[u8],
    letters: &'a [u8],
    argv: &'a [OsString],
    next: &mut usize,
) -> Result<Vec<Given<'a>>, Vec<u8>> {
    let mut found = Vec::new();
    for (index, &letter) in letters.iter().enumerate() {
        let Some(opt) = Opt::from_short(letter) else {
            return Err(refuse(program, &[b"invalid option -- '", &[letter], b"'"]));
        };
        if !opt.takes_value() {
            found.push(Given { opt, value: None });
            if matches!(opt, Opt::Help | Opt::Version) {
                break;
            }
            continue;
        }
        let attached = &letters[index + 1..];
        let value = if !attached.is_empty() {
            attached
        } else if let Some(value) = argv.get(*next) {
            *next += 1;
            value.as_bytes()
        } else {
            let parts: [&[u8]; 3] = [b"option requires an argument -- '", &[letter], b"'"];
            return Err(refuse(program, &parts));
        };
        found.push(Given {
            opt,
            value: Some(value),
        });
        break;
    }
    Ok(found)
}

/// getopt's refusal: `argv[0]: <parts>` and a newline.
fn refuse(program: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    [&[program, b": "], parts, &[b"\n"]].concat().concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let argv: Vec<OsString> = std::iter::once("dumb-init")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        parse(&argv, |name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    fn config(args: &[&str]) -> Config {
        match run_with_env(args, &[]) {
            Outcome::Run(config) => *config,
            other => panic!("{args:?} did not run: {other:?}"),
        }
    }

    /// The message and status of a command line that does not run.
    fn refusal(args: &[&str]) -> (String, i32) {
        match run_with_env(args, &[]) {
            Outcome::Exit { message, status } => (String::from_utf8(message).unwrap(), status),
            Outcome::Run(config) => panic!("{args:?} ran {:?}", config.command),
        }
    }

    fn command(config: &Config) -> Vec<&str> {
        config.command.iter().map(|a| a.to_str().unwrap()).collect()
    }

    fn forwards(config: &Config, signal: i32) -> Option<i32> {
        config.rewrites.translate(signal).outgoing()
    }

    #[test]
    fn a_bare_command_runs_in_setsid_mode() {
        let config = config(&["sleep", "10"]);
        assert_eq!(command(&config), ["sleep", "10"]);
        assert_eq!(config.mode, Mode::Setsid);
        assert!(!config.log.verbose);
        assert_eq!(config.grace_period, Duration::ZERO);
    }

    #[test]
    fn short_and_long_flags_set_their_options() {
        for args in [
            &["-c", "-v", "x"][..],
            &["--single-child", "--verbose", "x"],
            &["-cv", "x"],
            &["-vc", "x"],
        ] {
            let config = config(args);
            assert_eq!(config.mode, Mode::SingleChild, "{args:?}");
            assert!(config.log.verbose, "{args:?}");
            assert_eq!(command(&config), ["x"]);
        }
    }

    #[test]
    fn rewrite_values_may_be_attached_or_separate() {
        for args in [
            &["-r", "15:3", "x"][..],
            &["-r15:3", "x"],
            &["-cr15:3", "x"],
            &["-cr", "15:3", "x"],
            &["--rewrite=15:3", "x"],
            &["--rewrite", "15:3", "x"],
            &["--rew", "15:3", "x"],
            &["--r=15:3", "x"],
        ] {
            assert_eq!(forwards(&config(args), 15), Some(3), "{args:?}");
        }
    }

    #[test]
    fn rewrites_accumulate_and_the_last_one_for_a_signal_wins() {
        let config = config(&["-r", "15:3", "-r", "2:0", "-r", "15:10", "x"]);
        assert_eq!(forwards(&config, 15), Some(10));
        assert_eq!(forwards(&config, 2), None);
    }

    #[test]
    fn unambiguous_prefixes_of_long_options_work() {
        assert_eq!(config(&["--s", "x"]).mode, Mode::SingleChild);
        assert_eq!(config(&["--single", "x"]).mode, Mode::SingleChild);
        assert!(config(&["--verb", "x"]).log.verbose);
    }

    #[test]
    fn parsing_stops_at_the_first_non_option_and_at_double_dash() {
        assert_eq!(command(&config(&["sh", "-c", "-v"])), ["sh", "-c", "-v"]);
        assert_eq!(command(&config(&["--", "-c", "x"])), ["-c", "x"]);
        assert_eq!(command(&config(&["-v", "--", "--", "x"])), ["--", "x"]);
        assert_eq!(command(&config(&["-", "x"])), ["-", "x"]);
        assert_eq!(config(&["--", "-c", "x"]).mode, Mode::Setsid);
    }

    #[test]
    fn rewrite_takes_the_next_argument_whatever_it_looks_like() {
        assert_eq!(refusal(&["-r", "--", "x"]).1, 1);
        let config = config(&["--rewrite", "2:0", "--", "x"]);
        assert_eq!(command(&config), ["x"]);
    }

    #[test]
    fn command_bytes_pass_through_unchanged() {
        let odd = OsString::from_vec(b"a\xff\xfez".to_vec());
        let argv = [
            OsString::from("dumb-init"),
            OsString::from("printf"),
            odd.clone(),
        ];
        match parse(&argv, |_| None) {
            Outcome::Run(config) => assert_eq!(config.command[1], odd),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn getopt_error_messages_name_argv0() {
        let cases: &[(&[&str], &str)] = &[
            (&["-x"], "dumb-init: invalid option -- 'x'\n"),
            (&["-cx", "y"], "dumb-init: invalid option -- 'x'\n"),
            (&["-:"], "dumb-init: invalid option -- ':'\n"),
            (&["-+"], "dumb-init: invalid option -- '+'\n"),
            (&["--yolo"], "dumb-init: unrecognized option '--yolo'\n"),
            (&["--yolo=3"], "dumb-init: unrecognized option '--yolo=3'\n"),
            (&["-r"], "dumb-init: option requires an argument -- 'r'\n"),
            (&["-cr"], "dumb-init: option requires an argument -- 'r'\n"),
            (
                &["--rewrite"],
                "dumb-init: option '--rewrite' requires an argument\n",
            ),
            (
                &["--rew"],
                "dumb-init: option '--rewrite' requires an argument\n",
            ),
            (
                &["--help=x"],
                "dumb-init: option '--help' doesn't allow an argument\n",
            ),
            (
                &["--he=x"],
                "dumb-init: option '--help' doesn't allow an argument\n",
            ),
            (
                &["--single-child=1", "x"],
                "dumb-init: option '--single-child' doesn't allow an argument\n",
            ),
            (
                &["--subreaper=1", "x"],
                "dumb-init: option '--subreaper' doesn't allow an argument\n",
            ),
            (
                &["--grace-period"],
                "dumb-init: option '--grace-period' requires an argument\n",
            ),
            (
                &["--ver"],
                "dumb-init: option '--ver' is ambiguous; possibilities: '--verbose' '--version'\n",
            ),
            (
                &["--v=1"],
                "dumb-init: option '--v=1' is ambiguous; possibilities: '--verbose' '--version'\n",
            ),
            (
                &["--=x"],
                "dumb-init: option '--=x' is ambiguous; possibilities: '--help' '--single-child' \
                 '--rewrite' '--verbose' '--version'\n",
            ),
        ];
        for (args, expected) in cases {
            assert_eq!(refusal(args), (expected.to_string(), 1), "{args:?}");
        }
    }

    #[test]
    fn extensions_are_not_abbreviated() {
        assert_eq!(
            refusal(&["--sub", "x"]).0,
            "dumb-init: unrecognized option '--sub'\n"
        );
        assert_eq!(
            refusal(&["--grace=1", "x"]).0,
            "dumb-init: unrecognized option '--grace=1'\n"
        );
    }

    #[test]
    fn an_invalid_rewrite_prints_the_reference_usage() {
        let (message, status) = refusal(&["-r", "15", "x"]);
        assert_eq!(status, 1);
        assert_eq!(
            message,
            "Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31.\n\
             This option can be specified multiple times.\n\
             Use --help for full usage.\n"
        );
    }

    #[test]
    fn options_act_in_order() {
        assert_eq!(
            refusal(&["-h", "-r", "bad"]).1,
            0,
            "help before a bad rewrite"
        );
        assert_eq!(
            refusal(&["-r", "bad", "-h"]).1,
            1,
            "a bad rewrite before help"
        );
        assert!(
            refusal(&["-r", "bad", "-x"]).0.starts_with("Usage: -r"),
            "rewrite before -x"
        );
        assert!(refusal(&["-x", "-r", "bad"]).0.contains("invalid option"));
        assert_eq!(refusal(&["-hx"]).1, 0, "help ends parsing within a cluster");
        assert_eq!(refusal(&["-V", "--yolo"]).1, 0);
        assert_eq!(refusal(&["--yolo", "-V"]).1, 1);
    }

    #[test]
    fn help_and_version_exit_zero() {
        let (help, status) = refusal(&["--help"]);
        assert_eq!(status, 0);
        for option in [
            "--single-child",
            "--rewrite",
            "--verbose",
            "--help",
            "--version",
            "--subreaper",
            "--grace-period",
            "--delay",
            "--remap-exit",
            "--pdeathsig",
            "DUMB_INIT_DEBUG",
            "DUMB_INIT_SETSID",
            "DUMB_INIT_SUBREAPER",
            "DUMB_INIT_GRACE_PERIOD",
            "DUMB_INIT_DELAY",
            "DUMB_INIT_REMAP_EXIT",
            "DUMB_INIT_PDEATHSIG",
        ] {
            assert!(help.contains(option), "help lists {option}");
        }
        let version = format!("dumb-init v{}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(refusal(&["-V"]), (version.clone(), 0));
        assert_eq!(refusal(&["--vers"]), (version, 0));
    }

    #[test]
    fn no_command_prints_the_two_line_usage() {
        let usage =
            "Usage: dumb-init [option] program [args]\nTry dumb-init --help for full usage.\n";
        for args in [&[][..], &["-c"], &["--"], &["-v", "--"]] {
            assert_eq!(refusal(args), (usage.to_string(), 1), "{args:?}");
        }
    }

    #[test]
    fn environment_needs_exact_values() {
        let run = |env: &[(&str, &str)]| match run_with_env(&["x"], env) {
            Outcome::Run(config) => config,
            other => panic!("{other:?}"),
        };
        let debug = run(&[("DUMB_INIT_DEBUG", "1")]);
        assert!(debug.log.verbose && debug.debug_from_env);
        assert!(!run(&[("DUMB_INIT_DEBUG", "true")]).log.verbose);
        assert!(!run(&[("DUMB_INIT_DEBUG", "1 ")]).log.verbose);
        let single = run(&[("DUMB_INIT_SETSID", "0")]);
        assert!(single.mode == Mode::SingleChild && single.single_child_from_env);
        assert_eq!(run(&[("DUMB_INIT_SETSID", "00")]).mode, Mode::Setsid);
        assert_eq!(run(&[("DUMB_INIT_SETSID", "false")]).mode, Mode::Setsid);
        assert!(run(&[("DUMB_INIT_SUBREAPER", "1")]).subreaper);
        assert!(!run(&[("DUMB_INIT_SUBREAPER", "yes")]).subreaper);
    }

    #[test]
    fn setsid_mode_turns_job_control_stops_into_sigstop_unless_rewritten() {
        let setsid = config(&["-r", "20:10", "x"]);
        assert_eq!(forwards(&setsid, SIGTSTP), Some(10));
        assert_eq!(forwards(&setsid, SIGTTIN), Some(SIGSTOP));
        assert_eq!(forwards(&setsid, SIGTTOU), Some(SIGSTOP));
        let single = config(&["-c", "x"]);
        assert_eq!(forwards(&single, SIGTSTP), Some(SIGTSTP));
    }

    #[test]
    fn grace_period_takes_decimal_seconds() {
        assert_eq!(
            config(&["--grace-period=2.5", "x"]).grace_period,
            Duration::from_millis(2500)
        );
        assert_eq!(
            config(&["--grace-period", "10", "x"]).grace_period,
            Duration::from_secs(10)
        );
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_GRACE_PERIOD", ".25")]) {
            Outcome::Run(config) => config.grace_period,
            other => panic!("{other:?}"),
        };
        assert_eq!(from_env, Duration::from_millis(250));
        for bad in ["-1", "1e3", "", "abc", "1.2.3", "inf", "NaN"] {
            let (message, status) = refusal(&["--grace-period", bad, "x"]);
            assert_eq!(status, 1, "{bad:?}");
            assert!(
                message.starts_with("dumb-init: invalid --grace-period"),
                "{message}"
            );
        }
    }

    #[test]
    fn every_value_is_checked_in_turn_and_the_last_one_wins() {
        let (message, _) = refusal(&["--grace-period", "x", "--grace-period", "1", "y"]);
        assert!(message.starts_with("dumb-init: invalid --grace-period 'x'"));
        let config = config(&["--grace-period", "1", "--grace-period", "0.5", "y"]);
        assert_eq!(config.grace_period, Duration::from_millis(500));
        let (message, _) = refusal(&["--grace-period", "x", "-r", "bad", "y"]);
        assert!(
            message.contains("--grace-period"),
            "the first error is told"
        );
    }

    #[test]
    fn the_environment_is_read_only_when_a_command_is_given() {
        let outcome = run_with_env(&[], &[("DUMB_INIT_GRACE_PERIOD", "junk")]);
        assert_eq!(outcome, exit(usage(b"dumb-init"), 1));
    }

    fn delays(pairs: &[(i32, u64)]) -> DelayTable {
        let mut table = DelayTable::default();
        for &(signal, millis) in pairs {
            table.set(signal, Duration::from_millis(millis));
        }
        table
    }

    #[test]
    fn delay_takes_a_signal_and_seconds_and_repeats() {
        let config = config(&[
            "--delay",
            "TERM:5",
            "--delay=usr1:0.5",
            "--delay",
            "15:2",
            "x",
        ]);
        assert_eq!(config.delays, delays(&[(15, 2000), (10, 500)]));
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_DELAY", "TERM:5, INT:1")]) {
            Outcome::Run(config) => config.delays,
            other => panic!("{other:?}"),
        };
        assert_eq!(from_env, delays(&[(15, 5000), (2, 1000)]));
        let option_wins =
            match run_with_env(&["--delay", "HUP:1", "x"], &[("DUMB_INIT_DELAY", "TERM:5")]) {
                Outcome::Run(config) => config.delays,
                other => panic!("{other:?}"),
            };
        assert_eq!(option_wins, delays(&[(1, 1000)]));
    }

    #[test]
    fn remap_exit_takes_two_statuses_and_repeats() {
        let config = config(&[
            "--remap-exit",
            "143:0",
            "--remap-exit=2:0",
            "--remap-exit",
            "2:9",
            "x",
        ]);
        assert_eq!(config.exit_remap.map(143), 0);
        assert_eq!(config.exit_remap.map(2), 9);
        assert_eq!(config.exit_remap.map(1), 1);
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_REMAP_EXIT", "3:0,255:1")]) {
            Outcome::Run(config) => config.exit_remap,
            other => panic!("{other:?}"),
        };
        assert_eq!((from_env.map(3), from_env.map(255)), (0, 1));
    }

    #[test]
    fn pdeathsig_takes_a_signal_name_or_number() {
        assert_eq!(config(&["--pdeathsig", "TERM", "x"]).pdeathsig, Some(15));
        assert_eq!(config(&["--pdeathsig=sighup", "x"]).pdeathsig, Some(1));
        assert_eq!(config(&["--pdeathsig=10", "x"]).pdeathsig, Some(10));
        assert_eq!(config(&["x"]).pdeathsig, None);
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_PDEATHSIG", "INT")]) {
            Outcome::Run(config) => config.pdeathsig,
            other => panic!("{other:?}"),
        };
        assert_eq!(from_env, Some(2));
    }

    #[test]
    fn bad_extension_values_get_one_line_naming_the_option_or_variable() {
        for (args, option) in [
            (&["--remap-exit", "300:0", "x"][..], "--remap-exit '300:0'"),
            (&["--remap-exit", "1", "x"], "--remap-exit '1'"),
            (&["--remap-exit", "-1:0", "x"], "--remap-exit '-1:0'"),
            (&["--delay", "TERM", "x"], "--delay 'TERM'"),
            (&["--delay", "TERM:-1", "x"], "--delay 'TERM:-1'"),
            (&["--delay", "CHLD:1", "x"], "--delay 'CHLD:1'"),
            (&["--delay", "NOPE:1", "x"], "--delay 'NOPE:1'"),
            (&["--pdeathsig", "NOPE", "x"], "--pdeathsig 'NOPE'"),
            (&["--pdeathsig", "KILL", "x"], "--pdeathsig 'KILL'"),
        ] {
            let (message, status) = refusal(args);
            assert_eq!(status, 1, "{args:?}");
            assert!(
                message.starts_with(&format!("dumb-init: invalid {option}: expected ")),
                "{message}"
            );
            assert_eq!(message.lines().count(), 1, "{message}");
        }
        for (name, value) in [
            ("DUMB_INIT_DELAY", "TERM:5,"),
            ("DUMB_INIT_REMAP_EXIT", "143:0,x"),
            ("DUMB_INIT_PDEATHSIG", "NOPE"),
        ] {
            match run_with_env(&["x"], &[(name, value)]) {
                Outcome::Exit { message, status } => {
                    let message = String::from_utf8(message).unwrap();
                    assert_eq!(status, 1);
                    assert!(
                        message.starts_with(&format!("dumb-init: invalid {name} '{value}': ")),
                        "{message}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn the_new_extensions_are_not_abbreviated_either() {
        for (prefix, message) in [
            (
                "--del=TERM:1",
                "dumb-init: unrecognized option '--del=TERM:1'\n",
            ),
            (
                "--remap=1:0",
                "dumb-init: unrecognized option '--remap=1:0'\n",
            ),
            (
                "--pdeath=TERM",
                "dumb-init: unrecognized option '--pdeath=TERM'\n",
            ),
        ] {
            assert_eq!(refusal(&[prefix, "x"]), (message.to_string(), 1));
        }
        // `--re` still means the reference's --rewrite, nothing else.
        assert_eq!(forwards(&config(&["--re", "15:3", "x"]), 15), Some(3));
    }
}
