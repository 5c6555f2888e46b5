"""The differential argv fuzzer: random argument lists built from dumb-init's
option alphabet (flags, clusters, long-option prefixes, `=values`, `-r`
values good and bad, `--`, junk, non-UTF-8 bytes) and a harmless command,
with DUMB_INIT_DEBUG / DUMB_INIT_SETSID sometimes set. Both binaries run
each case; exit status and normalised stdout/stderr must match.

Only the reference's option surface is generated: never --subreaper,
--grace-period (or prefixes of them), --delay, --remap-exit, --pdeathsig or
signal names in -r, which ours accepts on purpose. `ours_only` rejects any case that would contain them.
"""

import random
import re
import subprocess

import processes
from concurrent.futures import ThreadPoolExecutor

LONG = ["single-child", "rewrite", "verbose", "help", "version"]
SHORT = "cvVhrxz?:-"
GOOD_REWRITES = ["15:3", "1:0", "31:31", "2:15", "10:12", "20:0", "21:19", "28:10"]
BAD_REWRITES = [
    "0:1", "32:1", "1:32", "-1:3", "15", "15:", "", "abc", ":3", "15:3:4",
    " 15:3", "+15:3", "15:3xyz", "15:+3", "15:-0", "015:03", "0x10:3", "1 :2",
    "15: 3", "4294967311:3", "15:4294967299", "2147483648:1", "\t7:7", "1e1:2",
    "31:-1", "-0:0", "15;3", "15:3 ", "９:1",
]
JUNK = ["zz", "", " ", b"\xff\xfe", b"-\xff", "--=", "-=", "=", "---", "--yolo",
        "--x", "-\t", "--rewrite=", "--verbose=1", "--help=", "--=x", "-r="]
COMMANDS = [[], ["true"], ["sh", "-c", "exit 3"], ["/bin/echo", b"\xc3\x28", "a b"],
            ["sh", "-c", "echo out; echo err >&2"], ["-c"]]
ENV_VALUES = ["1", "0", "", "01", "true", " 1", "0 ", "10"]


def rewrite_value(rng):
    return rng.choice(GOOD_REWRITES if rng.random() < 0.6 else BAD_REWRITES)


def token(rng):
    kind = rng.random()
    if kind < 0.35:  # a short cluster
        letters = "".join(rng.choice(SHORT) for _ in range(rng.randint(1, 3)))
        text = "-" + letters
        if text.endswith("r") and rng.random() < 0.5:
            text += rewrite_value(rng)
        return [text]
    if kind < 0.65:  # a long option or a prefix of one
        name = rng.choice(LONG)
        text = "--" + name[: rng.randint(1, len(name))]
        if rng.random() < 0.3:
            text += "=" + (rewrite_value(rng) if "r" in text else rng.choice(["1", "", "x"]))
        return [text]
    if kind < 0.8:  # a separate -r value
        return [rng.choice(["-r", "--rewrite", "--rew"]), rewrite_value(rng)]
    if kind < 0.9:
        return ["--"]
    return [rng.choice(JUNK)]


def case(rng):
    argv = []
    for _ in range(rng.randint(0, 5)):
        argv += token(rng)
    argv += rng.choice(COMMANDS)
    env = {}
    if rng.random() < 0.2:
        env["DUMB_INIT_DEBUG"] = rng.choice(ENV_VALUES)
    if rng.random() < 0.2:
        env["DUMB_INIT_SETSID"] = rng.choice(ENV_VALUES)
    return argv, env


def ours_only(argv):
    for arg in argv:
        text = arg.decode("latin-1") if isinstance(arg, bytes) else arg
        if re.match(r"--(s|su|g|gr)", text) and not "--single-child".startswith(
                text.split("=")[0]):
            return True
        if re.search(r"(?i)(sig)?(term|quit|usr|int|hup|kill)", text):
            return True
        if re.match(r"--(delay|remap-exit|pdeathsig)(=|$)", text):
            return True
    return False


def run_case(binary, argv, env, base_env):
    done = processes.run([binary.path] + argv, stdin=subprocess.DEVNULL, timeout=10,
                         cwd="/", env=dict(base_env, **env), start_new_session=True)
    return done.returncode, done.stdout, done.stderr


def run(reference, ours, cases, seed, jobs, base_env, normalise):
    """Returns problems (empty: every case matched)."""
    rng = random.Random(seed)
    generated = []
    while len(generated) < cases:
        argv, env = case(rng)
        if not ours_only(argv):
            generated.append((argv, env))

    def compare(item):
        argv, env = item
        seen = []
        for binary in (reference, ours):
            status, out, err = run_case(binary, argv, env, base_env)
            obs = normalise(binary, out, err)
            obs["exit"] = str(status)
            seen.append(obs)
        if seen[0] != seen[1]:
            return argv, env, seen
        return None

    with ThreadPoolExecutor(jobs) as pool:
        mismatches = [m for m in pool.map(compare, generated) if m]
    problems = []
    for argv, env, (ref, our) in mismatches[:10]:
        problems.append("  case: argv=%r env=%r" % (argv, env))
        for key in ref:
            if ref[key] != our[key]:
                problems.append("    %s:\n      reference: %r\n      ours:      %r"
                                % (key, ref[key], our[key]))
    if len(mismatches) > 10:
        problems.append("  ... and %d more mismatching cases" % (len(mismatches) - 10))
    return problems
