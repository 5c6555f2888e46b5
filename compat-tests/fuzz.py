"""The argv fuzzer, the project's only one: random command lines run by the
reference and by the binary under test, compared on exit status, stdout and
stderr as run.py normalises them (`streams`). A difference, a panic of ours
or a comparison that could not fail is a failure.

A case is argv[0], the arguments and the environment:
- arguments from the option alphabet: short options and clusters (some
  with an attached -r value), every prefix of the reference's long options,
  with and without `=value`, separate -r values, `--`; proper prefixes of
  the extensions' names (`--su`, `--gr`, `--del`...), which the reference
  refuses and ours must refuse too, since it takes an extension by its
  whole name only; -r values good and bad, from lists and built from parts
  the way sscanf("%d:%d") reads them (blanks, signs, overflow, trailing
  text, bytes that are not UTF-8); junk: random bytes, often not UTF-8,
  sometimes starting with `-`, and empty strings;
- then a command or none: true, false, echo, `sh -c 'exit N'`, output on
  both streams, a path that does not exist, an empty name, a name in bytes
  that are not UTF-8, `-c`; then junk arguments; now and then an argument
  of 131,000 bytes, just below the kernel's 128 KiB per string;
- argv[0]: the binary's path, now and then junk (empty included);
- sometimes DUMB_INIT_DEBUG and DUMB_INIT_SETSID with odd values (`01`,
  `1 `, `\\xff`, `0\\n`...), and a variable holding junk bytes.

PATH holds only true, false, echo and sh, so that a random name runs
nothing. After the random cases come fixed ones near ARG_MAX (`HUGE`).

The extensions differ from the reference on purpose (docs/extensions.md):
their whole names, their DUMB_INIT_* variables and signal names in -r values
(which ours reads) are never generated, and `ours_only` drops any case that
would hold one, as a guard against a change of the alphabet.
"""

import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import processes

# The reference's long options: any prefix of one is generated.
LONG = [b"single-child", b"rewrite", b"verbose", b"help", b"version"]
# Ours only (docs/extensions.md), with the ones still to come: never whole.
EXTENSIONS = [b"subreaper", b"grace-period", b"delay", b"remap-exit", b"pdeathsig",
              b"tree", b"wait-tree", b"rlimit", b"umask", b"socket-activation",
              b"on-signal"]
# The only variables a case may set: the reference's two.
VARIABLES = ("DUMB_INIT_DEBUG", "DUMB_INIT_SETSID")
SHORT = b"cvVhrxz?:-"
GOOD_REWRITES = [b"15:3", b"1:0", b"31:31", b"2:15", b"10:12", b"20:0", b"21:19", b"28:10"]
BAD_REWRITES = [
    b"0:1", b"32:1", b"1:32", b"-1:3", b"15", b"15:", b"", b"abc", b":3", b"15:3:4",
    b" 15:3", b"+15:3", b"15:3xyz", b"15:+3", b"15:-0", b"015:03", b"0x10:3", b"1 :2",
    b"15: 3", b"4294967311:3", b"15:4294967299", b"2147483648:1", b"\t7:7", b"1e1:2",
    b"31:-1", b"-0:0", b"15;3", b"15:3 ", "\uff19:1".encode(),
]
# Parts of built -r values: numbers as sscanf reads them, in and out of
# range, and what may follow the second one.
NUMBERS = [b"0", b"1", b"15", b"31", b"32", b"64", b"-1", b"+3", b" 7", b"\t9", b"07",
           b"0x1f", b"2147483647", b"4294967311", b"99999999999", b"", b"-0", b"+"]
TAILS = [b"", b"", b"", b"x", b":5", b" ", b"junk", "\u00e9".encode(), b"::"]
JUNK = [b"zz", b"", b" ", b"\xff\xfe", b"-\xff", b"--=", b"-=", b"=", b"---", b"--yolo",
        b"--x", b"-\t", b"--rewrite=", b"--verbose=1", b"--help=", b"--=x", b"-r="]
