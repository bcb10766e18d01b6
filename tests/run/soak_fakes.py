"""A board that heats up under a soak, on a fake clock: its sysfs tree, its `vcgencmd get_throttled` and its
inference all follow one schedule, so a soak of seconds runs in milliseconds and its figures are known exactly.

Formats, as the kernel and the firmware write them:
- thermal_zoneN/{type, temp, trip_point_K_type, trip_point_K_temp}: temperatures in millidegrees Celsius (Linux
  Documentation/ABI/testing/sysfs-class-thermal, Documentation/driver-api/thermal/sysfs-api.rst)
- cpuN/cpufreq/{scaling_cur_freq, scaling_max_freq, cpuinfo_max_freq}: kHz; related_cpus: a CPU list
  (Documentation/admin-guide/pm/cpufreq.rst, "Policy Interface in sysfs")
- `vcgencmd get_throttled` prints `throttled=0x50005`: bits 0-3 now (under-voltage, ARM frequency capped,
  throttled, soft temperature limit), bits 16-19 the same since boot (Raspberry Pi documentation, "vcgencmd",
  get_throttled)

The schedule (a Raspberry Pi 4's four Cortex-A72 in one policy): the zone warms 6 C a second from 50 C and holds at
85 C; at THROTTLE_AT_S it reaches its 80 C passive trip, the firmware sets the soft temperature limit (now and
since boot: 0x80008) and the clock halves (1500 -> 750 MHz); at CAP_AT_S the cpufreq cap falls to 750 MHz too. An
inference costs BURST_S at 1500 MHz and twice that at 750 MHz, and draws BURST_W or THROTTLED_W.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from tests.power.helpers import write

THROTTLE_AT_S = 5.0
CAP_AT_S = 8.0
FULL_KHZ, HALF_KHZ = 1500000, 750000
BURST_S = 0.125  # binary-exact, so a 1 s window holds exactly 8 inferences, then 4
BURST_W, THROTTLED_W = 5.0, 3.0
KEY = "resnet18|fp32|cpu|b1|s224|sustained"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class HotBoard:
    """The fake board: at(t) writes the sysfs tree and the firmware's flags of time t."""

    def __init__(self, root, clock: FakeClock):
        self.root, self.clock = str(root), clock
        self.sysfs = os.path.join(self.root, "sys")
        self.bin = os.path.join(self.root, "bin")
        self.flags = os.path.join(self.root, "throttled")
        os.makedirs(self.bin)
        vcgencmd = os.path.join(self.bin, "vcgencmd")
        with open(vcgencmd, "w") as handle:
            handle.write(f"#!/bin/sh\ncat {self.flags}\n")
        os.chmod(vcgencmd, 0o755)
        for cpu in range(4):
            folder = f"devices/system/cpu/cpu{cpu}/cpufreq"
            write(self.sysfs, f"{folder}/related_cpus", "0 1 2 3")
            write(self.sysfs, f"{folder}/cpuinfo_max_freq", FULL_KHZ)
            write(self.sysfs, f"{folder}/scaling_governor", "ondemand")
        write(self.sysfs, "class/thermal/thermal_zone0/type", "cpu-thermal")
        write(self.sysfs, "class/thermal/thermal_zone0/trip_point_0_type", "passive")
        write(self.sysfs, "class/thermal/thermal_zone0/trip_point_0_temp", 80000)
        self.at(0.0)

    @staticmethod
    def temp_c(t: float) -> float:
        return min(85.0, 50.0 + 6.0 * t)

    @staticmethod
    def khz(t: float) -> int:
        return HALF_KHZ if t >= THROTTLE_AT_S else FULL_KHZ

    def at(self, t: float) -> None:
        for cpu in range(4):
            folder = f"devices/system/cpu/cpu{cpu}/cpufreq"
            write(self.sysfs, f"{folder}/scaling_cur_freq", self.khz(t))
            write(self.sysfs, f"{folder}/scaling_max_freq", HALF_KHZ if t >= CAP_AT_S else FULL_KHZ)
        write(self.sysfs, "class/thermal/thermal_zone0/temp", round(self.temp_c(t) * 1000))
        with open(self.flags, "w") as handle:
            handle.write("throttled=0x80008\n" if t >= THROTTLE_AT_S else "throttled=0x0\n")

    def read_state(self, sysfs_root, host_root):
        from bench_job.host.device_state import read_device_state

        self.at(self.clock.now)
        return read_device_state(sysfs_root, host_root, search_path=self.bin)

    def measure_mhz(self, cpu: int, duration_s: float = 0.02) -> float:
        """The busy loop's clock: what runs, as the schedule says."""
        return self.khz(self.clock.now) / 1e3

    def inference(self) -> None:
        """One pass: its cost follows the clock it starts at."""
        self.clock.now += BURST_S * FULL_KHZ / self.khz(self.clock.now)

    def watts(self, t: float) -> float:
        return THROTTLED_W if t >= THROTTLE_AT_S else BURST_W


class FakeTimer:
    """The worker's timer on the fake clock."""

    name = "fake"

    def __init__(self, clock: FakeClock):
        self.clock = clock

    def time(self, fn) -> float:
        start = self.clock()
        fn()
        return self.clock() - start


class FakeMeter:
    """EnergyMeter.measure's contract on the fake clock: inferences until the window reaches max_window_s, the
    board's power integrated over each one."""

    def __init__(self, board: HotBoard):
        self.board = board

    def measure(self, run_once, min_window_s=1.0, min_samples=10, max_window_s=30.0):
        from bench_job.power.meter import EnergyWindow, SourceEnergy

        clock = self.board.clock
        start, energy, count = clock(), 0.0, 0
        while True:
            watts, before = self.board.watts(clock()), clock()
            run_once()
            energy += watts * (clock() - before)
            count += 1
            if clock() - start >= max_window_s:
                break
        window = clock() - start
        source = SourceEnergy(
            "fake", "board", avg_power_w=energy / window, energy_j=energy, energy_per_inference_j=energy / count
        )
        return EnergyWindow(count, window, start, clock(), (source,))


def soak_task(board, duration_s=10.0, deadline=None):
    """What soak_record reads of a WorkerTask: the sustained section, the model's name, the roots, the timing."""
    from bench_job.config.sections import SustainedSection

    section = SustainedSection(models=["resnet18"], duration_s=duration_s, window_s=1.0, batch_size=1, input_size=None)
    return SimpleNamespace(
        sustained=section,
        entry=SimpleNamespace(name="resnet18"),
        power=SimpleNamespace(
            section=SimpleNamespace(sysfs_root=board.sysfs, host_root=board.root), energy_reason=None
        ),
        timing=SimpleNamespace(deadline=deadline, measure=SimpleNamespace(confidence=0.95)),
    )


def prepared_soak(board):
    """The worker's PreparedConfig of the soaked configuration: its record so far and its inference."""
    from bench_job.run.plan import SUSTAINED, Point

    record = {"key": KEY, "model": "resnet18", "batch_size": 1, "input_size": 224, "scenario": SUSTAINED, "notes": []}
    return SimpleNamespace(
        point=Point(1, 224, (), SUSTAINED), record=record, timing=SimpleNamespace(run_once=board.inference)
    )


class QuietProbe:
    """ContentionProbe on a quiet machine: nobody else used the CPU."""

    def start(self) -> None:
        pass

    def other_share(self) -> float:
        return 0.0
