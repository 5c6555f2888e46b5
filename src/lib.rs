//! dumb-init as a library of small parts, one module per responsibility; the
//! binary in main.rs strings them together. See main.rs for the story.

pub mod cli;
pub mod held;
pub mod log;
pub mod process_tree;
pub mod signal_state;
pub mod signals;
pub mod spawn;
pub mod strerror;
pub mod supervisor;
