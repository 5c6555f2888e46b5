"""The command that scenarios run under dumb-init.

    helper.py DIR TAG [options]

It writes DIR/TAG.ready (JSON: where it runs, relative to its parent and to
dumb-init) once it and every background job it was asked to start are ready,
then records each signal it receives as one line of DIR/TAG.sigs:
`SIGTERM from=init`. The sender is named relative to the process tree:
`init` (dumb-init, the helper's parent at start), `parent`, `self`, `none`
(the kernel, or a sender outside the PID namespace) or `other`.

Every signal that can be caught is blocked and taken with sigwaitinfo, so
nothing is lost and each is recorded once, in the order the kernel hands them
over. SIGCHLD is recorded only when some process sent it with kill(), not
when the kernel reports a child's exit.

Options:
  --jobs N        start N background jobs (fork, same process group) that
                  record too, as TAG.job1 ...; the helper reaps them.
  --orphans N     start N background jobs whose parent exits at once, so they
                  are reparented to whichever process reaps orphans.
  --zombies N     make N orphans that exit at once, then report in the ready
                  file how many zombies are left after up to 2 s.
  --exit CODE     exit with CODE as soon as everything is ready.
  --exit-on SIGS  comma-separated signal numbers that end the helper (and its
                  jobs); default 15. `none`: nothing does.
  --exit-code N   end with exit(N) instead of dying of the signal.
  --wait-jobs S   before ending, wait up to S seconds until every job has
                  recorded the ending signal too.
  --stop-self 1   stop (SIGSTOP) once ready; SIGCONT from anyone resumes.
  --out TEXT      write TEXT and a newline to stdout once ready.
  --err TEXT      write TEXT and a newline to stderr once ready.

Started by the runner with `python3 -S`; standard library only.
"""

import json
import os
import signal
import sys
import time

CATCHABLE = sorted(
    s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)
)


def signal_name(number):
    if number >= 34:
        return "SIGRTMIN+%d" % (number - 34)
    try:
        return signal.Signals(number).name
    except ValueError:
        return "SIG%d" % number


def proc_stat(pid="self"):
    with open("/proc/%s/stat" % pid) as f:
        text = f.read()
    fields = text[text.rindex(")") + 2 :].split()
    # state ppid pgrp session tty_nr tpgid ...
    return {
        "state": fields[0],
        "ppid": int(fields[1]),
        "pgrp": int(fields[2]),
        "sid": int(fields[3]),
        "tty_nr": int(fields[4]),
        "tpgid": int(fields[5]),
    }


def signal_sets():
    sets = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("SigBlk", "SigIgn", "SigCgt"):
                sets[key] = value.strip()
    return sets


def relation(pid, me, parent, init):
    if pid == me:
        return "self"
    if pid == init:
        return "init"
    if pid == parent:
        return "parent"
    if pid == 0:
        return "none"
    return "other"


def snapshot(init):
    """Where this process runs, in words that do not depend on PID values."""
    me = os.getpid()
    st = proc_stat()
    parent = st["ppid"]
    try:
        init_sid = os.getsid(init)
    except OSError:
        init_sid = None
    session = relation(st["sid"], me, parent, init)
    if session == "other" and st["sid"] == init_sid:
        session = "init's"
    return {
        "pid": me,
        "parent": relation(parent, me, -1, init),
        "session": session,
        "pgrp": relation(st["pgrp"], me, parent, init),
        "tty_nr": st["tty_nr"],
        "foreground": st["tpgid"] > 0 and st["tpgid"] == st["pgrp"],
        "cwd": os.getcwd(),
        "sets": signal_sets(),
    }


class Recorder:
    def __init__(self, directory, tag, init, exit_on):
        self.path = os.path.join(directory, tag + ".sigs")
        self.init = init
        self.exit_on = exit_on
        self.parent = os.getppid()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def take(self, timeout=None):
        """Waits for one signal, records it, returns its number (None: timeout)."""
        if timeout is None:
            info = signal.sigwaitinfo(CATCHABLE)
        else:
            info = signal.sigtimedwait(CATCHABLE, timeout)
            if info is None:
                return None
        number = info.si_signo
        if number == signal.SIGCHLD and info.si_code > 0:
            return number  # a child's exit reported by the kernel: not recorded
        sender = relation(info.si_pid, os.getpid(), self.parent, self.init)
        os.write(self.fd, ("%s from=%s\n" % (signal_name(number), sender)).encode())
        return number

    def run(self):
        """Records until an ending signal; returns it."""
        while True:
            number = self.take()
            if number in self.exit_on:
                return number


def die(number, exit_code):
    if exit_code is not None or number is None:
        os._exit(exit_code if exit_code is not None else 0)
    signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
    os.kill(os.getpid(), number)
    time.sleep(5)
    os._exit(99)


