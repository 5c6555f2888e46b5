"""The scenarios. Each is a few declarative lines; see model.py for the
vocabulary and README.md for how to add one. Names are `category/what`.
"""

import signal as _signal

from model import DIR, Scenario as S, helper, hangup, send, sh, states, type_keys
from model import PYTHON, storm, wait_files, wait_stopped

HUP, INT, QUIT, KILL, USR1, USR2, TERM, CHLD, CONT, STOP = 1, 2, 3, 9, 10, 12, 15, 17, 18, 19
TSTP, TTIN, TTOU, WINCH = 20, 21, 22, 28
RTMIN_2, RTMAX = 36, 64

# A command that shows the arguments it got and exits 3.
SHOW_ARGS = sh('printf "[%s]" "$@"; echo; exit 3', "a", "b c")
# A command that prints its signal sets, as dumb-init's child, without any
# shell or interpreter in between.
SIGNAL_SETS = ["grep", "^Sig[BIC]", "/proc/self/status"]

SINGLE = ["-c"]
MODES = {"setsid": [], "single-child": SINGLE}

SCENARIOS = []


def add(*scenarios, category):
    for scenario in scenarios:
        scenario.category = category
        SCENARIOS.append(scenario)


# ------------------------------------------------------------ command line
# Every option, long prefixes, clusters, attached values, `--`, getopt errors.
CLI = [
    ("version short", ["-V"]),
    ("version long", ["--version"]),
    ("version prefix", ["--vers"]),
    ("version then command", ["-V"] + SHOW_ARGS),
    ("help short", ["-h"]),
    ("help long", ["--help"]),
    ("help prefix", ["--h"]),
    ("help then version", ["-hV"]),
    ("version then help", ["-Vh"]),
    ("help after single-child", ["-c", "-h", "true"]),
    ("no arguments", []),
    ("only double dash", ["--"]),
    ("only options", ["-c", "-v"]),
    ("options then double dash", ["-cv", "--"]),
    ("invalid short option", ["-x"] + SHOW_ARGS),
    ("invalid option in a cluster", ["-cx"] + SHOW_ARGS),
    ("invalid option before help", ["-x", "-h"]),
    ("help before invalid option", ["-h", "-x"]),
    ("question mark option", ["-?"]),
    ("colon option", ["-:"]),
    ("unrecognized long option", ["--yolo"] + SHOW_ARGS),
    ("unrecognized long option with value", ["--yolo=1"] + SHOW_ARGS),
    ("ambiguous long prefix", ["--ver"] + SHOW_ARGS),
    ("ambiguous long prefix with value", ["--ve=1"] + SHOW_ARGS),
    ("long flag with a value", ["--verbose=1"] + SHOW_ARGS),
    ("long help with a value", ["--help=yes"]),
    ("long version with an empty value", ["--version="]),
    ("single-child with a value", ["--single-child=yes"] + SHOW_ARGS),
    ("rewrite missing argument", ["-r"]),
    ("rewrite missing argument after cluster", ["-cr"]),
    ("long rewrite missing argument", ["--rewrite"]),
    ("long rewrite prefix missing argument", ["--rew"]),
    ("long rewrite empty value", ["--rewrite="] + SHOW_ARGS),
    ("rewrite takes the next argument even if it looks like an option", ["-r", "-c"] + SHOW_ARGS),
    ("rewrite takes double dash as its value", ["-r", "--"] + SHOW_ARGS),
    ("single child short", ["-c"] + SHOW_ARGS),
    ("single child long", ["--single-child"] + SHOW_ARGS),
    ("single child prefix", ["--s"] + SHOW_ARGS),
    ("verbose short", ["-v"] + SHOW_ARGS),
    ("verbose long", ["--verbose"] + SHOW_ARGS),
    ("verbose prefix", ["--verb"] + SHOW_ARGS),
    ("cluster cv", ["-cv"] + SHOW_ARGS),
    ("cluster vc with repeats", ["-vcvc"] + SHOW_ARGS),
    ("cluster with attached rewrite", ["-cvr15:3"] + SHOW_ARGS),
    ("attached rewrite", ["-r15:3"] + SHOW_ARGS),
    ("separate rewrite", ["-r", "15:3"] + SHOW_ARGS),
    ("long rewrite with equals", ["--rewrite=15:3"] + SHOW_ARGS),
    ("long rewrite separate", ["--rewrite", "15:3"] + SHOW_ARGS),
    ("long rewrite prefix with equals", ["--rew=15:3"] + SHOW_ARGS),
    ("repeated rewrites", ["-r", "15:3", "-r", "2:0", "-r15:9"] + SHOW_ARGS),
    ("double dash before command", ["-v", "--"] + SHOW_ARGS),
    ("double dash then option-like command", ["--", "-v"]),
    ("options after the command belong to it", SHOW_ARGS[:4] + ["-v", "--", "-x"]),
    ("parsing stops at the first non-option", ["-c", "sh", "-v", "-c", "echo $0 $1", "-x"]),
    ("lone dash is a command", ["-"]),
    ("empty command", [""]),
    ("verbose then invalid option", ["-v", "-x", "true"]),
    ("non-UTF-8 invalid option", [b"-\xff"]),
    ("non-UTF-8 long option", [b"--\xff\xfe"]),
    ("non-UTF-8 rewrite value", ["-r", b"\xff:1", "true"]),
    ("non-UTF-8 arguments reach the command",
     sh('printf "%s|" "$@" | od -An -c', b"\xff\xfe", b"caf\xc3\xa9", b"\x80", "")),
    ("non-UTF-8 command name", [b"/tmp/\xff-no-such-command"]),
]
add(*[S("cli/" + name, argv) for name, argv in CLI], category="command line")

# argv[0] as a shell gives it: a name found in PATH (a link named dumb-init).
BY_NAME = dict(direct=True, env={"PATH": DIR + ":/usr/bin:/bin"},
               files={"dumb-init": ("{bin}", "symlink")})
add(
    S("cli/argv0 from PATH: usage", ["dumb-init"], **BY_NAME),
    S("cli/argv0 from PATH: invalid option", ["dumb-init", "-x", "true"], **BY_NAME),
    S("cli/argv0 from PATH: ambiguous option", ["dumb-init", "--ver", "true"], **BY_NAME),
    S("cli/argv0 from PATH: missing argument", ["dumb-init", "--rewrite"], **BY_NAME),
    S("cli/environment reaches the command unchanged", ["env"],
      env={"X_PLAIN": "a b", "X_BYTES": b"\xff\xfe", "DUMB_INIT_DEBUG": "0",
           "DUMB_INIT_SETSID": "1", "EMPTY": ""}),
    category="command line")

