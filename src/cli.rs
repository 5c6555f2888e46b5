//! The command line. A front that follows glibc's `getopt_long` with the
//! reference's option string `+hvVcr:` walks the raw arguments (clusters,
//! attached values, `--opt=value`, unambiguous prefixes, stop at the first
//! non-option or `--`), acts on each option in turn and reports errors in
//! getopt's words. Arguments stay bytes throughout: the command reaches exec
//! byte-for-byte. The environment variables are read last, as the reference
//! does.

use alloc::vec;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::time::Duration;

use crate::log::Log;
use crate::signals::{InvalidRewrite, Rewrite, RewriteTable};
use libc::{SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};

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
pub struct Config<'a> {
    pub command: Vec<&'a [u8]>,
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
pub enum Outcome<'a> {
    Run(Config<'a>),
    /// Print `message` on stderr and exit with `status` (help, version, errors).
    Exit {
        message: Vec<u8>,
        status: i32,
    },
}

/// The options given so far.
#[derive(Debug, Default)]
struct Options {
    single_child: bool,
    verbose: bool,
    rewrites: RewriteTable,
    subreaper: bool,
    grace_period: Option<Duration>,
}

/// Parses `argv` (argv[0] included); `env` looks up environment variables.
pub fn parse<'a>(argv: &[&'a [u8]], env: impl Fn(&CStr) -> Option<&'a [u8]>) -> Outcome<'a> {
    let program = argv.first().copied().unwrap_or(b"dumb-init");
    let (options, command) = match scan(program, argv) {
        Ok(scanned) => scanned,
        Err(refusal) => return refusal,
    };
    if command.is_empty() {
        return exit(usage(program), 1);
    }

    let is = |name: &CStr, wanted: &[u8]| env(name) == Some(wanted);
    let debug_from_env = is(c"DUMB_INIT_DEBUG", b"1");
    let single_child_from_env = is(c"DUMB_INIT_SETSID", b"0");
    let subreaper = options.subreaper || is(c"DUMB_INIT_SUBREAPER", b"1");
    let mut grace_period = options.grace_period;
    if grace_period.is_none() {
        if let Some(value) = env(c"DUMB_INIT_GRACE_PERIOD").filter(|v| !v.is_empty()) {
            match parse_seconds(value) {
                Some(period) => grace_period = Some(period),
                None => {
                    let message = invalid_grace_period(program, "DUMB_INIT_GRACE_PERIOD", value);
                    return exit(message, 1);
                }
            }
        }
    }

    let mode = if options.single_child || single_child_from_env {
        Mode::SingleChild
    } else {
        Mode::Setsid
    };
    let mut rewrites = options.rewrites;
    if mode == Mode::Setsid {
        // Job-control stops would stop only the child, leaving the session
        // half-suspended; stopping with SIGSTOP instead keeps Ctrl-Z working.
        for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
            rewrites.set_default(signal, SIGSTOP);
        }
    }

    Outcome::Run(Config {
        command,
        mode,
        log: Log {
            verbose: options.verbose || debug_from_env,
        },
        rewrites,
        subreaper,
        grace_period: grace_period.unwrap_or(Duration::ZERO),
        debug_from_env,
        single_child_from_env,
    })
}

fn exit<'a>(message: Vec<u8>, status: i32) -> Outcome<'a> {
    Outcome::Exit { message, status }
}

/// The concatenation of `parts`.
fn text(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Seconds as a plain decimal (`10`, `2.5`, `.25`): no sign, no exponent.
/// Read in integers, to the nanosecond (further decimals are dropped): going
/// through an f64 would link the float parser for this one option.
fn parse_seconds(text: &[u8]) -> Option<Duration> {
    let digits = text.iter().filter(|b| b.is_ascii_digit()).count();
    let dots = text.iter().filter(|&&b| b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != text.len() {
        return None;
    }
    let dot = text.iter().position(|&b| b == b'.').unwrap_or(text.len());
    let (whole, fraction) = (&text[..dot], text.get(dot + 1..).unwrap_or_default());
    let seconds = whole.iter().try_fold(0u64, |seconds, digit| {
        seconds
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))
    })?;
    // Nanoseconds: the first nine decimals, padded with zeros.
    let nanos = fraction
        .iter()
        .copied()
        .chain(core::iter::repeat(b'0'))
        .take(9)
        .fold(0, |nanos, digit| nanos * 10 + u32::from(digit - b'0'));
    Some(Duration::new(seconds, nanos))
}

