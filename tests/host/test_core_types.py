"""Core types from cpufreq policy trees: one measurement per cluster on big.LITTLE and Jetson boards, per
kind of core where x86 makes one policy per CPU, and all online CPUs as one type without cpufreq."""

from __future__ import annotations

import os

from bench_job.host.core_types import core_types
from tests.host.cpufreq_trees import AGX_ORIN, HYBRID_X86, PI5, RK3588, cpufreq_tree


def summary(root):
    return [(t.label, t.cpu, t.max_mhz, t.policies) for t in core_types(root)]


def test_a_pi_5_is_one_cluster(tmp_path):
    assert summary(cpufreq_tree(tmp_path, PI5)) == [("cpu0-3", 0, 2400.0, ("policy0",))]


def test_an_rk3588_is_three_clusters_even_where_two_share_a_top_clock(tmp_path):
    assert summary(cpufreq_tree(tmp_path, RK3588)) == [
        ("cpu0-3", 0, 1800.0, ("policy0",)),
        ("cpu4-5", 4, 2400.0, ("policy4",)),
        ("cpu6-7", 6, 2400.0, ("policy6",)),
    ]


def test_an_agx_orin_is_three_clusters_of_four_each_measured_on_its_first_online_cpu(tmp_path):
    root = cpufreq_tree(tmp_path, AGX_ORIN, online="0-3,5-7")  # cpu4 offline, cluster 3 offline (a low mode)
    assert summary(root) == [("cpu0-3", 0, 2201.6, ("policy0",)), ("cpu4-7", 5, 2201.6, ("policy4",))]


def test_per_cpu_policies_group_by_their_top_clock(tmp_path):
    assert summary(cpufreq_tree(tmp_path, HYBRID_X86)) == [
        ("cpu0-1", 0, 4700.0, ("policy0", "policy1")),
        ("cpu2-3", 2, 3600.0, ("policy2", "policy3")),
    ]


def test_without_cpufreq_the_online_cpus_are_one_type(tmp_path):
    cpu = tmp_path / "devices" / "system" / "cpu"
    for n in range(4):
        os.makedirs(cpu / f"cpu{n}")
    (cpu / "online").write_text("1-3\n")
    assert summary(str(tmp_path)) == [("cpu1-3", 1, None, ())]
