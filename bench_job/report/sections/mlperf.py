"""MLPerf scenarios (LoadGen): per model, variant and runtime, the four scenarios as MLPerf publishes them
(SingleStream's p90 and its early-stopping estimate, MultiStream's p99 of an 8-sample query, Offline's samples/s,
Server's QPS at its latency bound), each with LoadGen's VALID/INVALID verdict and the requirement it found unmet,
whether the rules were MLPerf's, energy per sample, and the bundle folder of its logs; then each SingleStream p50
beside the sweep's median of the same configuration.

The rows are set apart from the sweep's before any other section sees the table (run_report.build_report): a LoadGen
row has no median over repetitions, and LoadGen judges it (beside the job's own check of other processes' share of the
CPU over the test, shown apart from LoadGen's verdict). Quick rows are never called compliant, whatever else the row
says: their minimums are not MLPerf's.
"""

from __future__ import annotations

import re

from bench_job.measure.validity import reason_groups
from bench_job.report.render.document import Bullets, Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.render.markdown import missing, ms, num
from bench_job.report.sections.energy import brief_power_reason
from bench_job.scenarios import LOADGEN_SCENARIOS

SCENARIO_ORDER = list(LOADGEN_SCENARIOS)  # single-stream, multi-stream, offline, server
MODEL = ["model", "variant", "runtime"]
# what identifies a sweep row as the same configuration as a SingleStream row (batch 1 on both sides)
SAME_CONFIGURATION = ["model", "variant", "runtime", "accelerator", "threads", "input_size"]
# how the validity checks name LoadGen's verdict among a row's invalid_reasons (measure/validity.loadgen_reasons)
LOADGEN_REASON = "LoadGen judged the run"
TOP_REASONS = 3
HEADERS = [
    "scenario",
    "MLPerf figure",
    "percentiles and bound",
    "LoadGen QPS (without its overhead)",
    "energy / sample (J)",
    "LoadGen",
    "job's checks",
    "rules",
    "logs",
]


def _text(value) -> str:
    return "" if missing(value) else str(value)


def is_compliant(row) -> bool:
    """MLPerf-compliant rules: run under scenario_rules mlperf and recorded so; a quick row never is."""
    return row.get("scenario_rules") == "mlperf" and row.get("mlperf_compliant") is True


def compliance(row) -> str:
    if is_compliant(row):
        return "MLPerf rules (LoadGen's own minimums)"
    rules = _text(row.get("scenario_rules")) or "unrecorded"
    settings = _text(row.get("loadgen_settings"))
    lead = f"rules {rules}, "  # the settings' own first item (scenarios/settings.describe), said once here
    settings = settings[len(lead) :] if settings.startswith(lead) else settings
    return f"not MLPerf-compliant: {rules} rules" + (f" ({settings})" if settings else "")


def _early_stopping(text: str) -> str:
    """LoadGen's early-stopping text as its query counts: '64 queries processed, at least 662 needed' (or '... 598
    more needed'); the text itself where it holds no counts."""
    done = re.search(r"processed (\d+) queries", text, re.IGNORECASE)
    need = re.search(r"at least (\d+) (more )?queries", text)
    if not (done and need):
        return text
    return f"{done.group(1)} queries processed, at least {need.group(1)} {need.group(2) or ''}needed"


def short_reasons(reasons) -> str:
    """What LoadGen found unmet, from its reasons line (loadgen_log.reasons): the requirements NOT met (early
    stopping with its query counts) and any invalid reason it gave; the whole line where it names none of these."""
    parts = [p.strip().rstrip(".") for p in _text(reasons).split(";") if p.strip()]
    early = next((p[len("early stopping:") :].strip() for p in parts if p.startswith("early stopping:")), "")
    kept = []
    for part in parts:
        if part == "early stopping NOT met" and early:
            kept.append(f"early stopping NOT met ({_early_stopping(early)})")
        elif "NOT met" in part or not (part.endswith(" met") or part.startswith("early stopping:")):
            kept.append(part)
    return "; ".join(kept or parts)


def checks_cell(row) -> str:
    """The reasons the job's checks give, 'passed' where they give none but LoadGen's verdict, '' where the row does
    not record them."""
    return "" if row.get("valid") is None else (checks(row) or "passed")


def checks(row) -> str:
    """The job's own validity checks on the test (other processes' CPU share over it, as a sweep row's timing is
    judged), without LoadGen's verdict, which has its column; '' where they passed or were not recorded."""
    if row.get("valid") is not False:
        return ""
    parts = [p for p in _text(row.get("invalid_reasons")).split("; ") if p and not p.startswith(LOADGEN_REASON)]
    return "; ".join(parts)


