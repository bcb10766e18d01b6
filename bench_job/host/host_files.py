"""The host's own files, read through --host-root, and whose each one was: the host's or the image's.

Inside a container / is the image's: its /etc/nv_tegra_release says what the image was built on, its dpkg
database lists the image's packages. compose.yaml therefore mounts the host's files read-only under /host
and the entrypoint passes --host-root /host. A file read under a host root other than the job's own root,
or under / outside a container, is the host's; under / inside a container it is the image's. A file that is
missing or unreadable is recorded as absent, never an error: the facts that need it are then unknown.
"""

from __future__ import annotations

import os

# Every host file the job reads (env.json's host_files has one entry each, in this order). The device tree
# is read as proc/device-tree (a link to /sys/firmware/devicetree/base, which Docker masks in containers:
# compose mounts the host's there instead).
HOST_FILES = (
    "etc/nv_tegra_release",
    "etc/nvpmodel.conf",
    "var/lib/nvpmodel/status",
    "proc/device-tree/model",
    "proc/device-tree/compatible",
    "etc/hostname",
    "var/lib/dpkg/status",
    "proc/meminfo",
)
HOST, IMAGE, ABSENT = "host", "image", "absent"


def read_text(path: str) -> str | None:
    """A file's text, or None where it is missing, unreadable or a folder (a compose bind mount of a missing
    file makes one). Undecodable bytes are replaced: these files are ASCII, and odd ones must not raise."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return None


def is_own_root(host_root: str, image_root: str = "/") -> bool:
    return os.path.abspath(host_root) == os.path.abspath(image_root)


def root_source(host_root: str, in_container: bool, image_root: str = "/") -> str:
    """Whose files lie under host_root: the image's only where the job reads its own root in a container."""
    return IMAGE if in_container and is_own_root(host_root, image_root) else HOST


def host_file(relative: str, host_root: str, in_container: bool, image_root: str = "/") -> tuple:
    """(text, "host" | "image") of a file under host_root, or (None, "absent"). Empty counts as absent (a
    file mounted from /dev/null where the host has none)."""
    text = read_text(os.path.join(host_root, relative))
    if not (text or "").strip("\x00\n "):
        return None, ABSENT
    return text, root_source(host_root, in_container, image_root)


def device_tree_file(name: str, host_root: str, sysfs_root: str, in_container: bool, image_root: str = "/") -> tuple:
    """(text, source) of a device-tree property (model, compatible): the host root's proc/device-tree first,
    then the host's sysfs (mounted read-only at sysfs_root), then the job's own /proc (the same kernel's,
    where Docker has not masked it: the image's view)."""
    text, source = host_file(os.path.join("proc/device-tree", name), host_root, in_container, image_root)
    if text is not None:
        return text, source
    text = read_text(os.path.join(sysfs_root, "firmware/devicetree/base", name))
    if (text or "").strip("\x00\n "):
        return text, HOST if sysfs_root != "/sys" or not in_container else IMAGE
    text = read_text(os.path.join(image_root, "proc/device-tree", name))
    if (text or "").strip("\x00\n "):
        return text, IMAGE if in_container else HOST
    return None, ABSENT


def memory_total_bytes(meminfo: str | None) -> int | None:
    """MemTotal from /proc/meminfo's text ("MemTotal:       65009376 kB", proc(5): kB are KiB)."""
    for line in (meminfo or "").splitlines():
        key, _, value = line.partition(":")
        fields = value.split()
        if key == "MemTotal" and fields and fields[0].isdigit():
            return int(fields[0]) * 1024
    return None