DEBUG_VALUES = [b"1", b"0", b"", b"01", b"true", b" 1", b"1 ", b"0 ", b"10", b"11", b"\xff"]
SETSID_VALUES = [b"0", b"1", b"", b"00", b" 0", b"0 ", b"01", b"false", b"\xfe", b"0\n", b"10"]
SAFE_COMMANDS = ["true", "false", "echo", "sh"]

# Signal names as ours reads them in -r (with or without SIG, any case).
SIGNAL_NAMES = {
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "IOT", "BUS", "FPE", "KILL", "USR1",
    "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CLD", "CONT", "STOP",
    "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",
    "POLL", "PWR", "SYS", "UNUSED",
}

# Fixed cases near ARG_MAX (2 MiB of strings and pointers on this kernel).
HUGE = [
    [b"true"] + [b"x"] * 170_000,
    [b"-v"] * 100_000 + [b"true"],
    [b"-r", b"1:2"] * 50_000 + [b"false"],
    [b"-r15:3" + b"z" * 130_000, b"true"],
    [b"-" * 130_000],
    [b"--", b"c" * 131_000],
    [b"-r", b"9" * 131_000, b"true"],
]

Case = namedtuple("Case", "argv0 argv env")
# What `streams` reads of a binary: its path, and its help and version
# stderr as this case's argv[0] makes them.
View = namedtuple("View", "path help version")


def junk(rng, most):
    """Random bytes (no NUL), often not UTF-8, sometimes an option."""
    data = bytes(rng.randint(1, 255) for _ in range(rng.randint(0, most)))
    return b"-" + data if rng.random() < 0.2 else data


def built_rewrite(rng):
    value = rng.choice(NUMBERS)
    if rng.random() < 0.9:
        value += b":"
    value += rng.choice(NUMBERS) + rng.choice(TAILS)
    return value + b"\xff" if rng.random() < 0.05 else value


def rewrite_value(rng):
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(GOOD_REWRITES)
    if kind < 0.75:
        return rng.choice(BAD_REWRITES)
    return built_rewrite(rng)


def prefix(rng, name, proper=False):
    return name[: rng.randint(1, len(name) - 1 if proper else len(name))]


def token(rng):
    kind = rng.random()
    if kind < 0.30:  # a short cluster
        text = b"-" + bytes(rng.choice(SHORT) for _ in range(rng.randint(1, 3)))
        if text.endswith(b"r") and rng.random() < 0.5:
            text += rewrite_value(rng)
        return [text]
    if kind < 0.52:  # a long option or a prefix of one
        text = b"--" + prefix(rng, rng.choice(LONG))
        if rng.random() < 0.3:
            text += b"=" + (rewrite_value(rng) if b"r" in text else rng.choice([b"1", b"", b"x"]))
        return [text]
    if kind < 0.58:  # a proper prefix of an extension
        text = b"--" + prefix(rng, rng.choice(EXTENSIONS), proper=True)
        return [text + b"=1" if rng.random() < 0.2 else text]
    if kind < 0.72:  # a separate -r value
        return [rng.choice([b"-r", b"--rewrite", b"--rew", b"-cr", b"-vr"]), rewrite_value(rng)]
    if kind < 0.77:  # an attached one
        return [rng.choice([b"-r", b"--rewrite=", b"-cr"]) + rewrite_value(rng)]
    if kind < 0.80:
        return [rewrite_value(rng)]
    if kind < 0.87:
        return [b"--"]
    if kind < 0.93:
        return [rng.choice(JUNK)]
    return [junk(rng, 12)]


def command(rng):
    kind = rng.random()
    if kind < 0.10:
        return []
    if kind < 0.25:
        return [b"true"]
    if kind < 0.30:
        return [b"false"]
    if kind < 0.35:
        return [b"echo"]
    if kind < 0.50:
        return [b"sh", b"-c", b"exit %d" % rng.randint(0, 255)]
    if kind < 0.58:
        return [b"sh", b"-c", b"echo out; echo err >&2"]
    if kind < 0.63:
        return [b"/bin/echo", b"\xc3\x28", b"a b"]
    if kind < 0.68:
        return [b"/nonexistent/x"]
    if kind < 0.72:
        return [b""]
    if kind < 0.82:  # a name that exists nowhere, often not UTF-8
        return [junk(rng, 16)]
    if kind < 0.87:
        return [b"-c"]
    return [b"true"]


