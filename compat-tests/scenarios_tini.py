"""The tini scenarios (run.py --personality tini): the binary under test,
run by the name `tini`, against Debian's tini-static 0.19.0 run by the same
name. Same vocabulary as scenarios.py (model.py); `argv` is everything after
tini's own path.

tini's getopt permutes: anything after the program that looks like an
option is tini's, so every command here follows `--` unless the scenario is
about exactly that.
"""

from model import BIN, DIR, Scenario as S, helper, inspect, send, sh, states
from model import type_keys, wait_stopped

HUP, INT, QUIT, ILL, TRAP, ABRT, BUS, FPE, KILL, USR1 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
SEGV, USR2, PIPE, ALRM, TERM, STKFLT, CHLD, CONT, STOP = 11, 12, 13, 14, 15, 16, 17, 18, 19
TSTP, TTIN, TTOU, URG, XCPU, XFSZ, VTALRM, PROF, WINCH = 20, 21, 22, 23, 24, 25, 26, 27, 28
IO, PWR, SYS, RTMIN, RTMAX = 29, 30, 31, 34, 64

# A command that shows the arguments it got and exits 3.
SHOW_ARGS = sh('printf "[%s]" "$@"; echo; exit 3', "a", "b c")
# The child's signal sets, with nothing in between.
SIGNAL_SETS = ["grep", "^Sig[BIC]", "/proc/self/status"]
# Where LISTEN_PID points, as the child sees it.
LISTEN_CHECK = sh('if [ "$LISTEN_PID" = "$$" ]; then echo "LISTEN_PID names the child"; '
                  'elif [ "$LISTEN_PID" = "$PPID" ]; then echo "LISTEN_PID names the init"; '
                  'elif [ "$LISTEN_PID" = "$ORIGINAL" ]; then echo "LISTEN_PID unchanged"; '
                  'else echo "LISTEN_PID is [$LISTEN_PID]"; fi')

SCENARIOS = []


def add(*scenarios, category):
    for scenario in scenarios:
        scenario.category = category
        SCENARIOS.append(scenario)


# ------------------------------------------------------------ command line
CLI = [
    ("version", ["--version"]),
    ("version then a program", ["--version", "true"]),
    ("version after an option", ["-s", "--version"]),
    ("version twice", ["--version", "--version"]),
    ("version after double dash is a program", ["-s", "--", "--version"]),
    ("version prefix is no option", ["--vers"]),
    ("version with a value", ["--version=1"]),
    ("help", ["-h"]),
    ("help then invalid option", ["-h", "-x"]),
    ("invalid option then help", ["-x", "-h"]),
    ("help after the program", ["true", "-h"]),
    ("help after a bad -e", ["-e", "300", "-h"]),
    ("bad -e after help", ["-h", "-e", "300"]),
    ("license", ["-l"]),
    ("license then help", ["-l", "-h"]),
    ("help then license", ["-h", "-l"]),
    ("no arguments", []),
    ("only double dash", ["--"]),
    ("only options", ["-s", "-v"]),
    ("invalid option", ["-x", "--", "true"]),
    ("invalid option in a cluster", ["-sx", "true"]),
    ("question mark option", ["-?"]),
    ("colon option", ["-:"]),
    ("long option", ["--yolo"]),
    ("long help is no option", ["--help"]),
    ("lone dash is a program", ["-s", "-"]),
    ("empty program", ["-s", ""]),
    ("-p missing value", ["-p"]),
    ("-e missing value", ["-e"]),
    ("-p takes the next argument", ["-p", "-s", "true"]),
    ("-e takes double dash as its value", ["-e", "--", "true"]),
    ("options after the program are tini's", ["-s", "sh", "-c", "exit 3"]),
    ("-v after the program is tini's", ["-s", "true", "-v"]),
    ("-e after the program is tini's", ["-s", "false", "-e", "1"]),
    ("double dash ends the options", ["-s", "--"] + SHOW_ARGS),
    ("double dash after the program", ["-s", "echo", "x", "--", "-v", "-x"]),
    ("a second double dash reaches the program", ["-s", "--", "echo", "--", "-v"]),
    ("double dash as the program", ["-s", "--", "--", "true"]),
    ("cluster -vsw", ["-vsw", "--", "true"]),
    ("cluster with attached -p", ["-spSIGTERM", "true"]),
    ("cluster with attached -e", ["-se1", "false"]),
    ("repeated -s", ["-s", "-s", "true"]),
    ("non-UTF-8 option", [b"-\xff"]),
    ("non-UTF-8 -p value", ["-p", b"SIG\xff", "true"]),
    ("non-UTF-8 arguments reach the command",
     ["-s", "--"] + sh('printf "%s|" "$@" | od -An -c', b"\xff\xfe", b"caf\xc3\xa9", b"\x80", "")),
]
add(*[S("cli/" + name, argv) for name, argv in CLI], category="command line")
add(
    S("cli/POSIXLY_CORRECT stops at the program", ["-s", "sh", "-c", 'echo "[$0] $*"', "-v", "a"],
      env={"POSIXLY_CORRECT": "1"}),
    S("cli/POSIXLY_CORRECT empty counts", ["-s", "sh", "-c", 'echo "[$0] $*"', "-v", "a"],
      env={"POSIXLY_CORRECT": ""}),
    S("cli/POSIXLY_CORRECT with options first", ["-s", "-v", "true", "-x"],
      env={"POSIXLY_CORRECT": "1"}),
    S("cli/environment reaches the command unchanged", ["-s", "--", "env"],
      env={"X_PLAIN": "a b", "X_BYTES": b"\xff\xfe", "TINI_VERBOSITY": "1",
           "TINI_SUBREAPER": "", "EMPTY": ""}),
    category="command line")

