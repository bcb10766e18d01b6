"""The sustained scenario's soak in the worker, driven by a fake board whose temperature rises and whose clock and
cpufreq cap fall on a schedule (tests/run/soak_fakes.py), on a fake clock: the time series, the throttle onset, the
ratio and the row match the schedule exactly, and the runner writes the series as the row's bundle member."""

from __future__ import annotations

import csv
import io
import time
from types import SimpleNamespace

import pytest

from bench_job.bundle.member_texts import MEMBER_TEXTS_FIELD, keep_member_texts
from bench_job.bundle.series import series_member
from bench_job.measure.validity import invalid_reasons
from bench_job.run.messages import Progress, Record, Start
from bench_job.run.plan import SUSTAINED
from bench_job.run.soak import DeviceReader, send_soaks, soak_duration, soak_record
from tests.run.soak_fakes import (
    BURST_S,
    FakeClock,
    FakeMeter,
    FakeTimer,
    HotBoard,
    QuietProbe,
    prepared_soak,
    soak_task,
)


class Pipe:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


@pytest.fixture
def soaked(tmp_path):
    clock = FakeClock()
    board = HotBoard(tmp_path, clock)
    reader = DeviceReader(board.sysfs, board.root, measure_mhz=board.measure_mhz, read_state=board.read_state)
    pipe = Pipe()
    started = time.perf_counter()
    record = soak_record(
        soak_task(board),
        prepared_soak(board),
        FakeMeter(board),
        FakeTimer(clock),
        SimpleNamespace(requested=False),
        pipe,
        reader=reader,
        clock=clock,
        probe_factory=QuietProbe,
    )
    return record, pipe, time.perf_counter() - started


def series_rows(record):
    return list(csv.DictReader(io.StringIO(record[MEMBER_TEXTS_FIELD][record["sustained_series"]])))


def test_the_time_series_follows_the_schedule_window_by_window(soaked):
    record, _, elapsed = soaked
    rows = series_rows(record)
    assert elapsed < 1.0  # ten seconds of soak on the fake clock
    assert [(float(r["t_start_s"]), float(r["t_end_s"])) for r in rows] == [(t, t + 1.0) for t in range(10)]
    # 8 passes of 0.125 s a window at 1500 MHz, 4 of 0.25 s once the clock halved at 5 s
    assert [int(r["inferences"]) for r in rows] == [8] * 5 + [4] * 5
    assert [float(r["latency_median_s"]) for r in rows] == [BURST_S] * 5 + [2 * BURST_S] * 5
    # read at each window's end: 50 C + 6 C/s, held at 85 C
    assert [float(r["temp_cpu-thermal_c"]) for r in rows] == [56.0, 62.0, 68.0, 74.0, 80.0] + [85.0] * 5
    assert [float(r["temp_max_c"]) for r in rows] == [float(r["temp_cpu-thermal_c"]) for r in rows]
    assert [float(r["clock_reported_cpu0-3_mhz"]) for r in rows] == [1500.0] * 4 + [750.0] * 6
    assert [float(r["clock_measured_cpu0-3_mhz"]) for r in rows] == [1500.0] * 4 + [750.0] * 6
    assert [float(r["power_w"]) for r in rows] == [5.0] * 5 + [3.0] * 5
    assert [float(r["energy_per_inference_j"]) for r in rows] == [0.625] * 5 + [0.75] * 5
    assert [r["throttled"] for r in rows] == ["false"] * 4 + ["true"] * 6


def test_each_throttle_event_is_named_in_the_window_that_saw_it(soaked):
    rows = series_rows(soaked[0])
    onset = rows[4]["throttle_reasons"].split("; ")
    assert onset == [
        "Raspberry Pi firmware reports soft temperature limit now",
        "Raspberry Pi firmware reports soft temperature limit during the run",
        "thermal zone cpu-thermal at 80.0 C, at or over its passive trip 80.0 C",
        "cpu0-3 reported clock 750 MHz, 50% below the first window's 1500 MHz",
        "cpu0-3 measured clock 750 MHz, 50% below the first window's 1500 MHz",
    ]
    assert not any("frequency cap" in r["throttle_reasons"] for r in rows[:7])
    # the cpufreq cap falls at 8 s: the window ending then is the first to name it
    assert "cpu0 frequency cap fell from 1500 to 750 MHz" in rows[7]["throttle_reasons"]


def test_the_row_holds_ratio_onset_peak_and_window_energies(soaked):
    record, _, _ = soaked
    assert record["status"] == "ok" and record["scenario"] == SUSTAINED
    assert record["sustained_windows"] == 10 and record["sustained_s"] == 10.0
    assert record["sustained_first_median_s"] == BURST_S and record["sustained_last_median_s"] == 2 * BURST_S
    assert record["sustained_perf_ratio"] == 0.5
    assert record["throttle_onset_s"] == 5.0
    assert record["sustained_peak_temp_c"] == 85.0
    assert (record["sustained_first_energy_j"], record["sustained_last_energy_j"]) == (0.625, 0.75)
    assert record["sustained_series"] == "sustained/resnet18_fp32_cpu_b1_s224_sustained.csv"
    assert record["n_runs"] == 60 and record["latency_median_s"] == BURST_S  # 40 burst passes, 20 throttled
    assert record["throttled"] is True and record["stop_reason"] == "duration"
    assert record["notes"].startswith("throttled after 5 s (Raspberry Pi firmware reports soft temperature limit now")
    assert "a finding of the soak, not a fault of its figures" in record["notes"]


