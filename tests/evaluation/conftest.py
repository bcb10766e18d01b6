"""Session fixtures: tiny checkpoints, datasets and a fetched assets directory, all built offline."""

from __future__ import annotations

import shutil

import pytest

from tests.evaluation import fixtures

BERT_REPO = "textattack/bert-base-uncased-SST-2"


@pytest.fixture(scope="session")
def fixture_sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    return {
        "bert": fixtures.make_bert_repo(str(root / "bert"), train=True),
        "weights": fixtures.make_resnet18_weights(str(root / "resnet18.pth")),
        "sst2": fixtures.make_sst2_dataset(),
        "imagenette": fixtures.make_imagenette_dataset(per_class=1),
    }


@pytest.fixture
def fake_downloaders(fixture_sources):
    return fixtures.FakeDownloaders(
        repos={BERT_REPO: fixture_sources["bert"]},
        weights_file=fixture_sources["weights"],
        datasets_by_repo={"nyu-mll/glue": fixture_sources["sst2"], "frgfm/imagenette": fixture_sources["imagenette"]},
    )


MODELS = ["bert-base-uncased", "resnet18"]
TASKS = ["sst2", "imagenette"]


@pytest.fixture(scope="session")
def fetched_assets(tmp_path_factory, fixture_sources):
    """One assets directory fetched through the real fetch code (read-only use: copy it to modify)."""
    from evaluation import fetch

    dl = fixtures.FakeDownloaders(
        repos={BERT_REPO: fixture_sources["bert"]},
        weights_file=fixture_sources["weights"],
        datasets_by_repo={"nyu-mll/glue": fixture_sources["sst2"], "frgfm/imagenette": fixture_sources["imagenette"]},
    )
    assets_dir = str(tmp_path_factory.mktemp("assets"))
    fetch(assets_dir, MODELS, TASKS, progress=False, downloaders=dl.as_downloaders())
    return assets_dir


@pytest.fixture
def assets_copy(fetched_assets, tmp_path):
    dest = str(tmp_path / "assets")
    shutil.copytree(fetched_assets, dest, symlinks=True)
    return dest
