"""Where a run happened when it happened in a container: the host it stood for, the image, the runtime,
which host trees it read its sensors from. Users collect bundles from several devices, and a container's
own hostname is its id, so the host's name is passed in (BENCH_HOST, set by make and the entrypoint).

The image's name, id and revision come in as environment variables (BENCH_IMAGE, BENCH_IMAGE_ID from
compose and make; BENCH_IMAGE_REVISION baked in at build): a container cannot ask the engine itself.
"""

from __future__ import annotations

import os
import re
import socket

# Mount points that say what the job read and where it wrote: the host's sensor trees and tools,
# the assets volume, the results folder.
_REPORTED_MOUNTS = re.compile(r"^(/host(/.*)?|/assets|/results|/usr/local/bin/(tegrastats|vcgencmd))$")


def host_name(environ=os.environ) -> str:
    """The name the bundle and env.json carry: BENCH_HOST when given, else this machine's hostname."""
    return (environ.get("BENCH_HOST") or "").strip() or socket.gethostname()


def file_safe(name: str) -> str:
    """A host name as part of a file name: anything but letters, digits, '.', '_' and '-' becomes '-'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "host"


def container_runtime(root: str = "/", environ=os.environ) -> str | None:
    """docker, podman or another OCI runtime's name; None when the job is not in a container."""
    if os.path.exists(os.path.join(root, ".dockerenv")):
        return "docker"
    if os.path.exists(os.path.join(root, "run/.containerenv")):
        return "podman"
    return environ.get("container") or None  # systemd-nspawn, LXC and podman set it


def _mounts(mountinfo: str) -> list[dict]:
    """Reported mount points with their mode, from /proc/self/mountinfo (proc(5): field 5 is the mount
    point, field 6 its options; octal escapes such as \\040 stand for spaces)."""
    found = []
    try:
        with open(mountinfo) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        if len(fields) < 6:
            continue
        target = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        if _REPORTED_MOUNTS.match(target):
            found.append({"path": target, "read_only": "ro" in fields[5].split(",")})
    return sorted(found, key=lambda m: m["path"])


def _status_field(path: str, name: str) -> str | None:
    try:
        with open(path) as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key == name:
                    return value.strip()
    except OSError:
        pass
    return None


def container_facts(root: str = "/", environ=os.environ, mountinfo: str = "/proc/self/mountinfo") -> dict | None:
    """env.json's `container` entry; None outside a container."""
    runtime = container_runtime(root, environ)
    if runtime is None:
        return None
    try:
        read_only_root = bool(os.statvfs(root).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_root = None
    try:
        interfaces = sorted(os.listdir(os.path.join(root, "sys/class/net")))
    except OSError:
        interfaces = None
    return {
        "runtime": runtime,
        # The job's own effective capabilities (proc(5) CapEff, hex): all zero once the entrypoint has
        # become the results folder's owner.
        "capabilities_effective": _status_field(os.path.join(root, "proc/self/status"), "CapEff"),
        "gpu_runtime": "nvidia" if environ.get("NVIDIA_VISIBLE_DEVICES") else None,
        "image": environ.get("BENCH_IMAGE") or None,
        "image_id": environ.get("BENCH_IMAGE_ID") or None,
        "image_revision": environ.get("BENCH_IMAGE_REVISION") or None,
        # Set by the entrypoint: why it chose the weights itself (random: no fetch in the assets volume),
        # and the last fetch step's failure note. The report puts both in its header and verdict.
        "weights_reason": environ.get("BENCH_WEIGHTS_REASON") or None,
        "fetch_failed": environ.get("BENCH_FETCH_FAILED") or None,
        "container_hostname": socket.gethostname(),
        "uid": os.getuid(),
        "gid": os.getgid(),
        "read_only_root": read_only_root,
        "network_interfaces": interfaces,
        "mounts": _mounts(mountinfo),
    }
