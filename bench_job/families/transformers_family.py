"""transformers sequence classifiers: input_size is the sequence length in tokens."""

import os

from bench_job.errors import UserError, one_line
from bench_job.families.base import Family

# Models whose position ids start after the padding index, so that two positions are never usable.
_OFFSET_POSITION_MODELS = {"roberta", "longformer", "xlm-roberta", "camembert", "bart", "mbart"}


class TransformersFamily(Family):
    name = "transformers"
    sweep = "nlp"
    input_unit = "tokens"
    library = "transformers"

    def build(self, entry, weights: str, seed: int):
        import torch
        from transformers import AutoConfig, AutoModelForSequenceClassification
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
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
                f"source, or use weights: random ({one_line(exc, 200)})") from None

    def _load_config(self, entry):
        from transformers import AutoConfig

        try:
            return AutoConfig.from_pretrained(entry.source)
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot read the architecture of {entry.name} from {entry.source}: give a local checkpoint "
                f"folder holding config.json, or fetch it first ({one_line(exc, 200)})") from None

    def preprocessing(self, entry):
        from transformers import AutoTokenizer

        source = entry.source or entry.pretrained
        try:
            return AutoTokenizer.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise UserError(f"no tokenizer for {entry.name} at {source}: save it with the checkpoint "
                            f"(tokenizer.save_pretrained) or fetch it ({one_line(exc, 200)})") from None

    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        import torch

        generator = torch.Generator().manual_seed(seed)
        vocab = model.config.vocab_size
        # Stay clear of the special tokens at the start of every vocabulary.
        low = min(1000, vocab // 2)
        ids = torch.randint(low, vocab, (batch_size, input_size), generator=generator)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def max_input_size(self, model) -> int | None:
        config = model.config
        limit = getattr(config, "max_position_embeddings", None)
        if limit is None:
            return None
        if config.model_type in _OFFSET_POSITION_MODELS:
            limit -= (config.pad_token_id or 0) + 1
        return limit


def is_checkpoint_folder(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "config.json"))
