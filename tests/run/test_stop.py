"""A stopped run keeps what was measured: the supervisor asks its worker to stop and takes the records
the worker still sends (for a bounded grace period), and the worker records the configurations that
have their minimum rounds and runs, as measured so far, leaving the rest unrecorded (never measured)."""

from __future__ import annotations

import os
import signal
import time
from types import SimpleNamespace

from bench_job.measure import memory
from bench_job.measure.rounds import ConfigTiming, Round
from bench_job.run import messages
from bench_job.run.supervisor import Supervisor
from bench_job.run.worker import PreparedConfig, StopSignal, send_records
from tests.run.supervised_task import SupervisedTask
from tests.settings import mark_validity, power_settings, round_settings


class Running:
    """The run's StopRequest when nobody asks the run to stop."""

    requested = False


class StopAfterProgress:
    """The run's StopRequest, as the supervisor reads it: requested once the worker said it is timing."""

    requested = False


def _politely(conn, task):
    """A worker that times k0 until asked to stop, then sends k0's record and ends."""
    asked = []
    signal.signal(signal.SIGTERM, lambda *_: asked.append(True))
    conn.send(messages.Start("k0"))
    conn.send(messages.Progress("round 1"))
    while not asked:
        time.sleep(0.01)
    conn.send(messages.Record({"key": "k0", "status": "ok"}))


