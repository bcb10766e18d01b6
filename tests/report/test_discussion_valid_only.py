"""The discussion states findings from valid rows only: correlations, p-values and scaling fits leave the
invalid rows out (checked by hand on a small synthetic run), say "not enough valid measurements" with the
counts where too few remain, and show R² for every fit. A run where every row is invalid gets a verdict
that says so first and a discussion that draws no conclusion."""

from __future__ import annotations

import math

from bench_job.bundle.records import to_frame
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, measured

CPU = "other processes used 70% of the CPU during timing"


def write(tmp_path, records) -> str:
    write_run_report(to_frame(records), CONFIG, ENV, str(tmp_path))
    return (tmp_path / "report.md").read_text()


def discussion(report: str) -> str:
    return report.split("\n## Discussion\n")[1]


def mixed_records():
    """Four models at batch 1 (64 px), FLOPs 1-4 GFLOPs; d's batch-1 row is invalid, as is a's batch 4."""
    rows = []
    for model, gflops, latencies_ms, invalid_batches in (
        ("a", 1, {1: 10, 2: 20, 4: 400}, {4}),
        ("b", 2, {1: 30, 2: 75, 4: 120}, set()),
        ("c", 3, {1: 20, 2: 40}, set()),
        ("d", 4, {1: 1, 2: 80}, {1}),
    ):
        for batch, latency_ms in latencies_ms.items():
            rows.append(
                measured(
                    model,
                    batch,
                    64,
                    latency_ms / 1e3,
                    flops=gflops * 1e9 * batch,
                    invalid=CPU if batch in invalid_batches else None,
                )
            )
    return rows


def test_correlations_use_the_valid_models_only(tmp_path):
    text = discussion(write(tmp_path, mixed_records()))
    # Valid at batch 1: a (1 GFLOPs, 10 ms), b (2, 30), c (3, 20): FLOPs ranks 1 2 3, latency ranks 1 3 2,
    # rho = 1 - 6 * (0 + 1 + 1) / (3 * (9 - 1)) = 0.5. Of the 6 orderings of 3 ranks every one has
    # |rho| >= 0.5, so the permutation p = 1. With d (4, 1 ms, invalid) it would be rho = -0.4.
    assert "FLOPs and latency (median): ρ = 0.50 (moderate positive, p = 1, 3 models)" in text
    assert "-0.40" not in text
    assert "1 model(s) whose row there failed a validity check left out" in text


def test_scaling_fits_use_the_valid_points_and_show_r2(tmp_path):
    text = discussion(write(tmp_path, mixed_records()))
    # a: valid points (1, 10 ms), (2, 20 ms); the invalid 400 ms at batch 4 is left out: k = 1 exactly,
    # and two points fit exactly, which the R² cell says.
    assert "| a | fp32 | 1-2 | 2 | 1.00 | 1.000 (2 points) | 1.00 | 1 of 3 |" in text
    # b: 30, 75, 120 ms at batch 1, 2, 4. The x (log 1, 2, 4) are evenly spaced, so the slope is set by the
    # end points alone: ln(120 / 30) / ln 4 = 1. The middle point sits e = ln(75 / 60) above the chord; the
    # fitted line passes through the mean point, leaving residuals -e/3, 2e/3, -e/3: SS_res = 2e²/3.
    y = [math.log(v) for v in (30, 75, 120)]
    total = sum((v - sum(y) / 3) ** 2 for v in y)
    r2 = 1 - 2 * math.log(1.25) ** 2 / 3 / total
    assert f"| b | fp32 | 1-4 | 3 | 1.00 | {r2:.3f} | 1.00 |  |" in text
    assert f"{r2:.3f}" == "0.967"
    # d: one valid size left, so no exponent, and the counts instead.
    assert "no fit for d: not enough valid measurements: 1 valid of 2 points (2 valid sizes needed)" in text


def test_what_broke_the_pattern_lists_the_invalid_rows(tmp_path):
    text = discussion(write(tmp_path, mixed_records()))
    assert (
        "2 of 10 measured configuration(s) failed a validity check (see Validity) and are left out of every "
        "finding above: a b4/64, d b1/64"
    ) in text


def all_invalid_records():
    energy = dict(
        energy_per_inference_j=0.2,
        avg_power_w=10.0,
        power_source="rapl",
        power_samples=40,
        sampling_hz=100.0,
        energy_reason=None,
    )
    rows = []
    for model, gflops, ms in (("small", 0.2, 10.0), ("mid", 1.0, 30.0), ("big", 4.0, 25.0)):
        for batch, size, sweeps in ((1, 64, "batch+input"), (2, 64, "batch"), (4, 64, "batch"), (1, 32, "input")):
            scale = batch * (size / 64) ** 2
            reason = (
                f"95% CI half-width {20 + batch}.0% of the mean (> 5%); other processes used {60 + batch}% of "
                "the CPU during timing"
            )
            rows.append(
                measured(
                    model,
                    batch,
                    size,
                    ms / 1e3 * scale,
                    sweeps=sweeps,
                    invalid=reason,
                    flops=gflops * 1e9 * scale,
                    params={"small": 1e6, "mid": 5e6, "big": 2e7}[model],
                    **dict(energy, energy_per_inference_j=0.2 * scale * ms),
                )
            )
    return rows


def test_a_run_where_every_row_is_invalid_says_so_first_and_concludes_nothing(tmp_path):
    report = write(tmp_path, all_invalid_records())
    lines = report.splitlines()
    # every row saw 61-64% other CPU during timing: the verdict also names the contention that persisted
    assert lines[2] == (
        "> **Verdict: ALL 12 measured configurations failed a validity check; contention persisted for 12 "
        "configuration(s).**"
    )
    assert lines[4] == (
        "> - **ALL 12 measured configurations failed a validity check**: reasons (configurations): "
        "95% CI half-width 21.0-24.0% of the mean (> 5%) (12); other processes used 61-64% of the CPU "
        "during timing (12). Read their figures as indicative only: the plots draw them hollow and the "
        "discussion leaves them out (see Validity)."
    )
    text = discussion(report)
    assert "0 of 12 measured configurations passed the validity checks" in text
    assert (
        "Not enough valid measurements: 0 valid of 3 models measured at the common configuration (at least 3 "
        "needed), so no rank correlation is given."
    ) in text
    assert (
        "Not enough valid measurements: 0 valid of 9 points of the batch size sweep (2 valid sizes of one model "
        "needed), so no exponent is fitted."
    ) in text
    assert "Not enough valid measurements: 0 valid of 12 configurations with energy (at least 3 needed)" in text
    # No conclusion from those rows: no correlation, no p-value, no exponent, no R², no GFLOP/s outlier.
    for claim in ("ρ", "p =", "k (latency)", "median k", "R²", "grows", "GFLOP/s"):
        assert claim not in text, claim
    assert "12 of 12 measured configuration(s) failed a validity check (see Validity)" in text


def test_an_energy_the_same_for_every_configuration_is_said_rather_than_correlated(tmp_path):
    # equal latencies at one power: no ranks to correlate (scipy would give rho = nan and warn)
    records = [
        measured(model, 1, 64, 0.020, energy_per_inference_j=0.1, avg_power_w=5.0) for model in ("a", "b", "c", "d")
    ]
    text = discussion(write(tmp_path, records))
    assert (
        "Cannot tell: median latency and energy per inference are the same for all 4 valid configurations, so there "
        "are no ranks to correlate." in text
    )
    assert "nan" not in text
