"""The interface every power sensor implements, and the errors a sensor can raise.

A source is one of three kinds, because sensors give energy in three different ways:
- EnergyCounterSource: a cumulative hardware energy counter (RAPL energy_uj, NVML total energy).
  Read at the window edges only; the difference is the energy, no sampling error.
- PolledPowerSource: instantaneous power read on demand (INA3221 sysfs, battery, vcgencmd).
  The sampler thread polls it and the meter integrates the samples.
- StreamedPowerSource: power that arrives with its own timestamps (a tegrastats pipe, an external
  meter's CSV). The source collects the samples itself; the meter asks for those inside a window.

Sources are found once, by the runner. Each one is built from a SourceSpec: a small frozen description
of what to open (file paths, a program, a device index) that crosses into the worker process, where
spec.open() builds the same source again without searching.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class SourceUnavailable(Exception):
    """Raised by a discoverer or a read: the message is one line saying why and, where possible, the fix."""


class PowerSetupError(ValueError):
    """Bad input to the power layer that the user must fix (a meter CSV that is missing or malformed, a
    window bound or rate out of range): the message is one line naming the fix. The power layer knows
    nothing of the command line; the CLI prints these like its own errors."""

    user_fixable = True  # see bench_job.errors.user_fixable


class PowerSample(NamedTuple):
    """One power reading on the monotonic clock, the one shape a sample keeps from the reader (sampler
    thread, tegrastats pipe, meter CSV) to the integration: it is a (seconds, watts) tuple, so it sorts
    and unpacks like one."""

    t: float
    watts: float


@dataclass(frozen=True)
class Window:
    """A measurement window on both clocks: monotonic for in-process samples, unix time for outside meters."""

    start_mono: float
    end_mono: float
    start_unix: float
    end_unix: float

    @property
    def seconds(self) -> float:
        return self.end_mono - self.start_mono


class SourceSpec:
    """What opening a discovered source takes, as a frozen (so picklable) dataclass with name and scope.

    open() builds the source and may raise SourceUnavailable; it never searches for anything."""

    name: str
    scope: str

    def open(self, files) -> "PowerSource":
        """The source, reading sysfs files through files (a FileReader) where it reads any."""
        raise NotImplementedError


class PowerSource:
    """Common part: a stable name, a scope in words (what the figure covers), and close().

    A discovered source keeps the spec it was built from in .spec, for the worker process."""

    kind = ""

    def __init__(self, name: str, scope: str):
        self.name = name
        self.scope = scope

    def close(self) -> None:
        """Release what the source holds (a subprocess, a library handle); reading after close is an error."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class EnergyCounterSource(PowerSource):
    kind = "counter"

    def read_energy_j(self) -> float:
        """Energy in joules accumulated since an arbitrary origin; wrap-around is handled by the source."""
        raise NotImplementedError


class PolledPowerSource(PowerSource):
    kind = "polled"
    # The fastest rate at which reading this sensor makes sense (a subprocess per read is costly).
    max_hz: float | None = None

    def read_power_w(self) -> float:
        """Instantaneous power in watts."""
        raise NotImplementedError


class StreamedPowerSource(PowerSource):
    kind = "streamed"

    def start(self) -> None:
        """Begin collecting samples (a no-op where the samples are already on disk)."""

    def stop(self) -> None:
        """Stop collecting samples; samples already collected stay readable."""

    def samples(self, window: Window, margin_s: float) -> list[PowerSample]:
        """Samples from margin_s before the window to margin_s after it."""
        raise NotImplementedError

    @property
    def sampling_hz(self) -> float | None:
        return None
