//! How the kernel's errors are told. System calls made through `libc` turn
//! their "-1 means errno" answers into `Result`s with nix's `Errno::result`,
//! as nix's own wrappers do. Messages use the C library's error texts as
//! glibc words them, so that they read the same whichever libc the binary
//! was linked against (musl words several of them differently): nix's
//! `Errno::desc` gives glibc's words for most numbers; the few it words
//! otherwise are kept here. `Why` formats the reference's `errno=N text`.
//! Nothing here allocates: it is used between fork and exec.

use std::fmt;

use nix::errno::Errno;

/// glibc's words where nix's `Errno::desc` has other ones (the kernel
/// headers' comments, mostly).
const GLIBC_WORDS: [(i32, &str); 18] = [
    (0, "Success"),
    (Errno::EIO as i32, "Input/output error"),
    (Errno::EBADF as i32, "Bad file descriptor"),
    (Errno::EAGAIN as i32, "Resource temporarily unavailable"),
    (Errno::ENOMEM as i32, "Cannot allocate memory"),
    (Errno::EXDEV as i32, "Invalid cross-device link"),
    (Errno::ENFILE as i32, "Too many open files in system"),
    (Errno::ENOTTY as i32, "Inappropriate ioctl for device"),
    (Errno::EDOM as i32, "Numerical argument out of domain"),
    (Errno::ERANGE as i32, "Numerical result out of range"),
    (Errno::EDEADLK as i32, "Resource deadlock avoided"),
    (Errno::ENOLCK as i32, "No locks available"),
    (Errno::ELOOP as i32, "Too many levels of symbolic links"),
    (Errno::EBADMSG as i32, "Bad message"),
    (
        Errno::EILSEQ as i32,
        "Invalid or incomplete multibyte or wide character",
    ),
    (Errno::EOPNOTSUPP as i32, "Operation not supported"),
    (
        Errno::ENETRESET as i32,
        "Network dropped connection on reset",
    ),
    (Errno::EDQUOT as i32, "Disk quota exceeded"),
];

/// A displayable error description that formats like glibc's `strerror`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strerror(pub i32);

impl fmt::Display for Strerror {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((_, words)) = GLIBC_WORDS.iter().find(|(errno, _)| *errno == self.0) {
            return f.write_str(words);
        }
        match Errno::from_raw(self.0) {
            Errno::UnknownErrno => write!(f, "Unknown error {}", self.0),
            known => f.write_str(known.desc()),
        }
    }
}

impl From<Errno> for Strerror {
    fn from(errno: Errno) -> Self {
        Strerror(errno as i32)
    }
}

/// `errno=N text`, as the reference's lines put an error in parentheses:
/// `Unable to setsid (errno=1 Operation not permitted).`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Why(pub Errno);

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "errno={} {}", self.0 as i32, Strerror::from(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_exec_errors_use_glibc_wording() {
        assert_eq!(Strerror(2).to_string(), "No such file or directory");
        assert_eq!(Strerror(13).to_string(), "Permission denied");
        assert_eq!(Strerror(8).to_string(), "Exec format error");
        assert_eq!(Strerror(36).to_string(), "File name too long");
        assert_eq!(
            Strerror(40).to_string(),
            "Too many levels of symbolic links"
        );
        assert_eq!(Strerror(25).to_string(), "Inappropriate ioctl for device");
        assert_eq!(Strerror(95).to_string(), "Operation not supported");
    }

    #[test]
    fn why_is_the_number_and_glibc_s_words() {
        assert_eq!(
            Why(Errno::EPERM).to_string(),
            "errno=1 Operation not permitted"
        );
        assert_eq!(
            Why(Errno::ENOTTY).to_string(),
            "errno=25 Inappropriate ioctl for device"
        );
    }

    #[test]
    fn unknown_numbers_read_like_glibc() {
        assert_eq!(Strerror(41).to_string(), "Unknown error 41");
        assert_eq!(Strerror(134).to_string(), "Unknown error 134");
        assert_eq!(Strerror(-3).to_string(), "Unknown error -3");
    }
}
