#!/usr/bin/env python3
"""The differential suite: every scenario in scenarios.py runs against the
reference dumb-init (Debian's C build, 1.2.5) and against the binary under
test; everything a user can observe is compared, after the normalisations
listed in NORMALISATIONS below, and every difference is printed.

    python3 compat-tests/run.py [-k SUBSTRING] [-j JOBS] [--no-fuzz | --fuzz-only] [--list]
    python3 compat-tests/run.py --personality tini|catatonit [-k SUBSTRING] ...

Environment: DUMB_INIT_REFERENCE (default /usr/bin/dumb-init),
DUMB_INIT_UNDER_TEST (default target/release/dumb-init of this repository),
COMPAT_FUZZ_CASES (default 3000), COMPAT_FUZZ_SEED (default 1), CI.
With --personality (personality.py): COMPAT_TINI_REFERENCE (default
/usr/bin/tini-static), COMPAT_CATATONIT_REFERENCE (default
/usr/bin/catatonit), COMPAT_NAME (the name both binaries are run by;
default the personality's name).
"""

import argparse
import difflib
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import container  # noqa: E402
import importlib  # noqa: E402
import personality as personalities  # noqa: E402
import processes  # noqa: E402
import fuzz  # noqa: E402
import scenarios  # noqa: E402
from model import HELPER_PY, LAUNCH_PY, PYTHON, Scenario  # noqa: E402
from processes import children, forget, popen  # noqa: E402

REPO = os.path.dirname(HERE)
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"}

NORMALISATIONS = """
What is normalised before comparing, and why:
- PIDs in dumb-init's lines: `PID <n>` becomes <child> for the command's PID
  and <pid#k> for others, numbered in order of appearance.
- Paths: the binary's path (argv[0] in messages) becomes $DUMB_INIT, the
  scenario's private directory $DIR; a terminal's CR LF becomes LF.
- Version: stderr that is exactly the binary's own `-V` output becomes
  <version line> (ours prints its own version, the reference v1.2.5).
- Help: stderr that is exactly the binary's own `-h` output becomes <help
  text>: ours says it in its own words; exit status and the stream
  (stderr, nothing on stdout) are still compared.
- Verbose lines race: after the fork the supervisor and the child (before
  exec) both write to stderr. stderr is split into three sequences compared
  separately, each in its own order: the supervisor's `[dumb-init]` lines,
  the child's `[dumb-init]` lines (setsid/terminal lines and exec errors),
  and everything else (the command's own output). How the three interleave
  is not compared. A line longer than PIPE_BUF (an exec error naming a
  command near ARG_MAX) is not written in one piece: the other writer's
  whole line can land inside it. Such a supervisor line is taken out and
  the two pieces of the long line joined again before splitting.
- Containers: runc's Go runtime preempts its threads with SIGURG, and one
  may still be pending when runc execs the container's process (pending
  signals survive exec). dumb-init then receives and forwards it, or not,
  by timing; that pair of verbose lines is dropped from the supervisor's
  lines in container scenarios (after splitting: with -v the child's
  "setsid complete." may fall between the two in raw stderr).
"""

# Matched in the supervisor's lines once stderr is split: in raw stderr the
# child's lines before exec may fall between the two.
RUNC_SIGURG = re.compile(
    r"\[dumb-init\] Received signal 23\.\n\[dumb-init\] Forwarded signal 23 to children\.\n")

# The supervisor's verbose lines; any other `[dumb-init]` line is the child's
# (written between fork and exec).
SUPERVISOR_LINES = re.compile(
    r"\[dumb-init\] (Running in debug mode|Not running in setsid mode"
    r"|Unable to detach from controlling tty|Detached from controlling tty"
    r"|Child spawned with PID|Unable to chdir|Received signal"
    r"|Ignoring tty hand-off signal|A child with PID|Forwarded signal"
    r"|Not forwarding signal|Translating signal|Suspending self"
    r"|Child exited with status|Unable to fork|Waiting up to|All remaining"
    r"|Grace period over)"
)

# ---------------------------------------------------------------- /proc


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


proc_stat = processes.stat_fields
proc_state = processes.state


