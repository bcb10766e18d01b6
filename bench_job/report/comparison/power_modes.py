"""The power-mode section of a comparison (the MaxQ / MaxP view, after MLPerf's split of Jetson results): for
each board measured in more than one power state (a campaign's power-mode sweep fetches one bundle per mode),
per model the states side by side at a configuration they share, and which state is the most efficient, which
the fastest, and what the fastest costs against the most efficient.

A verdict uses only the rows it can trust: valid ones (a busy or throttled run's figures are marked, not
chosen) whose power state held through the measurement (power_state_changed: a mode switched or a clock cap
dropped mid-run, so the row belongs to no one state). Devices of the board whose state was not recorded
(bundles older than schema 6) are named and left out: their state cannot be told from the others'.
"""

from __future__ import annotations

import os

import pandas as pd

from bench_job.report.comparison.leaderboard import INVALID_MARK, with_accuracy
from bench_job.report.comparison.matching import MATCH
from bench_job.report.comparison.power_states import describe_state
from bench_job.report.render.document import Bullets, Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.render.markdown import missing, ms, num

CSV_NAME = "power_modes.csv"
CHANGED_MARK = "(changed)"
MODEL = ["model", "variant", "runtime"]
CSV_COLUMNS = (
    ["board", "device", "power_state"]
    + MATCH
    + [
        "states_sharing",
        "latency_median_s",
        "energy_per_inference_j",
        "throughput",
        "accuracy",
        "valid",
        "invalid_reasons",
        "power_state_changed",
        "power_state_reasons",
    ]
)


def boards_in_several_states(devices: dict) -> dict:
    """board -> its devices with a recorded power state (in the order given), for every board measured in
    more than one state."""
    boards = {}
    for label, info in devices.items():
        if info["power_state"]:
            boards.setdefault(info["board"], []).append(label)
    return {board: labels for board, labels in boards.items() if len({devices[x]["power_state"] for x in labels}) > 1}


def shared_rows(merged: pd.DataFrame, labels: list, devices: dict) -> pd.DataFrame:
    """The board's measured rows at configurations that two or more of its states measured, with that count
    (states_sharing) and the device's accuracy of the model spread over its rows."""
    ok = measured(merged)
    rows = with_accuracy(ok[ok["device"].isin(labels)])
    states = rows["device"].map({label: devices[label]["power_state"] for label in labels})
    rows = rows.assign(states_sharing=states.groupby([rows[c] for c in MATCH], sort=False).transform("nunique"))
    return rows[rows["states_sharing"] > 1]


def chosen_configurations(shared: pd.DataFrame) -> pd.DataFrame:
    """Per model, variant and runtime, the one configuration the report shows: shared by the most states,
    then the batch sweep's (its fixed input size is the model's default), then the smallest batch and
    input: batch 1 at the default size where every state measured it."""
    in_batch_sweep = shared["sweeps"].str.split("+").map(lambda parts: "batch" in parts).astype(bool)
    configs = shared.assign(batch_sweep=in_batch_sweep)
    configs = configs.groupby(MATCH, sort=False).agg(n=("states_sharing", "first"), batch_sweep=("batch_sweep", "any"))
    configs = configs.reset_index().sort_values(
        MODEL + ["n", "batch_sweep", "batch_size", "input_size"],
        ascending=[True, True, True, False, False, True, True],
        kind="stable",
    )
    return configs.groupby(MODEL, sort=False).head(1)[MATCH]


