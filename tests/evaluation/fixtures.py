"""Tiny real assets built offline, and downloaders that serve them the way the Hub and torchvision would."""

from __future__ import annotations

import hashlib
import os
import shutil

import numpy as np

POSITIVE = ["good", "great", "fine", "superb", "lovely", "fun"]
NEGATIVE = ["bad", "awful", "dull", "poor", "boring", "weak"]
FILLER = ["the", "film", "plot", "movie", "was", "very", "acting", "story"]
IMAGENETTE_NAMES = [
    "tench",
    "English springer",
    "cassette player",
    "chain saw",
    "church",
    "French horn",
    "garbage truck",
    "gas pump",
    "golf ball",
    "parachute",
]


def sst2_rows(n: int, seed: int = 0):
    """SST-2-shaped rows: one sentiment word among filler words; label 1 for positive words."""
    rng = np.random.default_rng(seed)
    rows = {"sentence": [], "label": [], "idx": []}
    for i in range(n):
        label = int(i % 3 != 0)  # unbalanced on purpose: 2/3 positive, for the stratified subset test
        word = rng.choice(POSITIVE if label else NEGATIVE)
        filler = list(rng.choice(FILLER, size=int(rng.integers(1, 6))))
        filler.insert(int(rng.integers(0, len(filler) + 1)), word)
        rows["sentence"].append(" ".join(filler))
        rows["label"].append(label)
        rows["idx"].append(i)
    return rows


def make_sst2_dataset(n: int = 36):
    import datasets

    features = datasets.Features(
        {
            "sentence": datasets.Value("string"),
            "label": datasets.ClassLabel(names=["negative", "positive"]),
            "idx": datasets.Value("int32"),
        }
    )
    return datasets.Dataset.from_dict(sst2_rows(n), features=features)


def make_images(n: int, seed: int, size=(48, 40)):
    from PIL import Image

    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)) for _ in range(n)]


def make_imagenette_dataset(per_class: int = 2):
    import datasets

    labels = [c for c in range(10) for _ in range(per_class)]
    features = datasets.Features({"image": datasets.Image(), "label": datasets.ClassLabel(names=IMAGENETTE_NAMES)})
    return datasets.Dataset.from_dict({"image": make_images(len(labels), seed=1), "label": labels}, features=features)


def write_vocab(path: str) -> str:
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + POSITIVE + NEGATIVE + FILLER
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(words) + "\n")
    return path


def bert_tokenizer(cls, vocab_path: str):
    """The word-piece tokenizer of a vocab file: transformers 5 takes it as vocab=, transformers 4 (the old stack's
    4.46) as vocab_file=."""
    import inspect

    if "vocab_file" in inspect.signature(cls.__init__).parameters:
        return cls(vocab_file=vocab_path)
    return cls(vocab=vocab_path)