def case(rng):
    argv = []
    for _ in range(rng.randint(0, 5)):
        argv += token(rng)
    argv += command(rng)
    for _ in range(rng.randint(0, 2) if rng.random() < 0.4 else 0):
        argv.append(junk(rng, 10))
    if rng.random() < 0.02:
        argv.insert(rng.randint(0, len(argv)), b"L" * 131_000)
    argv0 = junk(rng, 8) if rng.random() < 0.05 else None
    env = {}
    if rng.random() < 0.25:
        env["DUMB_INIT_DEBUG"] = rng.choice(DEBUG_VALUES)
    if rng.random() < 0.25:
        env["DUMB_INIT_SETSID"] = rng.choice(SETSID_VALUES)
    if rng.random() < 0.1:
        env["ODD_VALUE"] = junk(rng, 40)
    return Case(argv0, argv, env)


def names_a_signal(word):
    word = word.decode("latin-1").upper()
    return word in SIGNAL_NAMES or (word.startswith("SIG") and word[3:] in SIGNAL_NAMES)


def ours_only(case):
    """Whether the case holds something that only ours accepts."""
    for name in case.env:
        if name.startswith("DUMB_INIT_") and name not in VARIABLES:
            return True
    for arg in case.argv:
        long = re.match(rb"--([^=]*)", arg)
        if long and long.group(1) in EXTENSIONS:
            return True
        # A signal name beside a colon could be an -r value that ours reads
        # and the reference refuses: the letters and digits just before each
        # colon are looked at from every cut, and those just after it.
        for colon in (found.start() for found in re.finditer(rb":", arg)):
            before = re.search(rb"[A-Za-z0-9]{0,12}$", arg[max(0, colon - 12):colon]).group()
            after = re.match(rb"[A-Za-z0-9]{0,12}", arg[colon + 1:colon + 13]).group()
            cuts = [before[i:] for i in range(len(before))] + \
                [after[:i] for i in range(1, len(after) + 1)]
            if any(names_a_signal(cut) for cut in cuts):
                return True
    return False


class Runner:
    """Runs cases under one environment, and knows each binary's help text
    for each argv[0] (the help names it)."""

    def __init__(self, base_env, normalise, path_dir):
        self.env = dict(base_env, PATH=path_dir)
        self.normalise = normalise
        self.helps = {}
        self.lock = threading.Lock()

    def launch(self, binary, argv0, argv, env, timeout=20):
        return processes.run([argv0] + argv, executable=binary.path, stdin=subprocess.DEVNULL,
                             timeout=timeout, cwd="/", env=dict(self.env, **env),
                             start_new_session=True)

    def view(self, binary, argv0):
        if argv0 is None:
            return View(binary.path, binary.help, binary.version)
        key = (binary.path, argv0)
        with self.lock:
            known = self.helps.get(key)
        if known is None:
            done = self.launch(binary, argv0, [b"-h"], {})
            known = done.stderr.replace(os.fsencode(binary.path), b"$DUMB_INIT")
            with self.lock:
                self.helps[key] = known
        return View(binary.path, known, binary.version)

    def observe(self, binary, case):
        argv0 = os.fsencode(binary.path) if case.argv0 is None else case.argv0
        done = self.launch(binary, argv0, case.argv, case.env)
        seen = self.normalise(self.view(binary, case.argv0), done.stdout, done.stderr)
        seen["exit"] = str(done.returncode)
        return seen, done


def panicked(done):
    return done.returncode == -6 or b"panicked" in done.stderr


