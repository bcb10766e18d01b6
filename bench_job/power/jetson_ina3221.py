"""Jetson INA3221 power monitors, read straight from sysfs (visible through a container's read-only /sys).

Two layouts, as jetson-stats (rbonghi/jetson_stats, jtop/core/power.py) reads them:
- JetPack 4 (L4T 32), iio driver "ina3221x": .../drivers/ina3221x/<bus-addr>/iio:deviceN/ with
  rail_name_K and in_power_K_input in milliwatts.
- JetPack 5/6, hwmon driver "ina3221": .../drivers/ina3221/<bus-addr>/hwmon/hwmonN/ with inK_label,
  inK_input (bus voltage, mV) and currK_input (mA); there is no power file. Channels labelled NC are
  not connected, and in7 is the "sum of shunt voltages", not a rail. hwmonN numbers change between
  boots, so the folders are globbed.
The board total is the VDD_IN (or older POM_5V_IN) rail; modules without one (AGX Orin) get the sum of
their rails, and the scope says so.
"""

import os
import re

from bench_job.power.base import PolledPowerSource, SourceUnavailable
from bench_job.power.sysfs import describe_os_error, sorted_glob

BOARD_TOTAL_RAILS = ("VDD_IN", "POM_5V_IN")
SOURCE_NAME = "jetson-ina3221"


class Rail:
    """One INA3221 channel: either a power file (mW) or a voltage (mV) and current (mA) pair."""

    def __init__(self, label, power_path=None, voltage_path=None, current_path=None):
        self.label = label
        self.power_path = power_path
        self.voltage_path = voltage_path
        self.current_path = current_path

    def read_w(self, files) -> float:
        if self.power_path:
            return files.integer(self.power_path) / 1e3
        return files.integer(self.voltage_path) * files.integer(self.current_path) / 1e6


def iio_rails(folder, files) -> list[Rail]:
    rails = []
    for name_path in sorted_glob(os.path.join(folder, "rail_name_*")):
        channel = name_path.rsplit("_", 1)[1]
        power_path = os.path.join(folder, f"in_power{channel}_input")
        if os.path.exists(power_path):
            rails.append(Rail(files.text(name_path), power_path=power_path))
    return rails


def hwmon_rails(folder, files) -> list[Rail]:
    rails = []
    for label_path in sorted_glob(os.path.join(folder, "in*_label")):
        channel = re.fullmatch(r"in(\d+)_label", os.path.basename(label_path))
        if not channel:
            continue
        label = files.text(label_path)
        number = channel.group(1)
        voltage = os.path.join(folder, f"in{number}_input")
        current = os.path.join(folder, f"curr{number}_input")
        if label.split()[:1] == ["NC"] or "sum of shunt" in label.lower():
            continue
        if os.path.exists(voltage) and os.path.exists(current):
            rails.append(Rail(label, voltage_path=voltage, current_path=current))
    return rails


def find_rails(sysfs_root, files) -> list[Rail]:
    drivers = os.path.join(sysfs_root, "bus", "i2c", "drivers")
    rails = []
    for folder in sorted_glob(os.path.join(drivers, "ina3221x", "*", "iio:device*")):
        rails += iio_rails(folder, files)
    for folder in sorted_glob(os.path.join(drivers, "ina3221", "*", "hwmon", "hwmon*")):
        rails += hwmon_rails(folder, files)
    return rails


class JetsonBoardPower(PolledPowerSource):
    def __init__(self, rails, scope, files):
        super().__init__(SOURCE_NAME, scope)
        self._rails = rails
        self._files = files

    def read_power_w(self) -> float:
        total = 0.0
        for rail in self._rails:
            try:
                watts = rail.read_w(self._files)
            except OSError as exc:
                raise SourceUnavailable(f"rail {rail.label}: " + describe_os_error(exc.filename or rail.label, exc)) from None
            except ValueError as exc:
                raise SourceUnavailable(f"rail {rail.label}: {exc}") from None
            if watts < 0:
                raise SourceUnavailable(f"rail {rail.label} reads {watts:.3f} W, a negative power")
            total += watts
        return total


def choose_board_rails(rails) -> tuple[list[Rail], str]:
    """The board-total rail where the module has one, else every rail summed, with the scope in words."""
    for total_name in BOARD_TOTAL_RAILS:
        for rail in rails:
            if rail.label == total_name:
                return [rail], f"Jetson module input ({total_name} rail of the INA3221)"
    labels = ", ".join(rail.label for rail in rails)
    return rails, (f"sum of the Jetson INA3221 rails {labels}: this module has no VDD_IN/POM_5V_IN total rail, "
                   "so parts outside these rails are not included")


def discover(ctx):
    try:
        rails = find_rails(ctx.sysfs_root, ctx.files)
    except OSError as exc:
        return [], [(SOURCE_NAME, describe_os_error(exc.filename or "INA3221 label", exc))]
    if not rails:
        return [], [(SOURCE_NAME, "no INA3221 power monitor under /sys/bus/i2c/drivers/ina3221{,x} (not a Jetson)")]
    chosen, scope = choose_board_rails(rails)
    source = JetsonBoardPower(chosen, scope, ctx.files)
    try:
        source.read_power_w()
    except SourceUnavailable as exc:
        return [], [(SOURCE_NAME, str(exc))]
    return [source], []
