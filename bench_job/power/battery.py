"""Laptop battery discharge power from /sys/class/power_supply/BAT*.

Per the kernel's sysfs-class-power ABI: power_now is in microwatts, current_now in microamps (negative
while discharging on some drivers, so its magnitude is used) and voltage_now in microvolts. The reading
is the whole laptop's draw only while the battery is the supply, i.e. while status is "Discharging".
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench_job.power.base import PolledPowerSource, SourceSpec, SourceUnavailable
from bench_job.power.sysfs import describe_os_error, sorted_glob


@dataclass(frozen=True)
class BatterySpec(SourceSpec):
    folders: tuple  # the power_supply/BAT* folders summed
    name: str = "battery"

    @property
    def scope(self) -> str:
        names = ", ".join(os.path.basename(f) for f in self.folders)
        return f"whole laptop, drawn from the battery ({names}) while unplugged"

    def open(self, files) -> "BatteryDischarge":
        return BatteryDischarge(self, files)


class BatteryDischarge(PolledPowerSource):
    def __init__(self, spec, files):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._folders = spec.folders
        self._files = files

    def read_power_w(self) -> float:
        return sum(self._read_one(folder) for folder in self._folders)

    def _read_one(self, folder) -> float:
        try:
            status = self._files.text(os.path.join(folder, "status"))
            if status != "Discharging":
                raise SourceUnavailable(
                    f"{os.path.basename(folder)} is {status}, not Discharging: "
                    "the charger was plugged in during the measurement"
                )
            if os.path.exists(os.path.join(folder, "power_now")):
                watts = abs(self._files.integer(os.path.join(folder, "power_now"))) / 1e6
            else:
                microamps = abs(self._files.integer(os.path.join(folder, "current_now")))
                microvolts = self._files.integer(os.path.join(folder, "voltage_now"))
                watts = microamps * microvolts / 1e12
        except OSError as exc:
            raise SourceUnavailable(describe_os_error(exc.filename or folder, exc)) from None
        except ValueError as exc:
            raise SourceUnavailable(str(exc)) from None
        if watts > 1000:
            raise SourceUnavailable(f"{os.path.basename(folder)} reports {watts:.0f} W, not a plausible laptop draw")
        return watts


def discover(ctx):
    supplies = os.path.join(ctx.sysfs_root, "class", "power_supply")
    folders = [
        f
        for f in sorted_glob(os.path.join(supplies, "BAT*"))
        if (ctx.files.text_or_none(os.path.join(f, "type")) or "Battery") == "Battery"
    ]
    if not folders:
        return [], [("battery", f"no battery under {supplies} (not a laptop)")]
    usable = [
        f
        for f in folders
        if os.path.exists(os.path.join(f, "power_now"))
        or (os.path.exists(os.path.join(f, "current_now")) and os.path.exists(os.path.join(f, "voltage_now")))
    ]
    if not usable:
        return [], [("battery", "the battery reports neither power_now nor current_now and voltage_now")]
    statuses = {os.path.basename(f): ctx.files.text_or_none(os.path.join(f, "status")) for f in usable}
    if not all(status == "Discharging" for status in statuses.values()):
        described = ", ".join(f"{name} {status or 'unreadable'}" for name, status in statuses.items())
        return [], [
            (
                "battery",
                f"battery not discharging ({described}): battery power covers the laptop "
                "only while unplugged; unplug the charger to use it",
            )
        ]
    source = BatterySpec(tuple(usable)).open(ctx.files)
    try:
        source.read_power_w()
    except SourceUnavailable as exc:
        return [], [("battery", str(exc))]
    return [source], []