fn invalid_grace_period(program: &[u8], source: &str, value: &[u8]) -> Vec<u8> {
    text(&[
        program,
        b": invalid ",
        source.as_bytes(),
        b" '",
        value,
        b"': expected seconds, such as 10 or 2.5\n",
    ])
}

fn invalid_rewrite() -> Vec<u8> {
    text(&[InvalidRewrite::MESSAGE.as_bytes(), b"\n"])
}

fn version() -> Vec<u8> {
    text(&[b"dumb-init v", env!("CARGO_PKG_VERSION").as_bytes(), b"\n"])
}

fn usage(program: &[u8]) -> Vec<u8> {
    text(&[
        b"Usage: ",
        program,
        b" [option] program [args]\nTry ",
        program,
        b" --help for full usage.\n",
    ])
}

fn help(program: &[u8]) -> Vec<u8> {
    text(&[
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

Environment:
   DUMB_INIT_DEBUG=1           same as --verbose
   DUMB_INIT_SETSID=0          same as --single-child
   DUMB_INIT_SUBREAPER=1       same as --subreaper
   DUMB_INIT_GRACE_PERIOD=S    same as --grace-period=S
",
    ])
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

impl Options {
    /// Acts on one option: records it, or ends the run (help, version, a
    /// value that does not parse).
    fn apply<'a>(&mut self, program: &[u8], opt: Opt, value: &[u8]) -> Result<(), Outcome<'a>> {
        match opt {
            Opt::Help => return Err(exit(help(program), 0)),
            Opt::Version => return Err(exit(version(), 0)),
            Opt::SingleChild => self.single_child = true,
            Opt::Verbose => self.verbose = true,
            Opt::Subreaper => self.subreaper = true,
            Opt::Rewrite => match Rewrite::parse(value) {
                Ok(rewrite) => self.rewrites.set(rewrite),
                Err(InvalidRewrite) => return Err(exit(invalid_rewrite(), 1)),
            },
            Opt::GracePeriod => match parse_seconds(value) {
                Some(period) => self.grace_period = Some(period),
                None => {
                    let message = invalid_grace_period(program, "--grace-period", value);
                    return Err(exit(message, 1));
                }
            },
        }
        Ok(())
    }
}

/// The options and the command, or the outcome that ended the run first.
type Scanned<'a> = Result<(Options, Vec<&'a [u8]>), Outcome<'a>>;

/// Walks `argv` as `getopt_long(argc, argv, "+hvVcr:", ...)` would, acting on
/// each option as it comes.
fn scan<'a>(program: &[u8], argv: &[&'a [u8]]) -> Scanned<'a> {
    let mut options = Options::default();
    let mut next = 1;
    while let Some(&arg) = argv.get(next) {
        if arg == b"--" {
            next += 1;
            break;
        }
        if arg.len() < 2 || arg[0] != b'-' {
            break;
        }
        next += 1;
        if arg[1] == b'-' {
            let (opt, value) = scan_long(program, &arg[2..], argv, &mut next)?;
            options.apply(program, opt, value)?;
        } else {
            scan_cluster(program, &arg[1..], argv, &mut next, &mut options)?;
        }
    }
    Ok((options, argv.get(next..).unwrap_or_default().to_vec()))
}

