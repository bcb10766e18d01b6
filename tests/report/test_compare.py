"""bench-job compare on two real bundles (1 and 2 threads standing in for two devices), the ratios
checked against ratios computed by hand from each bundle's own CSV."""

import json
import math
import os
import shutil

import pandas as pd
import pytest

from bench_job.compare import MATCH, ratio_table
from tests.conftest import run_cli
from tests.report.conftest import extract


@pytest.fixture(scope="module")
def compared(two_runs, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], "--labels", "t1,t2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.strip().splitlines()[-1]
    assert bundle.endswith(".tar.gz") and os.path.isfile(bundle)
    return extract(bundle, tmp_path_factory.mktemp("compare-extracted"))


def _csv(bundle, tmp_path):
    return pd.read_csv(os.path.join(extract(bundle, tmp_path), "results.csv"))


def test_speedups_are_the_hand_computed_ratios(compared, two_runs, tmp_path):
    a = _csv(two_runs["t1"], tmp_path / "a").set_index(MATCH)
    b = _csv(two_runs["t2"], tmp_path / "b").set_index(MATCH)
    common = a.index.intersection(b.index)
    assert len(common) == 3  # only squeezenet1_1 ran on both
    report = open(os.path.join(compared, "report.md")).read()
    ratios = []
    for index in common:
        speedup = a.loc[index, "latency_median_s"] / b.loc[index, "latency_median_s"]
        ratios.append(speedup)
        variant, batch, size = index[1:]
        # Flagged where either measurement failed its validity check.
        flag = " (!)" if not (a.loc[index, "valid"] and b.loc[index, "valid"]) else ""
        row = (f"| {variant} | {batch} | {size} | {a.loc[index, 'latency_median_s'] * 1e3:.2f} | "
               f"{b.loc[index, 'latency_median_s'] * 1e3:.2f} | {speedup:.2f}x{flag} |")
        assert row in report, row
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
    assert f"t2 vs t1: geometric mean {geo:.2f}x over 3 configurations" in report


def test_comparison_bundle_holds_merged_table_report_and_device_plots(compared):
    merged = pd.read_csv(os.path.join(compared, "results.csv"))
    assert set(merged["device"]) == {"t1", "t2"}
    assert len(merged[merged["device"] == "t1"]) == 9 and len(merged[merged["device"] == "t2"]) == 3
    devices = json.load(open(os.path.join(compared, "devices.json")))
    assert devices["baseline"] == "t1"
    page = open(os.path.join(compared, "report.html")).read()
    plots = sorted(os.listdir(os.path.join(compared, "plots")))
    assert "compare_latency_vs_batch_size_torchvision.png" in plots
    assert page.count("data:image/png;base64,") == len(plots)
    report = open(os.path.join(compared, "report.md")).read()
    assert "No device recorded accuracy" in report and "## Energy ratio" in report


def test_energy_ratio_is_device_over_baseline():
    rows = []
    for device, energies in (("a", [2.0, 4.0]), ("b", [1.0, 3.0])):
        for batch, energy in zip((1, 2), energies):
            rows.append(dict(device=device, model="m", variant="fp32", batch_size=batch, input_size=64, status="ok",
                             energy_per_inference_j=energy))
    table = ratio_table(pd.DataFrame(rows), "a", "energy_per_inference_j", "ratio")
    assert list(table["ratio:b"]) == [0.5, 0.75]


def test_devices_come_from_env_and_runs_of_one_device_merge(two_runs, run_t1, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(run_t1, other)
    env = json.load(open(other / "env.json"))
    env["hostname"] = "otherhost"
    json.dump(env, open(other / "env.json", "w"))
    # t1 and t2 are two runs of one device (same kind and host): merged, the later measurement kept.
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], str(other), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    root = extract(result.stdout.strip().splitlines()[-1], tmp_path / "x")
    merged = pd.read_csv(os.path.join(root, "results.csv"))
    same = f"{env['device_kind']}-{env['hostname'].replace('otherhost', '')}"
    labels = sorted(set(merged["device"]))
    assert labels == sorted([f"{env['device_kind']}-otherhost", next(l for l in labels if l.startswith(same) and
                                                                      not l.endswith("otherhost"))])
    both = pd.concat([_csv(two_runs["t1"], tmp_path / "a"), _csv(two_runs["t2"], tmp_path / "b")])
    expected = both.sort_values("started_at").drop_duplicates("key", keep="last")
    mine = merged[~merged["device"].str.endswith("otherhost")]
    assert sorted(mine["started_at"]) == sorted(expected["started_at"])
    assert "| 3 |" in open(os.path.join(root, "report.md")).read()  # 3 configurations replaced


def test_one_device_only_is_refused(two_runs):
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], "--out", "/tmp")
    assert result.returncode == 2
    assert "nothing to compare" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_labels_and_baseline_are_refused(two_runs, tmp_path):
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], "--labels", "x", "--out", str(tmp_path))
    assert result.returncode == 2 and "one non-empty label per bundle" in result.stderr
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], "--labels", "x,y", "--baseline", "z",
                     "--out", str(tmp_path))
    assert result.returncode == 2 and "--baseline 'z'" in result.stderr