def usable(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a verdict may use: valid, and measured in one power state throughout."""
    return rows[(rows["valid"] != False) & (rows["power_state_changed"] != True)]  # noqa: E712 (True/False/None)


def _best(rows: pd.DataFrame, column: str):
    """The row with the lowest figure, where at least two states have one to compare (else None)."""
    figures = rows[rows[column].notna()]
    if figures["device"].nunique() < 2:
        return None
    return figures.sort_values(column, kind="stable").iloc[0]


def verdict(rows: pd.DataFrame, names: dict) -> list:
    """[most efficient, fastest, what the fastest costs] for one model's rows at its configuration."""
    trusted = usable(rows)
    efficient, fastest = _best(trusted, "energy_per_inference_j"), _best(trusted, "latency_median_s")
    if fastest is None:
        return ["", "", "fewer than two power states with a valid, steady measurement: no verdict"]
    fast = f"{names[fastest['device']]} ({ms(fastest['latency_median_s'])} ms)"
    if efficient is None:
        return ["", fast, "energy per inference not recorded in two valid, steady states: no efficiency verdict"]
    thrifty = f"{names[efficient['device']]} ({num(efficient['energy_per_inference_j'])} J)"
    if efficient["device"] == fastest["device"]:
        return [thrifty, fast, "none: the fastest state is also the most efficient"]
    if missing(fastest["energy_per_inference_j"]):
        return [thrifty, fast, f"not known: {names[fastest['device']]} recorded no energy"]
    gain = efficient["latency_median_s"] / fastest["latency_median_s"]
    extra = fastest["energy_per_inference_j"] / efficient["energy_per_inference_j"]
    return [
        thrifty,
        fast,
        f"{gain:.2f}x lower latency for {extra:.2f}x the energy per inference ({(extra - 1) * 100:+.0f}%)",
    ]


def _validity(row) -> str:
    reasons = []
    if row["valid"] == False:  # noqa: E712 (True/False/None)
        reasons.append(f"{INVALID_MARK} invalid: {row['invalid_reasons'] or 'no reason recorded'}")
    if row["power_state_changed"] == True:  # noqa: E712
        reasons.append(f"{CHANGED_MARK} power state changed: {row['power_state_reasons'] or 'no reason recorded'}")
    return "; ".join(reasons) or "valid"


def _mark(text: str, row) -> str:
    marks = [INVALID_MARK] if row["valid"] == False else []  # noqa: E712
    marks += [CHANGED_MARK] if row["power_state_changed"] == True else []  # noqa: E712
    return " ".join([text] + marks) if text else text


def _percent(value) -> str:
    return "" if missing(value) else f"{value * 100:.1f}"


def state_names(labels: list, devices: dict) -> dict:
    """device -> how the board's table names it: its power state, and its label where two devices of the
    board share a state (two runs labelled apart)."""
    states = [devices[label]["power_state"] for label in labels]
    return {label: state if states.count(state) == 1 else f"{state} ({label})" for label, state in zip(labels, states)}


def board_blocks(board: str, labels: list, merged: pd.DataFrame, devices: dict) -> tuple[list, pd.DataFrame]:
    """One board's heading, its states in full, the per-mode table and the verdicts; and its shared rows."""
    names = state_names(labels, devices)
    shared = shared_rows(merged, labels, devices)
    shared = shared.assign(board=board, power_state=shared["device"].map(names))
    blocks = [
        Heading(3, f"{board}: {', '.join(names[label] for label in labels)}"),
        Bullets(
            [
                f"{names[label]}: {describe_state(merged[merged['device'] == label]) or 'not described'}"
                for label in labels
            ]
        ),
    ]
    unknown = sorted(x for x, info in devices.items() if info["board"] == board and not info["power_state"])
    if unknown:
        blocks.append(Text(f"Left out, no power state recorded in their rows (older bundles): {', '.join(unknown)}."))
    if shared.empty:
        return blocks + [
            Text("No configuration was measured in two of these states: nothing to set side by side.")
        ], shared
    shown = shared.merge(chosen_configurations(shared), on=MATCH)
    order = {label: i for i, label in enumerate(labels)}
    shown = shown.assign(order=shown["device"].map(order)).sort_values(MODEL + ["order"], kind="stable")
    table, verdicts = [], []
    for (model, variant, runtime), rows in shown.groupby(MODEL, sort=False):
        for _, r in rows.iterrows():
            table.append(
                [
                    model,
                    variant,
                    runtime,
                    int(r["batch_size"]),
                    int(r["input_size"]),
                    names[r["device"]],
                    _mark(ms(r["latency_median_s"]), r),
                    _mark(num(r["energy_per_inference_j"]), r),
                    num(r["throughput"]),
                    _percent(r["accuracy"]),
                    _validity(r),
                ]
            )
        verdicts.append([model, variant, runtime] + verdict(rows, names))
    blocks += [
        Table(
            [
                "model",
                "variant",
                "runtime",
                "batch",
                "input",
                "power state",
                "median latency (ms)",
                "energy per inference (J)",
                "throughput (/s)",
                "accuracy (%)",
                "validity",
            ],
            table,
        ),
        Table(
            ["model", "variant", "runtime", "most efficient", "fastest", "what the fastest costs"],
            verdicts,
        ),
    ]
    return blocks, shared


def power_modes_section(merged: pd.DataFrame, devices: dict, out_dir: str) -> list:
    """The section's blocks, and power_modes.csv (every shared configuration) in out_dir; nothing where no
    board was measured in more than one power state (laptops, single-mode runs, old bundles)."""
    boards = boards_in_several_states(devices)
    if not boards:
        return []
    blocks = [
        Heading(2, "Power modes (MaxQ / MaxP)"),
        Text(
            "Boards measured in more than one power state (nvpmodel mode, and jetson_clocks where on): per model, "
            "each state at the configuration the most states share (batch 1 at the model's default size where "
            "they all measured it). The most efficient state has the lowest energy per inference (gross), the "
            "fastest the lowest median latency, each among the rows a verdict can trust: "
            f"{INVALID_MARK} marks a row that failed a validity check, {CHANGED_MARK} one whose power state "
            "changed while it was measured; both are shown and neither is used for a verdict. What the fastest "
            "costs: its latency gain over the most efficient state, and the energy per inference it spends for "
            f"it. Every configuration two or more states share: `{CSV_NAME}`."
        ),
    ]
    frames = []
    for board, labels in sorted(boards.items()):
        more, shared = board_blocks(board, labels, merged, devices)
        blocks += more
        frames.append(shared)
    pd.concat(frames)[CSV_COLUMNS].sort_values(["board"] + MATCH + ["device"], kind="stable").to_csv(
        os.path.join(out_dir, CSV_NAME), index=False
    )
    return blocks
