"""bench-job compare on two real bundles (1 and 2 threads standing in for two devices), the ratios
checked against ratios computed by hand from each bundle's own CSV."""

from __future__ import annotations

import json
import math
import os
import shutil

import pandas as pd
import pytest

from bench_job.bundle.records import make_record
from bench_job.report.comparison.matching import MATCH, ratio_table
from tests.conftest import run_cli
from tests.report.conftest import extract


@pytest.fixture(scope="module")
def compared(two_runs, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    result = run_cli("compare", two_runs["t1"], two_runs["t2"], "--labels", "t1,t2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.strip().splitlines()[-1]
    assert bundle.endswith(".tar.gz") and os.path.isfile(bundle)
    assert os.listdir(out) == [os.path.basename(bundle)], "compare leaves only its bundle, as run does"
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
        variant, _runtime, batch, size = index[1:]  # MATCH: model, variant, runtime, batch, input size
        # Flagged where either measurement failed its validity check.
        flag = " (!)" if not (a.loc[index, "valid"] and b.loc[index, "valid"]) else ""
        row = (
            f"| {variant} | {batch} | {size} | {a.loc[index, 'latency_median_s'] * 1e3:.2f} | "
            f"{b.loc[index, 'latency_median_s'] * 1e3:.2f} | {speedup:.2f}x{flag} |"
        )
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
            rows.append(
                dict(
                    device=device,
                    model="m",
                    variant="fp32",
                    runtime="eager",
                    batch_size=batch,
                    input_size=64,
                    status="ok",
                    energy_per_inference_j=energy,
                )
            )
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
    assert labels == sorted(
        [
            f"{env['device_kind']}-otherhost",
            next(label for label in labels if label.startswith(same) and not label.endswith("otherhost")),
        ]
    )
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
    result = run_cli(
        "compare", two_runs["t1"], two_runs["t2"], "--labels", "x,y", "--baseline", "z", "--out", str(tmp_path)
    )
    assert result.returncode == 2 and "--baseline 'z'" in result.stderr


def test_one_bundle_is_refused_naming_two(tmp_path):
    result = run_cli("compare", str(tmp_path / "only.tar.gz"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "bench-job: error: compare needs at least two bundles: one per device (e.g. `bench-job compare pi.tar.gz "
        "laptop.tar.gz`), or two runs of one device told apart with --labels"
    )


def _synthetic_bundle(folder, host, latencies, invalid=()):
    """A bundle folder of one model's batch sweep on `host`: batch -> median latency; `invalid` batches
    carry the validity verdict a busy machine gives."""
    folder.mkdir()
    rows = [
        make_record(
            key=f"m|fp32|cpu|b{batch}|s64",
            model="m",
            family="torchvision",
            variant="fp32",
            accelerator="cpu",
            batch_size=batch,
            input_size=64,
            input_unit="px",
            sweeps="batch",
            status="ok",
            latency_median_s=latency,
            valid=batch not in invalid,
            invalid_reasons="other processes used 70% of the CPU" if batch in invalid else None,
        )
        for batch, latency in latencies.items()
    ]
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "env.json").write_text(json.dumps({"device_kind": "laptop", "hostname": host}))
    return str(folder)


def _headline(tmp_path, a, b):
    result = run_cli("compare", a, b, "--labels", "first,second", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    root = extract(result.stdout.strip().splitlines()[-1], tmp_path / "x")
    report = open(os.path.join(root, "report.md")).read()
    (line,) = [line for line in report.splitlines() if line.startswith("- second vs first: geometric mean")]
    return line, report, open(os.path.join(root, "report.html")).read()


def test_headline_of_two_runs_of_one_machine_with_every_row_invalid_says_so(tmp_path):
    batches = (1, 2, 4)
    a = _synthetic_bundle(tmp_path / "a", "lab-pc", {1: 0.010, 2: 0.020, 4: 0.040}, invalid=batches)
    b = _synthetic_bundle(tmp_path / "b", "lab-pc", {1: 0.012, 2: 0.018, 4: 0.050}, invalid=batches)
    line, report, page = _headline(tmp_path, a, b)
    assert "over 3 configurations" in line
    assert "; 3 of the 3 configurations behind it failed a validity check on either device: **indicative only**" in line
    assert (
        "; both bundles come from host lab-pc: two runs of one machine, so the ratio shows how the runs differ "
        "(their settings, or the machine's own noise), not how devices differ"
    ) in line
    assert "<strong>indicative only</strong>" in page
    assert report.count("x (!) |") == 3


def test_headline_counts_rows_invalid_on_either_side_and_is_plain_when_all_are_valid(tmp_path):
    a = _synthetic_bundle(tmp_path / "a", "pi5", {1: 0.010, 2: 0.020, 4: 0.040}, invalid=(2,))
    b = _synthetic_bundle(tmp_path / "b", "jetson", {1: 0.005, 2: 0.010, 4: 0.020}, invalid=(4,))
    (tmp_path / "mixed").mkdir()
    line, _, _ = _headline(tmp_path / "mixed", a, b)
    assert "; 2 of the 3 configurations behind it failed a validity check" in line and "host" not in line
    clean_a = _synthetic_bundle(tmp_path / "ca", "pi5", {1: 0.010, 2: 0.020})
    clean_b = _synthetic_bundle(tmp_path / "cb", "jetson", {1: 0.005, 2: 0.010})
    (tmp_path / "clean").mkdir()
    line, _, _ = _headline(tmp_path / "clean", clean_a, clean_b)
    assert line == "- second vs first: geometric mean 2.00x over 2 configurations (range 2.00-2.00)"
