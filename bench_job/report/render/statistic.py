"""The one latency statistic the report's tables and plots show: the median with its 95% confidence
interval, distribution-free (order statistics). On a shared machine a few runs disturbed by other
processes pull the mean and widen its interval while the median stays with the typical run. Bundles from
before results schema 3 record no interval of the median: they fall back to the mean with its Student-t
interval, and the latency section and the plots' axes say so."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bench_job.report.render.frame import measured


@dataclass(frozen=True)
class Statistic:
    name: str  # what the figure is: "median" or "mean"
    centre: str  # its column, and those of its 95% interval
    low: str
    high: str
    interval: str  # how the interval is computed, for the one sentence that states the rule


MEDIAN = Statistic(
    "median",
    "latency_median_s",
    "latency_median_ci_low_s",
    "latency_median_ci_high_s",
    "distribution-free, from order statistics",
)
MEAN = Statistic("mean", "latency_mean_s", "latency_ci_low_s", "latency_ci_high_s", "Student t")


def latency_statistic(frame) -> Statistic:
    """MEDIAN, or MEAN for a bundle whose records predate the median's interval (schema 1 and 2)."""
    ok = measured(frame)
    if ok.empty or (pd.to_numeric(ok["schema_version"], errors="coerce") >= 3).any() or ok[MEDIAN.low].notna().any():
        return MEDIAN
    return MEAN
