//! The command line fuzzed against the reference as the oracle: seeded random
//! argument lists (options, clusters, abbreviations, `-r` values, junk bytes
//! that are not UTF-8, empty strings, very long arguments) and odd values of
//! the environment variables, each run by both binaries and compared on exit
//! status, stdout and normalised stderr. Plus fixed cases near ARG_MAX.
//! `DUMB_INIT_SEED` picks the cases; `DUMB_INIT_LONG_TESTS=1` runs 20,000.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;
#[path = "common/reliability.rs"]
mod reliability;

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::symlink;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Running, Scratch, code, dumb_init};
use reliability::{REFERENCE, Rng, scale, seed};

/// One generated case: argv[0], the arguments and the environment.
#[derive(Clone, Debug)]
struct Case {
    arg0: Vec<u8>,
    args: Vec<Vec<u8>>,
    env: Vec<(&'static str, Vec<u8>)>,
}

/// What a run left behind, normalised for comparison.
#[derive(Debug, PartialEq)]
struct Seen {
    status: i32,
    stdout: Vec<u8>,
    stderr: Vec<String>,
}

const OPTIONS: &[&str] = &[
    "-c",
    "-v",
    "-h",
    "-V",
    "-r",
    "--",
    "-",
    "-cv",
    "-vc",
    "-cr",
    "-vr",
    "-rc",
    "-x",
    "-?",
    "-:",
    "--help",
    "--version",
    "--single-child",
    "--verbose",
    "--rewrite",
    "--h",
    "--he",
    "--s",
    "--si",
    "--single",
    "--r",
    "--re",
    "--rew",
    "--v",
    "--ve",
    "--ver",
    "--verb",
    "--vers",
    "--yolo",
    "---",
    "--=",
    "--help=1",
    "--version=",
    "--single-child=x",
    "--verbose=",
    "--rewrite=",
    "--su",
    "--sub",
    "--grace",
    "--gr",
    "-hc",
    "-Vx",
    "-cvh",
];

const COMMANDS: &[&str] = &["true", "false", "echo", "sh", "/nonexistent/x", ""];

/// Junk bytes, often not UTF-8, sometimes looking like an option.
fn junk(rng: &mut Rng, max: usize) -> Vec<u8> {
    let len = rng.below(max + 1);
    let mut bytes: Vec<u8> = (0..len)
        .map(|_| {
            loop {
                let byte = rng.next() as u8;
                if byte != 0 {
                    break byte;
                }
            }
        })
        .collect();
    if rng.chance(20) {
        bytes.insert(0, b'-');
    }
    bytes
}

/// A `-r` value: numbers as sscanf reads them, in and out of range, with
/// blanks, signs and trailing text.
fn rewrite_value(rng: &mut Rng) -> Vec<u8> {
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "15",
        "31",
        "32",
        "64",
        "-1",
        "+3",
        " 7",
        "\t9",
        "07",
        "0x1f",
        "2147483647",
        "4294967311",
        "99999999999",
        "",
        "-0",
        "+",
    ];
    const TAILS: &[&str] = &["", "", "", "x", ":5", " ", "junk", "\u{e9}", "::"];
    let mut value = Vec::new();
    value.extend_from_slice(rng.pick(NUMBERS).as_bytes());
    if rng.chance(90) {
        value.push(b':');
    }
    value.extend_from_slice(rng.pick(NUMBERS).as_bytes());
    value.extend_from_slice(rng.pick(TAILS).as_bytes());
    if rng.chance(5) {
        value.push(0xff);
    }
    value
}

