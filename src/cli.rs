//! The command line. `Options` declares every option once, with argh: its
//! long name, short letter, kind, value parser and help line. From that one
//! declaration (argh's `ArgsInfo`):
//! - the getopt front (getopt.rs) walks the arguments as the reference's
//!   `getopt_long(argc, argv, "+hvVcr:", ...)` does: the options with a short
//!   letter are the reference's and may be abbreviated, the extensions are
//!   long-only and whole names only, so that no abbreviation the reference
//!   accepts changes meaning;
//! - the environment variables are found: the reference's two, and for each
//!   extension `DUMB_INIT_` and its long name (`--grace-period`:
//!   `DUMB_INIT_GRACE_PERIOD`), read only when a command is given;
//! - argh parses what the front found, each value once, in the order given
//!   (the variables last), and its first error is told in our words;
//! - the help text is printed.
//!
//! The command never leaves `OsString`: it reaches exec byte-for-byte.

use std::borrow::Cow;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use argh::{ArgsInfo, FlagInfo, FlagInfoKind, FromArgs, Optionality};
use signal_hook::consts::signal::{SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};

use crate::config::{
    Config, DelayTable, ExitRemap, Hook, Init, Mode, Rewrite, RewriteTable, Rlimit, Start,
    Supervision,
};
pub use crate::getopt::program;
use crate::getopt::{Flag, Found, Getopt};
use crate::log::Log;
use crate::option_values::{self as value, Delay, ExitMapping};

/// dumb-init's options, in the order of the reference's getopt table (argh
/// puts its own `--help` first, where the reference has it too), then the
/// extensions. Descriptions are the help's lines, as argh wants them: in
/// lower case (the help prints each as a sentence). An option given once
/// is an `Option`; a repeatable one, a `Vec`.
#[derive(FromArgs, ArgsInfo, Debug)]
/// dumb-init's options.
struct Options {
    #[argh(
        switch,
        short = 'c',
        description = "pass signals to the direct child only, not to its\n\
                       whole process group (no new session is made)."
    )]
    single_child: bool,
    #[argh(
        option,
        short = 'r',
        arg_name = "s:r",
        from_str_fn(value::rewrite),
        description = "turn received signal s into r before passing it on;\n\
                       r = 0 drops s. Numbers 1-31 or names such as TERM,\n\
                       SIGQUIT or usr1 (0 on the right). Repeatable."
    )]
    rewrite: Vec<Rewrite>,
    #[argh(switch, short = 'v', description = "print what happens to stderr.")]
    verbose: bool,
    #[argh(switch, short = 'V', description = "print the version and exit.")]
    #[expect(
        dead_code,
        reason = "-V ends parsing in the front, before argh reads options"
    )]
    version: bool,
    #[argh(
        switch,
        description = "when not PID 1, adopt and reap the orphans of the\n\
                       command's tree (PR_SET_CHILD_SUBREAPER)."
    )]
    subreaper: bool,
    #[argh(
        option,
        arg_name = "S",
        from_str_fn(value::seconds),
        description = "when the child exits, wait up to S seconds (decimals\n\
                       allowed) for the rest of its tree to exit after\n\
                       SIGTERM, then SIGKILL what is left. Default 0."
    )]
    grace_period: Option<Duration>,
    #[argh(
        option,
        arg_name = "SIG:S",
        from_str_fn(value::delay),
        description = "hold received signal SIG for S seconds before\n\
                       passing it on; other signals flow meanwhile, and a\n\
                       second SIG passes it on at once. Repeatable."
    )]
    delay: Vec<Delay>,
    #[argh(
        option,
        arg_name = "A:B",
        from_str_fn(value::exit_mapping),
        description = "exit with status B where the command's end gives A\n\
                       (0-255 each). Repeatable."
    )]
    remap_exit: Vec<ExitMapping>,
    #[argh(
        option,
        arg_name = "SIG",
        from_str_fn(value::signal),
        description = "receive SIG when dumb-init's parent dies, and pass\n\
                       it on like any other signal."
    )]
    pdeathsig: Option<i32>,
    #[argh(
        switch,
        description = "pass signals to every descendant, each once, not only\n\
                       to the process group: daemons that left it, jobs of\n\
                       a shell with job control. Adopts orphans."
    )]
    tree: bool,
    #[argh(
        switch,
        description = "when the command exits, signal nothing: stay, passing\n\
                       signals on to every descendant, until none is left."
    )]
    wait_tree: bool,
    #[argh(
        option,
        arg_name = "R=S[:H]",
        from_str_fn(value::rlimit),
        description = "start the command with resource R's soft limit S and\n\
                       hard limit H (as prlimit names them: NOFILE, NPROC,\n\
                       CORE...; numbers, unlimited or hard). Repeatable."
    )]
    rlimit: Vec<Rlimit>,
    #[argh(
        option,
        arg_name = "OCTAL",
        from_str_fn(value::umask),
        description = "start the command with this umask, such as 027."
    )]
    umask: Option<u32>,
    #[argh(
        switch,
        description = "where LISTEN_PID names dumb-init, name the command\n\
                       instead, so that it takes the sockets."
    )]
    socket_activation: bool,
    #[argh(
        option,
        arg_name = "SIG:CMD",
        from_str_fn(value::hook),
        description = "when SIG arrives, run /bin/sh -c CMD in a group of\n\
                       its own, and pass SIG on once it has exited (and\n\
                       SIG's delay has ended). One per signal; repeatable."
    )]
    on_signal: Vec<Hook>,
}

