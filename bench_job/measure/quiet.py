"""Waiting, bounded, for the machine to quieten before measuring again.

On a laptop with a desktop, a Pi with a browser or a Jetson with jtop open, other programs come and go:
a measurement they disturbed is worth redoing once they have gone, but not worth waiting for forever.
One Patience allowance per model variant bounds the waiting and the redone measurements together; the
run's --budget deadline bounds it too. A wait that sees the machine stay busy to its end spends the
allowance: the machine is busy for good, and what follows is measured as it is (validity says so).

The config's measure section sets the bounds (quiet_wait_s, patience_s) and the share of the CPU other
processes may take (max_other_cpu_share); the functions taking a `measure` section read them here.
"""

from __future__ import annotations

import time

from bench_job.measure.contention import ContentionProbe

# A window this long spans about 25 scheduler ticks per core at the usual 100-250 Hz: enough for the
# tick-sampled /proc/stat shares to resolve a tenth of the machine.
QUIET_WINDOW_S = 0.25


def wait_for_quiet(
    max_wait_s: float,
    max_other_share: float,
    window_s: float = QUIET_WINDOW_S,
    probe_factory=ContentionProbe,
    sleep=time.sleep,
    clock=time.monotonic,
) -> tuple[float, bool, float | None]:
    """Sleep in windows until one window sees other processes use at most max_other_share of the CPU,
    or max_wait_s has passed. Returns (seconds waited, quiet reached, the last window's share)."""
    started = clock()
    while True:
        probe = probe_factory()
        probe.start()
        sleep(window_s)
        share = probe.other_share()
        waited = clock() - started
        if share is None or share <= max_other_share:
            return waited, True, share
        if waited >= max_wait_s:
            return waited, False, share


def too_busy(measure, share: float | None) -> bool:
    """Whether other processes took more of the CPU (share, None: unknown) than the measure section allows."""
    return share is not None and share > measure.max_other_cpu_share


def contention_limits(measure) -> tuple[float, float]:
    """The measure section's limits on other processes: their share of the CPU during a round, and the
    scheduler run delay of a run (per thread, as a fraction of the run)."""
    return measure.max_other_cpu_share, measure.max_run_delay


def disturbance(measure, share: float | None, delay: float | None) -> float:
    """How far over its contention limits a round was: the larger of the two ratios (1: at a limit)."""
    max_share, max_delay = contention_limits(measure)
    return max((share or 0.0) / max_share, (delay or 0.0) / max_delay)


def wait_as_configured(measure, **kwargs) -> tuple[float, bool, float | None]:
    """wait_for_quiet within the measure section's bounds (quiet_wait_s, its share of other processes)."""
    return wait_for_quiet(measure.quiet_wait_s, measure.max_other_cpu_share, **kwargs)


class Patience:
    """The time one model variant may spend waiting for quiet and on redone measurements."""

    def __init__(
        self,
        seconds: float,
        max_wait_s: float,
        max_other_share: float,
        deadline: float | None = None,
        waiter=wait_for_quiet,
        clock=time.monotonic,
    ):
        self.left = float(seconds)
        self.max_wait_s = max_wait_s
        self.max_other_share = max_other_share
        self.deadline = deadline
        self.waiter = waiter
        self.clock = clock
        self.busy_for_good = False  # a whole wait saw the machine busy
        self.waited_s = 0.0

    @classmethod
    def from_measure(cls, measure, deadline: float | None = None, **kwargs) -> Patience:
        """A model variant's allowance as the config's measure section sets it."""
        return cls(measure.patience_s, measure.quiet_wait_s, measure.max_other_cpu_share, deadline, **kwargs)

    def disturbed(self, share: float | None) -> bool:
        return share is not None and share > self.max_other_share

    @property
    def available(self) -> bool:
        """Whether a disturbed measurement may still be set aside and redone."""
        if self.busy_for_good or self.left <= 0:
            return False
        return self.deadline is None or self.clock() < self.deadline

    def spend(self, seconds: float) -> None:
        self.left -= seconds

    def wait(self) -> float:
        """Wait for quiet within what is left; returns the seconds waited (0 when nothing is left)."""
        if not self.available:
            return 0.0
        bound = min(self.max_wait_s, self.left)
        if self.deadline is not None:
            bound = min(bound, max(0.0, self.deadline - self.clock()))
        waited, quiet, _share = self.waiter(bound, self.max_other_share)
        self.left -= waited
        self.waited_s += waited
        if not quiet:
            self.busy_for_good = True
        return waited
