import itertools

from bench_job.measure.latency import CudaEventTimer, LatencySettings, measure_latency


class ScriptedTimer:
    """Returns the given durations in turn and counts calls of fn."""
    name = "scripted"

    def __init__(self, durations):
        self.durations = iter(durations)
        self.calls = 0

    def time(self, fn):
        fn()
        self.calls += 1
        return next(self.durations)


def test_warmup_is_discarded_and_steady_timings_stop_at_min_runs():
    timer = ScriptedTimer([5.0, 3.0] + [0.010] * 100)
    result = measure_latency(lambda: None, timer, LatencySettings(warmup_runs=2, min_runs=10))
    assert result.warmup_s == [5.0, 3.0]
    assert result.timings_s == [0.010] * 10
    assert result.stop_reason == "ci_target"


def test_noisy_timings_continue_until_the_time_budget():
    noisy = itertools.cycle([0.01, 0.03])
    clock = itertools.count(0.0, 0.5)   # every clock read advances half a second
    timer = ScriptedTimer(noisy)
    result = measure_latency(lambda: None, timer,
                             LatencySettings(warmup_runs=1, min_runs=10, target_ci_rel=0.001, max_time_s=10.0),
                             clock=lambda: next(clock))
    assert result.stop_reason == "time_budget"
    assert len(result.timings_s) > 10


def test_max_runs_caps_timing():
    timer = ScriptedTimer(itertools.cycle([0.01, 0.03]))
    result = measure_latency(lambda: None, timer, LatencySettings(warmup_runs=1, min_runs=10, max_runs=25,
                                                                 target_ci_rel=1e-6, max_time_s=1e9))
    assert len(result.timings_s) == 25 and result.stop_reason == "max_runs"


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
