#!/usr/bin/env python3
"""Reads the few Dockerfile instructions the package tests need, so that a
test runs what an example Dockerfile says rather than a copy of it.

    dockerfile.py copies FILE      one line per COPY source: STAGE<TAB>SRC<TAB>DEST
                                   (STAGE is "-" for the build context)
    dockerfile.py entrypoint FILE  the final stage's ENTRYPOINT, one argument a line
    dockerfile.py command FILE     ENTRYPOINT followed by CMD, one argument a line
    dockerfile.py env FILE         the final stage's ENV settings, NAME=VALUE a line
    dockerfile.py run FILE         the final stage's RUN commands (shell form), one a line
    dockerfile.py bases FILE       one line per FROM: NAME<TAB>IMAGE (NAME is "-" for a
                                   stage without AS), ${ARG}s before the first FROM
                                   replaced by their defaults

copies, env and run take the stage named NAME instead of the final one when
given one more argument, NAME (the name after AS).

ENTRYPOINT and CMD must use the exec (JSON) form: the shell form would make
/bin/sh process 1 and put dumb-init under it, which is the mistake the
examples exist to avoid. Anything else exits with status 1 and a message.
"""

import json
import re
import shlex
import sys


def instructions(path):
    """Yields (KEYWORD, rest) with continuation lines joined and comments dropped."""
    pending = ""
    with open(path) as file:
        for raw in file:
            line = raw.rstrip("\n")
            if not pending and line.lstrip().startswith("#"):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line = (pending + line).strip()
            pending = ""
            if line:
                keyword, _, rest = line.partition(" ")
                yield keyword.upper(), rest.strip()


def final_stage(path, name=None):
    """The instructions of the last stage, or of the stage named name."""
    stage, current, found = [], None, []
    for keyword, rest in instructions(path):
        if keyword == "FROM":
            words = rest.split()
            current = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stage = []
        stage.append((keyword, rest))
        if name is not None and current == name:
            found = stage
    if name is not None and not found:
        sys.exit(f"{path}: no stage named {name}")
    return found if name is not None else stage


def bases(path):
    """Yields (stage name or "-", image) for every FROM, as a build without
    --build-arg would see them."""
    defaults, seen_from = {}, False
    for keyword, rest in instructions(path):
        if keyword == "ARG" and not seen_from:
            name, _, value = rest.partition("=")
            defaults[name.strip()] = value.strip()
        elif keyword == "FROM":
            seen_from = True
            words = rest.split()
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)",
                           lambda m: defaults.get(m.group(1) or m.group(2), ""), words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else "-"
            yield name, image


def exec_form(keyword, rest):
    try:
        value = json.loads(rest)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        sys.exit(f"{keyword} {rest}: not the exec (JSON array) form")
    return value


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[1] not in ("copies", "env", "run")):
        sys.exit(__doc__)
    what, path = sys.argv[1], sys.argv[2]
    stage = final_stage(path, sys.argv[3] if len(sys.argv) == 4 else None)
    if what == "copies":
        for keyword, rest in stage:
            if keyword not in ("COPY", "ADD"):
                continue
            words = shlex.split(rest)
            origin = "-"
            flags = [w for w in words if w.startswith("--")]
            for flag in flags:
                if flag.startswith("--from="):
                    origin = flag[len("--from="):]
            paths = [w for w in words if not w.startswith("--")]
            for source in paths[:-1]:
                print(f"{origin}\t{source}\t{paths[-1]}")
    elif what in ("entrypoint", "command"):
        entrypoint, command = [], []
        for keyword, rest in stage:
            if keyword == "ENTRYPOINT":
                entrypoint = exec_form(keyword, rest)
            elif keyword == "CMD":
                command = exec_form(keyword, rest)
        if not entrypoint:
            sys.exit(f"{path}: no ENTRYPOINT")
        print("\n".join(entrypoint + (command if what == "command" else [])))
    elif what == "run":
        for keyword, rest in stage:
            if keyword == "RUN":
                print(rest)
    elif what == "bases":
        for name, image in bases(path):
            print(f"{name}\t{image}")
    elif what == "env":
        for keyword, rest in stage:
            if keyword == "ENV":
                for word in shlex.split(rest):
                    print(word)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
