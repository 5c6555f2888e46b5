"""The catatonit scenarios (run.py --personality catatonit): the binary
under test, run by the name `catatonit`, against Debian's catatonit 0.1.7
run by the same name. Same vocabulary as scenarios.py (model.py); `argv` is
everything after catatonit's own path.

catatonit's getopt_long permutes: anything after the program that looks
like an option is catatonit's, so every command here follows `--` unless
the scenario is about exactly that.
"""

from model import DIR, Scenario as S, helper, inspect, send, sh, states, type_keys
from model import wait_settled, wait_stopped, wait_taken

HUP, INT, QUIT, ILL, TRAP, ABRT, BUS, FPE, KILL, USR1 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
SEGV, USR2, PIPE, ALRM, TERM, STKFLT, CHLD, CONT, STOP = 11, 12, 13, 14, 15, 16, 17, 18, 19
TSTP, TTIN, TTOU, URG, XCPU, XFSZ, VTALRM, PROF, WINCH = 20, 21, 22, 23, 24, 25, 26, 27, 28
IO, PWR, SYS, RTMIN, RTMAX = 29, 30, 31, 34, 64

SHOW_ARGS = sh('printf "[%s]" "$@"; echo; exit 3', "a", "b c")
SIGNAL_SETS = ["grep", "^Sig[BIC]", "/proc/self/status"]
LISTEN_CHECK = sh('if [ "$LISTEN_PID" = "$$" ]; then echo "LISTEN_PID names the child"; '
                  'elif [ "$LISTEN_PID" = "$PPID" ]; then echo "LISTEN_PID names the init"; '
                  'elif [ "$LISTEN_PID" = "$ORIGINAL" ]; then echo "LISTEN_PID unchanged"; '
                  'else echo "LISTEN_PID is [$LISTEN_PID]"; fi')
DEBUG = {"CATATONIT_DEBUG": "1"}

SCENARIOS = []


def add(*scenarios, category):
    for scenario in scenarios:
        scenario.category = category
        SCENARIOS.append(scenario)


# ------------------------------------------------------------ command line
CLI = [
    ("help", ["-h"]),
    ("version short", ["-V"]),
    ("version long", ["--version"]),
    ("version prefix", ["--vers"]),
    ("version shortest prefix", ["--v"]),
    ("version with a value", ["--version=1"]),
    ("version then a program", ["-V", "true"]),
    ("version after the program", ["true", "-V"]),
    ("license", ["-L"]),
    ("long help is no option", ["--help"]),
    ("help then version", ["-hV"]),
    ("version then help", ["-Vh"]),
    ("license then help", ["-Lh"]),
    ("invalid option", ["-x", "true"]),
    ("invalid option then help", ["-x", "-h"]),
    ("help then invalid option", ["-h", "-x"]),
    ("question mark option", ["-?"]),
    ("colon option", ["-:"]),
    ("unrecognized long option", ["--yolo"]),
    ("unrecognized long option with a value", ["--yolo=1", "true"]),
    ("lowercase l is no option", ["-l"]),
    ("no arguments", []),
    ("only double dash", ["--"]),
    ("only -g", ["-g"]),
    ("-g then double dash", ["-g", "--"]),
    ("lone dash is a program", ["-"]),
    ("empty program", [""]),
    ("double dash then an option-like program", ["--", "-x"]),
    ("options after the program are catatonit's", ["sh", "-c", "exit 3"]),
    ("-g after the program is catatonit's", ["true", "-g"]),
    ("double dash ends the options", ["--"] + SHOW_ARGS),
    ("double dash after the program", ["echo", "x", "--", "-x"]),
    ("a second double dash reaches the program", ["--", "echo", "--", "-x"]),
    ("cluster -gP", ["-gP", "true"]),
    ("non-UTF-8 option", [b"-\xff"]),
    ("non-UTF-8 long option", [b"--\xff"]),
    ("non-UTF-8 arguments reach the command",
     ["--"] + sh('printf "%s|" "$@" | od -An -c', b"\xff\xfe", b"caf\xc3\xa9", b"\x80", "")),
]
add(*[S("cli/" + name, argv) for name, argv in CLI], category="command line")
add(
    S("cli/POSIXLY_CORRECT stops at the program", ["sh", "-c", 'echo "[$0] $*"', "-g", "a"],
      env={"POSIXLY_CORRECT": "1"}),
    S("cli/POSIXLY_CORRECT empty counts", ["sh", "-c", 'echo "[$0] $*"', "-g", "a"],
      env={"POSIXLY_CORRECT": ""}),
    S("cli/environment reaches the command unchanged", ["--", "env"],
      env={"X_PLAIN": "a b", "X_BYTES": b"\xff\xfe", "EMPTY": ""}),
    category="command line")

