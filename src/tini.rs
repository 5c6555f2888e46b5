//! The tini front: the binary run as `tini`, `tini-static` or `docker-init`
//! (Docker's `--init` runs `/sbin/docker-init -- CMD`) takes tini 0.19.0's
//! command line and builds the one `Config` with tini's behaviour: the child
//! in a process group of its own made the terminal's foreground, signals to
//! the child alone (to its group with `-g`), the synchronous signals left
//! to their default action and TTIN/TTOU ignored, nothing signalled when
//! the child exits, the child's signal mask and dispositions as tini was
//! given them, exec failures as 127, 126 or 1. The extensions come from
//! their `DUMB_INIT_*` variables (docs/extensions.md).

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use nix::libc;

use crate::cli::{self, Outcome};
use crate::config::{
    Config, ExecFailure, ExitRemap, Init, Mode, RewriteTable, Start, Supervision, TerminalFrom,
    signal_bit,
};
use crate::getopt::{Flag, Found, Getopt};
use crate::log::{Log, Voice};
use crate::option_values;

/// tini's options (`p:hvwgle:s`), all short.
const TABLE: [Flag<'static>; 8] = [
    flag("p", b'p', true),
    flag("h", b'h', false),
    flag("v", b'v', false),
    flag("w", b'w', false),
    flag("g", b'g', false),
    flag("l", b'l', false),
    flag("e", b'e', true),
    flag("s", b's', false),
];

const fn flag(long: &'static str, short: u8, takes_value: bool) -> Flag<'static> {
    // The long names are never matched: an argument that starts with `--`
    // is read by tini as the short option `-` (refused) and is refused here
    // the same way (see `parse`).
    Flag {
        long,
        short: Some(short),
        takes_value,
        abbreviable: false,
    }
}

/// The version line, which `docker info` parses: `tini version X - git.Y`,
/// where Y may hold no dot. X is tini's version; Y names this program and
/// its version.
pub fn version() -> Vec<u8> {
    let ours = env!("CARGO_PKG_VERSION").replace('.', "_");
    format!("tini version 0.19.0 - git.dumb-init-rs-{ours}\n").into_bytes()
}

/// The signals tini leaves unblocked: a kill() of one ends it.
const SYNCHRONOUS: [i32; 7] = [
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGABRT,
    libc::SIGTRAP,
    libc::SIGSYS,
];

/// `-p`'s value: a standard signal's name as tini's table has it, in
/// capitals with `SIG` (the names signal-hook gives, but SIGIO, which
/// tini's table lacks, as it lacks the aliases).
fn pdeathsig(value: &[u8]) -> Option<i32> {
    (1..=libc::SIGSYS).find(|&number| {
        signal_hook::low_level::signal_name(number)
            .is_some_and(|name| name.as_bytes() == value && name != "SIGIO")
    })
}

/// The name messages give the program: what follows the last `/` of argv[0].
fn name(argv: &[OsString]) -> Vec<u8> {
    let program = cli::program(argv);
    let start = program
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |slash| slash.saturating_add(1));
    program.get(start..).unwrap_or_default().to_vec()
}

/// The usage text, on stdout for `-h`, on stderr after a refusal.
fn usage(name: &[u8]) -> Vec<u8> {
    let name = String::from_utf8_lossy(name);
    format!(
        "{name} (tini version 0.19.0; dumb-init-rs {ours})\n\
         Usage: {name} [-hsvwgl] [-p SIGNAL] [-e EXIT_CODE] PROGRAM -- [ARGS] | --version\n\n\
         -s subreaper, -p signal at the parent's death, -v more lines (up to 3),\n\
         -w a warning per zombie reaped, -g signals to the child's process group,\n\
         -e exit 0 for EXIT_CODE, -l license, -h this help. Variables: TINI_SUBREAPER,\n\
         TINI_VERBOSITY, TINI_KILL_PROCESS_GROUP; DUMB_INIT_* (dumb-init --help).\n\n",
        ours = env!("CARGO_PKG_VERSION"),
    )
    .into_bytes()
}

/// `-l`'s text: the license, by name and where its whole text is.
const LICENSE: &str = "dumb-init-rs: MIT license; the whole text is in the copyright file of \
its package (/usr/share/doc/dumb-init-rs/copyright) and its repository.\n";