# ------------------------------------------------------------ the names
# argv[0] as a shell gives it (found in PATH), and as a full path: it is in
# getopt's messages, and its basename picks the personality.
for name in ("tini", "docker-init", "tini-static"):
    BY_NAME = dict(direct=True, env={"PATH": DIR + ":/usr/bin:/bin"},
                   files={name: ("{bin}", "symlink")})
    add(
        S("name/%s: usage" % name, [name], **BY_NAME),
        S("name/%s: help" % name, [name, "-h"], **BY_NAME),
        S("name/%s: version" % name, [name, "--version"], **BY_NAME),
        S("name/%s: invalid option" % name, [name, "-x", "true"], **BY_NAME),
        S("name/%s: runs a program" % name, [name, "-v", "--"] + SHOW_ARGS, **BY_NAME),
        S("name/%s: signals" % name, [name, "-s", "--"] + helper("--jobs", 1),
          steps=[send(USR1), send(TERM)], **BY_NAME),
        category="names")
add(
    S("name/full path: invalid option", [DIR + "/docker-init", "-x"], direct=True,
      files={"docker-init": ("{bin}", "symlink")}),
    S("name/full path: usage", [DIR + "/docker-init"], direct=True,
      files={"docker-init": ("{bin}", "symlink")}),
    category="names")
# DUMB_INIT_PERSONALITY chooses where the name cannot (tini ignores it).
for name in ("dumb-init", "catatonit"):
    BY_NAME = dict(direct=True, files={name: ("{bin}", "symlink")},
                   env={"PATH": DIR + ":/usr/bin:/bin", "DUMB_INIT_PERSONALITY": "tini"})
    add(
        S("name/%s with DUMB_INIT_PERSONALITY=tini: usage" % name, [name], **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=tini: version" % name, [name, "--version"],
          **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=tini: options" % name,
          [name, "-s", "-v", "-e", "3", "--"] + SHOW_ARGS, **BY_NAME),
        S("name/%s with DUMB_INIT_PERSONALITY=tini: signals" % name,
          [name, "-s", "--"] + helper("--jobs", 1), steps=[send(USR1), send(TERM)], **BY_NAME),
        category="names")

# ------------------------------------------------------------ -p
P_ACCEPTED = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
              "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
              "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
              "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGSYS"]
P_REFUSED = ["KILL", "sigkill", "SigKill", "9", "SIGRTMIN", "SIGRTMAX", "SIGIOT", "SIGPOLL",
             "SIGIO", "SIGPWR", "SIGSTKFLT", "SIGCLD", "", " SIGKILL", "SIGKILL ", "SIGKILLX",
             "SIG"]
