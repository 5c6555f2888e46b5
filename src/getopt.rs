//! A walk over the arguments that follows glibc's `getopt_long` with a `+`
//! option string, as the reference calls it: short options cluster (`-cv`),
//! a short option's value may be attached (`-r15:3`) or separate, long values
//! take `--name=value` or `--name value`, parsing stops at the first
//! argument that is not an option and at `--`, and errors are getopt's own
//! words with argv[0] as the program name. What the options are, this module
//! is told (`Flag`); what they mean, it does not know.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// An option as getopt's table holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag<'t> {
    /// The long name, without `--`.
    pub long: &'t str,
    pub short: Option<u8>,
    pub takes_value: bool,
    /// Whether a unique prefix of `long` names it (`--sing`); otherwise only
    /// the whole name does.
    pub abbreviable: bool,
}

/// One option found, with its value's bytes as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found<'a, 't> {
    pub flag: &'t Flag<'t>,
    pub value: Option<&'a [u8]>,
}

/// The walk: yields the options in the order given, one at a time (so that
/// the caller can stop where the reference would exit, at `-h` say), or
/// getopt's message for the first argument it refuses, after which it
/// yields nothing more. `command` is what follows the options.
pub struct Getopt<'a, 't> {
    program: &'a [u8],
    argv: &'a [OsString],
    table: &'t [Flag<'t>],
    /// The next argument to read.
    next: usize,
    /// The rest of a short-option cluster being read.
    cluster: &'a [u8],
    failed: bool,
    /// glibc's default order (an option string without `+`, and no
    /// POSIXLY_CORRECT): arguments that are not options are set aside and
    /// the walk goes on; they come first in the command.
    permute: bool,
    /// The arguments set aside, by index.
    set_aside: Vec<usize>,
    /// Short options only (getopt, not getopt_long): `--name` is the
    /// option `-` followed by the letters of `name`.
    short_only: bool,
}

/// argv[0], as messages name the program; `dumb-init` if argv is empty.
pub fn program(argv: &[OsString]) -> &[u8] {
    argv.first().map_or(&b"dumb-init"[..], |a| a.as_bytes())
}

impl<'a, 't> Getopt<'a, 't> {
    /// A walk over `argv` (argv[0] included, which names the program).
    pub fn new(argv: &'a [OsString], table: &'t [Flag<'t>]) -> Self {
        Getopt {
            program: program(argv),
            argv,
            table,
            next: 1,
            cluster: &[],
            failed: false,
            permute: false,
            set_aside: Vec::new(),
            short_only: false,
        }
    }

    /// The same walk, of short options only (see `short_only`).
    pub fn short_only(self) -> Self {
        Getopt {
            short_only: true,
            ..self
        }
    }

    /// A walk in glibc's default order (see `permute`).
    pub fn permuting(argv: &'a [OsString], table: &'t [Flag<'t>]) -> Self {
        Getopt {
            permute: true,
            ..Getopt::new(argv, table)
        }
    }

    /// argv[0], as messages name the program.
    pub fn program(&self) -> &'a [u8] {
        self.program
    }

    /// The arguments after the options: the command and its arguments
    /// (those set aside first, in glibc's default order).
    pub fn command(&self) -> Vec<OsString> {
        let set_aside = self.set_aside.iter().filter_map(|&i| self.argv.get(i));
        set_aside
            .chain(self.argv.get(self.next..).unwrap_or_default())
            .cloned()
            .collect()
    }

    fn take_argument(&mut self) -> Option<&'a [u8]> {
        let argument = self.argv.get(self.next)?.as_bytes();
        self.next = self.next.saturating_add(1);
        Some(argument)
    }

