"""Bad input: one line on stderr naming the fix, exit code 2, no traceback."""

from __future__ import annotations

import pytest

BAD = [
    (["run", "--models", "resnet-9000"], "unknown model 'resnet-9000'"),
    (["run", "--models", ""], "--models needs at least one model name, e.g. --models resnet18,bert-base-uncased"),
    (["run", "--models", " , "], "--models needs at least one model name"),
    (["fetch", "--assets", "/nonexistent/assets", "--models", ""], "--models needs at least one model name"),
    (["run", "--models", "resnet18", "--set", "sweeps.vision.input_sizes=[0]"], "sweeps.vision.input_sizes"),
    (["run", "--set", "sweeps.vision.colour=red"], "unknown config key 'sweeps.vision.colour'"),
    (["run", "--set", "measure.min_runs"], "bad --set"),
    (["run", "--set", "measure.warmup_runs=abc"], "measure.warmup_runs must be a whole number (an integer), got 'abc'"),
    (["run", "--config", "/nonexistent/c.yaml"], "cannot read config /nonexistent/c.yaml"),
    (["run", "--max-worker-memory", "lots"], "bad memory size 'lots'"),
    (["run", "--accelerator", "tpu"], "run.accelerator must be one of cpu, cuda, auto"),
    (["run", "--accelerator", "cuda", "--models", "resnet18"], "torch sees no CUDA device"),
    (["run", "--device", "phone"], "device must be one of laptop, rpi, jetson, auto"),
    (
        ["run", "--set", "variants=[{runtime: tflite}]"],
        "variants: runtime must be one of eager, compile, onnxruntime, tensorrt",
    ),
    (["run", "--threads", "many"], "invalid int value"),
    (["frobnicate"], "invalid choice"),
    # the power layer's own bad-input error (PowerSetupError), turned into the same one line by the CLI
    (
        ["probe", "--external-csv", "/nonexistent/meter.csv"],
        "the external meter CSV /nonexistent/meter.csv does not exist",
    ),
]


@pytest.mark.parametrize("args,message", BAD)
def test_bad_input_is_one_clear_line(cli, tmp_path, args, message):
    result = cli(*args, "--out", str(tmp_path)) if args[0] == "run" else cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bench-job: error: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_missing_pretrained_weights_are_an_error_record_naming_fetch(cli, tmp_path):
    result = cli(
        "run",
        "--models",
        "squeezenet1_1",
        "--set",
        "weights=pretrained",
        "--set",
        "sweeps.vision.batch_sizes=[1]",
        "--set",
        "sweeps.vision.input_sizes=[32]",
        "--set",
        "sweeps.vision.input_size=32",
        "--out",
        str(tmp_path),
        env={"TORCH_HOME": str(tmp_path / "empty")},
    )
    # the bundle is written, but a run in which nothing was measured is not a success
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip().endswith(".tar.gz")
    assert "bench-job fetch --assets DIR" in result.stderr
