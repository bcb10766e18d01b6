"""The real CLI soaks a tiny model for 2 s after its sweep: the bundle holds the soak's row (its own key, its
figures), the sweep's rows with scenario sweep, the time series as the member the row names, and the report's
Sustained performance section with its figure."""

from __future__ import annotations

import csv
import io
import tarfile

import yaml

from tests.conftest import run_cli
from tests.integration.helpers import bundle_records


def test_a_two_second_soak_end_to_end(tmp_path):
    config = {
        "measure": {"warmup_runs": 1, "min_runs": 6, "max_time_per_config_s": 0.3},
        "sweeps": {"vision": {"batch_sizes": [1], "input_size": 32, "input_sizes": [32]}},
        "models": ["squeezenet1_1"],
        "sustained": {"models": ["squeezenet1_1"], "duration_s": 2, "window_s": 0.5},
        "accuracy": {"enabled": False},
    }
    path = tmp_path / "soak.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_cli(
        "run", "--config", str(path), "--out", str(tmp_path / "out"), "--device", "laptop", "--threads", "1"
    )
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.strip().splitlines()[-1]
    records = {r["key"]: r for r in bundle_records(bundle)}
    soak = records.pop("squeezenet1_1|fp32|cpu|b1|s32|sustained")
    assert [r["scenario"] for r in records.values()] == ["sweep"]
    assert soak["status"] == "ok" and soak["scenario"] == "sustained" and soak["sweeps"] == ""
    assert soak["sustained_windows"] >= 4 and soak["sustained_s"] >= 2.0
    assert soak["sustained_perf_ratio"] > 0 and soak["n_runs"] > 10
    member = soak["sustained_series"]
    assert member == "sustained/squeezenet1_1_fp32_cpu_b1_s32_sustained.csv"
    with tarfile.open(bundle) as tar:
        names = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
        rows = list(csv.DictReader(io.StringIO(tar.extractfile(names[member]).read().decode())))
        report = tar.extractfile(names["report.md"]).read().decode()
    assert len(rows) == soak["sustained_windows"] and all(int(r["inferences"]) >= 1 for r in rows)
    assert "## Sustained performance" in report and "plots/sustained_squeezenet1_1" in report
