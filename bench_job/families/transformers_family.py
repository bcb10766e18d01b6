"""transformers sequence classifiers: input_size is the sequence length in tokens."""

from __future__ import annotations

import os

from bench_job.errors import UserError, one_line
from bench_job.families.base import Family

# Models whose position ids start after the padding index, so that two positions are never usable
# (RoBERTa's table has 514 rows for 512 tokens). BART and mBART are not: their table holds
# max_position_embeddings + 2 rows, so every one of max_position_embeddings positions is usable.
_OFFSET_POSITION_MODELS = {"roberta", "longformer", "xlm-roberta", "camembert"}


def usable_positions(config) -> int | None:
    """The longest sequence a model config's position table takes, or None when it has no limit."""
    limit = getattr(config, "max_position_embeddings", None)
    if limit is None:
        return None
    if getattr(config, "model_type", None) in _OFFSET_POSITION_MODELS:
        limit -= (getattr(config, "pad_token_id", None) or 0) + 1
    return limit


def text_max_length(tokenizer, model) -> int:
    """The longest input the pair accepts: the tokenizer's limit, capped by the model's positions
    (tokenizers saved without a limit report a huge sentinel value)."""
    limits = [tokenizer.model_max_length, usable_positions(getattr(model, "config", None))]
    return int(min(v for v in limits if v and v > 0))


def encode_text(tokenizer, texts: list[str], max_length: int) -> tuple[tuple, dict, dict]:
    """(args, kwargs, facts): padded to the longest sentence of this batch (dynamic padding)."""
    encoded = tokenizer(list(texts), padding="longest", truncation=True, max_length=max_length, return_tensors="pt")
    mask = encoded.get("attention_mask")
    facts = {
        "padded_len": int(encoded["input_ids"].shape[1]),
        "tokens": int(mask.sum()) if mask is not None else int(encoded["input_ids"].numel()),
    }
    return (), dict(encoded), facts


class TransformersFamily(Family):
    name = "transformers"
    sweep = "nlp"
    input_unit = "tokens"
    modality = "text"
    library = "transformers"

    def build(self, entry, weights: str, seed: int):
        import torch
        from transformers import AutoConfig, AutoModelForSequenceClassification

        _quiet()
        torch.manual_seed(seed)
        # Eager attention, so that FlopCounterMode sees the attention matmuls (it counts 0 for SDPA on CPU).
        attn = entry.attn_implementation
        if weights == "random":
            if isinstance(entry.architecture, dict):
                arch = dict(entry.architecture)
                config = AutoConfig.for_model(arch.pop("model_type"), num_labels=2, **arch)
            else:
                config = self._load_config(entry)
            config._attn_implementation = attn
            return AutoModelForSequenceClassification.from_config(config)
        source = entry.source or entry.pretrained
        try:
            return AutoModelForSequenceClassification.from_pretrained(source, attn_implementation=attn)
        except (OSError, ValueError) as exc:
            raise UserError(
                f"pretrained weights for {entry.name} ({source}) are not available offline: run "
                f"`bench-job fetch --assets DIR` and pass --assets DIR, name a local checkpoint folder as "
                f"source, or use weights: random ({one_line(exc, 200)})"
            ) from None

    def load_checkpoint(self, architecture, path: str, attn_implementation: str = "eager"):
        from transformers import AutoModelForSequenceClassification

        _quiet()
        try:
            return AutoModelForSequenceClassification.from_pretrained(path, attn_implementation=attn_implementation)
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot load the checkpoint at {path} ({one_line(exc, 160)}): "
                f"fetch it again with `bench-job fetch --assets DIR`"
            ) from None

    def _load_config(self, entry):
        from transformers import AutoConfig

        try:
            return AutoConfig.from_pretrained(entry.source)
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot read the architecture of {entry.name} from {entry.source}: give a local checkpoint "
                f"folder holding config.json, or fetch it first ({one_line(exc, 200)})"
            ) from None

    def preprocessing(self, entry, path: str | None = None):
        from transformers import AutoTokenizer

        source = path or entry.source or entry.pretrained
        try:
            return AutoTokenizer.from_pretrained(source)
        except (OSError, ValueError) as exc:
            whose = f" for {entry.name}" if entry else ""
            raise UserError(
                f"no tokenizer{whose} at {source}: save it with the checkpoint "
                f"(tokenizer.save_pretrained) or fetch it ({one_line(exc, 200)})"
            ) from None

    def real_input_encoder(self, preprocessing, model):
        max_length = text_max_length(preprocessing, model)
        return lambda texts: encode_text(preprocessing, texts, max_length)

    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        import torch

        generator = torch.Generator().manual_seed(seed)
        vocab = model.config.vocab_size
        # Stay clear of the special tokens at the start of every vocabulary.
        low = min(1000, vocab // 2)
        ids = torch.randint(low, vocab, (batch_size, input_size), generator=generator)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def max_input_size(self, model) -> int | None:
        return usable_positions(model.config)


def _quiet() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()


def is_checkpoint_folder(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "config.json"))