# Every prefix of every long option (the ambiguous ones fail in getopt's words).
LONG_OPTIONS = {"single-child": [], "rewrite": ["15:3"], "verbose": [], "help": [],
                "version": []}
PREFIXES = {"--" + name[:length]: value for name, value in LONG_OPTIONS.items()
            for length in range(1, len(name) + 1)}
add(*[S("cli/prefix " + prefix, [prefix] + value + SHOW_ARGS)
      for prefix, value in PREFIXES.items()], category="command line")

# ------------------------------------------------------------ -r edges
# Read as C's sscanf("%d:%d"): blanks and signs, trailing text ignored,
# overflowing values truncated; s 1-31 and r 0-31. Each value is tried on a
# live child: TERM is sent, and whatever arrives is recorded.
REWRITE_VALUES = [
    "15:3", " 15:3", "\t15:3", "+15:3", "15:+3", "15: 3", "15 :3", "15:3xyz",
    "15:3:4", "015:03", "0x0f:3", "1e1:3", "15:0", "15:-0", "-15:3", "15:-1",
    "0:3", "32:3", "15:32", "31:31", "1:31", "15", "15:", ":3", "", "abc",
    "4294967311:3", "15:4294967299", "2147483648:3", "-4294967281:3",
    "15:3 trailing", "\u0661\u0665:3",
]
add(*[
    S("rewrite/value %r" % value,
      ["-r", value] + helper("--exit-on", "1,2,3,15,31"),
      steps=[send(TERM), send(INT)])
    for value in REWRITE_VALUES
], category="-r values")

add(
    S("rewrite/to another signal reaches the group",
      ["-r", "10:12"] + helper("--jobs", 1), steps=[send(USR1), send(TERM)]),
    S("rewrite/to 0 drops the signal",
      ["-r", "10:0"] + helper("--jobs", 1), steps=[send(USR1), send(USR2), send(TERM)]),
    S("rewrite/to 0 drops the signal single-child",
      ["-c", "-r", "10:0"] + helper(), steps=[send(USR1), send(USR2), send(TERM)]),
    S("rewrite/the last rewrite of a signal wins",
      ["-r", "10:2", "-r", "10:12"] + helper(), steps=[send(USR1), send(TERM)]),
    S("rewrite/chains are not followed",
      ["-r", "10:12", "-r", "12:2"] + helper(), steps=[send(USR1), send(USR2), send(TERM)]),
    S("rewrite/verbose translation lines",
      ["-v", "-r", "10:12", "-r", "12:0"] + helper(),
      steps=[send(USR1), send(USR2), send(TERM)]),
    S("rewrite/final SIGTERM goes through the table",
      ["-r", "15:10"] + sh("exit 4")),
    S("rewrite/final SIGTERM rewritten reaches lingering jobs",
      ["-r", "15:10"] + helper("--jobs", 1, "--exit-on", "10,15"),
      steps=[send(TERM, to="child")]),
    S("rewrite/final SIGTERM dropped leaves jobs running",
      ["-v", "-r", "15:0"] + helper("--jobs", 1, "--exit", 0)),
    S("rewrite/SIGCHLD rewrite is not used for reaping",
      ["-r", "17:10"] + helper(), steps=[send(CHLD), send(TERM)]),
    S("rewrite/a rewrite to SIGKILL",
      ["-r", "10:9"] + helper("--jobs", 1), steps=[send(USR1)]),
    category="rewrites")

# ------------------------------------------------------------ environment
ENVIRONMENT = [
    ("debug exactly 1", {"DUMB_INIT_DEBUG": "1"}, SHOW_ARGS),
    ("debug 0", {"DUMB_INIT_DEBUG": "0"}, SHOW_ARGS),
    ("debug empty", {"DUMB_INIT_DEBUG": ""}, SHOW_ARGS),
    ("debug 01", {"DUMB_INIT_DEBUG": "01"}, SHOW_ARGS),
    ("debug true", {"DUMB_INIT_DEBUG": "true"}, SHOW_ARGS),
    ("debug with a space", {"DUMB_INIT_DEBUG": "1 "}, SHOW_ARGS),
    ("debug with verbose flag", {"DUMB_INIT_DEBUG": "1"}, ["-v"] + SHOW_ARGS),
    ("debug without a command", {"DUMB_INIT_DEBUG": "1"}, []),
    ("debug with help", {"DUMB_INIT_DEBUG": "1"}, ["-h"]),
    ("setsid exactly 0", {"DUMB_INIT_SETSID": "0"}, helper()),
    ("setsid 1", {"DUMB_INIT_SETSID": "1"}, helper()),
    ("setsid empty", {"DUMB_INIT_SETSID": ""}, helper()),
    ("setsid 00", {"DUMB_INIT_SETSID": "00"}, helper()),
    ("setsid false", {"DUMB_INIT_SETSID": "false"}, helper()),
    ("setsid 0 verbose", {"DUMB_INIT_SETSID": "0", "DUMB_INIT_DEBUG": "1"}, helper()),
    ("setsid 0 and -c", {"DUMB_INIT_SETSID": "0"}, ["-c", "-v"] + helper()),
    ("setsid 0 without a command", {"DUMB_INIT_SETSID": "0", "DUMB_INIT_DEBUG": "1"}, ["-v"]),
]
add(*[S("env/" + name, argv, env=env, steps=[send(TERM)] if "helper.py" in str(argv) else [])
      for name, env, argv in ENVIRONMENT], category="environment")

