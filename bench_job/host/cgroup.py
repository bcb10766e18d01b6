"""The cgroup v2 OOM-kill counter, to tell a kernel OOM kill from any other SIGKILL of a worker."""

from __future__ import annotations


def oom_kill_count(path: str = "/sys/fs/cgroup/memory.events") -> int | None:
    try:
        with open(path) as handle:
            for line in handle:
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value)
    except (OSError, ValueError):
        return None
    return None
