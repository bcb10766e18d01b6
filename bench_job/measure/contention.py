"""How much of the machine other processes used while a configuration was timed.

On a small device every core counts: a background job taking half a core can double a multi-threaded
forward pass. The machine's busy time (/proc/stat) minus this process's own CPU time (times(2), all
threads) over the machine's total time is the share others took.
"""

from __future__ import annotations

import os


def _machine_jiffies() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _own_jiffies() -> int:
    # times(2) rather than /proc/self/stat's utime and stime, which the kernel fills from the same counters:
    # under qemu's user-mode emulation (the arm64 images tested on x86) /proc/self/stat is qemu's own text
    # with both at 0, and the job's own CPU time was counted as other processes' (72-83% of the machine)
    own = os.times()
    return round((own.user + own.system) * os.sysconf("SC_CLK_TCK"))


class ContentionProbe:
    def start(self) -> None:
        self.machine, self.own = _machine_jiffies(), _own_jiffies()

    def other_share(self) -> float | None:
        """Fraction of all CPU time since start() used by other processes (0 = machine to ourselves)."""
        machine, own = _machine_jiffies(), _own_jiffies()
        if None in (machine, own, self.machine, self.own):
            return None
        busy, total = machine[0] - self.machine[0], machine[1] - self.machine[1]
        if total <= 0:
            return None
        return max(0.0, min(1.0, (busy - (own - self.own)) / total))


def own_run_delay_s(task_dir: str = "/proc/self/task") -> float | None:
    """Seconds this process's threads have spent runnable but waiting for a CPU (the kernel's per-thread
    schedstat run delay, nanosecond resolution), summed; None where the kernel does not keep it.

    Unlike the tick-sampled shares above, it resolves one forward pass: a run during which another
    program took the CPU from one of our threads shows it at once."""
    total = 0
    try:
        threads = os.listdir(task_dir)
    except OSError:
        return None
    for thread in threads:
        try:
            with open(os.path.join(task_dir, thread, "schedstat")) as handle:
                total += int(handle.read().split()[1])
        except FileNotFoundError:
            continue  # a thread that ended between the listing and the read
        except (OSError, ValueError, IndexError):
            return None
    return total / 1e9