add(*[S("-p/%r" % value, ["-s", "-p", value, "--", "sh", "-c", "exit 5"])
      for value in P_ACCEPTED + P_REFUSED], category="-p")


def parent_dies(*options):
    """tini started in the background by a shell that exits once the
    helper is ready: tini's parent dies. The runner does not wait for the
    helper (the shell does), nor look at the shell as if it were the init."""
    script = '"$@" & while [ ! -e "%s/child.ready" ]; do sleep 0.01; done' % DIR
    return ["/bin/sh", "-c", script, "sh", BIN] + list(options) + \
        ["--"] + helper("--exit-on", "1,10,15")


add(
    S("-p/SIGTERM when the parent dies", parent_dies("-s", "-p", "SIGTERM"), direct=True,
      ready=False),
    S("-p/SIGUSR1 when the parent dies", parent_dies("-s", "-p", "SIGUSR1"), direct=True,
      ready=False),
    S("-p/SIGKILL when the parent dies", parent_dies("-s", "-p", "SIGKILL"), direct=True,
      ready=False),
    S("-p/the last -p wins", parent_dies("-s", "-p", "SIGKILL", "-p", "SIGHUP"), direct=True,
      ready=False),
    S("-p/none: nothing when the parent dies", parent_dies("-s"), direct=True,
      ready=False),
    category="-p")

# ------------------------------------------------------------ -e
E_VALUES = ["1", "01", "+1", " 1", "\t1", "0", "", "255", "256", "-1", "-0", "1x", "0x1",
            " 1 ", "1 ", "99999999999999999999", "abc", "1e0"]
add(*[S("-e/value %r" % value, ["-s", "-e", value, "--", "sh", "-c", "exit 1"])
      for value in E_VALUES], category="-e")
add(*[S("-e/" + name, argv) for name, argv in [
    ("0 with exit 0", ["-s", "-e", "0", "--", "true"]),
    ("0 leaves 1", ["-s", "-e", "0", "--", "false"]),
    ("repeated, the second matches", ["-s", "-e", "3", "-e", "4", "--", "sh", "-c", "exit 4"]),
    ("repeated, none matches", ["-s", "-e", "3", "-e", "4", "--", "sh", "-c", "exit 5"]),
    ("143 maps a SIGTERM death", ["-s", "-e", "143", "--", "sh", "-c", "kill -TERM $$"]),
    ("15 does not map a SIGTERM death", ["-s", "-e", "15", "--", "sh", "-c", "kill -TERM $$"]),
    ("192 maps a SIGRTMAX death", ["-s", "-e", "192", "--", "sh", "-c", "kill -64 $$"]),
    ("255", ["-s", "-e", "255", "--", "sh", "-c", "exit 255"]),
    ("verbose mapping", ["-s", "-v", "-e", "7", "--", "sh", "-c", "exit 7"]),
    ("exec failure 127", ["-s", "-e", "127", "--", "no-such-command-here"]),
]], category="-e")

# ------------------------------------------------------------ verbosity
VERBOSE = [
    ("-v", ["-v"]), ("-vv", ["-vv"]), ("-vvv", ["-vvv"]), ("-vvvv", ["-vvvv"]),
    ("-v -v", ["-v", "-v"]),
]
add(*[S("verbose/%s exit 3" % name, ["-s"] + opts + ["--", "sh", "-c", "echo out; exit 3"])
      for name, opts in VERBOSE], category="verbosity")
add(*[S("verbose/%s killed" % name, ["-s"] + opts + ["--", "sh", "-c", "kill -USR1 $$"])
      for name, opts in VERBOSE[:3]], category="verbosity")
add(
    S("verbose/-v without -s warns", ["-v", "--", "true"]),
    S("verbose/-vv forwarded signals", ["-s", "-vv", "--"] + helper(),
      steps=[send(USR1), send(HUP), send(TERM)]),
    S("verbose/-vv missing command", ["-s", "-vv", "--", "no-such-command-here"]),
    S("verbose/-vv killed by SIGKILL", ["-s", "-vv", "--"] + helper(),
      steps=[send(KILL, to="child")]),
    S("verbose/-vvv trace lines", ["-vvv", "--", "true"]),
    category="verbosity")