impl Options {
    /// The configuration, or the one line that refuses a contradiction.
    /// `from_env`: the options that variables turned on; `only_from_env`:
    /// those of them the command line did not give too (a refusal names
    /// what the user typed).
    fn into_config(
        self,
        command: &[OsString],
        from_env: &[&str],
        only_from_env: &[&str],
    ) -> Result<Config, String> {
        if self.tree && self.single_child {
            let named = |long: &str, variable: &str| match only_from_env.contains(&long) {
                true => variable.to_owned(),
                false => format!("--{long}"),
            };
            return Err(format!(
                "{} and {} contradict each other: one signals every descendant, the other \
                 the child alone",
                named("tree", "DUMB_INIT_TREE=1"),
                named("single-child", "DUMB_INIT_SETSID=0"),
            ));
        }
        let debug_from_env = from_env.contains(&"verbose");
        let single_child_from_env = from_env.contains(&"single-child");
        let mode = match self.single_child {
            true => Mode::SingleChild,
            false => Mode::Setsid,
        };
        let mut rewrites = RewriteTable::default();
        for rewrite in self.rewrite {
            rewrites.set(rewrite);
        }
        if mode == Mode::Setsid {
            // Job-control stops would stop only the child, leaving the
            // session half-suspended; stopping with SIGSTOP instead keeps
            // Ctrl-Z working.
            for signal in [SIGTSTP, SIGTTOU, SIGTTIN] {
                rewrites.set_default(signal, SIGSTOP);
            }
        }
        let mut delays = DelayTable::default();
        for Delay { signal, period } in self.delay {
            delays.set(signal, period);
        }
        let mut exit_remap = ExitRemap::default();
        for ExitMapping { from, to } in self.remap_exit {
            exit_remap.set(from, to);
        }
        Ok(Config {
            command: command.to_vec(),
            mode,
            log: Log::dumb_init(self.verbose),
            subreaper: self.subreaper,
            pdeathsig: self.pdeathsig,
            debug_from_env,
            single_child_from_env,
            start: Start {
                rlimits: last_per_resource(self.rlimit),
                umask: self.umask,
                socket_activation: self.socket_activation,
                listen_pid_as_strtoll: false,
            },
            supervision: Supervision {
                rewrites,
                delays,
                grace_period: self.grace_period.unwrap_or_default(),
                exit_remap,
                tree: self.tree,
                wait_tree: self.wait_tree,
                hooks: one_per_signal(self.on_signal),
                ..Supervision::default()
            },
            init: Init::default(),
        })
    }
}

/// The limits, the last one given for each resource, in the order given.
fn last_per_resource(mut rlimits: Vec<Rlimit>) -> Vec<Rlimit> {
    let mut kept: Vec<Rlimit> = Vec::new();
    while let Some(rlimit) = rlimits.pop() {
        if !kept.iter().any(|later| later.resource == rlimit.resource) {
            kept.push(rlimit);
        }
    }
    kept.reverse();
    kept
}

