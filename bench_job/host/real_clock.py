"""The clock a CPU actually runs at, measured by counting cycles rather than asking cpufreq.

A chain of dependent integer adds retires one add per cycle: each add needs the previous one's result, and a
register-to-register integer add has a latency of one cycle on every core the job targets (x86-64: Agner Fog's
instruction tables and uops.info give ADD r64,r64 latency 1 on Intel since the P6 and on AMD Zen 1-5; Arm's
Software Optimization Guides give "ALU, basic" latency 1 for the Cortex-A55, A72, A76 and A78AE; the A53, which
has no published guide, and NVIDIA's Carmel are measured at 1 by third parties, and Carmel's dynamic code
optimiser is not known to fold such a chain). So N dependent adds take N cycles, and N over the time they took
is the clock. The adds are `add rax, rcx` / `add x0, x0, x1` with the 1 in a register, not an immediate:
Golden Cove and later Intel P-cores execute `add reg, small immediate` at rename with zero latency, several
per cycle, which would read as a clock several times too high.

Python cannot run such a chain (the interpreter's own work per add is hundreds of cycles, and varies), and the
images carry no C compiler at run time, so the loop is machine code written here as bytes: 100 unrolled adds,
a counter decremented on a second, independent chain, a branch back, and a return. It goes into a memfd file
mapped read+execute through libc's mmap (ctypes), and is called through a ctypes function pointer with the
iteration count. A file mapping, not an anonymous page written then executed: the kernel makes the
instruction cache coherent when it maps a file page executable (arm64 does not guarantee that for a page the
process wrote itself), and no page is ever writable and executable at once. The memfd asks for MFD_EXEC
first: since Linux 6.3 the vm.memfd_noexec sysctl may make a memfd non-executable unless it is asked for.

Timing uses the thread's CPU time (time.thread_time_ns), so the time other processes held the CPU is not
counted; the loop is pinned to the CPU measured and takes the fastest of a few repeats (interference only
ever slows it; the first repeats also give an on-demand governor time to raise the clock, and the clock under
load is the one inference runs at). One repeat lasts duration_s, sized from a short calibration call. Where
the architecture has no loop here, or memfd/mmap exec is refused (seccomp, a noexec policy), or the CPU
cannot be pinned (outside the container's cpuset), there is no figure and the reading says why.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import platform
import struct
import time
from dataclasses import dataclass

UNROLL = 100  # dependent adds per iteration: the loop's counter and branch are noise beside them
REPEATS = 5  # measurements per CPU; the fastest is kept
# 4^7 x the calibration, 1.6e9 cycles: 0.5 s at 3 GHz, 5 s at 300 MHz. A thread clock still under 50 us by then
# is stuck (a coarse one, jiffies of 4-10 ms, has ticked long before)
MAX_CALIBRATION_ITERATIONS = 4**7 * 1000
CALIBRATION_ITERATIONS = 1000  # 100,000 cycles: 0.3 ms even at 300 MHz, long enough to time, short enough
MFD_EXEC = 0x0010  # linux/memfd.h (6.3+): this memfd may be executed whatever vm.memfd_noexec says

# x86-64 (System V: the count in rdi, the result in rax).
X86_ADD_RAX_RCX = b"\x48\x01\xc8"  # add rax, rcx
X86_PROLOGUE = b"\xb9\x01\x00\x00\x00" + b"\x31\xc0"  # mov ecx, 1; xor eax, eax
X86_DEC_RDI = b"\x48\xff\xcf"  # dec rdi
X86_JNZ_REL32 = b"\x0f\x85"  # jnz rel32 (the body is longer than a rel8 reaches)
X86_RET = b"\xc3"

# AArch64 (AAPCS64: the count in x0, the result in x0); each instruction one little-endian word.
A64_PROLOGUE = (0xD2800021, 0xAA0003E2, 0xD2800000)  # mov x1, #1; mov x2, x0; mov x0, #0
A64_ADD_X0_X0_X1 = 0x8B010000  # add x0, x0, x1
A64_SUBS_X2_X2_1 = 0xF1000442  # subs x2, x2, #1
A64_BNE = 0x54000001  # b.ne, imm19 (words from the branch) at bit 5
A64_RET = 0xD65F03C0


def x86_64_loop(step: bytes = X86_ADD_RAX_RCX) -> bytes:
    """The loop for x86-64: rcx = 1, rax = 0, then `count` times UNROLL copies of step; returns rax. step:
    a dependent instruction on rax (the default, add rax, rcx, takes one cycle)."""
    body = step * UNROLL + X86_DEC_RDI
    back = -(len(body) + len(X86_JNZ_REL32) + 4)  # from the end of the jnz to the body's start
    return X86_PROLOGUE + body + X86_JNZ_REL32 + struct.pack("<i", back) + X86_RET


def aarch64_loop() -> bytes:
    """The loop for AArch64: x1 = 1, x2 = count, x0 = 0, then UNROLL dependent adds per iteration; returns x0."""
    words = list(A64_PROLOGUE) + [A64_ADD_X0_X0_X1] * UNROLL + [A64_SUBS_X2_X2_1]
    back = len(A64_PROLOGUE) - len(words)  # b.ne sits at index len(words); the body starts after the prologue
    words += [A64_BNE | ((back & 0x7FFFF) << 5), A64_RET]
    return struct.pack(f"<{len(words)}I", *words)


LOOPS = {"x86_64": x86_64_loop, "amd64": x86_64_loop, "aarch64": aarch64_loop, "arm64": aarch64_loop}


@dataclass(frozen=True)
class ClockReading:
    mhz: float | None  # the measured clock; None where it could not be measured
    reason: str | None = None  # why not


class LoopUnavailable(Exception):
    """The loop cannot run in this process; the message says why, for the report."""


def _libc_mmap():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
    return libc.mmap


def _memfd() -> int:
    try:
        return os.memfd_create("bench-job-clock-loop", os.MFD_CLOEXEC | MFD_EXEC)
    except OSError:  # a kernel before 6.3 refuses the unknown flag
        return os.memfd_create("bench-job-clock-loop", os.MFD_CLOEXEC)


def map_executable(code: bytes) -> int:
    """The address of code mapped read+execute from a memfd; raises LoopUnavailable with the reason."""
    if not hasattr(os, "memfd_create"):
        raise LoopUnavailable("this system has no memfd_create")
    try:
        fd = _memfd()
    except OSError as exc:
        raise LoopUnavailable(f"memfd_create refused: {exc.strerror}") from None
    try:
        os.write(fd, code)
        address = _libc_mmap()(None, len(code), mmap.PROT_READ | mmap.PROT_EXEC, mmap.MAP_PRIVATE, fd, 0)
    finally:
        os.close(fd)  # the mapping keeps the file alive
    if address in (None, ctypes.c_void_p(-1).value):
        raise LoopUnavailable(f"mapping the loop executable was refused: {os.strerror(ctypes.get_errno())}")
    return address


_loaded = {}  # code -> the callable; its mapping lives as long as the process, one page per loop


def load_loop(code: bytes):
    """The loop as a callable count -> result (mapped once per process)."""
    if code not in _loaded:
        _loaded[code] = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_uint64)(map_executable(code))
    return _loaded[code]


def loop_for(machine: str | None = None) -> bytes:
    """The loop's code for this machine (platform.machine() unless given); LoopUnavailable where there is none."""
    machine = machine or platform.machine()
    build = LOOPS.get(machine.lower())
    if build is None:
        raise LoopUnavailable(f"no calibrated loop for the {machine} architecture (x86-64 and AArch64 only)")
    if ctypes.sizeof(ctypes.c_void_p) != 8:
        raise LoopUnavailable(f"a 32-bit Python on a {machine} kernel cannot run the 64-bit loop")
    return build()


