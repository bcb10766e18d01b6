"""The CPUs a process may use: affinity and the cgroup v2 quota a container's `cpus:` sets."""

from __future__ import annotations

from bench_job.host.cpus import cgroup_cpu_quota, usable_cpus


def test_quota_limits_the_affinity(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")  # `cpus: 1.5`
    assert cgroup_cpu_quota(str(cpu_max)) == 1.5
    assert usable_cpus(8, str(cpu_max)) == 2  # a fraction of a CPU still needs a thread
    cpu_max.write_text("max 100000\n")
    assert cgroup_cpu_quota(str(cpu_max)) is None
    assert usable_cpus(8, str(cpu_max)) == 8


def test_no_cgroup_file_means_the_affinity(tmp_path):
    assert usable_cpus(3, str(tmp_path / "absent")) == 3
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("50000 100000\n")
    assert usable_cpus(3, str(cpu_max)) == 1