def innermost_pid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except OSError:
        pass
    return None


def alive(pid):
    state = proc_state(pid)
    return state is not None and state != "Z"


# ---------------------------------------------------------------- binaries


class Binary:
    token = b"$DUMB_INIT"
    personality = None

    def __init__(self, label, path):
        self.label = label
        self.path = path
        self.help = self._stderr("-h")
        self.version = self._stderr("-V")

    def _stderr(self, option):
        done = processes.run([self.path, option], stdin=subprocess.DEVNULL, env=BASE_ENV)
        return done.stderr.replace(os.fsencode(self.path), b"$DUMB_INIT")


class PersonalityBinary:
    """tini or catatonit (or ours as one): run through a link named `name`
    in a directory of its own, so that both binaries have the same argv[0]
    apart from that directory."""

    token = b"$INIT"

    def __init__(self, label, target, personality, workroot, name):
        self.label = label
        self.target = target
        self.personality = personality
        self.names_dir = os.path.join(workroot, label + "-names")
        self.path = personalities.link(os.path.join(workroot, label), name, target)
        self.own_cache = {}
        self.lock = threading.Lock()

    def own(self, name, env_personality):
        """The help, license and version output of this binary when it is
        run as `name` (with DUMB_INIT_PERSONALITY=env_personality, if not
        None), each as the one stream it printed."""
        key = (name, env_personality)
        with self.lock:
            if key not in self.own_cache:
                path = personalities.link(self.names_dir, name, self.target) \
                    if name else self.path
                env = dict(BASE_ENV)
                if env_personality is not None:
                    env["DUMB_INIT_PERSONALITY"] = env_personality
                outputs = {}
                for what, option in (("help", self.personality.help_option),
                                     ("license", self.personality.license_option),
                                     ("version", self.personality.version_option)):
                    done = processes.run([path, option], stdin=subprocess.DEVNULL, env=env)
                    text = done.stdout or done.stderr
                    outputs[what] = text.replace(os.fsencode(path), self.token)
                self.own_cache[key] = outputs
            return self.own_cache[key]


def fail_setup(message):
    print("compat: " + message, file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(2)


def check_reference(path, personality=None):
    """The reference must be Debian's C build of dumb-init 1.2.5 (or
    Debian's tini 0.19.0, catatonit 0.1.7)."""
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            fail_setup("the reference %s is missing (CI): the test dependencies "
                       "were not installed; run tools/install-test-deps.sh as root" % path)
        installer = os.path.join(REPO, "tools", "install-test-deps.sh")
        if os.geteuid() == 0:
            subprocess.run(["sh", installer], check=False)
        if not os.path.exists(path):
            fail_setup("the reference %s is missing: run `sh %s` as root "
                       "(it installs Debian's dumb-init, tini and catatonit)" % (path, installer))
    if personality is not None:
        check_personality_reference(path, personality)
        return
    owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)],
                           capture_output=True, text=True)
    if owner.returncode != 0 or not owner.stdout.startswith("dumb-init:"):
        fail_setup("%s does not belong to Debian's dumb-init package (dpkg -S: %s)"
                   % (path, (owner.stdout + owner.stderr).strip()))
    version = subprocess.run([path, "-V"], capture_output=True, text=True)
    if version.stderr != "dumb-init v1.2.5\n":
        fail_setup("%s -V printed %r, not 'dumb-init v1.2.5'" % (path, version.stderr))


def check_personality_reference(path, personality):
    owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)],
                           capture_output=True, text=True)
    if owner.returncode != 0 or not owner.stdout.startswith(personality.package + ":"):
        fail_setup("%s does not belong to Debian's %s package (dpkg -S: %s)"
                   % (path, personality.package, (owner.stdout + owner.stderr).strip()))
    version = subprocess.run([path, personality.version_option], capture_output=True, text=True)
    if version.stdout != personality.reference_version:
        fail_setup("%s %s printed %r, not %r" % (path, personality.version_option,
                                                version.stdout, personality.reference_version))


# ---------------------------------------------------------------- one run


