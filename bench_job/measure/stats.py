"""Summary statistics of repeated timings, with a Student-t confidence interval of the mean."""

import math

import numpy as np
from scipy import stats as scipy_stats


def ci_half_width(samples, confidence: float = 0.95) -> float:
    """Half-width of the two-sided t confidence interval of the mean (inf with fewer than 2 samples)."""
    n = len(samples)
    if n < 2:
        return math.inf
    std = float(np.std(samples, ddof=1))
    return float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)


def summarize(samples_s, confidence: float = 0.95) -> dict:
    """Statistics of latencies in seconds, under the result schema's column names."""
    values = np.asarray(samples_s, dtype=float)
    mean = float(values.mean())
    half = ci_half_width(values, confidence)
    return {
        "latency_mean_s": mean,
        "latency_std_s": float(values.std(ddof=1)) if len(values) > 1 else None,
        "latency_median_s": float(np.median(values)),
        "latency_p90_s": float(np.percentile(values, 90)),
        "latency_p99_s": float(np.percentile(values, 99)),
        "latency_min_s": float(values.min()),
        "latency_max_s": float(values.max()),
        "latency_ci_low_s": mean - half if math.isfinite(half) else None,
        "latency_ci_high_s": mean + half if math.isfinite(half) else None,
        "latency_ci_rel": half / mean if math.isfinite(half) and mean > 0 else None,
        "n_runs": int(len(values)),
    }