# ------------------------------------------------------------ exec
EXEC = [
    S("exec/missing absolute path", ["/nonexistent/command", "x"]),
    S("exec/missing in PATH", ["no-such-command-here"]),
    S("exec/missing verbose", ["-v", "no-such-command-here"]),
    S("exec/directory", [DIR]),
    S("exec/file without execute permission", [DIR + "/noexec"],
      files={"noexec": ("echo never\n", 0o644)}),
    S("exec/PATH skips a non-executable file",
      ["true"], env={"PATH": DIR + ":/usr/bin:/bin"}, files={"true": ("exit 9\n", 0o644)}),
    S("exec/PATH with only a non-executable file", ["true-ish"], env={"PATH": DIR},
      files={"true-ish": ("exit 9\n", 0o644)}),
    S("exec/script without #! runs with /bin/sh", [DIR + "/plain", "x", "y"],
      files={"plain": ('echo "plain script $0 $*"; exit 4\n', 0o755)}),
    S("exec/script without #! found in PATH", ["plain", "x"], env={"PATH": DIR + ":/usr/bin:/bin"},
      files={"plain": ('echo "plain script $0 $*"; exit 4\n', 0o755)}),
    S("exec/missing interpreter", [DIR + "/bad"], files={"bad": ("#!/nonexistent/sh\n", 0o755)}),
    S("exec/PATH unset uses the default path", ["sh", "-c", "echo $0"], env={"PATH": None}),
    S("exec/empty PATH means the current directory", ["plain"], env={"PATH": ""},
      files={"plain": ("echo from cwd; exit 6\n", 0o755)}),
    S("exec/name too long for PATH search", ["x" * 300]),
    S("exec/name of 255 bytes is searched", ["n" * 255]),
    S("exec/name of 256 bytes is too long", ["n" * 256]),
    S("exec/PATH longer than PATH_MAX", ["true"], env={"PATH": "/x" * 2100 + ":/usr/bin:/bin"}),
    S("exec/PATH entry longer than the rest", ["true"],
      env={"PATH": "/usr/bin:" + "/y" * 2100}),
    S("exec/PATH entry that is a file", ["sh", "-c", "exit 4"],
      env={"PATH": DIR + "/afile:/usr/bin:/bin"}, files={"afile": ("", 0o755)}),
    S("exec/PATH search stops at a symlink loop", ["true"],
      env={"PATH": DIR + "/loop:/usr/bin:/bin"}, files={"loop": ("loop", "symlink")}),
    S("exec/symlink loop", [DIR + "/loop/x"], files={"loop": ("loop", "symlink")}),
    S("exec/invalid ELF file runs with /bin/sh", [DIR + "/badelf"],
      files={"badelf": (b"\x7fELF\x02\x01\x01" + bytes(57) + b"\n", 0o755)}),
    S("exec/interpreter without execute permission", [DIR + "/indirect"],
      files={"indirect": ("#!" + DIR + "/interp\n", 0o755), "interp": ("", 0o644)}),
    S("exec/non-UTF-8 path", [DIR.encode() + b"/\xff\xfe"],
      files={"\udcff\udcfe": ("echo raw name; exit 8\n", 0o755)}),
    S("exec/shebang with dumb-init and a shell", [DIR + "/via-shebang", "one", "two"], direct=True,
      files={"via-shebang": ('#!{bin} /bin/sh\necho "shebang $# $1 $2"; exit 5\n', 0o755)}),
    S("exec/shebang with -c and a shell", [DIR + "/via-shebang-c", "one"], direct=True,
      files={"via-shebang-c": ('#!{bin} -c /bin/sh\necho "shebang -c $1"; exit 5\n', 0o755)}),
    # The kernel passes the rest of a #! line as one argument: "-v /bin/sh".
    # (A #! line naming dumb-init with no shell would run the script under
    # dumb-init again and again: no such scenario.)
    S("exec/shebang with -v and a shell", [DIR + "/via-shebang-v"], direct=True,
      files={"via-shebang-v": ("#!{bin} -v /bin/sh\necho unreachable\n", 0o755)}),
]
add(*EXEC, category="exec")

# ------------------------------------------------------------ exit status
add(*[S("exit/" + name, argv, timeout=3) for name, argv in [
    ("code 0", sh("exit 0")),
    ("code 1", sh("exit 1")),
    ("code 2", sh("exit 2")),
    ("code 127", sh("exit 127")),
    ("code 255", sh("exit 255")),
    ("killed by SIGSEGV", sh("kill -SEGV $$")),
    ("killed by SIGKILL", sh("kill -KILL $$")),
    ("killed by SIGTERM", sh("kill -TERM $$")),
    ("killed by SIGUSR1 single-child", ["-c"] + sh("kill -USR1 $$")),
    ("killed by SIGABRT verbose", ["-v"] + sh("kill -ABRT $$")),
    ("code 3 verbose single-child", ["-v", "-c"] + sh("exit 3")),
    ("killed by a real-time signal", sh("kill -40 $$")),
    ("killed by SIGRTMAX single-child verbose", ["-v", "-c"] + sh("kill -64 $$")),
    ("output on both streams", sh("echo to-stdout; echo to-stderr >&2; exit 1")),
]], category="exit status")

# ------------------------------------------------------------ signals
# Every standard signal that can be caught and forwarded, and real-time ones,
# in both modes: sent to dumb-init, then SIGTERM ends the run. A background
# job in the child's process group shows who gets each signal.
FORWARDED = [s for s in range(1, 32) if s not in (KILL, STOP, TSTP, TTIN, TTOU)]
for mode, options in MODES.items():
    add(*[
        S("signal/%s/%s" % (mode, _signal.Signals(number).name if number < 32 else number),
          options + helper("--jobs", 1), steps=[send(number), send(TERM)])
        for number in FORWARDED + [RTMIN_2, RTMAX]
    ], category="signals")

add(
    S("signal/setsid/verbose USR1 then TERM", ["-v"] + helper(),
      steps=[send(USR1), send(TERM)]),
    S("signal/setsid/burst in order", helper("--jobs", 1),
      steps=[send(s) for s in (USR1, USR2, HUP, WINCH, RTMIN_2, INT, QUIT)] + [send(TERM)]),
    S("signal/setsid/SIGKILL to the child", helper("--jobs", 1), steps=[send(KILL, to="child")]),
    S("signal/single-child/SIGKILL to the child", ["-c"] + helper("--jobs", 1),
      steps=[send(KILL, to="child")]),
    S("signal/setsid/SIGKILL to the child verbose", ["-v"] + helper(),
      steps=[send(KILL, to="child")]),
    S("signal/setsid/child ignoring SIGTERM keeps running", helper("--exit-on", "none"),
      steps=[send(TERM), send(TERM), states("after two SIGTERMs"), send(KILL, to="child")]),
    # The highest real-time signal ends the storm: every signal pending
    # before it is taken (and forwarded) first.
    S("signal/setsid/storm of signals", helper("--jobs", 1, "--exit-on", RTMAX),
      records="counted", steps=[storm([USR1, USR2, WINCH, RTMIN_2, HUP], 200), send(RTMAX)]),
    S("signal/single-child/storm of signals", ["-c"] + helper("--exit-on", RTMAX),
      records="counted", steps=[storm([USR1, USR2, WINCH, RTMIN_2, HUP], 200), send(RTMAX)]),
    S("signal/setsid/SIGKILL to dumb-init leaves the child running", helper("--jobs", 1),
      steps=[send(KILL)]),
    # The states step after SIGCONT lets dumb-init take the SIGCHLD of the
    # child's continuing before SIGTERM comes: pending together, the lower
    # number (TERM) would be taken first, and the verbose lines' order would
    # be the runner's timing, not dumb-init's.
    S("signal/setsid/child stops itself and is continued", ["-v"] + helper("--stop-self", 1),
      steps=[wait_stopped("child"), states("child stopped"), send(CONT),
             states("child continued"), send(TERM)]),
    S("signal/single-child/child stops itself and is continued",
      ["-c", "-v"] + helper("--stop-self", 1),
      steps=[wait_stopped("child"), states("child stopped"), send(CONT),
             states("child continued"), send(TERM)]),
    S("signal/setsid/child exits on its own signal", helper("--exit-on", "10", "--exit-code", "7"),
      steps=[send(USR1)]),
    S("signal/setsid/SIGSTOP to dumb-init then SIGCONT", helper("--jobs", 1),
      steps=[send(STOP), wait_stopped(), states("stopped"), send(CONT), states("continued"),
             send(TERM)]),
    category="signals")

