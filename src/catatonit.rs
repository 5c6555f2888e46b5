//! The catatonit front: the binary run as `catatonit` or `podman-init`
//! (podman's `--init` runs `/run/podman-init -- CMD`, its pause process
//! `catatonit -P`) takes catatonit 0.1.7's command line and builds the one
//! `Config` with catatonit's behaviour: always a subreaper when not PID 1,
//! the child in a process group of its own made the foreground of
//! /dev/tty, signals to the child alone (its group with `-g`), the
//! job-control stops taken and dropped (and blocked in the child), the
//! synchronous signals left to their default action, LISTEN_PID rewritten
//! for the child, descriptors from 3 up closed in the init, nothing
//! signalled when the child exits, exec failures as 1. The extensions come
//! from their `DUMB_INIT_*` variables (docs/extensions.md).

use std::ffi::OsString;

use nix::libc;

use crate::cli::{self, Outcome};
use crate::config::{
    Config, ExecFailure, Init, Mode, RewriteTable, Start, Supervision, TerminalFrom, signal_bit,
};
use crate::getopt::{Flag, Found, Getopt};
use crate::log::{Log, Voice};

/// catatonit's options (`ghLPV`, and `--version`, which may be shortened).
const TABLE: [Flag<'static>; 6] = [
    short(b'g'),
    short(b'h'),
    short(b'L'),
    short(b'P'),
    short(b'V'),
    Flag {
        long: "version",
        short: None,
        takes_value: false,
        abbreviable: true,
    },
];

const fn short(letter: u8) -> Flag<'static> {
    // A long name no argument can spell after `--` (getopt_long reads only
    // `--version` as a long option here).
    Flag {
        long: "\0",
        short: Some(letter),
        takes_value: false,
        abbreviable: false,
    }
}

