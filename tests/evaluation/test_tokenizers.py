"""Tokenizers saved at fetch time: ALBERT's SentencePiece model becomes a tokenizer.json, and a checkpoint
without tokenizer files takes its base model's."""

from __future__ import annotations

import os
import shutil

import pytest

from bench_job.measure.latency import CpuTimer
from evaluation import assets, evaluate_model, fetch, load_pretrained, verify
from tests.evaluation import fixtures
from tests.evaluation.conftest import BERT_REPO

ALBERT_REPO = "textattack/albert-base-v2-SST-2"


def test_albert_spiece_model_is_saved_as_tokenizer_json(tmp_path, fixture_sources):
    pytest.importorskip("sentencepiece")
    from transformers import AutoTokenizer

    repo = fixtures.make_albert_repo(str(tmp_path / "albert"))
    dl = fixtures.FakeDownloaders(
        repos={ALBERT_REPO: repo},
        weights_file=fixture_sources["weights"],
        datasets_by_repo={"nyu-mll/glue": fixture_sources["sst2"]},
    )
    assets_dir = str(tmp_path / "assets")
    fetch(assets_dir, ["albert-base-v2"], ["sst2"], progress=False, downloaders=dl.as_downloaders())
    saved = assets.tokenizer_dir(assets_dir, "albert-base-v2")
    assert os.path.isfile(os.path.join(saved, "tokenizer.json"))
    assert not os.path.exists(os.path.join(saved, "spiece.model"))  # the run needs no SentencePiece model
    assert verify(assets_dir) == []

    original = AutoTokenizer.from_pretrained(repo)
    model, tokenizer, label_map = load_pretrained("albert-base-v2", assets_dir)
    for sentence in fixture_sources["sst2"]["sentence"][:6]:
        assert tokenizer(sentence)["input_ids"] == original(sentence)["input_ids"]
    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=8,
        assets_dir=assets_dir,
        progress=False,
    )
    assert result["eval_examples"] == 36 and result["accuracy"] is not None


def test_checkpoint_without_tokenizer_takes_its_tokenizer_source(tmp_path, fixture_sources, monkeypatch):
    bare = str(tmp_path / "bare")
    os.makedirs(bare)
    for name in os.listdir(fixture_sources["bert"]):
        if not name.startswith(("tokenizer", "vocab", "special")):
            shutil.copy(os.path.join(fixture_sources["bert"], name), bare)
    monkeypatch.setitem(
        assets.PRETRAINED,
        "longformer-base-4096",
        dict(assets.PRETRAINED["longformer-base-4096"], source="someone/bare-sst2", tokenizer_source=BERT_REPO),
    )
    dl = fixtures.FakeDownloaders(
        repos={"someone/bare-sst2": bare, BERT_REPO: fixture_sources["bert"]},
        weights_file=fixture_sources["weights"],
        datasets_by_repo={},
    )
    assets_dir = str(tmp_path / "assets")
    fetch(assets_dir, ["longformer-base-4096"], [], progress=False, downloaders=dl.as_downloaders())
    assert dl.calls == [("hf_snapshot", "someone/bare-sst2"), ("hf_snapshot", BERT_REPO)]
    model, tokenizer, label_map = load_pretrained("longformer-base-4096", assets_dir)
    assert label_map == "measure"
    assert tokenizer("good film")["input_ids"][1:3] == [tokenizer.vocab["good"], tokenizer.vocab["film"]]