TINI_VERBOSITY = ["0", "1", "2", "3", "4", "", "abc", "-1", " 2x", "+3", "99"]
add(*[S("env/TINI_VERBOSITY=%r" % value, ["--", "sh", "-c", "echo out; exit 3"],
        env={"TINI_VERBOSITY": value}) for value in TINI_VERBOSITY], category="environment")
add(
    S("env/TINI_VERBOSITY replaces -vvv", ["-vvv", "--", "true"], env={"TINI_VERBOSITY": "2"}),
    S("env/TINI_VERBOSITY=0 silences -v and the warning", ["-v", "--", "true"],
      env={"TINI_VERBOSITY": "0"}),
    S("env/TINI_VERBOSITY=0 and an exec failure", ["--", "no-such-command-here"],
      env={"TINI_VERBOSITY": "0"}),
    category="environment")

# ------------------------------------------------------------ subreaper, -w
add(
    S("subreaper/warning when neither PID 1 nor subreaper", ["--", "sh", "-c", "exit 4"]),
    S("subreaper/-s: no warning", ["-s", "--", "sh", "-c", "exit 4"]),
    S("subreaper/-s adopts orphans", ["-s", "--"] + helper("--orphans", 1, "--wait-jobs", 0.5),
      steps=[send(TERM)]),
    S("subreaper/without -s orphans go elsewhere", ["--"] + helper("--orphans", 1),
      steps=[send(TERM)]),
    S("subreaper/-s -w reaped orphans", ["-s", "-w", "--"] + helper("--orphans", 2),
      steps=[send(TERM, to="child")]),
    S("subreaper/exits at once, orphans left running",
      ["-s", "--"] + helper("--orphans", 1, "--exit", 0)),
    S("subreaper/-w without zombies", ["-s", "-w", "--", "true"]),
    S("subreaper/-vvv registration line", ["-s", "-vvv", "--", "true"]),
    category="subreaper")
add(*[S("env/TINI_SUBREAPER=%r" % value, ["--"] + helper("--orphans", 1, "--wait-jobs", 0.5),
        env={"TINI_SUBREAPER": value}, steps=[send(TERM)]) for value in ["", "0", "1", "no"]],
    category="environment")

# ------------------------------------------------------------ signals
# Each signal is sent to tini, then SIGTERM; a background job in the
# child's process group shows whether the group got it.
FORWARDED = [HUP, INT, QUIT, USR1, USR2, PIPE, ALRM, STKFLT, CHLD, CONT, TSTP, TTIN, TTOU,
             URG, XCPU, XFSZ, VTALRM, PROF, WINCH, IO, PWR, RTMIN, RTMIN + 2, 50, RTMAX]
for number in FORWARDED:
    add(S("signal/%d to the child" % number, ["-s", "--"] + helper("--jobs", 1),
          steps=[send(number), send(TERM)]),
        S("signal/%d with -g" % number, ["-s", "-g", "--"] + helper("--jobs", 1),
          steps=[send(number), send(TERM)]),
        category="signals")
# The synchronous signals are not blocked: sent with kill(), they kill tini.
for number in (ILL, TRAP, ABRT, BUS, FPE, SEGV, SYS):
    add(S("signal/%d kills tini" % number, ["-s", "--"] + helper("--jobs", 1),
          steps=[send(number)]), category="signals")
