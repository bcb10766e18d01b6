"""fetch / verify / resume / corruption, with the download functions replaced by local fixtures."""

from __future__ import annotations

import json
import os

import pytest

from evaluation import AssetsError, fetch, require, verify
from evaluation.manifest import sha256
from tests.evaluation.conftest import MODELS, TASKS


def _manifest(assets_dir):
    with open(os.path.join(assets_dir, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def test_fetch_writes_a_manifest_that_matches_the_files(tmp_path, fake_downloaders):
    assets_dir = str(tmp_path / "assets")
    outcome = fetch(assets_dir, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    assert outcome == {
        "model:bert-base-uncased": "fetched",
        "tokenizer:bert-base-uncased": "fetched",
        "model:resnet18": "fetched",
        "data:sst2": "fetched",
        "data:imagenette": "fetched",
    }
    items = _manifest(assets_dir)["items"]
    for key, item in items.items():
        assert item["complete"] and item["files"], key
        for rel, facts in item["files"].items():
            path = os.path.join(assets_dir, rel)
            assert os.path.getsize(path) == facts["size"]
            assert sha256(path) == facts["sha256"]
    # layout: torchvision weights where torchvision looks offline, under the file name of the real URL
    assert items["model:resnet18"]["root"] == "torch/hub/checkpoints/resnet18-f37072fd.pth"
    assert items["model:resnet18"]["source"] == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert items["model:bert-base-uncased"]["root"].startswith("hf/hub/models--textattack--bert-base-uncased-SST-2/")
    assert os.path.isfile(os.path.join(assets_dir, items["tokenizer:bert-base-uncased"]["root"], "tokenizer.json"))
    assert items["data:sst2"]["root"] == "data/sst2" and items["data:sst2"]["source"] == "hf://datasets/nyu-mll/glue"
    assert items["data:imagenette"]["split"] == "validation"
    assert verify(assets_dir) == []
    require(assets_dir, MODELS, TASKS)


def test_second_fetch_verifies_and_downloads_nothing(assets_copy, fake_downloaders):
    outcome = fetch(assets_copy, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    assert set(outcome.values()) == {"verified"}
    assert fake_downloaders.calls == []


def test_corrupt_weights_are_detected_then_refetched(assets_copy, fake_downloaders):
    path = os.path.join(assets_copy, "torch/hub/checkpoints/resnet18-f37072fd.pth")
    with open(path, "r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    problems = verify(assets_copy)
    assert len(problems) == 1 and "model:resnet18" in problems[0] and "sha256" in problems[0]
    assert verify(assets_copy, deep=False) == []  # same size: only the hash can see it
    with pytest.raises(AssetsError, match=r"bench-job fetch --assets DIR") as info:
        require(assets_copy, MODELS, TASKS)
    assert "\n" not in str(info.value)
    outcome = fetch(assets_copy, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    assert outcome["model:resnet18"] == "fetched"
    assert [c[0] for c in fake_downloaders.calls] == ["url_file"]
    assert verify(assets_copy) == []


def test_corrupt_hub_blob_is_replaced(assets_copy, fake_downloaders):
    item = json.load(open(os.path.join(assets_copy, "manifest.json")))["items"]["model:bert-base-uncased"]
    config = os.path.join(assets_copy, item["root"], "config.json")
    assert os.path.islink(config)
    with open(os.path.realpath(config), "a", encoding="utf-8") as f:
        f.write(" ")
    assert any("config.json" in p for p in verify(assets_copy))
    fetch(assets_copy, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    assert fake_downloaders.calls == [("hf_snapshot", "textattack/bert-base-uncased-SST-2")]
    assert verify(assets_copy) == []


def test_interrupted_fetch_resumes_where_it_stopped(tmp_path, fake_downloaders):
    assets_dir = str(tmp_path / "assets")
    fake_downloaders.fail_on.add("frgfm/imagenette")
    with pytest.raises(ConnectionError):
        fetch(assets_dir, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    items = _manifest(assets_dir)["items"]
    assert items["data:sst2"]["complete"] and not items["data:imagenette"]["complete"]
    assert verify(assets_dir) == ["data:imagenette: incomplete (an earlier fetch was interrupted)"]
    with pytest.raises(AssetsError, match="incomplete"):
        require(assets_dir)

    fake_downloaders.fail_on.clear()
    fake_downloaders.calls.clear()
    outcome = fetch(assets_dir, MODELS, TASKS, progress=False, downloaders=fake_downloaders.as_downloaders())
    assert outcome["data:imagenette"] == "fetched"
    assert [k for k, v in outcome.items() if v == "fetched"] == ["data:imagenette"]
    assert fake_downloaders.calls == [("hf_dataset", "frgfm/imagenette")]
    assert not os.path.exists(os.path.join(assets_dir, "data/imagenette/partial.arrow"))
    assert verify(assets_dir) == []


def test_missing_assets_give_one_line_naming_fetch(tmp_path):
    empty = str(tmp_path / "nothing")
    assert verify(empty) == [f"no manifest.json in {empty}"]
    with pytest.raises(
        AssetsError, match=r"^assets in .* missing or corrupt: no manifest.json.*bench-job fetch --assets DIR"
    ):
        require(empty)
    from evaluation import load_pretrained

    with pytest.raises(AssetsError, match="bench-job fetch --assets DIR"):
        load_pretrained("resnet18", empty)


def test_verify_names_items_that_were_never_fetched(assets_copy):
    problems = verify(assets_copy, models=["resnet18", "vgg16"], tasks=["sst2"])
    assert problems == ["model:vgg16: not fetched"]


def test_fetch_refuses_vgg16_feature_weights(tmp_path, fake_downloaders, monkeypatch):
    from evaluation import assets
    from evaluation.errors import EvaluationError

    monkeypatch.setitem(assets.PRETRAINED, "vgg16", dict(assets.PRETRAINED["vgg16"], weights="IMAGENET1K_FEATURES"))
    with pytest.raises(EvaluationError, match="no classifier head"):
        fetch(str(tmp_path), ["vgg16"], [], progress=False, downloaders=fake_downloaders.as_downloaders())


def test_offline_env_points_every_library_at_the_assets(tmp_path):
    from evaluation import offline_env

    env = offline_env(str(tmp_path))
    assert env["HF_HOME"] == os.path.join(str(tmp_path), "hf")
    assert env["TORCH_HOME"] == os.path.join(str(tmp_path), "torch")
    for flag in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
        assert env[flag] == "1"


def test_real_file_downloader_checks_torchvision_hash_prefix(tmp_path):
    """downloaders.url_file is torch.hub's downloader: a file:// URL exercises it with no network."""
    from evaluation import downloaders

    src = tmp_path / "weights-0000.pth"
    src.write_bytes(b"weights" * 1000)
    prefix = sha256(str(src))[:8]
    downloaders.url_file(src.as_uri(), str(tmp_path / "out" / "ok.pth"), prefix, progress=False)
    assert (tmp_path / "out" / "ok.pth").read_bytes() == src.read_bytes()
    with pytest.raises(RuntimeError, match="invalid hash value"):
        downloaders.url_file(src.as_uri(), str(tmp_path / "out" / "bad.pth"), "deadbeef", progress=False)
    assert not (tmp_path / "out" / "bad.pth").exists()


def test_real_dataset_downloader_saves_the_split_and_checks_its_size(tmp_path, fixture_sources):
    """downloaders.hf_dataset runs datasets.load_dataset for real, here on a local parquet folder."""
    from evaluation import downloaders
    from evaluation.errors import EvaluationError

    repo = tmp_path / "glue"
    repo.mkdir()
    fixture_sources["sst2"].to_parquet(str(repo / "validation.parquet"))
    spec = {"repo": str(repo), "config": None, "split": "validation", "rows": 36}
    facts = downloaders.hf_dataset(spec, str(tmp_path / "saved"), str(tmp_path), progress=False)
    assert facts["rows"] == 36
    from evaluation.datasets_sst2 import load_sst2

    assert load_sst2(str(tmp_path / "saved"), "saved split").labels == fixture_sources["sst2"]["label"]
    with pytest.raises(EvaluationError, match="has 36 rows, expected 872"):
        downloaders.hf_dataset(dict(spec, rows=872), str(tmp_path / "again"), str(tmp_path), progress=False)
