"""Ctrl-C in the middle of a model's interleaved rounds keeps the configurations that have their minimum
rounds and runs, through the real worker: the issue's empty PARTIAL bundle that threw away 28 s of BERT
timing."""

from __future__ import annotations

import os
import signal
import time

import yaml

from tests.integration.helpers import bundle_json, bundle_records
from tests.integration.test_oom_resume import _start


def _wait_for(path_of, text, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline:
        path = path_of()
        if path and os.path.exists(path) and text in open(path).read():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared")


def test_sigint_mid_timing_records_what_has_its_minimum(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                # a CI target no timing meets and no run cap: both configurations are timed for two minutes
                # each, in rounds
                "measure": {
                    "warmup_runs": 1,
                    "min_runs": 6,
                    "min_rounds": 3,
                    "round_time_s": 0.1,
                    "target_ci_rel": 1e-9,
                    "max_time_per_config_s": 120,
                    "max_runs": 1000000,
                    "patience_s": 0,
                },
                "sweeps": {"vision": {"batch_sizes": [1, 2], "input_size": 64, "input_sizes": [64]}},
                "models": ["squeezenet1_1", "mnasnet1_0"],
                "power": {"enabled": False},
            }
        )
    )
    out = tmp_path / "out"
    run = _start(["run", "--config", str(config), "--out", str(out), "--threads", "1"])

    def run_log():
        folders = os.listdir(out) if out.is_dir() else []
        return str(out / folders[0] / "run.log") if folders else None

    _wait_for(run_log, "starting a worker")
    # the worker imports torch, builds the model, makes its first pass over each configuration (half a
    # minute on a busy 2-core VM) and times their rounds for four minutes: a minute in, it is timing
    time.sleep(60)
    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stderr
    bundle = stdout.split()[-1]
    assert bundle.endswith("Z-PARTIAL.tar.gz")
    records = bundle_records(bundle)
    assert [r["model"] for r in records] == ["squeezenet1_1"] * 2, stderr
    for record in records:
        assert record["status"] == "ok" and record["stop_reason"] == "stopped"
        assert record["n_runs"] >= 6 and record["rounds"] >= 3
        assert "timing cut short: the run was stopped by SIG" in record["notes"]
    never = bundle_json(bundle, "outcome.json")["never_measured"]
    assert sorted(never) == ["mnasnet1_0|fp32|cpu|b1|s64", "mnasnet1_0|fp32|cpu|b2|s64"]  # never started
