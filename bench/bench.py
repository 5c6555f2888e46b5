#!/usr/bin/env python3
"""`make bench`: dumb-init-rs beside the reference dumb-init 1.2.5 and tini.

Measures, for each build of ours (one or more `--ours`), the reference,
tini and the floor (bench/floor.c: the least work any init can do, as a
yardstick), in one run and interleaved round by round (the order rotates
every round, so that drift in the machine's state falls on all alike):

  size      the executable's size on disk; for the reference and tini both
            Debian's dynamically linked build and a static one: the reference
            built by its own static recipe (see reference_static.py, cached in
            the helpers' directory) and Debian's tini-static;
  rss       VmRSS of the supervisor while its child sleeps;
  launch    wall time of COUNT x `INIT true` minus COUNT x `true`, per launch;
  latency   signal round trip: SIGUSR1 to the init, until the child's handler
            has acknowledged it through a pipe (one signal in flight at a time),
            with everything on one CPU and again free on all of them;
  reaping   10,000 orphans released at once in a fresh PID namespace where the
            init is PID 1, until the last of them has been reaped, on one CPU
            (see `on_one_cpu`);
  tree      the signal round trip again with the init as PID 1 of a fresh PID
            namespace and 1, 100 or 1,000 descendants (pong and idle ones made
            by bench/forest.c), on one CPU: signalled to the process group,
            and by each build of ours that has it, with `--tree`;
  idle      CPU time and context switches of the supervisor over 10 s while
            its child sleeps;
  instructions  user-space instructions of the supervisor (callgrind) for
            `INIT true` and per forwarded signal: repeatable, where the
            times above are bound by the kernel and by the machine's noise.

With `--as-tini LABEL`, that build of ours is also run by the name tini
(a link), which makes it tini, beside Debian's tini-static: launch, round
trip and reaping, in the same rounds, both as `tini --` with
TINI_SUBREAPER=1 (tini's -s), in a second table with the ratio of ours as
tini to tini-static.

Every time is a median over rounds. Prints one table, with the ratio of each
build of ours to the reference and the budgets from the project's contract,
and the ratio of each init to the floor for launch, round trip and reaping;
for each `--compare NEW=OLD`, the figures of two builds of ours side by side;
and, for each `--crates`, the bytes of .text per crate of a build (cargo
bloat, on an unstripped build of the same profile). Progress goes to stderr.

    python3 bench/bench.py --ours target/x86_64-unknown-linux-musl/release/dumb-init
    python3 bench/bench.py --ours "ours (static)=PATH" --ours "ours (small)=PATH" \
        --crates "ours (static)=--release --target x86_64-unknown-linux-musl"
    python3 bench/bench.py --ours "new=PATH" --ours "old=PATH" --compare "new=old"
    python3 bench/bench.py --ours "ours (static)=PATH" --as-tini "ours (static)"
"""

import argparse
import json
import math
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import reference_static  # noqa: E402

HELPERS = ("launch", "pingpong", "pong", "orphans", "forest", "floor")
# The floor is an init, set beside static builds of ours: static too.
STATIC_HELPERS = ("floor",)
REFERENCE = Path("/usr/bin/dumb-init")
TINI = Path("/usr/bin/tini")
TINI_STATIC = Path("/usr/bin/tini-static")
CARGO_BLOAT_VERSION = "0.12.1"
DEFAULT_LABEL = "ours (static)"


@dataclass
class Init:
    """One init under test: how to put a command under it."""

    key: str
    label: str
    binary: Path
    prefix: list
    static_binary: Path = None  # a static build of the same init, when known
    env: dict = field(default_factory=dict)  # variables the init is run with
    samples: dict = field(default_factory=dict)
    marks: dict = field(default_factory=dict)  # figure -> note after the value

    def command(self, *argv):
        return [*self.prefix, *map(str, argv)]

    def environ(self):
        """The environment to run a command under this init with (the
        helpers pass theirs on to the init)."""
        return {**os.environ, **self.env} if self.env else None

    def record(self, figure, value):
        self.samples.setdefault(figure, []).append(value)

    def median(self, figure):
        values = self.samples.get(figure)
        return statistics.median(values) if values else None


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def build_helpers(out_dir):
    """Compiles the C helpers into out_dir when their source is newer."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    paths = {}
    for name in HELPERS:
        source, binary = HERE / f"{name}.c", out_dir / name
        if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
            static = ["-static"] if name in STATIC_HELPERS else []
            subprocess.run(
                [cc, "-O2", "-Wall", "-Wextra", *static, "-o", binary, source], check=True
            )
        paths[name] = binary
    return paths


def check_reference():
    """The reference must be Debian's C build of dumb-init 1.2.5."""
    owner = subprocess.run(["dpkg", "-S", str(REFERENCE)], capture_output=True, text=True)
    version = subprocess.run([REFERENCE, "--version"], capture_output=True, text=True)
    if owner.returncode != 0 or not owner.stdout.startswith("dumb-init:"):
        sys.exit(f"bench: {REFERENCE} does not come from Debian's dumb-init package")
    if version.stderr.strip() != "dumb-init v1.2.5":
        sys.exit(f"bench: {REFERENCE} is not version 1.2.5: {version.stderr.strip()!r}")


