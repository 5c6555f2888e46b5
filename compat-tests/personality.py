"""The personalities the suite can compare: dumb-init (scenarios.py, against
Debian's dumb-init 1.2.5), tini (scenarios_tini.py, against Debian's
tini-static 0.19.0) and catatonit (scenarios_catatonit.py, against Debian's
catatonit 0.1.7).

The binary under test picks its personality by the name it is run by, so
for tini and catatonit both binaries are run through a symbolic link of
that name (COMPAT_NAME, default `tini` / `catatonit`) in a directory of
their own. What tini and catatonit print is split and normalised here (see
NORMALISATIONS): their log lines carry PIDs and may come from the init or
from the child before exec, and their help, license and version texts are
ours to word.
"""

import os
import re
from dataclasses import dataclass


@dataclass
class Personality:
    name: str
    # The scenario module's name.
    scenarios: str
    # Environment variable naming the reference, and its default.
    reference_variable: str
    reference_default: str
    # The Debian package the reference must belong to.
    package: str
    # The option that prints the version and what the reference prints.
    version_option: str
    reference_version: str
    # What our version line must look like (`docker info` parses it).
    version_shape: str
    help_option: str
    license_option: str
    # A log line: group 1 is the PID of the process that wrote it.
    log_line: str
    # Where PIDs sit inside a log line (each pattern's group 1).
    pid_places: tuple
    # Lines that continue the log line before them (tini's warning).
    continuation: str
    # Where the child's PID is named by the init, if it is.
    child_named: str
    # Messages only the child writes (before exec). None: log lines are
    # whole; otherwise prefix, message and newline are separate writes, and
    # two processes' writes interleave (see reassemble).
    child_messages: str = None


TINI = Personality(
    name="tini",
    scenarios="scenarios_tini",
    reference_variable="COMPAT_TINI_REFERENCE",
    reference_default="/usr/bin/tini-static",
    package="tini",
    version_option="--version",
    reference_version="tini version 0.19.0\n",
    version_shape=r"tini version [0-9][^\s]*( - git\.[^\s.]+)?\n",
    help_option="-h",
    license_option="-l",
    log_line=r"\[(?:FATAL|WARN |INFO |DEBUG|TRACE) tini \((\d+)\)\] ",
    pid_places=(r"tini \((\d+)\)\]", r"with pid '(\d+)'", r"pid: '(\d+)'", r"pid=(\d+)"),
    continuation=r"(Zombie processes will not be re-parented|To fix the problem, )",
    child_named=r"Spawned child process '.*' with pid '(\d+)'",
)

CATATONIT = Personality(
    name="catatonit",
    scenarios="scenarios_catatonit",
    reference_variable="COMPAT_CATATONIT_REFERENCE",
    reference_default="/usr/bin/catatonit",
    package="catatonit",
    version_option="-V",
    reference_version="tini version 0.1.7_catatonit\n",
    version_shape=r"tini version [0-9][^\s]*_catatonit\n",
    help_option="-h",
    license_option="-L",
    log_line=r"(?:FATAL|ERROR|WARN|INFO|DEBUG) \(catatonit:(\d+)\): ",
    pid_places=(r"\(catatonit:(\d+)\)", r"pid1 \((-?\d+)\)", r"child process (\d+) ",
                r"status for process (\d+):"),
    continuation=r"(?!)",
    child_named=r"pid1 \((\d+)\) spawned",
    child_messages=r"(using stdin as tty fd|setting foreground process failed"
                   r"|LISTEN_PID has an invalid value|could not overwrite env variable"
                   r"|failed to exec pid1|failed to become foreground|failed to reset sigmask"
                   r"|failed to create process group|failed to get new process group"
                   r"|failed to add SIG)",
)

PERSONALITIES = {"tini": TINI, "catatonit": CATATONIT}

NORMALISATIONS = """
What is normalised before comparing (tini and catatonit), and why:
- Both binaries run through a link named like the personality (COMPAT_NAME);
  that path, where it appears (argv[0] in getopt's messages), becomes $INIT,
  the scenario's directory $DIR; a terminal's CR LF becomes LF.
- Help: the binary's own help output (`-h`, run by the same name) wherever
  it appears becomes <help text>, and catatonit's usage line (the first
  line of that help) becomes <usage line>: ours says it in its own words.
  Stream, place and exit status are still compared.
- License: a stream that is exactly the binary's own license output (not
  empty) becomes <license text>.
- Version: a stream that is exactly the binary's own version output becomes
  <version line> only if it has the shape `docker info` parses (`tini
  version X` or `tini version X - git.Y`; catatonit: `tini version
  X_catatonit`).
- Log lines race: after the fork the init and the child (before exec) both
  write, and tini's INFO/DEBUG lines on stdout are buffered until it exits
  when stdout is a pipe. Each stream is split into the init's log lines, the
  other processes' log lines (the child before exec) and everything else
  (the command's output, getopt's messages, help); each is compared in its
  own order, how they interleave is not.
- PIDs in log lines: the init's own becomes <init>, the child's <child>,
  others <pid#k>, numbered in order of appearance within each part.
"""


