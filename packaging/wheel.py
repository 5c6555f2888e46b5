#!/usr/bin/env python3
"""Builds the wheels that `pip install dumb-init-rs` installs. On Linux: a
zip holding the given static binary as the `dumb-init` script (pip puts it
in the environment's bin/, on PATH) and the three files pip reads (METADATA,
WHEEL, RECORD), as the reference's PyPI wheel holds its C binary. Elsewhere
(--stand-in): a pure-Python py3-none-any wheel holding
packaging/python/dumb_init_rs.py, whose `dumb-init` entry point runs the
command, passes signals on and returns its status, and says it is no
container init there. pip prefers a wheel tagged for the platform to an
`any` one, so on Linux the static binary's wheel wins wherever it fits.

    python3 packaging/wheel.py BINARY ARCH [OUTDIR]
    python3 packaging/wheel.py --stand-in [OUTDIR]

ARCH is the architecture as `uname -m` names it (x86_64, aarch64, ppc64le,
s390x, armv7l, i686, riscv64), which is also how wheel tags name it.

OUTDIR defaults to target/wheels/; the wheel's path is printed. The binary is
packed as it is, never rebuilt: the wheels ship the very file make dist
ships. Name, version, summary, licence, keywords and the README (the long
description) come from Cargo.toml.

Reproducible: entries in a fixed order with fixed modes, every time stamp
SOURCE_DATE_EPOCH (by default the last commit's time), so two builds of one
commit with the same Python give the same bytes.
"""

import base64
import hashlib
import io
import os
import re
import subprocess
import sys
import time
import tomllib
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import static_elf  # noqa: E402  (tools/static_elf.py, shared with the .debs and tests)

# The reference's wheels (dumb-init 1.2.5.post1 on PyPI) are tagged
# py2.py3-none with these manylinux platforms for x86_64, aarch64, ppc64le
# and s390x. It has none for armv7l, i686 and riscv64: those take the same
# manylinux2014 tags as its other non-x86_64 wheels (glibc 2.17, PEP 599 and
# PEP 600; pip takes manylinux tags on riscv64 from pip 24.1, whose
# `packaging` added it). A static binary needs no C library at all, so
# musllinux_1_1 (the oldest musllinux tag) is added everywhere: pip on Alpine
# takes the wheel too, where the reference's falls back to building its sdist.
PLATFORMS = {
    "x86_64": [
        "manylinux_2_12_x86_64",
        "manylinux2010_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "musllinux_1_1_x86_64",
    ],
    **{
        arch: [f"manylinux_2_17_{arch}", f"manylinux2014_{arch}", f"musllinux_1_1_{arch}"]
        for arch in ("aarch64", "ppc64le", "s390x", "armv7l", "i686")
    },
    # manylinux2014 (PEP 599) names no riscv64; its PEP 600 spelling does.
    "riscv64": ["manylinux_2_17_riscv64", "musllinux_1_1_riscv64"],
}
PYTHON_TAGS = ["py2", "py3"]
# The stand-in: its module, the oldest Python it runs on (it uses
# signal.valid_signals and importlib.metadata), its tag and its command.
STAND_IN = os.path.join(TOP, "packaging", "python", "dumb_init_rs.py")
STAND_IN_PYTHON = ">=3.8"
STAND_IN_TAG = "py3-none-any"
STAND_IN_ENTRY_POINTS = "[console_scripts]\ndumb-init = dumb_init_rs:main\n"


class WheelError(Exception):
    pass


def pep440_version(cargo_version):
    """Cargo's semver as PEP 440: 1.2.3 stays, 1.2.3-rc.1 becomes 1.2.3rc1
    (likewise alpha -> a, beta -> b); anything else has no faithful
    spelling and is refused."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.?(\d+))?", cargo_version)
    if not match:
        raise WheelError(f"Cargo.toml version {cargo_version!r} has no PEP 440 spelling here")
    release, pre, number = match.groups()
    if not pre:
        return release
    return release + {"alpha": "a", "beta": "b", "rc": "rc"}[pre] + number


def source_date_epoch():
    """SOURCE_DATE_EPOCH, else the last commit's time (the source that was
    built, as packaging/build-deb.sh does)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        try:
            value = subprocess.run(
                ["git", "-C", TOP, "log", "-1", "--format=%ct"],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            raise WheelError("no git history for a time stamp: set SOURCE_DATE_EPOCH")
    try:
        return int(value)
    except ValueError:
        raise WheelError(f"SOURCE_DATE_EPOCH {value!r} is not a number of seconds")


def metadata(package, readme, operating_systems, requires_python=None):
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {package['name']}",
        f"Version: {pep440_version(package['version'])}",
        f"Summary: {package['description']}",
    ]
    if package.get("keywords"):
        lines.append("Keywords: " + ",".join(package["keywords"]))
    for key, label in (("homepage", "Homepage"), ("repository", "Repository")):
        if key in package:
            lines.append(f"Project-URL: {label}, {package[key]}")
    lines.append(f"License-Expression: {package['license']}")
    lines += [f"Classifier: Operating System :: {system}" for system in operating_systems]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.append("Description-Content-Type: text/markdown")
    return ("\n".join(lines) + "\n\n" + readme).encode()


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def project():
    """Cargo.toml's [package] table, and the README it names."""
    with open(os.path.join(TOP, "Cargo.toml"), "rb") as f:
        package = tomllib.load(f)["package"]
    with open(os.path.join(TOP, package.get("readme", "README.md")), encoding="utf-8") as f:
        readme = f.read()
    return package, readme


