"""FLOPs and MACs of one forward pass, counted by torch.utils.flop_counter.FlopCounterMode.

FlopCounterMode counts 2 FLOPs per multiply-add, so MACs are half of it; ptflops, fvcore and
torchvision's documented "GFLOPS" are MAC counts. It does not see scaled-dot-product attention on the
CPU nor quantized kernels: transformers are built with eager attention, and int8 rows carry no count.
Where torch's counter misses composite ops in inference mode (torch 2.1: JetPack 5 and 6.0), a subclass that
decomposes them counts instead (decomposing_counter.py), and the row's flop_counter says so.
"""

from __future__ import annotations

COUNTER_NAME = "torch.utils.flop_counter.FlopCounterMode"
# What the flop_counter column says where torch's counter misses composite ops in inference mode (torch 2.1).
DECOMPOSING_NAME = f"{COUNTER_NAME}, composite ops decomposed first (bench_job.measure.decomposing_counter)"


def counter_name() -> str:
    """Which counter count_flops uses with this torch: the flop_counter column."""
    from bench_job.measure.decomposing_counter import counter_misses_inference_mode

    return DECOMPOSING_NAME if counter_misses_inference_mode() else COUNTER_NAME


def count_flops(fn) -> int:
    """FLOPs of one call of fn (which must run the forward pass once)."""
    from torch.utils.flop_counter import FlopCounterMode

    from bench_job.measure.decomposing_counter import DecomposingFlopCounterMode

    mode = DecomposingFlopCounterMode if counter_name() == DECOMPOSING_NAME else FlopCounterMode
    with mode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())
