"""The comparison report: devices side by side, at any count from two to a class of a hundred. The devices
grouped by kind (a Jetson's kind per power state), what the bundles share, a leaderboard ranking the devices
per model, the power-mode view of a board measured in several power states (power_modes.py), speed-up and
energy-ratio headlines per device (the full per-configuration ratio tables in the report while they fit on
a page, always in CSV), ranked bars and per-kind sweep plots, and the accuracy-vs-efficiency fronts per
device kind. Wherever devices stand side by side, two power states of one board are named as such."""

from __future__ import annotations

import os

import numpy as np

from bench_job.bundle import names
from bench_job.report.comparison.coverage import coverage_section
from bench_job.report.comparison.leaderboard import common_configurations, leaderboard_section
from bench_job.report.comparison.matching import MATCH, device_group, device_kind, ratio_table
from bench_job.report.comparison.mlperf import mlperf_comparison
from bench_job.report.comparison.plots import kind_colours, kind_sweeps, ranked_bars, save
from bench_job.report.comparison.power_modes import power_modes_section
from bench_job.report.comparison.power_states import NOT_RECORDED, describe_state, one_board_note
from bench_job.report.comparison.sustained import sustained_comparison
from bench_job.report.render import figure_pool, html, markdown
from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text
from bench_job.report.render.frame import loadgen_rows, measured, sustained_rows, sweep_rows
from bench_job.report.render.markdown import ms, num
from bench_job.report.render.plots import log_axis, plt
from bench_job.report.sections.accuracy import accuracy_table, draw_front, front_mask
from bench_job.units import format_bytes

TITLE = "Edge inference benchmark: device comparison"
# Up to this many devices the per-configuration ratio tables (two columns per device) fit a page; beyond,
# they are in speedup.csv / energy_ratio.csv and the report keeps each device's headline.
WIDE_TABLE_DEVICES = 8


def by_kind(devices: dict) -> list:
    """Device labels grouped by kind and power state (groups and labels sorted), the order of every
    per-device listing."""
    return sorted(devices, key=lambda label: (device_group(devices[label]), label))


def state_notes(devices: dict) -> list:
    """What the devices table needs said about power states: boards measured in several (each state a
    device, never merged), and labels given to bundles of several states, kept apart rather than merged."""
    notes = []
    boards = {}
    for info in devices.values():
        boards.setdefault(info["board"], set()).add(info["power_state"] or NOT_RECORDED)
    for board, states in sorted(boards.items()):
        if len(states) > 1:
            notes.append(
                f"{board} was measured in {len(states)} power states ({', '.join(sorted(states))}): each is a "
                "device here, never merged with another, as a mode changes a board's figures as much as another "
                "board would."
            )
    split = {}
    for label, info in devices.items():
        if info.get("given_label"):
            split.setdefault(info["given_label"], []).append(label)
    for given, labels in sorted(split.items()):
        notes.append(
            f"The label {given} was given to bundles of {len(labels)} power states: they are kept apart as "
            f"{', '.join(sorted(labels))} rather than merged as runs of one device (label them apart, e.g. "
            f"{given}@MODE, to name them yourself)."
        )
    return notes


def devices_section(merged, devices: dict, baseline: str) -> list:
    rows = []
    of_device = dict(tuple(merged.groupby("device", sort=False)))
    for label in by_kind(devices):
        info = devices[label]
        env = info["env"]
        data = of_device.get(label, merged.iloc[:0])
        rows.append(
            [
                label + (" (baseline)" if label == baseline else ""),
                device_group(info),
                describe_state(data) or ("not recorded" if device_kind(info) == "jetson" else ""),
                env.get("hostname"),
                env.get("cpu_model"),
                env.get("cpu_logical_cores"),
                format_bytes(env.get("memory_total_bytes")),
                env.get("accelerator"),
                num(env.get("peak_gflops")),
                ", ".join(sorted({str(int(t)) for t in data["threads"].dropna()})),
                ", ".join(info["bundles"]),
                f"{(data['status'] == 'ok').sum()}/{len(data)}",
                info["duplicates"],
            ]
        )
    kinds = {}
    for info in devices.values():
        kinds[device_group(info)] = kinds.get(device_group(info), 0) + 1
    notes = state_notes(devices)
    return [
        Heading(1, TITLE),
        Text(
            f"{len(devices)} devices: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + ". "
            "Configurations are matched on model, variant, batch size and input size. Where several runs of one "
            "device measured the same configuration, the latest is kept (count in the last column)."
        ),
        Heading(2, "Devices by kind"),
        Table(
            [
                "device",
                "kind",
                "power state",
                "host",
                "CPU",
                "cores",
                "memory",
                "accelerator",
                "peak GFLOP/s",
                "threads",
                "bundles",
                "measured",
                "replaced",
            ],
            rows,
        ),
    ] + ([Bullets(notes)] if notes else [])


