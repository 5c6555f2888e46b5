//! dumb-init: a minimal init for containers. It runs one command as its child
//! in a new session, passes the signals it receives on to that session's
//! process group, reaps every zombie it inherits, and exits with the command's
//! status. A drop-in replacement for dumb-init 1.2.5, with opt-in extensions.
//!
//! The binary is built without std. std's panic runtime (message formatting,
//! backtrace capture and DWARF symbolization) is linked into any std program
//! that can panic or allocate, and alone it is larger than the whole size
//! budget for a file copied into every image. Without std, the C library
//! starts the program: `main` is C's own entry point, so closed standard
//! descriptors stay closed and signal dispositions stay as given until the
//! supervisor sets them, and the command inherits exactly what dumb-init was
//! given. A panic, which would be a bug, prints one line and aborts.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{CStr, c_char, c_int};

use dumb_init_rs::cli::{self, Outcome};
use dumb_init_rs::supervisor::{self, ForwardTarget, Supervisor};
use dumb_init_rs::{log, process_tree, spawn, strerror};

/// # Safety
/// Called by the C runtime, which passes `argc` valid NUL-terminated strings.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the C runtime's guarantee, passed on.
    let args = unsafe { arguments(argc, argv) };
    let config = match cli::parse(&args, spawn::environment_variable) {
        Outcome::Run(config) => config,
        Outcome::Exit { message, status } => {
            log::write_stderr(&message);
            return status;
        }
    };
    if config.debug_from_env {
        log::debug!(config.log, "Running in debug mode.");
    }
    if config.single_child_from_env {
        log::debug!(config.log, "Not running in setsid mode.");
    }

    supervisor::take_over_signals();
    let hand_off = spawn::detach_from_terminal(config.mode, config.log);
    if config.subreaper || !config.grace_period.is_zero() {
        process_tree::become_subreaper(config.log);
    }
    let mut plan = spawn::ExecPlan::new(&config.command, spawn::path_variable());
    let Ok(child) = spawn::spawn(&mut plan, config.mode, config.log) else {
        log::error!("Unable to fork. Exiting.");
        return 1;
    };
    log::debug!(config.log, "Child spawned with PID {child}.");
    // SAFETY: a NUL-terminated path.
    if unsafe { libc::chdir(c"/".as_ptr()) } == -1 {
        let errno = strerror::last_errno();
        log::debug!(
            config.log,
            "Unable to chdir(\"/\") (errno={errno} {})",
            strerror::Strerror(errno)
        );
    }

    Supervisor {
        child,
        target: ForwardTarget::new(config.mode, child),
        rewrites: config.rewrites,
        hand_off,
        log: config.log,
        grace_period: config.grace_period,
    }
    .run()
}

/// argv's strings, bytes unchanged. They live as long as the process.
///
/// # Safety
/// `argv` must hold `argc` pointers to NUL-terminated strings.
unsafe fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<&'static [u8]> {
    (0..usize::try_from(argc).unwrap_or(0))
        .map(|index| {
            // SAFETY: guaranteed by the caller for index < argc.
            unsafe { CStr::from_ptr(*argv.add(index)) }.to_bytes()
        })
        .collect()
}

/// Memory from the C library's allocator, which is linked anyway. The
/// command line and the exec plan are allocated before the fork, and the list
/// of descendants when a grace period ends; the forwarding loop allocates
/// nothing.
struct Malloc;

/// What malloc's results are aligned to on the supported targets.
const MALLOC_ALIGNMENT: usize = 16;

// SAFETY: malloc, realloc and free meet GlobalAlloc's contract for layouts
// whose alignment malloc already gives; larger alignments go through
// posix_memalign, whose memory free also releases.
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGNMENT {
            // SAFETY: any size may be asked for; null reports failure.
            return unsafe { libc::malloc(layout.size()) }.cast();
        }
        let mut memory = core::ptr::null_mut();
        // SAFETY: the alignment is a power of two and a multiple of the
        // pointer size, as Layout guarantees for alignments above 16.
        match unsafe { libc::posix_memalign(&mut memory, layout.align(), layout.size()) } {
            0 => memory.cast(),
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, memory: *mut u8, _layout: Layout) {
        // SAFETY: memory came from malloc, realloc or posix_memalign.
        unsafe { libc::free(memory.cast()) }
    }

    /// malloc's realloc, which can grow a block in place, where GlobalAlloc's
    /// default always copies (measured: about 2,000 more instructions at
    /// start-up for a 17-argument command); the default's move for larger
    /// alignments, which realloc cannot keep.
    unsafe fn realloc(&self, memory: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGNMENT {
            // SAFETY: memory came from malloc (the alignment says so).
            return unsafe { libc::realloc(memory.cast(), new_size) }.cast();
        }
        // SAFETY: new_size is non-zero and, rounded to the alignment, fits
        // in an isize, as GlobalAlloc::realloc's caller guarantees.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for alloc.
        let moved = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct and hold at least the
            // smaller size; the old one is then released.
            unsafe {
                core::ptr::copy_nonoverlapping(memory, moved, layout.size().min(new_size));
                self.dealloc(memory, layout);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;

/// A panic is a bug, or an allocation that failed: one line, then abort (no
/// unwinding, no backtrace). The line is written from the stack, so this is
/// safe in the child between fork and exec too.
#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    log::error!("Internal error (out of memory, or a bug). Aborting.");
    // SAFETY: abort has no preconditions.
    unsafe { libc::abort() }
}

/// The unwinder's entry points that the prebuilt `core` and `alloc`
/// libraries name in their cleanup paths. A build without link-time
/// optimization keeps those paths, so the names must resolve; none is ever
/// called, because nothing starts an unwind: the panic handler aborts, and no
/// foreign code that could throw is linked.
#[cfg(not(test))]
mod no_unwinding {
    #[unsafe(no_mangle)]
    extern "C" fn rust_eh_personality() {}

    #[unsafe(no_mangle)]
    extern "C" fn _Unwind_Resume() -> ! {
        // SAFETY: abort has no preconditions.
        unsafe { libc::abort() }
    }
}

// The C library, which nothing else asks the linker for once std is gone.
#[cfg(not(test))]
#[link(name = "c")]
unsafe extern "C" {}
