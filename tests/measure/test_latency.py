"""The timing loop: interleaved rounds, disturbed rounds set aside and redone, the stop rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench_job.measure.latency import CpuTimer, CudaEventTimer, timer_for
from bench_job.measure.quiet import Patience, wait_for_quiet
from bench_job.measure.rounds import ConfigTiming, time_interleaved
from tests.settings import round_settings


class FakeMachine:
    """A clock that the timed calls advance: each call of a configuration takes cost(key, call number)."""

    name = "fake"

    def __init__(self, cost):
        self.now = 0.0
        self.cost = cost
        self.calls = 0

    def clock(self):
        return self.now

    def time(self, fn):
        key = fn()
        duration = self.cost(key, self.calls)
        self.calls += 1
        self.now += duration
        return duration


class ScriptedProbe:
    """Other processes' share of each round, in turn (0 once the script ends)."""

    def __init__(self, shares):
        self.shares = iter(shares)

    def __call__(self):
        return self

    def start(self):
        pass

    def other_share(self):
        return next(self.shares, 0.0)


def configs(*keys):
    return [ConfigTiming(key, lambda key=key: key) for key in keys]


def patience(machine, seconds=60.0, quiet_after=0.5, quiet=True, deadline=None):
    def waiter(bound, _share):
        waited = min(bound, quiet_after)
        machine.now += waited
        return waited, quiet, 0.0

    return Patience(seconds, 10.0, 0.10, deadline=deadline, waiter=waiter, clock=machine.clock)


def run(machine, items, settings, shares=(), run_delay=None, **patience_args):
    order = []
    time_interleaved(
        items,
        machine,
        settings,
        patience(machine, **patience_args),
        probe_factory=ScriptedProbe(shares),
        clock=machine.clock,
        on_round=lambda key, index: order.append((index, key)),
        run_delay=run_delay,
    )
    return order


def test_rounds_go_up_the_sweep_and_back_until_every_configuration_is_done():
    machine = FakeMachine(lambda key, n: 1 / 64)  # binary fractions: the clock sums exactly
    items = configs("b1", "b2", "b4")
    order = run(machine, items, round_settings(min_runs=10, min_rounds=3, round_time_s=3 / 64))  # 3 runs a round
    assert order == [
        (0, "b1"),
        (0, "b2"),
        (0, "b4"),
        (1, "b4"),
        (1, "b2"),
        (1, "b1"),
        (2, "b1"),
        (2, "b2"),
        (2, "b4"),
        (3, "b4"),
        (3, "b2"),
        (3, "b1"),
    ]
    for item in items:
        # steady timings: done once min_rounds rounds and min_runs runs are in, with a zero-width CI
        assert item.stop_reason == "ci_target" and len(item.kept) == 4 and len(item.timings_s) == 12


def test_a_slow_drift_lands_on_every_configuration_alike():
    # The machine slows by 40% over the run. Timed one after the other, three configurations of equal
    # cost would show a 40% trend along the sweep; interleaved, their medians agree within a few percent.
    def drifting(key, n):
        return 0.010 * (1 + 0.4 * min(n, 600) / 600)

    machine = FakeMachine(drifting)
    items = configs("b1", "b2", "b4")
    run(
        machine,
        items,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.02, target_ci_rel=0.0, max_time_s=2.0, max_runs=1000),
    )
    medians = [np.median(item.timings_s) for item in items]
    assert max(medians) / min(medians) < 1.03
    sequential = [np.median([drifting(None, n) for n in range(start, start + 200)]) for start in (0, 200, 400)]
    assert sequential[-1] / sequential[0] > 1.2


def test_a_disturbed_round_is_set_aside_and_redone_after_waiting():
    machine = FakeMachine(lambda key, n: 0.010)
    items = configs("b1", "b2")
    # round 0 of b2 saw a busy neighbour (55%); everything else is quiet
    run(machine, items, round_settings(min_runs=10, min_rounds=3, round_time_s=0.05), shares=[0.0, 0.55])
    b1, b2 = items
    assert [r.kept for r in b2.rounds][:2] == [False, True]
    assert b2.rounds[0].reason == "other processes used 55% of the CPU"
    assert b2.rounds[1].waited_s == 0.5  # the next round (b2 again, going back) waited for quiet
    assert len(b2.kept) == len(b1.kept) and b2.other_cpu_share == 0.0
    assert b2.redo_summary(0.10) == "1 round(s) redone: other processes used 55% of the CPU during them (> 10%)"
    assert b1.redo_summary(0.10) is None