/// The hooks, the last one given for each signal.
fn one_per_signal(mut hooks: Vec<Hook>) -> Vec<Hook> {
    let mut kept: Vec<Hook> = Vec::new();
    while let Some(hook) = hooks.pop() {
        if !kept.iter().any(|later| later.signal == hook.signal) {
            kept.push(hook);
        }
    }
    kept.reverse();
    kept
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Run the command (boxed: the tables make it large).
    Run(Box<Config>),
    /// Print `message` on stderr and exit with `status` (help, version, errors).
    Exit { message: Vec<u8>, status: i32 },
    /// Print `message` on stdout and exit with `status` (tini's and
    /// catatonit's help, version and license).
    Print { message: Vec<u8>, status: i32 },
}

/// The extensions that `DUMB_INIT_*` variables ask for, laid over a
/// configuration another front built (tini's, catatonit's): each variable
/// as under dumb-init, a refused value refused in the same words (with
/// `program` as the name), and what that front set itself kept where the
/// variable says nothing. dumb-init's own two variables are not read.
pub(crate) fn with_extension_variables(
    program: &[u8],
    mut config: Config,
    env: &impl Fn(&str) -> Option<OsString>,
) -> Result<Config, Vec<u8>> {
    let flags = Options::get_args_info().flags;
    let items: Vec<Item> = variables(flags, &[], env)
        .into_iter()
        .filter(|item| !item.reference)
        .collect();
    if items.is_empty() {
        return Ok(config);
    }
    let options = read(program, &items)?;
    let start = &mut config.start;
    start.rlimits = last_per_resource(options.rlimit);
    start.umask = options.umask.or(start.umask);
    start.socket_activation |= options.socket_activation;
    let supervision = &mut config.supervision;
    for Delay { signal, period } in options.delay {
        supervision.delays.set(signal, period);
    }
    for ExitMapping { from, to } in options.remap_exit {
        supervision.exit_remap.set(from, to);
    }
    if let Some(period) = options.grace_period {
        supervision.grace_period = period;
    }
    supervision.tree |= options.tree;
    supervision.wait_tree |= options.wait_tree;
    supervision.hooks = one_per_signal(options.on_signal);
    config.subreaper |= options.subreaper;
    config.pdeathsig = config.pdeathsig.or(options.pdeathsig);
    Ok(config)
}

/// Parses `argv` (argv[0] included); `env` looks up environment variables.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    let flags = Options::get_args_info().flags;
    let table: Vec<Flag> = flags.iter().map(getopt_flag).collect();
    let mut getopt = Getopt::new(argv, &table);
    let program = getopt.program();
    // Options act in order: -h and -V end parsing where they stand, as the
    // reference exits there, and so does the first argument getopt refuses.
    let mut given = Vec::new();
    let stop = loop {
        match getopt.next() {
            None => break None,
            Some(Err(message)) => break Some(exit(message, 1)),
            Some(Ok(Found { flag, .. })) if flag.long == "help" => {
                break Some(exit(help(program, flags), 0));
            }
            Some(Ok(Found { flag, .. })) if flag.long == "version" => {
                break Some(exit(version(), 0));
            }
            Some(Ok(found)) => given.push(Item::from(found)),
        }
    };
    let command = getopt.command();
    let mut from_env = Vec::new();
    let mut only_from_env = Vec::new();
    if stop.is_none() && !command.is_empty() {
        let variables = variables(flags, &given, &env);
        from_env.extend(variables.iter().map(|item| item.long));
        only_from_env.extend(
            from_env
                .iter()
                .filter(|long| !given.iter().any(|item| item.long == **long)),
        );
        given.extend(variables);
    }
    // A bad value given before the stop is refused first, as the reference
    // refuses a bad -r before it sees a -h that follows.
    let options = match read(program, &given) {
        Ok(options) => options,
        Err(message) => return exit(message, 1),
    };
    match stop {
        Some(stop) => stop,
        None if command.is_empty() => exit(usage(program), 1),
        None => match options.into_config(&command, &from_env, &only_from_env) {
            Ok(config) => Outcome::Run(Box::new(config)),
            Err(why) => exit([program, b": ", why.as_bytes(), b"\n"].concat(), 1),
        },
    }
}

/// The long name without `--`.
fn long_name<'a>(info: &FlagInfo<'a>) -> &'a str {
    info.long.strip_prefix("--").unwrap_or(info.long)
}

