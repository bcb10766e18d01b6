"""The real clock: the calibrated loop on this machine (against a loop of another known latency, and against
/proc/cpuinfo where the kernel reports the actual clock there), the AArch64 loop's bytes run under QEMU, the
check flagging a fake cpufreq that reports twice the clock and not one reporting the truth, and the reasons
where no figure can be had."""

from __future__ import annotations

import os
import platform
import shutil
import struct
import subprocess

import pytest

from bench_job.host import real_clock
from bench_job.host.clock_check import check_real_clock, cpuinfo_mhz, describe_entry, gaps_beyond_margin
from bench_job.host.real_clock import (
    UNROLL,
    LoopUnavailable,
    aarch64_loop,
    cycles_per_second,
    load_loop,
    map_executable,
    measure_clock,
    measure_mhz,
    x86_64_loop,
)
from tests.host.cpufreq_trees import cpufreq_tree

MARGIN = 0.10  # real_clock.margin's default (profiles/defaults.yaml says why)
X86 = platform.machine().lower() in ("x86_64", "amd64")
IMUL_RAX_RCX = b"\x48\x0f\xaf\xc1"  # imul rax, rcx: latency 3 on every x86-64 core since the P6 (Agner Fog)


def first_cpu() -> int:
    return min(os.sched_getaffinity(0))


def test_the_loop_reads_a_plausible_clock_and_restores_the_affinity():
    allowed = os.sched_getaffinity(0)
    mhz = measure_mhz(first_cpu())
    assert 200 < mhz < 7000
    assert os.sched_getaffinity(0) == allowed


@pytest.mark.skipif(not X86, reason="the second loop (imul) is written for x86-64")
def test_one_add_per_cycle_agrees_with_a_chain_of_three_cycle_multiplies():
    """If the adds ran faster than one per cycle (eliminated at rename, as Golden Cove does with immediates),
    the add loop's clock would read higher than the multiply loop's."""
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {first_cpu()})
    try:
        adds = cycles_per_second(load_loop(x86_64_loop()), 0.02)
        multiplies = cycles_per_second(load_loop(x86_64_loop(IMUL_RAX_RCX)), 0.02, cycles_per_iteration=3 * UNROLL)
    finally:
        os.sched_setaffinity(0, allowed)
    assert abs(adds - multiplies) / multiplies < 0.03


def read_cpuinfo() -> str:
    with open("/proc/cpuinfo") as handle:
        return handle.read()


@pytest.mark.skipif(
    not X86 or " aperfmperf" not in read_cpuinfo(),
    reason="/proc/cpuinfo's cpu MHz is the actual clock only where the kernel reads APERF/MPERF; a VM without "
    "them (this project's test VM: 2596 MHz, the TSC's rate, while the core runs at about 3650) prints the TSC's "
    "nominal rate: benchmarks/real_clock.py prints the figures there",
)
def test_the_loop_agrees_with_proc_cpuinfo_where_it_reports_the_actual_clock():
    cpu = first_cpu()
    measured = measure_mhz(cpu)
    reported = cpuinfo_mhz(read_cpuinfo())[cpu]  # read right after: the clock of the last tick, under load
    assert abs(reported - measured) / reported < MARGIN


def elf_calling(code: bytes, count: int) -> bytes:
    """A static AArch64 Linux executable that calls code with count and exits with the result's low byte."""
    start = [0xD2800000 | (count << 5), 0x94000003, 0xD2800BA8, 0xD4000001]  # mov x0, #count; bl code; exit
    body = struct.pack("<4I", *start) + code
    base, headers = 0x400000, 64 + 56
    elf = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    elf += struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, base + headers, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    elf += struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, headers + len(body), headers + len(body), 0x1000)
    return elf + body


@pytest.mark.skipif(not shutil.which("qemu-aarch64-static"), reason="needs qemu-aarch64-static to run AArch64 code")
def test_the_aarch64_loop_adds_unroll_times_count(tmp_path):
    program = tmp_path / "loop"
    program.write_bytes(elf_calling(aarch64_loop(), 7))
    program.chmod(0o755)
    assert subprocess.run([str(program)]).returncode == (7 * UNROLL) & 0xFF
    program.write_bytes(elf_calling(aarch64_loop(), 1))
    assert subprocess.run([str(program)]).returncode == UNROLL