def _deaf(conn, task):
    """A worker that ignores the stop: it is killed once the grace period is over."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn.send(messages.Start("k0"))
    conn.send(messages.Progress("round 1"))
    while True:
        time.sleep(0.01)


def _task(**fields):
    return SupervisedTask(("p0", "p1"), {"p0": "k0", "p1": "k1"}, round_settings(quiet_wait_s=0), **fields)


def _supervise(target, grace_s):
    stop = StopAfterProgress()
    records = []
    supervisor = Supervisor(stop, None, 600.0, 600.0, target=target, stop_grace_s=grace_s)

    def on_progress(_text):
        stop.requested = True

    started = time.monotonic()
    recorded, end = supervisor.run(_task(), records.append, on_progress)
    return recorded, end, records, time.monotonic() - started


def test_a_stopped_worker_sends_what_it_measured_and_the_supervisor_keeps_it():
    recorded, end, records, _ = _supervise(_politely, grace_s=60.0)
    assert recorded == {"p0"} and end is None  # p1: never measured, listed as such by the job
    assert records == [{"key": "k0", "status": "ok"}]


def test_a_worker_that_does_not_stop_is_killed_after_the_grace_period():
    recorded, end, records, seconds = _supervise(_deaf, grace_s=1.0)
    assert recorded == set() and end is None and records == []
    assert seconds < 60  # bounded by the grace period (generous: a spawn on a busy machine is slow)


class Pipe:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def _prepared(key, rounds):
    timing = ConfigTiming(key, lambda: None)
    for index, timings in enumerate(rounds):
        timing.rounds.append(Round(index, timings, sum(timings), 0.01, 0.0, kept=True))
    return PreparedConfig(
        SimpleNamespace(batch_size=1),
        {"key": key, "notes": []},
        timing,
        {},
        memory.swap_counters(),
        time.time(),
    )


def test_a_stop_records_the_configurations_with_their_minimum_and_leaves_the_rest():
    measure = dict(min_runs=6, min_rounds=3, max_other_cpu_share=0.10)
    task = SimpleNamespace(timing=round_settings(**measure), power=power_settings(sysfs_root="/nonexistent"))
    done = _prepared("b1", [[0.010, 0.013], [0.010, 0.010], [0.012, 0.010]])  # 3 rounds, 6 runs: its minimum
    short = _prepared("b2", [[0.020, 0.021], [0.020, 0.020]])  # 2 rounds of the 3 asked
    stop = StopSignal()
    stop.signal_name = "SIGINT"  # as the handler sets it
    pipe = Pipe()
    send_records(pipe, task, [done, short], meter=None, patience=None, device="cpu", stop=stop)
    records = [m.fields for m in pipe.sent if isinstance(m, messages.Record)]
    assert [r["key"] for r in records] == ["b1"]
    (record,) = records
    assert record["status"] == "ok" and record["n_runs"] == 6 and record["stop_reason"] == "stopped"
    assert record["latency_median_s"] == 0.010
    assert "stopped by SIGINT" in record["energy_reason"] and "timing cut short" in record["notes"]
    # its validity is judged as usual (here: 6 runs meet min_runs; the interval decides)
    marked = mark_validity(dict(record), 6, 0.05, 10)
    assert marked["valid"] is False and "95% CI half-width" in marked["invalid_reasons"]


def test_before_timing_a_stop_ends_the_worker_and_during_timing_it_only_asks():
    stop = StopSignal()
    try:
        stop(signal.SIGTERM, None)
    except BaseException as exc:  # WorkerStopped: nothing was timed, nothing to keep
        assert type(exc).__name__ == "WorkerStopped"
    else:
        raise AssertionError("a stop before timing must end the worker")
    stop = StopSignal()
    stop.keeping = True
    stop(signal.SIGINT, None)
    assert stop.requested and stop.signal_name == "SIGINT"


def _stuck_building(conn, task):
    """A worker that loads its framework and never starts a configuration (a hung import or export)."""
    conn.send(messages.Build())
    while True:
        time.sleep(0.01)


def _stuck_between(conn, task):
    """A worker that records k0, then never starts k1."""
    conn.send(messages.Start("k0"))
    conn.send(messages.Record({"key": "k0", "status": "ok"}))
    while True:
        time.sleep(0.01)


def _stuck_leaving(conn, task):
    """A worker that records both configurations, then never exits (stuck in its teardown)."""
    for key in ("k0", "k1"):
        conn.send(messages.Start(key))
        conn.send(messages.Record({"key": key, "status": "ok"}))
    while True:
        time.sleep(0.01)


def _bounded(target, build_timeout_s=600.0):
    records = []
    supervisor = Supervisor(Running(), None, 600.0, build_timeout_s, target=target, stop_grace_s=1.0)
    started = time.monotonic()
    recorded, end = supervisor.run(_task(), records.append, lambda _text: None)
    return recorded, end, records, time.monotonic() - started


def test_a_worker_stuck_building_is_a_timeout_at_the_build():
    recorded, end, records, seconds = _bounded(_stuck_building, build_timeout_s=2.0)
    assert recorded == set() and records == []
    assert (end.status, end.where) == ("timeout", "build")
    assert "run.build_timeout_s = 2 s building its model" in end.reason
    assert seconds < 60


def test_a_worker_stuck_between_configurations_is_a_timeout_at_the_next():
    recorded, end, records, _ = _bounded(_stuck_between, build_timeout_s=2.0)
    assert recorded == {"p0"} and records == [{"key": "k0", "status": "ok"}]
    assert (end.status, end.where) == ("timeout", "p1")
    assert "between two configurations" in end.reason


def test_a_worker_stuck_after_its_last_record_is_killed_and_its_records_kept():
    # build_timeout_s is long: what ends it is every configuration being recorded, plus the stop grace
    recorded, end, records, seconds = _bounded(_stuck_leaving)
    assert recorded == {"p0", "p1"} and end is None and len(records) == 2
    assert seconds < 60


def _exporting_then_stuck(conn, task):
    """A worker that writes its runtime's files to its scratch folder, says where, and hangs in its first
    configuration: the timeout kills it with the files still there."""
    with open(os.path.join(task.scratch, "model.onnx"), "wb") as handle:
        handle.write(b"\0" * 4096)
    conn.send(messages.Progress(task.scratch))
    conn.send(messages.Start("k0"))
    while True:
        time.sleep(0.01)


def test_a_killed_workers_scratch_folder_is_removed_with_its_files():
    # A killed worker runs no cleanup of its own: an export of BERT (~400 MB) would stay in /tmp at every kill.
    said = []
    supervisor = Supervisor(Running(), None, 2.0, 600.0, target=_exporting_then_stuck, stop_grace_s=1.0)
    recorded, end = supervisor.run(_task(), lambda _fields: None, said.append)
    assert (end.status, end.where) == ("timeout", "p0") and recorded == set()
    (scratch,) = said
    assert os.path.basename(scratch).startswith("bench-job-worker-") and not os.path.exists(scratch)


def _silent_the_first_time(conn, task):
    """A worker whose first start never reaches Python (as a fork stuck before its exec under emulation): it
    says nothing and sleeps; started again, it measures both configurations."""
    if not os.path.exists(task.flag):
        open(task.flag, "w").close()
        while True:
            time.sleep(0.01)
    conn.send(messages.Started())
    for key in ("k0", "k1"):
        conn.send(messages.Start(key))
        conn.send(messages.Record({"key": key, "status": "ok"}))


def _silent(conn, task):
    while True:
        time.sleep(0.01)


def _started_twice(target, tmp_path):
    task = _task(flag=str(tmp_path / "started-once"))
    records = []
    supervisor = Supervisor(Running(), None, 600.0, 600.0, target=target, stop_grace_s=1.0, start_timeout_s=2.0)
    return supervisor.run(task, records.append, lambda _text: None), records


def test_a_worker_silent_after_its_start_is_killed_and_started_again(tmp_path):
    (recorded, end), records = _started_twice(_silent_the_first_time, tmp_path)
    assert recorded == {"p0", "p1"} and end is None and len(records) == 2


def test_a_worker_silent_after_every_start_is_an_error_at_the_build(tmp_path):
    (recorded, end), records = _started_twice(_silent, tmp_path)
    assert recorded == set() and records == []
    assert (end.status, end.where) == ("error", "build")
    assert end.reason == "the worker process did not start: silent 2 s after each of 2 starts"
