from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bench_job.measure.stats import ci_half_width, median_ci, median_ci_rel, summarize


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


def test_median_ci_is_the_order_statistics_interval():
    # n = 10 at 95%: the 2nd and 9th smallest (binomial coverage 97.9%), as tables of the sign test give.
    samples = [0.010, 0.011, 0.012, 0.013, 0.014, 0.015, 0.016, 0.017, 0.018, 0.100]
    s = summarize(samples, 0.95)
    assert (s["latency_median_ci_low_s"], s["latency_median_ci_high_s"]) == (0.011, 0.018)
    assert s["latency_median_ci_rel"] == pytest.approx((0.018 - 0.011) / 2 / np.median(samples))
    # one disturbed run moves the mean's interval, not the median's
    assert s["latency_ci_rel"] > 3 * s["latency_median_ci_rel"]


def test_median_ci_needs_six_samples_at_95_percent():
    assert summarize([0.01] * 5)["latency_median_ci_low_s"] is None
    assert median_ci_rel([0.01, 0.02, 0.03]) == math.inf
    assert summarize([0.01] * 6)["latency_median_ci_rel"] == 0.0


@pytest.mark.skipif(
    not hasattr(stats, "quantile_test"),
    reason="scipy < 1.11 (the old stack's 1.10.1) has no quantile_test to compare with; the tests above pin figures",
)
def test_median_ci_is_scipys_quantile_test_interval():
    rng = np.random.default_rng(2)
    for n in (6, 7, 10, 31, 200):
        samples = np.sort(rng.lognormal(-4, 0.3, n))
        for confidence in (0.9, 0.95, 0.99):
            ci = stats.quantile_test(samples, q=float(np.median(samples))).confidence_interval(confidence)
            ours = median_ci(samples, confidence)
            if not (math.isfinite(ci.low) and math.isfinite(ci.high)):
                assert ours is None, (n, confidence)
            else:
                assert ours == (ci.low, ci.high), (n, confidence)