# ------------------------------------------------------------ job control
for mode, options in MODES.items():
    for number in (TSTP, TTIN, TTOU):
        name = _signal.Signals(number).name
        add(S("job control/%s/%s" % (mode, name), options + helper("--jobs", 1),
              steps=[send(number), wait_stopped(), states("after " + name), send(CONT),
                     states("after SIGCONT"), send(TERM)]), category="job control")
add(
    S("job control/setsid/SIGTSTP rewritten by the user", ["-r", "20:10"] + helper("--jobs", 1),
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT), send(TERM)]),
    S("job control/setsid/SIGTSTP rewritten to 0", ["-r", "20:0"] + helper(),
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT), send(TERM)]),
    # As for "child stops itself and is continued": the states step lets
    # dumb-init take the continue's SIGCHLD before SIGTERM comes.
    S("job control/setsid/SIGTSTP verbose", ["-v"] + helper(),
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT),
             states("after SIGCONT"), send(TERM)]),
    S("job control/DUMB_INIT_SETSID=0/SIGTSTP", helper(), env={"DUMB_INIT_SETSID": "0"},
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT), send(TERM)]),
    S("job control/single-child/SIGTTIN rewritten to SIGSTOP", ["-c", "-r", "21:19"] + helper(),
      steps=[send(TTIN), wait_stopped(), states("after SIGTTIN"), send(CONT), send(TERM)]),
    category="job control")

# ------------------------------------------------------------ process tree
add(
    S("tree/setsid child leads a new session", helper("--jobs", 2), steps=[send(TERM)]),
    S("tree/single-child shares dumb-init's session", ["-c"] + helper("--jobs", 1),
      steps=[send(TERM)]),
    S("tree/cwd of child kept, supervisor moves to /", ["-v"] + sh("pwd; exit 0")),
    S("tree/signal state of the child", SIGNAL_SETS),
    S("tree/signal state of the child single-child", ["-c"] + SIGNAL_SETS),
    S("tree/group gets SIGTERM when the child is killed", helper("--jobs", 2),
      steps=[send(KILL, to="child")]),
    S("tree/group gets SIGTERM when the child exits", ["-v"] + helper("--jobs", 2, "--exit", 5)),
    S("tree/single-child: jobs outlive the child", ["-c"] + helper("--jobs", 1, "--exit", 5)),
    category="process tree")

# ------------------------------------------------------------ inherited state
add(
    S("inherit/ignored standard signals are reset", SIGNAL_SETS,
      ignore=[HUP, INT, QUIT, USR1, 13, TERM, 25, WINCH]),
    S("inherit/ignored standard signals are reset single-child", ["-c"] + SIGNAL_SETS,
      ignore=[HUP, INT, QUIT, USR1, 13, TERM, 25, WINCH]),
    S("inherit/ignored SIGCHLD does not break reaping", sh("sleep 0.05 & exit 3"), ignore=[CHLD]),
    S("inherit/ignored real-time signals stay ignored", SIGNAL_SETS,
      ignore=[34, RTMIN_2, 50, RTMAX]),
    S("inherit/ignored real-time signals stay ignored single-child", ["-c"] + SIGNAL_SETS,
      ignore=list(range(34, 65))),
    S("inherit/ignored real-time signals stay ignored as PID 1", SIGNAL_SETS,
      ignore=[34, RTMIN_2, 50, RTMAX], where="pidns"),
    S("inherit/blocked signals are unblocked", SIGNAL_SETS, block=[USR1, TERM, RTMIN_2]),
    S("inherit/ignored SIGTERM still forwarded", helper("--jobs", 1), ignore=[TERM],
      steps=[send(TERM)]),
    S("inherit/no stdin verbose", ["-v"] + sh("exit 3"), close=[0]),
    S("inherit/no stdin single-child", ["-c", "-v"] + sh("exit 3"), close=[0]),
    S("inherit/closed stdout", sh("echo lost; echo status $? >&2; exit 0"), close=[1]),
    S("inherit/closed stdout verbose", ["-v"] + sh("exit 0"), close=[1]),
    S("inherit/closed stderr exec failure", ["/nonexistent"], close=[2]),
    S("inherit/closed stdin stdout stderr", sh("exit 5"), close=[0, 1, 2]),
    category="inherited state")

# ------------------------------------------------------------ terminal
add(
    S("tty/setsid child takes the terminal", helper("--jobs", 1), where="pty", steps=[send(TERM)]),
    S("tty/setsid verbose hand-off", ["-v"] + helper(), where="pty", steps=[send(TERM)]),
    S("tty/single-child keeps dumb-init's terminal", ["-c", "-v"] + helper("--jobs", 1),
      where="pty", steps=[send(TERM)]),
    S("tty/Ctrl-C reaches the child's group", helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x03"), send(TERM)]),
    S("tty/Ctrl-Z reaches the child's group", helper("--jobs", 1), where="pty",
      steps=[type_keys(b"\x1a"), send(TERM)]),
    S("tty/hangup reaches the session", helper("--exit-on", "1,15"), where="pty",
      steps=[hangup()]),
    S("tty/SIGTSTP stops the session", helper("--jobs", 1), where="pty",
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT), send(TERM)]),
    S("tty/SIGHUP after the hand-off is forwarded", ["-v"] + helper(), where="pty",
      steps=[send(HUP), send(CONT), send(TERM)]),
    S("tty/exit status and output", sh("echo on the terminal; exit 6"), where="pty"),
    # Without -v: whether the supervisor takes the hand-off SIGCONT before the
    # failed child's SIGCHLD is a race in both binaries, and the verbose lines
    # would show which won. Verbose exec failures are covered in plain mode.
    S("tty/exec failure", ["/nonexistent"], where="pty"),
    S("tty/stdin closed on a terminal", ["-v"] + helper(), where="pty", close=[0],
      steps=[send(TERM)]),
    S("tty/DUMB_INIT_SETSID=0 keeps the terminal", ["-v"] + helper(), where="pty",
      env={"DUMB_INIT_SETSID": "0"}, steps=[send(TERM)]),
    category="terminal")

