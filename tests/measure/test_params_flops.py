from __future__ import annotations

import torch
from torch import nn

from bench_job.measure.flops import count_flops
from bench_job.measure.params import count_effective, count_unique


class SharedStack(nn.Module):
    """One Linear applied three times, as ALBERT applies one encoder layer twelve times."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(8, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        for _ in range(3):
            x = self.shared(x)
        return self.head(x)


def test_shared_weights_are_counted_once_unique_and_per_use_effective():
    model = SharedStack()
    x = torch.randn(1, 8)
    assert count_unique(model) == 72 + 18
    assert count_effective(model, lambda: model(x)) == 3 * 72 + 18


def test_tied_parameter_counted_once():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    model[1].weight = model[0].weight
    assert count_unique(model) == 40


def test_linear_flops_are_two_per_multiply_add():
    layer = nn.Linear(64, 32)
    x = torch.randn(5, 64)
    assert count_flops(lambda: layer(x)) == 2 * 5 * 64 * 32


def test_conv_flops():
    conv = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
    x = torch.randn(2, 3, 16, 16)
    assert count_flops(lambda: conv(x)) == 2 * 2 * 8 * 16 * 16 * 3 * 3 * 3


def _linear_and_conv():
    """A linear layer and a conv: what the zoo's models are made of."""
    torch.manual_seed(0)
    return nn.Linear(64, 32), nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)


def test_flops_are_counted_in_inference_mode_as_the_worker_counts_them():
    # torch 2.1's FlopCounterMode counts nothing for these in inference mode; count_flops must not.
    layer, conv = _linear_and_conv()
    x, images = torch.randn(5, 64), torch.randn(2, 3, 16, 16)
    a, b = torch.randn(4, 6, 7), torch.randn(4, 7, 9)
    with torch.inference_mode():
        assert count_flops(lambda: layer(x)) == 2 * 5 * 64 * 32
        assert count_flops(lambda: conv(images)) == 2 * 2 * 8 * 16 * 16 * 3 * 3 * 3
        assert count_flops(lambda: torch.matmul(a, b)) == 2 * 4 * 6 * 7 * 9


def test_the_decomposing_counter_counts_what_the_plain_one_counts_outside_inference_mode():
    from torch.utils.flop_counter import FlopCounterMode

    from bench_job.measure.decomposing_counter import DecomposingFlopCounterMode

    layer, conv = _linear_and_conv()
    x, images = torch.randn(5, 64), torch.randn(2, 3, 16, 16)

    def run():
        conv(images)
        return layer(x)

    with torch.no_grad(), FlopCounterMode(display=False) as plain:
        expected = run()
    with torch.inference_mode(), DecomposingFlopCounterMode(display=False) as decomposing:
        got = run()
    assert plain.get_total_flops() == decomposing.get_total_flops() > 0
    assert torch.equal(expected, got)  # the decomposition computes the same outputs