# ------------------------------------------------------------ the names
for name in ("catatonit", "podman-init"):
    BY_NAME = dict(direct=True, env={"PATH": DIR + ":/usr/bin:/bin"},
                   files={name: ("{bin}", "symlink")})
    add(
        S("name/%s: usage" % name, [name], **BY_NAME),
        S("name/%s: help" % name, [name, "-h"], **BY_NAME),
        S("name/%s: version" % name, [name, "--version"], **BY_NAME),
        S("name/%s: invalid option" % name, [name, "-x", "true"], **BY_NAME),
        S("name/%s: runs a program" % name, [name, "--"] + SHOW_ARGS, **BY_NAME),
        S("name/%s: debug lines" % name, [name, "--"] + SHOW_ARGS,
          **dict(BY_NAME, env=dict(BY_NAME["env"], **DEBUG))),
        S("name/%s: signals" % name, [name, "--"] + helper("--jobs", 1),
          steps=[send(USR1), send(TERM)], **BY_NAME),
        category="names")
add(
    S("name/full path: invalid option", [DIR + "/podman-init", "-x"], direct=True,
      files={"podman-init": ("{bin}", "symlink")}),
    category="names")
for name in ("dumb-init", "tini"):
    BY_NAME = dict(direct=True, files={name: ("{bin}", "symlink")},
                   env={"PATH": DIR + ":/usr/bin:/bin", "DUMB_INIT_PERSONALITY": "catatonit"})
    add(
        S("name/%s with DUMB_INIT_PERSONALITY=catatonit: usage" % name, [name], **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=catatonit: version" % name, [name, "-V"],
          **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=catatonit: invalid option" % name,
          [name, "-s", "true"], **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=catatonit: signals" % name,
          [name, "--"] + helper("--jobs", 1), steps=[send(USR1), send(TERM)], **BY_NAME),
        category="names")

# ------------------------------------------------------------ environment
add(*[S("env/CATATONIT_LOG=%r %s" % (value, what), argv, env={"CATATONIT_LOG": value})
      for value in ["", "1", "0"]
      for what, argv in [("with a program", ["--"] + SHOW_ARGS), ("with -V", ["-V"]),
                         ("with -h", ["-h"]), ("with an invalid option", ["-x"]),
                         ("with nothing", [])]], category="environment")
add(*[S("env/CATATONIT_DEBUG=%r" % value, ["--"] + SHOW_ARGS, env={"CATATONIT_DEBUG": value})
      for value in ["", "0", "1", "yes"]], category="environment")
add(
    S("env/CATATONIT_DEBUG with signals", ["--"] + helper("--jobs", 1), env=DEBUG,
      steps=[send(USR1), send(TSTP), send(CHLD), wait_taken(), send(TERM)]),
    S("env/CATATONIT_DEBUG with -g", ["-g", "--"] + helper("--jobs", 1), env=DEBUG,
      steps=[send(USR1), send(TERM)]),
    S("env/CATATONIT_DEBUG and an exec failure", ["no-such-command-here"], env=DEBUG),
    S("env/CATATONIT_DEBUG and no program", [], env=DEBUG),
    S("env/CATATONIT_DEBUG with -V", ["-V"], env=DEBUG),
    S("env/CATATONIT_DEBUG and CATATONIT_LOG", ["true"],
      env={"CATATONIT_DEBUG": "1", "CATATONIT_LOG": "1"}),
    S("env/CATATONIT_DEBUG killed child", ["--"] + sh("kill -KILL $$"), env=DEBUG),
    category="environment")

# ------------------------------------------------------------ LISTEN_PID
# Rewritten for the child when it names catatonit (strtoll's reading).
LISTEN = [
    ("names the init", "{pid}"),
    ("with a leading zero", "0{pid}"),
    ("with trailing text", "{pid}abc"),
    ("with a blank and a sign", " +{pid}"),
    ("names the init's parent", "{ppid}"),
    ("out of range", "99999999999999999999"),
    ("empty", ""),
    ("not a number", "abc"),
    ("zero", "0"),
]
add(*[S("listen/LISTEN_PID %s" % name, ["--"] + LISTEN_CHECK,
        env_pid={"LISTEN_PID": value, "ORIGINAL": value}) for name, value in LISTEN],
    category="LISTEN_PID")
