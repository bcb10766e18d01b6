"""The leaderboard of a comparison: every device ranked per model and configuration by median latency
(1 = fastest) and energy per inference (1 = least), beside the model's accuracy on that device where it
was measured; in the report, each model at its common configuration, and the device kinds side by side.

A rank counts only the devices that measured that configuration: bundles with different model sets rank
on what they share. A row that failed a validity check keeps its rank and is marked, as in the ratio
tables: ranking it last would hide a fast device on a busy day as surely as ranking it first would
flatter it."""

from __future__ import annotations

import pandas as pd

from bench_job.report.comparison.matching import MATCH, device_kind
from bench_job.report.comparison.power_states import one_board_note, with_state
from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import in_sweep, measured
from bench_job.report.render.markdown import missing, ms, num

COLUMNS = MATCH + [
    "family",
    "device",
    "kind",
    "board",
    "power_state",
    "latency_median_s",
    "latency_rank",
    "energy_per_inference_j",
    "energy_rank",
    "accuracy",
    "devices_measured",
    "valid",
]
INVALID_MARK = "(!)"


def with_accuracy(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with each device's accuracy of a model and variant on every one of its rows: accuracy
    belongs to the weights and variant on a device, and is recorded on one of its rows."""
    scored = rows[rows["accuracy"].notna()].groupby(["device", "model", "variant"])["accuracy"].first()
    keys = pd.MultiIndex.from_frame(rows[["device", "model", "variant"]])
    return rows.assign(accuracy=scored.reindex(keys).to_numpy() if len(scored) else float("nan"))


def leaderboard(merged: pd.DataFrame, devices: dict) -> pd.DataFrame:
    """One row per device and configuration measured, with its ranks among the devices that measured it."""
    ok = measured(merged).copy()
    if ok.empty:
        return pd.DataFrame(columns=COLUMNS)
    ok["kind"] = ok["device"].map({label: device_kind(info) for label, info in devices.items()})
    ok["board"] = ok["device"].map({label: info["board"] for label, info in devices.items()})
    ok["power_state"] = ok["device"].map({label: info["power_state"] for label, info in devices.items()})
    by_config = ok.groupby(MATCH, sort=False)
    ok["latency_rank"] = by_config["latency_median_s"].rank(method="min")
    ok["energy_rank"] = by_config["energy_per_inference_j"].rank(method="min")
    ok["devices_measured"] = by_config["device"].transform("size")
    return (
        with_accuracy(ok)[COLUMNS].sort_values(MATCH + ["latency_rank", "device"], kind="stable").reset_index(drop=True)
    )


def common_configurations(board: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """Per model and variant, the configuration of its batch sweep that the most devices measured (the
    smallest batch among equals): the one point at which all its devices are ranked in the report."""
    swept = in_sweep(measured(merged), "batch")[MATCH].drop_duplicates()
    rows = board.merge(swept, on=MATCH)
    if rows.empty:
        rows = board
    counts = rows.groupby(MATCH, sort=False)["device"].size().rename("n").reset_index()
    counts = counts.sort_values(["n", "batch_size", "input_size"], ascending=[False, True, True], kind="stable")
    chosen = counts.groupby(["model", "variant"], sort=False).head(1)[MATCH]
    return board.merge(chosen, on=MATCH)


def _with_mark(text: str, valid) -> str:
    return f"{text} {INVALID_MARK}" if text and valid == False else text  # noqa: E712 (True/False/None)


def _percent(value) -> str:
    return "" if missing(value) else f"{value * 100:.1f}"


def _rank(value) -> str:
    return "" if missing(value) else str(int(value))


def kinds_table(common: pd.DataFrame) -> Table:
    """Per model and device kind (a Jetson's kind and power state: its modes are not pooled): how many
    devices, the fastest, and the kind's median and spread."""
    rows = []
    common = common.assign(group=[with_state(k, state) for k, state in zip(common["kind"], common["power_state"])])
    for (model, variant, kind), data in common.groupby(["model", "variant", "group"], sort=True):
        timed = data[data["latency_median_s"].notna()].sort_values("latency_median_s")
        if timed.empty:
            continue
        best = timed.iloc[0]
        rows.append(
            [
                model,
                variant,
                kind,
                len(data),
                f"{best['device']} ({ms(best['latency_median_s'])})",
                ms(timed["latency_median_s"].median()),
                ms(timed["latency_median_s"].iloc[-1]),
                num(data["energy_per_inference_j"].median()),
            ]
        )
    return Table(
        [
            "model",
            "variant",
            "kind",
            "devices",
            "fastest (ms)",
            "kind median (ms)",
            "slowest (ms)",
            "kind median energy (J)",
        ],
        rows,
    )


def leaderboard_section(merged: pd.DataFrame, devices: dict) -> tuple[list, pd.DataFrame]:
    """The report's leaderboard blocks, and the full table (every configuration) for leaderboard.csv."""
    board = leaderboard(merged, devices)
    blocks = [Heading(2, "Leaderboard")]
    if board.empty:
        return blocks + [Text("No device measured any configuration, so there is nothing to rank.")], board
    common = common_configurations(board, merged)
    blocks.append(
        Text(
            "Devices ranked per model at the configuration of its batch sweep that most devices measured: by median "
            "latency (1 = fastest) and energy per inference (gross, 1 = least), with the model's accuracy on the "
            f"device where it was measured. A rank counts the devices that measured that configuration. {INVALID_MARK} "
            "marks a figure that failed a validity check (busy machine, too few runs, throttling): ranked, but read "
            "it as indicative only. `leaderboard.csv` ranks every configuration the same way."
            + (
                " A Jetson is ranked per power state (its nvpmodel mode, and jetson_clocks where on), and its kind "
                "is grouped per power state: a board in two modes is two entries, named as such below the table."
                if board["power_state"].notna().any()
                else ""
            )
        )
    )
    blocks += [Heading(3, "By device kind"), kinds_table(common)]
    for (model, variant), data in common.groupby(["model", "variant"], sort=False):
        first = data.iloc[0]
        rows = [
            [
                _rank(r["latency_rank"]),
                r["device"],
                r["kind"],
                _with_mark(ms(r["latency_median_s"]), r["valid"]),
                _with_mark(num(r["energy_per_inference_j"]), r["valid"]),
                _rank(r["energy_rank"]),
                _percent(r["accuracy"]),
            ]
            for _, r in data.iterrows()
        ]
        blocks += [
            Heading(
                3,
                f"{model} [{variant}], batch {int(first['batch_size'])}, input {int(first['input_size'])}"
                f" ({len(data)} devices)",
            ),
            Table(
                [
                    "rank",
                    "device",
                    "kind",
                    "median latency (ms)",
                    "energy per inference (J)",
                    "energy rank",
                    "accuracy (%)",
                ],
                rows,
            ),
        ]
        note = one_board_note(data["device"], devices)
        if note:
            blocks.append(Text(note))
    return blocks, board
