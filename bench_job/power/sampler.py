"""A background thread that polls power-only sources and keeps their timestamped samples.

The thread sleeps between reads (time.sleep releases the GIL), so the inference thread runs untouched
except for the reads themselves; benchmarks/sampler_overhead.py measures what that costs. Each sample
is stamped with the monotonic midpoint of its read. A source whose read fails, in any way, is dropped
from polling for the rest of the session and its reason kept; the others go on.
"""

from __future__ import annotations

import bisect
import collections
import threading
import time

from bench_job.errors import one_line
from bench_job.power.base import PowerSample, SourceUnavailable
from bench_job.power.sysfs import describe_os_error

# samples kept per source: ten minutes at the default rate, more than any window plus idle needs
_KEEP_SECONDS = 600


class PowerSampler:
    def __init__(self, sources, sampling_hz=50.0, clock=time.monotonic):
        if sampling_hz <= 0:
            raise ValueError(f"sampling rate must be positive, got {sampling_hz}")
        self._sources = list(sources)
        self._clock = clock
        self._rates = {s.name: min(sampling_hz, s.max_hz or sampling_hz) for s in self._sources}
        self._samples = {
            s.name: collections.deque(maxlen=int(self._rates[s.name] * _KEEP_SECONDS) + 1) for s in self._sources
        }
        self._errors = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def rate_hz(self, name) -> float:
        return self._rates[name]

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        with self._lock:
            self._errors.clear()
            for samples in self._samples.values():
                samples.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="power-sampler")
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        due = {s.name: self._clock() for s in self._sources}
        while not self._stop.is_set():
            live = [s for s in self._sources if s.name not in self._errors]
            if not live:
                return
            for source in live:
                if self._clock() >= due[source.name]:
                    self._poll(source)
                    due[source.name] += 1.0 / self._rates[source.name]
                    # after a stall (a slow read), skip the missed slots rather than burst to catch up
                    due[source.name] = max(due[source.name], self._clock())
            wait = min(due[s.name] for s in live) - self._clock()
            if wait > 0:
                self._stop.wait(wait)

    def _poll(self, source) -> None:
        before = self._clock()
        try:
            watts = source.read_power_w()
        except SourceUnavailable as exc:
            self._fail(source.name, str(exc))
            return
        except OSError as exc:
            self._fail(source.name, describe_os_error(exc.filename or source.name, exc))
            return
        except (ValueError, ArithmeticError) as exc:
            self._fail(source.name, f"unreadable value: {exc}")
            return
        except Exception as exc:  # an unforeseen failure must cost this source, not end the thread silently
            self._fail(source.name, f"read failed: {one_line(exc)}")
            return
        stamp = (before + self._clock()) / 2.0
        with self._lock:
            self._samples[source.name].append(PowerSample(stamp, watts))

    def _fail(self, name, reason) -> None:
        with self._lock:
            self._errors[name] = reason

    def error(self, name) -> str | None:
        with self._lock:
            return self._errors.get(name)

    def samples(self, name, start, end) -> list[PowerSample]:
        """Samples with start <= time <= end (sorted)."""
        with self._lock:
            copied = list(self._samples[name])
        times = [t for t, _ in copied]
        return copied[bisect.bisect_left(times, start) : bisect.bisect_right(times, end)]

    def count_since(self, name, start) -> int:
        with self._lock:
            samples = self._samples[name]
            count = 0
            for stamp, _ in reversed(samples):
                if stamp < start:
                    break
                count += 1
            return count

    def latest_time(self, name) -> float | None:
        with self._lock:
            samples = self._samples[name]
            return samples[-1][0] if samples else None