def test_once_patience_is_spent_disturbed_rounds_are_kept_and_their_share_is_recorded():
    machine = FakeMachine(lambda key, n: 0.010)
    items = configs("b1")
    run(
        machine,
        items,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.05),
        shares=itertools.repeat(0.5),
        seconds=1.0,
    )
    (b1,) = items
    assert any(not r.kept for r in b1.rounds) and len(b1.kept) >= 3
    assert b1.other_cpu_share == pytest.approx(0.5)
    # the allowance bounds the waiting and the redone rounds together
    assert sum(r.waited_s for r in b1.rounds) + sum(r.seconds for r in b1.set_aside) <= 1.0 + 0.5 + 0.06


def test_a_machine_busy_through_a_whole_wait_stops_the_waiting():
    machine = FakeMachine(lambda key, n: 0.010)
    items = configs("b1", "b2")
    run(
        machine,
        items,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.05),
        shares=itertools.repeat(0.5),
        quiet=False,
        quiet_after=10.0,
    )
    waits = [r.waited_s for item in items for r in item.rounds if r.waited_s]
    assert waits == [10.0]  # one wait, then everything is measured as it is


def test_past_the_run_deadline_nothing_is_redone():
    machine = FakeMachine(lambda key, n: 0.010)
    items = configs("b1")
    run(
        machine,
        items,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.05),
        shares=itertools.repeat(0.5),
        deadline=-1.0,
    )
    assert all(r.kept for r in items[0].rounds) and not any(r.waited_s for r in items[0].rounds)


def test_noisy_timings_stop_at_the_time_budget_and_max_runs_caps():
    noisy = FakeMachine(lambda key, n: (0.01, 0.03)[n % 2])
    items = configs("b1")
    run(noisy, items, round_settings(min_runs=10, min_rounds=3, round_time_s=0.1, target_ci_rel=0.001, max_time_s=1.0))
    assert items[0].stop_reason == "time_budget" and sum(r.seconds for r in items[0].kept) >= 1.0
    capped = configs("b1")
    run(
        FakeMachine(lambda key, n: (0.01, 0.03)[n % 2]),
        capped,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.1, max_runs=25, target_ci_rel=1e-6, max_time_s=1e9),
    )
    assert len(capped[0].timings_s) == 25 and capped[0].stop_reason == "max_runs"


def test_a_pass_longer_than_a_round_is_one_run_per_round():
    machine = FakeMachine(lambda key, n: 1.5)
    items = configs("longformer")
    run(machine, items, round_settings(min_runs=10, min_rounds=3, round_time_s=0.25, max_time_s=1.5))
    assert [len(r.timings_s) for r in items[0].rounds] == [1] * 10  # min_runs is a floor, never bent


class DelayedRuns:
    """Our threads' run delay: grows by `delay` seconds during the calls numbered in `delayed`."""

    def __init__(self, machine, delayed, delay=0.005):
        self.machine, self.delayed, self.delay = machine, set(delayed), delay

    def __call__(self):
        # the delay of every run finished so far: read before run n it excludes n, after it includes it
        return self.delay * sum(1 for n in self.delayed if n < self.machine.calls)


def test_a_run_another_program_delayed_is_set_aside_and_counted():
    machine = FakeMachine(lambda key, n: 1 / 64)
    items = configs("b1")
    delays = DelayedRuns(machine, delayed={1, 4})
    run(machine, items, round_settings(min_runs=10, min_rounds=3, round_time_s=3 / 64), run_delay=delays)
    (b1,) = items
    first = b1.rounds[0]
    assert first.kept and len(first.timings_s) == 2 and first.runs_set_aside == [1 / 64]  # the slice is time
    assert b1.runs_set_aside == 2 and len(b1.timings_s) >= 10
    assert b1.rounds[0].as_record()["runs_set_aside_s"] == [1 / 64]


