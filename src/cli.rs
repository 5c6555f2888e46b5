//! The command line. A front that follows glibc's `getopt_long` with the
//! reference's option string `+hvVcr:` walks the raw arguments (clusters,
//! attached values, `--opt=value`, unambiguous prefixes, stop at the first
//! non-option or `--`) and reports errors in getopt's words. What it accepts it
//! hands to argh as a canonical list of long options, which defines the option
//! surface. The command itself never leaves `OsString`: it reaches exec
//! byte-for-byte. The environment variables are read last, as the reference does.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use argh::FromArgs;

use crate::log::Log;
use crate::signals::{InvalidRewrite, Rewrite, RewriteTable};
use signal_hook::consts::signal::{SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};

/// The option surface, in the canonical form the front produces.
#[derive(FromArgs, Debug, PartialEq)]
/// dumb-init options
struct OptionSurface {
    /// signals go to the direct child only
    #[argh(switch)]
    single_child: bool,
    /// rewrite signal s to r before forwarding (s:r)
    #[argh(option)]
    rewrite: Vec<String>,
    /// print debugging lines to stderr
    #[argh(switch)]
    verbose: bool,
    /// become a child subreaper when not PID 1
    #[argh(switch)]
    subreaper: bool,
    /// seconds to wait for the whole group after the child exits
    #[argh(option)]
    grace_period: Vec<String>,
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
    /// `DUMB_INIT_DEBUG=1` turned verbose output on.
    pub debug_from_env: bool,
    /// `DUMB_INIT_SETSID=0` turned single-child mode on.
    pub single_child_from_env: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Run(Config),
    /// Print `message` on stderr and exit with `status` (help, version, errors).
    Exit {
        message: Vec<u8>,
        status: i32,
    },
}

/// Parses `argv` (argv[0] included); `env` looks up environment variables.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    let program = argv.first().map_or(&b"dumb-init"[..], |a| a.as_bytes());
    let scan = scan(argv);
    let canonical: Vec<&str> = scan.canonical.iter().map(String::as_str).collect();
    let surface = match OptionSurface::from_args(&["dumb-init"], &canonical) {
        Ok(surface) => surface,
        Err(early) => return exit(early.output.into_bytes(), 1),
    };

    let mut rewrites = RewriteTable::default();
    for value in &surface.rewrite {
        match Rewrite::parse(value.as_bytes()) {
            Ok(rewrite) => rewrites.set(rewrite),
            Err(InvalidRewrite) => return exit(line(InvalidRewrite.to_string()), 1),
        }
    }
    let mut grace_period = None;
    if let Some(value) = surface.grace_period.last() {
        match parse_seconds(value) {
            Some(period) => grace_period = Some(period),
            None => return exit(invalid_grace_period(program, "--grace-period", value), 1),
        }
    }

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
    if grace_period.is_none() {
        if let Some(value) = env("DUMB_INIT_GRACE_PERIOD").filter(|v| !v.is_empty()) {
            let value = value.to_string_lossy();
            match parse_seconds(&value) {
                Some(period) => grace_period = Some(period),
                None => {
                    return exit(
                        invalid_grace_period(program, "DUMB_INIT_GRACE_PERIOD", &value),
                        1,
                    );
                }
            }
        }
    }

    let mode = if surface.single_child || single_child_from_env {
        Mode::SingleChild
    } else {
        Mode::Setsid
    };
    if mode == Mode::Setsid {
        // Job-control stops would stop only the child, leaving the session
        // half-suspended; stopping with SIGSTOP instead keeps Ctrl-Z working.
        for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
            rewrites.set_default(signal, SIGSTOP);
        }
    }

    Outcome::Run(Config {
        command: scan.command,
        mode,
        log: Log {
            verbose: surface.verbose || debug_from_env,
        },
        rewrites,
        subreaper,
        grace_period: grace_period.unwrap_or(Duration::ZERO),
        debug_from_env,
        single_child_from_env,
    })
}

fn exit(message: Vec<u8>, status: i32) -> Outcome {
    Outcome::Exit { message, status }
}

fn line(text: String) -> Vec<u8> {
    let mut bytes = text.into_bytes();
    bytes.push(b'\n');
    bytes
}

/// Seconds as a plain decimal (`10`, `2.5`, `.25`): no sign, no exponent.
/// Read in integers, to the nanosecond (rounded on the tenth decimal): going
/// through an f64 would link the float parser for this one option.
fn parse_seconds(text: &str) -> Option<Duration> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let dots = text.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != text.len() {
        return None;
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let seconds = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    // Nanoseconds: the first nine decimals, padded with zeros.
    let nanos = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0, |nanos, digit| nanos * 10 + u32::from(digit - b'0'));
    Some(Duration::new(seconds, nanos))
}

