"""The report's Sustained performance section from soak rows and their CSVs (made by the soak itself on the fake
board of tests/run/soak_fakes.py), the verdict's line per soak that throttled, the sweep's sections untouched by
soak rows, and compare's table of each device's share held."""

from __future__ import annotations

import csv
import os
from types import SimpleNamespace

import pandas as pd
import pytest

from bench_job.bundle.member_texts import MEMBER_TEXTS_FIELD, keep_member_texts
from bench_job.bundle.records import make_record, to_frame
from bench_job.report.comparison.sustained import sustained_comparison
from bench_job.report.render import markdown
from bench_job.report.render.document import Figure, Table
from bench_job.report.render.frame import prepare
from bench_job.report.render.soak_plot import panels, throttle_events
from bench_job.report.run_report import build_report
from bench_job.report.sections.sustained import read_series
from tests.report.synthetic import CONFIG, ENV, measured
from tests.run.soak_fakes import FakeClock, FakeMeter, FakeTimer, HotBoard, QuietProbe, prepared_soak, soak_task


def soak_row(tmp_path, bundle_dir):
    """A real soak's record through the runner's path: its CSV written into bundle_dir, the record made."""
    from bench_job.run.soak import DeviceReader, soak_record

    clock = FakeClock()
    board = HotBoard(tmp_path / "board", clock)
    reader = DeviceReader(board.sysfs, board.root, measure_mhz=board.measure_mhz, read_state=board.read_state)
    fields = soak_record(
        soak_task(board),
        prepared_soak(board),
        FakeMeter(board),
        FakeTimer(clock),
        SimpleNamespace(requested=False),
        SimpleNamespace(send=lambda message: None),
        reader=reader,
        clock=clock,
        probe_factory=QuietProbe,
    )
    fields = keep_member_texts(fields, str(bundle_dir))
    base = measured("resnet18", 1, 224, fields["latency_median_s"], sweeps="")
    base.update({k: v for k, v in fields.items() if k in base or k == "device_state"})
    return make_record(**{k: v for k, v in base.items() if k != "schema_version"})


