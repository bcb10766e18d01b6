"""Pareto fronts of accuracy against a cost (latency, energy, parameters, FLOPs): a model is on the
front when no other model is at least as accurate and at most as costly, and strictly better in one."""

from __future__ import annotations

import pandas as pd


def pareto_mask(cost: pd.Series, accuracy: pd.Series) -> pd.Series:
    """True for Pareto-optimal rows (lower cost, higher accuracy); rows with a missing value are False."""
    valid = cost.notna() & accuracy.notna()
    mask = pd.Series(False, index=cost.index)
    for i in cost.index[valid]:
        dominated = (
            (cost[valid] <= cost[i])
            & (accuracy[valid] >= accuracy[i])
            & ((cost[valid] < cost[i]) | (accuracy[valid] > accuracy[i]))
        )
        mask[i] = not dominated.any()
    return mask