add(
    S("signal/SIGTERM ends the child, jobs left", ["-s", "--"] + helper("--jobs", 1),
      steps=[send(TERM)]),
    S("signal/SIGTERM with -g reaches the group", ["-s", "-g", "--"] + helper(
        "--jobs", 2, "--wait-jobs", 0.5), steps=[send(TERM)]),
    S("signal/SIGKILL to tini", ["-s", "--"] + helper("--jobs", 1), steps=[send(KILL)]),
    S("signal/SIGSTOP and SIGCONT", ["-s", "--"] + helper(),
      steps=[send(STOP), wait_stopped(), states("stopped"), send(CONT), states("resumed"),
             send(TERM)]),
    S("signal/SIGTERM to the child", ["-s", "--"] + helper("--jobs", 1),
      steps=[send(TERM, to="child")]),
    S("signal/SIGKILL to the child", ["-s", "--"] + helper(), steps=[send(KILL, to="child")]),
    S("signal/the child's group from outside", ["-s", "--"] + helper("--jobs", 1),
      steps=[send(USR1, to="group"), send(TERM)]),
    S("signal/the child ends on SIGUSR1", ["-s", "--"] + helper("--exit-on", "10"),
      steps=[send(USR1)]),
    S("signal/the child exits with a code on SIGTERM", ["-s", "--"] + helper("--exit-code", 9),
      steps=[send(TERM)]),
    # Pending signals are taken lowest number first, by the init and by the
    # helper: SIGRTMAX, sent last, comes after every signal of the storm.
    S("signal/a storm of SIGUSR1 and a real-time signal", ["-s", "--"] + helper(
        "--exit-on", RTMAX), steps=[("storm", [USR1, 40], 20), send(RTMAX)], records="counted"),
    category="signals")
add(*[S("env/TINI_KILL_PROCESS_GROUP=%r" % value, ["-s", "--"] + helper("--jobs", 1),
        env={"TINI_KILL_PROCESS_GROUP": value}, steps=[send(USR1), send(TERM)])
      for value in ["", "0", "1"]], category="environment")

