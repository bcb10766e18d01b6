"""The CPU's core types, for a clock read per kind of core rather than per CPU: a Raspberry Pi 5 has one cluster,
an RK3588 three, a Jetson AGX Orin three clusters of four, an Intel hybrid laptop P- and E-cores.

Linux Documentation/admin-guide/pm/cpufreq.rst: every CPU's cpufreq folder (/sys/devices/system/cpu/cpuN/cpufreq)
is a link to its policy's (policyX), whose related_cpus lists the CPUs the policy covers (numbers separated by
spaces, "0 1 2 3": the kernel's show_cpus) and whose
cpuinfo_max_freq holds kHz. Policies with the same cpuinfo_max_freq are one core type: an x86
driver (intel_pstate, acpi-cpufreq) gives every CPU a policy of its own, and measuring each of a laptop's 16 would
take longer than a soak's window.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench_job.power.sysfs import FileReader, sorted_glob


@dataclass(frozen=True)
class CoreType:
    """One kind of core: its CPUs (sorted), the one whose clock is read, and its label ('cpu0-3', 'cpu4-7')."""

    cpus: tuple
    cpu: int

    @property
    def label(self) -> str:
        low, high = self.cpus[0], self.cpus[-1]
        contiguous = list(self.cpus) == list(range(low, high + 1))
        if len(self.cpus) == 1:
            return f"cpu{low}"
        return f"cpu{low}-{high}" if contiguous else "cpu" + "_".join(map(str, self.cpus))


def _cpu_numbers(text) -> list:
    """The CPUs of a related_cpus file ('0 1 2 3'); empty where it is missing or not such a list."""
    parts = (text or "").split()
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else []


def read_core_types(sysfs_root: str = "/sys", files: FileReader | None = None) -> list:
    """The core types of the CPUs with a cpufreq folder, in CPU order; empty without cpufreq (a VM, a container
    whose sysfs hides it)."""
    files = files or FileReader()
    by_kind = {}
    for folder in sorted_glob(os.path.join(sysfs_root, "devices", "system", "cpu", "cpu[0-9]*", "cpufreq")):
        name = os.path.basename(os.path.dirname(folder))
        if not name[3:].isdigit():
            continue
        cpu = int(name[3:])
        related = _cpu_numbers(files.text_or_none(os.path.join(folder, "related_cpus"))) or [cpu]
        kind = files.text_or_none(os.path.join(folder, "cpuinfo_max_freq")) or tuple(related)
        by_kind.setdefault(kind, set()).update(related + [cpu])
    types = [CoreType(tuple(sorted(cpus)), min(cpus)) for cpus in by_kind.values()]
    return sorted(types, key=lambda core: core.cpu)
