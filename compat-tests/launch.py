"""Starts dumb-init in a prepared state, then gets out of the way (exec).

    launch.py [--ignore N,..] [--block N,..] [--close FD,..] [--open FD,..]
              [--env-pid NAME=TEMPLATE ...] -- PROGRAM ARGS...

--open opens fdN.marker (in the current directory) as descriptor N, to be
inherited; --env-pid sets NAME to TEMPLATE with {pid} and {ppid} replaced by
the launcher's PID (the init's, after exec) and its parent's.

Python ignores SIGPIPE and SIGXFSZ at start-up and exec keeps ignored
signals, so both go back to their defaults first: dumb-init must see exactly
what the scenario asked for.
"""

import fcntl
import os
import signal
import termios
import sys


def numbers(text):
    return [int(n) for n in text.split(",") if n]


def main(argv):
    opts, env_pid = {}, []
    while argv and argv[0] != "--":
        if argv[0] == "--env-pid":
            env_pid.append(argv[1])
        opts[argv[0]] = argv[1]
        argv = argv[2:]
    argv = [os.fsencode(a) for a in argv[1:]]
    for number in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    for number in numbers(opts.get("--ignore", "")):
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, numbers(opts.get("--block", "")))
    if opts.get("--ctty"):
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    for fd in numbers(opts.get("--close", "")):
        os.close(fd)
    for fd in numbers(opts.get("--open", "")):
        opened = os.open("fd%d.marker" % fd, os.O_RDONLY | os.O_CREAT, 0o644)
        if opened == fd:
            os.set_inheritable(fd, True)
        else:
            os.dup2(opened, fd, inheritable=True)
            os.close(opened)
    for setting in env_pid:
        name, _, template = setting.partition("=")
        os.environ[name] = template.replace("{pid}", str(os.getpid())).replace(
            "{ppid}", str(os.getppid()))
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