# ------------------------------------------------------------ signal sets
# What tini was started with blocked or ignored, the child gets back.
add(*[S("sets/" + name, ["-s", "--"] + SIGNAL_SETS, **kw) for name, kw in [
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
    S("sets/an ignored signal is still forwarded", ["-s", "--"] + helper("--jobs", 1),
      ignore=[INT, USR2], steps=[send(INT), send(USR2), send(TERM)]),
    S("sets/a blocked signal is still forwarded", ["-s", "--"] + helper(),
      block=[USR1, TERM], steps=[send(USR1), send(TERM)]),
    category="signal sets")

# ------------------------------------------------------------ exec
add(*[S("exec/" + name, argv, **kw) for name, argv, kw in [
    ("missing absolute path", ["-s", "/nonexistent/command", "x"], {}),
    ("missing in PATH", ["-s", "no-such-command-here"], {}),
    ("directory", ["-s", DIR], {}),
    ("file without execute permission", ["-s", DIR + "/noexec"],
     {"files": {"noexec": ("echo never\n", 0o644)}}),
    ("not a directory", ["-s", "/etc/passwd/x"], {}),
    ("symlink loop", ["-s", DIR + "/loop/x"], {"files": {"loop": ("loop", "symlink")}}),
    ("name too long", ["-s", "n" * 300], {}),
    ("script without #! runs with /bin/sh", ["-s", DIR + "/plain", "x"],
     {"files": {"plain": ('echo "plain script $0 $*"; exit 4\n', 0o755)}}),
    ("missing interpreter", ["-s", DIR + "/bad"], {"files": {"bad": ("#!/nonexistent/sh\n",
                                                                       0o755)}}),
    ("found in PATH", ["-s", "here"], {"env": {"PATH": DIR + ":/usr/bin:/bin"},
                                       "files": {"here": ("echo here; exit 6\n", 0o755)}}),
    ("PATH skips a non-executable file", ["-s", "true"],
     {"env": {"PATH": DIR + ":/usr/bin:/bin"}, "files": {"true": ("exit 9\n", 0o644)}}),
    ("empty PATH means the current directory", ["-s", "here"],
     {"env": {"PATH": ""}, "files": {"here": ("echo from cwd; exit 6\n", 0o755)}}),
    ("PATH unset uses the default path", ["-s", "sh", "-c", "echo $0"], {"env": {"PATH": None}}),
    ("verbose exec failure", ["-s", "-v", "/nonexistent"], {}),
    ("the child's cwd", ["-s", "--", "pwd"], {}),
    ("argv[0] of the command", ["-s", "--"] + sh('echo "$0"'), {}),
    ("the child's process group and session", ["-s", "--"] + helper(), {"steps": [send(TERM)]}),
]], category="exec")

# ------------------------------------------------------------ exit status
add(*[S("exit/" + name, ["-s", "--"] + argv, timeout=3) for name, argv in [
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

# ------------------------------------------------------------ descriptors, cwd
add(
    S("init/descriptors are kept", ["-s", "--"] + helper(), open_fds=[5, 9], steps=[send(TERM)]),
    S("init/cwd is kept", ["-s", "--"] + helper(), steps=[inspect("running"), send(TERM)]),
    S("init/LISTEN_PID is left alone", ["-s", "--"] + LISTEN_CHECK,
      env_pid={"LISTEN_PID": "{pid}", "ORIGINAL": "{pid}"}),
    category="init")

# ------------------------------------------------------------ terminal
add(
    S("tty/the child's group takes the terminal", ["-s", "--"] + helper("--jobs", 1),
      where="pty", steps=[send(TERM)]),
    S("tty/verbose lines on the terminal", ["-s", "-vv", "--"] + helper(), where="pty",
      steps=[send(TERM)]),
    S("tty/Ctrl-C reaches the child's group", ["-s", "--"] + helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x03"), send(TERM)]),
    S("tty/Ctrl-Z reaches the child's group", ["-s", "--"] + helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x1a"), send(TERM)]),
    S("tty/Ctrl-\\ reaches the child's group", ["-s", "--"] + helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x1c"), send(TERM)]),
    S("tty/exit status and output", ["-s", "--"] + sh("echo on the terminal; exit 6"),
      where="pty"),
    S("tty/exec failure", ["-s", "/nonexistent"], where="pty"),
    S("tty/stdin closed on a terminal", ["-s", "-vv", "--"] + helper(), where="pty", close=[0],
      steps=[send(TERM)]),
    category="terminal")

# ------------------------------------------------------------ PID 1
add(
    S("pid1/no warning as PID 1", ["--", "sh", "-c", "exit 7"], where="pidns"),
    S("pid1/child runs as PID 2 in tini's session", ["--"] + helper(), where="pidns",
      steps=[send(TERM)]),
    S("pid1/zombies are reaped", ["--"] + helper("--zombies", 20), where="pidns",
      steps=[send(TERM)]),
    S("pid1/-w reports each reaped zombie", ["-w", "--"] + helper("--zombies", 3),
      where="pidns", steps=[send(TERM)]),
    S("pid1/orphans are adopted", ["--"] + helper("--orphans", 1, "--wait-jobs", 0.5),
      where="pidns", steps=[send(TERM)]),
    S("pid1/-g reaches the group and orphans in it", ["-g", "--"] + helper(
        "--jobs", 1, "--orphans", 1, "--wait-jobs", 0.5), where="pidns", steps=[send(TERM)]),
    S("pid1/verbose", ["-vv", "--"] + helper(), where="pidns", steps=[send(USR1), send(TERM)]),
    S("pid1/-vvv exit", ["-vvv", "--", "sh", "-c", "exit 3"], where="pidns"),
    S("pid1/SIGKILL to the child", ["--"] + helper(), where="pidns",
      steps=[send(KILL, to="child")]),
    S("pid1/exits when the child does, jobs die with it", ["--"] + helper("--jobs", 1, "--exit", 5),
      where="pidns"),
    S("pid1/-s as PID 1", ["-s", "--", "sh", "-c", "exit 2"], where="pidns"),
    S("pid1/SIGCHLD from outside", ["--"] + helper(), where="pidns",
      steps=[send(CHLD), send(TERM)]),
    S("pid1/SIGTSTP from outside", ["--"] + helper("--jobs", 1), where="pidns",
      steps=[send(TSTP), send(TERM)]),
    S("pid1/SIGINT from outside", ["--"] + helper("--jobs", 1), where="pidns",
      steps=[send(INT), send(TERM)]),
    S("pid1/exec failure", ["no-such-command-here"], where="pidns"),
    S("pid1/signal sets", ["--"] + SIGNAL_SETS, where="pidns", ignore=[HUP], block=[USR2]),
    category="PID 1")
