"""Fake cpufreq trees in the kernel's format (Linux Documentation/admin-guide/pm/cpufreq.rst, "Policy Interface
in sysfs"): /sys/devices/system/cpu/cpufreq/policyN/{related_cpus, affected_cpus} hold space-separated CPU
numbers ("0 1 2 3\\n"), cpuinfo_max_freq and scaling_cur_freq a frequency in kHz; cpuN/cpufreq is a symlink to its
policy; /sys/devices/system/cpu/online a CPU list ("0-11", Documentation/ABI/testing/sysfs-devices-system-cpu)."""

from __future__ import annotations

import os

# One policy per cluster: (first CPU, CPUs, cpuinfo_max_freq kHz).
# Raspberry Pi 5: BCM2712, four Cortex-A76 at up to 2.4 GHz on one clock (Raspberry Pi 5 product brief;
# raspberrypi-cpufreq registers one policy for all four).
PI5 = [(0, [0, 1, 2, 3], 2400000)]
# RK3588: four Cortex-A55 (cluster0) and four Cortex-A76 in two clusters of two, each with its own OPP table
# (Linux arch/arm64/boot/dts/rockchip/rk3588-base.dtsi: cluster0_opp_table, cluster1_opp_table,
# cluster2_opp_table), hence three policies.
RK3588 = [(0, [0, 1, 2, 3], 1800000), (4, [4, 5], 2400000), (6, [6, 7], 2400000)]
# Jetson AGX Orin: 12 Cortex-A78AE in three clusters of four, up to 2.2 GHz (NVIDIA Jetson AGX Orin Series
# Data Sheet; Jetson Linux's CPU frequency scaling is per cluster).
AGX_ORIN = [(0, [0, 1, 2, 3], 2201600), (4, [4, 5, 6, 7], 2201600), (8, [8, 9, 10, 11], 2201600)]
# A hybrid Intel laptop under intel_pstate: one policy per CPU, P-cores boosting higher than E-cores.
HYBRID_X86 = [(0, [0], 4700000), (1, [1], 4700000), (2, [2], 3600000), (3, [3], 3600000)]


def cpufreq_tree(root, clusters, online: str | None = None, cur_khz: dict | None = None) -> str:
    """A sysfs root with these policies; online: the online CPU list (default all); cur_khz: policy number ->
    scaling_cur_freq (default its cpuinfo_max_freq). Returns the root."""
    cpu = os.path.join(str(root), "devices", "system", "cpu")
    every = sorted(n for _, cpus, _ in clusters for n in cpus)
    os.makedirs(os.path.join(cpu, "cpufreq"), exist_ok=True)
    with open(os.path.join(cpu, "online"), "w") as handle:
        handle.write((online or f"{every[0]}-{every[-1]}") + "\n")
    for number, cpus, max_khz in clusters:
        policy = os.path.join(cpu, "cpufreq", f"policy{number}")
        os.makedirs(policy)
        for name, value in (
            ("related_cpus", " ".join(map(str, cpus))),
            ("affected_cpus", " ".join(map(str, cpus))),
            ("cpuinfo_max_freq", str(max_khz)),
            ("scaling_cur_freq", str((cur_khz or {}).get(number, max_khz))),
        ):
            with open(os.path.join(policy, name), "w") as handle:
                handle.write(value + "\n")
        for n in cpus:
            os.makedirs(os.path.join(cpu, f"cpu{n}"), exist_ok=True)
            os.symlink(os.path.join("..", "cpufreq", f"policy{number}"), os.path.join(cpu, f"cpu{n}", "cpufreq"))
    return str(root)
