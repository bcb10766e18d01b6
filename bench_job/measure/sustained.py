"""The sustained scenario's soak: one configuration run back to back for a duration, cut into windows (1 s by
default), and what each window shows: the median latency and count of its inferences, the temperatures, the
CPU clock cpufreq reports and the one a busy loop measures per core type, the throttle flags, and power.

A burst of a few seconds (what the sweep measures) says nothing of the rate a board holds for a minute of video:
a Raspberry Pi without a heatsink reaches 80-85 C and throttles within minutes. The row figures compare the
first window (the burst) with the last (what is held) and name when the first throttle event came.

Everything here is pure: the window's inferences (run_window), the readings after it (read_window) and the clock
are injected, so a test drives a soak of minutes through fakes in well under a second (run/soak.py binds them to
the worker's model, its EnergyMeter and the device's sysfs).
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from dataclasses import dataclass
from typing import Callable

SCENARIO = "sustained"  # a soak row's scenario; every other row is the sweep's

# A clock (reported or measured) this far below the first window's, on any core type, is a clock drop: a throttle
# event even where no flag says so (a laptop leaving its turbo budget, firmware lowering the clock quietly). 10% is
# well above the run-to-run spread of a calibrated loop on a quiet core (a few %) and below the first throttle step
# of a Raspberry Pi (1.5 -> 1.2 GHz on a Pi 4: 20%) or an Orin's cooling-device step.
CLOCK_DROP_MARGIN = 0.10


@dataclass(frozen=True)
class WindowRun:
    """What one window's inferences gave: each pass's latency, and power where a source exists (else None)."""

    latencies_s: tuple
    avg_power_w: float | None = None
    energy_per_inference_j: float | None = None


@dataclass(frozen=True)
class WindowReading:
    """The device read right after a window: thermal zone -> C, core type -> MHz reported by cpufreq and measured
    by the loop (None where it could not be), and the throttle flags seen against the soak's starting state."""

    temps_c: dict
    reported_mhz: dict
    measured_mhz: dict
    throttle_reasons: tuple = ()


@dataclass(frozen=True)
class SoakWindow:
    """One window of a soak, its times in seconds since the soak began."""

    start_s: float
    end_s: float
    run: WindowRun
    reading: WindowReading
    throttle_reasons: tuple = ()  # the reading's flags and any clock drop against the first window

    @property
    def inferences(self) -> int:
        return len(self.run.latencies_s)

    @property
    def median_s(self) -> float:
        return statistics.median(self.run.latencies_s)

    @property
    def temp_max_c(self) -> float | None:
        return max(self.reading.temps_c.values(), default=None)


@dataclass(frozen=True)
class Soak:
    """A finished soak: its windows in order, and why it ended before its duration (None: it ran it all)."""

    windows: tuple
    duration_s: float  # asked
    ended_early: str | None = None

    @property
    def latencies_s(self) -> list:
        return [t for w in self.windows for t in w.run.latencies_s]


def clock_drops(first: dict, now: dict, kind: str, margin: float = CLOCK_DROP_MARGIN) -> list:
    """'cpu0-3 measured clock 1200 MHz, 25% below the first window's 1600 MHz' for each core type whose clock fell
    more than margin below the first window's."""
    drops = []
    for core, mhz in now.items():
        was = first.get(core)
        if was and mhz is not None and mhz < was * (1 - margin):
            drops.append(
                f"{core} {kind} clock {mhz:.0f} MHz, {1 - mhz / was:.0%} below the first window's {was:.0f} MHz"
            )
    return drops


