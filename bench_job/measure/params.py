"""Parameter counts: unique (each shared tensor once) and effective (each use in a forward pass).

model.parameters() yields a shared Parameter once, so ALBERT, whose 12 layers are one shared layer,
counts about 11.7M. The effective count adds a module's own parameters every time the module runs,
which is what one forward pass actually multiplies by: ALBERT-base about 89.7M.
"""

from __future__ import annotations


def count_unique(model) -> int:
    return sum(p.numel() for p in model.parameters())


def count_effective(model, fn) -> int:
    """Parameters used by one call of fn, counting a module's own parameters once per call of it."""
    total = 0

    def hook(module, _inputs, _output):
        nonlocal total
        total += sum(p.numel() for p in module.parameters(recurse=False))

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        fn()
    finally:
        for handle in handles:
            handle.remove()
    return total