def write_ready(directory, tag, data):
    tmp = os.path.join(directory, tag + ".ready.tmp")
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.rename(tmp, os.path.join(directory, tag + ".ready"))


def wait_for_files(paths, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(os.path.exists(p) for p in paths):
            return True
        time.sleep(0.005)
    return False


def job(directory, tag, init, exit_on, exit_code, orphan=False):
    """A background job: reports, records, ends like the helper does. An
    orphan first waits until its parent has gone and it has been adopted."""
    try:
        if orphan:
            first = os.getppid()
            deadline = time.monotonic() + 2
            while os.getppid() == first and time.monotonic() < deadline:
                time.sleep(0.002)
        recorder = Recorder(directory, tag, init, exit_on)
        write_ready(directory, tag, snapshot(init))
        die(recorder.run(), exit_code)
    finally:
        os._exit(98)


def count_zombies():
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if proc_stat(entry)["state"] == "Z":
                    count += 1
            except (OSError, ValueError):
                pass
    return count


def main(argv):
    directory, tag = argv[0], argv[1]
    opts = {"--jobs": "0", "--orphans": "0", "--zombies": "0", "--exit-on": "15"}
    rest = argv[2:]
    while rest:
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    exit_on = set() if opts["--exit-on"] == "none" else {
        int(s) for s in opts["--exit-on"].split(",")
    }
    exit_code = int(opts["--exit-code"]) if "--exit-code" in opts else None

    init = os.getppid()
    info = snapshot(init)
    info["argv"] = [os.fsencode(a).hex() for a in sys.argv]
    signal.pthread_sigmask(signal.SIG_BLOCK, CATCHABLE)
    recorder = Recorder(directory, tag, init, exit_on)

    jobs, waited = [], []
    for i in range(int(opts["--jobs"])):
        name = "%s.job%d" % (tag, i + 1)
        pid = os.fork()
        if pid == 0:
            job(directory, name, init, exit_on, exit_code)
        jobs.append(pid)
        waited.append(name)
    for i in range(int(opts["--orphans"])):
        name = "%s.orphan%d" % (tag, i + 1)
        middle = os.fork()
        if middle == 0:
            if os.fork() == 0:
                job(directory, name, init, exit_on, exit_code, orphan=True)
            os._exit(0)
        os.waitpid(middle, 0)
        waited.append(name)
    wait_for_files([os.path.join(directory, n + ".ready") for n in waited], 5)

    zombies = int(opts["--zombies"])
    if zombies:
        # The middle process tells which PIDs its children have, so that the
        # wait is for those to be gone, not for a moment with no zombie: a
        # child that has not exited yet is no zombie either.
        reader, writer = os.pipe()
        middle = os.fork()
        if middle == 0:
            os.close(reader)
            pids = []
            for _ in range(zombies):
                pid = os.fork()
                if pid == 0:
                    os._exit(0)
                pids.append(pid)
            os.write(writer, " ".join(map(str, pids)).encode())
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            orphans = [int(p) for p in pipe.read().split()]
        os.waitpid(middle, 0)
        deadline = time.monotonic() + 2
        while any(os.path.exists("/proc/%d" % p) for p in orphans) and \
                time.monotonic() < deadline:
            time.sleep(0.01)
        info["zombies_left"] = count_zombies()

    info["jobs"] = waited
    # Whether dumb-init stays up until a signal comes (the runner looks at
    # it only then: otherwise its exit races the look).
    info["waits"] = "--exit" not in opts
    write_ready(directory, tag, info)
    if "--out" in opts:
        os.write(1, (opts["--out"] + "\n").encode())
    if "--err" in opts:
        os.write(2, (opts["--err"] + "\n").encode())
    if "--exit" in opts:
        os._exit(int(opts["--exit"]))
    if "--stop-self" in opts:
        os.kill(os.getpid(), signal.SIGSTOP)

    number = recorder.run()
    if "--wait-jobs" in opts:
        deadline = time.monotonic() + float(opts["--wait-jobs"])
        wanted = signal_name(number)
        while time.monotonic() < deadline:
            done = 0
            for name in waited:
                try:
                    with open(os.path.join(directory, name + ".sigs")) as f:
                        done += wanted in f.read()
                except OSError:
                    pass
            if done == len(waited):
                break
            time.sleep(0.005)
    # Jobs that the ending signal reached end by themselves; the others (for
    # example in single-child mode) are killed, so that nothing outlives us.
    deadline = time.monotonic() + 0.3
    while jobs and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid in jobs:
            jobs.remove(pid)
        elif pid == 0:
            time.sleep(0.005)
    for pid in jobs:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    die(number, exit_code)


if __name__ == "__main__":
    main(sys.argv[1:])
