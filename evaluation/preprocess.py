"""Turning a batch of raw dev-set rows into model inputs with the checkpoint's own preprocessing.

This runs outside the timed region: real_latency_per_batch_s covers the forward pass only, like the
synthetic latency figures it is compared with.
"""

import torch

# Models whose position ids start after the padding index, so two positions are never usable.
_OFFSET_POSITION_MODELS = {"roberta", "longformer", "xlm-roberta", "camembert"}


def text_max_length(tokenizer, model) -> int:
    """The longest input the pair accepts: the tokenizer's limit, capped by the model's positions
    (tokenizers saved without a limit report a huge sentinel value)."""
    limits = [tokenizer.model_max_length]
    config = getattr(model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if positions:
        if getattr(config, "model_type", None) in _OFFSET_POSITION_MODELS:
            positions -= (getattr(config, "pad_token_id", None) or 0) + 1
        limits.append(positions)
    return int(min(v for v in limits if v and v > 0))


def encode_text(tokenizer, texts: list[str], max_length: int) -> tuple[tuple, dict, dict]:
    """(args, kwargs, facts): padded to the longest sentence of this batch (dynamic padding)."""
    encoded = tokenizer(list(texts), padding="longest", truncation=True, max_length=max_length,
                        return_tensors="pt")
    mask = encoded.get("attention_mask")
    facts = {"padded_len": int(encoded["input_ids"].shape[1]),
             "tokens": int(mask.sum()) if mask is not None else int(encoded["input_ids"].numel())}
    return (), dict(encoded), facts


def encode_images(transform, images: list) -> tuple[tuple, dict, dict]:
    """(args, kwargs, facts): the weights' transforms applied per image, stacked into one batch."""
    batch = torch.stack([transform(img) for img in images])
    return (batch,), {}, {"side": int(batch.shape[-1])}


def to_device(args: tuple, kwargs: dict, device: str, dtype) -> tuple[tuple, dict]:
    def move(t):
        t = t.to(device)
        return t.to(dtype) if dtype is not None and t.is_floating_point() else t

    return tuple(move(a) for a in args), {k: move(v) for k, v in kwargs.items()}


def resolve_dtype(dtype):
    """torch dtype from a torch dtype, a name ("float16") or the config's precision names ("fp16")."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    names = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16", "int8": None}
    name = names.get(str(dtype), str(dtype))
    return getattr(torch, name) if name else None