def rotations(inits, rounds):
    """The inits in a different order each round."""
    for round_number in range(rounds):
        shift = round_number % len(inits)
        yield inits[shift:] + inits[:shift]


def run_quietly(argv, env=None):
    argv = [str(arg) for arg in argv]
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=env)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed: {result.stderr.strip()}")
    return result.stdout.split()


# --- the figures ---------------------------------------------------------------


def measure_launch(inits, helpers, rounds, count):
    true = shutil.which("true")
    progress(f"launch overhead: {rounds} rounds of {count} launches each")
    for order in rotations(inits, rounds):
        direct = int(run_quietly([helpers["launch"], count, true])[0])
        for init in order:
            under = int(run_quietly([helpers["launch"], count, *init.command("true")],
                                    init.environ())[0])
            init.record("launch_us", (under - direct) / count / 1e3)


def on_one_cpu(argv):
    """argv confined to one CPU, with everything it starts. On two CPUs the
    figures below are set by where the scheduler happens to place the init,
    its child and the exiting orphans (cross-CPU wake-ups, idle exits): the
    same reaping run took 160 or 550 ms from one round to the next. On one
    CPU the work each init does is what the time shows."""
    return ["taskset", "-c", str(max(os.sched_getaffinity(0))), *map(str, argv)]


def measure_latency(inits, helpers, rounds, count):
    progress(f"signal latency: {rounds} rounds of {count} round trips each, on one and two CPUs")
    for order in rotations(inits, rounds):
        for init in order:
            ping = [helpers["pingpong"], count, *init.command(helpers["pong"])]
            median, p90 = run_quietly(on_one_cpu(ping), init.environ())
            init.record("latency_us", int(median) / 1e3)
            init.record("latency_p90_us", int(p90) / 1e3)
            median, _ = run_quietly(ping, init.environ())
            init.record("latency_2cpu_us", int(median) / 1e3)


def pid_namespace():
    """The prefix that runs a command as PID 1 of a fresh PID namespace with
    its own /proc; the namespace dies with it (--kill-child: also if unshare
    itself is killed)."""
    namespace = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if os.geteuid() != 0:
        namespace[1:1] = ["--user", "--map-root-user"]
    return namespace


def measure_reaping(inits, helpers, rounds, count):
    progress(f"reaping: {rounds} rounds of {count} orphans in a PID namespace, on one CPU")
    for order in rotations(inits, rounds):
        for init in order:
            argv = on_one_cpu([*pid_namespace(), *init.command(helpers["orphans"], count)])
            elapsed = run_quietly(argv, init.environ())
            init.record("reap_ms", int(elapsed[-1]) / 1e6)


def has_tree(init):
    """Whether this build of ours knows `--tree` (builds before it refuse
    the option)."""
    probe = subprocess.run(
        init.command("--tree", "true"), stdin=subprocess.DEVNULL, capture_output=True
    )
    return probe.returncode == 0


def measure_tree(group_inits, tree_inits, helpers, rounds, shapes):
    """The round trip with the init as PID 1 of a fresh PID namespace, as in
    a container, and `descendants` processes under it: pong, and
    descendants - 1 idle ones (bench/forest.c), half of them in pong's
    process group and half in sessions of their own. Each of group_inits
    signals the group as it always does; each of tree_inits, with --tree,
    reads the tree from /proc and signals every descendant. In a namespace
    /proc lists the tree and nothing else; outside one, --tree would read
    every process on the machine, and the figure would depend on what else
    runs there. On one CPU, for the reason in `on_one_cpu`. shapes: pairs
    (descendants, round trips per run): fewer for bigger trees, whose round
    trips take longer."""
    runs = [(init, False) for init in group_inits] + [(init, True) for init in tree_inits]
    for descendants, count in shapes:
        progress(
            f"round trip in a PID namespace with {descendants:,} descendants: "
            f"{rounds} rounds of {count} round trips each"
        )
        for order in rotations(runs, rounds):
            for init, tree in order:
                option = ["--tree"] if tree else []
                command = init.command(*option, helpers["forest"], descendants - 1,
                                       helpers["pong"])
                argv = [helpers["pingpong"], "--child", count, *pid_namespace(), *command]
                median, _ = run_quietly(on_one_cpu(argv))
                key = f"{'tree' if tree else 'group'}{descendants}_us"
                init.record(key, int(median) / 1e3)