/// Whether an option is the reference's: those have a short letter (argh's
/// `--help` has none, the reference's is `h`); the extensions are long-only.
fn is_reference(info: &FlagInfo) -> bool {
    info.short.is_some() || info.long == "--help"
}

fn getopt_flag(info: &'static FlagInfo) -> Flag<'static> {
    let long = long_name(info);
    Flag {
        long,
        short: match long {
            "help" => Some(b'h'),
            _ => info.short.map(|c| c as u8),
        },
        takes_value: matches!(info.kind, FlagInfoKind::Option { .. }),
        abbreviable: is_reference(info),
    }
}

/// Whether argh takes an option more than once (a `Vec` field).
fn repeatable(info: &FlagInfo) -> bool {
    info.optionality == Optionality::Repeating
}

/// Whether an option's variable holds a comma-separated list: a repeatable
/// option's does, but for `--on-signal`, whose one value is a shell command
/// that may hold commas itself.
fn takes_a_list(info: &FlagInfo) -> bool {
    repeatable(info) && info.long != "--on-signal"
}

/// An option to hand to argh, from the command line or a variable.
struct Item<'a> {
    /// The long name, without `--`.
    long: &'a str,
    /// The reference's (`-r`'s refusal is its three lines).
    reference: bool,
    /// The value as argh reads it: every value parser reads ASCII only and
    /// stops at the first byte it does not take, so replacing what is not
    /// UTF-8 changes no outcome.
    value: Option<Cow<'a, str>>,
    /// Where it came from, as a refusal names it (`--option` or the
    /// variable), and the bytes given there.
    source: Cow<'a, str>,
    given: Cow<'a, [u8]>,
}

impl<'a> From<Found<'a, 'a>> for Item<'a> {
    fn from(found: Found<'a, 'a>) -> Self {
        Item {
            long: found.flag.long,
            reference: found.flag.abbreviable,
            value: found.value.map(text),
            source: Cow::Owned(format!("--{}", found.flag.long)),
            given: Cow::Borrowed(found.value.unwrap_or_default()),
        }
    }
}

/// A value's bytes as text for argh: as they are where they are UTF-8.
/// Where they are not, each stray byte becomes U+FFFD and a NUL ends the
/// text, a character no argument or variable can hold: every parser but
/// `--on-signal`'s reads ASCII only and refuses either, and that one
/// refuses the NUL, and so a command that would reach the shell changed,
/// while a U+FFFD that was given as such is taken.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(text) => Cow::Borrowed(text),
        Cow::Owned(mut text) => {
            text.push('\0');
            Cow::Owned(text)
        }
    }
}

/// The bytes of a refused value as a refusal shows them, on one line:
/// control characters escaped (`\n`, `\t`, `\r`, `\xNN`), a backslash
/// doubled, anything else as given.
fn shown(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        match byte {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..0x20 | 0x7f => {
                let hex = b"0123456789abcdef";
                out.extend_from_slice(b"\\x");
                out.extend(hex.get(usize::from(byte >> 4)));
                out.extend(hex.get(usize::from(byte & 0xf)));
            }
            _ => out.push(byte),
        }
    }
    out
}

/// The reference's variables, in its help's order: each turns one of its
/// switches on when it holds exactly that value.
const REFERENCE_VARIABLES: [(&str, &str, &str); 2] = [
    ("--verbose", "DUMB_INIT_DEBUG", "1"),
    ("--single-child", "DUMB_INIT_SETSID", "0"),
];

