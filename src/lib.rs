//! dumb-init as a library of small parts, one module per responsibility; the
//! binary in main.rs strings them together (see main.rs for the story). The
//! layers point one way: `config` (what the user asked for) sits at the
//! bottom with the leaves it needs; `cli` builds it; `spawn` and
//! `supervisor` read it.

#![cfg_attr(
    test,
    allow(
        clippy::arithmetic_side_effects,
        reason = "unit tests compute expectations; Cargo.toml's lints guard the program"
    )
)]

// What main.rs and the integration tests use.
pub mod cli;
pub mod config;
pub mod errno;
pub mod log;
pub mod personality;
pub mod process_tree;
pub mod spawn;
pub mod supervisor;
pub mod terminal;

// Parts of those.
mod catatonit;
mod delay;
mod getopt;
mod hooks;
mod kernel_signals;
mod option_values;
mod policy;
mod signal_names;
mod tini;
