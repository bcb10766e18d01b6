"""The per-run report of a real bundle, checked against the bundle's own CSV and against scipy/numpy."""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from bench_job.report.render.frame import prepare
from bench_job.report.sections.discussion import correlations, scaling_fits
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def csv(run_t1):
    return pd.read_csv(os.path.join(run_t1, "results.csv"))


@pytest.fixture(scope="module")
def report(run_t1):
    return open(os.path.join(run_t1, "report.md")).read()


def test_bundle_holds_report_md_and_self_contained_html(run_t1, report):
    page = open(os.path.join(run_t1, "report.html")).read()
    assert page.startswith("<!DOCTYPE html>")
    # Every figure of the markdown is embedded, none linked.
    figures = re.findall(r"!\[[^\]]*\]\((plots/[^)]+\.png)\)", report)
    assert figures and all(os.path.isfile(os.path.join(run_t1, f)) for f in figures)
    assert page.count('<img src="data:image/png;base64,') == len(figures)
    assert 'src="plots/' not in page


def test_sections_come_in_the_labs_order(report):
    order = [
        "## Models and why",
        "## Parameters",
        "## Latency",
        "## Energy",
        "## Memory",
        "## FLOPs and achieved throughput",
        "## Accuracy vs efficiency",
        "## Validity",
        "## Discussion",
    ]
    positions = [report.index(title) for title in order]
    assert positions == sorted(positions)


def test_latency_table_cells_match_the_csv(report, csv):
    # The median with its 95% CI (issue 10: one statistic, the median, in tables and plots alike).
    for _, r in csv.iterrows():
        cell = (
            f"{r['latency_median_s'] * 1e3:.2f} [{r['latency_median_ci_low_s'] * 1e3:.2f}-"
            f"{r['latency_median_ci_high_s'] * 1e3:.2f}] (n={r['n_runs']})"
        )
        assert cell in report, (r["key"], cell)


def test_flops_table_shows_achieved_gflops_and_peak_fraction(report, csv, run_t1):
    env = yaml.safe_load(open(os.path.join(run_t1, "env.json")))
    assert env["peak_gflops"] > 0
    for _, r in csv.iterrows():
        assert f"{r['flops'] / 1e9:.3f}" in report
        # The recorded fraction, and the same figure recomputed from the env's peak.
        assert math.isclose(
            r["peak_fraction"], r["flops"] / r["latency_median_s"] / 1e9 / env["peak_gflops"], rel_tol=1e-9
        )
        assert f"{r['peak_fraction']:.1%}" in report


def test_energy_section_says_why_it_is_empty(report, csv):
    reason = csv["energy_reason"].dropna()
    expected = reason.iloc[0] if len(reason) else "not recorded"
    assert f"Energy not measured: {expected}" in report


def test_accuracy_section_says_random_weights(report):
    assert "no accuracy: the models ran with random weights" in report


def discussion(report: str) -> str:
    return report.split("## Discussion")[1]


def test_spearman_correlations_match_scipy(run_t1, csv, report):
    # Issue 10: the valid rows only. This machine may leave some invalid, so the expected figures are
    # computed from the CSV's valid rows, and with fewer than 3 the report must refuse to give a number.
    from bench_job.bundle.read import load_bundle

    frame = prepare(load_bundle(run_t1, run_t1).frame)
    # Independent selection of the common configuration: batch 1 at the fixed input size (64 px).
    common = csv[(csv["batch_size"] == 1) & (csv["input_size"] == 64)]
    assert len(common) == 3
    valid = common[common["valid"]]
    if len(valid) < 3:
        assert (
            f"Not enough valid measurements: {len(valid)} valid of 3 models measured at the common "
            "configuration (at least 3 needed)"
        ) in discussion(report)
        assert "ρ =" not in discussion(report).split("### How latency scales")[0]
        return
    matrix = correlations(frame)
    for a, b in (("flops", "latency_median_s"), ("params", "peak_rss_bytes"), ("params", "flops")):
        rho = stats.spearmanr(valid[a], valid[b]).statistic
        assert matrix.loc[a, b] == pytest.approx(rho), (a, b)
    rho = stats.spearmanr(valid["flops"], valid["latency_median_s"]).statistic
    assert f"FLOPs and latency (median): ρ = {rho:.2f}" in report


def test_scaling_exponents_match_a_log_log_fit_over_the_valid_points(run_t1, csv, report):
    from bench_job.bundle.read import load_bundle

    frame = prepare(load_bundle(run_t1, run_t1).frame)
    for sweep, column in (("batch", "batch_size"), ("input", "input_size")):
        fits = scaling_fits(frame, sweep).set_index("model")
        for model, rows in csv[csv["sweeps"].str.contains(sweep)].groupby("model"):
            rows = rows[rows["valid"]]
            if rows[column].nunique() < 2:
                assert fits.loc[model, "k_latency"] != fits.loc[model, "k_latency"]  # NaN: no fit
                assert (
                    f"no fit for {model}: not enough valid measurements" in report
                    or "so no exponent is fitted" in report
                )
                continue
            slope, intercept = np.polyfit(np.log(rows[column]), np.log(rows["latency_median_s"]), 1)
            assert fits.loc[model, "k_latency"] == pytest.approx(slope)
            if sweep == "batch":
                assert fits.loc[model, "k_flops"] == pytest.approx(1.0)  # FLOPs are linear in the batch
            else:  # two sizes: an exact line, R² 1 and said to be so
                assert f"| {model} | fp32 | 32-64 px | 2 | {slope:.2f} | 1.000 (2 points) |" in report


def test_report_command_regenerates_from_the_tarball_alone(two_runs, run_t1, tmp_path):
    out = tmp_path / "again"
    result = run_cli("report", two_runs["t1"], "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [str(out / "report.md"), str(out / "report.html")]
    assert (out / "report.md").read_text() == open(os.path.join(run_t1, "report.md")).read()
    assert sorted(os.listdir(out / "plots")) == sorted(os.listdir(os.path.join(run_t1, "plots")))


def test_report_command_on_a_folder_writes_into_it(run_t1, tmp_path):
    import shutil

    folder = tmp_path / "bundle"
    shutil.copytree(run_t1, folder)
    os.remove(folder / "report.md")
    shutil.rmtree(folder / "plots")
    result = run_cli("report", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "report.md").read_text() == open(os.path.join(run_t1, "report.md")).read()
    assert (folder / "plots" / "latency_vs_batch_size_vision.png").is_file()


def test_rank_p_value_is_scipys_exact_permutation_test():
    from bench_job.report.sections.discussion import rank_p_value

    x, y = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6], [2.0, 7.0, 1.0, 8.0, 2.8, 1.8]
    exact = stats.permutation_test(
        (np.array(x),), lambda a: stats.spearmanr(a, y).statistic, permutation_type="pairings", n_resamples=np.inf
    ).pvalue
    assert rank_p_value(x, y) == pytest.approx(exact)
    assert rank_p_value([1, 2, 3], [10, 20, 30]) == pytest.approx(1 / 3)  # 2 of 6 orders as extreme