# ------------------------------------------------------------ PID 1
add(
    S("pid1/zombies are reaped", helper("--zombies", 20), where="pidns", steps=[send(TERM)]),
    S("pid1/zombies are reaped single-child", ["-c"] + helper("--zombies", 20), where="pidns",
      steps=[send(TERM)]),
    S("pid1/docker stop reaches orphaned jobs", helper("--orphans", 2, "--wait-jobs", 1),
      where="pidns", steps=[send(TERM)]),
    S("pid1/docker stop single-child spares orphaned jobs",
      ["-c"] + helper("--orphans", 1, "--wait-jobs", 0.5), where="pidns", steps=[send(TERM)]),
    S("pid1/child runs as PID 2 in a new session", helper(), where="pidns", steps=[send(TERM)]),
    S("pid1/exit code", sh("exit 7"), where="pidns"),
    S("pid1/killed by a real-time signal", ["-v"] + sh("kill -50 $$"), where="pidns", timeout=3),
    S("pid1/verbose exit", ["-v"] + sh("exit 3"), where="pidns"),
    S("pid1/SIGKILL to the child", helper(), where="pidns", steps=[send(KILL, to="child")]),
    S("pid1/SIGKILL to dumb-init", helper("--jobs", 1), where="pidns", steps=[send(KILL)]),
    S("pid1/SIGCHLD from outside", helper(), where="pidns", steps=[send(CHLD), send(TERM)]),
    S("pid1/SIGTSTP from outside", helper("--jobs", 1), where="pidns",
      steps=[send(TSTP), wait_stopped(), states("after SIGTSTP"), send(CONT), send(TERM)]),
    category="PID 1")
for number in (HUP, INT, QUIT, USR1, USR2, WINCH, CONT, RTMIN_2, RTMAX):
    add(S("pid1/signal %d from outside" % number, helper("--jobs", 1), where="pidns",
          steps=[send(number), send(TERM)]), category="PID 1")

# ------------------------------------------------------------ containers
# An entrypoint script in the usual shape: two background jobs and a main
# loop, each reporting the signals it handles in /rec/<name>.log.
ENTRYPOINT = r"""#!/bin/sh
job() {
    trap "echo $1 got $2 >> /rec/$1.log; exit 0" $2
    echo ready > /rec/$1.ready
    while :; do sleep 0.05; done 2>/dev/null
}
job bg1 ${SIG:-TERM} &
job bg2 ${SIG:-TERM} &
trap 'echo main got ${SIG:-TERM} >> /rec/main.log
      i=0
      while [ $i -lt 50 ] && ! { [ -s /rec/bg1.log ] && [ -s /rec/bg2.log ]; }; do
          sleep 0.02; i=$((i+1))
      done
      exit 3' ${SIG:-TERM}
while [ ! -e /rec/bg1.ready ] || [ ! -e /rec/bg2.ready ]; do sleep 0.01; done
echo main ready; echo ready > /rec/main.ready
# The shell reports a sleep killed by a signal on stderr; whether the
# forwarded signal or the final one kills it is timing, so that is hidden.
while :; do sleep 0.05; done 2>/dev/null
"""
ZOMBIES = r"""#!/bin/sh
for i in 1 2 3 4 5 6 7 8; do sh -c 'sleep 0.01 & sleep 0.02 & exit 0'; done
i=0
while [ $i -lt 100 ]; do
    n=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')
    [ "$n" = 0 ] && break
    sleep 0.02; i=$((i+1))
done
echo "zombies left: $n"
exit 4
"""
ENTRY = {"entry.sh": (ENTRYPOINT, 0o755)}
STOP_STEPS = [wait_files("main.ready"), send(TERM)]
add(
    S("runc/docker stop reaches background jobs", ["/rec/entry.sh"], where="runc",
      files=ENTRY, steps=STOP_STEPS, timeout=15),
    S("runc/docker stop single-child", ["-c", "/rec/entry.sh"], where="runc",
      files=ENTRY, steps=STOP_STEPS, timeout=15),
    S("runc/docker stop rewritten to SIGUSR1 for jobs",
      ["-r", "15:10", "/bin/env", "SIG=USR1", "/rec/entry.sh"], where="runc", files=ENTRY,
      steps=STOP_STEPS, timeout=15),
    S("runc/zombies are reaped", ["/rec/zombies.sh"], where="runc",
      files={"zombies.sh": (ZOMBIES, 0o755)}, timeout=15),
    S("runc/exit code verbose", ["-v", "/bin/sh", "-c", "exit 7"], where="runc", timeout=15),
    S("runc/exec failure", ["/nonexistent"], where="runc", timeout=15),
    S("runc/fork fails under a pids limit", ["-v", "/bin/true"], where="runc", pids_limit=1,
      timeout=15),
    category="container")

# ------------------------------------------------------------ extensions
# Ours accepts these on purpose; the reference must reject each.
EXTENSIONS = [
    ("--subreaper", ["--subreaper"], "unrecognized option '--subreaper'"),
    ("--grace-period=S", ["--grace-period=0.5"], "unrecognized option '--grace-period=0.5'"),
    ("--grace-period S", ["--grace-period", "1"], "unrecognized option '--grace-period'"),
    ("-r with names", ["-r", "TERM:QUIT"], "Usage: -r option takes <signum>:<signum>"),
    ("--rewrite with SIG prefix", ["--rewrite", "SIGTERM:3"], "Usage: -r option takes"),
    ("-r with lower-case name to 0", ["-r", "usr1:0"], "Usage: -r option takes"),
    ("--delay=SIG:S", ["--delay=TERM:0.5"], "unrecognized option '--delay=TERM:0.5'"),
    ("--delay SIG:S", ["--delay", "INT:1"], "unrecognized option '--delay'"),
    ("--remap-exit=A:B", ["--remap-exit=143:0"], "unrecognized option '--remap-exit=143:0'"),
    ("--remap-exit A:B", ["--remap-exit", "1:0"], "unrecognized option '--remap-exit'"),
    ("--pdeathsig=SIG", ["--pdeathsig=TERM"], "unrecognized option '--pdeathsig=TERM'"),
    ("--pdeathsig SIG", ["--pdeathsig", "HUP"], "unrecognized option '--pdeathsig'"),
]
add(*[S("extension/" + name, argv + sh("exit 0"), reference_expects=(1, words), ours_expects=0)
      for name, argv, words in EXTENSIONS], category="extensions")