def test_a_throttled_soak_stays_valid_and_its_falling_cap_is_not_a_power_state_change(soaked):
    record, _, _ = soaked
    assert record["power_state_changed"] is False
    assert record["other_cpu_share"] == 0.0
    assert invalid_reasons(dict(record, latency_median_ci_rel=0.01), 6, 0.05, 10, 0.1) == []
    # the same figures as a sweep row: throttled, so not valid
    sweep = dict(record, scenario="sweep", latency_median_ci_rel=0.01)
    assert invalid_reasons(sweep, 6, 0.05, 10, 0.1)[0].startswith("the device throttled")


def test_the_runner_writes_the_series_as_the_member_the_row_names(soaked, tmp_path):
    record, _, _ = soaked
    fields = keep_member_texts(dict(record), str(tmp_path))
    assert MEMBER_TEXTS_FIELD not in fields
    with open(tmp_path / "sustained" / "resnet18_fp32_cpu_b1_s224_sustained.csv") as handle:
        assert handle.read() == record[MEMBER_TEXTS_FIELD][fields["sustained_series"]]
    assert keep_member_texts({"key": "k"}, str(tmp_path)) == {"key": "k"}  # a sweep row carries no member


def test_member_names_are_safe_file_names():
    assert series_member("textattack/bert-base-uncased-SST-2|fp32|cpu|b1|s128|sustained") == (
        "sustained/textattack_bert-base-uncased-SST-2_fp32_cpu_b1_s128_sustained.csv"
    )


def test_a_quiet_soak_says_none_in_n_s_and_without_a_meter_has_no_energy(tmp_path):
    clock = FakeClock()
    board = HotBoard(tmp_path, clock)
    reader = DeviceReader(board.sysfs, board.root, measure_mhz=None, read_state=board.read_state)
    record = soak_record(
        soak_task(board, duration_s=3.0),
        prepared_soak(board),
        None,
        FakeTimer(clock),
        SimpleNamespace(requested=False),
        Pipe(),
        reader=reader,
        clock=clock,
        probe_factory=QuietProbe,
    )
    assert record["throttle_onset_s"] is None and record["notes"] == "no throttle in 3 s"
    assert record["sustained_perf_ratio"] == 1.0 and record["sustained_first_energy_j"] is None
    rows = series_rows(record)
    assert len(rows) == 3 and "clock_measured_cpu0-3_mhz" not in rows[0] and rows[0]["power_w"] == ""


def test_a_stop_ends_the_soak_at_a_window_and_a_stop_before_it_sends_nothing(tmp_path):
    clock = FakeClock()
    board = HotBoard(tmp_path, clock)
    stop = SimpleNamespace(requested=False)

    def read_state(sysfs_root, host_root):
        stop.requested = clock.now >= 2.0  # Ctrl-C during the third window
        return board.read_state(sysfs_root, host_root)

    reader = DeviceReader(board.sysfs, board.root, read_state=read_state)
    record = soak_record(
        soak_task(board), prepared_soak(board), None, FakeTimer(clock), stop, Pipe(), reader=reader, clock=clock
    )
    assert record["sustained_windows"] == 2 and record["stop_reason"] == "stopped"
    assert "soak ended after 2 of 10 s (stopped)" in record["notes"]
    pipe = Pipe()
    send_soaks(pipe, soak_task(board), [prepared_soak(board)], None, FakeTimer(clock), SimpleNamespace(requested=True))
    assert pipe.sent == []


def test_a_soak_that_fails_is_an_error_row(tmp_path):
    board = HotBoard(tmp_path, FakeClock())
    prepared = prepared_soak(board)
    prepared.timing.run_once = lambda: 1 / 0
    pipe = Pipe()
    send_soaks(pipe, soak_task(board), [prepared], None, FakeTimer(board.clock), SimpleNamespace(requested=False))
    assert isinstance(pipe.sent[0], Start)
    (record,) = [m.fields for m in pipe.sent if isinstance(m, Record)]
    assert record["status"] == "error" and "ZeroDivisionError" in record["reason"]


def test_progress_lines_while_a_long_soak_runs(tmp_path):
    clock = FakeClock()
    board = HotBoard(tmp_path, clock)
    reader = DeviceReader(board.sysfs, board.root, read_state=board.read_state)
    pipe = Pipe()
    soak_record(
        soak_task(board, duration_s=25.0),
        prepared_soak(board),
        None,
        FakeTimer(clock),
        SimpleNamespace(requested=False),
        pipe,
        reader=reader,
        clock=clock,
        probe_factory=QuietProbe,
    )
    assert [m.text for m in pipe.sent if isinstance(m, Progress)] == [
        "resnet18: soak 10/25 s, 85.0 C",
        "resnet18: soak 20/25 s, 85.0 C",
    ]


def test_budget_cuts_the_soak_but_leaves_it_three_windows():
    assert soak_duration(300.0, 1.0, None, 0.0) == (300.0, None)
    assert soak_duration(300.0, 1.0, 100.0, 40.0) == (60.0, "soak cut to 60 of 300 s by --budget")
    assert soak_duration(300.0, 1.0, 100.0, 99.0)[0] == 3.0
