#!/usr/bin/env python3
"""Checks that a file is a static executable for one of the architectures a
release ships for, named as `uname -m` names it there, from its ELF header:

    python3 tools/static_elf.py BINARY ARCH

Exits 0 when it is; otherwise says what is wrong and exits 1. The .debs, the
wheels and the tests on other architectures all check their binary with it
(packaging/wheel.py imports check()), so that a glibc build, a static PIE or
another architecture's file never goes where a static one is promised.
"""

import sys

# uname -m name: ELF class (1 32-bit, 2 64-bit), byte order (1 little, 2 big
# endian), e_machine, and (mask, value) of e_flags where the ABI matters:
# armv7l is hard-float EABI version 5 (Debian's armhf, not armel), riscv64
# the double-float ABI of riscv64gc (Debian's riscv64).
ARCHES = {
    "x86_64": (2, 1, 62, None),
    "aarch64": (2, 1, 183, None),
    "ppc64le": (2, 1, 21, None),
    "s390x": (2, 2, 22, None),
    "armv7l": (1, 1, 40, (0xFF000400, 0x05000400)),
    "i686": (1, 1, 3, None),
    "riscv64": (2, 1, 243, (0x6, 0x4)),
}
ET_EXEC = 2
PT_DYNAMIC = 2
PT_INTERP = 3


class NotStatic(Exception):
    pass


def check(data, arch):
    """Raises NotStatic unless data is a plain static executable for arch:
    of its class, byte order, machine and ABI, of type ET_EXEC (not a PIE),
    with no program interpreter and no dynamic section."""
    if arch not in ARCHES:
        raise NotStatic("unknown architecture %r (one of %s)" % (arch, ", ".join(ARCHES)))
    elf_class, order, machine, flags = ARCHES[arch]
    if data[:4] != b"\x7fELF":
        raise NotStatic("not an ELF file")
    if (data[4], data[5]) != (elf_class, order):
        raise NotStatic("a %d-bit %s-endian ELF file, not %s's %d-bit %s-endian" % (
            32 * data[4], "big" if data[5] == 2 else "little", arch,
            32 * elf_class, "big" if order == 2 else "little"))
    endian = "big" if order == 2 else "little"

    def field(offset, size):
        return int.from_bytes(data[offset:offset + size], endian)

    if field(18, 2) != machine:
        raise NotStatic("ELF machine %d, not %s's (%d)" % (field(18, 2), arch, machine))
    if field(16, 2) != ET_EXEC:
        raise NotStatic("ELF type %d, not a plain executable (%d): a PIE?" % (field(16, 2), ET_EXEC))
    if elf_class == 2:
        phoff, e_flags, phentsize, phnum = field(32, 8), field(48, 4), field(54, 2), field(56, 2)
    else:
        phoff, e_flags, phentsize, phnum = field(28, 4), field(36, 4), field(42, 2), field(44, 2)
    if flags and e_flags & flags[0] != flags[1]:
        raise NotStatic("ELF flags %#x, not %s's ABI (%#x under mask %#x)" % (
            e_flags, arch, flags[1], flags[0]))
    for i in range(phnum):
        kind = field(phoff + i * phentsize, 4)
        if kind == PT_INTERP:
            raise NotStatic("dynamically linked (it names a program interpreter)")
        if kind == PT_DYNAMIC:
            raise NotStatic("it has a dynamic section (a static PIE or a dynamic executable)")


def main(argv):
    if len(argv) != 3:
        print("usage: static_elf.py BINARY ARCH (%s)" % "|".join(ARCHES), file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            check(f.read(), argv[2])
    except (NotStatic, OSError) as e:
        print("%s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
