"""EnergyMeter: what the benchmark worker uses to put joules on a forward pass.

measure() repeats one synchronous inference until the window is at least min_window_s long and every
sampled source holds at least min_samples samples inside it (capped by max_window_s), then reports per
source: energy over the window (counter difference, or trapezoid integral of the samples), average
power, energy per inference, and the net figure after subtracting the idle power times the window.
A source that fails, in any way and at any step, gets empty figures and its reason; the others go on,
and nothing a source raises leaves the meter. Sources that could not even be opened (in the worker)
are listed with their reason too. Nothing is ever estimated.

Sampling runs only inside measure() and measure_idle(), so latency timing elsewhere is undisturbed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench_job.errors import one_line
from bench_job.power.base import PowerSetupError, SourceUnavailable, Window
from bench_job.power.integrate import integrate_window, samples_inside
from bench_job.power.sampler import PowerSampler
from bench_job.power.sysfs import describe_os_error

# how often the (costlier) sample count of streamed sources is checked while inferences run
_STREAM_CHECK_S = 0.25
# how long to wait for a streamed source's samples to reach past the window end (a meter logger lags)
_STREAM_GRACE_S = 3.0


# measure_call's window bounds: any call outlasts them, so measure() runs it once
_ONE_CALL_S = 1e-6


@dataclass(frozen=True)
class SourceEnergy:
    """One source's figures over an energy window; every figure None where the source failed (reason)."""

    power_source: str
    power_scope: str
    avg_power_w: float | None = None
    energy_j: float | None = None
    energy_per_inference_j: float | None = None
    idle_power_w: float | None = None
    energy_net_per_inference_j: float | None = None
    power_samples: int = 0
    sampling_hz: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _Reading:
    """What one source gave over one window, before the idle baseline and the inference count apply."""

    energy_j: float | None
    samples: int = 0  # power samples inside the window (0 for counters)
    sampling_hz: float | None = None
    reason: str | None = None  # why there is no energy


@dataclass(frozen=True)
class EnergyWindow:
    """What EnergyMeter.measure returns: the window on the unix clock (an outside meter's log lines up
    with it), how many inferences ran in it, and each source's figures in preference order."""

    n_inferences: int
    window_s: float
    window_start_unix: float
    window_end_unix: float
    sources: tuple[SourceEnergy, ...]


def describe_failure(source, exc: Exception) -> str:
    """One line for a source call that raised: the source's own reason, or what went wrong."""
    if isinstance(exc, SourceUnavailable):
        return str(exc)
    if isinstance(exc, OSError):
        return describe_os_error(exc.filename or source.name, exc)
    return one_line(exc)