/// `[FATAL tini (PID)] Not a valid option for -X: VALUE`, status 1.
fn not_valid(option: char, value: &[u8]) -> Outcome {
    let mut message = format!(
        "[FATAL tini ({})] Not a valid option for -{option}: ",
        nix::unistd::getpid()
    )
    .into_bytes();
    message.extend_from_slice(value);
    message.push(b'\n');
    Outcome::Exit { message, status: 1 }
}

/// `-e`'s value as tini reads it with strtol: optional blanks and sign,
/// decimal digits to the end (an empty value is 0), 0 to 255.
fn exit_code(value: &[u8]) -> Option<u8> {
    if value.is_empty() {
        return Some(0);
    }
    match option_values::c_number(value) {
        (Some(number), []) => u8::try_from(number).ok(),
        _ => None,
    }
}

/// `TINI_VERBOSITY` as atoi reads it: blanks, a sign, digits; anything else 0.
fn atoi(value: &[u8]) -> i64 {
    option_values::c_number(value).0.unwrap_or(0)
}

/// Parses tini's command line (argv[0] included); `env` looks up variables.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    let name = name(argv);
    // `--version` is tini's only when it is the one argument.
    if argv.len() == 2 && argv.get(1).is_some_and(|a| a.as_bytes() == b"--version") {
        return Outcome::Print {
            message: version(),
            status: 0,
        };
    }
    let refused = |message: Vec<u8>| Outcome::Exit {
        message: [message, usage(&name)].concat(),
        status: 1,
    };
    let mut getopt = match env("POSIXLY_CORRECT") {
        Some(_) => Getopt::new(argv, &TABLE),
        None => Getopt::permuting(argv, &TABLE),
    }
    .short_only();
    let mut verbosity: i64 = 1;
    let mut subreaper = false;
    let mut group = false;
    let mut report_reaped = false;
    let mut pdeathsig = None;
    let mut exit_remap = ExitRemap::default();
    for found in getopt.by_ref() {
        let Found { flag, value } = match found {
            Ok(found) => found,
            Err(message) => return refused(message),
        };
        let value = value.unwrap_or_default();
        match flag.short {
            Some(b'h') => {
                return Outcome::Print {
                    message: usage(&name),
                    status: 0,
                };
            }
            Some(b'l') => {
                return Outcome::Print {
                    message: LICENSE.as_bytes().to_vec(),
                    status: 0,
                };
            }
            Some(b's') => subreaper = true,
            Some(b'v') => verbosity = verbosity.saturating_add(1),
            Some(b'w') => report_reaped = true,
            Some(b'g') => group = true,
            Some(b'p') => match self::pdeathsig(value) {
                Some(signal) => pdeathsig = Some(signal),
                None => return not_valid('p', value),
            },
            Some(b'e') => match exit_code(value) {
                Some(code) => exit_remap.set(code, 0),
                None => return not_valid('e', value),
            },
            _ => {}
        }
    }
    let command = getopt.command();
    if command.is_empty() {
        return Outcome::Exit {
            message: usage(&name),
            status: 1,
        };
    }
    subreaper |= env("TINI_SUBREAPER").is_some();
    group |= env("TINI_KILL_PROCESS_GROUP").is_some();
    if let Some(level) = env("TINI_VERBOSITY") {
        verbosity = atoi(level.as_bytes());
    }
    // Negative levels are unsigned and huge in tini: every line.
    let level = u32::try_from(verbosity).unwrap_or(u32::MAX);
    let config = Config {
        command,
        mode: match group {
            true => Mode::Setsid,
            false => Mode::SingleChild,
        },
        log: Log {
            verbose: false,
            voice: Voice::Tini(level),
        },
        subreaper,
        pdeathsig,
        debug_from_env: false,
        single_child_from_env: false,
        start: Start::default(),
        supervision: Supervision {
            rewrites: RewriteTable::default(),
            exit_remap,
            term_at_exit: false,
            stop_with_the_command: false,
            reap_before_exit: true,
            report_reaped,
            ..Supervision::default()
        },
        init: Init {
            child_group: Some(TerminalFrom::Stdin),
            inherited_mask_plus: Some(0),
            unblocked: SYNCHRONOUS.iter().fold(0, |mask, &s| mask | signal_bit(s)),
            ignored: signal_bit(libc::SIGTTIN) | signal_bit(libc::SIGTTOU),
            exec_failure: ExecFailure::Tini,
            chdir_root: false,
            close_descriptors: false,
            pause: false,
            warn_without_reaper: level > 0,
        },
    };
    match cli::with_extension_variables(&name, config, &env) {
        Ok(config) => Outcome::Run(Box::new(config)),
        Err(message) => Outcome::Exit { message, status: 1 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let argv: Vec<OsString> = std::iter::once("tini")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        parse(&argv, |wanted| {
            env.iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, value)| OsString::from(value))
        })
    }

    fn config(args: &[&str], env: &[(&str, &str)]) -> Config {
        match run(args, env) {
            Outcome::Run(config) => *config,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn options_after_the_program_are_tini_s_unless_posixly_correct_or_double_dash() {
        let plain = config(&["sleep", "-g", "1"], &[]);
        assert_eq!(plain.command, ["sleep", "1"].map(OsString::from));
        assert_eq!(plain.mode, Mode::Setsid, "-g: the group");
        let posix = config(&["sleep", "-g"], &[("POSIXLY_CORRECT", "")]);
        assert_eq!(posix.command, ["sleep", "-g"].map(OsString::from));
        assert_eq!(posix.mode, Mode::SingleChild);
        let dashes = config(&["--", "sh", "-c", "x"], &[]);
        assert_eq!(dashes.command, ["sh", "-c", "x"].map(OsString::from));
    }

    #[test]
    fn exit_codes_and_signals_are_read_as_tini_reads_them() {
        for (value, code) in [
            ("0", Some(0)),
            ("+1", Some(1)),
            (" 1", Some(1)),
            ("", Some(0)),
        ] {
            assert_eq!(exit_code(value.as_bytes()), code, "{value:?}");
        }
        for bad in ["256", "-1", "1x", "0x1", " 1 ", "99999999999999999999"] {
            assert_eq!(exit_code(bad.as_bytes()), None, "{bad:?}");
        }
        let mapped = config(&["-e", "143", "-e", "1", "x"], &[]);
        assert_eq!(mapped.supervision.exit_remap.map(143), 0);
        assert_eq!(mapped.supervision.exit_remap.map(2), 2);
        assert_eq!(config(&["-p", "SIGKILL", "x"], &[]).pdeathsig, Some(9));
        // tini's table, in its order.
        let names = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM \
                     CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH SYS";
        for name in names.split(' ') {
            let number = pdeathsig(format!("SIG{name}").as_bytes());
            assert_eq!(
                number.and_then(signal_hook::low_level::signal_name),
                Some(format!("SIG{name}").as_str()),
                "{name}"
            );
        }
        for bad in [
            "KILL",
            "sigkill",
            "9",
            "SIGIOT",
            "SIGIO",
            "SIGPOLL",
            "SIGPWR",
            "SIGSTKFLT",
        ] {
            match run(&["-p", bad, "x"], &[]) {
                Outcome::Exit { message, status: 1 } => assert!(
                    String::from_utf8_lossy(&message)
                        .ends_with(&format!("Not a valid option for -p: {bad}\n"))
                ),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn version_is_the_only_argument_or_an_invalid_option() {
        let line = String::from_utf8(version()).unwrap();
        assert!(line.starts_with("tini version 0.19.0 - git."), "{line}");
        let commit = line.trim_end().rsplit("git.").next().unwrap();
        assert!(!commit.contains('.'), "docker info takes no dot: {line}");
        assert_eq!(
            run(&["--version"], &[]),
            Outcome::Print {
                message: version(),
                status: 0
            }
        );
        match run(&["-s", "--version"], &[]) {
            Outcome::Exit { message, status: 1 } => {
                assert!(message.starts_with(b"tini: invalid option -- '-'\n"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn variables_and_verbosity() {
        let quiet = config(&["x"], &[("TINI_VERBOSITY", "0")]);
        assert_eq!(quiet.log.voice, Voice::Tini(0));
        assert!(!quiet.init.warn_without_reaper);
        assert_eq!(config(&["-vv", "x"], &[]).log.voice, Voice::Tini(3));
        assert_eq!(
            config(&["-v", "x"], &[("TINI_VERBOSITY", " 2x")]).log.voice,
            Voice::Tini(2)
        );
        assert!(config(&["x"], &[("TINI_SUBREAPER", "")]).subreaper);
        assert_eq!(
            config(&["x"], &[("TINI_KILL_PROCESS_GROUP", "0")]).mode,
            Mode::Setsid
        );
        let tree = config(&["x"], &[("DUMB_INIT_TREE", "1")]);
        assert!(tree.supervision.tree && !tree.supervision.term_at_exit);
    }
}
