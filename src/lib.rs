//! dumb-init as a library of small parts, one module per responsibility; the
//! binary in main.rs strings them together. See main.rs for the story.
//!
//! Only `core` and `alloc` are used, so that the binary can leave std out
//! (see main.rs); the unit tests are ordinary std programs.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod cli;
pub mod log;
pub mod process_tree;
pub mod signal_state;
pub mod signals;
pub mod spawn;
pub mod strerror;
pub mod supervisor;
pub mod syscall;
