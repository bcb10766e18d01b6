"""FLOPs and MACs of one forward pass, counted by torch.utils.flop_counter.FlopCounterMode.

FlopCounterMode counts 2 FLOPs per multiply-add, so MACs are half of it; ptflops, fvcore and
torchvision's documented "GFLOPS" are MAC counts. It does not see scaled-dot-product attention on the
CPU nor quantized kernels: transformers are built with eager attention, and int8 rows carry no count.
"""

from __future__ import annotations

COUNTER_NAME = "torch.utils.flop_counter.FlopCounterMode"


def count_flops(fn) -> int:
    """FLOPs of one call of fn (which must run the forward pass once)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())
