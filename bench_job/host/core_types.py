"""The CPU's core types: groups of CPUs that share a clock, so that one measurement stands for each.

Read under a sysfs root (fake trees in tests, the host's in a container). cpufreq (Linux
Documentation/admin-guide/pm/cpufreq.rst) puts CPUs that share a clock in one policy:
/sys/devices/system/cpu/cpufreq/policyN/related_cpus lists them ("0 1 2 3", online and offline),
affected_cpus the online ones, cpuinfo_max_freq the policy's highest clock (kHz). A big.LITTLE board has one
policy per cluster (an RK3588: the four A55s, then its A76s in two pairs), a Jetson AGX Orin one per cluster of
four A78AEs, a Raspberry Pi 5 one for its four A76s. x86 drivers (intel_pstate, amd-pstate, acpi-cpufreq) make
one policy per CPU: those single-CPU policies are grouped by their highest clock (a hybrid Intel part's P- and
E-cores differ there), so that a 16-core laptop is not measured 16 times. Without cpufreq (a VM), all online
CPUs are one type.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench_job.host.device_state import read_cpus
from bench_job.power.sysfs import FileReader, sorted_glob


@dataclass(frozen=True)
class CoreType:
    cpus: tuple  # the CPUs of this type (all of a policy's, online or not)
    cpu: int  # the one measured: the type's first online CPU
    max_mhz: float | None  # cpufreq's cpuinfo_max_freq; None without cpufreq
    policies: tuple = ()  # the cpufreq policies ("policy0") it groups; () without cpufreq

    @property
    def label(self) -> str:
        """'cpu0-3', 'cpu4,6' or 'cpu0'."""
        return "cpu" + cpu_list_text(self.cpus)


def cpu_list_text(cpus) -> str:
    """'0-3,6' for [0, 1, 2, 3, 6]: the kernel's CPU list notation."""
    runs, cpus = [], sorted(cpus)
    for cpu in cpus:
        if runs and cpu == runs[-1][1] + 1:
            runs[-1][1] = cpu
        else:
            runs.append([cpu, cpu])
    return ",".join(f"{low}-{high}" if high > low else str(low) for low, high in runs)


def _numbers(text) -> list:
    """CPU numbers of a related_cpus / affected_cpus file ("0 1 2 3"); [] for none or damage."""
    words = (text or "").split()
    return sorted(int(w) for w in words) if all(w.isdigit() for w in words) else []


def _policies(sysfs_root, files) -> list:
    """(name, related CPUs, max MHz) per cpufreq policy, newer kernels' policyN folders."""
    found = []
    for folder in sorted_glob(os.path.join(sysfs_root, "devices", "system", "cpu", "cpufreq", "policy[0-9]*")):
        cpus = _numbers(files.text_or_none(os.path.join(folder, "related_cpus")))
        if cpus:
            top_mhz = files.number_or_none(os.path.join(folder, "cpuinfo_max_freq"), 1000)
            found.append((os.path.basename(folder), cpus, top_mhz))
    return found


def _per_cpu(sysfs_root, files) -> list:
    """The same from cpuN/cpufreq (kernels without policy folders): one 'policy' per CPU."""
    found = []
    for folder in sorted_glob(os.path.join(sysfs_root, "devices", "system", "cpu", "cpu[0-9]*", "cpufreq")):
        number = os.path.basename(os.path.dirname(folder))[3:]
        if number.isdigit():
            top_mhz = files.number_or_none(os.path.join(folder, "cpuinfo_max_freq"), 1000)
            found.append((f"cpu{number}", [int(number)], top_mhz))
    return found


def core_types(sysfs_root: str = "/sys", files: FileReader | None = None) -> list:
    """The core types of the machine whose sysfs is at sysfs_root, each with its first online CPU, in CPU
    order. Types with no online CPU are left out (nothing could run there)."""
    files = files or FileReader()
    online = set(read_cpus(sysfs_root, files)["cpus_online"])
    policies = _policies(sysfs_root, files) or _per_cpu(sysfs_root, files)
    groups = [(cpus, mhz, (name,)) for name, cpus, mhz in policies if len(cpus) > 1]
    single = {}  # max MHz -> (CPUs, policy names): per-CPU policies grouped by their highest clock
    for name, cpus, mhz in policies:
        if len(cpus) == 1:
            entry = single.setdefault(mhz, ([], []))
            entry[0].extend(cpus)
            entry[1].append(name)
    groups += [(cpus, mhz, tuple(names)) for mhz, (cpus, names) in single.items()]
    if not policies:
        groups = [(sorted(online), None, ())]
    types = []
    for cpus, mhz, names in groups:
        running = [cpu for cpu in sorted(cpus) if cpu in online]
        if running:
            types.append(CoreType(tuple(sorted(cpus)), running[0], mhz, names))
    return sorted(types, key=lambda t: t.cpus[0])
