"""Every bundle gets a report, however little it holds: no row measured (all oom, skipped, error or
timeout), or no row at all. `bench-job report` is run for real on synthetic bundle folders."""

from __future__ import annotations

import json

import yaml

from bench_job.bundle.records import COLUMNS, make_record, to_frame
from bench_job.report.render.frame import in_sweep, measured, prepare
from tests.conftest import run_cli

SECTIONS = [
    "## Models and why",
    "## Parameters",
    "## Latency",
    "## Energy",
    "## Memory",
    "## What did not run, and why",
    "## FLOPs and achieved throughput",
    "## Accuracy vs efficiency",
    "## Validity",
    "## Discussion",
]
CONFIG = {"weights": "random", "run": {"accelerator": "cpu"}, "models": ["resnet18", "bert-base-uncased"]}
ENV = {"device_kind": "laptop", "hostname": "host", "peak_gflops": 100.0}


def _unmeasured(model, family, unit, batch, status, reason):
    return make_record(
        key=f"{model}|fp32|cpu|b{batch}|s64",
        model=model,
        family=family,
        variant="fp32",
        precision="fp32",
        accelerator="cpu",
        batch_size=batch,
        input_size=64,
        input_unit=unit,
        sweeps="batch+input" if batch == 1 else "batch",
        weights="random",
        status=status,
        reason=reason,
    )


NOTHING_MEASURED = [
    _unmeasured(
        "resnet18",
        "torchvision",
        "px",
        1,
        "oom",
        "worker resident memory reached 957.2 MiB, over the --max-worker-memory cap of 953.7 MiB",
    ),
    _unmeasured("resnet18", "torchvision", "px", 2, "skipped", "the model did not fit in memory"),
    _unmeasured("bert-base-uncased", "transformers", "tokens", 1, "error", "RuntimeError: boom"),
    _unmeasured("bert-base-uncased", "transformers", "tokens", 2, "timeout", "over run.config_timeout_s"),
]


def _bundle(folder, records):
    folder.mkdir()
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "config.yaml").write_text(yaml.safe_dump(CONFIG))
    (folder / "env.json").write_text(json.dumps(ENV))
    return folder


def _report(folder):
    result = run_cli("report", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(folder / "report.md"), str(folder / "report.html")]
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
    report = (folder / "report.md").read_text()
    for title in SECTIONS:
        assert title in report, title
    return report


def test_a_sweep_of_no_measured_rows_keeps_the_columns():
    # The root cause of the all-oom report's KeyError: an empty selection came back without columns.
    frame = prepare(to_frame(NOTHING_MEASURED))
    for sweep in ("batch", "input"):
        rows = in_sweep(measured(frame), sweep)
        assert rows.empty and list(rows.columns) == COLUMNS
    assert len(in_sweep(frame, "input")) == 2  # and the mask still selects where there are rows


def test_a_bundle_where_nothing_was_measured_gets_a_report(tmp_path):
    report = _report(_bundle(tmp_path / "nothing-measured", NOTHING_MEASURED))
    assert "configurations: 4 (0 measured)" in report
    for status in ("oom", "skipped", "error", "timeout"):
        assert f"| {status} |" in report, status
    assert (
        "resnet18 [fp32] ran out of memory at batch 1, input 64 px (worker resident memory reached 957.2 MiB, "
        "over the --max-worker-memory cap of 953.7 MiB); none of its configurations ran"
    ) in report
    assert "No parameter counts were recorded: no model was built and counted." in report
    assert "Energy not measured: no configuration was measured." in report
    assert "no accuracy: no configuration was measured." in report
    assert "Nothing was measured, so there is nothing to discuss." in report


def test_a_bundle_of_no_rows_gets_a_report(tmp_path):
    report = _report(_bundle(tmp_path / "no-rows", []))
    assert "configurations: 0 (0 measured)" in report
    assert "The bundle holds no configurations." in report
    assert "Every configuration ran." not in report
