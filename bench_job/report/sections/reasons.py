"""Why a row is not valid and why rounds were redone, as the report states them.

The records carry these as text written when the run was measured (validity.py, measure/rounds.py).
Three things need the report's own reading of the row:

- a row marked not valid whose reason text is missing: the checks are redone on the row's own figures
  (validity.invalid_reasons), so the Validity table never shows `nan`;
- a confidence interval of the median far from symmetric (the order statistics of a skewed timing
  distribution): "half-width 352% of the median" describes an interval that reaches 3% below and 700%
  above; it is stated as its lower and upper distances from the median instead;
- rounds redone by the scheduler run-delay rule (every run of the round was delayed) were summarised as
  if the other-processes CPU-share rule had fired: the rule is named from the round's share and the
  threshold (or from rounds_detail, where the frame carries it).
"""

from __future__ import annotations

import json
import re

from bench_job.bundle.records import SCHEMA
from bench_job.measure.rounds import redone_by_rule
from bench_job.measure.validity import invalid_reasons
from bench_job.report.sections.overview import other_share_limit, run_delay_limit

# The interval is stated as lower/upper distances when one side is this much longer than the other.
ASYMMETRY = 1.5
_INT_COLUMNS = {column.name for column in SCHEMA if column.type == "int"}

_HALF_WIDTH = re.compile(r"95% CI half-width [\d.]+% of the (median|mean) \(> ([\d.]+)%\)")
_REDO = re.compile(
    r"(\d+) round\(s\) redone: other processes used (\d+)%(?:-(\d+)%)? of the CPU during them "
    r"\(> (\d+)%\)"
)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _plain(row) -> dict:
    """A frame row as a record: NaN back to None and counts back to int, as the checks expect."""

    def value_of(key, value):
        if _missing(value):
            return None
        if key in _INT_COLUMNS and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    return {key: value_of(key, value) for key, value in dict(row).items()}


def ms_distance(seconds: float) -> str:
    """A distance in ms: '4.2', '1,028.6', '0.031'."""
    value = seconds * 1e3
    return f"{value:,.1f}" if value >= 0.95 else f"{value:.2g}"


def ci_distances(
    row, low: str = "latency_median_ci_low_s", high: str = "latency_median_ci_high_s", centre: str = "latency_median_s"
):
    """(below, above) in seconds from the centre to the interval's ends; None where not recorded."""
    values = [row.get(column) for column in (centre, low, high)]
    if any(_missing(v) for v in values) or values[0] <= 0:
        return None
    median, lo, hi = values
    return max(median - lo, 0.0), max(hi - median, 0.0)


def asymmetric(below: float, above: float) -> bool:
    longer, shorter = max(below, above), min(below, above)
    return longer > 0 and (shorter == 0 or longer / shorter > ASYMMETRY)


def ci_text(row, in_ms: bool = True) -> str | None:
    """'-4.2 ms / +1,028.6 ms (-2.9% / +701.5% of the median)': the interval's distances, or None."""
    distances = ci_distances(row)
    if distances is None:
        return None
    below, above = distances
    median = row["latency_median_s"]
    shares = f"-{below / median:.1%} / +{above / median:.1%}"
    if not in_ms:
        return f"{shares} of the median"
    return f"-{ms_distance(below)} ms / +{ms_distance(above)} ms ({shares} of the median)"


def _restate_ci(reason: str, row, in_ms: bool) -> str:
    """The half-width reason of an asymmetric interval as lower/upper distances; others unchanged."""
    match = _HALF_WIDTH.fullmatch(reason.strip())
    if not match or match.group(1) != "median":
        return reason
    distances = ci_distances(row)
    if distances is None or not asymmetric(*distances):
        return reason
    return f"95% CI of the median {ci_text(row, in_ms)}, wider than the {match.group(2)}% target"


def _recorded(row) -> list:
    text = row.get("invalid_reasons")
    if _missing(text) or not str(text).strip():
        return []
    return [part for part in str(text).split("; ") if part.strip()]


def _rederived(row, config: dict) -> list:
    """The checks redone with the thresholds the bundle's config records; none where it lacks one (the report
    has no default of its own to judge by)."""
    config = config or {}
    measure, power = config.get("measure") or {}, config.get("power") or {}
    thresholds = (
        measure.get("min_runs"),
        measure.get("target_ci_rel"),
        power.get("min_samples"),
        other_share_limit(config),
    )
    if any(threshold is None for threshold in thresholds):
        return []
    return invalid_reasons(_plain(row), *thresholds)


NO_REASON = (
    "no reason recorded: the record is marked not valid without one, and its figures pass every check "
    "the report can redo"
)


def invalid_parts(row, config: dict = None, in_ms: bool = True) -> list:
    """The reasons a not-valid row failed, as the report states them: the recorded text, or (where the
    record has none) the checks redone on its figures; asymmetric intervals as lower/upper distances
    (in ms and % with in_ms, else in % only, which groups across rows)."""
    parts = _recorded(row)
    if not parts:
        parts = [f"{reason} (redone from the row's figures: no reason recorded)" for reason in _rederived(row, config)]
    if not parts:
        return [NO_REASON]
    return [_restate_ci(part, row, in_ms) for part in parts]


def why_invalid(row, config: dict = None) -> str:
    """The Validity table's "why" cell of a row that failed a check: never empty, never `nan`."""
    return "; ".join(invalid_parts(row, config))


def _rounds_detail(row):
    detail = row.get("rounds_detail")
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return None
    return detail if isinstance(detail, list) else None


def redo_why(row, config: dict = None) -> str:
    """Why a configuration's rounds were redone, naming the rule that fired for each: the other-processes
    CPU-share rule (the round's share over the limit the bundle's config records) or the scheduler run-delay rule
    (every run of the round delayed). From rounds_detail where the frame carries it, else from the
    recorded redo_reasons line, which gives every redone round's share whatever the rule."""
    threshold, delay_limit = other_share_limit(config or {}), run_delay_limit(config or {})
    detail = _rounds_detail(row)
    if detail:
        redone = [r for r in detail if isinstance(r, dict) and not r.get("kept", True)]
        delay = [r for r in redone if "delayed" in str(r.get("reason") or "")]
        cpu = [r for r in redone if r not in delay]
        if redone:
            return redone_by_rule(
                [r["other_cpu_share"] for r in cpu if r.get("other_cpu_share") is not None],
                [r["other_cpu_share"] for r in delay if r.get("other_cpu_share") is not None],
                threshold,
                delay_limit,
                len(cpu),
                len(delay),
            )
    text = row.get("redo_reasons")
    if _missing(text):
        return ""
    match = _REDO.fullmatch(str(text).strip())
    if not match:
        return str(text)
    count, low, high, limit = (
        int(match.group(1)),
        int(match.group(2)),
        int(match.group(3) or match.group(2)),
        int(match.group(4)),
    )
    if low > limit:
        return str(text)  # every redone round was over the share: the CPU-share rule, as the line says
    if high < limit:
        return redone_by_rule([], [low / 100, high / 100], threshold, delay_limit, 0, count)
    delay_rule = (
        f"for over {delay_limit:.0%} of every run in them"
        if delay_limit is not None
        else "beyond the run-delay limit (this bundle's config.yaml does not record measure.max_run_delay)"
    )
    return (
        f"{count} round(s) redone: other processes used {low}%-{high}% of the CPU during them; those over {limit}% "
        f"by the CPU-share rule, the others by the run-delay rule (the scheduler kept our threads waiting for a "
        f"CPU {delay_rule})"
    )
