#!/usr/bin/env bash
# make wheel-test: the wheels of make wheel as pip sees them, one per
# architecture. Their names and contents (the shipped binaries, byte for
# byte, with RECORD's hashes and the commit's time stamps), a second build
# compared byte for byte; the x86_64 wheel installed with pip into a fresh
# virtual environment under target/wheel-test/, its `dumb-init` found on PATH
# and run as process 1 of a PID namespace, where SIGTERM from outside reaches
# the child's trap; pip download's platform matching for glibc and musl on
# every architecture; every other wheel installed by pip for its platform
# into a directory and its binary run the same way, under qemu-user (i686
# natively). The pure-Python stand-in (py3-none-any): its contents and a
# second build; pip download takes it for macOS, Windows, FreeBSD and the
# Linux platforms no Linux wheel fits, never where one does; installed by
# pip into a fresh venv from a directory holding only it, its `dumb-init`
# returns the command's status, says once that it is no container init, and
# passes SIGTERM on (as a plain command, as on macOS, and as process 1). The
# host's /usr/bin/dumb-init is never touched.
#
#   SHIPPED="ARCH:DEBIAN_ARCH:BINARY ..." bash packaging/tests/wheel.sh
#
# SHIPPED names the shipped binary of each architecture (make wheel-test
# passes one word per row of the Makefile's ARCH_TABLE).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_root

WHEELS=$TOP/target/wheels
VENV=$TOP/target/wheel-test/venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_NO_CACHE_DIR=1
# The reference's tags (dumb-init 1.2.5.post1: x86_64, aarch64, ppc64le,
# s390x), manylinux2014 for the architectures it has no wheel for, and
# musllinux_1_1: what packaging/wheel.py promises, stated here on its own.
declare -A WHEEL=(
    [x86_64]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64.whl
    [aarch64]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl
    [ppc64le]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_ppc64le.manylinux2014_ppc64le.musllinux_1_1_ppc64le.whl
    [s390x]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_s390x.manylinux2014_s390x.musllinux_1_1_s390x.whl
    [armv7l]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_armv7l.manylinux2014_armv7l.musllinux_1_1_armv7l.whl
    [i686]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_i686.manylinux2014_i686.musllinux_1_1_i686.whl
    [riscv64]=dumb_init_rs-$CARGO_VERSION-py2.py3-none-manylinux_2_17_riscv64.musllinux_1_1_riscv64.whl
)
declare -A BINARY=()
ARCHES=()
read -r -a shipped <<<"${SHIPPED:?SHIPPED=\"ARCH:DEBIAN_ARCH:BINARY ...\" (make wheel-test sets it)}"
for row in "${shipped[@]}"; do
    IFS=: read -r arch _ binary <<<"$row"
    ARCHES+=("$arch")
    BINARY[$arch]=$binary
done
expect_eq "SHIPPED names the seven architectures the wheels are tagged for" \
    "$(printf '%s\n' "${!WHEEL[@]}" | sort | tr '\n' ' ')" "$(printf '%s\n' "${ARCHES[@]}" | sort | tr '\n' ' ')"
STATIC_BIN=${BINARY[x86_64]}
# wheel.py stamps SOURCE_DATE_EPOCH, by default the last commit's time.
stamp_time=${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct)}

# wheel_contents WHEEL: one line per entry (name, mode, time stamp), then
# "RECORD ok" or what RECORD gets wrong.
wheel_contents() {
    python3 - "$1" <<'PY'
import base64, hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for info in wheel.infolist():
        print(info.filename, oct(info.external_attr >> 16), "%04d-%02d-%02d %02d:%02d" % info.date_time[:5])
    record = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
    bad, listed = [], set()
    for line in wheel.read(record).decode().splitlines():
        name, digest, size = line.rsplit(",", 2)
        listed.add(name)
        if name == record:
            continue
        data = wheel.read(name)
        want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest != want or int(size) != len(data):
            bad.append(name)
    bad += sorted(set(wheel.namelist()) - listed)
    print("RECORD ok" if not bad else "RECORD wrong for " + " ".join(bad))
PY
}

