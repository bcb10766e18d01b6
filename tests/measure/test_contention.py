"""The share of the machine other processes took: the machine's busy ticks less this process's own."""

from __future__ import annotations

import os
import time

from bench_job.measure import contention


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_own_cpu_time_is_the_kernels_count_of_this_process():
    # /proc/self/stat's utime + stime, which the probe read before; under qemu's user-mode emulation that file
    # is qemu's text with both 0, while times(2) still answers the host kernel's count
    _burn(0.3)
    with open("/proc/self/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    own = contention._own_jiffies()
    assert abs(own - (int(fields[11]) + int(fields[12]))) <= 2
    assert own >= 0.25 * os.sysconf("SC_CLK_TCK")


def test_the_process_own_ticks_are_taken_out_of_the_machines_busy_ticks(monkeypatch):
    machine = iter([(1000, 4000), (1300, 4400)])  # 300 busy ticks of 400
    own = iter([os.times_result((1.0, 0.5, 0, 0, 0)), os.times_result((2.5, 0.5, 0, 0, 0))])  # 1.5 s of it ours
    monkeypatch.setattr(contention, "_machine_jiffies", lambda: next(machine))
    monkeypatch.setattr(contention.os, "times", lambda: next(own))
    monkeypatch.setattr(contention.os, "sysconf", lambda name: 100)
    probe = contention.ContentionProbe()
    probe.start()
    assert probe.other_share() == (300 - 150) / 400
