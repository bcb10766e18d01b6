"""The paragraph the console ends with (and run.log keeps): what was measured, how much of it can be
trusted and why not, what failed, and the time used against the budget."""

from __future__ import annotations

from collections import Counter

from bench_job.measure.validity import contention_advice, reason_groups
from bench_job.units import format_duration


def run_summary(records: list, outcome) -> str:
    """records: the run's final records (one per configuration); outcome: its run_outcome.RunOutcome."""
    statuses = Counter(r["status"] for r in records)
    measured = [r for r in records if r["status"] == "ok"]
    invalid = [r for r in measured if r.get("valid") is False]
    reasons = reason_groups(r["invalid_reasons"] for r in invalid if r.get("invalid_reasons"))
    parts = [
        f"{outcome.planned} configuration(s) planned, {len(measured)} measured: "
        f"{len(measured) - len(invalid)} valid, {len(invalid)} not valid"
    ]
    if reasons:
        # Every kind of reason, not the most frequent few: on a busy machine the contention and interval
        # reasons outnumber a swapped label map, which must still be named.
        parts[-1] += " (" + ", ".join(f"{reason}: {count}" for reason, count in reasons) + ")"
    parts.append(", ".join(f"{statuses.get(s, 0)} {s}" for s in ("oom", "skipped", "error", "timeout")))
    if outcome.never_measured:
        parts.append(
            f"{len(outcome.never_measured)} never measured (PARTIAL: stopped by {outcome.stopped_by}; "
            f"run the same command again to resume)"
        )
    time_used = f"time {format_duration(outcome.elapsed_s)}"
    if outcome.budget_s is not None:
        over = outcome.over_budget_s
        time_used += f" against a budget of {format_duration(outcome.budget_s)}" + (
            f": OVER by {format_duration(over)}" if over else ""
        )
    parts.append(time_used)
    if invalid:
        parts.append("read the rows that are not valid as indicative only (report.md, section Validity)")
    return "Summary: " + "; ".join(parts) + "."


def contention_warning(records: list) -> str | None:
    """The warning the console ends with, once, when other processes kept competing for the CPU while
    configurations were timed (their rows are not valid for it): what happened and what helps."""
    measured = [r for r in records if r["status"] == "ok" and r.get("valid") is False]
    advice = contention_advice(measured)
    return advice and advice[0].upper() + advice[1:] + "."
