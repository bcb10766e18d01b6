from __future__ import annotations

import threading
import time

import pytest

from bench_job.power import EnergyMeter, discover_sources
from bench_job.power.base import PowerSetupError
from bench_job.power.external_csv import parse_meter_csv


def test_header_comments_and_order():
    rows = parse_meter_csv("timestamp,watts\n# meter v2\n1700000001.5,4.0\n\n1700000001.0,3.0\n", "m.csv")
    assert rows == [(1700000001.0, 3.0), (1700000001.5, 4.0)]


@pytest.mark.parametrize("text", ["1700000000,abc\n", "12.5,3.0\n", "1700000000,3,4\n", "1700000000,-1\n"])
def test_bad_rows_name_the_line(text, tmp_path):
    path = tmp_path / "meter.csv"
    path.write_text("timestamp,watts\n" + text)
    with pytest.raises(PowerSetupError, match="line 2"):
        discover_sources(sysfs_root=str(tmp_path), external_csv=str(path), search_path="")


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(PowerSetupError, match="does not exist"):
        discover_sources(sysfs_root=str(tmp_path), external_csv=str(tmp_path / "none.csv"), search_path="")


def test_live_log_aligned_by_unix_time_matches_known_integral(tmp_path):
    """A logger appends 20 Hz rows while the job runs; power steps 5 W -> 9 W at a known unix time."""
    path = tmp_path / "meter.csv"
    path.write_text("timestamp,watts\n")
    step_unix = time.time() + 0.6
    stop = threading.Event()

    def logger():
        while not stop.is_set():
            now = time.time()
            with open(path, "a") as handle:
                handle.write(f"{now:.4f},{5.0 if now < step_unix else 9.0}\n")
            time.sleep(0.05)

    thread = threading.Thread(target=logger, daemon=True)
    thread.start()
    try:
        found, _ = discover_sources(sysfs_root=str(tmp_path), external_csv=str(path), search_path="")
        meter = EnergyMeter(found)
        result = meter.measure(lambda: time.sleep(0.01), min_window_s=1.2, min_samples=10)
        meter.close()
    finally:
        stop.set()
        thread.join()
    start, end = result.window_start_unix, result.window_end_unix
    assert start < step_unix < end
    expected = 5.0 * (step_unix - start) + 9.0 * (end - step_unix)
    figures = result.sources[0]
    assert figures.power_source == "external-csv" and figures.reason is None
    assert figures.energy_j == pytest.approx(expected, rel=0.02)


def test_log_that_disappears_mid_run_costs_its_figures_not_the_configuration(tmp_path):
    path = tmp_path / "meter.csv"
    now = time.time()
    path.write_text("".join(f"{now - 1 + k * 0.05:.3f},5.0\n" for k in range(20)))
    (source,), _ = discover_sources(sysfs_root=str(tmp_path), external_csv=str(path), search_path="")
    meter = EnergyMeter([source])
    removed = []

    def run_once():
        if not removed:
            path.unlink()  # the logger's file goes away during the window
            removed.append(True)
        time.sleep(0.01)

    result = meter.measure(run_once, min_window_s=0.3)
    meter.close()
    (figures,) = result.sources
    assert figures.energy_j is None and figures.avg_power_w is None
    assert figures.reason.startswith(f"cannot read the meter CSV {path}")
