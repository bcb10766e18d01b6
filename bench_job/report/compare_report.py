"""The comparison report: devices side by side. Speed-up and energy-ratio tables per model, sweep plots
with one line per device (one panel per model), and the accuracy-vs-efficiency fronts per device."""

import os

import numpy as np

from bench_job.compare import MATCH, ratio_table
from bench_job.report import html, markdown
from bench_job.report.accuracy import accuracy_table, draw_front
from bench_job.report.document import Bullets, Figure, Heading, Table, Text
from bench_job.report.frame import in_sweep, measured
from bench_job.report.markdown import ms, num
from bench_job.report.pareto import pareto_mask
from bench_job.report.plots import log2_axis, log_axis, log_y, plt, save, x_label
from bench_job.units import format_bytes

TITLE = "Edge inference benchmark: device comparison"


def device_colours(devices) -> dict:
    cmap = plt.get_cmap("Dark2")
    return {name: cmap(i % cmap.N) for i, name in enumerate(devices)}


def devices_section(merged, devices: dict, baseline: str) -> list:
    rows = []
    for label, info in devices.items():
        env = info["env"]
        data = merged[merged["device"] == label]
        rows.append([label + (" (baseline)" if label == baseline else ""), env.get("device_kind"), env.get("hostname"),
                     env.get("cpu_model"), env.get("cpu_logical_cores"), format_bytes(env.get("memory_total_bytes")),
                     env.get("accelerator"), num(env.get("peak_gflops")),
                     ", ".join(sorted({str(int(t)) for t in data["threads"].dropna()})),
                     ", ".join(info["bundles"]), f"{(data['status'] == 'ok').sum()}/{len(data)}", info["duplicates"]])
    return [Heading(1, TITLE),
            Text("Configurations are matched on model, variant, batch size and input size. Where several runs of one "
                 "device measured the same configuration, the latest is kept (count in the last column)."),
            Table(["device", "kind", "host", "CPU", "cores", "memory", "accelerator", "peak GFLOP/s", "threads",
                   "bundles", "measured", "replaced"], rows)]


def _headline(device: str, baseline: str, values, flagged: int, hosts: dict) -> str:
    """One device's summary line, the figure a reader quotes: so it carries its own warnings, the rows
    behind it that failed validity and two "devices" that are one machine."""
    # The geometric mean is the one average of ratios that does not depend on which device is the base.
    text = (f"{device} vs {baseline}: geometric mean {np.exp(np.log(values).mean()):.2f}x over {len(values)} "
            f"configurations (range {values.min():.2f}-{values.max():.2f})")
    if flagged:
        text += (f"; {flagged} of the {len(values)} configurations behind it failed a validity check on either "
                 "device: **indicative only**")
    host = hosts.get(device)
    if host and host == hosts.get(baseline):
        text += (f"; both bundles come from host {host}: two runs of one machine, so the ratio shows how the runs "
                 "differ (their settings, or the machine's own noise), not how devices differ")
    return text


def _ratio_blocks(merged, baseline: str, column: str, ratio: str, fmt, title: str, intro: str, hosts: dict) -> list:
    table = ratio_table(merged, baseline, column, ratio)
    if table.empty:
        return []
    ratio_columns = [c for c in table.columns if isinstance(c, str) and c.startswith(f"{ratio}:")]
    devices = [c.split(":", 1)[1] for c in ratio_columns]
    value_columns = [baseline] + devices
    ok = measured(merged)
    invalid = {(r["device"],) + tuple(r[c] for c in MATCH) for _, r in ok[ok["valid"] == False].iterrows()}  # noqa: E712

    def failed(r, device) -> bool:
        # A ratio is only as good as both of its measurements.
        key = tuple(r[c] for c in MATCH)
        return (device,) + key in invalid or (baseline,) + key in invalid

    blocks = [Heading(2, title), Text(intro)]
    summary = []
    for device, col in zip(devices, ratio_columns):
        rows = table[table[col].notna()]
        if len(rows):
            flagged = sum(failed(r, device) for _, r in rows.iterrows())
            summary.append(_headline(device, baseline, rows[col], flagged, hosts))
    blocks.append(Bullets(summary))

    def ratio_cell(r, column, device):
        if r[column] != r[column]:
            return ""
        return f"{r[column]:.2f}x{' (!)' if failed(r, device) else ''}"

    if invalid:
        blocks.append(Text("(!) marks a ratio where the configuration failed a validity check on either device "
                           "(too few runs, wide CI, throttling, swapping): read it as indicative only."))
    for model, data in table.groupby("model", sort=False):
        rows = [[r["variant"], int(r["batch_size"]), int(r["input_size"])] + [fmt(r[d]) for d in value_columns]
                + [ratio_cell(r, c, d) for c, d in zip(ratio_columns, devices)] for _, r in data.iterrows()]
        blocks += [Text(f"**{model}**"),
                   Table(["variant", "batch", "input"] + value_columns + [f"{ratio} {d}" for d in devices], rows)]
    return blocks