    /// A `--name[=value]` argument (`body` is what follows `--`).
    fn long(&mut self, body: &'a [u8]) -> Result<Found<'a, 't>, Vec<u8>> {
        let (name, attached) = match body.iter().position(|&b| b == b'=') {
            Some(end) => (
                body.get(..end).unwrap_or(body),
                body.get(end.saturating_add(1)..),
            ),
            None => (body, None),
        };
        let exact = self.table.iter().find(|flag| flag.long.as_bytes() == name);
        let flag = match exact {
            Some(flag) => flag,
            None => {
                let abbreviated =
                    |flag: &&Flag| flag.abbreviable && flag.long.as_bytes().starts_with(name);
                let mut prefixed = self.table.iter().filter(abbreviated);
                match (prefixed.next(), prefixed.next()) {
                    (None, _) => {
                        return Err(self.refuse(&[b"unrecognized option '--", body, b"'"]));
                    }
                    (Some(only), None) => only,
                    (Some(_), Some(_)) => {
                        let mut parts: Vec<&[u8]> =
                            vec![b"option '--", body, b"' is ambiguous; possibilities:"];
                        for flag in self.table.iter().filter(abbreviated) {
                            parts.extend_from_slice(&[b" '--", flag.long.as_bytes(), b"'"]);
                        }
                        return Err(self.refuse(&parts));
                    }
                }
            }
        };
        let long = flag.long.as_bytes();
        let value = match (flag.takes_value, attached) {
            (true, Some(value)) => Some(value),
            (true, None) => match self.take_argument() {
                Some(value) => Some(value),
                None => {
                    return Err(self.refuse(&[b"option '--", long, b"' requires an argument"]));
                }
            },
            (false, Some(_)) => {
                return Err(self.refuse(&[b"option '--", long, b"' doesn't allow an argument"]));
            }
            (false, None) => None,
        };
        Ok(Found { flag, value })
    }

    /// A letter of a cluster; `self.cluster` holds the letters after it.
    fn short(&mut self, letter: u8) -> Result<Found<'a, 't>, Vec<u8>> {
        let rest = self.cluster;
        let Some(flag) = self.table.iter().find(|flag| flag.short == Some(letter)) else {
            return Err(self.refuse(&[b"invalid option -- '", &[letter], b"'"]));
        };
        if !flag.takes_value {
            return Ok(Found { flag, value: None });
        }
        // The rest of the cluster, or else the next argument, is the value.
        let value = if !rest.is_empty() {
            self.cluster = &[];
            rest
        } else if let Some(value) = self.take_argument() {
            value
        } else {
            return Err(self.refuse(&[b"option requires an argument -- '", &[letter], b"'"]));
        };
        Ok(Found {
            flag,
            value: Some(value),
        })
    }

    /// getopt's refusal: `argv[0]: <parts>` and a newline.
    fn refuse(&mut self, parts: &[&[u8]]) -> Vec<u8> {
        self.failed = true;
        [&[self.program, b": "], parts, &[b"\n"]].concat().concat()
    }
}

impl<'a, 't> Iterator for Getopt<'a, 't> {
    type Item = Result<Found<'a, 't>, Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if let Some((&letter, rest)) = self.cluster.split_first() {
            self.cluster = rest;
            return Some(self.short(letter));
        }
        let mut argument = self.argv.get(self.next)?.as_bytes();
        while self.permute && (argument == b"-" || !argument.starts_with(b"-")) {
            self.set_aside.push(self.next);
            self.next = self.next.saturating_add(1);
            argument = self.argv.get(self.next)?.as_bytes();
        }
        match argument {
            b"--" => {
                self.next = self.next.saturating_add(1);
                None
            }
            [b'-', b'-', body @ ..] if !self.short_only => {
                self.next = self.next.saturating_add(1);
                Some(self.long(body))
            }
            [b'-', letter, rest @ ..] => {
                self.next = self.next.saturating_add(1);
                self.cluster = rest;
                Some(self.short(*letter))
            }
            // A lone `-` or any other word: the command starts here.
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Flag] = &[
        Flag {
            long: "help",
            short: Some(b'h'),
            takes_value: false,
            abbreviable: true,
        },
        Flag {
            long: "rewrite",
            short: Some(b'r'),
            takes_value: true,
            abbreviable: true,
        },
        Flag {
            long: "verbose",
            short: Some(b'v'),
            takes_value: false,
            abbreviable: true,
        },
        Flag {
            long: "version",
            short: Some(b'V'),
            takes_value: false,
            abbreviable: true,
        },
        Flag {
            long: "delay",
            short: None,
            takes_value: true,
            abbreviable: false,
        },
    ];

