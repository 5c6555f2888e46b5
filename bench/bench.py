#!/usr/bin/env python3
"""`make bench`: dumb-init-rs beside the reference dumb-init 1.2.5 and tini.

Measures, for each of the three inits, in one run and interleaved round by
round (the order rotates every round, so that drift in the machine's state
falls on all three alike):

  size      the executable's size on disk;
  rss       VmRSS of the supervisor while its child sleeps;
  launch    wall time of COUNT x `INIT true` minus COUNT x `true`, per launch;
  latency   signal round trip: SIGUSR1 to the init, until the child's handler
            has acknowledged it through a pipe (one signal in flight at a time),
            with everything on one CPU and again free on all of them;
  reaping   10,000 orphans released at once in a fresh PID namespace where the
            init is PID 1, until the last of them has been reaped, on one CPU
            (see `on_one_cpu`);
  idle      CPU time and context switches of the supervisor over 10 s while
            its child sleeps;
  instructions  user-space instructions of the supervisor (callgrind) for
            `INIT true` and per forwarded signal: repeatable, where the
            times above are bound by the kernel and by the machine's noise.

Every time is a median over rounds. Prints one table, with ours/reference
ratios and the budgets from the project's contract. Progress goes to stderr.

    python3 bench/bench.py --ours target/x86_64-unknown-linux-musl/release/dumb-init
"""

import argparse
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELPERS = ("launch", "pingpong", "pong", "orphans")
REFERENCE = Path("/usr/bin/dumb-init")
TINI = Path("/usr/bin/tini")


@dataclass
class Init:
    """One init under test: how to put a command under it."""

    key: str
    label: str
    binary: Path
    prefix: list
    samples: dict = field(default_factory=dict)

    def command(self, *argv):
        return [*self.prefix, *map(str, argv)]

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
            subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-o", binary, source], check=True)
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


def run_quietly(argv):
    argv = [str(arg) for arg in argv]
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
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
            under = int(run_quietly([helpers["launch"], count, *init.command("true")])[0])
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
            median, p90 = run_quietly(on_one_cpu(ping))
            init.record("latency_us", int(median) / 1e3)
            init.record("latency_p90_us", int(p90) / 1e3)
            median, _ = run_quietly(ping)
            init.record("latency_2cpu_us", int(median) / 1e3)


