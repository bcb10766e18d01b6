"""LoadGen's detail log (mlperf_log_detail.txt) read as LoadGen wrote it: one `:::MLLOG {json}` line per entry, each
with a key and a value. The detail log, not the summary's text, is what the rows are made from: its keys are the
ones MLPerf's own submission checker reads (result_validity, result_*_percentile_latency_ns, early_stopping_*),
and it holds every figure the summary prints.

The key names used below are those LoadGen 6.0 writes (loadgen/results.cc, loadgen/logging.cc in
mlcommons/inference), checked against the logs of a real run of every scenario (tests/fixtures/loadgen/).
"""

from __future__ import annotations

import json

MLLOG_PREFIX = ":::MLLOG "
NS = 1e-9


def read_detail(text: str) -> dict:
    """{key: value} of a detail log's entries; a key written twice keeps its last value (LoadGen writes
    generic_message many times, the results once). Lines that are not MLLOG entries are skipped."""
    entries = {}
    for line in text.splitlines():
        if not line.startswith(MLLOG_PREFIX):
            continue
        try:
            entry = json.loads(line[len(MLLOG_PREFIX) :])
        except ValueError:
            continue  # a line cut short by a killed run: the others still read
        entries[entry.get("key")] = entry.get("value")
    return entries


def errors(text: str) -> list:
    """The error entries LoadGen logged (an invalid setting, a sample completed twice): their messages."""
    found = []
    for line in text.splitlines():
        if line.startswith(MLLOG_PREFIX) and '"is_error": true' in line:
            try:
                found.append(str(json.loads(line[len(MLLOG_PREFIX) :]).get("value")))
            except ValueError:
                continue
    return found


def seconds(detail: dict, key: str) -> float | None:
    """A nanosecond figure of the log in seconds; None where the log has no such key (or LoadGen wrote 0 for an
    estimate it did not make, e.g. MultiStream's p90 early-stopping estimate)."""
    value = detail.get(key)
    return value * NS if isinstance(value, (int, float)) and value > 0 else None


def percentile_s(detail: dict, percentile: float, per_query: bool = False) -> float | None:
    """result_50.00_percentile_latency_ns and its kin; per_query: MultiStream's per-query figures (a query's latency
    is its slowest sample's)."""
    kind = "per_query_latency" if per_query else "latency"
    return seconds(detail, f"result_{percentile:.2f}_percentile_{kind}_ns")


def _met(detail: dict, key: str, what: str) -> str | None:
    if key not in detail:
        return None
    return f"{what} {'met' if detail[key] else 'NOT met'}"


def reasons(detail: dict) -> str:
    """LoadGen's reasons for its verdict, in one line: each requirement it checked and whether it was met, then its
    early-stopping text (how many queries it processed and needs) and any invalid reason it gave."""
    parts = [
        _met(detail, "result_perf_constraints_met", "latency constraint"),
        _met(detail, "result_min_duration_met", "min duration"),
        _met(detail, "result_min_queries_met", "min queries"),
        _met(detail, "early_stopping_met", "early stopping"),
    ]
    lines = [" ".join(line.split()).rstrip(".") for line in str(detail.get("early_stopping_result") or "").split("*")]
    lines = [line for line in lines if line]
    if lines:
        parts.append("early stopping: " + ", ".join(lines))
    invalid = str(detail.get("result_invalid_reason") or "").strip()
    if invalid:
        parts.append(invalid)
    return "; ".join(p for p in parts if p)


def verdict(detail: dict) -> str | None:
    """VALID or INVALID, as LoadGen judged; None where the log holds no result (the test did not end)."""
    value = detail.get("result_validity")
    return str(value) if value else None


def version(detail: dict) -> str | None:
    """LoadGen's version as it logs it, e.g. '6.0.14 @ 534cbfd4d6'."""
    value = detail.get("loadgen_version")
    return str(value) if value else None
