"""Energy from timestamped power samples: trapezoid rule over exactly the window.

The window edges rarely coincide with samples, so the power at each edge is interpolated linearly
between the samples either side of it (or held from the nearest sample where none lies beyond it).
"""

from __future__ import annotations

import bisect

from bench_job.power.base import PowerSample


def samples_inside(samples: list[PowerSample], start: float, end: float) -> int:
    """How many samples fall inside [start, end]; samples are sorted by time."""
    times = [t for t, _ in samples]
    return bisect.bisect_right(times, end) - bisect.bisect_left(times, start)


def _power_at(samples: list[PowerSample], times: list[float], t: float) -> float:
    index = bisect.bisect_left(times, t)
    if index < len(times) and times[index] == t:
        return samples[index][1]
    if index == 0:
        return samples[0][1]
    if index == len(times):
        return samples[-1][1]
    (t0, p0), (t1, p1) = samples[index - 1], samples[index]
    return p0 + (p1 - p0) * (t - t0) / (t1 - t0)


def integrate_window(samples: list[PowerSample], start: float, end: float) -> float:
    """Joules over [start, end] from (seconds, watts) samples sorted by time; needs at least one sample."""
    if not samples:
        raise ValueError("no power samples to integrate")
    if end <= start:
        return 0.0
    times = [t for t, _ in samples]
    inner = samples[bisect.bisect_right(times, start) : bisect.bisect_left(times, end)]
    points = [(start, _power_at(samples, times, start)), *inner, (end, _power_at(samples, times, end))]
    return sum((t1 - t0) * (p0 + p1) / 2.0 for (t0, p0), (t1, p1) in zip(points, points[1:]))
