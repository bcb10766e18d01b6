import math

import numpy as np
import pytest
from scipy import stats

from bench_job.measure.stats import ci_half_width, summarize


def test_summary_matches_numpy_and_scipy():
    rng = np.random.default_rng(0)
    samples = rng.normal(0.05, 0.004, 40)
    s = summarize(samples, 0.95)
    assert s["latency_mean_s"] == pytest.approx(samples.mean())
    assert s["latency_std_s"] == pytest.approx(samples.std(ddof=1))
    assert s["latency_median_s"] == pytest.approx(np.median(samples))
    assert s["latency_p90_s"] == pytest.approx(np.percentile(samples, 90))
    assert s["latency_p99_s"] == pytest.approx(np.percentile(samples, 99))
    assert s["n_runs"] == 40
    low, high = stats.t.interval(0.95, len(samples) - 1, loc=samples.mean(), scale=stats.sem(samples))
    assert s["latency_ci_low_s"] == pytest.approx(low)
    assert s["latency_ci_high_s"] == pytest.approx(high)
    assert s["latency_ci_rel"] == pytest.approx((high - low) / 2 / samples.mean())


def test_ci_of_one_sample_is_infinite_and_summary_leaves_it_empty():
    assert ci_half_width([1.0]) == math.inf
    s = summarize([0.01])
    assert s["latency_std_s"] is None and s["latency_ci_low_s"] is None


def test_ci_shrinks_with_more_samples():
    rng = np.random.default_rng(1)
    assert ci_half_width(rng.normal(1, 0.1, 100)) < ci_half_width(rng.normal(1, 0.1, 10))
