"""The real CLI end to end on tiny models: bundle contents, records, report."""

from __future__ import annotations

import csv
import json
import os
import tarfile

import pytest
import yaml

from bench_job.bundle.records import COLUMNS


def tiny_config(tmp_path, tiny_bert_dir, **extra):
    data = {
        "measure": {"warmup_runs": 1, "min_runs": 10, "max_time_per_config_s": 0.3},
        "sweeps": {
            "vision": {"batch_sizes": [1, 2], "input_size": 64, "input_sizes": [32, 64]},
            "nlp": {"batch_sizes": [1, 2], "input_size": 16, "input_sizes": [8, 16]},
        },
        "models": ["squeezenet1_1", {"name": "tiny-bert", "source": tiny_bert_dir, "note": "a test model"}],
    }
    data.update(extra)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def open_bundle(path, into):
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    (top,) = os.listdir(into)
    return os.path.join(into, top)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, tiny_bert_dir):
    from tests.conftest import run_cli

    tmp = tmp_path_factory.mktemp("run")
    # As the container's entrypoint starts it: the host's name passed in, its own lines in a file.
    entrypoint_log = tmp / "entrypoint.log"
    entrypoint_log.write_text(
        "warning: NO ASSETS in /assets: the run goes on with RANDOM WEIGHTS\ninfo: running as uid 1000\n"
    )
    result = run_cli(
        "run",
        "--config",
        tiny_config(tmp, tiny_bert_dir),
        "--out",
        str(tmp / "out"),
        "--device",
        "laptop",
        "--threads",
        "1",
        env={"BENCH_HOST": "lab bench/7", "BENCH_ENTRYPOINT_LOG": str(entrypoint_log)},
    )
    return tmp, result


def test_run_prints_the_bundle_path_last_and_leaves_no_work_folder(tiny_run):
    tmp, result = tiny_run
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.strip().splitlines()[-1]
    assert os.path.dirname(bundle) == str(tmp / "out")
    name = os.path.basename(bundle)
    # Named after the host passed in, made safe for a file name.
    assert name.startswith("laptop-lab-bench-7-") and name.endswith("Z.tar.gz")
    assert os.listdir(tmp / "out") == [name]


def test_bundle_holds_records_table_config_env_log_plots_report(tiny_run, tmp_path):
    tmp, result = tiny_run
    root = open_bundle(result.stdout.strip().splitlines()[-1], tmp_path)
    for name in ("results.jsonl", "results.csv", "config.yaml", "env.json", "run.log", "report.md"):
        assert os.path.isfile(os.path.join(root, name)), name
    plots = sorted(os.listdir(os.path.join(root, "plots")))
    assert "latency_vs_batch_size_vision.png" in plots and "latency_vs_input_size_nlp.png" in plots
    with open(os.path.join(root, "results.csv")) as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    # 3 points per model: (1, fixed size) is shared by both sweeps.
    assert sorted((r["model"], r["batch_size"], r["input_size"]) for r in rows) == [
        ("squeezenet1_1", "1", "32"),
        ("squeezenet1_1", "1", "64"),
        ("squeezenet1_1", "2", "64"),
        ("tiny-bert", "1", "16"),
        ("tiny-bert", "1", "8"),
        ("tiny-bert", "2", "16"),
    ]
    assert {r["status"] for r in rows} == {"ok"}
    env = json.load(open(os.path.join(root, "env.json")))
    assert env["accelerator"] == "cpu" and env["libraries"]["torch"]
    assert env["hostname"] == "lab bench/7" and env["device_kind"] == "laptop"
    assert env["cpus_usable"] >= 1
    log_text = open(os.path.join(root, "run.log")).read()
    assert "WARNING entrypoint: NO ASSETS in /assets" in log_text and "INFO entrypoint: running as uid 1000" in log_text
    config = yaml.safe_load(open(os.path.join(root, "config.yaml")))
    assert config["run"]["threads"] == 1 and config["run"]["device"] == "laptop"


