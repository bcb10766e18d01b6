"""The channels of a Jetson's power monitors in sysfs, each named by its rail label.

Layouts, under <sysfs>/bus/i2c/drivers/<driver>/<bus-addr>/:
- JetPack 4 (L4T 32), driver "ina3221x": iio:deviceN/ with rail_name_K and in_power{K}_input in mW.
  L4T 28 (JetPack 3, TX1/TX2) names the same folder iio_device (e.g. /sys/bus/i2c/drivers/ina3221x/
  0-0041/iio_device/in_power0_input, as TX2 power scripts of that release read it).
- JetPack 5/6, hwmon driver "ina3221" (kernel Documentation/hwmon/ina3221.rst): hwmon/hwmonN/ with
  in{K}_label, in{K}_input (bus voltage, mV) and curr{K}_input (mA); no power file. hwmonN numbers
  change between boots, so the folders are globbed.
- Jetson Thor carrier board, hwmon driver "ina238" (kernel Documentation/hwmon/ina238.rst): one
  channel, power1_input in uW, measuring the board input that jetson-stats names VIN (rbonghi/
  jetson_stats pull request 900); a hwmon `label` file names it where the device tree gives one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from bench_job.power.sysfs import sorted_glob


@dataclass(frozen=True)
class Channel:
    """One monitor channel: a power file (watts = value x power_scale_w) or a mV and mA pair."""

    label: str
    where: str  # "<bus-addr> <channel>", to name the channel in messages
    power_path: str | None = None
    power_scale_w: float = 0.0
    voltage_path: str | None = None
    current_path: str | None = None

    def read_w(self, files) -> float:
        """Watts; OSError for a file that cannot be read, ValueError for one that holds no number."""
        if self.power_path:
            return files.integer(self.power_path) * self.power_scale_w
        return files.integer(self.voltage_path) * files.integer(self.current_path) / 1e6


def drivers_folder(sysfs_root) -> str:
    return os.path.join(sysfs_root, "bus", "i2c", "drivers")


def _device(folder, levels) -> str:
    """The <bus-addr> folder name, levels above folder."""
    for _ in range(levels):
        folder = os.path.dirname(folder)
    return os.path.basename(folder)


def iio_channels(folder, files) -> list[Channel]:
    channels = []
    for name_path in sorted_glob(os.path.join(folder, "rail_name_*")):
        number = name_path.rsplit("_", 1)[1]
        power_path = os.path.join(folder, f"in_power{number}_input")
        if os.path.exists(power_path):
            channels.append(
                Channel(
                    files.text(name_path),
                    f"{_device(folder, 1)} channel {number}",
                    power_path=power_path,
                    power_scale_w=1e-3,
                )
            )
    return channels


def hwmon_channels(folder, files) -> list[Channel]:
    channels = []
    for label_path in sorted_glob(os.path.join(folder, "in*_label")):
        channel = re.fullmatch(r"in(\d+)_label", os.path.basename(label_path))
        if not channel:
            continue
        number = channel.group(1)
        voltage = os.path.join(folder, f"in{number}_input")
        current = os.path.join(folder, f"curr{number}_input")
        if os.path.exists(voltage) and os.path.exists(current):
            channels.append(
                Channel(
                    files.text(label_path),
                    f"{_device(folder, 2)} in{number}",
                    voltage_path=voltage,
                    current_path=current,
                )
            )
    return channels


def ina238_channel(folder, files) -> list[Channel]:
    power_path = os.path.join(folder, "power1_input")
    if not os.path.exists(power_path):
        return []
    label = files.text_or_none(os.path.join(folder, "label")) or "VIN"
    return [Channel(label, f"{_device(folder, 2)} power1", power_path=power_path, power_scale_w=1e-6)]


def find_channels(sysfs_root, files) -> list[Channel]:
    """Every labelled channel of the Jetson power monitors under sysfs_root; OSError on an unreadable label."""
    drivers = drivers_folder(sysfs_root)
    channels = []
    for pattern in ("iio:device*", "iio_device"):
        for folder in sorted_glob(os.path.join(drivers, "ina3221x", "*", pattern)):
            channels += iio_channels(folder, files)
    for folder in sorted_glob(os.path.join(drivers, "ina3221", "*", "hwmon", "hwmon*")):
        channels += hwmon_channels(folder, files)
    for folder in sorted_glob(os.path.join(drivers, "ina238", "*", "hwmon", "hwmon*")):
        channels += ina238_channel(folder, files)
    return channels