def callgrind_total(argv):
    """Instructions the first process of argv executes in user space, counted
    by callgrind (repeatable: no timing involved). Children that it execs run
    natively and are not counted."""
    out = Path(f"/tmp/dumb-init-bench-{os.getpid()}.callgrind")
    try:
        index = argv.index("VALGRIND")
        argv = [
            *argv[:index],
            "valgrind", "--tool=callgrind", "--trace-children=no",
            f"--callgrind-out-file={out}",
            *argv[index + 1 :],
        ]
        run_quietly(argv)
        for line in out.read_text().splitlines():
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
        sys.exit("bench: callgrind wrote no total")
    finally:
        out.unlink(missing_ok=True)


def measure_instructions(inits, helpers, few, many):
    """User-space instructions of the supervisor: for start-up to the exit of
    `INIT true`, and per forwarded signal (the difference between two
    ping-pong runs of different lengths, so that start-up cancels out)."""
    if shutil.which("valgrind") is None:
        progress("instructions: valgrind not found, skipped")
        return
    progress("instructions: callgrind on `INIT true` and on two ping-pong lengths")
    for init in inits:
        init.record("startup_instr", callgrind_total(["VALGRIND", *init.command("true")]))
        totals = [
            callgrind_total([helpers["pingpong"], n, "VALGRIND", *init.command(helpers["pong"])])
            for n in (few, many)
        ]
        init.record("signal_instr", (totals[1] - totals[0]) / (many - few))


def proc_counters(pid):
    """(CPU ticks, context switches, VmRSS in KiB) of a live process."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    switches = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    rss_kib = int(status["VmRSS"].split()[0])
    return ticks, switches, rss_kib


def children_of(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def measure_idle(inits, windows, seconds):
    """All three supervise a sleeping child side by side during each window."""
    progress(f"idle cost and memory: {windows} windows of {seconds} s")
    ticks_per_ms = os.sysconf("SC_CLK_TCK") / 1000
    for _ in range(windows):
        running = {}
        try:
            for init in inits:
                running[init.key] = subprocess.Popen(
                    init.command("sleep", seconds + 30), stdin=subprocess.DEVNULL
                )
            deadline = time.monotonic() + 5
            while not all(children_of(p.pid) for p in running.values()):
                if time.monotonic() > deadline:
                    sys.exit("bench: a supervisor did not start its child")
                time.sleep(0.01)
            time.sleep(0.5)  # let start-up finish before the window opens
            before = {key: proc_counters(p.pid) for key, p in running.items()}
            time.sleep(seconds)
            after = {key: proc_counters(p.pid) for key, p in running.items()}
            for init in inits:
                (t0, s0, rss), (t1, s1, _) = before[init.key], after[init.key]
                init.record("rss_kib", rss)
                init.record("idle_cpu_ms", (t1 - t0) / ticks_per_ms)
                init.record("idle_wakeups", s1 - s0)
        finally:
            stop(running.values())


def stop(processes):
    """SIGTERM to each supervisor (forwarded to its child), then wait; a
    supervisor that does not exit is killed together with its children."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            for child in children_of(process.pid):
                os.kill(child, signal.SIGKILL)
            process.kill()
            process.wait()


# --- the table -----------------------------------------------------------------


def kib(n_bytes):
    return n_bytes / 1024


def markdown(header, lines):
    """A Markdown table, the first column left-aligned, the others right."""
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def line(cells):
        padded = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "| " + " | ".join(padded) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in lines]
    return "\n".join(out)


def render(value, digits):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def paired_ratio(ours, reference, key, reference_key=None, limit=1.0):
    """Median over rounds of ours/reference within each round (the rounds are
    interleaved, so this cancels drift), the rounds in which ours was no
    more than `limit` times the reference, and how many rounds were
    compared. reference_key: the reference's figure to divide by, when it is
    not the same (the reference has no --tree)."""
    theirs = reference.samples.get(reference_key or key, [])
    pairs = [(o, r) for o, r in zip(ours.samples.get(key, []), theirs) if r]
    if not pairs:
        return None, 0, 0
    ratio = statistics.median(o / r for o, r in pairs)
    return ratio, sum(o <= limit * r for o, r in pairs), len(pairs)


def sign_test(no_worse, rounds):
    """Two-sided p-value that ours and the reference are equally fast, given
    that ours was no worse in `no_worse` of `rounds` paired rounds."""
    tail = min(no_worse, rounds - no_worse)
    p = sum(math.comb(rounds, k) for k in range(tail + 1)) / 2**rounds
    return min(1.0, 2 * p)


