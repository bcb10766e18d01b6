"""The runtime section: preparation costs and fidelity, speed-up over eager, framework overhead at batch 1,
and the latency-vs-batch plot per family; absent from runs with eager rows only; and compare keeps the
runtime in a row's identity."""

from __future__ import annotations

import os

from bench_job.bundle.records import to_frame
from bench_job.report.comparison.matching import MATCH, ratio_table
from bench_job.report.render.document import Figure, Table, Text
from bench_job.report.render.frame import prepare
from bench_job.report.sections.context import Context
from bench_job.report.sections.runtimes import runtime_section, speedups
from tests.report.synthetic import failed, measured

ENV = {"device_kind": "laptop", "hostname": "box", "peak_gflops": 100.0}


def runtime_row(model, batch, latency_s, runtime, precision="fp32", **fields):
    variant = precision + ("" if runtime == "eager" else f"-{runtime}")
    return measured(
        model,
        batch,
        224,
        latency_s,
        key=f"{model}|{variant}|cpu|b{batch}|s224",
        variant=variant,
        runtime=runtime,
        precision=precision,
        **fields,
    )


def frame_of(records):
    return prepare(to_frame(records))


def records():
    ort = dict(
        export_s=9.5,
        session_s=0.2,
        first_inference_s=0.05,
        fixed_shape=False,
        output_max_abs_diff=3e-6,
        output_rel_diff=5e-7,
        output_tolerance=1e-3,
        runtime_providers="CPUExecutionProvider",
    )
    return [
        runtime_row("resnet18", 1, 0.040, "eager", first_inference_s=0.09),
        runtime_row("resnet18", 8, 0.240, "eager"),
        runtime_row("resnet18", 1, 0.020, "onnxruntime", **ort),
        runtime_row("resnet18", 8, 0.160, "onnxruntime", **ort),
        runtime_row(
            "resnet18",
            1,
            0.010,
            "onnxruntime",
            precision="int8",
            quantization="ONNX Runtime static (QDQ)",
            calibration="32 dev-set images (imagenette)",
            **dict(ort, output_rel_diff=0.05, output_tolerance=0.25),
        ),
    ]


def test_the_section_tables_costs_speedups_and_overhead(tmp_path):
    frame = frame_of(
        records()
        + [
            dict(
                failed("resnet18", 1, 224, "skipped", "TensorRT is not installed in this image"),
                variant="fp32-tensorrt",
                runtime="tensorrt",
                key="resnet18|fp32-tensorrt|b1",
            )
        ]
    )
    blocks = runtime_section(frame, Context({}, ENV, str(tmp_path), {"resnet18": "red"}))
    tables = [b for b in blocks if isinstance(b, Table)]
    costs, speed, overhead = tables
    ort = next(r for r in costs.rows if r[1] == "fp32-onnxruntime")
    assert ort[2:8] == ["onnxruntime", "9.50", "0.20", "50.00", "", "5.0e-07 (tolerance 0.001)"]
    assert next(r for r in costs.rows if r[1] == "int8-onnxruntime")[8:] == [
        "ONNX Runtime static (QDQ)",
        "32 dev-set images (imagenette)",
    ]
    assert [(r[1], r[2], r[6]) for r in speed.rows] == [
        ("fp32-onnxruntime", 1, "2.00x"),
        ("fp32-onnxruntime", 8, "1.50x"),
        ("int8-onnxruntime", 1, "4.00x"),
    ]
    # batch 1: 1 GFLOP at 100 GFLOP/s is 10 ms of arithmetic; eager's other 30 ms are overhead
    assert ["resnet18", "fp32", "40.00", "10.00", "30.00", "75%"] in overhead.rows
    assert any("TensorRT is not installed in this image" in b.text for b in blocks if isinstance(b, Text))
    (figure,) = [b for b in blocks if isinstance(b, Figure)]
    assert os.path.exists(tmp_path / figure.path)


def test_speedups_compare_with_eager_at_the_same_precision_when_it_ran():
    frame = frame_of(records() + [runtime_row("resnet18", 1, 0.030, "eager", precision="int8")])
    ratios = {
        (row["variant"], int(row["batch_size"])): (reference["variant"], round(ratio, 2))
        for row, reference, ratio in speedups(frame[frame["status"] == "ok"])
    }
    assert ratios[("int8-onnxruntime", 1)] == ("int8", 3.0)


def test_a_run_with_eager_rows_only_has_no_runtime_section(tmp_path):
    frame = frame_of([runtime_row("resnet18", 1, 0.040, "eager")])
    assert runtime_section(frame, Context({}, ENV, str(tmp_path))) == []


def test_rows_from_before_the_runtime_column_read_as_eager():
    record = measured("resnet18", 1, 224, 0.04)
    record.pop("runtime")
    assert list(prepare(to_frame([record]).drop(columns=["runtime"]))["runtime"]) == ["eager"]


def test_compare_matches_configurations_on_the_runtime_too():
    assert "runtime" in MATCH
    laptop = frame_of(records())
    pi = laptop.copy()
    pi["latency_median_s"] *= 4
    laptop["device"], pi["device"] = "laptop", "pi"
    import pandas as pd

    table = ratio_table(pd.concat([laptop, pi], ignore_index=True), "laptop", "latency_median_s", "speedup")
    assert sorted(table["runtime"]) == ["eager", "eager", "onnxruntime", "onnxruntime", "onnxruntime"]
    assert set(table["speedup:pi"].round(6)) == {0.25}


def test_int8_not_faster_than_fp32_is_said_once_with_the_cpu_and_the_format(tmp_path):
    ort = dict(
        export_s=9.5,
        session_s=0.2,
        first_inference_s=0.05,
        fixed_shape=False,
        output_max_abs_diff=3e-6,
        output_rel_diff=0.05,
        output_tolerance=0.25,
        runtime_providers="CPUExecutionProvider",
    )
    fmt = "ONNX Runtime static (QDQ U8S8, uint8 activations, int8 weights per channel; x86 with avx512_vnni)"
    slow = records()[:4] + [
        runtime_row(
            "resnet18",
            b,
            t,
            "onnxruntime",
            precision="int8",
            quantization=fmt,
            calibration="32 synthetic images",
            **ort,
        )
        for b, t in ((1, 0.024), (8, 0.2))
    ]
    env = dict(ENV, cpu_int8_instructions=["avx2", "avx512bw", "avx512_vnni"])
    blocks = runtime_section(frame_of(slow), Context({}, env, str(tmp_path), {"resnet18": "red"}))
    notes = [b.text for b in blocks if isinstance(b, Text) and b.text.startswith("int8 was not faster")]
    assert len(notes) == 1
    (note,) = notes
    assert "resnet18 at batch 1 (1.20x the fp32 latency), resnet18 at batch 8 (1.25x the fp32 latency)" in note
    assert "avx2, avx512bw, avx512_vnni" in note and note.count(fmt) == 1
    # int8 faster than fp32 (records(): 10 ms against 20 ms): nothing said
    faster = runtime_section(frame_of(records()), Context({}, env, str(tmp_path), {"resnet18": "red"}))
    assert not any(isinstance(b, Text) and b.text.startswith("int8 was not faster") for b in faster)