def _headline(device: str, baseline: str, values, flagged: int, devices: dict) -> str:
    """One device's summary line, the figure a reader quotes: so it carries its own warnings, the rows
    behind it that failed validity and two "devices" that are one machine (two runs of it, or two of its
    power states)."""
    # The geometric mean is the one average of ratios that does not depend on which device is the base.
    text = (
        f"{device} vs {baseline}: geometric mean {np.exp(np.log(values).mean()):.2f}x over {len(values)} "
        f"configurations (range {values.min():.2f}-{values.max():.2f})"
    )
    if flagged:
        text += (
            f"; {flagged} of the {len(values)} configurations behind it failed a validity check on either "
            "device: **indicative only**"
        )
    host = devices[device]["env"].get("hostname")
    states = [devices[label]["power_state"] for label in (device, baseline)]
    if host and host == devices[baseline]["env"].get("hostname") and states[0] != states[1]:
        text += (
            f"; both bundles come from host {host}, in two power states ({states[0] or NOT_RECORDED} vs "
            f"{states[1] or NOT_RECORDED}): the ratio is what the power state changes on one board, not how "
            "devices differ"
        )
    elif host and host == devices[baseline]["env"].get("hostname"):
        text += (
            f"; both bundles come from host {host}: two runs of one machine, so the ratio shows how the runs "
            "differ (their settings, or the machine's own noise), not how devices differ"
        )
    return text


def _ratio_blocks(
    merged,
    devices: dict,
    baseline: str,
    column: str,
    ratio: str,
    fmt,
    title: str,
    intro: str,
    out_dir: str,
    csv_name: str,
) -> list:
    table = ratio_table(merged, baseline, column, ratio)
    if table.empty:
        return []
    table.to_csv(os.path.join(out_dir, csv_name), index=False)
    ratio_columns = {c.split(":", 1)[1]: c for c in table.columns if isinstance(c, str) and c.startswith(f"{ratio}:")}
    others = [d for d in by_kind(devices) if d in ratio_columns]
    ok = measured(merged)
    bad = ok[ok["valid"] == False]  # noqa: E712
    invalid = set(zip(bad["device"], *(bad[c] for c in MATCH)))

    def failed(r, device) -> bool:
        # A ratio is only as good as both of its measurements.
        key = tuple(r[c] for c in MATCH)
        return (device,) + key in invalid or (baseline,) + key in invalid

    blocks = [Heading(2, title), Text(intro + f" Every configuration's ratio, for every device: `{csv_name}`.")]
    summary = []
    keys = list(zip(*(table[c] for c in MATCH)))
    baseline_failed = [(baseline,) + key in invalid for key in keys]
    for device in others:
        present = table[ratio_columns[device]].notna().to_numpy()
        if present.any():
            flagged = sum(baseline_failed[i] or (device,) + keys[i] in invalid for i in np.flatnonzero(present))
            summary.append(_headline(device, baseline, table.loc[present, ratio_columns[device]], flagged, devices))
    blocks.append(Bullets(summary))
    note = one_board_note([baseline] + others, devices)
    if note:
        blocks.append(Text(note))
    if len(others) > WIDE_TABLE_DEVICES:
        return blocks + [
            Text(
                f"With {len(others) + 1} devices the per-configuration table would take two columns per "
                f"device: it is in `{csv_name}`, and the leaderboard ranks the devices per model."
            )
        ]

    def ratio_cell(r, device):
        value = r[ratio_columns[device]]
        if value != value:
            return ""
        return f"{value:.2f}x{' (!)' if failed(r, device) else ''}"

    if invalid:
        blocks.append(
            Text(
                "(!) marks a ratio where the configuration failed a validity check on either device "
                "(too few runs, wide CI, throttling, swapping): read it as indicative only."
            )
        )
    value_columns = [baseline] + others
    for model, data in table.groupby("model", sort=False):
        rows = [
            [r["variant"], int(r["batch_size"]), int(r["input_size"])]
            + [fmt(r[d]) for d in value_columns]
            + [ratio_cell(r, d) for d in others]
            for _, r in data.iterrows()
        ]
        blocks += [
            Text(f"**{model}**"),
            Table(["variant", "batch", "input"] + value_columns + [f"{ratio} {d}" for d in others], rows),
        ]
    return blocks


