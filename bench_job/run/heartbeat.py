"""A log line at least every interval_s when no progress bar shows (stderr piped to tee, CI, nohup: tqdm
hides itself), so that a model that takes minutes to measure is not silence:

    measuring bert-base-uncased [fp32] (7 of 25 configurations, ETA 3 min 10 s)

A daemon thread calls tick() every second; tick() decides by the clock it was given, so a test drives it
with a fake clock and no waiting."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from bench_job.units import format_duration

log = logging.getLogger("bench_job")


class Heartbeat:
    def __init__(
        self,
        total: int,
        already: int = 0,
        interval_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        emit: Callable[[str], None] = log.info,
    ):
        self.total, self.done, self.interval_s = total, already, interval_s
        self.clock, self.emit = clock, emit
        self.started = self.last = clock()
        self.measured = 0  # configurations recorded by this run (the ETA's rate)
        self.what = None
        self._stop = threading.Event()
        self._thread = None

    def measuring(self, what: str) -> None:
        self.what = what

    def recorded(self) -> None:
        self.done += 1
        self.measured += 1

    def line(self, now: float) -> str:
        left = self.total - self.done
        if self.measured:
            eta = format_duration((now - self.started) / self.measured * left)
        else:
            eta = "unknown until the first configuration is recorded"
        return f"measuring {self.what} ({min(self.done + 1, self.total)} of {self.total} configurations, ETA {eta})"

    def tick(self) -> None:
        now = self.clock()
        if self.what is not None and now - self.last >= self.interval_s:
            self.last = now
            self.emit(self.line(now))

    def start(self) -> Heartbeat:
        def beat():
            while not self._stop.wait(1.0):
                self.tick()

        self._thread = threading.Thread(target=beat, name="bench-job-heartbeat", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
