"""Memory of the worker process: peak resident set per configuration, and swap traffic.

The peak is the kernel's VmHWM, reset before each configuration by writing 5 to /proc/self/clear_refs
(Linux 4.0+), so each configuration gets its own peak rather than the process's lifetime maximum.
Swap traffic comes from /proc/vmstat (pswpin/pswpout, pages, machine-wide): it is how a slowdown
caused by swapping (suspected for Longformer in the lab) shows up.
"""

from __future__ import annotations


def _status_kib(field: str, pid: str = "self") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Restart the kernel's peak-RSS tracking for this process; False where the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int | None:
    kib = _status_kib("VmHWM")
    return kib * 1024 if kib is not None else None


def rss_bytes(pid="self") -> int | None:
    kib = _status_kib("VmRSS", str(pid))
    return kib * 1024 if kib is not None else None


def swap_counters() -> dict:
    """Pages swapped in and out since boot, machine-wide."""
    counters = {"pswpin": None, "pswpout": None}
    try:
        with open("/proc/vmstat") as handle:
            for line in handle:
                name, _, value = line.partition(" ")
                if name in counters:
                    counters[name] = int(value)
    except OSError:
        pass
    return counters


def swap_delta(before: dict, after: dict) -> tuple[int | None, int | None]:
    def diff(key):
        if before.get(key) is None or after.get(key) is None:
            return None
        return after[key] - before[key]

    return diff("pswpin"), diff("pswpout")