def test_records_are_internally_consistent(tiny_run, tmp_path):
    tmp, result = tiny_run
    root = open_bundle(result.stdout.strip().splitlines()[-1], tmp_path)
    records = [json.loads(line) for line in open(os.path.join(root, "results.jsonl"))]
    for r in records:
        timings = r["timings_s"]
        assert len(timings) == r["n_runs"] >= 10
        assert r["latency_min_s"] == min(timings) and r["latency_max_s"] == max(timings)
        assert r["latency_mean_s"] == pytest.approx(sum(timings) / len(timings))
        assert r["throughput"] == pytest.approx(r["batch_size"] / r["latency_median_s"])
        # the pooled timings are exactly the kept rounds'; set-aside rounds stay in the raw detail. A disturbed
        # round kept once the patience ran out (a busy machine) is judged as a whole and pools the runs the
        # run-delay rule set aside too (rounds.Round.pooled_s): a quiet machine never has one, CI's sometimes.
        kept = [d for d in r["rounds_detail"] if d["kept"]]
        pooled = sum(d["runs"] + (len(d["runs_set_aside_s"]) if d["disturbed"] else 0) for d in kept)
        assert pooled == r["n_runs"] and len(kept) == r["rounds"] >= 3
        assert r["rounds_redone"] == len(r["rounds_detail"]) - len(kept)
        assert r["latency_median_ci_low_s"] <= r["latency_median_s"] <= r["latency_median_ci_high_s"]
        # the memory split adds up to the peak, and the weights' RSS is at least their own bytes' worth
        assert r["framework_rss_bytes"] + r["weights_rss_bytes"] + r["activations_rss_bytes"] == r["peak_rss_bytes"]
        assert r["framework_rss_bytes"] > 100e6 and r["weights_bytes"] > 0
        assert r["macs"] * 2 == r["flops"] and r["flop_counter"].startswith("torch.utils.flop_counter.FlopCounterMode")
        assert r["threads"] == 1 and r["warmup_runs"] == 1 == len(r["warmup_s"])
        assert r["peak_rss_bytes"] > 50e6
        assert r["energy_per_inference_j"] is None and r["accuracy"] is None
    by_key = {(r["model"], r["batch_size"], r["input_size"]): r for r in records}
    # FLOPs grow linearly with the batch at a fixed input size.
    assert by_key[("squeezenet1_1", 2, 64)]["flops"] == 2 * by_key[("squeezenet1_1", 1, 64)]["flops"]
    assert by_key[("tiny-bert", 1, 16)]["params"] == by_key[("tiny-bert", 1, 16)]["params_effective"]
    assert by_key[("squeezenet1_1", 1, 64)]["params"] == 1_235_496
    # fp32 parameters and buffers: 4 bytes each (SqueezeNet has no buffers)
    assert by_key[("squeezenet1_1", 1, 64)]["weights_bytes"] == 4 * 1_235_496
    # interleaved: every configuration of a model was timed in each round, so their rounds overlap in time
    rounds = {key: {d["index"] for d in r["rounds_detail"]} for key, r in by_key.items() if key[0] == "squeezenet1_1"}
    assert set.intersection(*rounds.values()) >= {0, 1, 2}


def test_report_names_models_and_tables(tiny_run, tmp_path):
    tmp, result = tiny_run
    root = open_bundle(result.stdout.strip().splitlines()[-1], tmp_path)
    report = open(os.path.join(root, "report.md")).read()
    for text in (
        "## Parameters",
        "## Latency",
        "squeezenet1_1",
        "tiny-bert",
        "a test model",
        "## FLOPs and achieved throughput",
        "## Memory",
        "Every configuration ran.",
        "](plots/latency_vs_batch_size_vision.png)",
    ):
        assert text in report, text


def test_a_run_where_every_row_is_invalid_says_so_first_and_concludes_nothing(cli, tmp_path):
    # A CI target no real timing can meet makes every row invalid, as a busy machine does.
    result = cli(
        "run",
        "--models",
        "squeezenet1_1,mnasnet1_0,mobilenet_v2",
        "--out",
        str(tmp_path / "out"),
        "--set",
        "sweeps.vision.batch_sizes=[1,2]",
        "--set",
        "sweeps.vision.input_sizes=[32]",
        "--set",
        "sweeps.vision.input_size=32",
        "--set",
        "measure.target_ci_rel=0.000001",
        "--set",
        "measure.max_time_per_config_s=0.2",
        "--threads",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "6 configuration(s) planned, 6 measured: 0 valid, 6 not valid (95% CI half-width" in result.stderr
    root = open_bundle(result.stdout.strip().splitlines()[-1], tmp_path / "x")
    lines = [line for line in open(os.path.join(root, "report.md")).read().splitlines() if line.strip()]
    assert lines[0].startswith("# ") and "ALL 6 measured configurations failed a validity check" in lines[1]
    discussion = open(os.path.join(root, "report.md")).read().split("## Discussion")[1]
    assert "Not enough valid measurements" in discussion
    for finding in ("ρ =", "p =", "R²", "median k"):
        assert finding not in discussion, finding