def verdict_cell(row) -> str:
    """'VALID', 'INVALID: min queries NOT met', or 'no result' where LoadGen's log holds none."""
    result = _text(row.get("loadgen_result"))
    if not result:
        return "no result"
    if result == "VALID":
        return result
    why = short_reasons(row.get("loadgen_reasons"))
    return f"{result}: {why}" if why else result


def figure(row) -> str:
    """The scenario's MLPerf figure (scenarios/<name>.py), or why the row has none."""
    if row["status"] != "ok":
        return f"{row['status']}: {_text(row.get('reason'))}".rstrip(": ")
    return LOADGEN_SCENARIOS[row["scenario"]].figure(row)


def _ms(seconds) -> str:
    return ms(seconds) + " ms" if not missing(seconds) else "-"


def percentiles(row) -> str:
    """What the headline leaves out: the other percentiles (MultiStream's per query), and the Server's bound and where
    it came from. Offline's one query has no percentiles worth a reader's time: its sample count instead."""
    if row["scenario"] == "offline":
        samples = row.get("loadgen_samples")
        return "" if missing(samples) else f"{int(samples)} samples in one query"
    text = (
        f"p50 {_ms(row.get('loadgen_p50_s'))}, p90 {_ms(row.get('loadgen_p90_s'))}, p99 {_ms(row.get('loadgen_p99_s'))}"
    )
    if row["scenario"] == "multi-stream":
        text += " per query"
    if not missing(row.get("loadgen_early_stop_p99_s")):
        text += f"; p99 early-stopping estimate {_ms(row.get('loadgen_early_stop_p99_s'))}"
    if row["scenario"] == "server" and not missing(row.get("server_latency_bound_s")):
        source = _text(row.get("server_latency_bound_source")) or "source not recorded"
        text += f"; bound p99 {_ms(row.get('server_latency_bound_s'))} ({source})"
    return text


def qps(row) -> str:
    with_overhead, without = row.get("loadgen_qps_with_overhead"), row.get("loadgen_qps_without_overhead")
    if missing(with_overhead):
        return ""
    return num(with_overhead, 4) + ("" if missing(without) else f" ({num(without, 4)})")


def energy(row) -> str:
    value = row.get("energy_per_sample_j")
    if missing(value):
        return ""
    power = row.get("avg_power_w")
    return num(value) + ("" if missing(power) else f" at {num(power)} W")


def table_row(row) -> list:
    name = LOADGEN_SCENARIOS[row["scenario"]].loadgen_name
    if row["status"] != "ok":
        return [name, figure(row)] + [""] * (len(HEADERS) - 2)
    return [
        name,
        figure(row),
        percentiles(row),
        qps(row),
        energy(row),
        verdict_cell(row),
        checks_cell(row),
        compliance(row),
        f"`{row['loadgen_log']}`" if not missing(row.get("loadgen_log")) else "",
    ]


def ordered(rows):
    """The rows in MLPerf's order of scenarios."""
    return rows.iloc[rows["scenario"].map(SCENARIO_ORDER.index).argsort(kind="stable")]


def rules_text(rows) -> str:
    """What the rules were, for the reader of every figure below."""
    rules = set(rows["scenario_rules"].dropna())
    parts = []
    if "mlperf" in rules:
        parts.append(
            "Rows under `scenario_rules: mlperf` ran LoadGen's own minimums (600 s and its query counts), as MLPerf's "
            "rules set them."
        )
    if rules - {"mlperf"} or rows["scenario_rules"].isna().any():
        parts.append(
            "Rows under `scenario_rules: quick` ran LoadGen with its minimum duration and query count shortened "
            "(each row's settings in its rules column): their figures are indicative only, not comparable with "
            "published MLPerf results, and no quick row is MLPerf-compliant."
        )
    return " ".join(parts)


def _configuration(row) -> str:
    unit = _text(row.get("input_unit"))
    return (
        f"{int(row['input_size'])} {unit}".strip()
        + f", {_text(row.get('accelerator'))}, {int(row['threads'])} thread(s)"
    )