fn invalid_grace_period(program: &[u8], source: &str, value: &str) -> Vec<u8> {
    let mut message = program.to_vec();
    message.extend_from_slice(
        format!(": invalid {source} '{value}': expected seconds, such as 10 or 2.5\n").as_bytes(),
    );
    message
}

fn version() -> Vec<u8> {
    line(format!("dumb-init v{}", env!("CARGO_PKG_VERSION")))
}

fn usage(program: &[u8]) -> Vec<u8> {
    let program = String::from_utf8_lossy(program);
    format!("Usage: {program} [option] program [args]\nTry {program} --help for full usage.\n")
        .into_bytes()
}

fn help(program: &[u8]) -> Vec<u8> {
    let program = String::from_utf8_lossy(program);
    format!(
        "dumb-init v{version}
Usage: {program} [option] command [[arg] ...]

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

Environment:
   DUMB_INIT_DEBUG=1           same as --verbose
   DUMB_INIT_SETSID=0          same as --single-child
   DUMB_INIT_SUBREAPER=1       same as --subreaper
   DUMB_INIT_GRACE_PERIOD=S    same as --grace-period=S
",
        version = env!("CARGO_PKG_VERSION"),
    )
    .into_bytes()
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
}

impl Opt {
    fn takes_value(self) -> bool {
        matches!(self, Opt::Rewrite | Opt::GracePeriod)
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

    /// The long name argh reads; `None` for the options that stop parsing.
    fn canonical(self) -> Option<&'static str> {
        match self {
            Opt::Help | Opt::Version => None,
            Opt::SingleChild => Some("--single-child"),
            Opt::Verbose => Some("--verbose"),
            Opt::Rewrite => Some("--rewrite"),
            Opt::Subreaper => Some("--subreaper"),
            Opt::GracePeriod => Some("--grace-period"),
        }
    }
}

/// The reference's long options, in its table order (getopt lists ambiguous
/// possibilities in this order). Abbreviations are matched against these only.
const REFERENCE_LONG: [(&str, Opt); 5] = [
    ("help", Opt::Help),
    ("single-child", Opt::SingleChild),
    ("rewrite", Opt::Rewrite),
    ("verbose", Opt::Verbose),
    ("version", Opt::Version),
];

/// The extensions: whole names only, so that no abbreviation the reference
/// accepts (`--s` for `--single-child`) changes meaning or becomes ambiguous.
const EXTENSION_LONG: [(&str, Opt); 2] = [
    ("subreaper", Opt::Subreaper),
    ("grace-period", Opt::GracePeriod),
];

/// Why option parsing stopped before the command.
#[derive(Debug, PartialEq)]
enum Stop {
    Help,
    Version,
    /// getopt's message, with argv[0], ending in a newline.
    Invalid(Vec<u8>),
}

#[derive(Debug, PartialEq)]
struct Scan {
    canonical: Vec<String>,
    stop: Option<Stop>,
    command: Vec<OsString>,
}

/// Walks `argv` as `getopt_long(argc, argv, "+hvVcr:", ...)` would.
fn scan(argv: &[OsString]) -> Scan {
    let program = argv.first().map_or(&b"dumb-init"[..], |a| a.as_bytes());
    let mut canonical = Vec::new();
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
            scan_long(program, &arg[2..], argv, &mut next)
        } else {
            scan_cluster(program, &arg[1..], argv, &mut next, &mut canonical)
        };
        match found {
            Ok(Some((Opt::Help, _))) => break Some(Stop::Help),
            Ok(Some((Opt::Version, _))) => break Some(Stop::Version),
            Ok(Some((opt, value))) => push_canonical(&mut canonical, opt, value),
            Ok(None) => {}
            Err(message) => break Some(Stop::Invalid(message)),
        }
    };
    let command = if stop.is_none() {
        argv[next.min(argv.len())..].to_vec()
    } else {
        Vec::new()
    };
    Scan {
        canonical,
        stop,
        command,
    }
}

type Found<'a> = Result<Option<(Opt, Option<&'a [u8]>)>, Vec<u8>>;