def test_a_round_whose_every_run_was_delayed_is_redone():
    machine = FakeMachine(lambda key, n: 0.5)  # one run a round
    items = configs("b1")
    run(
        machine,
        items,
        round_settings(min_runs=3, min_rounds=3, round_time_s=0.25, max_run_delay=0.02),
        run_delay=DelayedRuns(machine, {0}, delay=0.05),  # 10% of the run: over the 2% asked here
    )
    assert [r.kept for r in items[0].rounds][:2] == [False, True]
    assert items[0].rounds[0].reason == "every run was delayed by other processes"


class BusyAfter:
    """A machine quiet but for a few percent at first, then busy for good: calls before `switch` take
    `clean_s` with `clean_delay` of it spent waiting for a CPU, later ones `busy_s` with `busy_delay`."""

    def __init__(self, switch, clean_s, clean_delay, busy_s, busy_delay):
        self.machine = FakeMachine(lambda key, n: clean_s if n < switch else busy_s)
        self.switch, self.runs = switch, ((clean_s, clean_delay), (busy_s, busy_delay))

    def run_delay(self):
        def delay(n):
            seconds, share = self.runs[n >= self.switch]
            return seconds * share

        return sum(delay(n) for n in range(self.machine.calls))


def test_once_patience_runs_out_the_least_disturbed_rounds_are_kept_not_the_last_ones():
    # The mobilenet_v2: five rounds of 31 ms runs at 3% other CPU, every run delayed 6% (over the
    # 5% asked here), set aside while the patience lasted; then the machine is busy for good (48% other
    # CPU, 125 ms runs delayed 38%; binary fractions, so that the fake clock sums exactly). Each busy round
    # measured once nothing can be redone opens one place among the kept rounds, filled by the least
    # disturbed round seen: the early clean ones.
    fake = BusyAfter(switch=10, clean_s=1 / 32, clean_delay=1 / 16, busy_s=1 / 8, busy_delay=3 / 8)
    items = configs("b1")
    run(
        fake.machine,
        items,
        round_settings(min_runs=6, min_rounds=3, round_time_s=1 / 16, max_run_delay=0.05, max_other_cpu_share=0.10),
        shares=[0.03] * 5 + [0.48] * 20,
        run_delay=fake.run_delay,
        seconds=9 / 16,
        quiet_after=1 / 16,
    )
    (b1,) = items
    assert [r.kept for r in b1.rounds[:5]] == [True, True, True, False, False]
    assert [r.reason for r in b1.rounds[:5]] == ["every run was delayed by other processes"] * 5
    assert [r.index for r in b1.kept] == [0, 1, 2] and all(r.unquiet for r in b1.rounds[5:])
    assert b1.timings_s == [1 / 32] * 6 and np.median(b1.timings_s) == 1 / 32  # not the busy rounds' 125 ms
    assert b1.stop_reason == "ci_target" and b1.rounds_disturbed == 3  # validity marks the row for it
    assert b1.other_cpu_share == pytest.approx(0.03)
    assert b1.rounds[5].run_delay == 3 / 8 and b1.rounds[5].disturbance == pytest.approx(7.5)
    assert b1.redo_summary(0.10, 0.05) == (
        "5 round(s) redone: 3 by the CPU-share rule (other processes used 48% of the CPU during them, > 10%), "
        "2 by the run-delay rule (the scheduler kept our threads waiting for a CPU for over 5% of every run in "
        "them; other processes used only 3% of the CPU during them)"
    )


def test_rounds_redone_by_the_run_delay_rule_say_so_at_the_source():
    machine = FakeMachine(lambda key, n: 0.5)  # one run a round
    items = configs("b1")
    run(
        machine,
        items,
        round_settings(min_runs=3, min_rounds=3, round_time_s=0.25, max_run_delay=0.02),
        shares=[0.04, 0.0, 0.0, 0.0],
        run_delay=DelayedRuns(machine, {0}, delay=0.05),
    )
    assert items[0].redo_summary(0.10, 0.02) == (
        "1 round(s) redone: 1 by the run-delay rule (the scheduler kept our threads waiting for a CPU for over 2% "
        "of every run in them; other processes used only 4% of the CPU during them)"
    )


