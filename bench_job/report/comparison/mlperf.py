"""The comparison's MLPerf view: per scenario (SingleStream, MultiStream, Offline, Server) one table of model x
variant rows and a column per device, each cell the scenario's MLPerf figure with LoadGen's VALID/INVALID verdict,
as an MLPerf Edge table sets systems side by side; every LoadGen row of every device in mlperf.csv. The devices'
rules are named: a quick row is never compliant, and quick figures are indicative only."""

from __future__ import annotations

import os

from bench_job.report.comparison.leaderboard import INVALID_MARK
from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.markdown import missing
from bench_job.report.sections.mlperf import MODEL, SCENARIO_ORDER, checks, figure, is_compliant, verdict_cell
from bench_job.scenarios import LOADGEN_SCENARIOS

CSV_NAME = "mlperf.csv"
COUNTS = ["threads", "batch_size", "input_size"]
CSV_COLUMNS = [
    "device",
    "model",
    "variant",
    "runtime",
    "scenario",
    "accelerator",
    "threads",
    "batch_size",
    "input_size",
    "status",
    "reason",
    "valid",
    "invalid_reasons",
    "scenario_rules",
    "mlperf_compliant",
    "loadgen_settings",
    "loadgen_result",
    "loadgen_reasons",
    "loadgen_p50_s",
    "loadgen_p90_s",
    "loadgen_p99_s",
    "loadgen_early_stop_p90_s",
    "loadgen_early_stop_p99_s",
    "loadgen_samples_per_s",
    "loadgen_qps_with_overhead",
    "loadgen_qps_without_overhead",
    "server_target_qps",
    "server_latency_bound_s",
    "server_latency_bound_source",
    "server_search",
    "energy_per_sample_j",
    "avg_power_w",
    "loadgen_log",
]


def cell(row) -> str:
    """'p90 1.08 ms (...), VALID' with the energy per sample where measured, marked where the job's checks flagged the
    test; a failed test's status and reason."""
    if row["status"] != "ok":
        return figure(row)
    text = f"{figure(row)}, {verdict_cell(row)}"
    if not missing(row.get("energy_per_sample_j")):
        text += f", {row['energy_per_sample_j']:.3g} J/sample"
    return text + (f" {INVALID_MARK}" if checks(row) else "")


def rules_line(rows, labels: list) -> str:
    """Each device's rules, in one sentence."""
    parts = []
    for label in labels:
        of_device = rows[rows["device"] == label]
        if of_device.empty:
            continue
        compliant = all(is_compliant(r) for _, r in of_device.iterrows())
        parts.append(f"{label}: " + ("MLPerf rules" if compliant else "not MLPerf-compliant (quick rules)"))
    return "; ".join(parts)


def mlperf_comparison(loadgen, devices: dict, out_dir: str) -> list:
    """The section's blocks and mlperf.csv in out_dir; nothing where no device ran an MLPerf scenario."""
    if loadgen is None or loadgen.empty:
        return []
    labels = [d for d in devices if d in set(loadgen["device"])]
    rows = loadgen[CSV_COLUMNS].astype({column: "Int64" for column in COUNTS})  # 8, not the frame's 8.0
    rows.sort_values(["model", "variant", "runtime", "scenario", "device"], kind="stable").to_csv(
        os.path.join(out_dir, CSV_NAME), index=False
    )
    blocks = [
        Heading(2, "MLPerf scenarios (LoadGen)"),
        Text(
            "Each device's LoadGen tests side by side: per scenario the figure MLPerf publishes, LoadGen's verdict "
            "(VALID, or INVALID with the requirement it found unmet) and the energy per sample where measured. "
            "Quick rules shorten LoadGen's minimums: such figures are indicative only and not comparable with "
            f"published MLPerf results. Rules: {rules_line(loadgen, labels)}. Every row, with its settings and the "
            f"folder of its logs in its bundle: `{CSV_NAME}`."
        ),
    ]
    if any(checks(r) for _, r in loadgen.iterrows()):
        blocks.append(
            Text(
                f"{INVALID_MARK} marks a test the job's checks flagged (other processes' share of the CPU over it): "
                "read its figure as indicative only."
            )
        )
    for scenario in SCENARIO_ORDER:
        rows = loadgen[loadgen["scenario"] == scenario]
        if rows.empty:
            continue
        table = []
        for (model, variant, runtime), group in rows.groupby(MODEL, sort=True):
            by_device = {r["device"]: cell(r) for _, r in group.iterrows()}
            table.append([f"{model} [{variant}, {runtime}]"] + [by_device.get(label, "") for label in labels])
        blocks += [
            Heading(3, f"{LOADGEN_SCENARIOS[scenario].loadgen_name}: {LOADGEN_SCENARIOS[scenario].headline}"),
            Table(["model"] + labels, table),
        ]
    return blocks