def self_check(runner, reference, ours):
    """Problems if the comparison cannot fail, or fails where it must not:
    each pair below must be told apart, or must not be."""
    def seen(binary, *argv):
        return runner.observe(binary, Case(None, [os.fsencode(a) for a in argv], {}))[0]

    ref = reference
    pairs = [
        ("other exit statuses", seen(ref, "sh", "-c", "exit 1"), seen(ref, "sh", "-c", "exit 2"),
         True),
        ("other words on stderr", seen(ref, "sh", "-c", "echo a >&2"),
         seen(ref, "sh", "-c", "echo b >&2"), True),
        ("other numbers on stderr", seen(ref, "sh", "-c", "echo 1 >&2"),
         seen(ref, "sh", "-c", "echo 2 >&2"), True),
        ("other stdout", seen(ref, "echo", "a"), seen(ref, "echo", "b"), True),
        ("an extension, which only ours takes", seen(ref, "--subreaper", "true"),
         seen(ours, "--subreaper", "true"), True),
        ("two verbose runs of the reference (other PIDs)", seen(ref, "-v", "sh", "-c", "exit 3"),
         seen(ref, "-v", "sh", "-c", "exit 3"), False),
        ("-V of each (other versions)", seen(ref, "-V"), seen(ours, "-V"), False),
    ]
    problems = []
    for what, one, other, differ in pairs:
        if (one != other) != differ:
            problems.append("  self-check failed: %s must %s after normalising, and did not:\n"
                            "    %r\n    %r" % (what, "differ" if differ else "look the same",
                                               one, other))
    return problems


def shown(case):
    def text(arg):
        if len(arg) > 80:
            return "<%d bytes: %r...>" % (len(arg), arg[:20])
        return repr(arg)
    argv = [text(a) for a in case.argv[:12]]
    if len(case.argv) > 12:
        argv.append("... (%d arguments)" % len(case.argv))
    argv0 = "" if case.argv0 is None else " argv0=%r" % case.argv0
    return "argv=[%s]%s env=%r" % (", ".join(argv), argv0, case.env)


def run(reference, ours, cases, seed, jobs, base_env, normalise):
    """Returns (problems, summary); no problems: every case matched."""
    path_dir = tempfile.mkdtemp(prefix="dumb-init-fuzz-path-")
    try:
        for name in SAFE_COMMANDS:
            os.symlink(shutil.which(name, path=base_env["PATH"]), os.path.join(path_dir, name))
        return _run(Runner(base_env, normalise, path_dir), reference, ours, cases, seed, jobs)
    finally:
        shutil.rmtree(path_dir, ignore_errors=True)


def _run(runner, reference, ours, cases, seed, jobs):
    problems = self_check(runner, reference, ours)
    rng = random.Random(seed)
    generated, dropped = [], 0
    while len(generated) < cases:
        item = case(rng)
        if ours_only(item):
            dropped += 1
        else:
            generated.append(item)
    generated += [Case(None, argv, {}) for argv in HUGE]

    # What the reference did with the cases, to show they reach every
    # outcome: ran the command (0, or the command's status), refused the
    # command line (1), could not run the command (2).
    outcomes = {}

    def compare(item):
        ref, _ = runner.observe(reference, item)
        our, done = runner.observe(ours, item)
        outcome = ref["exit"] if ref["exit"] in ("0", "1", "2") else "other"
        with runner.lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if ref != our or panicked(done):
            return item, ref, our, panicked(done)
        return None

    with ThreadPoolExecutor(jobs) as pool:
        found = [m for m in pool.map(compare, generated) if m]
    panics = sum(1 for m in found if m[3])
    for item, ref, our, panic in found[:10]:
        problems.append("  case: %s%s" % (shown(item), " (ours panicked)" if panic else ""))
        for key in sorted(set(ref) | set(our)):
            if ref.get(key) != our.get(key):
                problems.append("    %s:\n      reference: %r\n      ours:      %r"
                                % (key, ref.get(key), our.get(key)))
    if len(found) > 10:
        problems.append("  ... and %d more differing cases" % (len(found) - 10))
    summary = ("fuzz/argv: %d random cases (seed %d, %d dropped as ours-only) and %d near "
               "ARG_MAX: %d differ, %d panics; the reference exited %s" % (
                   cases, seed, dropped, len(HUGE), len(found), panics,
                   ", ".join("%s %d times" % kv for kv in sorted(outcomes.items()))))
    return problems, summary