def verdict(ratio, no_worse, rounds, limit=1.0):
    """For a ratio budget of `limit`: `yes` at or under it; `tie` over it
    when the rounds do not show a difference (sign test, 5 %); otherwise
    `NO`."""
    if ratio <= limit:
        return "yes"
    if rounds >= 5 and sign_test(no_worse, rounds) > 0.05:
        return "tie"
    return "NO"


# How close to the floor the project means to be (docs/performance.md).
FLOOR_GOAL = 1.10
# The static x86_64 file's budget, in KiB, for a build without a
# --size-budget of its own (the small build has one: 100 KiB).
SIZE_BUDGET_KIB = 480


@dataclass
class Row:
    """One figure of the table. check: ("most", N) for a figure of at most
    N, ("ratio", N) for a ratio to the reference of at most N, "noise" for a
    time that must be within noise of the reference's (see `verdict`),
    "size" for each build's file size budget, or None. reference_key: what
    the reference's column and the ratio to it use, when not key.
    versus_floor: every column is that init's ratio to the floor instead,
    held to FLOOR_GOAL."""

    title: str
    key: str
    digits: int
    budget: str = ""
    check: object = None
    reference_key: str = None
    versus_floor: bool = False


def rows(launch_count, reap_count, idle_seconds, tree_shapes, size_budgets):
    def plural(n):
        return f"{n:,} descendant" + ("s" if n != 1 else "")

    tree = []
    for n, _ in tree_shapes:
        tree += [
            Row(f"round trip as PID 1, {plural(n)}, to the group, us", f"group{n}_us", 1),
            Row(f"round trip as PID 1, {plural(n)}, ours with --tree, us", f"tree{n}_us", 1,
                reference_key=f"group{n}_us"),
        ]
    floor_goal = f"<= {FLOOR_GOAL:.2f}"
    sizes = "/".join(dict.fromkeys(str(kib) for kib in size_budgets))
    return [
        Row("size, static build, KiB", "static_kib", 1, f"<= {sizes} KiB", "size"),
        Row("size of the binary measured below, KiB", "size_kib", 1),
        Row("VmRSS with a sleeping child, KiB", "rss_kib", 0, "<= 0.33", ("ratio", 1 / 3)),
        Row(f"launch overhead, us per `true` (x{launch_count})", "launch_us", 1, "<= 0.70",
            ("ratio", 0.70)),
        Row("  launch overhead / floor", "launch_us", 2, floor_goal, versus_floor=True),
        Row("user-space instructions, `INIT true`", "startup_instr", 0),
        Row("signal round trip on one CPU, median us", "latency_us", 1, "within noise", "noise"),
        Row("  round trip on one CPU / floor", "latency_us", 2, floor_goal, versus_floor=True),
        Row("signal round trip on one CPU, 90th pct us", "latency_p90_us", 1),
        Row("signal round trip on two CPUs, median us", "latency_2cpu_us", 1, "within noise",
            "noise"),
        Row("  round trip on two CPUs / floor", "latency_2cpu_us", 2, floor_goal,
            versus_floor=True),
        Row("user-space instructions per signal", "signal_instr", 0),
        *tree,
        Row(f"reap {reap_count:,} orphans as PID 1 on one CPU, ms", "reap_ms", 1,
            "within noise", "noise"),
        Row("  reaping / floor", "reap_ms", 2, floor_goal, versus_floor=True),
        Row(f"idle CPU time over {idle_seconds} s, ms", "idle_cpu_ms", 0, "0", ("most", 0)),
        Row(f"idle wake-ups over {idle_seconds} s", "idle_wakeups", 0, "0", ("most", 0)),
    ]


