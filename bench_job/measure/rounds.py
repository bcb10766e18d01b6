"""Timing the configurations of one model variant in interleaved rounds.

Each round times every configuration still short of its target for a short slice (round_time_s, one run
at least): b1, b2, b4, ... and then back (b4, b2, b1, ...), so that a slow drift of the machine (heat,
another program starting) lands on every configuration alike instead of showing up as a trend along the
sweep. Back-to-back blocks cannot separate a 10% bias from this kind of drift (benchmarks/ found that).
A configuration's statistics pool its kept rounds.

A round during which other processes used more of the machine than the measure section allows is set aside
(kept in the raw record with its share) and redone after waiting for the machine to quieten; the
waiting and the redone rounds draw on the model variant's Patience.

Within a round, a single run during which the kernel kept our threads waiting for a CPU for more than
measure.max_run_delay of its time (another program took a core mid-pass: a program starting, a hog's
on-phase beginning inside the round) is set aside too: the tick-sampled share of a whole round cannot
see one such run, and one run several times slower widens every interval. Those runs are counted
(runs_set_aside) and kept in the raw record, never silently dropped. A round whose every run was
delayed keeps nothing and is redone.

Once the patience is spent, the machine is busy for good and rounds can no longer wait: a round that a
rule would have set aside (disturbed) is measured as it comes, and for each such round the configuration
keeps one more disturbed round: the least disturbed one seen so far, set aside earlier or not (the
disturbance of a round is the larger of its share and its run delay, each over the measure section's
limit for it: measure/quiet.disturbance). So a configuration whose clean rounds came first keeps those,
never simply the last, busiest ones; the kept disturbed rounds are counted (rounds_disturbed) and validity
marks the row.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Callable

from bench_job.measure.contention import ContentionProbe, own_run_delay_s
from bench_job.measure.quiet import disturbance
from bench_job.measure.stats import median_ci_rel

if TYPE_CHECKING:
    from bench_job.config.sections import MeasureSection


# Another program taking a core holds it for a scheduler time slice (milliseconds); the runner's memory
# poll and kernel housekeeping delay a thread by tens of microseconds. Below this, a delay is not a
# disturbance worth setting a run aside for, however short the run. The fraction of a run beyond which
# it is set aside is measure.max_run_delay (profiles/defaults.yaml says how it was calibrated).
MIN_RUN_DELAY_S = 0.0005


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
    reason: str | None = None  # why it was set aside (or, kept though disturbed, what disturbed it)
    runs_set_aside: list = field(default_factory=list)  # timings of runs another program delayed
    run_delay: float | None = None  # per thread, its runs' scheduler run delay over their time (None: unknown)
    disturbed: bool = False  # a contention rule fired: the share over its limit, or its runs delayed
    disturbance: float = 0.0  # quiet.disturbance: share and run delay over their limits, the larger
    unquiet: bool = False  # measured once the patience was spent (nothing could be redone)

    @property
    def pooled_s(self) -> list:
        """The timings its configuration pools when it is kept: a disturbed round kept once patience ran
        out is judged as a whole (by its disturbance), so all of its runs."""
        return self.timings_s + self.runs_set_aside if self.disturbed else self.timings_s

    def as_record(self) -> dict:
        out = asdict(self)
        out["runs"] = len(out.pop("timings_s"))
        out["runs_set_aside_s"] = out.pop("runs_set_aside")
        return out


def redone_by_rule(
    cpu_shares: list,
    delay_shares: list,
    max_share: float | None,
    max_delay: float | None,
    cpu: int | None = None,
    delay: int | None = None,
) -> str:
    """'N round(s) redone: ...' naming the rule that set each round aside: the CPU-share rule (other
    processes' share over max_share) or the scheduler run-delay rule (our threads kept waiting for a CPU
    over max_delay of the runs' time), with the shares other processes used during them. cpu and delay:
    the rounds' counts where some shares are unknown (default: the shares' counts). A threshold of None
    (an old bundle's config that does not record it) is said to be unrecorded, never assumed."""
    cpu = len(cpu_shares) if cpu is None else cpu
    delay = len(delay_shares) if delay is None else delay
    parts = []
    if cpu:
        spread = _spread(cpu_shares) if cpu_shares else "?"
        limit = f", > {max_share:.0%}" if max_share is not None else ""
        parts.append(f"{cpu} by the CPU-share rule (other processes used {spread} of the CPU during them{limit})")
    if delay:
        during = f"; other processes used only {_spread(delay_shares)} of the CPU during them" if delay_shares else ""
        limit = (
            f"for over {max_delay:.0%} of every run in them"
            if max_delay is not None
            else "beyond the run-delay limit (this bundle's config.yaml does not record measure.max_run_delay)"
        )
        parts.append(
            f"{delay} by the run-delay rule (the scheduler kept our threads waiting for a CPU {limit}{during})"
        )
    return f"{cpu + delay} round(s) redone: " + ", ".join(parts)


def _spread(shares: list) -> str:
    low, high = f"{min(shares):.0%}", f"{max(shares):.0%}"
    return low if low == high else f"{low}-{high}"


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
        return [t for r in self.kept for t in r.pooled_s]

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
        return sum(len(r.runs_set_aside) for r in self.kept if not r.disturbed)

    @property
    def rounds_disturbed(self) -> int:
        """Kept rounds that a contention rule would have set aside: kept because the patience ran out."""
        return sum(1 for r in self.kept if r.disturbed)

    def keep_least_disturbed(self) -> None:
        """Once patience is spent: each disturbed round measured since then is one place among the kept
        rounds, filled by the least disturbed round with runs seen so far (earlier first on a tie), whether
        it was set aside before or is the one just measured; clean rounds stay kept."""
        places = sum(1 for r in self.rounds if r.disturbed and r.unquiet)
        candidates = sorted(
            (r for r in self.rounds if r.disturbed and (r.timings_s or r.runs_set_aside)),
            key=lambda r: (r.disturbance, r.index),
        )
        for rank, r in enumerate(candidates):
            r.kept = rank < places

    @property
    def waited_s(self) -> float:
        return sum(r.waited_s for r in self.rounds)

    def redo_summary(self, max_share: float, max_delay: float | None = None) -> str | None:
        """Why rounds were redone, in one line naming the rule for each (redone_by_rule); None when none
        was. Where only the CPU-share rule fired, the line reads as records always have."""
        redone = self.set_aside
        if not redone:
            return None
        delayed = [r for r in redone if "delayed" in (r.reason or "")]
        by_share = [r for r in redone if "delayed" not in (r.reason or "")]
        cpu_shares = [r.other_cpu_share for r in by_share if r.other_cpu_share is not None]
        delay_shares = [r.other_cpu_share for r in delayed if r.other_cpu_share is not None]
        if not delayed and len(cpu_shares) == len(by_share):
            return (
                f"{len(redone)} round(s) redone: other processes used {_spread(cpu_shares)} of the CPU during "
                f"them (> {max_share:.0%})"
            )
        return redone_by_rule(cpu_shares, delay_shares, max_share, max_delay, len(by_share), len(delayed))

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
    config: ConfigTiming,
    timer,
    settings: RoundSettings,
    clock=time.monotonic,
    run_delay=None,
    judge: bool = True,
    stop=None,
    threads: int = 1,
) -> tuple[list, list, float, float | None]:
    """One slice of config: runs until the slice length has passed (one at least) or max_runs is reached.
    Returns (timings, timings of runs set aside, seconds, run delay over the runs' time). run_delay() ->
    our threads' run delay in seconds (None: unknown), read outside the timed call, and counted per thread
    of the pass (threads: the intra-op threads it runs on); with judge, a run delayed beyond
    measure.max_run_delay of its time is set aside. stop() -> True ends the slice after
    the run in progress (the run is being stopped)."""
    timings, set_aside = [], []
    delayed_s = timed_s = 0.0
    done = len(config.timings_s)
    started = clock()
    while True:
        before = run_delay() if run_delay else None
        elapsed = timer.time(config.run_once)
        after = run_delay() if before is not None else None
        delay = None if after is None else (after - before) / max(1, threads)
        if delay is not None:
            delayed_s, timed_s = delayed_s + delay, timed_s + elapsed
        if judge and delay is not None and delay > max(settings.measure.max_run_delay * elapsed, MIN_RUN_DELAY_S):
            set_aside.append(elapsed)
        else:
            timings.append(elapsed)
        if (
            clock() - started >= settings.slice_s
            or done + len(timings) >= settings.measure.max_runs
            or (stop is not None and stop())
        ):
            share = delayed_s / timed_s if timed_s > 0 else None
            return timings, set_aside, clock() - started, share