    /// What the walk yields, as `long[=value]` or the message, and the command.
    fn walk(args: &[&str]) -> (Vec<String>, Vec<String>) {
        let argv: Vec<OsString> = std::iter::once("prog")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        let mut getopt = Getopt::new(&argv, TABLE);
        let found = getopt
            .by_ref()
            .map(|item| match item {
                Ok(Found { flag, value: None }) => flag.long.to_owned(),
                Ok(Found {
                    flag,
                    value: Some(value),
                }) => format!("{}={}", flag.long, String::from_utf8_lossy(value)),
                Err(message) => String::from_utf8_lossy(&message).into_owned(),
            })
            .collect();
        let command = getopt
            .command()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        (found, command)
    }

    #[test]
    fn clusters_and_attached_or_separate_values() {
        assert_eq!(
            walk(&["-vr15:3", "-r", "2:0", "x"]),
            (
                vec![
                    "verbose".into(),
                    "rewrite=15:3".into(),
                    "rewrite=2:0".into()
                ],
                vec!["x".into()]
            )
        );
        assert_eq!(walk(&["-r", "--", "x"]).0, ["rewrite=--"]);
    }

    #[test]
    fn long_names_whole_or_abbreviated_with_values_after_equals_or_apart() {
        assert_eq!(
            walk(&["--rew=1", "--rewrite", "2", "--h", "--delay", "3"]).0,
            ["rewrite=1", "rewrite=2", "help", "delay=3"]
        );
        assert_eq!(
            walk(&["--del=3"]).0,
            ["prog: unrecognized option '--del=3'\n"],
            "whole names only"
        );
    }

    #[test]
    fn the_walk_stops_at_the_command_and_at_double_dash() {
        assert_eq!(walk(&["-v", "cmd", "-v"]).1, ["cmd", "-v"]);
        assert_eq!(walk(&["-v", "--", "-v"]).1, ["-v"]);
        assert_eq!(walk(&["-", "x"]).1, ["-", "x"]);
    }

    #[test]
    fn permuting_sets_what_is_not_an_option_aside_until_double_dash() {
        let argv: Vec<OsString> = ["prog", "cmd", "-v", "x", "-", "--", "-v", "y"]
            .map(OsString::from)
            .into();
        let mut getopt = Getopt::permuting(&argv, TABLE);
        let found: Vec<&str> = getopt
            .by_ref()
            .map(|item| item.unwrap().flag.long)
            .collect();
        assert_eq!(found, ["verbose"]);
        assert_eq!(
            getopt.command(),
            ["cmd", "x", "-", "-v", "y"].map(OsString::from)
        );
    }

    #[test]
    fn refusals_are_getopt_s_words_and_end_the_walk() {
        let cases: &[(&[&str], &str)] = &[
            (&["-x", "-v"], "prog: invalid option -- 'x'\n"),
            (&["-vx"], "prog: invalid option -- 'x'\n"),
            (&["-r"], "prog: option requires an argument -- 'r'\n"),
            (
                &["--rewrite"],
                "prog: option '--rewrite' requires an argument\n",
            ),
            (
                &["--help=1"],
                "prog: option '--help' doesn't allow an argument\n",
            ),
            (
                &["--ver"],
                "prog: option '--ver' is ambiguous; possibilities: '--verbose' '--version'\n",
            ),
        ];
        for (args, message) in cases {
            let (found, _) = walk(args);
            assert_eq!(found.last().map(String::as_str), Some(*message), "{args:?}");
        }
    }
}