def table(ours_builds, reference, tini, floor, table_rows, size_budgets):
    """Columns: the figure, its budget, the reference, tini, the floor, then
    for each build of ours its figure, its ratio to the reference, the
    rounds in which it was no worse, and whether the budget holds (the size
    budget: size_budgets[i] KiB for ours_builds[i]). In a
    versus_floor row, each init's column holds its ratio to the floor, and
    the rounds counted are those within FLOOR_GOAL of it. Rows that no init
    has figures for (see --sizes-only) are left out."""
    everyone = [*ours_builds, reference, tini, floor]
    header = ["figure", "budget", reference.label, tini.label, floor.label]
    for build in ours_builds:
        header += [build.label, "/ref", "<= ref", "holds"]
    lines = []
    for row in table_rows:
        key, digits, check = row.key, row.digits, row.check
        if all(init.median(key) is None for init in everyone):
            continue
        cells = [row.title, row.budget]
        if row.versus_floor:
            for init in (reference, tini, floor):
                ratio, _, _ = paired_ratio(init, floor, key)
                cells.append(render(ratio, digits))
            for build in ours_builds:
                ratio, within, rounds = paired_ratio(build, floor, key, limit=FLOOR_GOAL)
                holds = "n/a" if ratio is None else verdict(ratio, within, rounds, FLOOR_GOAL)
                cells += [render(ratio, digits), "", f"{within}/{rounds}", holds]
            lines.append(cells)
            continue
        for init in (reference, tini, floor):
            cells.append(render(init.median(key), digits) + init.marks.get(key, ""))
        for build in ours_builds:
            o = build.median(key)
            ratio, no_worse, rounds = paired_ratio(build, reference, key, row.reference_key)
            if check is None or o is None:
                holds = ""
            elif key == "static_kib" and build.marks.get(key):
                holds = "n/a"  # the budget is for static builds
            elif check == "size":
                holds = "yes" if o <= size_budgets[ours_builds.index(build)] else "NO"
            elif check == "noise":
                holds = "n/a" if ratio is None else verdict(ratio, no_worse, rounds)
            elif check[0] == "most":
                holds = "yes" if o <= check[1] else "NO"
            else:
                holds = "n/a" if ratio is None else ("yes" if ratio <= check[1] else "NO")
            cells += [
                render(o, digits) + build.marks.get(key, ""),
                "n/a" if ratio is None else f"{ratio:.2f}",
                f"{no_worse}/{rounds}" if rounds > 1 else "",
                holds,
            ]
        lines.append(cells)
    return markdown(header, lines)


def tini_table(ours_tini, tini_static, launch_count, reap_count):
    """Ours run as tini beside tini-static: each one's median, the median of
    the per-round ratios ours/tini-static, the rounds in which ours was no
    worse, and whether it is within noise of tini-static (see `verdict`)."""
    header = ["figure", "budget", tini_static.label, ours_tini.label, "/tini-static",
              "<= tini-static", "holds"]
    lines = []
    for title, key, digits in (
        (f"launch overhead, us per `true` (x{launch_count})", "launch_us", 1),
        ("signal round trip on one CPU, median us", "latency_us", 1),
        ("signal round trip on two CPUs, median us", "latency_2cpu_us", 1),
        (f"reap {reap_count:,} orphans as PID 1 on one CPU, ms", "reap_ms", 1),
    ):
        ratio, no_worse, rounds = paired_ratio(ours_tini, tini_static, key)
        lines.append([
            title,
            "within noise",
            render(tini_static.median(key), digits),
            render(ours_tini.median(key), digits),
            "n/a" if ratio is None else f"{ratio:.2f}",
            f"{no_worse}/{rounds}" if rounds > 1 else "",
            "n/a" if ratio is None else verdict(ratio, no_worse, rounds),
        ])
    return markdown(header, lines)


def comparison(new, old, table_rows):
    """Two builds of ours, figure by figure: each one's median, the median of
    the per-round ratios new/old, the rounds in which new was no worse, and
    the sign test's p-value (1.00: no sign of a difference). The floor
    ratios are left out: they are the same figures divided again."""
    header = ["figure", new.label, old.label, "new/old", "new <= old", "p"]
    lines = []
    for row in table_rows:
        if row.versus_floor or row.key in ("size_kib",):
            continue
        n, o = new.median(row.key), old.median(row.key)
        if n is None or o is None:
            continue
        ratio, no_worse, rounds = paired_ratio(new, old, row.key)
        p = f"{sign_test(no_worse, rounds):.2f}" if rounds > 1 else ""
        lines.append([
            row.title.strip(),
            render(n, row.digits),
            render(o, row.digits),
            "n/a" if ratio is None else f"{ratio:.2f}",
            f"{no_worse}/{rounds}" if rounds > 1 else "",
            p,
        ])
    return markdown(header, lines)


# --- bytes per crate -----------------------------------------------------------


def ensure_cargo_bloat():
    """cargo-bloat at the pinned version, installed only when missing."""
    have = subprocess.run(["cargo", "bloat", "--version"], capture_output=True, text=True)
    if have.returncode == 0 and have.stdout.split()[-1:] == [CARGO_BLOAT_VERSION]:
        return
    progress(f"installing cargo-bloat {CARGO_BLOAT_VERSION}")
    subprocess.run(
        ["cargo", "install", "--locked", "--quiet", "cargo-bloat", "--version",
         CARGO_BLOAT_VERSION],
        check=True,
    )


