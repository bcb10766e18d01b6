"""Comparing devices: the rows of several bundles merged with a `device` column, and the ratio tables.

A device is a board in one power state (power_states.py): bundles of one board in two nvpmodel modes are two
devices, whatever their labels, and each device records its board so the report can say they are one.

Configurations are matched across devices on model, variant, runtime, batch size and input size (not on
the accelerator: a Jetson's CUDA run and a laptop's CPU run of the same configuration compare). Used by the
`bench-job compare` command (bench_job/report/comparison/command.py) and the comparison report.
"""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import COLUMNS, _flat, latest_records
from bench_job.report.comparison.power_states import NOT_RECORDED, record_states, start_state, with_state
from bench_job.report.render.frame import measured, prepare

MATCH = ["model", "variant", "runtime", "batch_size", "input_size"]
UNKNOWN_KIND = "unknown"


def device_label(env: dict, fallback: str) -> str:
    kind, host = env.get("device_kind"), env.get("hostname")
    return f"{kind}-{host}" if kind and host else fallback


def device_kind(info: dict) -> str:
    """What kind of device a label stands for (laptop, rpi, jetson), from its env facts."""
    return info["env"].get("device_kind") or UNKNOWN_KIND


def device_group(info: dict) -> str:
    """The group a device is listed, coloured and summarised in: its kind, and its power state where it has
    one ("jetson @MAXN"), so that a Jetson's modes are never pooled as one kind."""
    return with_state(device_kind(info), info["power_state"])


def _labels(keys: list) -> dict:
    """(label, given, state) -> device label. A default label always names the state it ran in; a label the
    user gave is kept as given unless its bundles ran in several states, which it would merge: then each
    state keeps the label with its state appended (the devices section says so), as a device is a board in
    one power state."""
    states = {}
    for label, _, state in keys:
        states.setdefault(label, set()).add(state)
    names = {}
    for label, given, state in keys:
        if not given:
            names[label, given, state] = with_state(label, state)
        elif len(states[label]) == 1:
            names[label, given, state] = label
        else:
            names[label, given, state] = with_state(label, state or NOT_RECORDED)
    return names


def merge(bundles: list, labels: list) -> tuple[pd.DataFrame, dict]:
    """All bundles' rows with a `device` column, one row per device and configuration (latest run wins),
    and per device what it is: env facts, the bundles merged into it, the board and the power state."""
    rows, row_keys, parts = [], [], []
    for bundle, given in zip(bundles, labels):
        label = given or device_label(bundle.env, bundle.name)
        records = latest_records(bundle.records)
        states = record_states(records, bundle.env)
        # the rows results.to_frame makes of each bundle, all in one table: one DataFrame and one prepare
        # for a hundred bundles rather than a hundred of each
        for record, state in zip(records, states):
            rows.append(dict({c: _flat(record.get(c)) for c in COLUMNS}, bundle=bundle.name))
            row_keys.append((label, bool(given), state))
        # one part per state the bundle ran in; a bundle without rows is still a device, in its start state
        for state in dict.fromkeys(states or [start_state(bundle.env)]):
            parts.append(((label, bool(given), state), bundle, device_label(bundle.env, label)))
    names = _labels([key for key, _, _ in parts])
    devices = {}
    for key, bundle, board in parts:
        info = devices.setdefault(
            names[key], {"env": bundle.env, "bundles": [], "duplicates": 0, "board": board, "power_state": key[2]}
        )
        info["bundles"].append(bundle.name)
        if key[1] and names[key] != key[0]:
            info["given_label"] = key[0]
    frame = pd.DataFrame(rows, columns=COLUMNS + ["bundle"])
    frame.insert(len(COLUMNS), "device", [names[key] for key in row_keys])
    merged = prepare(frame) if bundles else pd.DataFrame()
    merged = merged.sort_values("started_at", na_position="first", kind="stable")
    before = merged.groupby("device").size()
    merged = merged.drop_duplicates(["device", "key"], keep="last").sort_index()
    after = merged.groupby("device").size()
    for label in devices:
        devices[label]["duplicates"] = int(before.get(label, 0) - after.get(label, 0))
    return merged.reset_index(drop=True), devices


def ratio_table(merged: pd.DataFrame, baseline: str, column: str, ratio: str) -> pd.DataFrame:
    """One row per matched configuration: the column per device and, per other device, the ratio to the
    baseline: "speedup" = baseline / device (higher is faster), "ratio" = device / baseline."""
    ok = measured(merged)
    ok = ok[ok[column].notna()]
    wide = ok.pivot_table(index=MATCH, columns="device", values=column, aggfunc="first")
    if baseline not in wide.columns or wide.shape[1] < 2:
        return pd.DataFrame()
    wide = wide[wide[baseline].notna()]
    devices = [d for d in wide.columns if d != baseline]
    ratios = pd.DataFrame(
        {
            f"{ratio}:{device}": (wide[baseline] / wide[device])
            if ratio == "speedup"
            else (wide[device] / wide[baseline])
            for device in devices
        },
        index=wide.index,
    )
    out = pd.concat([wide[[baseline] + devices], ratios], axis=1)  # at once: a column per device fragmented the frame
    out = out.dropna(how="all", subset=[f"{ratio}:{d}" for d in devices])
    return out.reset_index()
