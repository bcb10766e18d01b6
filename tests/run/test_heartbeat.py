"""The heartbeat when no progress bar shows: driven by a fake clock, no waiting."""

from __future__ import annotations

from bench_job.run.heartbeat import Heartbeat


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_line_at_least_every_30_s_with_what_n_of_n_and_an_eta():
    clock, lines = Clock(), []
    beat = Heartbeat(25, already=5, clock=clock, emit=lines.append)
    beat.tick()
    assert lines == []  # nothing measured yet, no interval passed
    beat.measuring("bert-base-uncased [fp32]")
    clock.now += 29.0
    beat.tick()
    assert lines == []
    clock.now += 1.0
    beat.tick()
    assert lines == [
        "measuring bert-base-uncased [fp32] (6 of 25 configurations, ETA unknown until the first configuration "
        "is recorded)"
    ]
    beat.recorded()  # one configuration in 40 s: 19 left, about 12 min 40 s
    clock.now += 10.0
    beat.tick()
    assert len(lines) == 1
    clock.now += 20.0
    beat.tick()
    assert lines[-1].startswith("measuring bert-base-uncased [fp32] (7 of 25 configurations, ETA ")
    assert lines[-1] == f"measuring bert-base-uncased [fp32] (7 of 25 configurations, ETA {_duration(19 * 60.0)})"


def _duration(seconds):
    from bench_job.units import format_duration

    return format_duration(seconds)


def test_the_runner_beats_only_without_a_progress_bar(monkeypatch, tmp_path):
    from bench_job import config as cfg
    from bench_job.bundle.records import ResultStore
    from bench_job.run import runner as runner_module
    from bench_job.run.runner import Runner, StopRequest

    made = []

    class Beat(Heartbeat):
        def start(self):
            made.append(self)
            return self

    monkeypatch.setattr(runner_module, "Heartbeat", Beat)
    monkeypatch.setattr(Runner, "_run_item", lambda self, item, pending, remaining: 0)
    config = cfg.resolve(None, device="laptop", sets=['models=["resnet18", "squeezenet1_1"]', "power.enabled=false"])
    for show_progress in (True, False):
        runner = Runner(config, ResultStore(str(tmp_path / "results.jsonl")), "cpu", StopRequest(), show_progress)
        runner._run_plan()
    assert len(made) == 1 and made[0].total == 14  # 7 default points per model