def option_value(args, name):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def crate_sizes(build, spec):
    """Bytes of .text per crate for one build of ours. spec is what makes the
    build, as arguments to `cargo bloat` (a leading +TOOLCHAIN goes to cargo):
    it is rebuilt unstripped (CARGO_PROFILE_<profile>_STRIP=false) in a target
    directory of its own, and the result, stripped, is set beside the measured
    file to show that the breakdown is of a build of the same size."""
    root = HERE.parent
    args = shlex.split(spec)
    toolchain = args[:1] if args and args[0].startswith("+") else []
    args = args[len(toolchain) :]
    profile = option_value(args, "--profile") or ("release" if "--release" in args else "dev")
    profile_dir = {"dev": "debug", "test": "debug", "bench": "release"}.get(profile, profile)
    target = option_value(args, "--target")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", build.label).strip("-")
    target_dir = root / "target" / "bloat" / slug
    env = {**os.environ, f"CARGO_PROFILE_{profile.upper().replace('-', '_')}_STRIP": "false"}
    command = [
        "cargo", *toolchain, "bloat", *args,
        "--crates", "-n", "0", "--message-format", "json", "--target-dir", str(target_dir),
    ]
    progress(f"bytes per crate of {build.label}: {' '.join(command)}")
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        sys.exit(f"bench: cargo bloat for {build.label} failed: {lines[-1] if lines else ''}")
    report = json.loads(result.stdout)
    built = target_dir / (target or "") / profile_dir / build.binary.name
    stripped = Path(f"/tmp/dumb-init-bench-{os.getpid()}.stripped")
    try:
        subprocess.run(["strip", "-o", stripped, built], check=True)
        stripped_size = stripped.stat().st_size
    finally:
        stripped.unlink(missing_ok=True)
    sizes = {crate["name"]: crate["size"] for crate in report["crates"]}
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=root, capture_output=True, text=True, check=True,
    )
    for package in json.loads(metadata.stdout)["packages"]:
        for dependency in package["dependencies"]:
            if dependency["kind"] is None:
                name = (dependency["rename"] or dependency["name"]).replace("-", "_")
                sizes.setdefault(name, 0)
    return {
        "crates": sizes,
        "text": report["text-section-size"],
        "unstripped": report["file-size"],
        "stripped": stripped_size,
        "measured": build.binary.stat().st_size,
        "spec": " ".join(["cargo", *toolchain, "bloat", *args]),
    }


def crate_table(breakdowns):
    """One row per crate, a pair of columns (bytes, share of .text) per build."""
    names = sorted(
        {name for b in breakdowns.values() for name in b["crates"]},
        key=lambda n: (-max(b["crates"].get(n, 0) for b in breakdowns.values()), n),
    )
    header = ["crate"]
    for label in breakdowns:
        header += [f"{label}, bytes", "of .text"]
    lines = []
    for name in names:
        cells = [name]
        for b in breakdowns.values():
            size = b["crates"].get(name)
            cells += ["" if size is None else f"{size:,}",
                      "" if size is None else f"{100 * size / b['text']:.1f} %"]
        lines.append(cells)
    for title, key in (
        (".text in all", "text"),
        ("the file, unstripped", "unstripped"),
        ("the file, stripped", "stripped"),
        ("the measured file", "measured"),
    ):
        cells = [title]
        for b in breakdowns.values():
            cells += [f"{b[key]:,}", "100.0 %" if key == "text" else ""]
        lines.append(cells)
    return markdown(header, lines)


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} CPUs ({model}), Linux {os.uname().release}"


def is_a_file(text):
    """Whether text names an existing file; a cargo bloat spec longer than a
    file name may be (stat answers ENAMETOOLONG) is not one."""
    try:
        return Path(text).exists()
    except OSError:
        return False


def labelled(text):
    """LABEL=VALUE, or VALUE alone (label DEFAULT_LABEL)."""
    label, sep, value = text.partition("=")
    if not sep or is_a_file(text):
        return DEFAULT_LABEL, text
    if not label or not value:
        raise argparse.ArgumentTypeError(f"want LABEL=VALUE, got {text!r}")
    return label, value