def split_records(text, personality):
    """Lines, with continuation lines joined to the log line before them."""
    records = []
    continuation = re.compile(personality.continuation)
    log_line = re.compile(personality.log_line)
    for line in text.splitlines(keepends=True):
        if records and continuation.match(line) and log_line.match(records[-1]):
            records[-1] += line
        else:
            records.append(line)
    return records


def reassemble(text, personality, init_pid):
    """Log records out of a stream where each record is three writes
    (prefix, message, newline) and the init's and the child's writes
    interleave, as catatonit's do: "DEBUG (catatonit:1): INFO
    (catatonit:2): pid1 (2) spawned: sh" holds two records. Each message
    goes to the oldest prefix waiting for one; when the init and another
    process both have a prefix waiting, the child's messages are told by
    their words (child_messages). Text while no prefix waits is other
    output, kept line by line."""
    boundary = re.compile("(?:%s)|\n" % personality.log_line)
    child_words = re.compile(personality.child_messages)
    waiting = []  # (writer's PID, prefix), oldest first
    records, other = [], ""

    def piece(text):
        nonlocal other
        if not waiting:
            other += text
            return
        chosen = waiting[0]
        if any(pid != chosen[0] for pid, _ in waiting):
            childish = bool(child_words.match(text))
            for entry in waiting:
                if (entry[0] != init_pid) == childish:
                    chosen = entry
                    break
        waiting.remove(chosen)
        records.append(chosen[1] + text + "\n")

    position = 0
    for match in boundary.finditer(text):
        if match.start() > position:
            piece(text[position:match.start()])
        position = match.end()
        if match.group(0) == "\n":
            if other:
                records.append(other + "\n")
                other = ""
        else:
            waiting.append((int(match.group(1)), match.group(0)))
    if position < len(text):
        piece(text[position:])
    if other:
        records.append(other)
    records += [head for _, head in waiting]
    return records


def replace_pids(records, personality, init_pid, child_pid):
    numbering = {}

    def token(number):
        if number == init_pid:
            return "<init>"
        if number == child_pid:
            return "<child>"
        numbering.setdefault(number, "<pid#%d>" % (len(numbering) + 1))
        return numbering[number]

    def place(match):
        number = int(match.group(1))
        named = ("-" if number < 0 else "") + token(abs(number))
        start, end = match.span(1)
        whole = match.group(0)
        offset = match.start(0)
        return whole[:start - offset] + named + whole[end - offset:]

    out = []
    for record in records:
        for pattern in personality.pid_places:
            record = re.sub(pattern, place, record)
        out.append(record)
    return out


def streams(personality, texts, init_pid, child_pid):
    """texts: {"stdout": str, "stderr": str} after the textual replacements.
    Returns the observations: each stream split in three."""
    log_line = re.compile(personality.log_line)
    if child_pid is None:
        for text in texts.values():
            named = re.search(personality.child_named, text)
            if named:
                child_pid = int(named.group(1))
                break
    observed = {}
    for stream, text in texts.items():
        if personality.child_messages:
            records = reassemble(text, personality, init_pid)
        else:
            records = split_records(text, personality)
        init, child, other = [], [], []
        for record in records:
            match = log_line.match(record)
            if not match:
                other.append(record)
            elif int(match.group(1)) == init_pid:
                init.append(record)
            else:
                child.append(record)
        observed[stream + ": init's log lines"] = "".join(
            replace_pids(init, personality, init_pid, child_pid))
        observed[stream + ": child's log lines before exec"] = "".join(
            replace_pids(child, personality, init_pid, child_pid))
        observed[stream + ": other output"] = "".join(other)
    return observed


def canned(personality, data, own):
    """Help, license and version output replaced by tokens (see
    NORMALISATIONS); `own` holds the binary's own outputs, as bytes."""
    if not data:
        return data
    version = own.get("version")
    if version and data == version and re.fullmatch(
            personality.version_shape.encode(), version):
        return b"<version line>\n"
    license_text = own.get("license")
    if license_text and data == license_text:
        return b"<license text>\n"
    help_text = own.get("help")
    if help_text:
        data = data.replace(help_text, b"<help text>\n")
        usage = help_text.split(b"\n", 1)[0] + b"\n"
        if personality is CATATONIT and len(usage) > 1:
            data = data.replace(usage, b"<usage line>\n")
    return data


def link(directory, name, target):
    """A symbolic link `directory/name` -> target; returns its path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    if os.path.lexists(path):
        os.remove(path)
    os.symlink(target, path)
    return path
