"""What a scenario is: the declarative vocabulary that scenarios.py uses.

A scenario names dumb-init's arguments (options and command), the
environment, where it runs, what happens to it (steps) and, for extension
scenarios only, a fixed expectation. The runner (run.py) executes each one
against the reference and the binary under test and compares everything a
user can observe.
"""

import os
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable
HELPER_PY = os.path.join(HERE, "helper.py")
LAUNCH_PY = os.path.join(HERE, "launch.py")

# Placeholders the runner fills in, in every str argument, file and env value:
DIR = "{dir}"  # the scenario's private directory (also the child's cwd)
BIN = "{bin}"  # the path of the dumb-init binary being run


@dataclass
class Scenario:
    name: str
    # Arguments after argv[0]: options, then the command. str or bytes.
    argv: list
    # Added to a small fixed environment (PATH, LC_ALL=C); None unsets.
    env: dict = field(default_factory=dict)
    # "plain": a process of its own session, stdin /dev/null, pipes for
    # stdout/stderr. "pty": session leader on a new pseudo-terminal that is
    # its stdin, stdout and stderr and its controlling terminal. "pidns":
    # PID 1 of `unshare --pid --fork --kill-child --mount-proc`. "runc": PID 1
    # of an OCI container (see container.py).
    where: str = "plain"
    steps: list = field(default_factory=list)
    # Set up by the launcher just before exec'ing dumb-init: signals ignored
    # or blocked, descriptors closed.
    ignore: list = field(default_factory=list)
    block: list = field(default_factory=list)
    close: list = field(default_factory=list)
    # Files created in the scenario directory first: name -> (text, mode);
    # mode "symlink" makes a symbolic link to text instead.
    files: dict = field(default_factory=dict)
    # True: argv is run as it is (argv[0] is not dumb-init), e.g. a script
    # whose #! line names dumb-init.
    direct: bool = False
    # Wait for the helper's ready file before the steps (automatic when the
    # command is the helper).
    ready: bool = None
    timeout: float = 6.0
    # Extension scenarios: what the reference must do (exit status and a
    # substring of stderr), and the exit status ours must give.
    reference_expects: tuple = None
    ours_expects: int = None
    # "counted": for storms. A standard signal that is already pending is
    # merged by the kernel, so how many arrive is timing: each is compared
    # as received or not. Real-time signals queue, so each is counted.
    records: str = "sequence"
    # runc only: the container's pids limit (cgroup), to make fork fail.
    pids_limit: int = None
    # Descriptors the launcher opens (on DIR/fdN.marker, inherited) before
    # exec'ing the init; the runner reports which are still open in the
    # init and in the helper.
    open_fds: list = field(default_factory=list)
    # Variables the launcher sets to text naming its own PID, which the
    # init keeps: {"LISTEN_PID": "{pid}"} ({pid}: the init's PID, {ppid}:
    # its parent's).
    env_pid: dict = field(default_factory=dict)
    category: str = ""


def helper(*options, tag="child"):
    """The recording helper as the command (see helper.py for options)."""
    return [PYTHON, "-S", HELPER_PY, DIR, tag] + [str(o) for o in options]


def sh(script, *args):
    return ["/bin/sh", "-c", script, "sh"] + list(args)


# Steps. Each send waits until every recording process has recorded
# something new, dumb-init has exited, or 0.3 s have passed.
def send(signal, to="init"):
    """Send `signal` (number) to "init" (dumb-init), "child", or "group"."""
    return ("send", signal, to)


def states(label):
    """Record the state letter (R/S/T/Z) of dumb-init and every recorder."""
    return ("states", label)


def wait_stopped(who="init"):
    """Wait (up to 2 s) until `who` is stopped."""
    return ("wait_state", who, "T")


def type_keys(data):
    """Write bytes to the terminal master (pty scenarios)."""
    return ("write", data)


def hangup():
    """Close the terminal master (pty scenarios)."""
    return ("hangup",)


def storm(signals, times):
    """Send each of `signals` to dumb-init `times` times, without waiting."""
    return ("storm", signals, times)


def wait_files(*names):
    """Wait (up to 3 s) until these files exist in the scenario directory."""
    return ("wait_files", names)


def wait_settled():
    """Wait (up to 2 s) until the init has taken over SIGTERM (blocked,
    caught, or waited for in sigtimedwait), for runs without a helper."""
    return ("wait_settled",)


def inspect(label):
    """Record the init's cwd, its children and which of `open_fds` it holds."""
    return ("inspect", label)


def wait_taken():
    """Wait (up to 2 s) until the init has no signal pending: it has taken
    every signal sent so far (pending signals are taken lowest number
    first, so a later SIGTERM could overtake a signal still pending)."""
    return ("wait_taken",)