# forward_term NAME EXE BINARY [RUNNER...]: RUNNER runs BINARY as process 1
# of a PID namespace, over a shell that traps TERM and exits 42; SIGTERM sent
# from outside to process 1 must reach the shell and 42 come back. EXE, when
# not "-", is what /proc/1/exe of the namespace must be.
forward_term() {
    local name=$1 exe=$2 binary=$3 out pid1
    shift 3
    out=$WORK/forward-$((passed + failed)).out
    "$@" timeout 30 unshare --pid --fork --kill-child --mount-proc "$binary" \
        sh -c 'trap "echo got TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
        >"$out" 2>&1 </dev/null &
    UNSHARE_PID=$!
    BACKGROUND_PIDS+=("$UNSHARE_PID")
    if ! wait_until 20 grep -q '^ready$' "$out" || ! pid1=$(pid1_of); then
        fail "$name: the child starts" "$(cat "$out")"
        stop_pid1
        return
    fi
    [ "$exe" = - ] || expect_eq "$name: process 1 is $exe" "$exe" "$(readlink "/proc/$pid1/exe")"
    kill -TERM "$pid1"
    wait_status "$UNSHARE_PID"
    expect_eq "$name: SIGTERM to process 1, the child's exit status comes back" 42 "$STATUS"
    expect_grep "$name: the child's trap got SIGTERM" '^got TERM$' "$out"
}

# 1. The files: names, entries, the shipped binaries in them, reproducible.
for arch in "${ARCHES[@]}"; do
    wheel=$WHEELS/${WHEEL[$arch]}
    if [ ! -s "$wheel" ]; then
        fail "target/wheels/${WHEEL[$arch]} exists" "$(ls "$WHEELS" 2>&1 | tr '\n' ' ')"
        continue
    fi
    ok "target/wheels/${WHEEL[$arch]} exists"
    stem=dumb_init_rs-$CARGO_VERSION
    stamp=$(date -u -d "@$stamp_time" '+%Y-%m-%d %H:%M')
    expect_eq "$arch wheel: the script, METADATA, WHEEL and RECORD, modes and the commit's time stamp" \
        "$stem.data/scripts/dumb-init 0o100755 $stamp
$stem.dist-info/METADATA 0o100644 $stamp
$stem.dist-info/WHEEL 0o100644 $stamp
$stem.dist-info/RECORD 0o100644 $stamp
RECORD ok" "$(wheel_contents "$wheel" 2>&1)"
    check "$arch wheel: its dumb-init is the shipped binary, byte for byte" \
        cmp -s <(python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
            "$wheel" "$stem.data/scripts/dumb-init") "${BINARY[$arch]}"
    # Another directory and another time: the same bytes.
    rebuilt=$(cd / && TZ=Asia/Tokyo python3 "$TOP/packaging/wheel.py" "${BINARY[$arch]}" "$arch" "$WORK/rebuilt" 2>&1)
    check "$arch wheel: a second build is byte-identical" cmp "$wheel" "$rebuilt"
done
# The stand-in: the module (packaging/python/dumb_init_rs.py) and an entry
# point, for any Python 3 on any platform.
STAND_IN=dumb_init_rs-$CARGO_VERSION-py3-none-any.whl
stand_in_wheel=$WHEELS/$STAND_IN
stem=dumb_init_rs-$CARGO_VERSION
stamp=$(date -u -d "@$stamp_time" '+%Y-%m-%d %H:%M')
check "target/wheels/$STAND_IN exists" test -s "$stand_in_wheel"
expect_eq "the stand-in wheel: the module, METADATA, WHEEL, entry_points.txt and RECORD, modes and the commit's time stamp" \
    "dumb_init_rs.py 0o100644 $stamp
$stem.dist-info/METADATA 0o100644 $stamp
$stem.dist-info/WHEEL 0o100644 $stamp
$stem.dist-info/entry_points.txt 0o100644 $stamp
$stem.dist-info/RECORD 0o100644 $stamp
RECORD ok" "$(wheel_contents "$stand_in_wheel" 2>&1)"
read_entry() {
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$@"
}
check "the stand-in wheel's module is packaging/python/dumb_init_rs.py, byte for byte" \
    cmp -s <(read_entry "$stand_in_wheel" dumb_init_rs.py) "$TOP/packaging/python/dumb_init_rs.py"
expect_eq "the stand-in wheel: pure Python, tagged py3-none-any, its command dumb-init" \
    "Root-Is-Purelib: true
Tag: py3-none-any
[console_scripts]
dumb-init = dumb_init_rs:main" \
    "$({ read_entry "$stand_in_wheel" "$stem.dist-info/WHEEL" | sed -n '3,$p'
        read_entry "$stand_in_wheel" "$stem.dist-info/entry_points.txt"; } 2>&1)"
expect_grep "the stand-in wheel's METADATA: Requires-Python" '^Requires-Python: >=3.8$' \
    <(read_entry "$stand_in_wheel" "$stem.dist-info/METADATA")
rebuilt=$(cd / && TZ=Asia/Tokyo python3 "$TOP/packaging/wheel.py" --stand-in "$WORK/rebuilt" 2>&1)
check "the stand-in wheel: a second build is byte-identical" cmp "$stand_in_wheel" "$rebuilt"