def test_a_stop_ends_the_round_after_the_run_in_progress_and_starts_no_other():
    machine = FakeMachine(lambda key, n: 0.01)
    items = configs("b1", "b2")
    stop_after = 7  # runs

    time_interleaved(
        items,
        machine,
        round_settings(min_runs=6, min_rounds=3, round_time_s=0.05),
        patience(machine),
        probe_factory=ScriptedProbe(()),
        clock=machine.clock,
        run_delay=None,
        stop=lambda: machine.calls >= stop_after,
    )
    b1, b2 = items
    assert machine.calls == stop_after
    assert [len(r.timings_s) for r in b1.rounds] == [5] and [len(r.timings_s) for r in b2.rounds] == [2]
    assert b1.stop_reason is None and b2.stop_reason is None  # the worker records those with their minimum


@pytest.mark.parametrize("threads, set_aside", [(1, True), (2, False)])
def test_run_delay_is_judged_per_thread_of_the_pass(threads, set_aside):
    # 15 ms of delay summed over the threads of a 100 ms run: 15% of one thread's time, 7.5% of each of two
    machine = FakeMachine(lambda key, n: 1 / 8)
    items = configs("b1")
    time_interleaved(
        items,
        machine,
        round_settings(min_runs=3, min_rounds=3, round_time_s=0.1, max_run_delay=0.10),
        patience(machine),
        probe_factory=ScriptedProbe(()),
        clock=machine.clock,
        run_delay=DelayedRuns(machine, {0}, delay=0.015 * 1.25),
        threads=threads,
    )
    assert (not items[0].rounds[0].kept) is set_aside


def test_short_scheduler_blips_are_not_a_disturbance():
    machine = FakeMachine(lambda key, n: 0.001)
    items = configs("b1")
    run(
        machine,
        items,
        round_settings(min_runs=10, min_rounds=3, round_time_s=0.01),
        run_delay=DelayedRuns(machine, range(1000), delay=0.0001),
    )  # 10% of a 1 ms run, but 0.1 ms
    assert items[0].runs_set_aside == 0


def test_round_length_shrinks_so_that_min_rounds_fit_the_configuration_time():
    assert round_settings(round_time_s=0.25, max_time_s=0.3, min_rounds=3).slice_s == pytest.approx(0.1)
    assert round_settings(round_time_s=0.25, max_time_s=10, min_rounds=3).slice_s == 0.25


def test_wait_for_quiet_returns_at_the_first_quiet_window_or_at_its_bound():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    waited, quiet, share = wait_for_quiet(
        5.0, 0.1, window_s=0.25, probe_factory=ScriptedProbe([0.6, 0.5, 0.05]), sleep=sleep, clock=lambda: now[0]
    )
    assert (waited, quiet, share) == (0.75, True, 0.05)
    now[0] = 0.0
    waited, quiet, _ = wait_for_quiet(
        1.0, 0.1, window_s=0.25, probe_factory=ScriptedProbe(itertools.repeat(0.5)), sleep=sleep, clock=lambda: now[0]
    )
    assert (waited, quiet) == (1.0, False)


class FakeEvent:
    log = []

    def __init__(self, enable_timing):
        assert enable_timing
        self.at = None

    def record(self):
        FakeEvent.log.append("record")
        self.at = len(FakeEvent.log)

    def synchronize(self):
        FakeEvent.log.append("synchronize")

    def elapsed_time(self, end):
        return 12.5  # milliseconds, as torch.cuda.Event reports


class FakeCuda:
    Event = FakeEvent


def test_cuda_event_timer_waits_for_the_end_event_and_converts_ms_to_seconds():
    FakeEvent.log = []
    timer = CudaEventTimer(FakeCuda)
    seconds = timer.time(lambda: FakeEvent.log.append("forward"))
    assert seconds == 0.0125
    assert FakeEvent.log == ["record", "forward", "record", "synchronize"]


def test_the_timer_is_picked_by_device_alike_for_the_sweep_and_the_dev_set():
    assert isinstance(timer_for("cpu"), CpuTimer)
    cuda = timer_for("cuda:0")  # building the timer creates no event, so this needs no GPU
    assert isinstance(cuda, CudaEventTimer) and cuda.name == "cuda_event"