@pytest.fixture
def report(tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    sweep = [measured("resnet18", 1, 224, 0.040), measured("resnet18", 2, 224, 0.070)]
    soak = soak_row(tmp_path, bundle)
    frame = to_frame(sweep + [soak])
    out = tmp_path / "out"
    blocks = build_report(frame, CONFIG, ENV, str(out), series_root=str(bundle))
    return blocks, markdown.render(blocks), out, soak


def test_the_section_tables_each_soak_and_draws_its_series(report):
    blocks, text, out, soak = report
    assert "## Sustained performance" in text
    table = next(b for b in blocks if isinstance(b, Table) and "held (last / first speed)" in b.headers)
    assert table.rows == [
        ["resnet18 [fp32]", "batch 1, 224 px", "10", "125.00", "250.00", "50%", "5", "85", "0.625", "0.75"]
    ]
    figure = next(b for b in blocks if isinstance(b, Figure) and "sustained_" in b.path)
    # the schedule's two events: the trip, flags and halved clock at 5 s, the cpufreq cap at 8 s
    assert throttle_events(read_series(str(out.parent / "bundle"), soak["sustained_series"])) == [5.0, 8.0]
    assert os.path.isfile(out / figure.path) and os.path.getsize(out / figure.path) > 10_000


def test_the_verdict_names_a_soak_that_throttled(report):
    _, text, _, _ = report
    verdict = text.split("## ")[0]
    assert (
        "**soak throttled**: resnet18 [fp32] (batch 1, 224 px) throttled after 5 s of its 10 s soak and held 50%"
        in (verdict)
    )


def sections(text: str) -> dict:
    """heading -> text of each section of a rendered report (the verdict and header under the title: '')."""
    parts = text.split("\n## ")
    return {part.split("\n", 1)[0]: part for part in parts[1:]}


def test_soak_rows_stay_out_of_the_sweep_sections(report, tmp_path):
    _, text, _, _ = report
    sweep = [measured("resnet18", 1, 224, 0.040), measured("resnet18", 2, 224, 0.070)]
    without = sections(markdown.render(build_report(to_frame(sweep), CONFIG, ENV, str(tmp_path / "plain"))))
    with_soak = sections(text)
    assert set(with_soak) - set(without) == {"Sustained performance"}
    # every sweep section (tables, counts, correlations, validity) reads the same with the soak row as without it
    assert {h: t for h, t in with_soak.items() if h != "Sustained performance"} == without


def test_a_missing_series_is_said_and_old_bundles_have_no_section(tmp_path, report):
    _, _, _, soak = report
    frame = to_frame([measured("resnet18", 1, 224, 0.040), soak])
    text = markdown.render(build_report(frame, CONFIG, ENV, str(tmp_path / "o"), series_root=str(tmp_path / "empty")))
    assert "the soak's time series `sustained/resnet18_fp32_cpu_b1_s224_sustained.csv` is not in this bundle" in text
    old = to_frame([measured("resnet18", 1, 224, 0.040, scenario=None)])
    assert "Sustained performance" not in markdown.render(build_report(old, CONFIG, ENV, str(tmp_path / "p")))


def test_the_figure_marks_each_new_throttle_event_and_has_a_panel_per_measure(tmp_path):
    rows = [
        {"t_end_s": "1", "latency_median_s": "0.1", "throttle_reasons": "", "power_w": "", "temp_max_c": "50"},
        {"t_end_s": "2", "latency_median_s": "0.1", "throttle_reasons": "a", "power_w": "", "temp_max_c": "50"},
        {"t_end_s": "3", "latency_median_s": "0.2", "throttle_reasons": "a", "power_w": "", "temp_max_c": "50"},
        {"t_end_s": "4", "latency_median_s": "0.2", "throttle_reasons": "a; b", "power_w": "", "temp_max_c": "50"},
    ]
    assert throttle_events(rows) == [2.0, 4.0]
    hotter = [dict(row, throttle_reasons=f"zone at {80 + i}.0 C") for i, row in enumerate(rows)]
    assert throttle_events(hotter) == [1.0]  # one event whose figure grows
    assert [label for label, _ in panels(rows)] == ["median latency (ms)"]  # no zone, clock or power column


def _device_soak(device, ratio, onset, peak):
    return dict(
        model="resnet18",
        variant="fp32",
        runtime="eager",
        batch_size=1,
        input_size=224,
        input_unit="px",
        status="ok",
        device=device,
        sustained_perf_ratio=ratio,
        throttle_onset_s=onset,
        sustained_s=300.0,
        sustained_peak_temp_c=peak,
    )


def test_compare_sets_each_devices_share_held_side_by_side():
    soaks = pd.DataFrame(
        [_device_soak("pi5-bare", 0.62, 95.0, 85.2), _device_soak("pi5-cooler", 1.0, float("nan"), 61.0)]
    )
    blocks = sustained_comparison(soaks, {"pi5-bare": {}, "pi5-cooler": {}})
    table = blocks[-1]
    assert table.headers == ["model", "configuration", "pi5-bare", "pi5-cooler"]
    assert table.rows == [
        ["resnet18 [fp32, eager]", "batch 1, 224 px", "62%, throttled at 95 s, 85 C", "100%, none in 300 s, 61 C"]
    ]
    assert sustained_comparison(soaks.iloc[0:0], {}) == []


def test_the_series_csv_names_its_units(report, tmp_path):
    _, _, _, soak = report
    with open(tmp_path / "bundle" / soak["sustained_series"]) as handle:
        header = next(csv.reader(handle))
    assert header[:5] == ["t_start_s", "t_end_s", "inferences", "latency_median_s", "temp_max_c"]
    assert {"temp_cpu-thermal_c", "clock_reported_cpu0-3_mhz", "clock_measured_cpu0-3_mhz", "power_w"} <= set(header)
    assert MEMBER_TEXTS_FIELD not in soak and prepare(to_frame([soak]))["scenario"].tolist() == ["sustained"]
