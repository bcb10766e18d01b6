"""Results schema 4 holds the columns that were first written as version 3 after version-3 bundles had
been released without them: a version-3 bundle reads and reports with whichever of them it has. Schema 5 adds
onnx_exporter (which torch.onnx exporter made an ONNX row's file); a version-4 bundle reads with it empty."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from bench_job.bundle.read import load_bundle
from bench_job.bundle.records import (
    COLUMNS,
    READABLE_VERSIONS,
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_4_COLUMNS,
    VERSION_6_COLUMNS,
    VERSION_7_COLUMNS,
    VERSION_8_COLUMNS,
    make_record,
)
from bench_job.report.command import cmd_report

CATALOGUE = ("in_zoo", "published_params", "published_params_source", "model_note")


def record(model: str, size: int, **fields) -> dict:
    return make_record(
        key=f"{model}|fp32|cpu|b{size}|s64",
        model=model,
        family="torchvision",
        variant="fp32",
        precision="fp32",
        runtime="eager",
        accelerator="cpu",
        threads=4,
        batch_size=size,
        input_size=64,
        input_unit="px",
        sweeps="batch",
        weights="random",
        status="ok",
        params=5e6,
        params_effective=5e6,
        latency_median_s=0.01 * size,
        latency_median_ci_low_s=0.009 * size,
        latency_median_ci_high_s=0.011 * size,
        latency_median_ci_rel=0.1,
        n_runs=20,
        throughput=100.0,
        in_zoo=True,
        published_params=11_690_000,
        published_params_source="the bundle's zoo",
        model_note="a note the run recorded",
        runs_set_aside=0,
        energy_other_cpu_share=0.01,
        idle_other_cpu_share=0.01,
        first_inference_s=0.05,
        valid=True,
        **fields,
    )


def as_version_3(rec: dict, keep=()) -> dict:
    """A version-3 record as released: none of the late columns but those in keep."""
    return {k: v for k, v in dict(rec, schema_version=3).items() if k not in VERSION_4_COLUMNS or k in keep}


def write_bundle(folder, records: list) -> str:
    folder.mkdir()
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(folder)


def test_the_current_layout_is_version_8_and_its_late_columns_are_declared():
    assert SCHEMA_VERSION == 8 and READABLE_VERSIONS == (1, 2, 3, 4, 5, 6, 7, 8)
    assert record("resnet18", 1)["schema_version"] == 8
    assert set(VERSION_6_COLUMNS) <= set(COLUMNS) and not set(VERSION_6_COLUMNS) & set(VERSION_4_COLUMNS)
    assert set(VERSION_7_COLUMNS) <= set(COLUMNS) and not set(VERSION_7_COLUMNS) & set(VERSION_6_COLUMNS)
    assert set(VERSION_8_COLUMNS) <= set(COLUMNS) and not set(VERSION_8_COLUMNS) & set(VERSION_7_COLUMNS)
    assert "onnx_exporter" in COLUMNS and "onnx_exporter" not in VERSION_4_COLUMNS
    names = [c.name for c in SCHEMA]
    assert len(set(VERSION_4_COLUMNS)) == len(VERSION_4_COLUMNS) and set(VERSION_4_COLUMNS) <= set(names)
    assert {"runtime", "fidelity_error", "in_zoo", "published_accuracy", "top1_agreement"} <= set(VERSION_4_COLUMNS)
    # the version-3 layout as first released is untouched
    assert not {"latency_median_ci_low_s", "rounds", "framework_rss_bytes", "rounds_detail"} & set(VERSION_4_COLUMNS)


def test_a_version_3_bundle_without_the_late_columns_reads_and_reports(tmp_path):
    bundle = write_bundle(tmp_path / "v3", [as_version_3(record("resnet18", size)) for size in (1, 2)])
    loaded = load_bundle(bundle, str(tmp_path / "scratch"))
    assert list(loaded.frame.columns) == COLUMNS and len(loaded.frame) == 2
    late = [c for c in VERSION_4_COLUMNS if c in COLUMNS]
    assert loaded.frame[late].isna().all().all()  # left empty, never guessed
    assert (pd.to_numeric(loaded.frame["latency_median_s"]) == [0.01, 0.02]).all()

    out = tmp_path / "report"
    assert cmd_report(argparse.Namespace(bundle=bundle, out=str(out))) == 0
    text = (out / "report.md").read_text()
    assert "Published counts are not in this bundle for resnet18" in text
    assert (out / "report.html").exists()


def test_a_version_3_bundle_with_some_late_columns_keeps_them_and_leaves_the_rest_empty(tmp_path):
    # written between the catalogue columns and the runtime columns: it has the one, not the other
    bundle = write_bundle(tmp_path / "v3-mid", [as_version_3(record("resnet18", 1), keep=CATALOGUE)])
    frame = load_bundle(bundle, str(tmp_path / "scratch")).frame
    assert frame.loc[0, "published_params"] == 11_690_000 and frame.loc[0, "model_note"] == "a note the run recorded"
    assert frame[["runtime", "first_inference_s", "top1_agreement", "runs_set_aside"]].isna().all().all()

    out = tmp_path / "report"
    assert cmd_report(argparse.Namespace(bundle=bundle, out=str(out))) == 0
    text = (out / "report.md").read_text()
    assert "a note the run recorded" in text and "Published counts are not in this bundle" not in text


def test_a_version_4_bundle_reads_with_the_onnx_exporter_empty_and_reports(tmp_path):
    onnx_row = dict(record("resnet18", 1, export_s=0.5), runtime="onnxruntime", schema_version=4)
    del onnx_row["onnx_exporter"]
    bundle = write_bundle(tmp_path / "v4", [onnx_row])
    frame = load_bundle(bundle, str(tmp_path / "scratch")).frame
    assert list(frame.columns) == COLUMNS and frame.loc[0, "runtime"] == "onnxruntime"
    assert frame["onnx_exporter"].isna().all()
    out = tmp_path / "report"
    assert cmd_report(argparse.Namespace(bundle=bundle, out=str(out))) == 0


def test_a_version_5_record_keeps_its_onnx_exporter(tmp_path):
    rows = [dict(record("resnet18", size, onnx_exporter="torchscript"), runtime="onnxruntime") for size in (1, 2)]
    frame = load_bundle(write_bundle(tmp_path / "v5", rows), str(tmp_path / "scratch")).frame
    assert list(frame["onnx_exporter"]) == ["torchscript", "torchscript"]