# Ours checks every --grace-period value in turn, so a bad first one is refused
# even when a good one follows; the reference refuses the option itself.
add(S("extension/--grace-period bad then good",
      ["--grace-period", "x", "--grace-period", "1"] + sh("exit 0"),
      reference_expects=(1, "unrecognized option '--grace-period'"), ours_expects=1),
    category="extensions")

# The extensions' variables: the reference ignores them and runs the command
# as always; ours acts on them, or refuses a bad value before starting it.
add(
    S("extension/DUMB_INIT_REMAP_EXIT maps the command's status", sh("exit 3"),
      env={"DUMB_INIT_REMAP_EXIT": "3:0"}, reference_expects=(3, ""), ours_expects=0),
    S("extension/--remap-exit leaves dumb-init's own usage error alone", ["--remap-exit", "1:0"],
      reference_expects=(1, "unrecognized option '--remap-exit'"), ours_expects=1),
    S("extension/bad DUMB_INIT_REMAP_EXIT is refused", sh("exit 0"),
      env={"DUMB_INIT_REMAP_EXIT": "300:0"}, reference_expects=(0, ""), ours_expects=1),
    S("extension/bad DUMB_INIT_DELAY is refused", sh("exit 0"),
      env={"DUMB_INIT_DELAY": "TERM"}, reference_expects=(0, ""), ours_expects=1),
    S("extension/bad DUMB_INIT_PDEATHSIG is refused", sh("exit 0"),
      env={"DUMB_INIT_PDEATHSIG": "NOPE"}, reference_expects=(0, ""), ours_expects=1),
    S("extension/DUMB_INIT_DELAY with the command exiting at once", sh("exit 5"),
      env={"DUMB_INIT_DELAY": "TERM:5"}, reference_expects=(5, ""), ours_expects=5),
    # Periods beyond MAX_SECONDS (src/option_values.rs) are refused, never a
    # crash; the reference knows neither option nor variable.
    S("extension/--grace-period too long is refused",
      ["--grace-period=18446744073709551615"] + sh("exit 0"),
      reference_expects=(1, "unrecognized option '--grace-period=18446744073709551615'"),
      ours_expects=1),
    S("extension/--delay too long is refused", ["--delay", "TERM:1e309"] + sh("exit 0"),
      reference_expects=(1, "unrecognized option '--delay'"), ours_expects=1),
    S("extension/DUMB_INIT_GRACE_PERIOD too long is refused", sh("exit 0"),
      env={"DUMB_INIT_GRACE_PERIOD": "18446744073709551615"}, reference_expects=(0, ""),
      ours_expects=1),
    S("extension/DUMB_INIT_GRACE_PERIOD too long is refused as PID 1", sh("exit 0"),
      env={"DUMB_INIT_GRACE_PERIOD": "inf"}, where="pidns", reference_expects=(0, ""),
      ours_expects=1),
    category="extensions")

# ------------------------------------------------------------ extensions: start and hooks
# What the command starts with (--rlimit, --umask, --socket-activation) and
# the hooks of --on-signal. Each command's exit status shows whether the
# option or variable acted: 0 when it did, 9 when it did not. The reference
# refuses each option, and ignores each variable, so runs the command and
# exits 9; ours exits 0.
RLIMIT_CHECK = sh('[ "$(ulimit -n)" = 1000 ] && exit 0 || exit 9')
# Soft limits below the usual hard ones: raising a hard limit would need
# CAP_SYS_RESOURCE. The stack is in KiB for ulimit -s.
RLIMITS_CHECK = sh('[ "$(ulimit -n)" = 1000 ] && [ "$(ulimit -s)" = 4096 ] && exit 0 || exit 9')
UMASK_CHECK = sh('[ "$(umask)" = 0027 ] && exit 0 || exit 9')
# As PID 1 of a namespace dumb-init is PID 1 and the command PID 2.
LISTEN_CHECK = sh('[ "$LISTEN_PID" = $$ ] && exit 0 || exit 9')
# The command has dumb-init (its parent in setsid mode) receive SIGTERM; the
# hook, run first, leaves a file whose name holds a comma (a hook's command
# is one value, commas included); the trap exits 0 only if it is there.
HOOK_CHECK = sh('exec 2>/dev/null; trap "[ -e a,b ] && exit 0 || exit 9" TERM; '
                'kill -TERM $PPID; while :; do sleep 0.05; done')
HOOK = "TERM:touch a,b"
add(
    S("extension/--rlimit=R=S sets the command's limit", ["--rlimit=NOFILE=1000"] + RLIMIT_CHECK,
      reference_expects=(1, "unrecognized option '--rlimit=NOFILE=1000'"), ours_expects=0),
    S("extension/--rlimit R=S twice", ["--rlimit", "NOFILE=1000", "--rlimit", "stack=4194304"]
      + RLIMITS_CHECK,
      reference_expects=(1, "unrecognized option '--rlimit'"), ours_expects=0),
    S("extension/DUMB_INIT_RLIMIT sets the command's limit", RLIMIT_CHECK,
      env={"DUMB_INIT_RLIMIT": "NOFILE=1000"}, reference_expects=(9, ""), ours_expects=0),
    S("extension/DUMB_INIT_RLIMIT with two items", RLIMITS_CHECK,
      env={"DUMB_INIT_RLIMIT": "NOFILE=1000,RLIMIT_STACK=4194304"}, reference_expects=(9, ""),
      ours_expects=0),
    S("extension/DUMB_INIT_RLIMIT as PID 1", RLIMIT_CHECK, where="pidns",
      env={"DUMB_INIT_RLIMIT": "NOFILE=1000"}, reference_expects=(9, ""), ours_expects=0),
    S("extension/--umask=OCTAL sets the command's umask", ["--umask=027"] + UMASK_CHECK,
      reference_expects=(1, "unrecognized option '--umask=027'"), ours_expects=0),
    S("extension/--umask OCTAL", ["--umask", "27"] + UMASK_CHECK,
      reference_expects=(1, "unrecognized option '--umask'"), ours_expects=0),
    S("extension/DUMB_INIT_UMASK sets the command's umask", UMASK_CHECK,
      env={"DUMB_INIT_UMASK": "027"}, reference_expects=(9, ""), ours_expects=0),
    S("extension/DUMB_INIT_UMASK as PID 1", UMASK_CHECK, where="pidns",
      env={"DUMB_INIT_UMASK": "0027"}, reference_expects=(9, ""), ours_expects=0),
    S("extension/--socket-activation names the command in LISTEN_PID",
      ["--socket-activation"] + LISTEN_CHECK, where="pidns",
      env={"LISTEN_PID": "1", "LISTEN_FDS": "1"},
      reference_expects=(1, "unrecognized option '--socket-activation'"), ours_expects=0),
    S("extension/DUMB_INIT_SOCKET_ACTIVATION names the command in LISTEN_PID", LISTEN_CHECK,
      where="pidns", env={"LISTEN_PID": "1", "LISTEN_FDS": "1",
                          "DUMB_INIT_SOCKET_ACTIVATION": "1"},
      reference_expects=(9, ""), ours_expects=0),
    # LISTEN_PID naming another process is left alone: 9 from both.
    S("extension/--socket-activation leaves another process's LISTEN_PID",
      ["--socket-activation"] + LISTEN_CHECK, where="pidns",
      env={"LISTEN_PID": "12345", "LISTEN_FDS": "1"},
      reference_expects=(1, "unrecognized option '--socket-activation'"), ours_expects=9),
    S("extension/--on-signal=SIG:CMD runs the hook before passing SIG on",
      ["--on-signal=" + HOOK] + HOOK_CHECK,
      reference_expects=(1, "unrecognized option '--on-signal=TERM:touch a,b'"), ours_expects=0),
    S("extension/--on-signal SIG:CMD as PID 1", ["--on-signal", HOOK] + HOOK_CHECK,
      where="pidns", reference_expects=(1, "unrecognized option '--on-signal'"), ours_expects=0),
    S("extension/DUMB_INIT_ON_SIGNAL runs the hook before passing SIG on", HOOK_CHECK,
      env={"DUMB_INIT_ON_SIGNAL": HOOK}, reference_expects=(9, ""), ours_expects=0),
    S("extension/DUMB_INIT_ON_SIGNAL as PID 1", HOOK_CHECK, where="pidns",
      env={"DUMB_INIT_ON_SIGNAL": HOOK}, reference_expects=(9, ""), ours_expects=0),
    # A hook that fails is told, and the signal still goes on: the trap's 0.
    S("extension/--on-signal with a failing hook", ["--on-signal", "TERM:touch a,b; exit 3"]
      + HOOK_CHECK, reference_expects=(1, "unrecognized option '--on-signal'"), ours_expects=0),
    category="extensions")