add(
    S("listen/LISTEN_PID out of range with debug", ["--"] + LISTEN_CHECK, env=DEBUG,
      env_pid={"LISTEN_PID": "99999999999999999999", "ORIGINAL": "x"}),
    S("listen/LISTEN_PID unset", ["--"] + LISTEN_CHECK),
    S("listen/LISTEN_PID as PID 1", ["--"] + LISTEN_CHECK, where="pidns",
      env={"LISTEN_PID": "1"}),
    category="LISTEN_PID")

# ------------------------------------------------------------ signals
FORWARDED = [HUP, INT, QUIT, USR1, USR2, PIPE, ALRM, STKFLT, CHLD, CONT, TSTP, TTIN, TTOU,
             URG, XCPU, XFSZ, VTALRM, PROF, WINCH, IO, PWR, RTMIN, RTMIN + 2, 50, RTMAX]
for number in FORWARDED:
    add(S("signal/%d to the child" % number, ["--"] + helper("--jobs", 1),
          steps=[send(number), send(TERM)]),
        S("signal/%d with -g" % number, ["-g", "--"] + helper("--jobs", 1),
          steps=[send(number), send(TERM)]),
        category="signals")
for number in (ILL, TRAP, ABRT, BUS, FPE, SEGV, SYS):
    add(S("signal/%d kills catatonit" % number, ["--"] + helper("--jobs", 1),
          steps=[send(number)]), category="signals")
add(
    S("signal/SIGTERM ends the child, jobs left", ["--"] + helper("--jobs", 1),
      steps=[send(TERM)]),
    S("signal/SIGTERM with -g reaches the group", ["-g", "--"] + helper(
        "--jobs", 2, "--wait-jobs", 0.5), steps=[send(TERM)]),
    S("signal/SIGKILL to catatonit", ["--"] + helper("--jobs", 1), steps=[send(KILL)]),
    S("signal/SIGSTOP and SIGCONT", ["--"] + helper(),
      steps=[send(STOP), wait_stopped(), states("stopped"), send(CONT), states("resumed"),
             send(TERM)]),
    S("signal/SIGTERM to the child", ["--"] + helper("--jobs", 1),
      steps=[send(TERM, to="child")]),
    S("signal/SIGKILL to the child", ["--"] + helper(), steps=[send(KILL, to="child")]),
    S("signal/the child's group from outside", ["--"] + helper("--jobs", 1),
      steps=[send(USR1, to="group"), send(TERM)]),
    S("signal/the child ends on SIGUSR1", ["--"] + helper("--exit-on", "10"),
      steps=[send(USR1)]),
    S("signal/the child exits with a code on SIGTERM", ["--"] + helper("--exit-code", 9),
      steps=[send(TERM)]),
    # Pending signals are taken lowest number first, by the init and by the
    # helper: SIGRTMAX, sent last, comes after every signal of the storm.
    S("signal/a storm of SIGUSR1 and a real-time signal", ["--"] + helper(
        "--exit-on", RTMAX), steps=[("storm", [USR1, 40], 20), send(RTMAX)], records="counted"),
    category="signals")

# ------------------------------------------------------------ signal sets
add(*[S("sets/" + name, ["--"] + SIGNAL_SETS, **kw) for name, kw in [
    ("nothing blocked or ignored", {}),
    ("blocked at start", {"block": [USR1, TERM, 40]}),
    ("ignored at start", {"ignore": [HUP, USR2, 40]}),
    ("TTIN and TTOU ignored at start", {"ignore": [TTIN, TTOU]}),
    ("TTIN TTOU TSTP blocked at start", {"block": [TSTP, TTIN, TTOU]}),
    ("everything blocked at start", {"block": [n for n in range(1, 65)
                                               if n not in (KILL, STOP, 32, 33)]}),
    ("blocked and ignored at start", {"block": [INT, QUIT], "ignore": [INT, PIPE]}),
]], category="signal sets")
add(
    S("sets/an ignored signal is still forwarded", ["--"] + helper("--jobs", 1),
      ignore=[INT, USR2], steps=[send(INT), send(USR2), send(TERM)]),
    S("sets/a blocked signal is still forwarded", ["--"] + helper(),
      block=[USR1, TERM], steps=[send(USR1), send(TERM)]),
    category="signal sets")

