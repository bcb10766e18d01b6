"""Accuracy through the real CLI: a zoo model from a fetched assets folder and a user's own checkpoint
and dataset, with every socket connection refused; the accuracy in the rows must equal an independent
computation on the same data."""

from __future__ import annotations

import json
import os
import tarfile

import pytest

from tests.evaluation import fixtures
from tests.integration.helpers import FAKE_RAPL_WATTS, bundle_records

BERT_REPO = "textattack/bert-base-uncased-SST-2"
NO_NETWORK = """
import socket
def _refuse(*args, **kwargs):
    raise OSError("network disabled by the test: the run must not connect anywhere")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    sst2 = fixtures.make_sst2_dataset()
    sst2_dir = str(root / "sst2")
    sst2.save_to_disk(sst2_dir)
    return {
        "bert": fixtures.make_bert_repo(str(root / "bert"), train=True),
        "sst2": sst2,
        "sst2_dir": sst2_dir,
        "weights": fixtures.make_resnet18_weights(str(root / "resnet18.pth")),
        "imagenette": fixtures.make_imagenette_dataset(per_class=1),
    }


@pytest.fixture(scope="module")
def assets(tmp_path_factory, sources):
    from evaluation import fetch

    downloaders = fixtures.FakeDownloaders(
        repos={BERT_REPO: sources["bert"]},
        weights_file=sources["weights"],
        datasets_by_repo={"nyu-mll/glue": sources["sst2"], "frgfm/imagenette": sources["imagenette"]},
    )
    folder = str(tmp_path_factory.mktemp("assets"))
    fetch(folder, ["bert-base-uncased"], ["sst2"], progress=False, downloaders=downloaders.as_downloaders())
    return folder


@pytest.fixture
def offline_env(tmp_path):
    folder = tmp_path / "nonet"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_NETWORK)
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    return {"PYTHONPATH": os.pathsep.join([str(folder), root])}


def independent_accuracy(model_dir, dataset) -> float:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    with torch.inference_mode():
        batch = tokenizer(list(dataset["sentence"]), padding=True, return_tensors="pt")
        predicted = model(**batch).logits.argmax(-1).tolist()
    return sum(int(p == y) for p, y in zip(predicted, list(dataset["label"]))) / len(dataset)


SMALL = [
    "--set",
    "sweeps.nlp.batch_sizes=[1]",
    "--set",
    "sweeps.nlp.input_size=16",
    "--set",
    "sweeps.nlp.input_sizes=[16]",
    "--set",
    "measure.max_time_per_config_s=0.2",
]


def test_zoo_model_from_fetched_assets_offline(cli, tmp_path, assets, sources, offline_env):
    result = cli(
        "run",
        "--models",
        "bert-base-uncased",
        "--assets",
        assets,
        "--set",
        "weights=pretrained",
        "--out",
        str(tmp_path / "out"),
        *SMALL,
        env=offline_env,
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["status"] == "ok" and record["weights"] == "pretrained"
    assert record["weights_source"].startswith("hf://" + BERT_REPO + "@")
    assert record["accuracy"] == pytest.approx(independent_accuracy(sources["bert"], sources["sst2"]))
    assert record["eval_examples"] == len(sources["sst2"]) and record["label_map_warning"] is None
    # the tiny checkpoint has its own small config: the rows describe what ran
    assert record["params"] < 1_000_000


def own_checkpoint_config(tmp_path, sources) -> str:
    """A config naming the user's own checkpoint folder and SST-2-shaped dataset folder."""
    config = tmp_path / "own.yaml"
    config.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "name": "my-sst2",
                        "source": sources["bert"],
                        "weights": "pretrained",
                        "task": "sst2",
                        "data_path": sources["sst2_dir"],
                    }
                ]
            }
        )
    )
    return str(config)


def test_users_own_checkpoint_and_dataset(cli, tmp_path, sources, offline_env):
    config = own_checkpoint_config(tmp_path, sources)
    result = cli("run", "--config", config, "--out", str(tmp_path / "out"), *SMALL, env=offline_env)
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["accuracy"] == pytest.approx(independent_accuracy(sources["bert"], sources["sst2"]))
    assert record["weights_source"] == sources["bert"]
    assert record["real_latency_per_batch_s"] > 0 and record["real_mean_tokens"] > 0
    # named after the user's folder, never GLUE's
    assert record["eval_dataset"] == f"sst2 dev set from {sources['sst2_dir']} (36 examples)"
    assert record["label_map_swapped"] is False and "label map" not in (record["invalid_reasons"] or "")