x86_64_wheel=$WHEELS/${WHEEL[x86_64]}
metadata=$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' \
    "$x86_64_wheel" "dumb_init_rs-$CARGO_VERSION.dist-info/METADATA" 2>&1)
expect_eq "METADATA: the README is the long description" "$(cat "$TOP/README.md")" \
    "$(printf '%s\n' "$metadata" | sed '1,/^$/d')"

# 2. pip install into a fresh virtual environment, and what it puts on PATH.
rm -rf "$VENV"
if ! logged "$WORK/venv.log" python3 -m venv "$VENV"; then
    fail "python3 -m venv $VENV"
    summary
    exit 1
fi
pip=("$VENV/bin/python" -m pip)
check "pip install --no-index the x86_64 wheel into a fresh venv" \
    logged "$WORK/pip-install.log" "${pip[@]}" install --no-index "$x86_64_wheel"
"${pip[@]}" show dumb-init-rs >"$WORK/pip-show.log" 2>&1
expect_grep "pip show: dumb-init-rs $CARGO_VERSION" "^Version: $CARGO_VERSION$" "$WORK/pip-show.log"
check "the venv's bin/dumb-init is the shipped binary, executable" \
    sh -c "test -x '$VENV/bin/dumb-init' && cmp -s '$VENV/bin/dumb-init' '$STATIC_BIN'"
venv_path=$VENV/bin:$PATH
expect_eq "with the venv's bin/ first on PATH, dumb-init is the venv's" "$VENV/bin/dumb-init" \
    "$(PATH=$venv_path command -v dumb-init)"
expect_eq "dumb-init -V from the venv" "dumb-init v$CARGO_VERSION" "$(PATH=$venv_path dumb-init -V 2>&1)"
forward_term "venv's dumb-init" "$VENV/bin/dumb-init" dumb-init env PATH="$venv_path"
if "${pip[@]}" install --no-index "$WHEELS/${WHEEL[aarch64]}" >"$WORK/pip-refused.log" 2>&1; then
    fail "pip on x86_64 refuses the aarch64 wheel" "$(cat "$WORK/pip-refused.log")"
else
    expect_grep "pip on x86_64 refuses the aarch64 wheel" "is not a supported wheel on this platform" \
        "$WORK/pip-refused.log"
fi
check "pip uninstall dumb-init-rs (RECORD lists the script)" \
    logged "$WORK/pip-uninstall.log" "${pip[@]}" uninstall -y dumb-init-rs
check "pip uninstall removed bin/dumb-init" test ! -e "$VENV/bin/dumb-init"

# 2b. The stand-in, installed by pip as pip on macOS gets it (from a
# directory that holds only it: here pip would take the x86_64 wheel) into
# a fresh venv, and run as there: a plain command, not process 1.
STAND_IN_VENV=$TOP/target/wheel-test/stand-in-venv
rm -rf "$STAND_IN_VENV"
mkdir -p "$WORK/stand-in-only"
cp "$stand_in_wheel" "$WORK/stand-in-only/"
check "python3 -m venv $STAND_IN_VENV" logged "$WORK/stand-in-venv.log" python3 -m venv "$STAND_IN_VENV"
check "pip install --no-index --find-links DIR dumb-init-rs, DIR holding only the stand-in" \
    logged "$WORK/stand-in-install.log" "$STAND_IN_VENV/bin/python" -m pip install --no-index \
    --find-links "$WORK/stand-in-only" "dumb-init-rs==$CARGO_VERSION"
stand_in=$STAND_IN_VENV/bin/dumb-init
check "the stand-in's bin/dumb-init is executable" test -x "$stand_in"
STATUS=0
"$stand_in" sh -c 'echo out; exit 7' >"$WORK/stand-in.out" 2>"$WORK/stand-in.err" </dev/null || STATUS=$?
expect_eq "the stand-in exits with the command's status" 7 "$STATUS"
expect_eq "the command's stdout passes through" out "$(cat "$WORK/stand-in.out")"
expect_eq "the stand-in says it is no container init, once, in one line on stderr" \
    "1 1" "$(grep -c 'but it is not a container init\.$' "$WORK/stand-in.err") $(wc -l <"$WORK/stand-in.err")"
STATUS=0
"$stand_in" sh -c 'kill -TERM $$' 2>/dev/null </dev/null || STATUS=$?
expect_eq "a command killed by SIGTERM: the stand-in exits 143" 143 "$STATUS"
STATUS=0
"$stand_in" /nonexistent 2>"$WORK/stand-in-missing.err" </dev/null || STATUS=$?
expect_eq "a command that cannot be run: exit 2, and why" \
    "2 [dumb-init] /nonexistent: No such file or directory" "$STATUS $(tail -n 1 "$WORK/stand-in-missing.err")"