class Run:
    """One scenario against one binary; `observe()` returns what a user sees."""

    def __init__(self, scenario, binary, workroot):
        self.s = scenario
        self.b = binary
        self.dir = tempfile.mkdtemp(prefix=binary.label + "-", dir=workroot)
        self.obs = {}
        self.host_pids = {}
        self.init = None
        self.master = None

    def expand(self, value):
        if isinstance(value, bytes):
            return value.replace(b"{dir}", os.fsencode(self.dir)).replace(
                b"{bin}", os.fsencode(self.b.path))
        return value.replace("{dir}", self.dir).replace("{bin}", self.b.path)

    def argv(self):
        argv = [self.expand(a) for a in self.s.argv]
        if not self.s.direct:
            argv = [self.b.path] + argv
        launch = []
        for option, values in (("--ignore", self.s.ignore), ("--block", self.s.block),
                               ("--close", self.s.close), ("--open", self.s.open_fds)):
            if values:
                launch += [option, ",".join(str(v) for v in values)]
        for name, template in self.s.env_pid.items():
            launch += ["--env-pid", "%s=%s" % (name, template)]
        if self.s.where == "pty":
            launch += ["--ctty", "1"]
        if launch:
            argv = [PYTHON, "-S", LAUNCH_PY] + launch + ["--"] + argv
        if self.s.where == "pidns":
            argv = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"] + argv
        return argv

    def env(self):
        env = dict(BASE_ENV)
        for key, value in self.s.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = self.expand(value)
        return env

    # -- running

    def start(self):
        for name, (text, mode) in self.s.files.items():
            path = os.path.join(self.dir, name)
            data = self.expand(text)
            if mode == "symlink":
                os.symlink(data, path)
                continue
            with open(path, "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
            os.chmod(path, mode)
        self.out, self.err = bytearray(), bytearray()
        self.readers = []
        kwargs = dict(cwd=self.dir, env=self.env(), start_new_session=True)
        if self.s.where == "pty":
            self.master, slave = pty.openpty()
            self.pty_dev = os.fstat(slave).st_rdev
            self.proc = popen(self.argv(), stdin=slave, stdout=slave, stderr=slave, **kwargs)
            os.close(slave)
            self.stop_reading = threading.Event()
            self.readers.append(threading.Thread(target=self.read_master, daemon=True))
        else:
            self.pty_dev = None
            self.proc = popen(self.argv(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
            self.readers.append(threading.Thread(
                target=self.read_pipe, args=(self.proc.stdout, self.out), daemon=True))
            self.readers.append(threading.Thread(
                target=self.read_pipe, args=(self.proc.stderr, self.err), daemon=True))
        for reader in self.readers:
            reader.start()

    @staticmethod
    def read_pipe(pipe, buffer):
        while True:
            data = pipe.read1(65536)
            if not data:
                return
            buffer += data

    def read_master(self):
        while not self.stop_reading.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.out += data

    def exited(self):
        return self.proc.poll() is not None

    def wait_until(self, condition, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.005)
        return condition()

    def find_init(self):
        if self.init is None and not self.exited():
            if self.s.where == "pidns":
                found = children(self.proc.pid)
                self.init = found[0] if found else None
            else:
                self.init = self.proc.pid
        return self.init

    def ready_files(self):
        out = {}
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".ready"):
                try:
                    with open(os.path.join(self.dir, name)) as f:
                        out[name[: -len(".ready")]] = json.load(f)
                except (OSError, ValueError):
                    pass
        return out

    def host_pid(self, tag):
        """The PID, as the runner sees it, of the recorder named `tag`."""
        if tag in self.host_pids:
            return self.host_pids[tag]
        ready = self.ready_files().get(tag)
        if ready is None:
            return None
        pid = ready["pid"]
        if self.s.where == "pidns":
            pid = None
            init = self.find_init()
            for candidate in descendants(init) if init else []:
                if innermost_pid(candidate) == ready["pid"]:
                    pid = candidate
        if pid is not None:
            self.host_pids[tag] = pid
        return pid

    def record_sizes(self):
        sizes = {}
        for tag in self.ready_files():
            try:
                sizes[tag] = os.path.getsize(os.path.join(self.dir, tag + ".sigs"))
            except OSError:
                sizes[tag] = 0
        return sizes

    def send(self, number, to):
        before = self.record_sizes()
        if to == "init":
            target = self.find_init()
        else:
            target = self.host_pid("child")
        if target is None:
            self.obs.setdefault("steps", []).append("could not send %d to %s" % (number, to))
            return
        try:
            if to == "group":
                os.killpg(target, number)
            else:
                os.kill(target, number)
        except ProcessLookupError:
            # It has already ended (for example a rewrite made the previous
            # signal fatal): exit status and records show that; when exactly
            # it ended is a race, not an observation.
            return

        def settled():
            if self.exited():
                return True
            after = self.record_sizes()
            return all(after.get(tag, 0) > size for tag, size in before.items())

        self.wait_until(settled, 0.3)

    def state_of(self, who):
        pid = self.find_init() if who == "init" else self.host_pid(who)
        if pid is None:
            return "gone"
        return proc_state(pid) or "gone"

    def states(self, label):
        tags = ["init"] + sorted(self.ready_files())
        previous, stable = None, 0
        for _ in range(50):
            now = " ".join("%s=%s" % (t, self.state_of(t)) for t in tags)
            stable = stable + 1 if now == previous else 0
            if stable >= 2:
                break
            previous = now
            time.sleep(0.02)
        self.obs["states " + label] = now

    def run_steps(self):
        for step in self.s.steps:
            kind = step[0]
            if kind == "send":
                self.send(step[1], step[2])
            elif kind == "states":
                self.states(step[1])
            elif kind == "wait_state":
                self.wait_until(lambda: self.state_of(step[1]) == step[2], 2)
            elif kind == "write":
                os.write(self.master, step[1])
                time.sleep(0.05)
                self.wait_until(lambda: self.exited() or all(
                    n > 0 for n in self.record_sizes().values()), 0.3)
            elif kind == "hangup":
                self.stop_reading.set()
                self.readers[0].join(1)
                os.close(self.master)
                self.master = None
            elif kind == "wait_files":
                self.wait_until(lambda: all(
                    os.path.exists(os.path.join(self.dir, n)) for n in step[1]), 3)
            elif kind == "storm":
                init = self.find_init()
                for _ in range(step[2]):
                    for number in step[1]:
                        os.kill(init, number)
            elif kind == "sleep":
                time.sleep(step[1])
            elif kind == "wait_settled":
                self.wait_until(lambda: self.exited() or self.settled(), 2)
            elif kind == "inspect":
                self.inspect(step[1])
            elif kind == "wait_taken":
                self.wait_until(lambda: self.exited() or self.nothing_pending(), 2)
            else:
                raise ValueError("unknown step %r" % (step,))

    def settled(self):
        """Whether the init has taken SIGTERM over: blocked, caught, or
        waited for (sigtimedwait unblocks what it waits for meanwhile)."""
        init = self.find_init()
        target = os.path.realpath(getattr(self.b, "target", self.b.path))
        try:
            # Not before the exec: a launcher may block SIGTERM too.
            if os.path.realpath("/proc/%d/exe" % init) != target:
                return False
            with open("/proc/%d/status" % init) as f:
                sets = {l.split(":")[0]: int(l.split()[1], 16) for l in f
                        if l.startswith(("SigBlk", "SigCgt"))}
            with open("/proc/%d/wchan" % init) as f:
                wchan = f.read()
        except (OSError, TypeError):
            return False
        term = 1 << (signal.SIGTERM - 1)
        return bool((sets["SigBlk"] | sets["SigCgt"]) & term) or wchan == "do_sigtimedwait"

    def nothing_pending(self):
        try:
            with open("/proc/%d/status" % self.find_init()) as f:
                return all(int(l.split()[1], 16) == 0 for l in f
                           if l.startswith(("SigPnd", "ShdPnd")))
        except (OSError, TypeError):
            return True

    def fds_held(self, pid):
        held = []
        for fd in self.s.open_fds:
            try:
                target = os.readlink("/proc/%d/fd/%d" % (pid, fd))
            except OSError:
                target = ""
            held.append("%d=%s" % (fd, "open" if target.endswith("/fd%d.marker" % fd)
                                   else "closed"))
        return " ".join(held)

    def inspect(self, label):
        init = self.find_init()
        if init is None or self.exited():
            self.obs["inspect " + label] = "init gone"
            return
        try:
            cwd = os.readlink("/proc/%d/cwd" % init).replace(self.dir, "$DIR")
        except OSError:
            cwd = "gone"
        self.obs["inspect " + label] = "cwd=%s children=%d fds: %s" % (
            cwd, len(children(init)), self.fds_held(init) or "-")

    def observe_at_ready(self):
        init = self.find_init()
        if init is None or not self.ready_files().get("child", {}).get("waits"):
            return
        if self.s.open_fds:
            self.obs["init holds"] = self.fds_held(init)
            child = self.host_pid("child")
            if child is not None:
                self.obs["child holds"] = self.fds_held(child)
        try:
            cwd = os.readlink("/proc/%d/cwd" % init)
            self.obs["init cwd"] = cwd.replace(self.dir, "$DIR")
        except OSError:
            self.obs["init cwd"] = "gone"
        if self.s.where == "pty":
            fields = proc_stat(init)
            self.obs["init tty"] = self.tty_name(int(fields[4])) if fields else "gone"

    def tty_name(self, number):
        if number == 0:
            return "none"
        return "the pty" if number == self.pty_dev else "another terminal"

    def finish(self):
        try:
            self.proc.wait(self.s.timeout)
            status = self.proc.returncode
            self.obs["exit"] = ("signal %d" % -status) if status < 0 else str(status)
        except subprocess.TimeoutExpired:
            self.obs["exit"] = "TIMEOUT after %ss" % self.s.timeout
        # Whatever a recorder still runs after dumb-init ended (a job that
        # handles the final SIGTERM, or a leftover) gets a second to end.
        tags = sorted(self.ready_files())
        pids = {t: self.host_pids.get(t) or (self.ready_files()[t]["pid"]
                                             if self.s.where != "pidns" else None)
                for t in tags}
        self.wait_until(lambda: not any(p and alive(p) for p in pids.values()), 1)
        left = [t for t, p in pids.items() if p and alive(p)]
        if left:
            self.obs["left running"] = " ".join(left)
        self.kill_everything(list(pids.values()))

    def kill_everything(self, extra=()):
        pids = [self.proc.pid] + descendants(self.proc.pid) + [p for p in extra if p]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        forget(self.proc)
        # Readers end at end of file (pipes) or EIO (a terminal whose every
        # slave end is closed), after the last byte written.
        for reader in self.readers:
            reader.join(2)
        if self.master is not None:
            self.stop_reading.set()
            self.readers[0].join(1)
            os.close(self.master)
            self.master = None

    def observe(self):
        try:
            self.start()
            wants_ready = self.s.ready
            if wants_ready is None:
                wants_ready = HELPER_PY in self.s.argv
            if wants_ready:
                self.wait_until(lambda: self.exited() or os.path.exists(
                    os.path.join(self.dir, "child.ready")), 5)
                # Only a helper that waits for signals keeps dumb-init alive
                # long enough to look at it without racing its exit.
                self.observe_at_ready()
            self.run_steps()
            self.finish()
        except BaseException:
            self.kill_everything()
            raise
        self.collect()
        return self.obs

    # -- what was seen, normalised

    def text(self, data):
        data = bytes(data).replace(os.fsencode(self.b.path), self.b.token)
        data = data.replace(os.fsencode(self.dir), b"$DIR")
        if self.s.where == "pty":
            data = data.replace(b"\r\n", b"\n")
        return data

    def collect(self):
        readies = self.ready_files()
        child_pid = readies.get("child", {}).get("pid")
        out, err = self.text(self.out), self.text(self.err)
        if self.s.where == "pty":
            # One stream: stdout and stderr both go to the terminal.
            out, err = b"", out
        if self.b.personality is not None:
            self.obs.update(self.personality_streams(out, err, child_pid))
        else:
            self.obs.update(streams(self.b, out, err, child_pid, self.s))
        for tag, ready in readies.items():
            where = "parent=%s session=%s pgrp=%s ctty=%s foreground=%s cwd=%s" % (
                ready["parent"], ready["session"], ready["pgrp"],
                self.tty_name(ready["tty_nr"]) if self.pty_dev else
                ("none" if ready["tty_nr"] == 0 else "a terminal"),
                "yes" if ready["foreground"] else "no",
                ready["cwd"].replace(self.dir, "$DIR"))
            self.obs[tag + ": runs with"] = where
            sets = " ".join("%s=%s" % kv for kv in sorted(ready["sets"].items()))
            self.obs[tag + ": signal sets"] = sets
            if "zombies_left" in ready:
                self.obs[tag + ": zombies left"] = str(ready["zombies_left"])
            try:
                with open(os.path.join(self.dir, tag + ".sigs")) as f:
                    received = f.read()
                if self.s.records == "counted":
                    received = counted(received)
                self.obs[tag + ": signals received"] = received
            except OSError:
                self.obs[tag + ": signals received"] = ""
        if "steps" in self.obs:
            self.obs["steps"] = "\n".join(self.obs["steps"])


    def personality_streams(self, out, err, child_pid):
        """tini's and catatonit's output, normalised (personality.py)."""
        name, env_personality = None, self.s.env.get("DUMB_INIT_PERSONALITY")
        if self.s.direct:
            first = os.fsdecode(self.expand(self.s.argv[0]))
            found = first if "/" in first else os.path.join(self.dir, first)
            if os.path.realpath(found) == os.path.realpath(self.b.target):
                name = os.path.basename(first)
        own = self.b.own(name, env_personality)
        pers = self.b.personality
        texts = {}
        for stream, data in (("stdout", out), ("stderr", err)):
            texts[stream] = personalities.canned(pers, data, own).decode(
                "utf-8", "backslashreplace")
        init_pid = 1 if self.s.where == "pidns" else self.proc.pid
        return personalities.streams(pers, texts, init_pid, child_pid)


# ---------------------------------------------------------------- normalising


def counted(records):
    """Standard signals: received or not; real-time ones: how many times."""
    counts = {}
    for line in records.splitlines():
        counts[line] = counts.get(line, 0) + 1
    return "".join("%s%s\n" % (line, " x%d" % n if line.startswith("SIGRT") else "")
                   for line, n in sorted(counts.items()))


def untangled(lines):
    """The lines with every supervisor line that landed inside another line
    taken out, and that line's two pieces joined (see NORMALISATIONS): the
    supervisor's line ends the piece it was written into, and the rest of
    the long line follows on the next line."""
    out, pending = [], ""
    for line in lines:
        line = pending + line
        cut = line.find("[dumb-init] ", 1)
        if cut > 0 and SUPERVISOR_LINES.match(line, cut):
            out.append(line[cut:])
            pending = line[:cut]
        else:
            out.append(line)
            pending = ""
    if pending:
        out.append(pending)
    return out


def streams(binary, out, err, child_pid, scenario):
    """stdout and stderr as compared: help and version lines replaced, PIDs
    named, and stderr split into the supervisor's lines, the child's lines
    before exec and the command's own output (see NORMALISATIONS)."""
    if err and err == binary.help:
        err = b"<help text>\n"
    elif err and err == binary.version:
        err = b"<version line>\n"
    numbering = {}

    def pid_token(match):
        pid = int(match.group(1))
        if pid == child_pid:
            return "PID <child>"
        numbering.setdefault(pid, "<pid#%d>" % (len(numbering) + 1))
        return "PID " + numbering[pid]

    lines = untangled(err.decode("utf-8", "backslashreplace").splitlines(keepends=True))
    lines = [re.sub(r"PID (\d+)", pid_token, line) for line in lines]
    supervisor = [l for l in lines if SUPERVISOR_LINES.match(l)]
    child = [l for l in lines if l.startswith("[dumb-init] ") and not SUPERVISOR_LINES.match(l)]
    other = [l for l in lines if not l.startswith("[dumb-init] ")]
    stdout = out.decode("utf-8", "backslashreplace")
    return {
        "stdout": stdout,
        "stderr: supervisor lines": "".join(supervisor),
        "stderr: child lines before exec": "".join(child),
        "stderr: command output": "".join(other),
    }


def fuzz_normalise(binary, out, err):
    path = os.fsencode(binary.path)
    return streams(binary, out.replace(path, b"$DUMB_INIT"), err.replace(path, b"$DUMB_INIT"),
                   None, Scenario("fuzz", []))


# ---------------------------------------------------------------- comparing


def render(value):
    return value if value.endswith("\n") or not value else value + "\n"


def differences(reference, ours):
    report = []
    for key in list(reference) + [k for k in ours if k not in reference]:
        ref, our = reference.get(key, "<absent>"), ours.get(key, "<absent>")
        if ref == our:
            continue
        if "\n" in ref.rstrip("\n") or "\n" in our.rstrip("\n"):
            diff = difflib.unified_diff(
                render(ref).splitlines(True), render(our).splitlines(True),
                "reference", "ours", n=2)
            report.append("  %s:\n%s" % (key, "".join("    " + l for l in diff)))
        else:
            report.append("  %s:\n    reference: %r\n    ours:      %r" % (
                key, ref.rstrip("\n"), our.rstrip("\n")))
    return report


def observe(scenario, binary, workroot):
    if scenario.where == "runc":
        obs = container.observe(scenario, binary, workroot)
        out = obs.pop("raw stdout").replace(container.INSIDE.encode(), b"$DUMB_INIT")
        err = obs.pop("raw stderr").replace(container.INSIDE.encode(), b"$DUMB_INIT")
        obs.update(streams(binary, out, err, None, scenario))
        key = "stderr: supervisor lines"
        obs[key] = RUNC_SIGURG.sub("", obs[key])
        return obs
    return Run(scenario, binary, workroot).observe()


def check(scenario, reference, ours, workroot):
    """Returns a list of problems (empty: pass)."""
    try:
        ref = observe(scenario, reference, workroot)
        our = observe(scenario, ours, workroot)
    except Exception as error:  # a broken scenario is a failure, not a crash
        return ["  runner error: %r" % (error,)]
    if scenario.reference_expects is None:
        return differences(ref, our)
    # An extension: the reference must refuse it as expected, ours accept it.
    problems = []
    status, words = scenario.reference_expects
    ref_err = ref["stderr: supervisor lines"] + ref["stderr: child lines before exec"] + \
        ref["stderr: command output"]
    if ref["exit"] != str(status) or words not in ref_err:
        problems.append("  reference was expected to exit %s with %r on stderr, got %s: %r"
                        % (status, words, ref["exit"], ref_err))
    if our["exit"] != str(scenario.ours_expects):
        problems.append("  ours was expected to accept it and exit %s, got %s: %r" % (
            scenario.ours_expects, our["exit"],
            our["stderr: supervisor lines"] + our["stderr: command output"]))
    return problems


def read_skips(path, names):
    """The 'compat | name | reason' lines of a skip file, as {name: reason}.
    A name that is no scenario is an error, so that a renamed scenario
    cannot leave a stale skip behind."""
    skips = {}
    with open(path) as lines:
        for line in lines:
            fields = [f.strip() for f in line.split("|")]
            if len(fields) != 3 or fields[0] != "compat":
                continue
            if fields[1] not in names:
                fail_setup("%s skips %r, which is no scenario" % (path, fields[1]))
            skips[fields[1]] = fields[2]
    return skips


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="match", help="only scenarios whose name contains this")
    parser.add_argument("-j", dest="jobs", type=int, default=4)
    parser.add_argument("--no-fuzz", action="store_true")
    parser.add_argument("--fuzz-only", action="store_true",
                        help="only the argv fuzzer (fuzz.py), for long runs")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--show", action="store_true",
                        help="print what each chosen scenario observed under the reference")
    parser.add_argument("--skip", dest="skip_file",
                        help="a file of 'compat | scenario name | reason' lines: those "
                             "scenarios are not run, each is printed with its reason")
    parser.add_argument("--personality", choices=["dumb-init"] + sorted(
        personalities.PERSONALITIES), default="dumb-init",
        help="which suite: dumb-init's (scenarios.py, the default), or tini's or "
             "catatonit's (personality.py); these have no fuzzer")
    args = parser.parse_args()
    personality = personalities.PERSONALITIES.get(args.personality)
    suite = importlib.import_module(personality.scenarios) if personality else scenarios
    if personality:
        args.no_fuzz = True

    chosen = [s for s in suite.SCENARIOS if not args.match or args.match in s.name]
    if args.fuzz_only:
        chosen = []
    names = [s.name for s in suite.SCENARIOS]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        fail_setup("duplicate scenario names: %s" % ", ".join(sorted(duplicates)))
    skips = read_skips(args.skip_file, names) if args.skip_file else {}
    chosen = [s for s in chosen if s.name not in skips]
    if args.list:
        for s in chosen:
            print(s.name)
        return 0

    if personality:
        reference_path = os.environ.get(personality.reference_variable,
                                        personality.reference_default)
    else:
        reference_path = os.environ.get("DUMB_INIT_REFERENCE", "/usr/bin/dumb-init")
    ours_path = os.environ.get("DUMB_INIT_UNDER_TEST",
                               os.path.join(REPO, "target", "release", "dumb-init"))
    check_reference(reference_path, personality)
    if not os.access(ours_path, os.X_OK):
        fail_setup("the binary under test %s does not exist (run `cargo build --release`)"
                   % ours_path)
    ours_path = os.path.abspath(ours_path)
    workroot = tempfile.mkdtemp(prefix="dumb-init-compat-")
    if personality:
        name = os.environ.get("COMPAT_NAME", personality.name)
        reference = PersonalityBinary("reference", os.path.abspath(reference_path),
                                      personality, workroot, name)
        ours = PersonalityBinary("ours", ours_path, personality, workroot, name)
        print("personality: %s, both run as %r\nreference: %s\nunder test: %s" % (
            personality.name, name, reference_path, ours_path), flush=True)
    else:
        reference, ours = Binary("reference", reference_path), Binary("ours", ours_path)
        print("reference: %s\nunder test: %s" % (reference_path, ours_path), flush=True)

    processes.become_subreaper()

    started = time.monotonic()
    passed = failed = 0
    print_lock = threading.Lock()

    def report(name, problems, elapsed):
        nonlocal passed, failed
        with print_lock:
            if problems:
                failed += 1
                print("FAIL %s (%.1fs)" % (name, elapsed))
                print("\n".join(problems))
            else:
                passed += 1
                print("pass %s (%.1fs)" % (name, elapsed))
            sys.stdout.flush()

    def one(scenario):
        if args.show:
            obs = observe(scenario, reference, workroot)
            with print_lock:
                print("== %s" % scenario.name)
                for key, value in obs.items():
                    print("  %s: %s" % (key, value.rstrip("\n").replace("\n", "\n    ")))
        t0 = time.monotonic()
        report(scenario.name, check(scenario, reference, ours, workroot),
               time.monotonic() - t0)

    try:
        if chosen:
            container.prepare(workroot, [reference, ours],
                              any(s.where == "runc" for s in chosen))
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(one, chosen))
        if not args.no_fuzz and not args.match:
            t0 = time.monotonic()
            cases = int(os.environ.get("COMPAT_FUZZ_CASES", "3000"))
            seed = int(os.environ.get("COMPAT_FUZZ_SEED", "1"))
            problems, summary = fuzz.run(reference, ours, cases, seed, max(args.jobs, 4),
                                         BASE_ENV, fuzz_normalise)
            report(summary, problems, time.monotonic() - t0)
    finally:
        container.cleanup()
        processes.reap_strays()
        shutil.rmtree(workroot, ignore_errors=True)
    print("(%d scenarios in %.0fs)" % (passed + failed, time.monotonic() - started))
    explained = personalities.NORMALISATIONS if personality else NORMALISATIONS
    print(explained.strip() if failed else "", end="\n" if failed else "")
    for name, reason in skips.items():
        print("skip %s: %s" % (name, reason))
    print("%d passed, %d failed" % (passed, failed) + (", %d skipped" % len(skips) if skips else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
