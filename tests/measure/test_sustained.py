"""The soak loop's pure parts: windows back to back on an injected clock, the clock-drop margin, the row's figures
and the CSV's empty cells."""

from __future__ import annotations

from bench_job.measure.sustained import (
    CLOCK_DROP_MARGIN,
    WindowReading,
    WindowRun,
    clock_drops,
    run_soak,
    series_csv,
    soak_fields,
)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def soak_of(clocks, duration_s=3.0):
    """A soak whose window i reads the clock clocks[i] (MHz) on one core type and lasts 1 s of two 0.5 s passes."""
    clock = Clock()
    readings = iter(clocks)

    def run_window(window_s):
        clock.now += window_s
        return WindowRun((0.5, 0.5))

    def read_window():
        return WindowReading({"cpu-thermal": 50.0}, {"cpu0": next(readings)}, {})

    return run_soak(run_window, read_window, duration_s, 1.0, clock=clock)


def test_a_drop_within_the_margin_is_no_throttle_and_one_beyond_it_is():
    assert CLOCK_DROP_MARGIN == 0.10
    assert clock_drops({"cpu0": 1000.0}, {"cpu0": 901.0}, "reported") == []
    assert clock_drops({"cpu0": 1000.0}, {"cpu0": 899.0}, "reported") == [
        "cpu0 reported clock 899 MHz, 10% below the first window's 1000 MHz"
    ]
    assert clock_drops({"cpu0": None}, {"cpu0": 500.0}, "measured") == []  # no first reading: nothing to drop from
    soak = soak_of([1000.0, 950.0, 800.0])
    assert [w.throttle_reasons != () for w in soak.windows] == [False, False, True]
    assert soak_fields(soak, "sustained/x.csv")["throttle_onset_s"] == 3.0


def test_windows_run_until_the_duration_has_passed():
    soak = soak_of([1000.0] * 5, duration_s=2.5)
    assert [(w.start_s, w.end_s) for w in soak.windows] == [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]
    fields = soak_fields(soak, "sustained/x.csv", ["weights: random"])
    assert fields["notes"] == ["weights: random", "no throttle in 3 s"]
    assert fields["sustained_perf_ratio"] == 1.0 and fields["sustained_peak_temp_c"] == 50.0


def test_a_stop_before_the_first_window_leaves_no_window():
    soak = run_soak(lambda s: WindowRun((1.0,)), lambda: WindowReading({}, {}, {}), 5.0, 1.0, stop=lambda: True)
    assert soak.windows == () and soak.ended_early == "stopped"


def test_the_csv_leaves_cells_empty_where_nothing_was_read():
    text = series_csv(soak_of([1000.0] * 3))
    lines = text.splitlines()
    assert lines[0] == (
        "t_start_s,t_end_s,inferences,latency_median_s,temp_max_c,temp_cpu-thermal_c,clock_reported_cpu0_mhz,"
        "power_w,energy_per_inference_j,throttled,throttle_reasons"
    )
    assert lines[1] == "0,1,2,0.5,50,50,1000,,,false,"
