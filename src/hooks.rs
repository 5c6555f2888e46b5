//! The hooks of `--on-signal`: a shell command run when a signal arrives,
//! before the signal is passed on (the holding is delay.rs's, the choices
//! policy.rs's). Each runs in a session of its own, so that what is passed
//! on to the command's group or tree does not reach it, and so that a hook
//! that touches the terminal is never a background job of dumb-init's
//! session, stopped by SIGTTOU with its signal held forever (`-c` under a
//! terminal); none outlives dumb-init: its group is killed when dumb-init
//! exits, and its shell has SIGKILL as parent-death signal.

use nix::unistd::Pid;

use crate::config;
use crate::errno::Why;
use crate::log::{self, Log};
use crate::process_tree::{self, Member};
use crate::spawn::{self, ExecPlan};

/// A hook, prepared before any fork, and its shell while it runs.
struct Hook {
    signal: i32,
    plan: ExecPlan,
    running: Option<Pid>,
}

/// Every hook the command line asked for.
pub(crate) struct Hooks {
    hooks: Vec<Hook>,
    /// dumb-init has killed the running hooks: their ends are its doing,
    /// not failures to report.
    killed: bool,
}

impl Hooks {
    pub(crate) fn new(hooks: &[config::Hook]) -> Self {
        Hooks {
            hooks: hooks
                .iter()
                .map(|hook| Hook {
                    signal: hook.signal,
                    plan: spawn::hook_plan(&hook.command),
                    running: None,
                })
                .collect(),
            killed: false,
        }
    }

    /// Starts the hook for `signal`, if there is one and it is not running
    /// already. Whether the signal is to wait for it: a hook that cannot
    /// start is one line, and the signal is not held for it.
    pub(crate) fn start(&mut self, signal: i32, log: Log) -> bool {
        let Some(hook) = self.hooks.iter_mut().find(|hook| hook.signal == signal) else {
            return false;
        };
        if hook.running.is_some() {
            log::debug!(log, "The hook for signal {signal} is still running.");
            return false;
        }
        match spawn::spawn_hook(&mut hook.plan) {
            Ok(pid) => {
                log::debug!(log, "Running the hook for signal {signal} (PID {pid}).");
                hook.running = Some(pid);
                true
            }
            Err(errno) => {
                log::error!(
                    "Unable to start the hook for signal {signal} ({}).",
                    Why(errno)
                );
                false
            }
        }
    }

    /// A child has been reaped with `status`: if it was a hook's shell, the
    /// signal that hook was for.
    pub(crate) fn exited(&mut self, pid: Pid, status: i32, log: Log) -> Option<i32> {
        let hook = self
            .hooks
            .iter_mut()
            .find(|hook| hook.running == Some(pid))?;
        hook.running = None;
        let signal = hook.signal;
        match (status, self.killed) {
            (0, _) => log::debug!(log, "The hook for signal {signal} exited with status 0."),
            (_, true) => log::debug!(
                log,
                "The hook for signal {signal} ended with status {status}, killed by dumb-init."
            ),
            _ => log::error!("The hook for signal {signal} failed with status {status}."),
        }
        Some(signal)
    }

    /// Whether `member` belongs to a running hook (its shell, or the
    /// shell's group: its session), and is to be spared what is passed on
    /// to the tree.
    pub(crate) fn spares(&self, member: &Member) -> bool {
        self.hooks
            .iter()
            .filter_map(|hook| hook.running)
            .any(|shell| shell == member.group || shell == member.pid)
    }

    /// SIGKILL to every running hook's process group: dumb-init is exiting,
    /// or its grace period is over. The shell is a child not yet reaped, so
    /// its group ID names no one else.
    pub(crate) fn kill_all(&mut self) {
        self.killed = true;
        for pid in self.hooks.iter().filter_map(|hook| hook.running) {
            // The shell itself too: it may not have made its session yet.
            let _ = process_tree::send(pid.as_raw().saturating_neg(), nix::libc::SIGKILL);
            let _ = process_tree::send(pid.as_raw(), nix::libc::SIGKILL);
        }
    }
}