fn generate(rng: &mut Rng) -> Case {
    let mut args: Vec<Vec<u8>> = Vec::new();
    for _ in 0..rng.below(6) {
        let token = match rng.below(10) {
            0..=4 => rng.pick(OPTIONS).as_bytes().to_vec(),
            5 => [b"-r".as_slice(), &rewrite_value(rng)].concat(),
            6 => [b"--rewrite=".as_slice(), &rewrite_value(rng)].concat(),
            7 => rewrite_value(rng),
            8 => [b"-cr".as_slice(), &rewrite_value(rng)].concat(),
            _ => junk(rng, 12),
        };
        args.push(token);
    }
    if rng.chance(85) {
        let command = rng.pick(COMMANDS);
        match *command {
            "sh" => {
                args.push(b"sh".to_vec());
                args.push(b"-c".to_vec());
                args.push(format!("exit {}", rng.below(256)).into_bytes());
            }
            command => args.push(command.as_bytes().to_vec()),
        }
        for _ in 0..rng.below(3) {
            args.push(junk(rng, 10));
        }
    } else if rng.chance(30) {
        // A command name that exists nowhere, in bytes that are not UTF-8.
        args.push(junk(rng, 16));
    }
    if rng.chance(2) {
        // A very long argument, just below the kernel's 128 KiB per string.
        let at = rng.below(args.len() + 1);
        args.insert(at, vec![b'L'; 131_000]);
    }
    let arg0 = if rng.chance(5) {
        junk(rng, 8)
    } else {
        b"dumb-init".to_vec()
    };
    let mut env = Vec::new();
    const DEBUG: &[&[u8]] = &[
        b"1", b"0", b"", b"1 ", b" 1", b"01", b"true", b"\xff", b"11",
    ];
    const SETSID: &[&[u8]] = &[b"0", b"1", b"", b"00", b" 0", b"false", b"\xfe", b"0\n"];
    if rng.chance(25) {
        env.push(("DUMB_INIT_DEBUG", rng.pick(DEBUG).to_vec()));
    }
    if rng.chance(25) {
        env.push(("DUMB_INIT_SETSID", rng.pick(SETSID).to_vec()));
    }
    if rng.chance(10) {
        env.push(("ODD_VALUE", junk(rng, 40)));
    }
    Case { arg0, args, env }
}

/// A `PATH` holding only harmless commands, so that random names find nothing.
fn safe_path(scratch: &Scratch) -> PathBuf {
    let bin = scratch.path("bin");
    fs::create_dir_all(&bin).unwrap();
    for name in ["true", "false", "echo", "sh"] {
        let _ = symlink(format!("/bin/{name}"), bin.join(name));
    }
    bin
}

fn run_case(binary: &Path, case: &Case, path: &Path, scratch: &Scratch) -> Seen {
    let out = scratch.path("stdout");
    let err = scratch.path("stderr");
    let mut command = Command::new(binary);
    command
        .arg0(OsString::from_vec(case.arg0.clone()))
        .args(case.args.iter().map(|a| OsString::from_vec(a.clone())))
        .env_clear()
        .env("PATH", path)
        .envs(
            case.env
                .iter()
                .map(|(k, v)| (*k, OsString::from_vec(v.clone()))),
        )
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap());
    let status = Running::start(&mut command).wait();
    let status = if status.signal() == Some(6) {
        -6 // an abort: a panic with panic = "abort"
    } else {
        code(status)
    };
    Seen {
        status,
        stdout: fs::read(&out).unwrap(),
        stderr: normalise(&fs::read(&err).unwrap(), status),
    }
}

/// Lines of stderr with what legitimately differs made equal: version
/// numbers, PIDs, the help text (ours is worded differently), and the order
/// of verbose lines that supervisor and child write concurrently.
fn normalise(stderr: &[u8], status: i32) -> Vec<String> {
    let text = String::from_utf8_lossy(stderr);
    if status == 0 && text.contains("Usage:") && text.lines().count() > 3 {
        return vec!["<help>".into()];
    }
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut line = line.to_owned();
            if let Some(at) = line.find("dumb-init v") {
                line.truncate(at);
                line.push_str("dumb-init v<version>");
            }
            replace_numbers_after(&line, "PID ")
        })
        .collect();
    lines.sort();
    lines
}

