"""The comparison's sustained view: per soaked model and configuration, each device's share of its burst speed held
through its soak (sustained_perf_ratio), when it first throttled and how hot it got, side by side. A Raspberry Pi
with and without a cooler is the classic pair: the same burst, a different rate held."""

from __future__ import annotations

from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.render.markdown import missing

SOAK = ["model", "variant", "runtime", "batch_size", "input_size"]


def held_cell(row) -> str:
    """'50%, throttled at 5 s, 85 C' or '100%, none in 300 s, 61 C'."""
    parts = [f"{row['sustained_perf_ratio']:.0%}"]
    if missing(row["throttle_onset_s"]):
        parts.append(f"none in {row['sustained_s']:.0f} s")
    else:
        parts.append(f"throttled at {row['throttle_onset_s']:.0f} s")
    if not missing(row["sustained_peak_temp_c"]):
        parts.append(f"{row['sustained_peak_temp_c']:.0f} C")
    return ", ".join(parts)


def sustained_comparison(soaks, devices: dict) -> list:
    """A table: one row per soaked configuration, one column per device (empty where it did not soak it)."""
    ok = measured(soaks) if len(soaks) else soaks
    if ok.empty:
        return []
    labels = [d for d in devices if d in set(ok["device"])]
    rows = []
    for key, group in ok.groupby(SOAK, sort=False):
        model, variant, runtime, batch, size = key
        by_device = {r["device"]: held_cell(r) for _, r in group.iterrows() if not missing(r["sustained_perf_ratio"])}
        unit = group["input_unit"].iloc[0] or ""
        rows.append(
            [f"{model} [{variant}, {runtime}]", f"batch {int(batch)}, {int(size)} {unit}".strip()]
            + [by_device.get(label, "") for label in labels]
        )
    return [
        Heading(2, "Sustained performance"),
        Text(
            "Share of the burst speed each device held through its soak (first window median / last window median; "
            "100%: no loss), when it first throttled, and its peak temperature. Soaks of different lengths are not "
            "the same test: the columns name each one's length where it did not throttle."
        ),
        Table(["model", "configuration"] + labels, rows),
    ]
