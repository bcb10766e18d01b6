"""Report text that contradicted itself: a `nan` reason in the Validity table, rounds redone by the
run-delay rule described as the CPU-share rule, an asymmetric interval stated as a half-width, the power
explanation repeated in the verdict."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.report.render.frame import prepare
from bench_job.report.render.markdown import render
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.context import Context
from bench_job.report.sections.reasons import redo_why, why_invalid
from bench_job.report.sections.trust import validity_section
from tests.report.synthetic import CONFIG, ENV, measured

# the lab's row: median 146.63 ms, interval 142.42-1175.21 ms; the recorded half-width is (high - low) / 2
SKEWED = dict(
    latency_median_s=0.14663,
    latency_median_ci_low_s=0.14242,
    latency_median_ci_high_s=1.17521,
    latency_median_ci_rel=0.352,
)
SKEWED_REASON = "95% CI half-width 352.2% of the median (> 5%)"


def validity_text(records, tmp_path) -> str:
    return render(validity_section(prepare(to_frame(records)), Context(CONFIG, ENV, str(tmp_path))))


def test_a_row_marked_not_valid_without_a_reason_never_shows_nan(tmp_path):
    # valid False with invalid_reasons None: the frame holds NaN there, which the table printed as `nan`
    records = [
        measured("squeezenet1_1", 2, 224, 0.01, valid=False),
        measured("mnasnet1_0", 1, 128, 0.01, valid=False, n_runs=4),
        measured("ok", 1, 224, 0.01),
    ]
    frame = prepare(to_frame(records))
    assert frame["invalid_reasons"].isna().sum() == 3  # the case: no text recorded for the invalid rows
    text = validity_text(records, tmp_path)
    assert "nan" not in text
    # the checks redone on the row's figures name what fails ...
    assert (
        "| mnasnet1_0 | fp32 | 1 | 128 px | only 4 timed runs (< 10) (redone from the row's figures: no reason "
        "recorded) |"
    ) in text
    # ... and where nothing fails, the cell says no reason was recorded
    assert "| squeezenet1_1 | fp32 | 2 | 224 px | no reason recorded: the record is marked not valid" in text


def test_an_asymmetric_interval_is_stated_as_lower_and_upper_distances(tmp_path):
    records = [measured("vgg16", 1, 224, 0.14663, invalid=SKEWED_REASON, **SKEWED)]
    text = validity_text(records, tmp_path)
    assert "half-width" not in text
    assert (
        "95% CI of the median -4.2 ms / +1,028.6 ms (-2.9% / +701.5% of the median), wider than the 5% target" in text
    )


def test_a_symmetric_interval_keeps_its_half_width():
    row = dict(
        measured(
            "m",
            1,
            224,
            0.1,
            invalid="95% CI half-width 8.0% of the median (> 5%)",
            latency_median_ci_low_s=0.092,
            latency_median_ci_high_s=0.108,
        )
    )
    assert why_invalid(row) == "95% CI half-width 8.0% of the median (> 5%)"


def test_the_verdict_groups_the_restated_interval_in_percent(tmp_path):
    records = [measured("vgg16", 1, 224, 0.14663, invalid=SKEWED_REASON, **SKEWED), measured("ok", 1, 224, 0.01)]
    write_run_report(to_frame(records), CONFIG, ENV, str(tmp_path))
    verdict = "\n".join(line for line in (tmp_path / "report.md").read_text().splitlines() if line.startswith(">"))
    assert "95% CI of the median -2.9% / +701.5% of the median, wider than the 5% target (1)" in verdict
    assert "half-width" not in verdict


REDO_UNDER = "5 round(s) redone: other processes used 2%-5% of the CPU during them (> 10%)"
REDO_OVER = "2 round(s) redone: other processes used 41%-55% of the CPU during them (> 10%)"


def test_rounds_redone_under_the_share_threshold_name_the_run_delay_rule(tmp_path):
    records = [measured("resnet18", 1, 224, 0.03, rounds=4, rounds_redone=5, redo_reasons=REDO_UNDER, runs_set_aside=0)]
    text = validity_text(records, tmp_path)
    assert REDO_UNDER not in text
    assert (
        "5 round(s) redone: 5 by the run-delay rule (the scheduler kept our threads waiting for a CPU for over 2% "
        "of every run in them; other processes used only 2%-5% of the CPU during them)"
    ) in text


def test_rounds_redone_over_the_share_threshold_keep_the_cpu_share_rule():
    assert redo_why({"redo_reasons": REDO_OVER}) == REDO_OVER


def test_rounds_on_both_sides_of_the_threshold_name_both_rules():
    text = redo_why({"redo_reasons": "3 round(s) redone: other processes used 4%-40% of the CPU during them (> 10%)"})
    assert "those over 10% by the CPU-share rule, the others by the run-delay rule" in text


def test_rounds_detail_counts_each_rule_exactly():
    detail = [
        {"kept": False, "other_cpu_share": 0.03, "reason": "every run was delayed by other processes"},
        {"kept": False, "other_cpu_share": 0.5, "reason": "other processes used 50% of the CPU"},
        {"kept": True, "other_cpu_share": 0.01, "reason": None},
    ]
    assert redo_why({"rounds_detail": detail, "redo_reasons": "ignored"}, CONFIG) == (
        "2 round(s) redone: 1 by the CPU-share rule (other processes used 50% of the CPU during them, > 10%), 1 by "
        "the run-delay rule (the scheduler kept our threads waiting for a CPU for over 2% of every run in them; other "
        "processes used only 3% of the CPU during them)"
    )


LONG_POWER = (
    "no power source: rapl: no readable zone under /sys/class/powercap (permission denied; run as root or "
    "mount it); hwmon: no power or energy sensor; jetson: no INA3221 rails; rpi-pmic: vcgencmd not found; "
    "external: power.external_csv not set"
)


def test_the_power_explanation_appears_once_and_the_verdict_points_to_it(tmp_path):
    records = [
        measured("m", 1, 64, 0.01, energy_reason=LONG_POWER),
        measured("m", 2, 64, 0.02, energy_reason=LONG_POWER),
    ]
    write_run_report(to_frame(records), CONFIG, ENV, str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert report.count(LONG_POWER) == 1
    assert LONG_POWER in report.split("\n## Energy\n")[1].split("\n## ")[0]
    assert "> - **no energy figures**: no power source (why, source by source: see Energy)" in report


def test_a_bundle_without_the_run_delay_limit_says_so_rather_than_assume_one():
    detail = [{"kept": False, "other_cpu_share": 0.03, "reason": "every run was delayed by other processes"}]
    old = dict(CONFIG, measure={k: v for k, v in CONFIG["measure"].items() if k != "max_run_delay"})
    text = redo_why({"rounds_detail": detail}, old)
    assert "beyond the run-delay limit (this bundle's config.yaml does not record measure.max_run_delay)" in text
    assert "2%" not in text
    tuned = dict(CONFIG, measure=dict(CONFIG["measure"], max_run_delay=0.10))
    assert "for over 10% of every run in them" in redo_why({"rounds_detail": detail}, tuned)
