"""How many CPUs this process may really use: its affinity mask, and the cgroup v2 CPU quota a
container's `cpus:` limit sets. os.cpu_count() counts the host's CPUs in either case."""

from __future__ import annotations

import math
import os


def cgroup_cpu_quota(path: str = "/sys/fs/cgroup/cpu.max") -> float | None:
    """CPUs' worth of time per period (cpu.max holds "QUOTA PERIOD" or "max PERIOD"); None: no limit."""
    try:
        with open(path) as handle:
            quota, period = handle.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def usable_cpus(affinity: int | None = None, cpu_max_path: str = "/sys/fs/cgroup/cpu.max") -> int:
    affinity = affinity if affinity is not None else len(os.sched_getaffinity(0))
    quota = cgroup_cpu_quota(cpu_max_path)
    return max(1, min(affinity, math.ceil(quota))) if quota is not None else affinity
