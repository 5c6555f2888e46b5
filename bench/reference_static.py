#!/usr/bin/env python3
"""The reference dumb-init built by its own static recipe, for `make bench`.

Debian ships dumb-init dynamically linked; upstream's Makefile builds it with
`-static -s -O3`, which is what images that copy one static file get. This
builds that from Debian's source package of the installed version into
OUT_DIR (once: a build already there is used as it is) and prints its path.

Getting the source needs a deb-src entry. When apt has none for dumb-init, one
is written to a sources file of its own under apt's sources.list.d, for the
same mirror, suite and component that the installed package came from and
with the same Signed-By, and apt's lists are updated; if that update fails
the file is removed again. Needs root only then.

    python3 bench/reference_static.py target/bench
"""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "dumb-init"
SOURCES_NAME = "dumb-init-rs-bench-src.sources"
APT_ENV = {**os.environ, "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"}


class BuildError(Exception):
    """A step of the build failed; the message is one line for stderr."""


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(argv, cwd=None, check=True):
    argv = [str(arg) for arg in argv]
    result = subprocess.run(
        argv, cwd=cwd, env=APT_ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError(f"{' '.join(argv)} failed: {lines[-1] if lines else 'no output'}")
    return result


def installed_version():
    result = run(["dpkg-query", "-W", "-f", "${Version}", PACKAGE], check=False)
    if result.returncode != 0 or not result.stdout:
        raise BuildError(f"{PACKAGE} is not installed (tools/install-test-deps.sh installs it)")
    return result.stdout.strip()


def is_static(path):
    """True when the ELF file has no program interpreter (PT_INTERP)."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise BuildError(f"{path} is not a 64-bit ELF file")
    order = "little" if data[5] == 1 else "big"
    phoff = int.from_bytes(data[0x20:0x28], order)
    phentsize = int.from_bytes(data[0x36:0x38], order)
    phnum = int.from_bytes(data[0x38:0x3A], order)
    for i in range(phnum):
        start = phoff + i * phentsize
        if int.from_bytes(data[start : start + 4], order) == 3:  # PT_INTERP
            return False
    return True


# --- apt's deb-src entry ---------------------------------------------------------


def source_known(version):
    result = run(["apt-cache", "showsrc", "--only-source", PACKAGE], check=False)
    return result.returncode == 0 and f"\nVersion: {version}\n" in f"\n{result.stdout}"


def origin(version):
    """(URI, suite, component) of the archive the installed version comes
    from, as `apt-cache policy` lists it."""
    lines = run(["apt-cache", "policy", PACKAGE]).stdout.splitlines()
    in_version = False
    for line in lines:
        heading = re.match(r"^ (?:\*\*\*| {3}) (\S+) \d+$", line)
        if heading:
            in_version = heading.group(1) == version
            continue
        entry = re.match(r"^\s+\d+ (\S+://\S+) (\S+) \S+ Packages$", line)
        if in_version and entry:
            uri, dist = entry.groups()
            suite, _, component = dist.rpartition("/")
            if suite:
                return uri.rstrip("/"), suite, component
    raise BuildError(f"apt-cache policy names no archive for {PACKAGE} {version}")


def apt_paths():
    """apt's sources.list and sources.list.d, as apt itself resolves them."""
    out = run(
        ["apt-config", "shell", "L", "Dir::Etc::sourcelist/f", "D", "Dir::Etc::sourceparts/d"]
    )
    values = dict(shlex.split(line)[0].split("=", 1) for line in out.stdout.splitlines() if line)
    return Path(values["L"]), Path(values["D"])


def one_line_entries(text):
    """(types, uris, suites, options) of each one-line-style entry."""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        options = {}
        rest = rest.strip()
        if rest.startswith("["):
            inside, _, rest = rest[1:].partition("]")
            for option in inside.split():
                key, _, value = option.partition("=")
                options[key.lower()] = [value]
        words = rest.split()
        if len(words) >= 2:
            yield [kind], [words[0]], [words[1]], options


def deb822_entries(text):
    """(types, uris, suites, fields) of each deb822 stanza; a field's value is
    kept as its lines, so that an inline key survives."""
    stanza, key = {}, None
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if stanza and stanza.get("enabled", ["yes"])[0].strip().lower() != "no":
                yield (
                    " ".join(stanza.get("types", [])).split(),
                    " ".join(stanza.get("uris", [])).split(),
                    " ".join(stanza.get("suites", [])).split(),
                    stanza,
                )
            stanza, key = {}, None
        elif line[0] in " \t" and key:
            stanza[key].append(line)
        else:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            stanza[key] = [value.strip()]


def trust_fields(uri, suite):
    """Signed-By and Trusted of the machine's `deb` entry for uri and suite:
    apt insists that entries for one archive and suite agree on them."""
    sources_list, parts = apt_paths()
    files = [sources_list, *sorted(parts.glob("*.list")), *sorted(parts.glob("*.sources"))]
    for path in files:
        if not path.is_file() or path.name == SOURCES_NAME:
            continue
        text = path.read_text(errors="replace")
        entries = deb822_entries(text) if path.suffix == ".sources" else one_line_entries(text)
        for types, uris, suites, fields in entries:
            if "deb" in types and uri in (u.rstrip("/") for u in uris) and suite in suites:
                return {
                    name: fields[key]
                    for key, name in (("signed-by", "Signed-By"), ("trusted", "Trusted"))
                    if key in fields
                }
    return {}


def ensure_source(version):
    """Makes `apt-get source dumb-init=VERSION` possible; idempotent."""
    if source_known(version):
        return
    if os.geteuid() != 0:
        raise BuildError("apt has no deb-src entry for dumb-init; run once as root to add one")
    uri, suite, component = origin(version)
    lines = [
        "# Written by dumb-init-rs's `make bench` (bench/reference_static.py): Debian's",
        "# source of dumb-init, for the reference's own static build. Safe to delete.",
        "Types: deb-src",
        f"URIs: {uri}",
        f"Suites: {suite}",
        f"Components: {component}",
    ]
    for name, value in trust_fields(uri, suite).items():
        lines.append(f"{name}: {value[0]}".rstrip())
        lines.extend(value[1:])
    _, parts = apt_paths()
    path = parts / SOURCES_NAME
    progress(f"adding deb-src {uri} {suite} {component} in {path}, then apt-get update")
    path.write_text("\n".join(lines) + "\n")
    try:
        run(["apt-get", "-o", "DPkg::Lock::Timeout=120", "update", "-qq"])
        if not source_known(version):
            raise BuildError(f"apt still knows no source of {PACKAGE} {version} after the update")
    except BuildError:
        path.unlink()
        raise


# --- the build -------------------------------------------------------------------


def source_files(version, where):
    """Fetches the source package into where; returns {name: verified path}.
    A part the mirror does not have is left out (apt-get fails for it), the
    others are checked against the hashes apt lists for them."""
    listing = run(["apt-get", "source", "--print-uris", "-qq", f"{PACKAGE}={version}"], cwd=where)
    wanted = {}
    for line in listing.stdout.splitlines():
        words = line.split()
        if len(words) >= 4 and words[0].startswith("'") and words[3].startswith("SHA256:"):
            wanted[words[1]] = words[3][len("SHA256:") :]
    if not wanted:
        raise BuildError(f"apt-get source lists no files for {PACKAGE} {version}")
    # apt drops to its own user for downloads; let it write here.
    try:
        shutil.chown(where, user="_apt")
    except (LookupError, PermissionError):
        pass
    fetch = run(
        ["apt-get", "source", "--download-only", "-qq", f"{PACKAGE}={version}"],
        cwd=where,
        check=False,
    )
    found = {}
    for name, digest in wanted.items():
        path = Path(where) / name
        if not path.exists():
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise BuildError(f"{name}: SHA256 differs from apt's")
        found[name] = path
    if fetch.returncode != 0 and len(found) < len(wanted):
        missing = sorted(set(wanted) - set(found))
        progress(f"the mirror did not deliver {', '.join(missing)}")
    return found


def build(out_dir):
    """The static reference in out_dir, built when missing; returns
    (binary, recipe) where recipe is two lines saying how it was made."""
    version = installed_version()
    out_dir = Path(out_dir)
    binary = out_dir / f"dumb-init-{version}-static"
    recipe_file = binary.with_name(binary.name + ".recipe")
    if binary.exists() and recipe_file.exists():
        return binary, recipe_file.read_text().strip()
    ensure_source(version)
    progress(f"building the reference's static recipe from Debian's source {PACKAGE} {version}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dumb-init-ref-") as work:
        files = source_files(version, work)
        origs = [p for n, p in files.items() if ".orig.tar." in n]
        if not origs:
            raise BuildError(f"the upstream tarball of {PACKAGE} {version} was not fetched")
        debian = [p for n, p in files.items() if ".debian.tar." in n]
        if debian:
            # Debian's packaging is dynamic (dh); what it could change here
            # is the source, through patches.
            names = run(["tar", "-tf", debian[0]]).stdout.split()
            if any(n.startswith("debian/patches/") and not n.endswith("/") for n in names):
                raise BuildError(f"{debian[0].name} patches the source; this build would not")
            packaging = f"{debian[0].name}: no patches"
        else:
            packaging = "Debian's packaging part not fetched from the mirror"
        run(["tar", "-xf", origs[0], "-C", work])
        tops = [p for p in Path(work).iterdir() if p.is_dir() and (p / "dumb-init.c").exists()]
        if len(tops) != 1:
            raise BuildError(f"{origs[0].name} does not hold one dumb-init.c tree")
        # Upstream's Makefile: `build` compiles dumb-init.c with its static
        # CFLAGS, after regenerating VERSION.h from VERSION when that is newer.
        make = run(["make", "-C", tops[0], "build", "CC=gcc"])
        lines = make.stdout.splitlines()
        compiles = [line for line in lines if "dumb-init.c" in line and "-static" in line]
        command = compiles[0] if compiles else None
        built = tops[0] / "dumb-init"
        if command is None or not built.exists():
            raise BuildError("upstream's `make build` printed no static compile line")
        if not is_static(built):
            raise BuildError(f"{built} is dynamically linked")
        said = run([built, "--version"], check=False).stderr.strip()
        upstream = version.split("-")[0]
        if said != f"dumb-init v{upstream}":
            raise BuildError(f"the static build says {said!r}, not 'dumb-init v{upstream}'")
        gcc = run(["gcc", "--version"]).stdout.splitlines()[0]
        recipe = (
            f"`{command.strip()}` (upstream's Makefile: `make build CC=gcc`), {gcc},\n"
            f"on {origs[0].name} of Debian's source {PACKAGE} {version} ({packaging})"
        )
        partial = binary.with_name(binary.name + ".partial")
        shutil.copy2(built, partial)
        partial.rename(binary)
        recipe_file.write_text(recipe + "\n")
    return binary, recipe


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT_DIR")
    try:
        binary, recipe = build(sys.argv[1])
    except BuildError as error:
        sys.exit(f"bench: {error}")
    print(binary)
    print(recipe, file=sys.stderr)


if __name__ == "__main__":
    main()
