"""bench-job compare at class scale: a short output name whatever the device count (32 labels in the name
once broke the file-name limit), a leaderboard ranking the devices per model, devices grouped by kind,
plots that do not draw a line per device, and bundles of different schema versions or model sets merged
on what they share."""

from __future__ import annotations

import json
import os
import shutil
import time

import pandas as pd
import pytest

from bench_job.bundle.records import SCHEMA_VERSION, to_frame
from bench_job.report.comparison.command import output_name
from bench_job.report.comparison.coverage import coverage_section
from bench_job.report.comparison.leaderboard import common_configurations, leaderboard
from bench_job.report.render.document import Table, Text
from bench_job.report.render.frame import prepare
from tests.conftest import run_cli
from tests.report.conftest import extract
from tests.report.synthetic import measured

KINDS = ("laptop", "rpi", "jetson")
BUNDLE_FILES = ("results.jsonl", "env.json", "config.yaml", "outcome.json")


def _copies(source_root: str, folder, count: int) -> list:
    """count copies of a real bundle's data, each from another device: env.json names its kind and host."""
    env = json.load(open(os.path.join(source_root, "env.json")))
    paths = []
    for i in range(count):
        copy = folder / f"bundle{i:03d}"
        copy.mkdir(parents=True)
        for name in BUNDLE_FILES:
            if os.path.exists(os.path.join(source_root, name)):
                shutil.copy(os.path.join(source_root, name), copy / name)
        (copy / "env.json").write_text(
            json.dumps(dict(env, device_kind=KINDS[i % 3], hostname=f"group{i:03d}-with-a-long-host-name"))
        )
        paths.append(str(copy))
    return paths


def _synthetic(folder, host: str, kind: str, records: list) -> str:
    folder.mkdir(parents=True)
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "env.json").write_text(json.dumps({"device_kind": kind, "hostname": host}))
    return str(folder)


