"""Scenarios inside a real OCI container run by runc, with dumb-init as PID 1.

Each binary gets a root file system made of busybox-static (plus applet
links), the binary at /sbin/dumb-init and the shared libraries `ldd` names
for it (the reference needs glibc; a static build needs nothing). Each run
gets a bundle of its own (config.json from `runc spec`, edited: no terminal,
writable root, the scenario's command) and the run directory bind-mounted at
/rec, where entrypoint scripts and their reports live. Stopping is what
`docker stop` does: `runc kill <id> TERM`. Every container is deleted with
`runc delete -f`, whatever happened.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import uuid

import processes

INSIDE = "/sbin/dumb-init"
APPLETS = ["sh", "sleep", "cat", "echo", "grep", "kill", "ls", "ps", "true", "test",
           "mkdir", "rm", "wc", "env"]
_roots = {}
_containers = set()
_lock = threading.Lock()


def has_interpreter(path):
    """Whether the ELF file at `path` names a dynamic loader (PT_INTERP)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return True  # not a 64-bit ELF file: not something to trust
        phoff = struct.unpack_from("<Q", header, 32)[0]
        entsize, count = struct.unpack_from("<HH", header, 54)
        f.seek(phoff)
        table = f.read(entsize * count)
    return any(struct.unpack_from("<I", table, i * entsize)[0] == 3 for i in range(count))


def static_busybox():
    for path in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(path) and not has_interpreter(path):
            return path
    return None


def shared_libraries(binary):
    done = processes.run(["ldd", binary])
    return re.findall(r"(/\S+) \(0x", done.stdout.decode())


def prepare(workroot, binaries, needed):
    if not needed:
        return
    busybox = static_busybox()
    if busybox is None or shutil.which("runc") is None:
        raise SystemExit("compat: runc and busybox-static are needed "
                         "(run tools/install-test-deps.sh as root)")
    for binary in binaries:
        root = os.path.join(workroot, "rootfs-" + binary.label)
        for sub in ("bin", "sbin", "proc", "dev", "sys", "tmp", "rec"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        shutil.copy2(busybox, os.path.join(root, "bin", "busybox"))
        for applet in APPLETS:
            os.symlink("busybox", os.path.join(root, "bin", applet))
        shutil.copy2(binary.path, os.path.join(root, INSIDE.lstrip("/")))
        for library in shared_libraries(binary.path):
            target = os.path.join(root, library.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(os.path.realpath(library), target)
        _roots[binary.label] = root


def cleanup():
    with _lock:
        for name in list(_containers):
            processes.run(["runc", "delete", "-f", name])
            _containers.discard(name)


def bundle(directory, root, argv, pids_limit):
    path = os.path.join(directory, "bundle")
    os.makedirs(path)
    processes.run(["runc", "spec", "--bundle", path])
    with open(os.path.join(path, "config.json")) as f:
        config = json.load(f)
    config["root"] = {"path": root, "readonly": False}
    process = config["process"]
    process["terminal"] = False
    process["args"] = argv
    process["cwd"] = "/"
    process["env"] = ["PATH=/sbin:/bin", "LC_ALL=C"]
    config["mounts"].append({"destination": "/rec", "type": "bind",
                             "source": os.path.join(directory, "rec"),
                             "options": ["rbind", "rw"]})
    config.pop("hostname", None)
    if pids_limit is not None:
        config["linux"].setdefault("resources", {})["pids"] = {"limit": pids_limit}
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    return path


def observe(scenario, binary, workroot):
    """Runs `scenario` in a container; returns raw observations (bytes for
    stdout/stderr) that run.py normalises like any other."""
    directory = tempfile.mkdtemp(prefix="runc-%s-" % binary.label, dir=workroot)
    rec = os.path.join(directory, "rec")
    os.makedirs(rec)
    os.chmod(rec, 0o777)

    def expand(value):
        return value.replace("{dir}", "/rec").replace("{bin}", INSIDE)

    for name, (text, mode) in scenario.files.items():
        with open(os.path.join(rec, name), "w") as f:
            f.write(expand(text))
        os.chmod(os.path.join(rec, name), mode)
    argv = [INSIDE] + [expand(a) for a in scenario.argv]
    path = bundle(directory, _roots[binary.label], argv, scenario.pids_limit)
    name = "compat-%s-%s" % (binary.label, uuid.uuid4().hex[:12])
    with _lock:
        _containers.add(name)
    obs = {}
    proc = processes.popen(["runc", "run", "--bundle", path, name],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        for step in scenario.steps:
            if step[0] == "wait_files":
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and proc.poll() is None and not all(
                        os.path.exists(os.path.join(rec, n)) for n in step[1]):
                    time.sleep(0.01)
            elif step[0] == "send":
                processes.run(["runc", "kill", name, str(step[1])])
            elif step[0] == "sleep":
                time.sleep(step[1])
            else:
                raise ValueError("step %r cannot run in a container" % (step,))
        try:
            out, err = proc.communicate(timeout=scenario.timeout)
            obs["exit"] = str(proc.returncode)
        except subprocess.TimeoutExpired:
            obs["exit"] = "TIMEOUT after %ss" % scenario.timeout
            processes.run(["runc", "kill", name, "KILL"])
            out, err = proc.communicate(timeout=10)
    finally:
        processes.run(["runc", "delete", "-f", name])
        with _lock:
            _containers.discard(name)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        processes.forget(proc)
    obs["raw stdout"], obs["raw stderr"] = out, err
    for report in sorted(os.listdir(rec)):
        if report.endswith(".log"):
            with open(os.path.join(rec, report)) as f:
                # Lines in first-seen order without repeats: a job may handle
                # a signal that arrives twice (forwarded, then the final
                # SIGTERM) once or twice depending on timing.
                seen = list(dict.fromkeys(f.read().splitlines()))
            obs["report " + report] = "\n".join(seen) + "\n"
    shutil.rmtree(directory, ignore_errors=True)
    return obs