def run_soak(
    run_window: Callable[[float], WindowRun],
    read_window: Callable[[], WindowReading],
    duration_s: float,
    window_s: float,
    clock: Callable[[], float] = time.monotonic,
    stop: Callable[[], bool] = lambda: False,
    on_window: Callable[[SoakWindow], None] = lambda window: None,
    margin: float = CLOCK_DROP_MARGIN,
) -> Soak:
    """Windows back to back until duration_s has passed (the last one ends past it) or stop() says so.
    run_window(window_s) runs inferences for one window; read_window() reads the device after it. A window's
    throttle reasons are its reading's flags plus any clock drop beyond margin against the first window."""
    started = clock()
    windows = []
    ended_early = None
    while clock() - started < duration_s:
        if stop():
            ended_early = "stopped"
            break
        start = clock() - started
        run = run_window(window_s)
        end = clock() - started
        reading = read_window()
        reasons = list(reading.throttle_reasons)
        if windows:
            first = windows[0].reading
            reasons += clock_drops(first.reported_mhz, reading.reported_mhz, "reported", margin)
            reasons += clock_drops(first.measured_mhz, reading.measured_mhz, "measured", margin)
        window = SoakWindow(start, end, run, reading, tuple(reasons))
        windows.append(window)
        on_window(window)
    return Soak(tuple(windows), duration_s, ended_early)


def throttle_onset(soak: Soak) -> SoakWindow | None:
    """The first window with a throttle flag or a clock drop (its end: when the reading saw it), or None."""
    return next((w for w in soak.windows if w.throttle_reasons), None)


def soak_fields(soak: Soak, series_member: str, notes: tuple = ()) -> dict:
    """The row's schema-7 figures of a soak with one window at least, and its notes (a list: notes given first)."""
    first, last = soak.windows[0], soak.windows[-1]
    onset = throttle_onset(soak)
    temps = [w.temp_max_c for w in soak.windows if w.temp_max_c is not None]
    notes = list(notes)
    if onset is None:
        notes.append(f"no throttle in {last.end_s:.0f} s")
    else:
        notes.append(
            f"throttled after {onset.end_s:.0f} s ({'; '.join(onset.throttle_reasons)}): a finding of the soak, "
            "not a fault of its figures"
        )
    if soak.ended_early:
        notes.append(f"soak ended after {last.end_s:.0f} of {soak.duration_s:g} s ({soak.ended_early})")
    return {
        "scenario": SCENARIO,
        "sustained_s": last.end_s,
        "sustained_windows": len(soak.windows),
        "sustained_first_median_s": first.median_s,
        "sustained_last_median_s": last.median_s,
        "sustained_perf_ratio": first.median_s / last.median_s,
        "throttle_onset_s": onset.end_s if onset else None,
        "sustained_peak_temp_c": max(temps) if temps else None,
        "sustained_first_energy_j": first.run.energy_per_inference_j,
        "sustained_last_energy_j": last.run.energy_per_inference_j,
        "sustained_series": series_member,
        "notes": notes,
    }


def _names(windows, attribute: str) -> list:
    """The keys of every window's mapping (zones, core types), in the order first met."""
    return list(dict.fromkeys(k for w in windows for k in getattr(w.reading, attribute)))


def _cell(value) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def series_csv(soak: Soak) -> str:
    """The soak's time series, one row per window, each column named with its unit: times (s), inferences,
    median latency (s), the hottest zone and each zone (C), each core type's reported and measured clock (MHz),
    power (W), energy per inference (J), and the throttle flags."""
    zones, reported, measured = (_names(soak.windows, a) for a in ("temps_c", "reported_mhz", "measured_mhz"))
    header = ["t_start_s", "t_end_s", "inferences", "latency_median_s", "temp_max_c"]
    header += [f"temp_{zone}_c" for zone in zones]
    header += [f"clock_reported_{core}_mhz" for core in reported] + [f"clock_measured_{core}_mhz" for core in measured]
    header += ["power_w", "energy_per_inference_j", "throttled", "throttle_reasons"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for w in soak.windows:
        r = w.reading
        writer.writerow(
            [_cell(v) for v in (w.start_s, w.end_s, w.inferences, w.median_s, w.temp_max_c)]
            + [_cell(r.temps_c.get(zone)) for zone in zones]
            + [_cell(r.reported_mhz.get(core)) for core in reported]
            + [_cell(r.measured_mhz.get(core)) for core in measured]
            + [_cell(w.run.avg_power_w), _cell(w.run.energy_per_inference_j)]
            + [str(bool(w.throttle_reasons)).lower(), "; ".join(w.throttle_reasons)]
        )
    return out.getvalue()