# ------------------------------------------------------------ exec
add(*[S("exec/" + name, argv, **kw) for name, argv, kw in [
    ("missing absolute path", ["/nonexistent/command", "x"], {}),
    ("missing in PATH", ["no-such-command-here"], {}),
    ("directory", [DIR], {}),
    ("file without execute permission", [DIR + "/noexec"],
     {"files": {"noexec": ("echo never\n", 0o644)}}),
    ("not a directory", ["/etc/passwd/x"], {}),
    ("symlink loop", [DIR + "/loop/x"], {"files": {"loop": ("loop", "symlink")}}),
    ("name too long", ["n" * 300], {}),
    ("script without #! runs with /bin/sh", [DIR + "/plain", "x"],
     {"files": {"plain": ('echo "plain script $0 $*"; exit 4\n', 0o755)}}),
    ("missing interpreter", [DIR + "/bad"], {"files": {"bad": ("#!/nonexistent/sh\n",
                                                                0o755)}}),
    ("found in PATH", ["here"], {"env": {"PATH": DIR + ":/usr/bin:/bin"},
                                "files": {"here": ("echo here; exit 6\n", 0o755)}}),
    ("PATH skips a non-executable file", ["true"],
     {"env": {"PATH": DIR + ":/usr/bin:/bin"}, "files": {"true": ("exit 9\n", 0o644)}}),
    ("PATH unset uses the default path", ["sh", "-c", "echo $0"], {"env": {"PATH": None}}),
    ("the child's cwd", ["--", "pwd"], {}),
    ("argv[0] of the command", ["--"] + sh('echo "$0"'), {}),
    ("the child's process group and session", ["--"] + helper(), {"steps": [send(TERM)]}),
]], category="exec")

# ------------------------------------------------------------ exit status
add(*[S("exit/" + name, ["--"] + argv, timeout=3) for name, argv in [
    ("code 0", sh("exit 0")),
    ("code 1", sh("exit 1")),
    ("code 2", sh("exit 2")),
    ("code 126", sh("exit 126")),
    ("code 127", sh("exit 127")),
    ("code 255", sh("exit 255")),
    ("killed by SIGSEGV", sh("kill -SEGV $$")),
    ("killed by SIGKILL", sh("kill -KILL $$")),
    ("killed by SIGTERM", sh("kill -TERM $$")),
    ("killed by SIGUSR1", sh("kill -USR1 $$")),
    ("killed by a real-time signal", sh("kill -40 $$")),
    ("killed by SIGRTMAX", sh("kill -64 $$")),
    ("output on both streams", sh("echo to-stdout; echo to-stderr >&2; exit 1")),
]], category="exit status")

# ------------------------------------------------------------ the init
add(
    S("init/descriptors from 3 up are closed in catatonit only", ["--"] + helper(),
      open_fds=[3, 5, 9], steps=[send(TERM)]),
    S("init/cwd is kept", ["--"] + helper(), steps=[inspect("running"), send(TERM)]),
    S("init/a subreaper when not PID 1", ["--"] + helper("--orphans", 1, "--wait-jobs", 0.5),
      steps=[send(TERM)]),
    S("init/exits at once, orphans left running", ["--"] + helper("--orphans", 1, "--exit", 0)),
    S("init/exits at once, jobs left running", ["--"] + helper("--jobs", 1, "--exit", 4)),
    S("init/-g reaches orphans in the group", ["-g", "--"] + helper(
        "--orphans", 1, "--wait-jobs", 0.5), steps=[send(TERM)]),
    category="init")