def wheel_file(purelib, tags):
    return (
        "Wheel-Version: 1.0\n"
        "Generator: dumb-init-rs packaging/wheel.py\n"
        f"Root-Is-Purelib: {'true' if purelib else 'false'}\n" + "".join(f"Tag: {tag}\n" for tag in tags)
    ).encode()


def write(entries, dist_info, outdir, name):
    """Zips `entries` (name, bytes, mode) and RECORD into OUTDIR/name,
    reproducibly; returns its path."""
    record = "".join(record_line(entry, data) for entry, data, _ in entries)
    entries = entries + [(f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode(), 0o644)]

    # Zip time stamps start in 1980 and are local-time fields: UTC is used.
    stamp = time.gmtime(max(source_date_epoch(), 315532800))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, data, mode in entries:
            info = zipfile.ZipInfo(entry, date_time=stamp)
            info.create_system = 3  # Unix, so that external_attr holds the mode
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)

    path = os.path.join(outdir, name)
    os.makedirs(outdir, exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        f.write(buffer.getvalue())
    os.chmod(path + ".tmp", 0o644)
    os.replace(path + ".tmp", path)
    return path


def build(binary, arch, outdir):
    if arch not in PLATFORMS:
        raise WheelError(f"unknown architecture {arch!r} ({', '.join(PLATFORMS)})")
    package, readme = project()
    with open(binary, "rb") as f:
        program = f.read()
    # Refuses anything but a static executable for arch: a glibc build, or
    # another architecture's, must never be tagged as running everywhere.
    try:
        static_elf.check(program, arch)
    except static_elf.NotStatic as e:
        raise WheelError(f"{binary}: {e}")

    # PEP 427: the distribution name with "_" for "-" in file and directory names.
    stem = f"{package['name'].replace('-', '_')}-{pep440_version(package['version'])}"
    tags = [f"{python}-none-{platform}" for python in PYTHON_TAGS for platform in PLATFORMS[arch]]
    dist_info = f"{stem}.dist-info"
    # Sorted (the .data directory before .dist-info, as the spec advises),
    # RECORD last since it lists the others.
    entries = [
        (f"{stem}.data/scripts/dumb-init", program, 0o755),
        (f"{dist_info}/METADATA", metadata(package, readme, ["POSIX :: Linux"]), 0o644),
        (f"{dist_info}/WHEEL", wheel_file(False, tags), 0o644),
    ]
    platform = ".".join(PLATFORMS[arch])
    return write(entries, dist_info, outdir, f"{stem}-{'.'.join(PYTHON_TAGS)}-none-{platform}.whl")


def build_stand_in(outdir):
    """The py3-none-any wheel: the module at the top level, and an entry
    point from which pip writes the `dumb-init` command (a launcher for the
    environment's Python, an .exe on Windows)."""
    package, readme = project()
    with open(STAND_IN, "rb") as f:
        module = f.read()
    stem = f"{package['name'].replace('-', '_')}-{pep440_version(package['version'])}"
    dist_info = f"{stem}.dist-info"
    systems = ["MacOS", "POSIX", "Microsoft :: Windows"]
    entries = [
        ("dumb_init_rs.py", module, 0o644),
        (f"{dist_info}/METADATA", metadata(package, readme, systems, STAND_IN_PYTHON), 0o644),
        (f"{dist_info}/WHEEL", wheel_file(True, [STAND_IN_TAG]), 0o644),
        (f"{dist_info}/entry_points.txt", STAND_IN_ENTRY_POINTS.encode(), 0o644),
    ]
    return write(entries, dist_info, outdir, f"{stem}-{STAND_IN_TAG}.whl")


def main(argv):
    stand_in = argv[1:2] == ["--stand-in"]
    if len(argv) not in ((2, 3) if stand_in else (3, 4)):
        print(f"usage: wheel.py BINARY {'|'.join(PLATFORMS)} [OUTDIR]\n"
              "       wheel.py --stand-in [OUTDIR]", file=sys.stderr)
        return 2
    default = os.path.join(TOP, "target", "wheels")
    outdir = argv[-1] if len(argv) == (3 if stand_in else 4) else default
    try:
        print(build_stand_in(outdir) if stand_in else build(argv[1], argv[2], outdir))
    except (WheelError, OSError) as e:
        print(f"wheel: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