def record_sizes(inits):
    """Each init's file, and the static build beside it; (dyn.) marks a
    dynamically linked file."""
    for init in inits:
        for key, path in (("size_kib", init.binary), ("static_kib", init.static_binary)):
            if path is None:
                continue
            init.record(key, kib(path.stat().st_size))
            if not reference_static.is_static(path):
                init.marks[key] = " (dyn.)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ours", required=True, action="append", type=labelled, metavar="[LABEL=]PATH",
        help=f"a build of dumb-init-rs; repeatable (label of a bare PATH: {DEFAULT_LABEL!r})",
    )
    parser.add_argument(
        "--crates", action="append", type=labelled, default=[],
        metavar="LABEL=CARGO_BLOAT_ARGS",
        help="print bytes per crate of that build, rebuilt by `cargo bloat ARGS` unstripped",
    )
    parser.add_argument(
        "--compare", action="append", type=labelled, default=[], metavar="NEW=OLD",
        help="also print the figures of two --ours builds side by side, with NEW/OLD",
    )
    parser.add_argument(
        "--size-budget", action="append", type=labelled, default=[], metavar="LABEL=KIB",
        help=f"that build's size budget (default {SIZE_BUDGET_KIB} KiB)",
    )
    parser.add_argument(
        "--as-tini", metavar="LABEL",
        help="also run that --ours build by the name tini beside tini-static (second table)",
    )
    parser.add_argument("--helpers", type=Path, default=Path("target/bench"))
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    parser.add_argument(
        "--sizes-only", action="store_true", help="only the sizes and --crates, no timing"
    )
    args = parser.parse_args()
    labels = [label for label, _ in args.ours]
    if len(set(labels)) != len(labels):
        parser.error("two --ours with one label")
    for label, _ in args.crates:
        if label not in labels:
            parser.error(f"--crates {label!r}: no --ours with that label")
    for new, old in args.compare:
        for label in (new, old):
            if label not in labels:
                parser.error(f"--compare {new}={old}: no --ours labelled {label!r}")
    own_budgets = {}
    for label, kib_text in args.size_budget:
        if label not in labels:
            parser.error(f"--size-budget {label!r}: no --ours with that label")
        own_budgets[label] = int(kib_text)
    if args.as_tini is not None and args.as_tini not in labels:
        parser.error(f"--as-tini {args.as_tini!r}: no --ours with that label")
    size_budgets = [own_budgets.get(label, SIZE_BUDGET_KIB) for label in labels]

    check_reference()
    helpers = build_helpers(args.helpers)
    try:
        reference_static_binary, recipe = reference_static.build(args.helpers)
    except reference_static.BuildError as error:
        if os.geteuid() == 0:
            sys.exit(f"bench: {error}")
        progress(f"no static reference: {error}")
        reference_static_binary, recipe = None, "not built (needs root once)"
    quick = args.quick
    launch_rounds, launch_count = (3, 50) if quick else (9, 300)
    latency_rounds, latency_count = (3, 200) if quick else (21, 2000)
    reap_rounds, reap_count = (3, 10_000) if quick else (21, 10_000)
    idle_windows, idle_seconds = (1, 2) if quick else (3, 10)
    # (descendants, round trips per run): --tree's round trip grows with the
    # tree (it reads /proc/PID/stat of every descendant two or three times
    # and opens a pidfd for each: tens of milliseconds for 1,000), so the
    # bigger trees get fewer round trips, to keep each run near a second.
    tree_rounds = 3 if quick else 11
    tree_shapes = [(1, 100), (100, 20), (1000, 5)] if quick else \
        [(1, 1000), (100, 50), (1000, 10)]

    ours_builds = []
    for number, (label, path) in enumerate(args.ours):
        binary = Path(path).resolve()
        if not binary.is_file():
            sys.exit(f"bench: --ours {label}={path}: no such file")
        ours_builds.append(Init(f"ours{number}", label, binary, [str(binary)], binary))
    reference = Init(
        "ref", "dumb-init 1.2.5", REFERENCE, [str(REFERENCE)], reference_static_binary
    )
    tini = Init(
        "tini", "tini -s", TINI, [str(TINI), "-s", "--"],
        TINI_STATIC if TINI_STATIC.exists() else None,
    )
    floor = Init("floor", "floor", helpers["floor"], [str(helpers["floor"])])
    inits = [*ours_builds, reference, tini, floor]
    # Ours by the name tini (the name picks the personality) and tini-static,
    # the same command line each: `tini --`, and TINI_SUBREAPER=1 for tini's
    # -s, as "tini -s" has it above.
    tini_pair = []
    if args.as_tini is not None:
        if not TINI_STATIC.exists():
            sys.exit(f"bench: --as-tini: no {TINI_STATIC} to set ours beside")
        build = next(b for b in ours_builds if b.label == args.as_tini)
        link = args.helpers / "as-tini" / "tini"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(build.binary)
        subreaper = {"TINI_SUBREAPER": "1"}
        tini_pair = [
            Init("tini-static", "tini-static", TINI_STATIC, [str(TINI_STATIC), "--"],
                 env=subreaper),
            Init("ours-tini", f"{build.label} as tini", link, [str(link), "--"], env=subreaper),
        ]

    started = time.monotonic()
    record_sizes([*ours_builds, reference, tini])  # the floor is a yardstick, not a contender
    if not args.sizes_only:
        measure_launch([*inits, *tini_pair], helpers, launch_rounds, launch_count)
        measure_latency([*inits, *tini_pair], helpers, latency_rounds, latency_count)
        # tini -s signals its child, not the group: not the comparison here.
        tree_inits = [build for build in ours_builds if has_tree(build)]
        measure_tree([*ours_builds, reference, floor], tree_inits, helpers, tree_rounds,
                     tree_shapes)
        measure_reaping([*inits, *tini_pair], helpers, reap_rounds, reap_count)
        measure_instructions(inits, helpers, 100, 1100)
        measure_idle(inits, idle_windows, idle_seconds)
        progress(f"measured in {time.monotonic() - started:.0f} s")
    by_label = {build.label: build for build in ours_builds}
    if args.crates:
        ensure_cargo_bloat()
    breakdowns = {label: crate_sizes(by_label[label], spec) for label, spec in args.crates}
    progress(f"done in {time.monotonic() - started:.0f} s")

    print(f"dumb-init-rs bench on {machine()}")
    if not args.sizes_only:
        print(
            f"medians of {launch_rounds}/{latency_rounds}/{tree_rounds}/{reap_rounds}/"
            f"{idle_windows} rounds (launch/latency/tree/reaping/idle), the "
            f"{len(inits) + len(tini_pair)} inits interleaved in each round;"
        )
        print(
            "/ref = median of the per-round ratios of the build on its left to the reference; "
            "<= ref = rounds in which it was no worse;"
        )
        print(
            "within noise: yes at or under 1.00, tie = over 1.00 but no difference from the "
            "reference at 5 % (sign test over the rounds), NO otherwise;"
        )
        print(
            f"floor = {helpers['floor']}, bench/floor.c built static by gcc -O2: block, fork, "
            "setsid + exec, sigwaitinfo, kill the group, waitpid;"
        )
        print(
            "/ floor rows: each init's median per-round ratio to the floor (its column); for "
            f"ours, <= ref counts the rounds within {FLOOR_GOAL:.2f} x the floor, and holds "
            f"is the verdict above against {FLOOR_GOAL:.2f};"
        )
        print(
            "round trip as PID 1: in a fresh PID namespace, the init's command is pong plus "
            "N - 1 idle descendants (SIGUSR1 blocked), half in pong's group and half in "
            "sessions of their own;"
        )
        print(
            "  to the group: what the init does by default (the group holds pong and half "
            "the idle ones); tini left out (it signals its child alone);"
        )
        print(
            "  with --tree: ours read /proc and signal all N through pidfds; the reference "
            "has no --tree, so its column says n/a and /ref divides by its group figure "
            "of the row above, round by round;"
        )
        print(
            "  builds of ours without --tree: n/a there. "
            f"Round trips per run: {', '.join(f'{c:,} with {n:,}' for n, c in tree_shapes)};"
        )
    print(
        "size budgets: "
        + ", ".join(f"{label} {kib} KiB" for label, kib in zip(labels, size_budgets))
        + ";"
    )
    print("(dyn.) = dynamically linked to glibc, libraries not counted; the static builds:")
    print(f"  {reference.label} = " + recipe.replace("\n", "\n    "))
    print(f"  {tini.label} = {TINI_STATIC} from {tini_version()}")
    print()
    table_rows = rows(launch_count, reap_count, idle_seconds, tree_shapes, size_budgets)
    print(table(ours_builds, reference, tini, floor, table_rows, size_budgets))
    if tini_pair and not args.sizes_only:
        tini_static, ours_tini = tini_pair
        print()
        print(
            f"{ours_tini.label} ({ours_tini.binary} -> {ours_tini.binary.resolve()}) beside "
            f"{TINI_STATIC} ({tini_version()}), both as `tini --` with TINI_SUBREAPER=1, in "
            "the same rounds as above; /tini-static = median of the per-round ratios:"
        )
        print()
        print(tini_table(ours_tini, tini_static, launch_count, reap_count))
    for new, old in args.compare:
        print()
        print(
            f"{new} beside {old}, from the same rounds: new/old = median of the per-round "
            "ratios, p = sign test (two-sided) that neither is faster:"
        )
        print()
        print(comparison(by_label[new], by_label[old], table_rows))
    if breakdowns:
        print()
        print(
            f"bytes of .text per crate (cargo bloat {CARGO_BLOAT_VERSION} --crates on a build "
            "with the same arguments, unstripped):"
        )
        for label, breakdown in breakdowns.items():
            print(f"  {label}: {breakdown['spec']}")
        print(
            "with LTO, code inlined into a function counts for that function's crate; "
            "[Unknown] = symbols cargo bloat gives no crate:"
        )
        print(
            "the C and C++ objects linked in (libc, libunwind) and #[no_mangle] functions "
            "such as the C entry point `main`"
        )
        print()
        print(crate_table(breakdowns))


def tini_version():
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version}", "tini"], capture_output=True, text=True
    )
    if not TINI_STATIC.exists():
        return "nowhere (missing)"
    return f"Debian's {result.stdout.strip()}" if result.returncode == 0 else "tini's package"


if __name__ == "__main__":
    main()