def sweep_medians(loadgen, sweep) -> list:
    """[label, configuration, LoadGen p50, sweep median, ratio] per measured SingleStream row whose configuration
    the sweep measured at batch 1."""
    single = measured(loadgen[loadgen["scenario"] == "single-stream"])
    batch1 = measured(sweep)
    batch1 = batch1[(batch1["batch_size"] == 1) & batch1["latency_median_s"].notna()]
    rows = []
    for _, row in single.iterrows():
        if missing(row.get("loadgen_p50_s")):
            continue
        same = batch1
        for column in SAME_CONFIGURATION:
            same = same[same[column] == row[column]]
        if same.empty:
            continue
        median = same.iloc[0]["latency_median_s"]
        rows.append(
            [
                f"{row['model']} [{row['variant']}, {row['runtime']}]",
                "batch 1, " + _configuration(row),
                ms(row["loadgen_p50_s"]),
                ms(median),
                f"{row['loadgen_p50_s'] / median:.2f}x",
            ]
        )
    return rows


def mlperf_section(frame, ctx) -> list:
    """The section's blocks; none where the bundle has no LoadGen row (schema 7 and older never do)."""
    loadgen = ctx.loadgen
    if loadgen is None or loadgen.empty:
        return []
    blocks = [
        Heading(2, "MLPerf scenarios (LoadGen)"),
        Text(
            "Each row is one test by MLCommons' LoadGen of the variant's deployed runtime on synthetic inputs at the "
            "model's default size (performance mode): LoadGen issued the queries, timed them and judged the run "
            "VALID or INVALID (with the requirement it found unmet). Server's figure is the highest target QPS of a "
            "bounded search whose p99 held the bound. The job's checks judge the test as a sweep row's timing is "
            "(other processes' share of the CPU over it): a disturbed test's figures are indicative only. Energy per "
            "sample is over the whole test. " + rules_text(loadgen)
        ),
    ]
    for (model, variant, runtime), rows in loadgen.groupby(MODEL, sort=True):
        first = rows.iloc[0]
        blocks += [
            Heading(3, f"{model} [{variant}, {runtime}]: input {_configuration(first)}"),
            Table(HEADERS, [table_row(row) for _, row in ordered(rows).iterrows()]),
        ]
        searches = [r for _, r in rows.iterrows() if r["scenario"] == "server" and not missing(r.get("server_search"))]
        if searches:
            blocks.append(Bullets([f"Server search: {r['server_search']}" for r in searches]))
    if measured(loadgen)["energy_per_sample_j"].isna().all():
        blocks.append(Text(f"No energy per sample: {brief_power_reason(loadgen)}."))
    paired = sweep_medians(loadgen, frame)
    if paired:
        blocks += [
            Text(
                "SingleStream's p50 beside the sweep's median of the same configuration (batch 1, the same input "
                "size, runtime and threads): LoadGen / sweep above 1 is what LoadGen's Python SUT adds per query "
                "(its query dispatch and the runtime's call from LoadGen's thread) over the sweep's bare timed call."
            ),
            Table(["model", "configuration", "LoadGen p50 (ms)", "sweep median (ms)", "LoadGen / sweep"], paired),
        ]
    return blocks


def mlperf_verdicts(loadgen) -> list:
    """The verdict's (label, detail) lines: LoadGen tests judged INVALID, tests the job's own checks flagged (other
    processes' CPU share), and scenario tests that did not run."""
    if loadgen is None or loadgen.empty:
        return []
    found = []
    ok = measured(loadgen)
    invalid = ok[ok["loadgen_result"] != "VALID"]
    if not invalid.empty:
        found.append(
            (
                f"{len(invalid)} of {len(ok)} LoadGen tests not VALID",
                "; ".join(
                    f"{r['model']} [{r['variant']}] {r['scenario']}: {verdict_cell(r)}" for _, r in invalid.iterrows()
                )
                + " (see MLPerf scenarios (LoadGen))",
            )
        )
    flagged = [checks(r) for _, r in ok.iterrows()]
    flagged = [text for text in flagged if text]
    if flagged:
        groups = reason_groups(flagged)
        shown = [f"{reason} ({count})" for reason, count in groups[:TOP_REASONS]]
        if len(groups) > TOP_REASONS:
            shown.append(f"{len(groups) - TOP_REASONS} other reason(s)")
        found.append(
            (
                f"{len(flagged)} of {len(ok)} LoadGen tests failed the job's checks",
                "reasons (tests): " + "; ".join(shown) + ". LoadGen's figures of a disturbed test are indicative only.",
            )
        )
    failed = loadgen[loadgen["status"] != "ok"]
    if not failed.empty:
        found.append(
            (
                f"{len(failed)} MLPerf scenario test(s) did not run",
                "; ".join(f"{r['model']} [{r['variant']}] {r['scenario']}: {figure(r)}" for _, r in failed.iterrows()),
            )
        )
    return found