def device_sweep_plot(merged, family: str, sweep: str, column: str, scale: float, y_label: str, colours: dict,
                      path: str) -> bool:
    """One panel per model, one line per device, against batch size or input size."""
    rows = in_sweep(measured(merged), sweep)
    rows = rows[(rows["family"] == family) & rows[column].notna()]
    if rows.empty:
        return False
    x_col = "batch_size" if sweep == "batch" else "input_size"
    models = sorted(rows["model"].unique())
    cols = min(3, len(models))
    nrows = int(np.ceil(len(models) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols + 1.8, 3.3 * nrows), squeeze=False)
    for ax, model in zip(axes.flat, models):
        data = rows[rows["model"] == model]
        for (device, variant), line in data.groupby(["device", "variant"], sort=False):
            line = line.sort_values(x_col)
            label = device if data["variant"].nunique() == 1 else f"{device} [{variant}]"
            ax.plot(line[x_col], line[column] * scale, marker="o", color=colours[device], label=label)
        log2_axis(ax, data[x_col].unique())
        log_y(ax)
        ax.set_title(model, fontsize=9)
        ax.set_xlabel(x_label(sweep, data["input_unit"].iloc[0]), fontsize=8)
        ax.set_ylabel(y_label, fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(models):]:
        ax.axis("off")
    seen = {}  # one legend for the figure: every device once, whichever panels it appears in
    for ax in axes.flat[: len(models)]:
        for h, l in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(l, h)
    fig.legend(list(seen.values()), list(seen.keys()), loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8)
    fig.suptitle(f"{family}: {y_label.split(' (')[0]} vs {'batch size' if sweep == 'batch' else 'input size'}, "
                 "one line per device", fontsize=10)
    save(fig, path)
    return True


def plots_section(merged, colours: dict, out_dir: str) -> list:
    os.makedirs(os.path.join(out_dir, "plots"), exist_ok=True)
    metrics = [("latency", "latency_median_s", 1e3, "median latency (ms)"),
               ("energy", "energy_per_inference_j", 1.0, "energy per inference (J)")]
    blocks = [Heading(2, "Sweeps per device")]
    for metric, column, scale, y_label in metrics:
        for family in sorted(merged["family"].unique()):
            for sweep in ("batch", "input"):
                name = f"compare_{metric}_vs_{sweep}_size_{family}.png"
                if device_sweep_plot(merged, family, sweep, column, scale, y_label, colours,
                                     os.path.join(out_dir, "plots", name)):
                    blocks.append(Figure(f"plots/{name}", f"{family}: {metric} vs {sweep} size per device"))
    if not measured(merged)["energy_per_inference_j"].notna().any():
        blocks.append(Text("No device recorded energy, so there are no energy plots."))
    return blocks


def fronts_section(merged, colours: dict, out_dir: str) -> list:
    blocks = [Heading(2, "Accuracy vs efficiency per device")]
    tables = {d: accuracy_table(merged[merged["device"] == d]) for d in merged["device"].unique()}
    tables = {d: t for d, t in tables.items() if not t.empty}
    if not tables:
        return blocks + [Text("No device recorded accuracy (random weights, or no dev data), so there are no fronts.")]
    families = sorted({f for t in tables.values() for f in t["family"].dropna().unique()})
    for family in families:
        fig, ax = plt.subplots(figsize=(8.5, 4.8))
        names = []
        for device, table in tables.items():
            data = table[table["family"] == family]
            if data.empty:
                continue
            draw_front(ax, data, "latency_median_s", 1e3, lambda r, d=device: colours[d], front_colour=colours[device],
                       front_label=f"{device} front")
            front = data[data["latency_median_s"].notna()]
            names.append(f"{device}: " + (", ".join(front[pareto_mask(front['latency_median_s'], front['accuracy'])]["model"])
                                          or "none"))
        log_axis(ax, "x")
        ax.margins(x=0.15, y=0.1)
        ax.set_xlabel("median latency, batch 1 (ms)")
        ax.set_ylabel("accuracy (%)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        ax.set_title(f"{family}: accuracy vs latency, Pareto front per device", fontsize=10)
        name = f"compare_accuracy_vs_latency_{family}.png"
        save(fig, os.path.join(out_dir, "plots", name))
        blocks += [Figure(f"plots/{name}", f"{family}: accuracy vs latency per device"),
                   Text(f"**{family}** Pareto-optimal per device: " + "; ".join(names) + ".")]
    return blocks


def build_compare_report(merged, devices: dict, baseline: str, out_dir: str) -> list:
    colours = device_colours(devices)
    hosts = {label: info["env"].get("hostname") for label, info in devices.items()}
    blocks = devices_section(merged, devices, baseline)
    blocks += _ratio_blocks(merged, baseline, "latency_median_s", "speedup", ms, "Speed-up",
                            f"Median latency (ms) per device and speed-up = {baseline} median / device median "
                            "(above 1: faster than the baseline).", hosts)
    energy = _ratio_blocks(merged, baseline, "energy_per_inference_j", "ratio", num, "Energy ratio",
                           f"Energy per inference (J, gross) per device and ratio = device / {baseline} (below 1: "
                           "less energy than the baseline).", hosts)
    if not energy:
        reasons = measured(merged).groupby("device")["energy_reason"].first().dropna()
        energy = [Heading(2, "Energy ratio"),
                  Text("Not computable: energy was not measured on both the baseline and another device"
                       + ("" if reasons.empty else " (" + "; ".join(f"{d}: {r}" for d, r in reasons.items())
                          + ")") + ".")]
    blocks += energy
    blocks += plots_section(merged, colours, out_dir) + fronts_section(merged, colours, out_dir)
    return blocks


def write_compare_report(merged, devices: dict, baseline: str, out_dir: str) -> tuple[str, str]:
    blocks = build_compare_report(merged, devices, baseline, out_dir)
    md_path, html_path = os.path.join(out_dir, "report.md"), os.path.join(out_dir, "report.html")
    with open(md_path, "w") as handle:
        handle.write(markdown.render(blocks))
    with open(html_path, "w") as handle:
        handle.write(html.render(blocks, TITLE, out_dir))
    return md_path, html_path
