"""Shared fixtures: tiny real checkpoints built offline, and a runner for the real CLI."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

INTEGRATION = pathlib.Path(__file__).resolve().parent / "integration"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    """Every test under tests/integration runs the real CLI and spawns workers: marked e2e, so that
    `make test-fast` (-m "not docker and not e2e") leaves them out by marker, whatever the folder list."""
    for item in items:
        if INTEGRATION in pathlib.Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory):
    """A 2-layer BERT sequence classifier saved with save_pretrained, as a user's own checkpoint would be."""
    from transformers import BertConfig, BertForSequenceClassification

    path = tmp_path_factory.mktemp("tiny-bert")
    config = BertConfig(
        vocab_size=512,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=2,
    )
    BertForSequenceClassification(config).save_pretrained(path)
    return str(path)


def run_cli(*args, env=None, timeout=600):
    """Run `python -m bench_job ...` for real; returns the CompletedProcess."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "bench_job", *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


@pytest.fixture
def cli():
    return run_cli
