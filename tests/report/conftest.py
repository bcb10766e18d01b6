"""Two real runs of the CLI on tiny vision models, with different thread counts, stand in for two devices.
Session-scoped: every report test reads the same bundles, made once (the two runs go in parallel). The
first runs three models (rank correlations need three), the second only the first of them, so the
comparison also meets configurations measured on one device only."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest

MODELS = "squeezenet1_1,resnet18,mobilenet_v2"
SETS = [
    "sweeps.vision.batch_sizes=[1,2]",
    "sweeps.vision.input_size=64",
    "sweeps.vision.input_sizes=[32,64]",
    "measure.max_time_per_config_s=0.3",
]


def _start(out: str, threads: int, models: str):
    args = [
        sys.executable,
        "-m",
        "bench_job",
        "run",
        "--device",
        "laptop",
        "--models",
        models,
        "--threads",
        str(threads),
        "--out",
        out,
    ]
    for item in SETS:
        args += ["--set", item]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1")
    )


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory):
    """{label: bundle path} for runs with 1 and 2 threads."""
    base = tmp_path_factory.mktemp("report-runs")
    procs = {"t1": _start(str(base / "t1"), 1, MODELS), "t2": _start(str(base / "t2"), 2, MODELS.split(",")[0])}
    bundles = {}
    for label, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        bundles[label] = out.strip().splitlines()[-1]
    return bundles


def extract(bundle: str, into) -> str:
    with tarfile.open(bundle) as tar:
        tar.extractall(into, filter="data")
    (top,) = [d for d in os.listdir(into) if os.path.isdir(os.path.join(into, d))]
    return os.path.join(into, top)


@pytest.fixture(scope="session")
def run_t1(two_runs, tmp_path_factory):
    """The 1-thread bundle, extracted: its root folder."""
    return extract(two_runs["t1"], tmp_path_factory.mktemp("t1-extracted"))
