from __future__ import annotations

from bench_job.measure.peak import measure_peak_gflops
from bench_job.measure.validity import contention_persisted
from tests.settings import mark_validity


def record(**fields):
    base = {
        "status": "ok",
        "n_runs": 12,
        "latency_median_ci_rel": 0.02,
        "throttled": False,
        "swapped": False,
        "power_source": None,
        "power_samples": None,
        "sampling_hz": None,
    }
    base.update(fields)
    return base


def test_a_clean_record_is_valid():
    r = mark_validity(record(), 10, 0.05, 10)
    assert r["valid"] is True and r["invalid_reasons"] is None


def test_each_reason_is_named():
    r = mark_validity(
        record(
            n_runs=5,
            latency_median_ci_rel=0.12,
            throttled=True,
            throttle_reasons="soft temp limit",
            swapped=True,
            swap_in=10,
            swap_out=3,
            power_source="rapl",
            power_samples=4,
            sampling_hz=50.0,
        ),
        10,
        0.05,
        10,
    )
    assert r["valid"] is False
    assert r["invalid_reasons"] == (
        "only 5 timed runs (< 10); 95% CI half-width 12.0% of the median (> 5%); "
        "the device throttled (soft temp limit); the machine swapped (10 pages in, 3 out); "
        "only 4 power samples in the energy window (< 10)"
    )


def test_counter_sources_need_no_samples_and_failed_rows_carry_no_verdict():
    assert mark_validity(record(power_source="rapl", power_samples=0, sampling_hz=None), 10, 0.05, 10)["valid"]
    failed = mark_validity({"status": "oom"}, 10, 0.05, 10)
    assert "valid" not in failed


def test_peak_gflops_is_a_plausible_cpu_figure():
    peak = measure_peak_gflops(threads=1, size=256, seconds=0.2)
    assert 0.5 < peak < 10_000


def test_cpu_taken_by_other_processes_is_a_reason():
    r = mark_validity(record(other_cpu_share=0.45), 10, 0.05, 10)
    assert r["valid"] is False and r["invalid_reasons"] == "other processes used 45% of the CPU during timing"
    assert mark_validity(record(other_cpu_share=0.02), 10, 0.05, 10)["valid"] is True


def test_rounds_kept_disturbed_once_patience_ran_out_are_a_reason_even_at_a_low_share():
    # the least disturbed rounds were kept: their share is low, but a contention rule fired for them
    r = mark_validity(record(other_cpu_share=0.03, rounds=3, rounds_disturbed=3), 10, 0.05, 10)
    assert r["valid"] is False and r["invalid_reasons"] == (
        "3 of 3 kept rounds disturbed by other processes (no quiet within measure.patience_s: the least "
        "disturbed rounds were kept)"
    )
    assert contention_persisted(r)
    assert mark_validity(record(other_cpu_share=0.03, rounds=3, rounds_disturbed=0), 10, 0.05, 10)["valid"] is True


def test_contention_probe_sees_a_busy_neighbour():
    import subprocess
    import sys

    from bench_job.measure.contention import ContentionProbe

    probe = ContentionProbe()
    probe.start()
    busy = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<1.0: pass"])
    busy.wait()
    share = probe.other_share()
    # One process spinning for a second on a machine of N cores takes about 1/N of its time.
    import os

    assert share >= 0.5 / os.cpu_count()
    assert share <= 1.0


def test_a_ci_just_over_the_target_is_not_printed_as_the_target():
    r = mark_validity(record(latency_median_ci_rel=0.0504), 10, 0.05, 10)
    assert r["invalid_reasons"] == "95% CI half-width 5.04% of the median (> 5%)"
    assert mark_validity(record(latency_median_ci_rel=0.0551), 10, 0.05, 10)["invalid_reasons"].startswith(
        "95% CI half-width 5.5% "
    )


def test_the_median_interval_is_judged_not_the_mean_one():
    # a few disturbed runs widen the mean's interval; the median the report shows is still tight
    assert mark_validity(record(latency_ci_rel=0.30, latency_median_ci_rel=0.01), 10, 0.05, 10)["valid"] is True
    r = mark_validity(record(n_runs=4, latency_median_ci_rel=None), 3, 0.05, 10)
    assert r["invalid_reasons"] == "4 timed runs are too few for a 95% confidence interval of the median (6 at least)"


def test_contention_during_the_energy_window_is_a_reason_when_energy_was_measured():
    r = mark_validity(record(energy_other_cpu_share=0.4, energy_per_inference_j=0.5), 10, 0.05, 10)
    assert r["invalid_reasons"] == (
        "other processes used 40% of the CPU during the energy window (their power is in it)"
    )
    assert mark_validity(record(energy_other_cpu_share=0.4, energy_per_inference_j=None), 10, 0.05, 10)["valid"]
    assert mark_validity(record(other_cpu_share=0.15), 10, 0.05, 10, max_other_cpu_share=0.2)["valid"]
    r = mark_validity(record(idle_other_cpu_share=0.3, energy_net_per_inference_j=0.2), 10, 0.05, 10)
    assert r["invalid_reasons"] == (
        "other processes used 30% of the CPU during the idle baseline (net energy is too small)"
    )


def test_power_min_samples_from_the_config_sets_the_sample_threshold():
    sampled = record(power_source="jetson-ina3221", power_samples=15, sampling_hz=50.0)
    assert mark_validity(dict(sampled), 10, 0.05, 10)["valid"] is True
    strict = mark_validity(dict(sampled), 10, 0.05, 20)
    assert strict["valid"] is False
    assert strict["invalid_reasons"] == "only 15 power samples in the energy window (< 20)"


def test_a_swapped_label_map_is_a_reason_naming_both_figures():
    r = mark_validity(record(accuracy=0.13, accuracy_swapped=0.87, label_map_swapped=True), 10, 0.05, 10)
    assert r["valid"] is False
    assert r["invalid_reasons"] == "label map looks swapped: 13% accuracy as scored, 87% with the two outputs exchanged"
    # a map that checked out, and a row with no two-class map to check, stay valid
    assert mark_validity(record(accuracy=0.92, accuracy_swapped=0.08, label_map_swapped=False), 10, 0.05, 10)["valid"]
    assert mark_validity(record(accuracy=0.70, accuracy_swapped=None, label_map_swapped=None), 10, 0.05, 10)["valid"]


def test_swapped_label_maps_of_several_models_group_into_one_reason():
    from bench_job.measure.validity import reason_groups

    reasons = [
        mark_validity(record(accuracy=a, accuracy_swapped=1 - a, label_map_swapped=True), 10, 0.05, 10)[
            "invalid_reasons"
        ]
        for a in (0.13, 0.08)
    ]
    assert reason_groups(reasons) == [
        ("label map looks swapped: 8-13% accuracy as scored, 87-92% with the two outputs exchanged", 2)
    ]
