"""dumb-init-rs's `dumb-init` where its static Linux binary cannot run.

The Linux wheels of dumb-init-rs hold the static binary. This module is the
whole of the other wheel, tagged py3-none-any, which pip takes where no
Linux wheel fits: macOS (x86_64 and arm64), the BSDs, Windows, and a Linux
platform the Linux wheels leave out. There is no container init to be on
those, but a requirements file that lists dumb-init-rs must still install,
and a `dumb-init CMD` in a development script must still run CMD. So this
`dumb-init` is a plain wrapper, and says so once on stderr:

- it parses dumb-init's command line (options, then the command);
- it runs the command in a session of its own (or, with -c or
  DUMB_INIT_SETSID=0, as its direct child only);
- it passes every signal it can catch on to that session's process group
  (or the child), through the -r rewrites; a terminal's stop signals stop
  the command, then the wrapper itself, as dumb-init does;
- it exits with the command's status, 128+N for a death by signal N
  (through --remap-exit), after sending SIGTERM to what is left of the
  command's group.

-v, -V, -h and --remap-exit are honoured; the options of the Linux binary
that need Linux (--subreaper, --tree, --pdeathsig, --rlimit...) are accepted
and ignored (-v names them). Should it ever run as process 1, it reaps every
child, not only the command.
"""

import os
import signal
import sys

NAME = "dumb-init"

# The long options of the Linux binary, and whether each takes a value.
LONG_OPTIONS = {
    "single-child": False,
    "rewrite": True,
    "verbose": False,
    "help": False,
    "version": False,
    "remap-exit": True,
    "subreaper": False,
    "grace-period": True,
    "delay": True,
    "pdeathsig": True,
    "tree": False,
    "wait-tree": False,
    "rlimit": True,
    "umask": True,
    "socket-activation": False,
    "on-signal": True,
}
SHORT_OPTIONS = {"c": "single-child", "r": "rewrite", "v": "verbose", "h": "help", "V": "version"}
HONOURED = {"single-child", "rewrite", "verbose", "help", "version", "remap-exit"}
# What a terminal sends to stop its foreground group: forwarded as SIGSTOP
# (the command's session has no terminal to stop it), then the wrapper
# stops too, so that the shell that started it sees a stopped job.
TTY_STOPS = [getattr(signal, name) for name in ("SIGTSTP", "SIGTTIN", "SIGTTOU") if hasattr(signal, name)]


class UsageError(Exception):
    """A command line dumb-init refuses: the message, then exit 1."""


def version():
    try:
        from importlib.metadata import version as installed

        return installed("dumb-init-rs")
    except Exception:
        return "unknown"


def notice():
    """The one line that says what this is, on this platform."""
    if sys.platform.startswith("linux"):
        import platform

        where = "no dumb-init-rs wheel fits this Linux platform (%s), so pip installed the Python stand-in" % (
            platform.machine() or "unknown")
    else:
        where = "on %s, dumb-init-rs is a Python stand-in" % sys.platform
    return "[%s] %s: it runs the command, passes signals on and exits with its status, " \
           "but it is not a container init.\n" % (NAME, where)


def help_text(argv0):
    return (
        "Usage: %s [option] command [[arg] ...]\n\n"
        "Runs a command in a session of its own, passes the signals it receives on to\n"
        "that session's process group and exits with the command's status.\n\n"
        "Options:\n"
        "   -c, --single-child    Pass signals to the direct child only.\n"
        "   -r, --rewrite s:r     Turn received signal s into r before passing it on;\n"
        "                         r = 0 drops s. Repeatable.\n"
        "   -v, --verbose         Print what happens to stderr.\n"
        "   -h, --help            Print this help and exit.\n"
        "   -V, --version         Print the version and exit.\n"
        "       --remap-exit=A:B  Exit with status B where the command's end gives A.\n\n"
        "The Linux binary's other options are accepted and ignored here.\n" % argv0
    )