def _compare(tmp_path, *bundles, extra=()):
    result = run_cli("compare", *bundles, "--out", str(tmp_path / "out"), *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    path = result.stdout.strip().splitlines()[-1]
    return path, extract(path, tmp_path / "extracted")


def test_32_bundles_compare_under_a_short_name(tmp_path):
    # The default labels (kind-host) of 32 devices once made a 1000-character name: OSError 36.
    bundles = [
        _synthetic(
            tmp_path / f"b{i}",
            f"student-laptop-of-group-{i:02d}-in-room-b",
            KINDS[i % 3],
            [
                measured("small", 1, 64, 0.010 * (1 + i / 10), accuracy=0.60),
                measured("large", 1, 64, 0.030 * (1 + i / 10), accuracy=0.75),
            ],
        )
        for i in range(32)
    ]
    path, root = _compare(tmp_path, *bundles)
    name = os.path.basename(path)
    assert name.startswith("compare-32-devices-") and name.endswith(".tar.gz") and len(name) < 60, name
    devices = json.load(open(os.path.join(root, "devices.json")))["devices"]
    assert len(devices) == 32
    # Fronts per device kind: both models are on every device's front (faster and less accurate, or not).
    report = open(os.path.join(root, "report.md")).read()
    assert "compare_accuracy_vs_latency_torchvision.png" in os.listdir(os.path.join(root, "plots"))
    assert "jetson-student-laptop-of-group-02-in-room-b: small, large" in report
    # The fastest device leads the leaderboard of each model.
    board = pd.read_csv(os.path.join(root, "leaderboard.csv"))
    first = board[board["latency_rank"] == 1]
    assert set(first["device"]) == {"laptop-student-laptop-of-group-00-in-room-b"}
    assert set(board["accuracy"]) == {0.60, 0.75}


def test_output_name_is_short_and_tells_device_sets_apart():
    many = [f"laptop-host-{i:03d}-" + "x" * 60 for i in range(100)]
    assert output_name(many, "20261123T150000Z").startswith("compare-100-devices-")
    assert len(output_name(many, "20261123T150000Z")) < 60
    assert output_name(["a", "b"], "s") != output_name(["a", "c"], "s")


@pytest.fixture(scope="module")
def hundred(run_t1, tmp_path_factory):
    """bench-job compare over 100 copies of a real bundle from three kinds of device, and its time."""
    tmp = tmp_path_factory.mktemp("hundred")
    bundles = _copies(run_t1, tmp / "bundles", 100)
    started = time.monotonic()
    path, root = _compare(tmp, *bundles)
    return path, root, time.monotonic() - started


def test_hundred_bundles_rank_every_device_grouped_by_kind(hundred, run_t1):
    path, root, seconds = hundred
    assert os.path.basename(path).startswith("compare-100-devices-")
    original = pd.read_csv(os.path.join(run_t1, "results.csv"))
    ok = original[original["status"] == "ok"]
    board = pd.read_csv(os.path.join(root, "leaderboard.csv"))
    # Every measured configuration, every device, ranked among the 100 (identical copies tie at rank 1).
    assert len(board) == 100 * len(ok)
    assert set(board["devices_measured"]) == {100} and set(board["latency_rank"]) == {1}
    assert board.groupby("kind")["device"].nunique().to_dict() == {"jetson": 33, "laptop": 34, "rpi": 33}
    report = open(os.path.join(root, "report.md")).read()
    assert "100 devices: 33 jetson, 34 laptop, 33 rpi." in report
    assert "## Leaderboard" in report and "### By device kind" in report
    for model in ok["model"].unique():
        assert f"### {model} [fp32], batch 1," in report and "(100 devices)" in report
    # Per-device detail: a headline per device, the full ratio table in CSV rather than 200 columns.
    assert report.count(" vs laptop-group000-with-a-long-host-name: geometric mean 1.00x") == 99
    assert "it is in `speedup.csv`" in report
    assert len(pd.read_csv(os.path.join(root, "speedup.csv"))) == len(ok)
    print(f"compare of 100 bundles: {seconds:.1f} s")


def test_hundred_devices_plot_ranked_bars_and_kind_panels_not_a_line_each(hundred):
    _, root, _ = hundred
    plots = sorted(os.listdir(os.path.join(root, "plots")))
    assert "compare_latency_ranked_torchvision.png" in plots
    assert "compare_latency_vs_batch_size_torchvision.png" in plots
    page = open(os.path.join(root, "report.html")).read()
    assert page.count("data:image/png;base64,") == len(plots)


def _frame(device_rows: dict) -> pd.DataFrame:
    frames = []
    for device, records in device_rows.items():
        frame = prepare(to_frame(records))
        frame["device"] = device
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_leaderboard_ranks_latency_and_energy_among_the_devices_that_measured_it():
    rows = {
        "pi": [
            measured("resnet", 1, 224, 0.300, energy_per_inference_j=0.9),
            measured("bert", 1, 128, 0.900, family="transformers", energy_per_inference_j=3.0),
        ],
        "jetson": [
            measured("resnet", 1, 224, 0.020, energy_per_inference_j=0.2, invalid="too few runs"),
            measured("resnet", 2, 224, 0.030),
        ],
        "laptop": [
            measured("resnet", 1, 224, 0.015, energy_per_inference_j=0.5, accuracy=0.69),
            measured("bert", 1, 128, 0.050, family="transformers"),
        ],
    }
    devices = {d: {"env": {"device_kind": d}, "board": d, "power_state": None} for d in rows}
    board = leaderboard(_frame(rows), devices)
    resnet = board[(board["model"] == "resnet") & (board["batch_size"] == 1)].set_index("device")
    assert resnet["latency_rank"].to_dict() == {"laptop": 1, "jetson": 2, "pi": 3}
    assert resnet["energy_rank"].to_dict() == {"jetson": 1, "laptop": 2, "pi": 3}
    assert resnet.loc["laptop", "accuracy"] == 0.69 and pd.isna(resnet.loc["pi", "accuracy"])
    assert resnet.loc["jetson", "valid"] == False  # noqa: E712 ranked, and marked in the report
    bert = board[board["model"] == "bert"].set_index("device")
    assert set(bert.index) == {"laptop", "pi"} and set(bert["devices_measured"]) == {2}
    # The report ranks each model where most devices measured it: resnet at batch 1 (3 devices), not 2 (1).
    common = common_configurations(board, _frame(rows))
    assert set(common[common["model"] == "resnet"]["batch_size"]) == {1}


def test_coverage_names_models_some_devices_lack_and_columns_older_schemas_lack():
    v2 = [
        dict(
            r,
            schema_version=2,
            latency_median_ci_low_s=None,
            latency_median_ci_high_s=None,
            latency_median_ci_rel=None,
            rounds=None,
        )
        for r in [measured("resnet", 1, 224, 0.3)]
    ]
    rows = {
        "old-pi": v2,
        "jetson": [measured("resnet", 1, 224, 0.02, rounds=3), measured("vgg", 1, 224, 0.1, rounds=3)],
        "laptop": [measured("resnet", 1, 224, 0.01, rounds=3)],
    }
    merged = _frame(rows)
    blocks = coverage_section(merged, {d: {"env": {}} for d in rows})
    text = " ".join(b.text for b in blocks if isinstance(b, Text))
    tables = [b for b in blocks if isinstance(b, Table)]
    assert "1 of 2 model variant(s) ran on every device" in text
    assert tables[0].rows == [["vgg", "fp32", "1 of 3", "laptop, old-pi"]]
    assert f"Bundles of 2 results schema versions are merged (2, {SCHEMA_VERSION})" in text
    (row,) = tables[1].rows
    assert row[:2] == [2, "old-pi"]
    lacking = row[2].split(", ")
    assert {"latency_median_ci_low_s", "latency_median_ci_high_s", "rounds"} <= set(lacking)
    assert "latency_median_s" not in lacking


def _visible_tick_labels(ax, renderer) -> list:
    """(text, window extent) of the tick labels drawn on the x axis: ticks inside the view, with a label."""
    low, high = sorted(ax.get_xlim())
    ticks = ax.xaxis.get_major_ticks() + ax.xaxis.get_minor_ticks()
    return [
        (t.label1.get_text(), t.label1.get_window_extent(renderer))
        for t in ticks
        if low <= t.get_loc() <= high and t.label1.get_visible() and t.label1.get_text()
    ]


@pytest.mark.parametrize("fastest_ms", [None, 60.0], ids=["all-3000-4000ms", "one-at-60ms"])
def test_ranked_latency_log_axis_labels_never_overlap(tmp_path, monkeypatch, fastest_ms):
    # Seen on a 12-device compare: the ranked panels' log axis printed `30004000`. Within 0.5-2 decades
    # matplotlib labels 2, 3, 4 and 6 x 10^n, and on a narrow panel 3000 and 4000 touched.
    from bench_job.report.comparison import plots as compare_plots

    rows = []
    for model in ("resnet18", "mobilenet_v2", "squeezenet1_1"):  # three panels side by side: the narrowest
        for i in range(12):
            seconds = 3.0 + i / 11
            if fastest_ms and i == 0:
                seconds = fastest_ms / 1e3
            rows.append(
                dict(
                    model=model,
                    variant="fp32",
                    family="torchvision",
                    batch_size=1,
                    input_size=224,
                    device=f"{KINDS[i % 3]}-{i:02d}",
                    kind=KINDS[i % 3],
                    latency_median_s=seconds,
                    valid=True,
                )
            )
    drawn = {}

    def keep(fig, path):
        fig.tight_layout()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        drawn["labels"] = [_visible_tick_labels(ax, renderer) for ax in fig.axes if ax.get_xscale() == "log"]
        compare_plots.plt.close(fig)

    monkeypatch.setattr(compare_plots, "save", keep)
    assert compare_plots.ranked_bars(
        pd.DataFrame(rows),
        "torchvision",
        "latency_median_s",
        1e3,
        "median latency (ms)",
        compare_plots.kind_colours(KINDS),
        str(tmp_path / "ranked.png"),
    )
    assert len(drawn["labels"]) == 3
    for labels in drawn["labels"]:
        assert len(labels) >= 2, labels  # thinned, not blank: the axis still reads
        for i, (text, box) in enumerate(labels):
            for other, other_box in labels[i + 1 :]:
                assert not box.overlaps(other_box), f"tick labels {text} and {other} overlap"
