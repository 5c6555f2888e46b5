//! Support for the reliability tests: the load generator (a small C program
//! compiled once per test binary, which is also the signal recorder of the
//! forwarding tests), the scale of the runs, a seeded random generator and
//! readers for /proc. The reference binary is `common::reference()`.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Whether the full-size runs were asked for (`DUMB_INIT_LONG_TESTS=1`).
pub fn long_tests() -> bool {
    std::env::var_os("DUMB_INIT_LONG_TESTS").is_some_and(|v| v == "1")
}

/// `short` in CI, `long` when the full-size runs were asked for.
pub fn scale(short: u64, long: u64) -> u64 {
    if long_tests() { long } else { short }
}

/// The load generator, compiled from `reliability_helper.c` on first use;
/// `None` where there is no C compiler (said once; root fails instead).
pub fn helper() -> Option<&'static Path> {
    static HELPER: OnceLock<PathBuf> = OnceLock::new();
    if HELPER.get().is_none() && !crate::common::tool("cc", "tests with the C helper") {
        return None;
    }
    let helper = HELPER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability");
        fs::create_dir_all(&dir).unwrap();
        let source = dir.join(format!("helper-{}.c", std::process::id()));
        let binary = dir.join(format!("helper-{}", std::process::id()));
        fs::write(&source, include_str!("reliability_helper.c")).unwrap();
        let status = Command::new("cc")
            .args(["-O2", "-Wall", "-o"])
            .arg(&binary)
            .arg(&source)
            .status()
            .expect("run cc (tools/install-test-deps.sh installs gcc)");
        assert!(status.success(), "the load generator did not compile");
        binary
    });
    Some(helper)
}

/// xorshift64*: the same cases for the same seed, on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed for the randomised tests: `DUMB_INIT_SEED`, or a fixed one.
pub fn seed() -> u64 {
    std::env::var("DUMB_INIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_d00b)
}

/// The signals pending for `pid`, thread and process wide, as a bit mask.
pub fn pending_mask(pid: i32) -> u64 {
    ["SigPnd", "ShdPnd"]
        .iter()
        .filter_map(|field| crate::common::proc_status_field(pid, field))
        .filter_map(|hex| u64::from_str_radix(&hex, 16).ok())
        .fold(0, |all, mask| all | mask)
}

/// The queued signals of `pid`'s user (the first number of `SigQ`).
pub fn queued_signals(pid: i32) -> u64 {
    crate::common::proc_status_field(pid, "SigQ")
        .and_then(|q| q.split('/').next()?.parse().ok())
        .unwrap_or(0)
}

/// `key=value` pairs from the generator's figures line.
pub fn figure(line: &str, key: &str) -> i64 {
    line.split_whitespace()
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}