def measure_reaping(inits, helpers, rounds, count):
    progress(f"reaping: {rounds} rounds of {count} orphans in a PID namespace, on one CPU")
    namespace = ["unshare", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0:
        namespace[1:1] = ["--user", "--map-root-user"]
    for order in rotations(inits, rounds):
        for init in order:
            argv = on_one_cpu([*namespace, *init.command(helpers["orphans"], count)])
            elapsed = run_quietly(argv)
            init.record("reap_ms", int(elapsed[-1]) / 1e6)


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


def render(value, digits):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def paired_ratio(ours, reference, key):
    """Median over rounds of ours/reference within each round (the rounds are
    interleaved, so this cancels drift), the rounds in which ours was no
    worse, and how many rounds were compared."""
    pairs = [(o, r) for o, r in zip(ours.samples[key], reference.samples[key]) if r]
    if not pairs:
        return None, 0, 0
    ratio = statistics.median(o / r for o, r in pairs)
    return ratio, sum(o <= r for o, r in pairs), len(pairs)


def sign_test(no_worse, rounds):
    """Two-sided p-value that ours and the reference are equally fast, given
    that ours was no worse in `no_worse` of `rounds` paired rounds."""
    tail = min(no_worse, rounds - no_worse)
    p = sum(math.comb(rounds, k) for k in range(tail + 1)) / 2**rounds
    return min(1.0, 2 * p)


def verdict(ratio, no_worse, rounds):
    """For a ratio budget of 1.00: `yes` at or under it; `tie` over it when
    the rounds do not show a difference (sign test, 5 %); otherwise `NO`."""
    if ratio <= 1:
        return "yes"
    if rounds >= 5 and sign_test(no_worse, rounds) > 0.05:
        return "tie"
    return "NO"


def table(ours, reference, tini, launch_count, reap_count, idle_seconds):
    """The rows: title, key, decimals, budget, and the check of the budget:
    a function of ours and the ratio ours/reference, or "ratio" for a time
    that must be no worse than the reference's (see `verdict`)."""
    rows = [
        ("size on disk, KiB", "size_kib", 1, "<= 300 KiB", lambda o, q: o <= 300),
        ("VmRSS with a sleeping child, KiB", "rss_kib", 0, "<= 0.33", lambda o, q: q <= 1 / 3),
        (f"launch overhead, us per `true` (x{launch_count})", "launch_us", 1, "<= 1.00", "ratio"),
        ("user-space instructions, `INIT true`", "startup_instr", 0, "", None),
        ("signal round trip on one CPU, median us", "latency_us", 1, "<= 1.00", "ratio"),
        ("signal round trip on one CPU, 90th pct us", "latency_p90_us", 1, "", None),
        ("signal round trip on two CPUs, median us", "latency_2cpu_us", 1, "<= 1.00", "ratio"),
        ("user-space instructions per signal", "signal_instr", 0, "", None),
        (f"reap {reap_count:,} orphans as PID 1 on one CPU, ms", "reap_ms", 1, "<= 1.00", "ratio"),
        (f"idle CPU time over {idle_seconds} s, ms", "idle_cpu_ms", 0, "0", lambda o, q: o == 0),
        (f"idle wake-ups over {idle_seconds} s", "idle_wakeups", 0, "0", lambda o, q: o == 0),
    ]
    header = [
        "figure", ours.label, reference.label, tini.label,
        "ours/ref", "ours <= ref", "budget", "holds",
    ]
    lines = []
    for title, key, digits, budget, check in rows:
        o, r, t = ours.median(key), reference.median(key), tini.median(key)
        ratio, no_worse, rounds = paired_ratio(ours, reference, key)
        if check is None:
            holds = ""
        elif check == "ratio":
            holds = verdict(ratio, no_worse, rounds)
        else:
            holds = "yes" if check(o, ratio) else "NO"
        rounds_no_worse = f"{no_worse}/{rounds}" if rounds > 1 else ""
        cells = [render(o, digits), render(r, digits), render(t, digits)]
        if key == "size_kib":
            cells[1] += " (dyn.)"
            cells[2] += " (dyn.)"
        ratio_text = "n/a" if ratio is None else f"{ratio:.2f}"
        lines.append([title, *cells, ratio_text, rounds_no_worse, budget, holds])
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", required=True, type=Path, help="the static dumb-init-rs")
    parser.add_argument("--helpers", type=Path, default=Path("target/bench"))
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    args = parser.parse_args()

    check_reference()
    helpers = build_helpers(args.helpers)
    quick = args.quick
    launch_rounds, launch_count = (3, 50) if quick else (9, 300)
    latency_rounds, latency_count = (3, 200) if quick else (21, 2000)
    reap_rounds, reap_count = (3, 10_000) if quick else (21, 10_000)
    idle_windows, idle_seconds = (1, 2) if quick else (3, 10)

    ours = Init("ours", "ours (static)", args.ours.resolve(), [str(args.ours.resolve())])
    reference = Init("ref", "dumb-init 1.2.5", REFERENCE, [str(REFERENCE)])
    tini = Init("tini", "tini -s", TINI, [str(TINI), "-s", "--"])
    inits = [ours, reference, tini]

    started = time.monotonic()
    for init in inits:
        init.record("size_kib", kib(init.binary.stat().st_size))
    measure_launch(inits, helpers, launch_rounds, launch_count)
    measure_latency(inits, helpers, latency_rounds, latency_count)
    measure_reaping(inits, helpers, reap_rounds, reap_count)
    measure_instructions(inits, helpers, 100, 1100)
    measure_idle(inits, idle_windows, idle_seconds)
    progress(f"done in {time.monotonic() - started:.0f} s")

    print(f"dumb-init-rs bench on {machine()}")
    print(
        f"medians of {launch_rounds}/{latency_rounds}/{reap_rounds}/{idle_windows} rounds "
        "(launch/latency/reaping/idle), the three inits interleaved in each round;"
    )
    print(
        "ours/ref = median of the per-round ratios; ours <= ref = rounds in which ours "
        "was no worse; tie = over 1.00 but no difference"
    )
    print(
        "between ours and the reference at 5 % (sign test over the rounds); "
        "(dyn.) = dynamically linked to glibc, libraries not counted"
    )
    print()
    print(table(ours, reference, tini, launch_count, reap_count, idle_seconds))


if __name__ == "__main__":
    main()