expect_eq "the stand-in's dumb-init -V" "dumb-init v$CARGO_VERSION" "$("$stand_in" -V 2>&1 | tail -n 1)"
# SIGTERM sent to the stand-in (the venv's Python, timeout's child)
# reaches the command's trap, and the trap's status comes back.
out=$WORK/stand-in-term.out
timeout 30 "$stand_in" sh -c 'trap "echo got TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
    >"$out" 2>&1 </dev/null &
term_job=$!
BACKGROUND_PIDS+=("$term_job")
if wait_until 20 grep -q '^ready$' "$out" && stand_in_pid=$(children "$term_job" | head -n 1) &&
    [ -n "$stand_in_pid" ]; then
    kill -TERM "$stand_in_pid"
    wait_status "$term_job"
    expect_eq "SIGTERM to the stand-in: the command's exit status comes back" 42 "$STATUS"
    expect_grep "SIGTERM to the stand-in: the command's trap got it" '^got TERM$' "$out"
else
    fail "the stand-in starts the command" "$(cat "$out")"
fi
# Installed on Linux after all, it may be process 1: it passes signals on
# there too (and reaps every child).
forward_term "the stand-in as process 1" - "$stand_in"

# 3. Which platforms pip takes each wheel for. manylinux2010 is the
# reference's oldest tag, musllinux_1_1 the oldest musl one.
# downloaded PLATFORM: the wheel pip download picks for PLATFORM, or "none".
downloaded() {
    local dir=$WORK/download-$1
    "${pip[@]}" download -q --no-index --find-links "$WHEELS" --only-binary=:all: --platform "$1" \
        -d "$dir" "dumb-init-rs==$CARGO_VERSION" >"$dir.log" 2>&1
    (cd "$dir" 2>/dev/null && ls) | grep . || echo none
}
for arch in "${ARCHES[@]}"; do
    platforms="manylinux_2_17_$arch musllinux_1_1_$arch"
    # manylinux2014 (PEP 599) has no riscv64.
    [ "$arch" = riscv64 ] || platforms="$platforms manylinux2014_$arch"
    [ "$arch" = x86_64 ] && platforms="$platforms manylinux2010_x86_64 manylinux_2_12_x86_64"
    for platform in $platforms; do
        expect_eq "pip download --platform $platform takes the $arch wheel" "${WHEEL[$arch]}" "$(downloaded "$platform")"
    done
done
# The stand-in where no Linux wheel fits: macOS (Intel and Apple), Windows,
# FreeBSD; and Linux with older glibc than the tags say, no tag at all, and
# i686 before manylinux2014 (only x86_64 carries the reference's
# manylinux2010). Above, every platform a Linux wheel fits took that wheel
# and not the stand-in, which lies in the same directory.
for platform in macosx_11_0_arm64 macosx_10_12_x86_64 macosx_14_0_arm64 win_amd64 freebsd_14_0_release_amd64 \
    manylinux1_x86_64 linux_x86_64 manylinux2010_aarch64 linux_aarch64 manylinux2010_i686 \
    manylinux_2_16_s390x linux_riscv64; do
    expect_eq "pip download --platform $platform takes the stand-in" "$STAND_IN" "$(downloaded "$platform")"
done

# 4. Every other wheel, installed by pip for its platform into a directory
# (as a multi-architecture image build does), its binary run under qemu-user
# the same way (i686 natively).
qemu=(sh "$TOP/tools/binfmt-qemu.sh")
for arch in "${ARCHES[@]}"; do
    [ "$arch" = x86_64 ] && continue
    dir=$WORK/target-$arch
    check "pip install --platform manylinux_2_17_$arch --target DIR takes the $arch wheel" \
        logged "$WORK/pip-$arch.log" "${pip[@]}" install --no-index --find-links "$WHEELS" --only-binary=:all: \
        --platform "manylinux_2_17_$arch" --target "$dir" "dumb-init-rs==$CARGO_VERSION"
    check "its bin/dumb-init is the shipped $arch binary, executable" \
        sh -c "test -x '$dir/bin/dumb-init' && cmp -s '$dir/bin/dumb-init' '${BINARY[$arch]}'"
    expect_eq "the $arch wheel's dumb-init -V" "dumb-init v$CARGO_VERSION" "$("${qemu[@]}" "$dir/bin/dumb-init" -V 2>&1)"
    forward_term "the $arch wheel's dumb-init" - "$dir/bin/dumb-init" "${qemu[@]}"
done

summary