def _cpu_ns(loop, count: int) -> int:
    start = time.thread_time_ns()
    loop(count)
    return time.thread_time_ns() - start


class ClockStill(Exception):
    """The thread's CPU clock did not advance over a loop that must take it seconds."""


def cycles_per_second(loop, duration_s: float, cycles_per_iteration: int = UNROLL) -> float:
    """The fastest rate of REPEATS runs of loop, each sized to last about duration_s, in cycles per second."""
    count = CALIBRATION_ITERATIONS
    spent = _cpu_ns(loop, count)
    while spent < 50_000:  # too short to size from (a coarse thread clock): lengthen it
        if count >= MAX_CALIBRATION_ITERATIONS:
            # a clock that never advances would grow the count past the loop's 64-bit counter, and the loop forever
            raise ClockStill(f"the thread CPU clock advanced {spent} ns over {count} iterations of the loop")
        count *= 4
        spent = _cpu_ns(loop, count)
    count = max(1, int(count * duration_s * 1e9 / spent))
    best = max(count * cycles_per_iteration / max(1, _cpu_ns(loop, count)) for _ in range(REPEATS))
    return best * 1e9


def measure_clock(cpu: int, duration_s: float = 0.02, machine: str | None = None) -> ClockReading:
    """The clock of one logical CPU in MHz, from the loop pinned to it, or the reason there is none. The
    calling thread's CPU affinity is restored. machine: platform.machine() unless given (tests simulate one)."""
    try:
        loop = load_loop(loop_for(machine))
    except LoopUnavailable as exc:
        return ClockReading(None, str(exc))
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        return ClockReading(None, f"cannot pin to cpu{cpu}: {exc.strerror} (outside this process's CPU set?)")
    try:
        return ClockReading(cycles_per_second(loop, duration_s) / 1e6)
    except ClockStill as exc:
        return ClockReading(None, str(exc))
    finally:
        os.sched_setaffinity(0, allowed)


def measure_mhz(cpu: int, duration_s: float = 0.02) -> float | None:
    """The actual clock of one logical CPU in MHz; None where the architecture is unsupported or pinning fails."""
    return measure_clock(cpu, duration_s).mhz