@pytest.mark.skipif(not X86, reason="runs x86-64 code")
def test_the_x86_loop_adds_unroll_times_count():
    assert load_loop(x86_64_loop())(7) == 7 * UNROLL


def fake_cpu0(tmp_path, cur_khz: int) -> str:
    """A sysfs root whose only CPU is the real cpu0 (the loop runs on it), with this scaling_cur_freq."""
    return cpufreq_tree(tmp_path, [(first_cpu(), [first_cpu()], 5000000)], cur_khz={first_cpu(): cur_khz})


def test_a_cpufreq_reporting_twice_the_clock_is_flagged_and_the_truth_is_not(tmp_path):
    truth = measure_mhz(first_cpu())
    doubled = check_real_clock(fake_cpu0(tmp_path / "double", int(truth * 2000)), MARGIN, cpuinfo_path="/absent")
    [entry] = gaps_beyond_margin(doubled)
    assert 0.4 < entry["gap"] < 0.6
    assert f"cpufreq reports {truth * 2:.0f} MHz" in describe_entry(entry)
    honest = check_real_clock(fake_cpu0(tmp_path / "true", int(truth * 1000)), MARGIN, cpuinfo_path="/absent")
    assert gaps_beyond_margin(honest) == []
    assert abs(honest["core_types"][0]["gap"]) < MARGIN


def test_a_core_faster_than_reported_is_shown_not_flagged(tmp_path):
    truth = measure_mhz(first_cpu())
    slow = check_real_clock(fake_cpu0(tmp_path, int(truth * 500)), MARGIN, cpuinfo_path="/absent")
    assert slow["core_types"][0]["gap"] < -0.5
    assert gaps_beyond_margin(slow) == []


def test_proc_cpuinfo_is_parsed_per_processor():
    text = "processor\t: 0\ncpu MHz\t\t: 2596.130\n\nprocessor\t: 1\ncpu MHz\t\t: 3400.000\n"
    assert cpuinfo_mhz(text) == {0: 2596.13, 1: 3400.0}
    assert cpuinfo_mhz("processor\t: 0\nBogoMIPS\t: 108.00\n") == {}  # arm64 prints no clock


def test_an_unsupported_architecture_has_no_figure_and_says_why():
    reading = measure_clock(0, machine="armv7l")
    assert reading.mhz is None
    assert reading.reason == "no calibrated loop for the armv7l architecture (x86-64 and AArch64 only)"


def test_a_cpu_outside_the_affinity_has_no_figure_and_the_affinity_stays():
    allowed = os.sched_getaffinity(0)
    reading = measure_clock(4095)
    assert reading.mhz is None and reading.reason.startswith("cannot pin to cpu4095: ")
    assert os.sched_getaffinity(0) == allowed


def test_a_refused_memfd_names_the_refusal(monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(real_clock.os, "memfd_create", refuse)
    with pytest.raises(LoopUnavailable, match="memfd_create refused: Operation not permitted"):
        map_executable(b"\xc3")


def test_a_refused_executable_mapping_names_the_refusal(monkeypatch):
    monkeypatch.setattr(real_clock, "_libc_mmap", lambda: lambda *args: None)
    with pytest.raises(LoopUnavailable, match="mapping the loop executable was refused"):
        map_executable(b"\xc3")


def test_a_thread_clock_that_never_advances_has_no_figure_and_says_why(monkeypatch):
    # Seen under emulation and in containers with odd clocks: the loop lengthens itself while its time is
    # under 50 us. A clock stuck at 0 grew the count past the loop's 64-bit counter (ctypes wraps it), so it
    # ran 2^64 iterations: now it gives up at MAX_CALIBRATION_ITERATIONS.
    counts = []

    def still(loop, count):
        counts.append(count)
        return 0

    monkeypatch.setattr(real_clock, "_cpu_ns", still)
    reading = real_clock.measure_clock(sorted(os.sched_getaffinity(0))[0])
    assert reading.mhz is None and "clock advanced 0 ns over" in reading.reason, reading.reason
    assert max(counts) == real_clock.MAX_CALIBRATION_ITERATIONS