/// The version line: catatonit's shape, `tini version X_catatonit`, X
/// naming catatonit's version and this program's.
pub fn version() -> Vec<u8> {
    format!(
        "tini version 0.1.7+dumb-init-rs.{}_catatonit\n",
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

const USAGE: &str = "usage: catatonit [-ghLPV] [--] <progname> [<arguments>...]\n";

fn help() -> Vec<u8> {
    format!(
        "{USAGE}\n-g signals to the program's process group, -P pause (no program; exit on\n\
         SIGINT or SIGTERM), -L license, -V version, -h this help.\n\
         dumb-init-rs {ours}; DUMB_INIT_* variables: dumb-init --help.\n",
        ours = env!("CARGO_PKG_VERSION"),
    )
    .into_bytes()
}

const LICENSE: &str = "dumb-init-rs: MIT license; the whole text is in the copyright file of \
its package (/usr/share/doc/dumb-init-rs/copyright) and its repository.\n";

/// The signals catatonit leaves unblocked: a kill() of one ends it.
const SYNCHRONOUS: [i32; 7] = [
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGABRT,
    libc::SIGTRAP,
    libc::SIGSYS,
];

/// `LEVEL (catatonit:PID): text` and a newline.
fn line(level: &str, text: &str) -> Vec<u8> {
    format!("{level} (catatonit:{}): {text}\n", nix::unistd::getpid()).into_bytes()
}

/// Parses catatonit's command line (argv[0] included); `env` looks up
/// variables.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    if env("CATATONIT_LOG").is_some() {
        return Outcome::Exit {
            message: line("ERROR", "CATATONIT_LOG is reserved for future use"),
            status: 1,
        };
    }
    let debug = env("CATATONIT_DEBUG").is_some();
    let mut getopt = match env("POSIXLY_CORRECT") {
        Some(_) => Getopt::new(argv, &TABLE),
        None => Getopt::permuting(argv, &TABLE),
    };
    let mut group = false;
    let mut pause = false;
    for found in getopt.by_ref() {
        let Found { flag, .. } = match found {
            Ok(found) => found,
            Err(message) => {
                return Outcome::Exit {
                    message: [message, USAGE.as_bytes().to_vec()].concat(),
                    status: 1,
                };
            }
        };
        match (flag.short, flag.long) {
            (Some(b'h'), _) => {
                return Outcome::Exit {
                    message: help(),
                    status: 0,
                };
            }
            (Some(b'L'), _) => {
                return Outcome::Print {
                    message: LICENSE.as_bytes().to_vec(),
                    status: 0,
                };
            }
            (Some(b'V'), _) | (None, "version") => {
                return Outcome::Print {
                    message: version(),
                    status: 0,
                };
            }
            (Some(b'g'), _) => group = true,
            (Some(b'P'), _) => pause = true,
            _ => {}
        }
    }
    let command = getopt.command();
    if command.is_empty() && !pause {
        return Outcome::Exit {
            message: [
                line("ERROR", "missing program name"),
                USAGE.as_bytes().to_vec(),
            ]
            .concat(),
            status: 1,
        };
    }
    let stops = signal_bit(libc::SIGTSTP) | signal_bit(libc::SIGTTIN) | signal_bit(libc::SIGTTOU);
    let config = Config {
        command,
        mode: match group {
            true => Mode::Setsid,
            false => Mode::SingleChild,
        },
        log: Log {
            verbose: false,
            voice: Voice::Catatonit(debug),
        },
        subreaper: true,
        pdeathsig: None,
        debug_from_env: false,
        single_child_from_env: false,
        start: Start {
            socket_activation: true,
            listen_pid_as_strtoll: true,
            ..Start::default()
        },
        supervision: Supervision {
            rewrites: RewriteTable::default(),
            term_at_exit: false,
            stop_with_the_command: false,
            reap_before_exit: true,
            swallowed: stops,
            report_reaped: debug,
            ..Supervision::default()
        },
        init: Init {
            child_group: Some(TerminalFrom::DevTty),
            inherited_mask_plus: Some(stops),
            unblocked: SYNCHRONOUS.iter().fold(0, |mask, &s| mask | signal_bit(s)),
            ignored: 0,
            exec_failure: ExecFailure::Catatonit,
            chdir_root: false,
            close_descriptors: true,
            pause,
            warn_without_reaper: false,
        },
    };
    match cli::with_extension_variables(b"catatonit", config, &env) {
        Ok(config) => Outcome::Run(Box::new(config)),
        Err(message) => Outcome::Exit { message, status: 1 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let argv: Vec<OsString> = std::iter::once("catatonit")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        parse(&argv, |wanted| {
            env.iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn version_and_its_abbreviations_print_on_stdout() {
        for args in [&["-V"][..], &["--version"], &["--vers"], &["--v"]] {
            assert_eq!(
                run(args, &[]),
                Outcome::Print {
                    message: version(),
                    status: 0
                },
                "{args:?}"
            );
        }
        assert!(
            String::from_utf8(version())
                .unwrap()
                .ends_with("_catatonit\n")
        );
        match run(&["--help"], &[]) {
            Outcome::Exit { message, status: 1 } => {
                assert!(message.starts_with(b"catatonit: unrecognized option '--help'\n"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn catatonit_log_is_refused_before_anything_and_a_program_is_needed_but_with_pause() {
        match run(&["-V"], &[("CATATONIT_LOG", "")]) {
            Outcome::Exit { message, status: 1 } => assert!(
                String::from_utf8_lossy(&message)
                    .ends_with("): CATATONIT_LOG is reserved for future use\n")
            ),
            other => panic!("{other:?}"),
        }
        match run(&[], &[]) {
            Outcome::Exit { message, status: 1 } => {
                assert!(String::from_utf8_lossy(&message).contains("missing program name"))
            }
            other => panic!("{other:?}"),
        }
        match run(&["-P", "sleep", "9"], &[]) {
            Outcome::Run(config) => assert!(config.init.pause),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn options_after_the_program_are_catatonit_s() {
        match run(&["sh", "-c", "x"], &[]) {
            Outcome::Exit { message, status: 1 } => {
                assert!(message.starts_with(b"catatonit: invalid option -- 'c'\n"))
            }
            other => panic!("{other:?}"),
        }
        match run(&["-g", "--", "sh", "-c", "x"], &[]) {
            Outcome::Run(config) => {
                assert_eq!(config.mode, Mode::Setsid);
                assert_eq!(config.command, ["sh", "-c", "x"].map(OsString::from));
                assert!(config.subreaper && config.start.socket_activation);
            }
            other => panic!("{other:?}"),
        }
    }
}