def make_bert_repo(folder: str, train: bool) -> str:
    """A tiny BERT SST-2 classifier saved with save_pretrained, with its tokenizer (as a Hub repo holds).

    train=True fits it on the tiny SST-2 rows (seconds), so that a label-map swap has something to show.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    os.makedirs(folder, exist_ok=True)
    tokenizer = bert_tokenizer(BertTokenizer, write_vocab(os.path.join(folder, "vocab.txt")))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    model = BertForSequenceClassification(config)
    if train:
        rows = sst2_rows(36)
        batch = tokenizer(rows["sentence"], padding=True, return_tensors="pt")
        labels = torch.tensor(rows["label"])
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model.train()
        for _ in range(60):  # usually separates the rows within 15 steps; stop as soon as it does
            optimizer.zero_grad()
            out = model(**batch, labels=labels)
            if bool((out.logits.argmax(-1) == labels).all()) and out.loss.item() < 0.2:
                break
            out.loss.backward()
            optimizer.step()
        model.eval()
    # textattack's checkpoints carry placeholder names only: keep transformers' LABEL_0/LABEL_1
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def make_swapped_label_names_repo(folder: str, trained_repo: str) -> str:
    """A copy of a trained SST-2 repo (output 0 = negative) whose config names the outputs the other way round,
    as a checkpoint exported with its id2label swapped: every prediction it reports is reversed."""
    import json

    shutil.copytree(trained_repo, folder)
    path = os.path.join(folder, "config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    config.update(id2label={"0": "positive", "1": "negative"}, label2id={"positive": 0, "negative": 1})
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    return folder


def make_resnet18_weights(path: str) -> str:
    """A real torchvision resnet18 (random init, seeded) saved as a state dict, like the released file."""
    import torch
    import torchvision

    torch.manual_seed(0)
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    return path


class FakeDownloaders:
    """Serve local fixtures through the downloaders' interface; counts calls and can be told to fail.

    Model repos are laid out like huggingface_hub's cache (blobs + snapshot symlinks), so that corrupt-blob
    handling is exercised as it would be on real snapshots.
    """

    def __init__(self, repos: dict, weights_file: str, datasets_by_repo: dict):
        self.repos, self.weights_file, self.datasets_by_repo = repos, weights_file, datasets_by_repo
        self.calls = []
        self.fail_on = set()

    def hf_snapshot(self, repo_id, revision, allow_patterns, cache_dir, progress):
        import fnmatch

        self.calls.append(("hf_snapshot", repo_id))
        if repo_id in self.fail_on:
            raise ConnectionError(f"simulated network failure fetching {repo_id}")
        commit = hashlib.sha1(repo_id.encode()).hexdigest()
        repo_dir = os.path.join(cache_dir, "models--" + repo_id.replace("/", "--"))
        snapshot = os.path.join(repo_dir, "snapshots", commit)
        os.makedirs(snapshot, exist_ok=True)
        os.makedirs(os.path.join(repo_dir, "blobs"), exist_ok=True)
        for name in sorted(os.listdir(self.repos[repo_id])):
            if not any(fnmatch.fnmatch(name, p) for p in allow_patterns):
                continue
            link = os.path.join(snapshot, name)
            if os.path.exists(link):
                continue  # like the real client: a present file is not downloaded again
            src = os.path.join(self.repos[repo_id], name)
            with open(src, "rb") as f:
                blob = os.path.join(repo_dir, "blobs", hashlib.sha256(f.read()).hexdigest())
            shutil.copyfile(src, blob)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.relpath(blob, snapshot), link)
        return snapshot

    def url_file(self, url, dst, hash_prefix, progress):
        self.calls.append(("url_file", url))
        if url in self.fail_on:
            raise ConnectionError(f"simulated network failure fetching {url}")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(self.weights_file, dst)

    def hf_dataset(self, spec, dest, scratch_dir, progress):
        self.calls.append(("hf_dataset", spec["repo"]))
        if spec["repo"] in self.fail_on:
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, "partial.arrow"), "wb") as f:
                f.write(b"half a download")
            raise ConnectionError(f"simulated interruption fetching {spec['repo']}")
        ds = self.datasets_by_repo[spec["repo"]]
        ds.save_to_disk(dest)
        return {"revision": "fixture", "rows": len(ds)}

    def as_downloaders(self):
        from evaluation.downloaders import Downloaders

        return Downloaders(hf_snapshot=self.hf_snapshot, url_file=self.url_file, hf_dataset=self.hf_dataset)

    def count(self, kind):
        return sum(1 for c in self.calls if c[0] == kind)


def make_albert_repo(folder: str) -> str:
    """An ALBERT classifier shipped the way textattack's is: weights, config and spiece.model only."""
    import io
    import json

    import sentencepiece as spm
    import torch
    from transformers import AlbertConfig, AlbertForSequenceClassification

    os.makedirs(folder, exist_ok=True)
    model_file = io.BytesIO()
    # ALBERT's vocabulary layout: <pad>=0, <unk>=1, then [CLS], [SEP], [MASK]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sst2_rows(36)["sentence"] * 5),
        model_writer=model_file,
        vocab_size=48,
        model_type="unigram",
        pad_id=0,
        unk_id=1,
        bos_id=-1,
        eos_id=-1,
        user_defined_symbols=["[CLS]", "[SEP]", "[MASK]"],
        hard_vocab_limit=False,
        minloglevel=2,
    )
    with open(os.path.join(folder, "spiece.model"), "wb") as f:
        f.write(model_file.getvalue())
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"do_lower_case": True}, f)
    torch.manual_seed(0)
    config = AlbertConfig(
        vocab_size=64,
        embedding_size=16,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=2,
    )
    AlbertForSequenceClassification(config).save_pretrained(folder)
    return folder
