"""Comparing devices: the rows of several bundles merged with a `device` column, and the ratio tables.

Configurations are matched across devices on model, variant, runtime, batch size and input size (not on
the accelerator: a Jetson's CUDA run and a laptop's CPU run of the same configuration compare). Used by the
`bench-job compare` command (bench_job/report/comparison/command.py) and the comparison report.
"""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import COLUMNS, _flat, latest_records
from bench_job.report.render.frame import measured, prepare

MATCH = ["model", "variant", "runtime", "batch_size", "input_size"]
UNKNOWN_KIND = "unknown"


def device_label(env: dict, fallback: str) -> str:
    kind, host = env.get("device_kind"), env.get("hostname")
    return f"{kind}-{host}" if kind and host else fallback


def device_kind(info: dict) -> str:
    """What kind of device a label stands for (laptop, rpi, jetson), from its env facts."""
    return info["env"].get("device_kind") or UNKNOWN_KIND


def merge(bundles: list, labels: list) -> tuple[pd.DataFrame, dict]:
    """All bundles' rows with a `device` column, one row per device and configuration (latest run wins),
    and per device what it is: env facts and the bundles merged into it."""
    rows, devices = [], {}
    for bundle, given in zip(bundles, labels):
        label = given or device_label(bundle.env, bundle.name)
        # the rows results.to_frame makes of each bundle, all in one table: one DataFrame and one prepare
        # for a hundred bundles rather than a hundred of each
        rows += [
            dict({c: _flat(r.get(c)) for c in COLUMNS}, device=label, bundle=bundle.name)
            for r in latest_records(bundle.records)
        ]
        info = devices.setdefault(label, {"env": bundle.env, "bundles": [], "duplicates": 0})
        info["bundles"].append(bundle.name)
    merged = prepare(pd.DataFrame(rows, columns=COLUMNS + ["device", "bundle"])) if bundles else pd.DataFrame()
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
