//! The error texts in dumb-init's messages are glibc's, whichever C library
//! the binary is linked with: checked here against the glibc these tests run
//! on, number by number.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]
#![cfg(target_env = "gnu")]

use std::ffi::CStr;

use dumb_init_rs::errno::Strerror;

#[test]
fn every_error_text_is_the_one_glibc_prints() {
    for errno in -2..=140 {
        // SAFETY: strerror returns a NUL-terminated string that stays valid
        // until the next call; it is copied at once, and no other thread of
        // this test calls it.
        let glibc = unsafe { CStr::from_ptr(nix::libc::strerror(errno)) }
            .to_string_lossy()
            .into_owned();
        assert_eq!(Strerror(errno).to_string(), glibc, "errno {errno}");
    }
}
