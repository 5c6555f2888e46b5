"""Every process the suite starts goes through `popen`/`run`, so that the
stray reaper knows which children are its own.

The runner is a child subreaper: orphans from the scenarios (background jobs
whose parent ended, leftovers killed at clean-up) are reparented to it
instead of to the machine's PID 1, which does not reap them promptly here.
`reap_strays` reaps those, and only those: a zombie that the suite started
itself is left for its Popen to collect, or its exit status would be lost.
"""

import ctypes
import os
import subprocess
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
_lock = threading.Lock()
_ours = set()


def popen(argv, **kwargs):
    with _lock:
        proc = subprocess.Popen(argv, **kwargs)
        _ours.add(proc.pid)
    return proc


def forget(proc):
    with _lock:
        _ours.discard(proc.pid)


def run(argv, timeout=30, **kwargs):
    """subprocess.run(capture_output=True) through the registry."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    proc = popen(argv, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    finally:
        forget(proc)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def children(pid):
    found = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return found


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def state(pid):
    fields = stat_fields(pid)
    return fields[0] if fields else None


def reap_strays():
    with _lock:
        for pid in children(os.getpid()):
            if pid not in _ours and state(pid) == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")

    def loop():
        while True:
            time.sleep(0.1)
            reap_strays()

    threading.Thread(target=loop, daemon=True).start()