# ------------------------------------------------------------ -P
PAUSED = [wait_settled(), inspect("paused")]
add(
    S("pause/SIGINT ends it", ["-P"], steps=PAUSED + [send(INT)]),
    S("pause/SIGTERM ends it", ["-P"], steps=PAUSED + [send(TERM)]),
    S("pause/other signals are dropped", ["-P"],
      steps=PAUSED + [send(HUP), send(USR1), send(QUIT), send(CHLD), send(TSTP), send(40),
                      wait_taken(), states("after the others"), send(TERM)]),
    S("pause/a program is not run", ["-P", "--"] + SHOW_ARGS, steps=PAUSED + [send(TERM)]),
    S("pause/with -g", ["-g", "-P"], steps=PAUSED + [send(USR1), wait_taken(), send(INT)]),
    S("pause/SIGINT ignored at start still ends it", ["-P"], ignore=[INT],
      steps=PAUSED + [send(INT)]),
    S("pause/SIGTERM blocked at start still ends it", ["-P"], block=[TERM],
      steps=PAUSED + [send(TERM)]),
    S("pause/descriptors are closed", ["-P"], open_fds=[3, 5, 9],
      steps=PAUSED + [send(TERM)]),
    S("pause/debug lines", ["-P"], env=DEBUG,
      steps=PAUSED + [send(TSTP), wait_taken(), send(TERM)]),
    S("pause/SIGSTOP and SIGCONT", ["-P"],
      steps=PAUSED + [send(STOP), wait_stopped(), states("stopped"), send(CONT),
                      states("resumed"), send(TERM)]),
    S("pause/SIGKILL", ["-P"], steps=PAUSED + [send(KILL)]),
    S("pause/SIGSEGV", ["-P"], steps=PAUSED + [send(SEGV)]),
    S("pause/as PID 1", ["-P"], where="pidns", steps=PAUSED + [send(HUP), send(TERM)]),
    S("pause/on a terminal", ["-P"], where="pty", steps=PAUSED + [send(INT)]),
    S("pause/version wins", ["-P", "-V"]),
    category="pause")

# ------------------------------------------------------------ terminal
add(
    S("tty/the child's group takes the terminal", ["--"] + helper("--jobs", 1),
      where="pty", steps=[send(TERM)]),
    S("tty/debug lines on the terminal", ["--"] + helper(), where="pty", env=DEBUG,
      steps=[send(TERM)]),
    S("tty/Ctrl-C reaches the child's group", ["--"] + helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x03"), send(TERM)]),
    S("tty/Ctrl-Z reaches the child's group", ["--"] + helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x1a"), send(TERM)]),
    S("tty/exit status and output", ["--"] + sh("echo on the terminal; exit 6"), where="pty"),
    S("tty/exec failure", ["/nonexistent"], where="pty"),
    S("tty/stdin closed on a terminal", ["--"] + helper(), where="pty", close=[0], env=DEBUG,
      steps=[send(TERM)]),
    category="terminal")

# ------------------------------------------------------------ PID 1
add(
    S("pid1/exit code", ["--", "sh", "-c", "exit 7"], where="pidns"),
    S("pid1/child runs as PID 2 in catatonit's session", ["--"] + helper(), where="pidns",
      steps=[send(TERM)]),
    S("pid1/zombies are reaped", ["--"] + helper("--zombies", 20), where="pidns",
      steps=[send(TERM)]),
    S("pid1/debug lines for reaped zombies", ["--"] + helper("--zombies", 3), where="pidns",
      env=DEBUG, steps=[send(TERM)]),
    S("pid1/orphans are adopted", ["--"] + helper("--orphans", 1, "--wait-jobs", 0.5),
      where="pidns", steps=[send(TERM)]),
    S("pid1/-g reaches the group and orphans in it", ["-g", "--"] + helper(
        "--jobs", 1, "--orphans", 1, "--wait-jobs", 0.5), where="pidns", steps=[send(TERM)]),
    S("pid1/SIGKILL to the child", ["--"] + helper(), where="pidns",
      steps=[send(KILL, to="child")]),
    S("pid1/exits when the child does, jobs die with it",
      ["--"] + helper("--jobs", 1, "--exit", 5), where="pidns"),
    S("pid1/SIGCHLD from outside", ["--"] + helper(), where="pidns",
      steps=[send(CHLD), send(TERM)]),
    S("pid1/SIGTSTP from outside", ["--"] + helper("--jobs", 1), where="pidns",
      steps=[send(TSTP), send(TERM)]),
    S("pid1/SIGINT from outside", ["--"] + helper("--jobs", 1), where="pidns",
      steps=[send(INT), send(TERM)]),
    S("pid1/exec failure", ["no-such-command-here"], where="pidns"),
    S("pid1/signal sets", ["--"] + SIGNAL_SETS, where="pidns", ignore=[HUP], block=[USR2]),
    S("pid1/descriptors", ["--"] + helper(), where="pidns", open_fds=[3, 7],
      steps=[send(TERM)]),
    category="PID 1")
