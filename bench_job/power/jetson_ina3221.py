"""Jetson board power from the INA3221 (and Thor's INA238) sysfs files, visible through a container's read-only /sys.

jetson_channels finds the labelled channels; jetson_rails says which of them add up to the board total
(VIN, VDD_IN or POM_5V_IN where the board has one, the documented supplies of AGX Orin and AGX Xavier,
else every rail, with a scope that says it may double-count). A labelled channel that cannot be read
at discovery (the kernel answers ENODATA for a disabled INA3221 input) is left out and named in the
scope; the other channels still make the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench_job.power.base import PolledPowerSource, SourceSpec, SourceUnavailable
from bench_job.power.jetson_channels import drivers_folder, find_channels
from bench_job.power.jetson_rails import board_total, is_rail
from bench_job.power.sysfs import describe_os_error

SOURCE_NAME = "jetson-ina3221"


@dataclass(frozen=True)
class JetsonRailsSpec(SourceSpec):
    channels: tuple  # the Channels whose sum is the board total
    scope: str
    name: str = SOURCE_NAME

    def open(self, files) -> "JetsonBoardPower":
        return JetsonBoardPower(self, files)


class JetsonBoardPower(PolledPowerSource):
    def __init__(self, spec, files):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._files = files

    def read_power_w(self) -> float:
        return sum(read_channel_w(channel, self._files) for channel in self.spec.channels)


def read_channel_w(channel, files) -> float:
    """Watts of one channel; SourceUnavailable naming the channel when it cannot be read or is negative."""
    try:
        watts = channel.read_w(files)
    except OSError as exc:
        reason = describe_os_error(exc.filename or channel.where, exc)
        raise SourceUnavailable(f"rail {channel.label}: {reason}") from None
    except ValueError as exc:
        raise SourceUnavailable(f"rail {channel.label}: {exc}") from None
    if watts < 0:
        raise SourceUnavailable(f"rail {channel.label} reads {watts:.3f} W, a negative power")
    return watts


def readable_channels(channels, files) -> tuple[list, list[str]]:
    """(channels that read, one note per channel that does not), so one disabled channel costs only itself."""
    readable, notes = [], []
    for channel in channels:
        try:
            read_channel_w(channel, files)
        except SourceUnavailable as exc:
            notes.append(f"{channel.where} {exc}")
            continue
        readable.append(channel)
    return readable, notes


def discover(ctx):
    drivers = drivers_folder(ctx.sysfs_root)
    try:
        channels = [c for c in find_channels(ctx.sysfs_root, ctx.files) if is_rail(c.label)]
    except OSError as exc:
        return [], [(SOURCE_NAME, describe_os_error(exc.filename or "an INA3221 label", exc))]
    if not channels:
        return [], [
            (
                SOURCE_NAME,
                f"no INA3221 or INA238 power monitor under {drivers} (ina3221, ina3221x, ina238): not a Jetson",
            )
        ]
    readable, notes = readable_channels(channels, ctx.files)
    if not readable:
        return [], [(SOURCE_NAME, "no power monitor channel can be read: " + "; ".join(notes))]
    total = board_total(channel.label for channel in readable)
    chosen = tuple(channel for channel in readable if channel.label in total.rails)
    scope = total.scope + "".join(f"; left out, unreadable: {note}" for note in notes)
    return [JetsonRailsSpec(chosen, scope).open(ctx.files)], []