fn replace_numbers_after(line: &str, marker: &str) -> String {
    let mut result = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(marker) {
        result.push_str(&rest[..at + marker.len()]);
        rest = rest[at + marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        result.push('N');
    }
    result.push_str(rest);
    result
}

fn shown(case: &Case) -> String {
    let quote = |bytes: &[u8]| {
        if bytes.len() > 80 {
            format!("<{} bytes>", bytes.len())
        } else {
            format!("{:?}", String::from_utf8_lossy(bytes))
        }
    };
    let env: Vec<String> = case
        .env
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    let args: Vec<String> = case.args.iter().map(|a| quote(a)).collect();
    format!(
        "env {} argv0={} args [{}]",
        env.join(" "),
        quote(&case.arg0),
        args.join(", ")
    )
}

/// Runs `cases` through both binaries; returns the differences and panics.
fn compare(cases: impl Iterator<Item = Case>) -> (usize, Vec<String>) {
    let scratch = Scratch::new("fuzz");
    let path = safe_path(&scratch);
    let ours = dumb_init();
    let reference = PathBuf::from(REFERENCE);
    let mut count = 0;
    let mut findings = Vec::new();
    for case in cases {
        count += 1;
        let mine = run_case(&ours, &case, &path, &scratch);
        let theirs = run_case(&reference, &case, &path, &scratch);
        let panicked = mine.status == -6 || mine.stderr.iter().any(|l| l.contains("panicked"));
        if panicked || mine != theirs {
            findings.push(format!(
                "{}\n  ours:      {:?}\n  reference: {:?}",
                shown(&case),
                (
                    mine.status,
                    &mine.stderr,
                    String::from_utf8_lossy(&mine.stdout)
                ),
                (
                    theirs.status,
                    &theirs.stderr,
                    String::from_utf8_lossy(&theirs.stdout)
                ),
            ));
        }
    }
    (count, findings)
}

#[test]
fn random_command_lines_behave_exactly_like_the_reference() {
    let seed = seed();
    let total = scale(400, 20_000);
    let mut rng = Rng::new(seed);
    let (count, findings) = compare((0..total).map(|_| generate(&mut rng)));
    eprintln!(
        "fuzz: seed {seed}, {count} cases, {} differences",
        findings.len()
    );
    assert!(
        findings.is_empty(),
        "{} of {count} cases differ (DUMB_INIT_SEED={seed}):\n{}",
        findings.len(),
        findings
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn huge_argument_lists_behave_exactly_like_the_reference() {
    let case = |args: Vec<Vec<u8>>| Case {
        arg0: b"dumb-init".to_vec(),
        args,
        env: Vec::new(),
    };
    let mut cases = Vec::new();
    // About 1.7 MB of argument strings and pointers, under the 2 MiB limit.
    let mut many = vec![b"true".to_vec()];
    many.extend(std::iter::repeat_n(b"x".to_vec(), 170_000));
    cases.push(case(many));
    let mut verbose = vec![b"-v".to_vec(); 100_000];
    verbose.push(b"true".to_vec());
    cases.push(case(verbose));
    let mut rewrites = Vec::new();
    for _ in 0..50_000 {
        rewrites.push(b"-r".to_vec());
        rewrites.push(b"1:2".to_vec());
    }
    rewrites.push(b"false".to_vec());
    cases.push(case(rewrites));
    cases.push(case(vec![
        [b"-r15:3".as_slice(), &[b'z'; 130_000]].concat(),
        b"true".to_vec(),
    ]));
    cases.push(case(vec![vec![b'-'; 130_000]]));
    cases.push(case(vec![b"--".to_vec(), vec![b'c'; 131_000]]));
    cases.push(case(vec![
        b"-r".to_vec(),
        vec![b'9'; 131_000],
        b"true".to_vec(),
    ]));
    let (count, findings) = compare(cases.into_iter());
    assert!(
        findings.is_empty(),
        "{} of {count} cases differ:\n{}",
        findings.len(),
        findings.join("\n")
    );
}

#[test]
fn the_normalisation_still_tells_different_runs_apart() {
    // The comparison must be able to fail: other statuses, other words and
    // other numbers outside PIDs stay different.
    let a = normalise(b"[dumb-init] Child exited with status 1. Goodbye.\n", 1);
    let b = normalise(b"[dumb-init] Child exited with status 2. Goodbye.\n", 2);
    assert_ne!(a, b);
    assert_eq!(
        normalise(b"[dumb-init] Child spawned with PID 41.\n", 0),
        normalise(b"[dumb-init] Child spawned with PID 9999.\n", 0)
    );
    assert_eq!(
        normalise(b"dumb-init v1.2.5\n", 0),
        normalise(b"dumb-init v0.1.0\n", 0)
    );
}
