"""A FlopCounterMode that decomposes the composite ops it has no formula for (aten.linear, aten.conv2d, ...) into
the ones it has (addmm, convolution), as torch's own counter does in newer releases. torch 2.1's counter (JetPack
5 and 6.0) only counts what reaches it, and in inference mode, where the worker counts, autograd no longer
decomposes those ops on the way: it counted 0 FLOPs for a BERT and 0.02 GFLOPs for a ResNet18. Decomposed, SDPA
attention counts its matmuls too, as eager attention does. In newer torch, whose FlopCounterMode dispatches through
an inner mode of its own, this override is never called and the class counts as FlopCounterMode does.
"""

from __future__ import annotations

import functools

from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode


class DecomposingFlopCounterMode(FlopCounterMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func._overloadpacket not in self.flop_mapping:  # torch 2.1's name for its formulas
            # The decomposition's ops dispatch through this mode again (counted, or decomposed further);
            # TorchDispatchMode's own enter, since FlopCounterMode's would clear the counts so far.
            TorchDispatchMode.__enter__(self)
            try:
                out = func.decompose(*args, **kwargs)
            finally:
                TorchDispatchMode.__exit__(self, None, None, None)
            if out is not NotImplemented:
                return out
        return super().__torch_dispatch__(func, types, args, kwargs)


@functools.lru_cache(maxsize=None)
def counter_misses_inference_mode() -> bool:
    """Whether this torch's FlopCounterMode counts nothing for a linear layer in inference mode (torch 2.1)."""
    import torch

    with torch.inference_mode():
        x = torch.ones(2, 2)
        with FlopCounterMode(display=False) as counter:
            torch.nn.functional.linear(x, x)
    return counter.get_total_flops() == 0