def time_interleaved(
    configs: list,
    timer,
    settings: RoundSettings,
    patience,
    probe_factory=ContentionProbe,
    clock=time.monotonic,
    on_round=None,
    run_delay=own_run_delay_s,
    stop=None,
    threads: int = 1,
) -> None:
    """Time configs (ConfigTiming, smallest first) in interleaved rounds until each has a stop reason.

    patience: a quiet.Patience shared by the model variant. on_round(key, index) is called before each
    round (the worker tells the runner what it is doing). run_delay: our threads' scheduler run delay
    (seconds, summed over its threads), for judging single runs; None where the kernel keeps none;
    threads: the pass's intra-op threads, over which the delay is counted per thread. stop() -> True: the run is being
    stopped; the round in progress ends after its current run, and no other round starts (configurations
    keep the stop reason they have: None where they needed more)."""
    if run_delay is not None and run_delay() is None:
        run_delay = None
    measure = settings.measure
    previous_disturbed = False
    index = 0
    while True:
        active = [c for c in configs if c.stop_reason is None]
        if not active or (stop is not None and stop()):
            return
        for config in active if index % 2 == 0 else active[::-1]:
            if stop is not None and stop():
                return
            waited = patience.wait() if previous_disturbed else 0.0
            if stop is not None and stop():
                return
            if on_round:
                on_round(config.key, index)
            patient = patience.available
            probe = probe_factory()
            probe.start()
            # Once the machine is busy for good, runs are measured as they come, like rounds.
            timings, set_aside, seconds, delay = time_round(
                config, timer, settings, clock, run_delay, judge=patient, stop=stop, threads=threads
            )
            share = probe.other_share()
            # the next round waits for quiet after a disturbed round, or one whose runs were mostly delayed
            busy = patience.disturbed(share)
            previous_disturbed = busy or len(set_aside) > len(timings)
            # unjudged runs: the round's delay over its runs' time, above the per-run floor
            runs = len(timings) + len(set_aside)
            delayed = (
                not timings
                if patient
                else delay is not None
                and seconds > 0
                and delay > max(measure.max_run_delay, MIN_RUN_DELAY_S * runs / seconds)
            )
            disturbed = busy or delayed
            redo = disturbed and patient
            if redo:
                patience.spend(seconds)
            reason = None
            if disturbed:
                reason = (
                    f"other processes used {share:.0%} of the CPU"
                    if busy
                    else "every run was delayed by other processes"
                    if patient
                    else f"its runs were delayed by other processes ({delay:.0%} of their time)"
                )
            config.rounds.append(
                Round(
                    index,
                    timings,
                    seconds,
                    share,
                    waited,
                    kept=not disturbed,
                    reason=reason,
                    runs_set_aside=set_aside,
                    run_delay=delay,
                    disturbed=disturbed,
                    disturbance=disturbance(measure, share, delay),
                    unquiet=not patient,
                )
            )
            if disturbed and not patient:
                config.keep_least_disturbed()
            config.update_stop_reason(settings)
        index += 1