# Bad values: ours refuses them (one line, exit 1) before starting the
# command; the reference refuses the option, or ignores the variable and
# runs the command (exit 0).
add(*[S("extension/bad %s" % name, argv + sh("exit 0"),
        reference_expects=(1, "unrecognized option '%s'" % argv[0]), ours_expects=1)
      for name, argv in [
          ("--rlimit resource", ["--rlimit", "FILES=1"]),
          ("--rlimit refused by the kernel", ["--rlimit", "NOFILE=10:5"]),
          ("--umask", ["--umask", "8"]),
          ("--on-signal without a command", ["--on-signal", "TERM:"]),
          ("--on-signal for SIGKILL", ["--on-signal", "KILL:true"]),
      ]], category="extensions")
add(*[S("extension/bad %s" % name, sh("exit 0"), env=env, reference_expects=(0, ""),
        ours_expects=1)
      for name, env in [
          ("DUMB_INIT_RLIMIT value", {"DUMB_INIT_RLIMIT": "NOFILE=lots"}),
          ("DUMB_INIT_RLIMIT second item", {"DUMB_INIT_RLIMIT": "NOFILE=1000,BOGUS=1"}),
          ("DUMB_INIT_RLIMIT refused by the kernel", {"DUMB_INIT_RLIMIT": "NOFILE=10:5"}),
          ("DUMB_INIT_UMASK", {"DUMB_INIT_UMASK": "999"}),
          ("DUMB_INIT_ON_SIGNAL without a command", {"DUMB_INIT_ON_SIGNAL": "TERM:"}),
          ("DUMB_INIT_ON_SIGNAL signal", {"DUMB_INIT_ON_SIGNAL": "NOPE:true"}),
          # The reference honours DUMB_INIT_SETSID=0 and ignores the other.
          ("DUMB_INIT_TREE with DUMB_INIT_SETSID=0",
           {"DUMB_INIT_TREE": "1", "DUMB_INIT_SETSID": "0"}),
      ]], category="extensions")
# The switches' variables act only on exactly 1, as DUMB_INIT_DEBUG does:
# any other value changes nothing, so these are compared with the
# reference like any scenario.
add(
    S("extension/DUMB_INIT_SOCKET_ACTIVATION other than 1 does nothing", LISTEN_CHECK,
      where="pidns", env={"LISTEN_PID": "1", "DUMB_INIT_SOCKET_ACTIVATION": "yes"}),
    S("extension/without socket activation LISTEN_PID stays", LISTEN_CHECK, where="pidns",
      env={"LISTEN_PID": "1"}),
    S("extension/DUMB_INIT_TREE and DUMB_INIT_WAIT_TREE other than 1 do nothing",
      ["-v"] + sh("exit 4"), env={"DUMB_INIT_TREE": "true", "DUMB_INIT_WAIT_TREE": "01"}),
    category="extensions")