def test_an_onnxruntime_variant_is_scored_on_the_dev_set_through_its_session(cli, tmp_path, sources, offline_env):
    config = tmp_path / "ort.yaml"
    config.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "name": "my-sst2",
                        "source": sources["bert"],
                        "weights": "pretrained",
                        "task": "sst2",
                        "data_path": sources["sst2_dir"],
                    }
                ],
                "variants": [{"precision": "fp32"}, {"precision": "fp32", "runtime": "onnxruntime"}],
            }
        )
    )
    result = cli("run", "--config", str(config), "--out", str(tmp_path / "out"), *SMALL, env=offline_env)
    assert result.returncode == 0, result.stderr
    rows = {r["runtime"]: r for r in bundle_records(result.stdout.split()[-1])}
    expected = independent_accuracy(sources["bert"], sources["sst2"])
    # the dev set's sentences of every length run through the dynamic export, with the same answers as eager
    assert rows["onnxruntime"]["accuracy"] == pytest.approx(expected) == rows["eager"]["accuracy"]
    assert rows["onnxruntime"]["real_latency_per_batch_s"] > 0 and rows["onnxruntime"]["real_mean_seq_len"] > 0
    assert "accuracy not measured" not in (rows["onnxruntime"]["notes"] or "")
    # every dev-set example gets eager's top-1 answer through the session; eager has nothing to agree with
    assert rows["onnxruntime"]["top1_agreement"] == 1.0 and rows["eager"]["top1_agreement"] is None


def pipeline_accuracy(model_dir, dataset) -> float:
    """The checkpoint's own answers as transformers' pipeline reports them (through its config's id2label)."""
    from transformers import pipeline

    classify = pipeline("text-classification", model=model_dir, tokenizer=model_dir, device="cpu")
    labels = {"negative": 0, "positive": 1}
    predicted = [labels[out["label"].lower()] for out in classify(list(dataset["sentence"]), batch_size=8)]
    return sum(int(p == y) for p, y in zip(predicted, list(dataset["label"]))) / len(dataset)


def bundle_text(path: str, name: str) -> str:
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/" + name))
        return tar.extractfile(member).read().decode()


def test_a_checkpoint_with_a_swapped_label_map_is_distrusted_from_the_reports_first_lines(
    cli, tmp_path, sources, offline_env
):
    swapped = fixtures.make_swapped_label_names_repo(str(tmp_path / "ckpt"), sources["bert"])
    mine = fixtures.make_sst2_dataset(40)  # not GLUE's size: the row must say whose data it scored
    mine.save_to_disk(str(tmp_path / "my_sentences"))
    config = tmp_path / "mine.yaml"
    config.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "name": "mine",
                        "source": swapped,
                        "weights": "pretrained",
                        "task": "sst2",
                        "data_path": str(tmp_path / "my_sentences"),
                    }
                ]
            }
        )
    )
    result = cli("run", "--config", str(config), "--out", str(tmp_path / "out"), *SMALL, env=offline_env)
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.split()[-1]
    (record,) = bundle_records(bundle)
    # as scored, the accuracy is what the checkpoint's own labels say (the pipeline reads the same id2label);
    # with the outputs exchanged it is the plain argmax against the dataset's labels
    as_scored = pipeline_accuracy(swapped, mine)
    assert record["accuracy"] == pytest.approx(as_scored) and as_scored < 0.2
    assert record["accuracy_swapped"] == pytest.approx(independent_accuracy(swapped, mine))
    assert record["eval_dataset"] == f"sst2 dev set from {tmp_path / 'my_sentences'} (40 examples)"
    reason = (
        f"label map looks swapped: {record['accuracy']:.0%} accuracy as scored, {record['accuracy_swapped']:.0%} "
        "with the two outputs exchanged"
    )
    assert record["label_map_swapped"] is True and record["valid"] is False and reason in record["invalid_reasons"]
    assert reason in result.stderr  # the console summary names it
    lines = [line for line in bundle_text(bundle, "report.md").splitlines() if line.strip(" >")]
    assert lines[1].startswith("> **Verdict: label map looks swapped for mine: accuracy wrong")
    assert lines[2].startswith(
        f"> - **label map looks swapped for mine: accuracy wrong**: mine on "
        f"sst2 dev set from {tmp_path / 'my_sentences'} (40 examples): "
        f"{record['accuracy']:.0%} accuracy as scored"
    )


