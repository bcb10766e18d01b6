"""The real CLI end to end with deployment runtimes on tiny models: ONNX Runtime rows measured like eager
ones with their preparation costs and their fidelity to eager, TensorRT skipped with the reason where it is
not installed, and a model the exporter refuses (Longformer's data-dependent windows) recorded as an error
with the exporter's one-line reason while its eager rows are measured (with torch < 2.5's TorchScript exporter
the export passes and ONNX Runtime's run fails: an error with ONNX Runtime's reason)."""

from __future__ import annotations

import pytest
import yaml

from bench_job.runtimes.onnx_export import exporter
from tests.integration.helpers import bundle_records


@pytest.fixture(scope="module")
def tiny_longformer_dir(tmp_path_factory):
    from transformers import LongformerConfig, LongformerForSequenceClassification

    path = tmp_path_factory.mktemp("tiny-longformer")
    config = LongformerConfig(
        vocab_size=256,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=130,
        attention_window=[8, 8],
        num_labels=2,
    )
    LongformerForSequenceClassification(config).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def runtime_run(tmp_path_factory, tiny_longformer_dir):
    from tests.conftest import run_cli

    tmp = tmp_path_factory.mktemp("runtimes")
    config = {
        "measure": {"warmup_runs": 1, "min_runs": 10, "max_time_per_config_s": 0.3},
        "power": {"enabled": False},
        "sweeps": {
            "vision": {"batch_sizes": [1, 2], "input_size": 32, "input_sizes": [32]},
            "nlp": {"batch_sizes": [1], "input_size": 16, "input_sizes": [16]},
        },
        "models": ["squeezenet1_1", {"name": "tiny-longformer", "source": tiny_longformer_dir}],
        "variants": [
            {"precision": "fp32"},
            {"precision": "fp32", "runtime": "onnxruntime"},
            {"precision": "fp32", "runtime": "tensorrt"},
        ],
    }
    path = tmp / "runtimes.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_cli("run", "--config", str(path), "--out", str(tmp / "out"), "--device", "laptop", "--threads", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    return {r["key"]: r for r in bundle_records(result.stdout.strip().splitlines()[-1])}


def test_onnxruntime_rows_are_measured_with_their_costs_and_fidelity(runtime_run):
    rows = [r for r in runtime_run.values() if r["model"] == "squeezenet1_1" and r["runtime"] == "onnxruntime"]
    assert sorted(r["batch_size"] for r in rows) == [1, 2]
    for row in rows:
        assert row["status"] == "ok" and row["variant"] == "fp32-onnxruntime"
        assert row["export_s"] > 0 and row["session_s"] > 0 and row["first_inference_s"] > 0
        assert row["runtime_providers"] == "CPUExecutionProvider"
        assert row["onnx_exporter"] == exporter()  # dynamo, or torchscript where torch has no dynamo exporter
        if exporter() == "dynamo":
            assert row["fixed_shape"] is False
        else:  # the TorchScript exporter cannot free the image sides of a ceil-mode max pool: fixed, saying so
            assert row["fixed_shape"] is True and "dynamic axes refused" in row["notes"]
        assert row["output_rel_diff"] < 1e-4 and row["output_tolerance"] == 1e-3
        assert "outputs differ" not in (row["invalid_reasons"] or "")
        # FLOPs and parameters come from the PyTorch model
        assert row["flops"] > 0 and row["params"] == 1235496
        assert row["n_runs"] >= 10 and len(row["timings_s"]) == row["n_runs"]


def test_eager_rows_carry_the_runtime_and_no_fidelity(runtime_run):
    row = runtime_run["squeezenet1_1|fp32|cpu|b1|s32"]
    assert row["status"] == "ok" and row["runtime"] == "eager"
    assert row["output_max_abs_diff"] is None and row["export_s"] is None and row["first_inference_s"] > 0


def test_tensorrt_without_tensorrt_is_skipped_with_the_reason(runtime_run):
    rows = [r for r in runtime_run.values() if r["runtime"] == "tensorrt"]
    assert len(rows) == 3
    assert {(r["status"], r["reason"]) for r in rows} == {("skipped", "TensorRT is not installed in this image")}


def test_a_model_that_will_not_export_is_an_error_with_the_exporters_reason(runtime_run):
    failed = runtime_run["tiny-longformer|fp32-onnxruntime|cpu|b1|s16"]
    assert failed["status"] == "error" and "\n" not in failed["reason"]
    if exporter() == "dynamo":
        assert failed["reason"].startswith("ONNX export failed (torch.onnx dynamo exporter): ")
        assert "data-dependent" in failed["reason"]
    else:  # traced, the data-dependent windows export as constants the graph then overruns in ONNX Runtime
        assert "ONNXRuntimeError" in failed["reason"] and "out of data bounds" in failed["reason"]
    assert runtime_run["tiny-longformer|fp32|cpu|b1|s16"]["status"] == "ok"
