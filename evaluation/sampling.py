"""Seeded stratified subsets, so that a quick run on max_examples keeps the dev set's class balance."""

from __future__ import annotations

import numpy as np


def stratified_indices(labels, n: int | None, seed: int) -> list[int]:
    """Sorted row indices: all rows when n is None or covers the set, else n rows drawn per class.

    Each class gets its share of n by largest remainder, then rows are drawn without replacement with a
    numpy Generator seeded by `seed`: the same (labels, n, seed) always gives the same rows.
    """
    labels = np.asarray(labels)
    total = len(labels)
    if n is None or n >= total:
        return list(range(total))
    if n <= 0:
        raise ValueError(f"max_examples must be positive, got {n}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * n / total
    quota = np.floor(exact).astype(int)
    # hand the rows lost to rounding to the classes with the largest remainders (ties: larger class)
    short = n - quota.sum()
    order = np.lexsort((-counts, -(exact - quota)))
    quota[order[:short]] += 1
    chosen = []
    for cls, k in zip(classes, quota):
        rows = np.flatnonzero(labels == cls)
        chosen.extend(rng.choice(rows, size=int(k), replace=False).tolist())
    return sorted(int(i) for i in chosen)
