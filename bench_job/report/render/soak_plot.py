"""The time-series figure of one soak: latency, temperature, clock (reported and measured) and power stacked on one
shared time axis, each throttle event marked by a vertical line across every panel, so a reader sees the latency
step up where the temperature reached its trip and the clock fell."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")  # no display in containers and CI
import matplotlib.pyplot as plt  # noqa: E402

from bench_job.report.render.plots import save  # noqa: E402


def _floats(rows: list, column: str) -> list:
    return [float(r[column]) if r.get(column) not in (None, "") else float("nan") for r in rows]


def _columns(rows: list, prefix: str, suffix: str) -> list:
    return [c for c in (rows[0] if rows else {}) if c.startswith(prefix) and c.endswith(suffix)]


def throttle_events(rows: list) -> list:
    """The end times (s) of the windows that brought a throttle reason the window before did not have; a reason
    whose figures changed ('at 80.0 C' then 'at 85.0 C') is the same event going on."""
    events, before = [], set()
    for row in rows:
        reasons = {re.sub(r"\d+(?:\.\d+)?", "#", r) for r in (row.get("throttle_reasons") or "").split("; ") if r}
        if reasons - before:
            events.append(float(row["t_end_s"]))
        before = reasons
    return events


def panels(rows: list) -> list:
    """(y label, [(series label, column, scale)]) of each panel the series has data for, top to bottom."""
    found = [("median latency (ms)", [("latency", "latency_median_s", 1e3)])]
    zones = [c for c in _columns(rows, "temp_", "_c") if c != "temp_max_c"]
    if zones:
        found.append(("temperature (C)", [(c[len("temp_") : -len("_c")], c, 1.0) for c in zones]))
    clocks = _columns(rows, "clock_", "_mhz")
    if clocks:
        found.append(("CPU clock (MHz)", [(c[len("clock_") : -len("_mhz")].replace("_", " "), c, 1.0) for c in clocks]))
    if any(r.get("power_w") for r in rows):
        found.append(("power (W)", [("power", "power_w", 1.0)]))
    return found


def write_soak_figure(rows: list, path: str, title: str) -> None:
    """rows: the soak CSV's rows (csv.DictReader); each panel plots against each window's end."""
    t = _floats(rows, "t_end_s")
    layout = panels(rows)
    fig, axes = plt.subplots(len(layout), 1, sharex=True, figsize=(7.5, 1.9 * len(layout) + 0.6), squeeze=False)
    events = throttle_events(rows)
    for ax, (label, series) in zip(axes[:, 0], layout):
        for name, column, scale in series:
            ax.plot(t, [v * scale for v in _floats(rows, column)], marker=".", markersize=3, label=name)
        for index, event in enumerate(events):
            ax.axvline(
                event, color="tab:red", linestyle="--", linewidth=0.9, label="throttle event" if index == 0 else None
            )
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if len(series) > 1 or events:
            ax.legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("time since the soak began (s)")
    axes[0, 0].set_title(title)
    save(fig, path)