class EnergyMeter:
    def __init__(self, sources, sampling_hz=50.0, idle_w=None, clock=time.monotonic, wall_clock=time.time, unopened=()):
        """idle_w: {source name: watts} measured earlier (e.g. by the parent process before the sweep).
        unopened: (name, scope, reason) of sources found but not opened, reported with empty figures."""
        if sampling_hz <= 0:
            raise PowerSetupError(f"the power sampling rate must be positive, got {sampling_hz} Hz")
        self.sources = list(sources)
        self.unopened = list(unopened)
        self.sampling_hz = sampling_hz
        self._clock, self._wall_clock = clock, wall_clock
        self._counters = [s for s in self.sources if s.kind == "counter"]
        self._polled = [s for s in self.sources if s.kind == "polled"]
        self._streamed = [s for s in self.sources if s.kind == "streamed"]
        self._sampler = PowerSampler(self._polled, sampling_hz, clock=clock)
        self._idle_w = dict(idle_w or {})
        self.last_window = None

    # -- sessions ---------------------------------------------------------------------------------------

    def _begin(self) -> dict:
        """Start sampling; returns {source name: reason} for sources that could not start."""
        failed = {}
        self._sampler.start()
        for source in self._streamed:
            try:
                source.start()
            except Exception as exc:
                failed[source.name] = describe_failure(source, exc)
        # wait for a first sample of each sampled source so the window start lies between samples
        deadline = self._clock() + 2.0
        waiting = list(self._polled)
        while waiting and self._clock() < deadline:
            waiting = [
                s for s in waiting if self._sampler.latest_time(s.name) is None and not self._sampler.error(s.name)
            ]
            time.sleep(0.002)
        return failed

    def _end(self) -> None:
        self._sampler.stop()
        for source in self._streamed:
            source.stop()

    def _read_counters(self) -> dict:
        readings = {}
        for source in self._counters:
            try:
                readings[source.name] = (source.read_energy_j(), None)
            except Exception as exc:
                readings[source.name] = (None, describe_failure(source, exc))
        return readings

    def _open_window(self):
        counters = self._read_counters()
        return counters, self._clock(), self._wall_clock()

    def _close_window(self, start_mono, start_unix):
        end_mono = self._clock()
        # the unix end is the start plus the monotonic length, so a clock step inside the window cannot skew it
        window = Window(start_mono, end_mono, start_unix, start_unix + (end_mono - start_mono))
        counters = self._read_counters()
        self._wait_for_samples_past(window)
        self.last_window = window
        return window, counters

    def _wait_for_samples_past(self, window) -> None:
        """Let each sampled source deliver one sample after the window end, so the end edge is bracketed."""
        deadline = self._clock() + max(3.0 / self.sampling_hz, 0.1)
        while self._clock() < deadline:
            if all(
                self._sampler.error(s.name) or (self._sampler.latest_time(s.name) or 0) >= window.end_mono
                for s in self._polled
            ):
                break
            time.sleep(0.002)
        for source in self._streamed:
            deadline = self._clock() + _STREAM_GRACE_S
            while self._clock() < deadline:
                try:
                    after = [t for t, _ in source.samples(window, _STREAM_GRACE_S) if t >= window.end_mono]
                except Exception:
                    break  # the same failure is met, and reported, with the figures
                if after:
                    break
                time.sleep(0.05)

    # -- figures ----------------------------------------------------------------------------------------

    def _sample_margin(self, source) -> float:
        if source.kind == "polled":
            rate = self._sampler.rate_hz(source.name)
        else:
            try:
                rate = source.sampling_hz or 1.0
            except Exception:
                rate = 1.0  # the rate only widens the margin; a broken source fails at samples() with its reason
        return max(2.0 / rate, 0.1)

    def _sampled_energy(self, source, window, start_failures):
        """The reading of a polled or streamed source."""
        if source.name in start_failures:
            return _Reading(None, reason=start_failures[source.name])
        margin = self._sample_margin(source)
        if source.kind == "polled":
            if self._sampler.error(source.name):
                return _Reading(None, reason=self._sampler.error(source.name))
            samples = self._sampler.samples(source.name, window.start_mono - margin, window.end_mono + margin)
        else:
            try:
                samples = source.samples(window, margin)
            except Exception as exc:
                return _Reading(None, reason=describe_failure(source, exc))
        inside = samples_inside(samples, window.start_mono, window.end_mono)
        if inside == 0:
            return _Reading(None, reason=f"no power samples inside the {window.seconds:.2f} s window")
        energy = integrate_window(samples, window.start_mono, window.end_mono)
        return _Reading(energy, inside, inside / window.seconds)

    def _window_figures(self, window, counters_before, counters_after, start_failures) -> dict:
        figures = {}
        for source in self.sources:
            if source.kind == "counter":
                before, reason_before = counters_before[source.name]
                after, reason_after = counters_after[source.name]
                reason = reason_before or reason_after
                energy = None if reason else after - before
                if energy is not None and energy < 0:
                    energy, reason = None, "the energy counter went backwards (reset during the window)"
                figures[source.name] = _Reading(energy, reason=reason)
            else:
                figures[source.name] = self._sampled_energy(source, window, start_failures)
        return figures

    # -- public -----------------------------------------------------------------------------------------

    def measure_idle(self, seconds=3.0) -> dict:
        """Average power of each source while this process sleeps; kept for the net figures of measure()."""
        if seconds <= 0:
            raise PowerSetupError(f"the idle measurement needs a positive duration, got {seconds} s")
        failures = self._begin()
        try:
            counters_before, start_mono, start_unix = self._open_window()
            time.sleep(seconds)
            window, counters_after = self._close_window(start_mono, start_unix)
        finally:
            self._end()
        figures = self._window_figures(window, counters_before, counters_after, failures)
        self._idle_w = {
            name: (reading.energy_j / window.seconds if reading.energy_j is not None else None)
            for name, reading in figures.items()
        }
        return dict(self._idle_w)

    def _enough_samples(self, start_mono, min_samples, stream_counts) -> bool:
        for source in self._polled:
            if (
                not self._sampler.error(source.name)
                and self._sampler.count_since(source.name, start_mono) < min_samples
            ):
                return False
        return all(count >= min_samples for count in stream_counts.values())

    def _count_streamed(self, start_mono, start_unix, failures) -> dict:
        now = self._clock()
        window = Window(start_mono, now, start_unix, start_unix + (now - start_mono))
        counts = {}
        for source in self._streamed:
            if source.name in failures:
                continue
            try:
                counts[source.name] = samples_inside(source.samples(window, 0.0), start_mono, now)
            except Exception:
                continue  # reported with the figures
        return counts

    def measure(self, run_once, min_window_s=1.0, min_samples=10, max_window_s=30.0) -> EnergyWindow:
        if not 0 < min_window_s <= max_window_s:
            raise PowerSetupError(
                f"energy window bounds must satisfy 0 < min ({min_window_s} s) <= max ({max_window_s} s)"
            )
        if min_samples < 1:
            raise PowerSetupError(f"the minimum number of power samples must be at least 1, got {min_samples}")
        failures = self._begin()
        try:
            counters_before, start_mono, start_unix = self._open_window()
            inferences, stream_counts, next_stream_check = 0, {}, start_mono
            while True:
                run_once()
                inferences += 1
                elapsed = self._clock() - start_mono
                if elapsed >= max_window_s:
                    break
                if elapsed < min_window_s:
                    continue
                if self._streamed and self._clock() >= next_stream_check:
                    stream_counts = self._count_streamed(start_mono, start_unix, failures)
                    next_stream_check = self._clock() + _STREAM_CHECK_S
                if self._enough_samples(start_mono, min_samples, stream_counts):
                    break
            window, counters_after = self._close_window(start_mono, start_unix)
        finally:
            self._end()
        figures = self._window_figures(window, counters_before, counters_after, failures)
        results = [
            self._source_result(source, figures[source.name], window, inferences, min_samples)
            for source in self.sources
        ]
        results += [SourceEnergy(name, scope, reason=reason) for name, scope, reason in self.unopened]
        return EnergyWindow(inferences, window.seconds, window.start_unix, window.end_unix, tuple(results))

    def measure_call(self, call) -> EnergyWindow:
        """One call (a whole LoadGen test) as the window, counted as one inference: the energy over its duration,
        which the caller divides by the samples the call ran."""
        return self.measure(call, _ONE_CALL_S, 1, _ONE_CALL_S)

    def _source_result(self, source, reading: _Reading, window, inferences, min_samples) -> SourceEnergy:
        energy, samples, achieved_hz, reason = reading.energy_j, reading.samples, reading.sampling_hz, reading.reason
        idle_w = self._idle_w.get(source.name)
        if energy is not None and source.kind != "counter" and samples < min_samples:
            reason = (
                f"only {samples} power samples in the window (fewer than {min_samples}): "
                "the window hit its maximum length"
            )
        per_inference = energy / inferences if energy is not None else None
        net = (energy - idle_w * window.seconds) / inferences if energy is not None and idle_w is not None else None
        return SourceEnergy(
            source.name,
            source.scope,
            avg_power_w=energy / window.seconds if energy is not None else None,
            energy_j=energy,
            energy_per_inference_j=per_inference,
            idle_power_w=idle_w,
            energy_net_per_inference_j=net,
            power_samples=samples,
            sampling_hz=achieved_hz,
            reason=reason,
        )

    def close(self) -> None:
        self._end()
        for source in self.sources:
            source.close()
