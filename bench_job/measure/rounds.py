"""Timing the configurations of one model variant in interleaved rounds.

Each round times every configuration still short of its target for a short slice (round_time_s, one run
at least): b1, b2, b4, ... and then back (b4, b2, b1, ...), so that a slow drift of the machine (heat,
another program starting) lands on every configuration alike instead of showing up as a trend along the
sweep. Back-to-back blocks cannot separate a 10% bias from this kind of drift (benchmarks/ found that).
A configuration's statistics pool its kept rounds.

A round during which other processes used more of the machine than the measure section allows is set aside
(kept in the raw record with its share) and redone after waiting for the machine to quieten; the
waiting and the redone rounds draw on the model variant's Patience. Once that is spent, rounds are kept
as measured and validity judges the share they saw.

Within a kept round, a single run during which the kernel kept our threads waiting for a CPU for more
than max_run_delay of its time (another program took a core mid-pass: a program starting, a hog's
on-phase beginning inside the round) is set aside too: the tick-sampled share of a whole round cannot
see one such run, and one run several times slower widens every interval. Those runs are counted
(runs_set_aside) and kept in the raw record, never silently dropped.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Callable

from bench_job.measure.contention import ContentionProbe, own_run_delay_s
from bench_job.measure.stats import median_ci_rel

if TYPE_CHECKING:
    from bench_job.config.sections import MeasureSection


# Another program taking a core holds it for a scheduler time slice (milliseconds); the runner's memory
# poll and kernel housekeeping delay a thread by tens of microseconds. Below this, a delay is not a
# disturbance worth setting a run aside for, however short the run.
MIN_RUN_DELAY_S = 0.0005
# A run whose threads waited for a CPU this fraction of its time is set aside (not a config key).
MAX_RUN_DELAY = 0.02


@dataclass(frozen=True)
class RoundSettings:
    """How one model variant is timed: the config's measure section, with the timing per configuration
    the runner grants it (measure.max_time_per_config_s, less under --budget) and the run's deadline."""

    measure: MeasureSection
    max_time_s: float  # timing per configuration, over its kept rounds
    deadline: float | None  # time.monotonic() past which nothing is waited for or redone (--budget)

    @property
    def slice_s(self) -> float:
        """A round's length: short enough that min_rounds rounds fit the configuration's time."""
        return min(self.measure.round_time_s, self.max_time_s / self.measure.min_rounds)


@dataclass
class Round:
    index: int  # position in the schedule (0, 1, 2, ...)
    timings_s: list
    seconds: float  # wall time of the round
    other_cpu_share: float | None  # of the whole machine, by other processes, during the round
    waited_s: float  # waiting for quiet just before it
    kept: bool
    reason: str | None = None  # why it was set aside
    runs_set_aside: list = field(default_factory=list)  # timings of runs another program delayed

    def as_record(self) -> dict:
        out = asdict(self)
        out["runs"] = len(out.pop("timings_s"))
        out["runs_set_aside_s"] = out.pop("runs_set_aside")
        return out


