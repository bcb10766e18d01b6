"""Tiny models for the runtime tests: a torchvision-like conv net and a 2-layer BERT config."""

from __future__ import annotations

import torch
from torch import nn


class TinyConvNet(nn.Module):
    """Conv, batch norm, ReLU, pooling and a linear head, called as model(x=images) like torchvision's."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class DataDependentNet(nn.Module):
    """Branches on a tensor's value: torch.export cannot trace it, dynamic axes or not."""

    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return x


class NoOnnxOpNet(nn.Module):
    """An eigendecomposition, which the TorchScript ONNX exporter has no symbolic for at any opset."""

    def forward(self, x):
        return torch.linalg.eig(x)[0].real


def tiny_conv(seed: int = 0):
    torch.manual_seed(seed)
    return TinyConvNet().eval()


def tiny_bert(seed: int = 0):
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=256,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=2,
    )
    config._attn_implementation = "eager"
    return BertForSequenceClassification(config).eval()


def images(batch: int, side: int, seed: int = 0) -> dict:
    return {"x": torch.randn(batch, 3, side, side, generator=torch.Generator().manual_seed(seed))}


def tokens(batch: int, length: int, seed: int = 0) -> dict:
    ids = torch.randint(5, 256, (batch, length), generator=torch.Generator().manual_seed(seed))
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