/// A `--name[=value]` argument (`body` is what follows `--`): the option and
/// its value (empty for a flag).
fn scan_long<'a, 'b>(
    program: &[u8],
    body: &'b [u8],
    argv: &[&'b [u8]],
    next: &mut usize,
) -> Result<(Opt, &'b [u8]), Outcome<'a>> {
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
                [] => return Err(refuse(program, &[b"unrecognized option '--", body, b"'"])),
                [only] => **only,
                several => {
                    let mut parts: Vec<&[u8]> =
                        vec![b"option '--", body, b"' is ambiguous; possibilities:"];
                    for (long, _) in several {
                        parts.extend_from_slice(&[b" '--", long.as_bytes(), b"'"]);
                    }
                    return Err(refuse(program, &parts));
                }
            }
        }
    };
    let long = long.as_bytes();
    match (opt.takes_value(), attached) {
        (true, Some(value)) => Ok((opt, value)),
        (true, None) => match argv.get(*next) {
            Some(value) => {
                *next += 1;
                Ok((opt, value))
            }
            None => Err(refuse(
                program,
                &[b"option '--", long, b"' requires an argument"],
            )),
        },
        (false, Some(_)) => Err(refuse(
            program,
            &[b"option '--", long, b"' doesn't allow an argument"],
        )),
        (false, None) => Ok((opt, b"")),
    }
}

/// A `-abc` cluster (`letters` is what follows `-`), each option acted on in
/// turn.
fn scan_cluster<'a>(
    program: &[u8],
    letters: &[u8],
    argv: &[&[u8]],
    next: &mut usize,
    options: &mut Options,
) -> Result<(), Outcome<'a>> {
    for (index, &letter) in letters.iter().enumerate() {
        let Some(opt) = Opt::from_short(letter) else {
            return Err(refuse(program, &[b"invalid option -- '", &[letter], b"'"]));
        };
        if !opt.takes_value() {
            options.apply(program, opt, b"")?;
            continue;
        }
        let attached = &letters[index + 1..];
        let value = if !attached.is_empty() {
            attached
        } else if let Some(value) = argv.get(*next) {
            *next += 1;
            value
        } else {
            let parts: [&[u8]; 3] = [b"option requires an argument -- '", &[letter], b"'"];
            return Err(refuse(program, &parts));
        };
        // The value takes the rest of the cluster.
        return options.apply(program, opt, value);
    }
    Ok(())
}

/// getopt's refusal: `argv[0]: <parts>` and exit status 1.
fn refuse<'a>(program: &[u8], parts: &[&[u8]]) -> Outcome<'a> {
    let mut message = text(&[program, b": "]);
    for part in parts {
        message.extend_from_slice(part);
    }
    message.push(b'\n');
    exit(message, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    fn run_with_env(
        args: &[&'static str],
        env: &[(&'static str, &'static str)],
    ) -> Outcome<'static> {
        let argv: Vec<&[u8]> = std::iter::once("dumb-init")
            .chain(args.iter().copied())
            .map(str::as_bytes)
            .collect();
        let env = env.to_vec();
        parse(&argv, move |name| {
            env.iter()
                .find(|(key, _)| key.as_bytes() == name.to_bytes())
                .map(|(_, value)| value.as_bytes())
        })
    }

    fn config(args: &[&'static str]) -> Config<'static> {
        match run_with_env(args, &[]) {
            Outcome::Run(config) => config,
            other => panic!("{args:?} did not run: {other:?}"),
        }
    }

    /// The message and status of a command line that does not run.
    fn refusal(args: &[&'static str]) -> (String, i32) {
        match run_with_env(args, &[]) {
            Outcome::Exit { message, status } => (String::from_utf8(message).unwrap(), status),
            Outcome::Run(config) => panic!("{args:?} ran {:?}", config.command),
        }
    }

    fn command<'a>(config: &'a Config) -> Vec<&'a str> {
        config
            .command
            .iter()
            .map(|a| std::str::from_utf8(a).unwrap())
            .collect()
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
        let odd: &[u8] = b"a\xff\xfez";
        match parse(&[b"dumb-init", b"printf", odd], |_| None) {
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
        let run = |env: &[(&'static str, &'static str)]| match run_with_env(&["x"], env) {
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
}