@dataclass
class ConfigTiming:
    """One configuration's rounds. run_once is one complete (synchronised) inference."""

    key: str
    run_once: Callable
    rounds: list = field(default_factory=list)
    stop_reason: str | None = None  # "ci_target", "time_budget", "max_runs" once it needs no more

    @property
    def kept(self) -> list:
        return [r for r in self.rounds if r.kept]

    @property
    def timings_s(self) -> list:
        return [t for r in self.kept for t in r.timings_s]

    @property
    def set_aside(self) -> list:
        return [r for r in self.rounds if not r.kept]

    @property
    def other_cpu_share(self) -> float | None:
        """Other processes' share of the machine over the kept rounds, weighted by their length."""
        seen = [r for r in self.kept if r.other_cpu_share is not None]
        total = sum(r.seconds for r in seen)
        if not seen or total <= 0:
            return None
        return sum(r.other_cpu_share * r.seconds for r in seen) / total

    @property
    def runs_set_aside(self) -> int:
        """Runs of kept rounds set aside because the scheduler delayed them."""
        return sum(len(r.runs_set_aside) for r in self.kept)

    @property
    def waited_s(self) -> float:
        return sum(r.waited_s for r in self.rounds)

    def redo_summary(self, max_share: float) -> str | None:
        """Why rounds were redone, in one line; None when none was."""
        shares = [r.other_cpu_share for r in self.set_aside if r.other_cpu_share is not None]
        if not shares:
            return None
        spread = f"{min(shares):.0%}" if min(shares) == max(shares) else f"{min(shares):.0%}-{max(shares):.0%}"
        return (
            f"{len(shares)} round(s) redone: other processes used {spread} of the CPU during them (> {max_share:.0%})"
        )

    def update_stop_reason(self, settings: RoundSettings) -> None:
        timings, measure = self.timings_s, settings.measure
        if len(timings) >= measure.max_runs:
            self.stop_reason = "max_runs"
        elif len(timings) < measure.min_runs or len(self.kept) < measure.min_rounds:
            self.stop_reason = None
        elif median_ci_rel(timings, measure.confidence) <= measure.target_ci_rel:
            self.stop_reason = "ci_target"
        elif sum(r.seconds for r in self.kept) >= settings.max_time_s:
            self.stop_reason = "time_budget"


def time_round(
    config: ConfigTiming, timer, settings: RoundSettings, clock=time.monotonic, run_delay=None
) -> tuple[list, list, float]:
    """One slice of config: runs until the slice length has passed (one at least) or max_runs is reached.
    Returns (timings, timings of runs set aside, seconds). run_delay() -> our threads' run delay in
    seconds (None: runs are not judged one by one); read outside the timed call."""
    timings, set_aside = [], []
    done = len(config.timings_s)
    started = clock()
    while True:
        before = run_delay() if run_delay else None
        elapsed = timer.time(config.run_once)
        after = run_delay() if before is not None else None
        if after is not None and after - before > max(MAX_RUN_DELAY * elapsed, MIN_RUN_DELAY_S):
            set_aside.append(elapsed)
        else:
            timings.append(elapsed)
        if clock() - started >= settings.slice_s or done + len(timings) >= settings.measure.max_runs:
            return timings, set_aside, clock() - started


def time_interleaved(
    configs: list,
    timer,
    settings: RoundSettings,
    patience,
    probe_factory=ContentionProbe,
    clock=time.monotonic,
    on_round=None,
    run_delay=own_run_delay_s,
) -> None:
    """Time configs (ConfigTiming, smallest first) in interleaved rounds until each has a stop reason.

    patience: a quiet.Patience shared by the model variant. on_round(key, index) is called before each
    round (the worker tells the runner what it is doing). run_delay: our threads' scheduler run delay
    (seconds), for judging single runs; None where the kernel keeps none."""
    if run_delay is not None and run_delay() is None:
        run_delay = None
    previous_disturbed = False
    index = 0
    while True:
        active = [c for c in configs if c.stop_reason is None]
        if not active:
            return
        for config in active if index % 2 == 0 else active[::-1]:
            waited = patience.wait() if previous_disturbed else 0.0
            if on_round:
                on_round(config.key, index)
            probe = probe_factory()
            probe.start()
            # Once the machine is busy for good, runs are measured as they come, like rounds.
            timings, set_aside, seconds = time_round(
                config, timer, settings, clock, run_delay if patience.available else None
            )
            share = probe.other_share()
            # the next round waits for quiet after a disturbed round, or one whose runs were mostly delayed
            disturbed = patience.disturbed(share)
            previous_disturbed = disturbed or len(set_aside) > len(timings)
            # a round with every run delayed keeps nothing, whatever the patience left
            redo = (disturbed and patience.available) or not timings
            if redo:
                patience.spend(seconds)
            reason = (
                None
                if not redo
                else f"other processes used {share:.0%} of the CPU"
                if disturbed
                else "every run was delayed by other processes"
            )
            config.rounds.append(
                Round(index, timings, seconds, share, waited, kept=not redo, reason=reason, runs_set_aside=set_aside)
            )
            config.update_stop_reason(settings)
        index += 1