# (file stem, column, scale to display units, axis title)
METRICS = [
    ("latency", "latency_median_s", 1e3, "median latency (ms)"),
    ("energy", "energy_per_inference_j", 1.0, "energy per inference (J, gross)"),
]


def plot_figures(merged, devices: dict, out_dir: str) -> list:
    """The plots section's figures: (file name, caption, (function, its arguments)), in the report's order.
    Each function draws its PNG into out_dir/plots and returns False when it has nothing to draw."""
    os.makedirs(os.path.join(out_dir, "plots"), exist_ok=True)
    kinds = {label: device_group(info) for label, info in devices.items()}
    colours = kind_colours(kinds.values())
    common = measured(merged).assign(kind=lambda f: f["device"].map(kinds))
    common = common_configurations(common, merged)
    families = sorted(merged["family"].unique())
    figures = []
    for metric, column, scale, title in METRICS:
        for family in families:
            name = f"compare_{metric}_ranked_{family}.png"
            path = os.path.join(out_dir, "plots", name)
            task = (ranked_bars, (common, family, column, scale, title, colours, path))
            figures.append((name, f"{family}: devices ranked by {title}", task))
        for family in families:
            for sweep in ("batch", "input"):
                name = f"compare_{metric}_vs_{sweep}_size_{family}.png"
                path = os.path.join(out_dir, "plots", name)
                task = (kind_sweeps, (merged, kinds, family, sweep, column, scale, title, colours, path))
                figures.append((name, f"{family}: {metric} vs {sweep} size per device kind", task))
    return figures


def drawing_order(figures: list) -> list:
    """Indices of figures, the ranked bars first: they grow with the device count, so they start first."""
    return sorted(range(len(figures)), key=lambda i: figures[i][2][0] is not ranked_bars)


def plots_section(merged, devices: dict, figures: list, drawn: list) -> list:
    """drawn: each figure's result (False: nothing to draw)."""
    blocks = [
        Heading(2, "Plots"),
        Text(
            "Colour is the device kind (a Jetson's kind per power state). Ranked bars: each model at the "
            "configuration the leaderboard ranks. Sweeps: one column per kind, each device a thin line and the "
            "kind's median a bold one."
        ),
    ]
    note = one_board_note(devices, devices)
    if note:
        blocks.append(Text(note))
    blocks += [Figure(f"plots/{name}", caption) for (name, caption, _), ok in zip(figures, drawn) if ok]
    if not measured(merged)["energy_per_inference_j"].notna().any():
        blocks.append(Text("No device recorded energy, so there are no energy plots."))
    return blocks


def fronts_section(merged, devices: dict, out_dir: str) -> list:
    """Per family, one panel per device kind with each device's front; the devices are named in a legend
    only while a panel has few enough to tell apart, and the models on each front are listed below."""
    blocks = [Heading(2, "Accuracy vs efficiency per device")]
    # only the devices that recorded an accuracy have a table (accuracy_table is empty for the others)
    ok = measured(merged)
    scored = merged[merged["device"].isin(set(ok.loc[ok["accuracy"].notna(), "device"]))]
    rows = dict(tuple(scored.groupby("device", sort=False)))
    tables = {d: accuracy_table(rows[d]) for d in by_kind(devices) if d in rows}
    tables = {d: t for d, t in tables.items() if not t.empty}
    if not tables:
        return blocks + [Text("No device recorded accuracy (random weights, or no dev data), so there are no fronts.")]
    kinds = sorted({device_group(devices[d]) for d in tables})
    cmap = plt.get_cmap("tab10")
    families = sorted({f for t in tables.values() for f in t["family"].dropna().unique()})
    for family in families:
        fig, axes = plt.subplots(1, len(kinds), figsize=(5.2 * len(kinds) + 1.5, 4.6), squeeze=False, sharey=True)
        names = []
        for ax, kind in zip(axes[0], kinds):
            of_kind = [d for d in tables if device_group(devices[d]) == kind]
            for i, device in enumerate(of_kind):
                data = tables[device][tables[device]["family"] == family]
                if data.empty:
                    continue
                colour = cmap(i % cmap.N)
                draw_front(
                    ax,
                    data,
                    "latency_median_s",
                    1e3,
                    lambda r, c=colour: c,
                    front_colour=colour,
                    front_label=device,
                    annotate=len(of_kind) == 1,
                )
                front = data[data["latency_median_s"].notna()]
                # the models named are those drawn on the front: doubtful rows (invalid, label map swapped) left out
                names.append(
                    f"{device}: " + (", ".join(front[front_mask(front, "latency_median_s")]["model"]) or "none")
                )
            log_axis(ax, "x")
            ax.margins(x=0.15, y=0.1)
            ax.set_xlabel("median latency, batch 1 (ms)")
            ax.grid(True, which="both", alpha=0.3)
            ax.set_title(f"{kind}: {len(of_kind)} device(s)", fontsize=9)
            if len(of_kind) <= WIDE_TABLE_DEVICES:
                ax.legend(fontsize=7, loc="lower right")
        axes[0][0].set_ylabel("accuracy (%)")
        fig.suptitle(f"{family}: accuracy vs latency, Pareto front per device", fontsize=10)
        name = f"compare_accuracy_vs_latency_{family}.png"
        save(fig, os.path.join(out_dir, "plots", name))
        blocks += [
            Figure(f"plots/{name}", f"{family}: accuracy vs latency per device, one panel per kind"),
            Text(f"**{family}** Pareto-optimal per device: " + "; ".join(names) + "."),
        ]
    return blocks