def signal_number(text, allow_zero):
    """A signal as -r takes it: a number, or a name with or without SIG."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        if (allow_zero and number == 0) or 1 <= number <= 31:
            return number
        raise ValueError(text)
    name = text.upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise ValueError(text)


def parse(argv, environ):
    """The options and the command, as dumb-init reads them: options stop at
    the first argument that is not one, or after `--`."""
    options = {"single-child": environ.get("DUMB_INIT_SETSID") == "0",
               "verbose": environ.get("DUMB_INIT_DEBUG") == "1",
               "rewrite": {}, "remap-exit": {}, "ignored": []}
    if environ.get("DUMB_INIT_REMAP_EXIT"):
        for item in environ["DUMB_INIT_REMAP_EXIT"].split(","):
            take(options, "remap-exit", item)
    args = list(argv[1:])
    while args and args[0].startswith("-") and args[0] != "-":
        arg = args.pop(0)
        if arg == "--":
            break
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            matches = [name] if name in LONG_OPTIONS else [full for full in LONG_OPTIONS if full.startswith(name)]
            if not matches:
                raise UsageError("%s: unrecognized option '%s'" % (NAME, arg))
            if len(matches) > 1:
                raise UsageError("%s: option '--%s' is ambiguous; possibilities: %s"
                                 % (NAME, name, " ".join("'--%s'" % full for full in matches)))
            name = matches[0]
            if LONG_OPTIONS[name] and not equals:
                if not args:
                    raise UsageError("%s: option '--%s' requires an argument" % (NAME, name))
                value = args.pop(0)
            elif equals and not LONG_OPTIONS[name]:
                raise UsageError("%s: option '--%s' doesn't allow an argument" % (NAME, name))
            take(options, name, value)
            continue
        letters = arg[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter not in SHORT_OPTIONS:
                raise UsageError("%s: invalid option -- '%s'" % (NAME, letter))
            name = SHORT_OPTIONS[letter]
            value = ""
            if LONG_OPTIONS[name]:
                if not letters and not args:
                    raise UsageError("%s: option requires an argument -- '%s'" % (NAME, letter))
                value, letters = (letters, "") if letters else (args.pop(0), "")
            take(options, name, value)
    return options, args


def take(options, name, value):
    """One option, in the order given."""
    if name == "rewrite":
        try:
            received, sent = value.split(":")
            options["rewrite"][signal_number(received, False)] = signal_number(sent, True)
        except ValueError:
            raise UsageError("Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31.\n"
                             "This option can be specified multiple times.\nUse --help for full usage.")
    elif name == "remap-exit":
        try:
            status, becomes = (int(part) for part in value.split(":"))
            if not (0 <= status <= 255 and 0 <= becomes <= 255):
                raise ValueError(value)
        except ValueError:
            raise UsageError("%s: invalid --remap-exit '%s'" % (NAME, value))
        options["remap-exit"][status] = becomes
    elif name in HONOURED:
        options[name] = True
    else:
        options["ignored"].append("--" + name)


def say(options, text):
    if options["verbose"]:
        sys.stderr.write("[%s] %s\n" % (NAME, text))
        sys.stderr.flush()


def status_of(wait_status):
    """An exit status as a shell gives it: the code, or 128+N for signal N."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


def spawn(command, new_session, caught):
    """Forks the command, with the mask and dispositions a fresh process has.
    Every signal stays blocked in the wrapper from before the fork, so none
    is lost between the fork and the wait."""
    pid = os.fork()
    if pid == 0:
        try:
            if new_session:
                os.setsid()
            # Python ignores these for itself; the command gets the defaults.
            for name in ("SIGPIPE", "SIGXFSZ"):
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, caught)
            os.execvp(command[0], command)
        except OSError as error:
            os.write(2, ("[%s] %s: %s\n" % (NAME, command[0], error.strerror)).encode())
        os._exit(2)
    return pid


def supervise(options, child, caught):
    """Passes signals on until the command exits; returns its status."""
    reap_all = os.getpid() == 1
    rewrite = dict(options["rewrite"])
    if not options["single-child"]:
        for stop in TTY_STOPS:
            rewrite.setdefault(stop, signal.SIGSTOP)
    while True:
        received = signal.sigwait(caught)
        if received == signal.SIGCHLD:
            while True:
                try:
                    pid, wait_status = os.waitpid(-1 if reap_all else child, os.WNOHANG)
                except ChildProcessError:
                    return 1
                if pid == 0:
                    break
                if pid == child:
                    return status_of(wait_status)
            continue
        say(options, "Received signal %d." % received)
        sent = rewrite.get(received, received)
        if sent:
            try:
                if options["single-child"]:
                    os.kill(child, sent)
                else:
                    os.killpg(child, sent)
                say(options, "Forwarded signal %d to children." % sent)
            except OSError:
                pass
        if received in TTY_STOPS and not options["single-child"]:
            say(options, "Suspending self due to TTY signal.")
            os.kill(os.getpid(), signal.SIGSTOP)


def run_without_fork(options, command):
    """Where there is no fork or signal mask (Windows): run the command and
    return its status; the console delivers Ctrl-C to it as to us."""
    import subprocess

    try:
        return subprocess.call(command)
    except OSError as error:
        sys.stderr.write("[%s] %s: %s\n" % (NAME, command[0], error.strerror))
        return 2
    except KeyboardInterrupt:
        return 130


def main(argv=None):
    argv = sys.argv if argv is None else argv
    sys.stderr.write(notice())
    sys.stderr.flush()
    try:
        options, command = parse(argv, os.environ)
    except UsageError as error:
        sys.stderr.write("%s\n" % error)
        return 1
    if options.get("help"):
        sys.stderr.write(help_text(argv[0]))
        return 0
    if options.get("version"):
        sys.stderr.write("%s v%s\n" % (NAME, version()))
        return 0
    if not command:
        sys.stderr.write("Usage: %s [option] program [args]\nTry %s --help for full usage.\n" % (argv[0], argv[0]))
        return 1
    for option in options["ignored"]:
        say(options, "%s is ignored by the Python stand-in." % option)
    if not hasattr(os, "fork") or not hasattr(signal, "pthread_sigmask"):
        status = run_without_fork(options, command)
    else:
        caught = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP}
        signal.pthread_sigmask(signal.SIG_BLOCK, caught)
        # A signal whose default is to be discarded (SIGCHLD, SIGWINCH...)
        # must have a handler to stay pending for sigwait.
        for number in caught:
            try:
                signal.signal(number, lambda *_: None)
            except (OSError, ValueError):
                pass
        new_session = not options["single-child"]
        child = spawn(command, new_session, caught)
        say(options, "Child spawned with PID %d." % child)
        status = supervise(options, child, caught)
        if new_session:
            try:
                os.killpg(child, signal.SIGTERM)
            except OSError:
                pass
    status = options["remap-exit"].get(status, status)
    say(options, "Child exited with status %d. Goodbye." % status)
    return status


if __name__ == "__main__":
    sys.exit(main())
