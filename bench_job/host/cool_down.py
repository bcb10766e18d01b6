"""Cool-down between models: before each model (and its idle baseline), wait, bounded, until the hottest thermal
zone is back near the temperature the run started at, so that a model is not measured on a board the previous
model left hot (a Raspberry Pi without a heatsink reaches 80-85 C and throttles within minutes; its Arm cores
throttle progressively from 80 C).

The target is thermal.cool_to_c where it is set (an absolute temperature: every model starts below it, however
warm the run started), else the hottest zone at the run's start plus thermal.cool_margin_c. The wait polls every
thermal.poll_s and never lasts past thermal.max_wait_s (0: check only); a model whose zone is still above the target
then starts hot, and its rows say so. Temperatures are the kernel's thermal zones under the run's sysfs root
(/sys/class/thermal/thermal_zoneN/temp, millidegrees C: Linux Documentation/driver-api/thermal/sysfs-api.rst), read
by device_state.read_thermal; a device without one (most VMs, some x86 desktops) has nothing to wait for.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from bench_job.host.device_state import read_thermal
from bench_job.power.sysfs import FileReader

log = logging.getLogger("bench_job")


@dataclass(frozen=True)
class CoolDownResult:
    """One wait. waited_s: seconds waited (0: the zone was cool already; None: no thermal zone to read);
    started_hot: the bound ran out with the zone above target_c; temp_c: the hottest zone when the wait ended."""

    waited_s: float | None = None
    started_hot: bool | None = None
    temp_c: float | None = None
    target_c: float | None = None

    def record_fields(self) -> dict:
        """The schema-7 columns of every row of the model that waited."""
        return {"cool_down_s": self.waited_s, "started_hot": self.started_hot}

    def note(self) -> str | None:
        """The row's note on a hot start: 'started hot: 78.5 C after waiting 120 s for 60.0 C'."""
        if not self.started_hot:
            return None
        return f"started hot: {self.temp_c:.1f} C after waiting {self.waited_s:.0f} s for {self.target_c:.1f} C"


def hottest_zone(sysfs_root: str, files: FileReader) -> tuple:
    """(zone name, degrees C) of the hottest readable thermal zone, or (None, None) where there is none."""
    temps = read_thermal(sysfs_root, files)["thermal_c"]
    if not temps:
        return None, None
    name = max(temps, key=temps.get)
    return name, temps[name]


class CoolDown:
    """thermal: the config's thermal section (config.sections.ThermalSection); sysfs_root: where the thermal zones
    are read (a container mounts the host's /sys). clock and sleep are injected so that a test drives a fake zone
    with a fake clock and never waits."""

    def __init__(
        self,
        thermal,
        sysfs_root: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        files: FileReader | None = None,
    ):
        self.thermal, self.sysfs_root = thermal, sysfs_root
        self.clock, self.sleep = clock, sleep
        self.files = files or FileReader()
        self.start_c: float | None = None

    def start(self) -> CoolDown:
        """Read the run's starting temperature, the reference of every later wait. A resumed run reads it again
        when it resumes: the board's temperature when the first part started is not recorded, and the part that
        resumes is measured against the state it found."""
        zone, self.start_c = hottest_zone(self.sysfs_root, self.files)
        if zone is None:
            log.info("no thermal zone under %s/class/thermal: no cool-down between models", self.sysfs_root)
        else:
            log.info(
                "hottest thermal zone at the start of the run: %s at %.1f C; each model waits (at most %g s) for %s",
                zone,
                self.start_c,
                self.thermal.max_wait_s,
                self._target_text(),
            )
        return self

    @property
    def target_c(self) -> float | None:
        if self.thermal.cool_to_c is not None:
            return float(self.thermal.cool_to_c)
        return None if self.start_c is None else self.start_c + self.thermal.cool_margin_c

    def _target_text(self) -> str:
        if self.thermal.cool_to_c is not None:
            return f"{self.target_c:.1f} C (thermal.cool_to_c)"
        return f"{self.target_c:.1f} C (within {self.thermal.cool_margin_c:g} C of the start)"

    def summary(self) -> dict:
        """What the run's cool-down was, for env.json: the starting temperature and the target, or why there was
        no wait (every row's cool_down_s then stays empty)."""
        fields = {
            "start_c": self.start_c,
            "target_c": self.target_c,
            "cool_margin_c": self.thermal.cool_margin_c,
            "cool_to_c": self.thermal.cool_to_c,
            "max_wait_s": self.thermal.max_wait_s,
        }
        if self.start_c is None:
            fields["reason"] = f"no thermal zone under {self.sysfs_root}/class/thermal: cool_down_s stays empty"
        return fields

    def wait(self, what: str, on_wait: Callable[[str], None] | None = None) -> CoolDownResult:
        """Wait until the hottest zone is at or below the target, at most thermal.max_wait_s, before `what` (a model
        variant's name). on_wait(text) gets a short status at every poll (the progress bar's postfix)."""
        target = self.target_c
        zone, temp = hottest_zone(self.sysfs_root, self.files)
        if temp is None or target is None:
            return CoolDownResult()
        if temp <= target:
            return CoolDownResult(0.0, False, temp, target)
        bound = float(self.thermal.max_wait_s)
        log.info(
            "cooling down before %s: %s at %.1f C, waiting for %s, at most %g s",
            what,
            zone,
            temp,
            self._target_text(),
            bound,
        )
        started = self.clock()
        while True:
            waited = self.clock() - started
            if temp <= target:
                log.info("cooled to %.1f C in %.0f s", temp, waited)
                return CoolDownResult(round(waited, 3), False, temp, target)
            if waited >= bound:
                result = CoolDownResult(round(waited, 3), True, temp, target)
                log.warning("%s: %s", what, result.note())
                return result
            if on_wait is not None:
                on_wait(f"cooling: {temp:.1f} C > {target:.1f} C")
            self.sleep(min(self.thermal.poll_s, bound - waited))
            zone, temp = hottest_zone(self.sysfs_root, self.files)
            if temp is None:  # the zone stopped reading (its sensor went off): nothing left to wait for
                return CoolDownResult()