def table_blocks(merged, soaks, loadgen, devices: dict, baseline: str, out_dir: str) -> list:
    """Every section before the plots: devices, coverage, leaderboard, power modes, ratios, soaks, MLPerf."""
    blocks = devices_section(merged, devices, baseline) + coverage_section(merged, devices)
    board_blocks, board = leaderboard_section(merged, devices)
    board.to_csv(os.path.join(out_dir, "leaderboard.csv"), index=False)
    blocks += board_blocks + power_modes_section(merged, devices, out_dir)
    blocks += _ratio_blocks(
        merged,
        devices,
        baseline,
        "latency_median_s",
        "speedup",
        ms,
        "Speed-up",
        f"Median latency (ms) per device and speed-up = {baseline} median / device median "
        "(above 1: faster than the baseline).",
        out_dir,
        "speedup.csv",
    )
    energy = _ratio_blocks(
        merged,
        devices,
        baseline,
        "energy_per_inference_j",
        "ratio",
        num,
        "Energy ratio",
        f"Energy per inference (J, gross) per device and ratio = device / {baseline} (below 1: "
        "less energy than the baseline).",
        out_dir,
        "energy_ratio.csv",
    )
    if not energy:
        reasons = measured(merged).groupby("device")["energy_reason"].first().dropna()
        energy = [
            Heading(2, "Energy ratio"),
            Text(
                "Not computable: energy was not measured on both the baseline and another device"
                + ("" if reasons.empty else " (" + "; ".join(f"{d}: {r}" for d, r in reasons.items()) + ")")
                + "."
            ),
        ]
    blocks += energy + sustained_comparison(soaks, devices) + mlperf_comparison(loadgen, devices, out_dir)
    return blocks


def build_compare_report(merged, devices: dict, baseline: str, out_dir: str) -> list:
    """The report's blocks; writes its plots and CSVs (leaderboard, ratios) into out_dir. Soak rows and the MLPerf
    scenarios' rows have their own tables; every other section compares the sweep's rows."""
    soaks, loadgen, merged = sustained_rows(merged), loadgen_rows(merged), sweep_rows(merged)
    figures = plot_figures(merged, devices, out_dir)
    order = drawing_order(figures)
    with figure_pool.Drawing([figures[i][2] for i in order]) as drawing:
        # the plots are drawn in other processes while this one writes the tables and draws the fronts
        blocks = table_blocks(merged, soaks, loadgen, devices, baseline, out_dir)
        fronts = fronts_section(merged, devices, out_dir)
        drawn = dict(zip(order, drawing.results()))
    return blocks + plots_section(merged, devices, figures, [drawn[i] for i in range(len(figures))]) + fronts


def write_compare_report(merged, devices: dict, baseline: str, out_dir: str) -> tuple[str, str]:
    blocks = build_compare_report(merged, devices, baseline, out_dir)
    md_path, html_path = os.path.join(out_dir, names.REPORT_MD), os.path.join(out_dir, names.REPORT_HTML)
    with open(md_path, "w") as handle:
        handle.write(markdown.render(blocks))
    with open(html_path, "w") as handle:
        handle.write(html.render(blocks, TITLE, out_dir))
    return md_path, html_path
