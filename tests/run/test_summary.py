from __future__ import annotations

from bench_job.bundle.outcome import RunOutcome
from bench_job.run.summary import run_summary
from bench_job.units import format_duration


def outcome(**fields):
    base = dict(
        complete=True,
        stopped_by=None,
        planned=5,
        never_measured=(),
        started_at="",
        finished_at="",
        elapsed_s=754.0,
        budget_s=None,
    )
    return RunOutcome(**dict(base, **fields))


RECORDS = [
    {"key": "a", "status": "ok", "valid": True, "invalid_reasons": None},
    {
        "key": "b",
        "status": "ok",
        "valid": False,
        "invalid_reasons": (
            "95% CI half-width 23.0% of the median (> 5%); other processes used 70% of the CPU during timing"
        ),
    },
    {
        "key": "c",
        "status": "ok",
        "valid": False,
        "invalid_reasons": "other processes used 45% of the CPU during timing",
    },
    {"key": "d", "status": "oom", "valid": None},
    {"key": "e", "status": "skipped", "valid": None},
]


def test_the_summary_counts_what_was_measured_trusted_and_lost_and_names_the_top_reasons():
    text = run_summary(RECORDS, outcome())
    assert text == (
        "Summary: 5 configuration(s) planned, 3 measured: 1 valid, 2 not valid (other processes used "
        "45-70% of the CPU during timing: 2, 95% CI half-width 23.0% of the median (> 5%): 1); 1 oom, "
        "1 skipped, 0 error, 0 timeout; time 12 min 34 s; read the rows that are not valid as indicative "
        "only (report.md, section Validity)."
    )


def test_the_summary_says_partial_and_over_budget():
    text = run_summary(
        RECORDS[:1], outcome(complete=False, stopped_by="SIGTERM", never_measured=("b", "c", "d", "e"), budget_s=600.0)
    )
    assert "4 never measured (PARTIAL: stopped by SIGTERM; run the same command again to resume)" in text
    assert "time 12 min 34 s against a budget of 10 min: OVER by 2 min 34 s" in text
    assert "against a budget of 20 min." in run_summary(RECORDS[:1], outcome(budget_s=1200.0))


def test_durations():
    assert [format_duration(s) for s in (12.34, 754, 7300)] == ["12.3 s", "12 min 34 s", "2 h 1 min"]


def test_the_summary_names_a_swapped_label_map():
    reason = "label map looks swapped: 13% accuracy as scored, 87% with the two outputs exchanged"
    records = [{"key": k, "status": "ok", "valid": False, "invalid_reasons": reason} for k in "ab"]
    assert (f"2 measured: 0 valid, 2 not valid ({reason}: 2)") in run_summary(records, outcome(planned=2))


def test_contention_that_persisted_ends_the_console_with_one_warning_and_what_helps():
    from bench_job.run.summary import contention_warning

    records = [dict(r, threads=2) for r in RECORDS]
    text = contention_warning(records)
    assert text.startswith("Other processes kept competing for the CPU while 2 configuration(s) were timed")
    assert "--threads 1 (they ran on 2 threads" in text
    assert "run again when the machine is quiet" in text and "`make lab`" in text
    disturbed = {
        "key": "f",
        "status": "ok",
        "valid": False,
        "threads": 1,
        "invalid_reasons": "3 of 4 kept rounds disturbed by other processes (no quiet within measure.patience_s: "
        "the least disturbed rounds were kept)",
    }
    single = contention_warning([disturbed])
    assert "1 configuration(s)" in single and "--threads 1" not in single  # it already ran on one thread
    assert (
        contention_warning([RECORDS[0], {"key": "g", "status": "ok", "valid": False, "invalid_reasons": "x"}]) is None
    )
