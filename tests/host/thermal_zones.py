"""Fake thermal zones in the kernel's format (Linux Documentation/driver-api/thermal/sysfs-api.rst):
<sysfs>/class/thermal/thermal_zoneN/type names the sensor, .../temp holds millidegrees Celsius. Each cools on a
schedule driven by a fake sleep, which also advances a fake clock: a cool-down is tested without waiting."""

from __future__ import annotations

from tests.power.helpers import write

CPU_ZONE = "class/thermal/thermal_zone0"


def set_temp(root, celsius: float) -> None:
    """The Raspberry Pi's cpu-thermal zone (zone 0) at celsius, beside a cooler gpu-thermal zone at 40 C."""
    write(root, f"{CPU_ZONE}/type", "cpu-thermal")
    write(root, f"{CPU_ZONE}/temp", int(round(celsius * 1000)))
    write(root, "class/thermal/thermal_zone1/type", "gpu-thermal")
    write(root, "class/thermal/thermal_zone1/temp", 40000)


def read_temp(root) -> float:
    with open(f"{root}/{CPU_ZONE}/temp") as handle:
        return int(handle.read()) / 1000


class FakeTime:
    """A clock and a sleep: sleep(s) advances the clock by s, records s, then lets the zone cool (cool(s))."""

    def __init__(self, cool):
        self.now, self.sleeps, self.cool = 0.0, [], cool

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.cool(seconds)


class ScheduledZone(FakeTime):
    """The hottest zone reads schedule[k] after the k-th sleep (the last reading holds)."""

    def __init__(self, root, schedule):
        super().__init__(self._next_reading)
        self.root, self.schedule = root, list(schedule)
        set_temp(root, self.schedule[0])

    def restart(self, schedule) -> None:
        """A new schedule from now on: the zone reads its first value at once."""
        self.schedule = [*[None] * len(self.sleeps), *schedule]
        set_temp(self.root, schedule[0])

    def _next_reading(self, _seconds: float) -> None:
        set_temp(self.root, self.schedule[min(len(self.sleeps), len(self.schedule) - 1)])


class CoolingZone(FakeTime):
    """A zone that loses rate_c_per_s degrees per second slept, from whatever it reads (a worker may heat it)."""

    def __init__(self, root, celsius: float, rate_c_per_s: float):
        super().__init__(self._lose_heat)
        self.root, self.rate = root, rate_c_per_s
        set_temp(root, celsius)

    def _lose_heat(self, seconds: float) -> None:
        set_temp(self.root, read_temp(self.root) - self.rate * seconds)
