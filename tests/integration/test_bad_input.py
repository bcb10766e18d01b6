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


# Arguments only: whether this machine has what they ask for (a CUDA device) is the run's own check, since
# the fetch container that checks them is not the one that runs (the Jetson's has no NVIDIA runtime).
ARGUMENT_ERRORS = [(a, m) for a, m in BAD if a[0] == "run" and m != "torch sees no CUDA device"]


@pytest.mark.parametrize("args,message", ARGUMENT_ERRORS)
def test_check_args_refuses_the_same_bad_input_and_runs_nothing(cli, tmp_path, args, message):
    """`bench-job run --check-args`: the container's fetch step checks the job's arguments with it first."""
    result = cli(*args, "--check-args", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_args_accepts_good_input_and_runs_nothing(cli, tmp_path):
    result = cli("run", "--models", "resnet18,bert-base-uncased", "--check-args", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bench-job run: arguments ok (2 model(s))"
    assert not (tmp_path / "out").exists()