/// The variable that stands for an option, and for a switch the value that
/// turns it on: the reference's own two, and `DUMB_INIT_<LONG NAME>` (`1`
/// for a switch) for each extension. The reference's other options have
/// none.
///
/// The name is written into `name`, one buffer for every option: dumb-init
/// looks up every variable at each start, and this keeps that cheap.
fn variable(info: &FlagInfo, name: &mut String) -> Option<&'static str> {
    name.clear();
    if let Some(&(_, known, on)) = REFERENCE_VARIABLES
        .iter()
        .find(|(long, ..)| *long == info.long)
    {
        name.push_str(known);
        return Some(on);
    }
    if is_reference(info) {
        return None;
    }
    name.push_str("DUMB_INIT_");
    name.extend(long_name(info).chars().map(|c| match c {
        '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    Some("1")
}

/// The options that variables ask for: a switch whose variable holds the
/// value that turns it on; an option that the command line did not give,
/// whose variable is set and not empty: its value, or for a repeatable
/// option each of its comma-separated items.
fn variables(
    flags: &'static [FlagInfo],
    given: &[Item],
    env: &impl Fn(&str) -> Option<OsString>,
) -> Vec<Item<'static>> {
    let mut items = Vec::new();
    let mut name = String::with_capacity(32);
    for info in flags {
        let Some(on) = variable(info, &mut name) else {
            continue;
        };
        let Some(value) = env(&name) else {
            continue;
        };
        let long = long_name(info);
        let value_bytes = value.as_bytes().to_vec();
        let item = |value: Option<String>| Item {
            long,
            reference: is_reference(info),
            value: value.map(Cow::Owned),
            source: Cow::Owned(name.clone()),
            given: Cow::Owned(value_bytes.clone()),
        };
        if !matches!(info.kind, FlagInfoKind::Option { .. }) {
            if value_bytes == on.as_bytes() {
                items.push(item(None));
            }
        } else if !value.is_empty() && !given.iter().any(|item| item.long == long) {
            let text = text(value.as_bytes());
            match takes_a_list(info) {
                true => items.extend(
                    text.split(',')
                        .map(|piece| item(Some(piece.trim().to_owned()))),
                ),
                false => items.push(item(Some(text.into_owned()))),
            }
        }
    }
    items
}

/// argh parses the items, in order, each value once. Its first refusal
/// names the option and the value it refused (`Error parsing option '--x'
/// with value 'v': reason`): told here as one line naming the option or the
/// variable, and for `-r` in the reference's own three lines.
fn read(program: &[u8], items: &[Item]) -> Result<Options, Vec<u8>> {
    let mut arguments: Vec<String> = Vec::new();
    for item in items {
        arguments.push(format!("--{}", item.long));
        arguments.extend(item.value.as_deref().map(str::to_owned));
    }
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    Options::from_args(&["dumb-init"], &arguments).map_err(|refusal| {
        let output = refusal.output;
        items
            .iter()
            .find_map(|item| {
                let value = item.value.as_deref()?;
                let prefix = format!(
                    "Error parsing option '--{}' with value '{value}': ",
                    item.long
                );
                let reason = output.strip_prefix(&prefix)?.trim_end_matches('\n');
                Some(match item.reference {
                    true => format!("{reason}\n").into_bytes(),
                    false => [
                        program,
                        b": invalid ",
                        item.source.as_bytes(),
                        b" '",
                        &shown(&item.given),
                        b"': ",
                        reason.as_bytes(),
                        b"\n",
                    ]
                    .concat(),
                })
            })
            .unwrap_or_else(|| output.into_bytes())
    })
}

fn exit(message: Vec<u8>, status: i32) -> Outcome {
    Outcome::Exit { message, status }
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

/// The help's line for argh's own `--help`, whose description is argh's.
const HELP_LINE: &str = "print this help and exit.";
/// Where descriptions start in the help's option and variable lists.
const OPTION_COLUMN: usize = 25;
const VARIABLE_COLUMN: usize = 31;

/// The help text, from the declaration: the options (the reference's help
/// lists -h just before -V), then the variables.
fn help(program: &[u8], flags: &[FlagInfo]) -> Vec<u8> {
    let mut text = String::from(
        "\n\nRuns a command as a child in a session of its own, passes every signal it\n\
         receives on to that session's process group, reaps orphaned processes and\n\
         exits with the command's status. Meant to be PID 1 in a container.\n\nOptions:\n",
    );
    for info in flags.iter().filter(|info| info.long != "--help") {
        if info.long == "--version" {
            column(&mut text, "   -h, --help".into(), OPTION_COLUMN, HELP_LINE);
        }
        let long = info.long;
        let left = match (info.short, &info.kind) {
            (Some(short), FlagInfoKind::Option { arg_name }) => {
                format!("   -{short}, {long} {arg_name}")
            }
            (Some(short), FlagInfoKind::Switch) => format!("   -{short}, {long}"),
            (None, FlagInfoKind::Option { arg_name }) => format!("       {long}={arg_name}"),
            (None, FlagInfoKind::Switch) => format!("       {long}"),
        };
        column(&mut text, left, OPTION_COLUMN, info.description);
    }
    text.push_str("\nEnvironment:\n");
    let reference = REFERENCE_VARIABLES
        .iter()
        .filter_map(|(long, ..)| flags.iter().find(|info| info.long == *long));
    for info in reference.chain(flags.iter().filter(|info| !is_reference(info))) {
        let mut name = String::new();
        let Some(on) = variable(info, &mut name) else {
            continue;
        };
        let long = info.long;
        let (left, right) = match &info.kind {
            FlagInfoKind::Switch => (format!("   {name}={on}"), format!("same as {long}")),
            FlagInfoKind::Option { arg_name } if takes_a_list(info) => (
                format!("   {name}={arg_name},..."),
                format!("same as {long} for each item"),
            ),
            FlagInfoKind::Option { arg_name } => (
                format!("   {name}={arg_name}"),
                format!("same as {long}={arg_name}"),
            ),
        };
        text.push_str(&left);
        text.push_str(&" ".repeat(VARIABLE_COLUMN.saturating_sub(left.len()).max(2)));
        text.push_str(&right);
        text.push('\n');
    }
    [
        &version(),
        &b"Usage: "[..],
        program,
        b" [option] command [[arg] ...]",
        text.as_bytes(),
    ]
    .concat()
}

/// `left`, then `description` as sentences from `column` on, one line per
/// line of it; on a line of its own where `left` reaches the column.
fn column(text: &mut String, left: String, column: usize, description: &str) {
    text.push_str(&left);
    let mut pad = column.saturating_sub(left.len());
    if pad < 2 {
        text.push('\n');
        pad = column;
    }
    let mut first = true;
    for line in description.lines() {
        text.push_str(&" ".repeat(if first { pad } else { column }));
        if first {
            let mut chars = line.chars();
            text.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            text.push_str(chars.as_str());
        } else {
            text.push_str(line);
        }
        text.push('\n');
        first = false;
    }
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
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn command(config: &Config) -> Vec<&str> {
        config.command.iter().map(|a| a.to_str().unwrap()).collect()
    }

    fn forwards(config: &Config, signal: i32) -> Option<i32> {
        config.supervision.rewrites.translate(signal).outgoing()
    }

    #[test]
    fn a_bare_command_runs_in_setsid_mode() {
        let config = config(&["sleep", "10"]);
        assert_eq!(command(&config), ["sleep", "10"]);
        assert_eq!(config.mode, Mode::Setsid);
        assert!(!config.log.verbose);
        assert_eq!(config.supervision.grace_period, Duration::ZERO);
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
            "--tree",
            "--wait-tree",
            "DUMB_INIT_DEBUG",
            "DUMB_INIT_SETSID",
            "DUMB_INIT_SUBREAPER",
            "DUMB_INIT_GRACE_PERIOD",
            "DUMB_INIT_DELAY",
            "DUMB_INIT_REMAP_EXIT",
            "DUMB_INIT_PDEATHSIG",
            "DUMB_INIT_TREE",
            "DUMB_INIT_WAIT_TREE",
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
            config(&["--grace-period=2.5", "x"])
                .supervision
                .grace_period,
            Duration::from_millis(2500)
        );
        assert_eq!(
            config(&["--grace-period", "10", "x"])
                .supervision
                .grace_period,
            Duration::from_secs(10)
        );
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_GRACE_PERIOD", ".25")]) {
            Outcome::Run(config) => config.supervision.grace_period,
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
    fn values_are_read_in_the_order_given_and_the_first_refusal_is_told() {
        let (message, _) = refusal(&["--grace-period", "x", "--grace-period", "1", "y"]);
        assert!(message.starts_with("dumb-init: invalid --grace-period 'x'"));
        let (message, _) = refusal(&["--grace-period", "x", "-r", "bad", "y"]);
        assert!(
            message.contains("--grace-period"),
            "the first error is told"
        );
        let (message, _) = refusal(&["-r", "bad", "--grace-period", "x", "y"]);
        assert!(message.starts_with("Usage: -r"), "{message}");
    }

    #[test]
    fn an_option_that_takes_one_value_is_refused_a_second() {
        let (message, status) = refusal(&["--grace-period", "1", "--grace-period", "0.5", "y"]);
        assert_eq!(status, 1);
        assert_eq!(
            message,
            "dumb-init: invalid --grace-period '0.5': duplicate values provided\n"
        );
        assert_eq!(
            refusal(&["--pdeathsig=TERM", "--pdeathsig=HUP", "y"]).1,
            1,
            "--pdeathsig too"
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
        assert_eq!(config.supervision.delays, delays(&[(15, 2000), (10, 500)]));
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_DELAY", "TERM:5, INT:1")]) {
            Outcome::Run(config) => config.supervision.delays,
            other => panic!("{other:?}"),
        };
        assert_eq!(from_env, delays(&[(15, 5000), (2, 1000)]));
        let option_wins =
            match run_with_env(&["--delay", "HUP:1", "x"], &[("DUMB_INIT_DELAY", "TERM:5")]) {
                Outcome::Run(config) => config.supervision.delays,
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
        assert_eq!(config.supervision.exit_remap.map(143), 0);
        assert_eq!(config.supervision.exit_remap.map(2), 9);
        assert_eq!(config.supervision.exit_remap.map(1), 1);
        let from_env = match run_with_env(&["x"], &[("DUMB_INIT_REMAP_EXIT", "3:0,255:1")]) {
            Outcome::Run(config) => config.supervision.exit_remap,
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
    fn tree_and_wait_tree_are_switches_with_variables_and_tree_refuses_single_child() {
        let plain = config(&["x"]).supervision;
        assert!(!plain.tree && !plain.wait_tree);
        assert!(config(&["--tree", "x"]).supervision.tree);
        assert!(config(&["--wait-tree", "-c", "x"]).supervision.wait_tree);
        let from_env = match run_with_env(
            &["x"],
            &[("DUMB_INIT_TREE", "1"), ("DUMB_INIT_WAIT_TREE", "1")],
        ) {
            Outcome::Run(config) => config.supervision,
            other => panic!("{other:?}"),
        };
        assert!(from_env.tree && from_env.wait_tree);
        assert!(!config(&["x"]).adopts_orphans());
        assert!(config(&["--tree", "x"]).adopts_orphans());
        assert!(config(&["--wait-tree", "x"]).adopts_orphans());
        let contradiction = "dumb-init: --tree and --single-child contradict each other: one \
                             signals every descendant, the other the child alone\n";
        assert_eq!(
            refusal(&["--tree", "-c", "x"]),
            (contradiction.to_owned(), 1)
        );
        // A refusal names what the user gave: the variable, where it was one.
        for (args, env, names) in [
            (
                &["--tree", "x"][..],
                &[("DUMB_INIT_SETSID", "0")][..],
                "--tree and DUMB_INIT_SETSID=0",
            ),
            (
                &["-c", "x"],
                &[("DUMB_INIT_TREE", "1")],
                "DUMB_INIT_TREE=1 and --single-child",
            ),
            (
                &["--tree", "-c", "x"],
                &[("DUMB_INIT_TREE", "1"), ("DUMB_INIT_SETSID", "0")],
                "--tree and --single-child",
            ),
        ] {
            match run_with_env(args, env) {
                Outcome::Exit { message, status } => assert_eq!(
                    (String::from_utf8(message).unwrap(), status),
                    (contradiction.replace("--tree and --single-child", names), 1)
                ),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            refusal(&["--tre", "x"]).0,
            "dumb-init: unrecognized option '--tre'\n"
        );
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

    #[test]
    fn a_refused_value_is_one_line_whatever_bytes_it_holds() {
        let (message, status) = refusal(&["--delay", "TERM:1\nx", "y"]);
        assert_eq!(status, 1);
        assert!(
            message.starts_with("dumb-init: invalid --delay 'TERM:1\\nx': expected"),
            "{message}"
        );
        assert_eq!(message.lines().count(), 1, "{message}");
        let (message, _) = refusal(&["--umask", "0\t\u{1}\\", "y"]);
        assert!(
            message.starts_with("dumb-init: invalid --umask '0\\t\\x01\\\\': "),
            "{message}"
        );
    }

    #[test]
    fn a_hook_may_hold_u_fffd_but_not_bytes_that_are_not_utf8() {
        let given = config(&["--on-signal", "TERM:echo \u{fffd}", "x"]);
        assert_eq!(given.supervision.hooks[0].command, "echo \u{fffd}");
        let argv: Vec<OsString> = ["dumb-init", "--on-signal"]
            .map(OsString::from)
            .into_iter()
            .chain([OsString::from_vec(b"TERM:echo \xff".to_vec()), "x".into()])
            .collect();
        match parse(&argv, |_| None) {
            Outcome::Exit { message, status } => {
                assert_eq!(status, 1);
                assert_eq!(
                    message,
                    b"dumb-init: invalid --on-signal 'TERM:echo \xff': expected a command \
                      in UTF-8: these bytes would reach the shell changed\n"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_last_rlimit_for_a_resource_wins_and_is_the_only_one_set() {
        let limits = config(&[
            "--rlimit",
            "NOFILE=999999999",
            "--rlimit",
            "CORE=0",
            "--rlimit",
            "nofile=100",
            "x",
        ])
        .start
        .rlimits;
        let shown: Vec<_> = limits.iter().map(|r| (r.name, r.soft)).collect();
        assert_eq!(
            shown,
            [
                ("CORE", crate::config::Limit::Value(0)),
                ("NOFILE", crate::config::Limit::Value(100))
            ]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Values chosen to hurt: extremes of every integer width, floats,
        /// signs, blanks, names, separators, bytes that are not UTF-8.
        fn nasty_value() -> impl Strategy<Value = Vec<u8>> {
            let extremes = prop::sample::select(vec![
                "18446744073709551615",
                "18446744073709551616",
                "9223372036854775807",
                "-9223372036854775808",
                "4294967296",
                "2147483648:2147483648",
                "1e309",
                "inf",
                "nan",
                "-0",
                "0.0000000001",
                "1000000000.999999999",
                "1000000001",
                "TERM:18446744073709551615",
                "TERM:1e9",
                "KILL:1",
                "64:1",
                "255:256",
                ":",
                ",",
                ",,,",
                " 15 : 3 ",
                "SIGRTMIN",
                "",
            ])
            .prop_map(|text| text.as_bytes().to_vec());
            prop_oneof![extremes, prop::collection::vec(any::<u8>(), 0..24)]
        }

        /// A word of a command line: an option by any of its names, with or
        /// without a value, or a value, or `--`.
        fn word() -> impl Strategy<Value = Vec<u8>> {
            let names: Vec<String> = Options::get_args_info()
                .flags
                .iter()
                .flat_map(|info| {
                    let long = info.long.to_owned();
                    let prefix = long.get(..4).unwrap_or(&long).to_owned();
                    let short = info.short.map(|c| format!("-{c}"));
                    [Some(long), Some(prefix), short].into_iter().flatten()
                })
                .chain(["--".to_owned(), "-cvr".to_owned(), "-h".to_owned()])
                .collect();
            let name = prop::sample::select(names).prop_map(String::into_bytes);
            prop_oneof![
                name.clone(),
                (name, nasty_value()).prop_map(|(mut name, value)| {
                    name.push(b'=');
                    name.extend(value);
                    name
                }),
                nasty_value(),
            ]
        }

        /// Every variable the declaration reads.
        fn variable_names() -> Vec<String> {
            Options::get_args_info()
                .flags
                .iter()
                .filter_map(|info| {
                    let mut name = String::new();
                    variable(info, &mut name).map(|_| name)
                })
                .collect()
        }

        proptest! {
            #[test]
            fn no_command_line_or_environment_makes_the_parser_panic(
                words in prop::collection::vec(word(), 0..8),
                values in prop::collection::vec(prop::option::of(nasty_value()), 16),
                command in any::<bool>(),
            ) {
                let mut argv = vec![OsString::from("dumb-init")];
                argv.extend(words.into_iter().map(OsString::from_vec));
                if command {
                    argv.push(OsString::from("true"));
                }
                let names = variable_names();
                let env = |name: &str| {
                    let index = names.iter().position(|known| known == name)?;
                    values.get(index)?.clone().map(OsString::from_vec)
                };
                match parse(&argv, env) {
                    Outcome::Run(config) => prop_assert!(!config.command.is_empty()),
                    Outcome::Exit { message, status } => {
                        prop_assert!(status == 0 || status == 1, "{status}");
                        prop_assert!(message.ends_with(b"\n"), "{message:?}");
                    }
                    Outcome::Print { .. } => prop_assert!(false, "dumb-init prints on stderr"),
                }
            }
        }
    }
}