# ------------------------------------------------------------ extensions: the tree
# --tree and --wait-tree with each kind of process that leaves the command's
# process group or is orphaned: a daemon that called setsid(), one that
# forked twice (its parent gone), a job of a shell with job control (a group
# of its own), a job in the command's own group, and a daemon whose starting
# script has exited (orphaned, in the command's group).
#
# member.py records what it receives; start.sh is the command. Under --tree
# the command stays as the "main" member: it has dumb-init receive
# SIGRTMIN+2 then SIGTERM, and checks that the member and itself got each
# exactly once (real-time signals queue, so one sent twice would be counted
# twice): exit 0, 8 for wrong counts, 9 when the member never finished.
# Under --wait-tree the command exits 5 once the member is ready, and
# relay.sh checks the rest.
MEMBER_PY = r'''"""member.py DIR NAME END [WATCH]: a member of the command's tree.
Every signal it can block is blocked and taken one by one: each, but
SIGCHLD, is one line of NAME.log, and the first of each number leaves
NAME.<number>. On END it also takes what comes within 0.2 s, then writes
its log and NAME.done and ends. NAME.up, holding its PID, says it is
ready. After 30 s without a signal it ends anyway, so that nothing
outlives a run that went wrong. With WATCH it is the main member,
dumb-init's child: it sends dumb-init SIGRTMIN+2, and SIGTERM once it and
WATCH have got that (or after 5 s); once its own log is written it waits
up to 5 s for WATCH.done and exits 0 if each of them got SIGRTMIN+2 and
SIGTERM once and nothing else, 8 if not, 9 (having killed it) if WATCH
never finished."""
import os, signal, sys, time
work, name, end = sys.argv[1], sys.argv[2], int(sys.argv[3])
watch = sys.argv[4] if len(sys.argv) > 4 else None
catchable = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]
signal.pthread_sigmask(signal.SIG_BLOCK, catchable)
path = lambda who, suffix: os.path.join(work, who + suffix)
touch = lambda suffix: open(path(name, suffix), "w").close()
got = []

def take(timeout):
    while True:
        info = signal.sigtimedwait(catchable, timeout)
        if info is None or info.si_signo != signal.SIGCHLD:
            return info and info.si_signo

def wait_for(file):
    deadline = time.monotonic() + 5
    while not os.path.exists(file) and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.path.exists(file)

with open(path(name, ".up.tmp"), "w") as up:
    up.write(str(os.getpid()))
os.rename(path(name, ".up.tmp"), path(name, ".up"))
if watch:
    os.kill(os.getppid(), 36)
while True:
    number = take(30)
    if number is None:
        break
    if number not in got:
        touch(".%d" % number)
        if watch and number == 36:
            wait_for(path(watch, ".36"))
            os.kill(os.getppid(), signal.SIGTERM)
    got.append(number)
    if number == end:
        while True:
            number = take(0.2)
            if number is None:
                break
            got.append(number)
        break
with open(path(name, ".log"), "w") as log:
    log.write("".join("%d\n" % n for n in got))
touch(".done")
if watch:
    if not wait_for(path(watch, ".done")):
        with open(path(watch, ".up")) as up:
            os.kill(int(up.read()), signal.SIGKILL)
        sys.exit(9)
    with open(path(watch, ".log")) as log:
        theirs = [int(n) for n in log.read().split()]
    sys.exit(0 if sorted(got) == sorted(theirs) == [15, 36] else 8)
'''
START_SH = r'''#!/bin/bash
# start.sh SHAPE MODE: starts a member of that shape, waits until it is
# ready, then (tree) becomes the main member or (wait-tree) exits 5.
cd {dir}
shape=$1 mode=$2
end=15; [ $mode = wait-tree ] && end=10
member="PYTHON -S {dir}/member.py {dir}"
case $shape in
    setsid) setsid $member $shape $end & ;;
    double-fork) ( setsid $member $shape $end & ) ;;
    job-control) set -m; $member $shape $end & set +m ;;
    own-group) $member $shape $end & ;;
    script-orphan) bash -c "$member $shape $end &" ;;
esac
while [ ! -e $shape.up ]; do sleep 0.01; done
[ $mode = tree ] && exec $member main 15 $shape
: > exiting
exit 5
'''.replace("PYTHON", PYTHON)
# relay.sh SHAPE WHERE [OPTIONS]: runs dumb-init with OPTIONS and start.sh
# SHAPE wait-tree, as PID 1 of a namespace of its own when WHERE is pid1.
# Once the command has been reaped, it sends SIGUSR1 to dumb-init, which
# passes it on to the tree, and the member ends on it. It exits with
# dumb-init's status when the member got SIGUSR1 and nothing else (nothing
# was signalled when the command exited, and dumb-init stayed for it), 9
# when the member never got it, 8 when it got something else; with
# dumb-init's status at once when the command never started. The scenario
# runs it as PID 1 of a namespace, so that whatever is left ends with it.
RELAY_SH = r'''#!/bin/sh
cd {dir}
shape=$1 where=$2; shift 2
if [ $where = pid1 ]; then
    unshare --pid --fork --mount-proc --kill-child "{bin}" "$@" /bin/bash start.sh $shape wait-tree &
else
    "{bin}" "$@" /bin/bash start.sh $shape wait-tree &
fi
started=$!
kids() { cat /proc/$1/task/$1/children 2>/dev/null; }
running() { [ -n "$1" ] && [ -e /proc/$1 ] && ! grep -qs '^State:.*zombie' /proc/$1/status; }
has_child() {
    for kid in $(kids $1); do [ "$(cat /proc/$kid/comm 2>/dev/null)" = $2 ] && return 0; done
    return 1
}
init=$started
if [ $where = pid1 ]; then
    until [ -n "$(kids $started)" ] || ! running $started; do sleep 0.01; done
    init=$(kids $started)
fi
until [ -e exiting ] || ! running "$init"; do sleep 0.01; done
# The command is the only bash among dumb-init's children.
while running "$init" && has_child $init bash; do sleep 0.01; done
[ -e exiting ] && kill -USR1 $init 2>/dev/null
wait $started; status=$?
[ -e exiting ] || exit $status
[ -e $shape.done ] || exit 9
[ "$(cat $shape.log)" = 10 ] || exit 8
exit $status
'''
TREE_FILES = {"member.py": (MEMBER_PY, 0o644), "start.sh": (START_SH, 0o755),
              "relay.sh": (RELAY_SH, 0o755)}
SHAPES = ["setsid", "double-fork", "job-control", "own-group", "script-orphan"]
PLACES = {"": "plain", " as PID 1": "pidns"}
for shape in SHAPES:
    for label, where in PLACES.items():
        add(S("extension/--tree: %s gets each signal once%s" % (shape, label),
              ["--tree", "/bin/bash", DIR + "/start.sh", shape, "tree"], where=where,
              files=TREE_FILES, timeout=30,
              reference_expects=(1, "unrecognized option '--tree'"), ours_expects=0),
            category="extensions")
        add(S("extension/--wait-tree: %s is left alone, then gets SIGUSR1%s" % (shape, label),
              ["/bin/sh", DIR + "/relay.sh", shape, "pid1" if where == "pidns" else "no",
               "--wait-tree"], direct=True, where="pidns", files=TREE_FILES, timeout=30,
              reference_expects=(1, "unrecognized option '--wait-tree'"), ours_expects=5),
            category="extensions")
# The variables: the reference ignores them. Under DUMB_INIT_TREE=1 its
# main member waits for the setsid daemon in vain (9); under
# DUMB_INIT_WAIT_TREE=1 it exits with the command and the daemon never gets
# SIGUSR1 (9).
for label, where in PLACES.items():
    add(S("extension/DUMB_INIT_TREE reaches a setsid daemon%s" % label,
          ["/bin/bash", DIR + "/start.sh", "setsid", "tree"], env={"DUMB_INIT_TREE": "1"},
          where=where, files=TREE_FILES, timeout=30,
          reference_expects=(9, ""), ours_expects=0),
        category="extensions")
    add(S("extension/DUMB_INIT_WAIT_TREE stays for a setsid daemon%s" % label,
          ["/bin/sh", DIR + "/relay.sh", "setsid", "pid1" if where == "pidns" else "no"],
          direct=True, where="pidns", env={"DUMB_INIT_WAIT_TREE": "1"}, files=TREE_FILES,
          timeout=30, reference_expects=(9, ""), ours_expects=5),
        category="extensions")
