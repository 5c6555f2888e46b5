//! dumb-init: a minimal init for containers. It runs one command as its child
//! in a new session, passes the signals it receives on to that session's
//! process group, reaps every zombie it inherits, and exits with the command's
//! status. A drop-in replacement for dumb-init 1.2.5, with opt-in extensions;
//! run as `tini` or `docker-init` it is tini 0.19.0, as `catatonit` or
//! `podman-init` catatonit 0.1.7 (personality.rs).
//!
//! `main` is C's own entry point: std is linked, but its runtime start is not
//! used. That start would reopen closed standard descriptors on /dev/null and
//! set SIGPIPE to be ignored, and the command must inherit exactly what
//! dumb-init was given.

#![no_main]

use std::ffi::{CStr, OsString, c_char, c_int};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use dumb_init_rs::cli::{self, Outcome};
use dumb_init_rs::errno::Why;
use dumb_init_rs::log::Said;
use dumb_init_rs::spawn::{Apart, NotStarted};
use dumb_init_rs::supervisor::{self, ForwardTarget, Supervisor};
use dumb_init_rs::terminal::HandOff;
use dumb_init_rs::{log, personality, process_tree, spawn, terminal};

/// # Safety
/// Called by the C runtime, which passes `argc` valid NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // First of all, for --pdeathsig to tell whether the parent died while
    // dumb-init was starting.
    let parent = nix::unistd::getppid();
    // SAFETY: the C runtime's guarantee, passed on.
    let args = unsafe { arguments(argc, argv) };
    // The name it runs by picks the init: dumb-init, tini or catatonit.
    let config = match personality::parse(&args, |name| std::env::var_os(name)) {
        Outcome::Run(config) => *config,
        Outcome::Exit { message, status } => {
            log::write_stderr(&message);
            return status;
        }
        Outcome::Print { message, status } => {
            log::write_stdout(&message);
            return status;
        }
    };
    if config.debug_from_env {
        log::debug!(config.log, "Running in debug mode.");
    }
    if config.single_child_from_env {
        log::debug!(config.log, "Not running in setsid mode.");
    }

    let signals = supervisor::take_over_signals(&config.init);
    if let Some(signal) = config.pdeathsig {
        process_tree::signal_on_parent_death(signal, parent, config.log);
    }
    let hand_off = match config.init.child_group {
        None => terminal::detach(config.mode, config.log),
        Some(_) => HandOff::default(),
    };
    if config.adopts_orphans() {
        process_tree::become_subreaper(config.log);
    }
    if config.init.warn_without_reaper && !process_tree::reaps_orphans() {
        log::warn_without_reaper(config.log);
    }
    if config.init.pause {
        if config.init.close_descriptors {
            process_tree::close_descriptors_from(3);
        }
        return supervisor::pause(&signals.waited, config.supervision.swallowed, config.log);
    }
    let path = spawn::path_variable();
    let mut plan = spawn::ExecPlan::new(&config.command, path.as_ref().map(|p| p.as_bytes()))
        .umask(config.start.umask)
        .signals(signals.for_the_command, signals.default_again);
    if config.start.socket_activation && plan.pass_sockets(config.start.listen_pid_as_strtoll) {
        log::debug!(
            config.log,
            "LISTEN_PID names dumb-init: the command's own PID replaces it."
        );
    }
    let apart = Apart {
        mode: config.mode,
        group: config.init.child_group,
        exec_failure: config.init.exec_failure,
    };
    let child = match spawn::spawn(&mut plan, apart, &config.start.rlimits, config.log) {
        Ok(child) => child,
        Err(NotStarted::Fork(_)) => {
            log::error!("Unable to fork. Exiting.");
            return 1;
        }
        Err(NotStarted::Limit(line)) => {
            log::write_stderr(&[cli::program(&args), b": ", line.as_bytes(), b"\n"].concat());
            return 1;
        }
    };
    log::debug!(config.log, "Child spawned with PID {child}.");
    let program = config
        .command
        .first()
        .map(|p| p.as_bytes())
        .unwrap_or_default();
    log::said(config.log, Said::Spawned(child.as_raw(), program));
    if config.init.close_descriptors {
        process_tree::close_descriptors_from(3);
    }
    let target = ForwardTarget::new(config.mode, child, &config.supervision);
    // Made before the move to /: hooks run where dumb-init was started.
    let supervisor = Supervisor::new(
        child,
        target,
        config.mode,
        config.supervision,
        (hand_off, signals.waited),
        config.log,
    );
    if config.init.chdir_root
        && let Err(errno) = nix::unistd::chdir("/")
    {
        log::debug!(config.log, "Unable to chdir(\"/\") ({})", Why(errno));
    }
    supervisor.run()
}

/// argv as `OsString`s, bytes unchanged.
///
/// # Safety
/// `argv` must hold `argc` pointers to NUL-terminated strings.
unsafe fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
    (0..usize::try_from(argc).unwrap_or(0))
        .map(|index| {
            // SAFETY: guaranteed by the caller for index < argc.
            let arg = unsafe { CStr::from_ptr(*argv.add(index)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect()
}