/// A `--name[=value]` argument (`body` is what follows `--`).
fn scan_long<'a>(
    program: &[u8],
    body: &'a [u8],
    argv: &'a [OsString],
    next: &mut usize,
) -> Found<'a> {
    let name_end = body.iter().position(|&b| b == b'=').unwrap_or(body.len());
    let (name, attached) = (&body[..name_end], body.get(name_end + 1..));
    let exact = REFERENCE_LONG
        .iter()
        .chain(&EXTENSION_LONG)
        .find(|(long, _)| long.as_bytes() == name);
    let (long, opt) = match exact {
        Some(&found) => found,
        None => {
            let matches: Vec<_> = REFERENCE_LONG
                .iter()
                .filter(|(long, _)| long.as_bytes().starts_with(name))
                .collect();
            match matches.as_slice() {
                [] => return Err(message(program, &[b"unrecognized option '--", body, b"'"])),
                [only] => **only,
                several => {
                    let mut parts: Vec<&[u8]> =
                        vec![b"option '--", body, b"' is ambiguous; possibilities:"];
                    for (long, _) in several {
                        parts.extend_from_slice(&[b" '--", long.as_bytes(), b"'"]);
                    }
                    return Err(message(program, &parts));
                }
            }
        }
    };
    let value = match (opt.takes_value(), attached) {
        (true, Some(value)) => Some(value),
        (true, None) => match argv.get(*next) {
            Some(value) => {
                *next += 1;
                Some(value.as_bytes())
            }
            None => {
                let parts: [&[u8]; 3] = [b"option '--", long.as_bytes(), b"' requires an argument"];
                return Err(message(program, &parts));
            }
        },
        (false, Some(_)) => {
            let parts: [&[u8]; 3] = [
                b"option '--",
                long.as_bytes(),
                b"' doesn't allow an argument",
            ];
            return Err(message(program, &parts));
        }
        (false, None) => None,
    };
    Ok(Some((opt, value)))
}

/// A `-abc` cluster (`letters` is what follows `-`). Every option but the last
/// one it returns is pushed onto `canonical` directly.
fn scan_cluster<'a>(
    program: &[u8],
    letters: &'a [u8],
    argv: &'a [OsString],
    next: &mut usize,
    canonical: &mut Vec<String>,
) -> Found<'a> {
    let mut found = None;
    for (index, &letter) in letters.iter().enumerate() {
        if let Some((opt, value)) = found.take() {
            push_canonical(canonical, opt, value);
        }
        let Some(opt) = Opt::from_short(letter) else {
            return Err(message(program, &[b"invalid option -- '", &[letter], b"'"]));
        };
        if opt == Opt::Help || opt == Opt::Version {
            return Ok(Some((opt, None)));
        }
        if opt.takes_value() {
            let attached = &letters[index + 1..];
            let value = if !attached.is_empty() {
                attached
            } else if let Some(value) = argv.get(*next) {
                *next += 1;
                value.as_bytes()
            } else {
                return Err(message(
                    program,
                    &[b"option requires an argument -- '", &[letter], b"'"],
                ));
            };
            return Ok(Some((opt, Some(value))));
        }
        found = Some((opt, None));
    }
    Ok(found)
}

fn push_canonical(canonical: &mut Vec<String>, opt: Opt, value: Option<&[u8]>) {
    if let Some(name) = opt.canonical() {
        canonical.push(name.to_owned());
        if let Some(value) = value {
            canonical.push(String::from_utf8_lossy(value).into_owned());
        }
    }
}

/// `argv[0]: <parts>\n`, getopt's message shape.
fn message(program: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut text = program.to_vec();
    text.extend_from_slice(b": ");
    for part in parts {
        text.extend_from_slice(part);
    }
    text.push(b'\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("dumb-init")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let env: Vec<(String, OsString)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        parse(&argv(args), |name| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }

    fn config(args: &[&str]) -> Config {
        match run_with_env(args, &[]) {
            Outcome::Run(config) => config,
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
        use std::os::unix::ffi::OsStringExt;
        let odd = OsString::from_vec(vec![b'a', 0xff, 0xfe, b'z']);
        let args = vec![
            OsString::from("dumb-init"),
            OsString::from("printf"),
            odd.clone(),
        ];
        match parse(&args, |_| None) {
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
            "DUMB_INIT_DEBUG",
            "DUMB_INIT_SETSID",
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
    fn the_environment_is_read_only_when_a_command_is_given() {
        let outcome = run_with_env(&[], &[("DUMB_INIT_GRACE_PERIOD", "junk")]);
        assert_eq!(outcome, exit(usage(b"dumb-init"), 1));
    }
}