def test_energy_on_real_inputs_from_a_fake_rapl_counter(cli, tmp_path, sources, offline_env, fake_rapl):
    config = own_checkpoint_config(tmp_path, sources)
    result = cli(
        "run",
        "--config",
        config,
        "--out",
        str(tmp_path / "out"),
        "--sysfs-root",
        fake_rapl,
        "--set",
        "power.idle_seconds=1",
        *SMALL,
        env=offline_env,
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    window = next(s for s in record["real_energy_sources"] if s["power_source"] == "rapl-package")
    assert window["window_s"] >= 1.0 and window["n_inferences"] > 0
    # The fake rewrites its counter every 2 ms from another process; on a loaded machine a rewrite can come
    # late at either end of the window. Allow 50 ms of staleness per end, over the window's length.
    rel = max(0.02, 0.1 / window["window_s"])
    assert record["real_avg_power_w"] == pytest.approx(FAKE_RAPL_WATTS, rel=rel)
    assert record["real_energy_per_batch_j"] == pytest.approx(
        FAKE_RAPL_WATTS * window["window_s"] / window["n_inferences"], rel=rel
    )
    # 36 sentences in batches of 8: the four full batches are cycled, the short last one is left out
    assert record["real_batch_size"] == 8
    assert record["real_energy_per_sample_j"] == pytest.approx(record["real_energy_per_batch_j"] / 8)
    assert record["real_energy_reason"] is None


def test_without_a_power_source_real_energy_is_empty_with_the_reason(cli, tmp_path, sources, offline_env):
    config = own_checkpoint_config(tmp_path, sources)
    result = cli(
        "run",
        "--config",
        config,
        "--out",
        str(tmp_path / "out"),
        "--sysfs-root",
        str(tmp_path / "empty-sys"),
        *SMALL,
        env=offline_env,
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["real_energy_per_batch_j"] is None and record["real_energy_reason"].startswith("no power source")
    assert record["real_latency_per_batch_s"] > 0


def test_missing_assets_go_on_with_random_weights_when_accuracy_is_optional(cli, tmp_path):
    empty = tmp_path / "assets"
    empty.mkdir()
    result = cli(
        "run",
        "--models",
        "distilbert-base-uncased",
        "--assets",
        str(empty),
        "--set",
        "weights=pretrained",
        "--out",
        str(tmp_path / "out"),
        *SMALL,
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["status"] == "ok" and record["weights"] == "random" and record["accuracy"] is None
    assert "bench-job fetch" in record["notes"] and "random weights" in record["weights_source"]


def test_missing_assets_stop_the_run_when_accuracy_is_required(cli, tmp_path):
    empty = tmp_path / "assets"
    empty.mkdir()
    result = cli(
        "run",
        "--models",
        "distilbert-base-uncased",
        "--assets",
        str(empty),
        "--set",
        "weights=pretrained",
        "--set",
        "accuracy.optional=false",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "bench-job fetch --assets" in result.stderr


def test_fetch_without_network_is_one_line_naming_the_retry(cli, tmp_path):
    result = cli(
        "fetch",
        "--assets",
        str(tmp_path / "assets"),
        "--models",
        "distilbert-base-uncased",
        env={"HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("bench-job: error: fetch into") and "run the same command again" in last
    assert "Traceback" not in result.stderr


def test_loadgen_accuracy_mode_scores_the_dev_set_through_each_runtime(cli, tmp_path, sources, offline_env):
    """LoadGen's accuracy test (MLPerf issue): every dev-set sentence through LoadGen, the top-1 answers from its
    accuracy log equal to the evaluation's own accuracy and an independent one, against the eager fp32 reference."""
    pytest.importorskip("mlperf_loadgen")
    config = json.loads(open(own_checkpoint_config(tmp_path, sources)).read())
    config.update(
        variants=[{"precision": "fp32"}, {"precision": "fp32", "runtime": "onnxruntime"}],
        scenarios=["single-stream", "offline"],
        loadgen={"quick_min_duration_s": 0.3, "quick_min_query_count": 8},
    )
    path = tmp_path / "lg.yaml"
    path.write_text(json.dumps(config))
    result = cli("run", "--config", str(path), "--out", str(tmp_path / "out"), *SMALL, env=offline_env)
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.split()[-1]
    rows = {(r["runtime"], r["scenario"]): r for r in bundle_records(bundle)}
    expected = independent_accuracy(sources["bert"], sources["sst2"])
    with tarfile.open(bundle) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    for row in rows.values():
        assert row["status"] == "ok", row["reason"]
        assert row["loadgen_mode"] == "performance and accuracy"
        assert row["loadgen_accuracy_samples"] == 36 and row["loadgen_accuracy"] == pytest.approx(expected)
        assert row["fp32_reference_accuracy"] == pytest.approx(expected) and row["meets_mlperf_accuracy"] is True
    first = rows[("eager", "single-stream")]
    assert f"{first['loadgen_log']}/accuracy/mlperf_log_accuracy.json" in members
    assert "its log is with the variant's first row" in rows[("eager", "offline")]["notes"]
