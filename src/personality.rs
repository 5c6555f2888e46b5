//! Which init this binary is: the name it is run by picks the front that
//! reads the command line (`tini`, `tini-static`, `docker-init`: tini.rs;
//! `catatonit`, `podman-init`: catatonit.rs; any other: dumb-init's, cli.rs),
//! and `DUMB_INIT_PERSONALITY` picks where the name cannot be chosen. Each
//! front builds the one `Config`; nothing after this asks which it was.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use crate::cli::{self, Outcome};
use crate::{catatonit, tini};

/// The variable that picks the init, over the name.
pub const VARIABLE: &str = "DUMB_INIT_PERSONALITY";

/// The fronts, by the names that pick them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Personality {
    DumbInit,
    Tini,
    Catatonit,
}

impl Personality {
    /// The personality a name or the variable's value picks.
    pub fn named(name: &[u8]) -> Option<Self> {
        const NAMES: [(&str, Personality); 6] = [
            ("dumb-init", Personality::DumbInit),
            ("tini", Personality::Tini),
            ("tini-static", Personality::Tini),
            ("docker-init", Personality::Tini),
            ("catatonit", Personality::Catatonit),
            ("podman-init", Personality::Catatonit),
        ];
        NAMES
            .iter()
            .find(|(known, _)| known.as_bytes() == name)
            .map(|&(_, personality)| personality)
    }
}

/// The personality for `argv` and the variable: the variable's, else the
/// one argv[0]'s last part names, else dumb-init; an unknown value of the
/// variable is one line.
pub fn pick(
    argv: &[OsString],
    env: &impl Fn(&str) -> Option<OsString>,
) -> Result<Personality, Vec<u8>> {
    if let Some(value) = env(VARIABLE) {
        return Personality::named(value.as_bytes()).ok_or_else(|| {
            [
                cli::program(argv),
                b": invalid ",
                VARIABLE.as_bytes(),
                b" '",
                value.as_bytes(),
                b"': expected dumb-init, tini or catatonit\n",
            ]
            .concat()
        });
    }
    let program = cli::program(argv);
    let name = program.rsplit(|&b| b == b'/').next().unwrap_or(program);
    Ok(Personality::named(name).unwrap_or(Personality::DumbInit))
}

/// Parses `argv` with the front the personality picks.
pub fn parse(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Outcome {
    match pick(argv, &env) {
        Ok(Personality::DumbInit) => cli::parse(argv, env),
        Ok(Personality::Tini) => tini::parse(argv, env),
        Ok(Personality::Catatonit) => catatonit::parse(argv, env),
        Err(message) => Outcome::Exit { message, status: 1 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(argv0: &str, variable: Option<&str>) -> Result<Personality, Vec<u8>> {
        let argv = [OsString::from(argv0)];
        pick(&argv, &|name: &str| {
            (name == VARIABLE)
                .then(|| variable.map(OsString::from))
                .flatten()
        })
    }

    #[test]
    fn the_name_picks_and_the_variable_wins() {
        assert_eq!(picked("/sbin/docker-init", None), Ok(Personality::Tini));
        assert_eq!(picked("tini-static", None), Ok(Personality::Tini));
        assert_eq!(picked("/run/podman-init", None), Ok(Personality::Catatonit));
        assert_eq!(
            picked("/usr/bin/dumb-init", None),
            Ok(Personality::DumbInit)
        );
        assert_eq!(picked("./init", None), Ok(Personality::DumbInit));
        assert_eq!(picked("tini.sh", None), Ok(Personality::DumbInit));
        assert_eq!(picked("dumb-init", Some("tini")), Ok(Personality::Tini));
        assert_eq!(picked("tini", Some("dumb-init")), Ok(Personality::DumbInit));
        assert_eq!(
            picked("x", Some("runit")),
            Err(b"x: invalid DUMB_INIT_PERSONALITY 'runit': expected dumb-init, tini or catatonit\n".to_vec())
        );
    }
}
