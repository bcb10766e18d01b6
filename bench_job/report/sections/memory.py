"""Memory peaks and swap, split into what the framework, the weights and the activations cost (so a user
with a small device sees which one sinks them), and what did not run: which configuration ran out of
memory at which size, and why (the runner's recorded reason)."""

from __future__ import annotations

from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text
from bench_job.report.sections.size_plots import write_memory_plot
from bench_job.units import format_bytes

# The parts of a peak (results schema 3), with their names in the report.
SPLIT = {"framework_rss_bytes": "framework", "weights_rss_bytes": "weights", "activations_rss_bytes": "activations"}
# What helps when each part dominates.
REMEDY = {
    "framework": "a smaller model does not help there, a lighter runtime does",
    "weights": "a smaller or quantized model helps there",
    "activations": "a smaller batch or input helps there",
}


def _bytes(value):
    return "" if value != value or value is None else format_bytes(value)


def _swap(r) -> list:
    return [
        "" if r["swap_in"] != r["swap_in"] else f"{int(r['swap_in'])}/{int(r['swap_out'])}",
        "yes" if r["swapped"] is True else "",
    ]


def _place(r) -> list:
    return [r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}"]


def split_table(rows) -> Table:
    return Table(
        [
            "model",
            "variant",
            "batch",
            "input",
            "framework",
            "weights (RSS)",
            "weights (tensors)",
            "activations",
            "peak RSS",
            "CUDA peak",
            "swap in/out pages",
            "swapped",
        ],
        [
            _place(r)
            + [
                _bytes(r["framework_rss_bytes"]),
                _bytes(r["weights_rss_bytes"]),
                _bytes(r["weights_bytes"]),
                _bytes(r["activations_rss_bytes"]),
                _bytes(r["peak_rss_bytes"]),
                _bytes(r["cuda_peak_bytes"]),
            ]
            + _swap(r)
            for _, r in rows.iterrows()
        ],
    )


def largest_configurations(rows) -> list:
    """Per model and variant, its largest configuration (highest peak) with the split of that peak and its
    biggest part: dicts of model, variant, row, parts {name: bytes}, top."""
    items = []
    complete = rows.dropna(subset=list(SPLIT) + ["peak_rss_bytes"])
    for (model, variant), data in complete.groupby(["model", "variant"], sort=False):
        r = data.loc[data["peak_rss_bytes"].idxmax()]
        parts = {name: r[column] for column, name in SPLIT.items()}
        items.append(dict(model=model, variant=variant, row=r, parts=parts, top=max(parts, key=parts.get)))
    return items


def dominant_table(items) -> Table:
    """One row per model: its largest configuration's peak, each part with its share, the biggest part."""

    def share(item, name):
        value = item["parts"][name]
        return f"{format_bytes(value)} ({value / item['row']['peak_rss_bytes']:.0%})"

    return Table(
        ["model", "variant", "largest configuration", "peak", "framework", "weights", "activations", "biggest part"],
        [
            [
                i["model"],
                i["variant"],
                f"batch {int(i['row']['batch_size'])}, {int(i['row']['input_size'])} {i['row']['input_unit']}",
                format_bytes(i["row"]["peak_rss_bytes"]),
            ]
            + [share(i, name) for name in SPLIT.values()]
            + [i["top"]]
            for i in items
        ],
    )


def dominant_parts(items) -> list:
    """Each finding once, with the models it applies to: "**framework dominates** in 9 of 9 models' largest
    configuration (...): a lighter runtime helps there"."""
    findings = []
    for top in dict.fromkeys(i["top"] for i in items):
        names = [f"{i['model']} [{i['variant']}]" for i in items if i["top"] == top]
        verb = "dominate" if top.endswith("s") else "dominates"  # the weights, the activations
        findings.append(
            f"**{top} {verb}** the largest configuration of {len(names)} of {len(items)} model(s) "
            f"({', '.join(names)}): {REMEDY[top]}"
        )
    return findings


def memory_section(frame, ctx) -> list:
    rows = frame[frame["peak_rss_bytes"].notna()]
    has_split = bool(rows["framework_rss_bytes"].notna().any())
    blocks = [Heading(2, "Memory")]
    if rows.empty:
        return blocks + [Text("No configuration recorded a memory peak.")] + failures_section(frame)
    if has_split:
        blocks += [
            Text(
                "Peak resident set of the worker process during each configuration (the kernel's VmHWM, reset "
                "per configuration), split into what it is made of: the framework (the worker after its "
                "imports, before any model), the model's weights (what building the model added; *tensors* is "
                "the bytes of its parameters and buffers themselves, a check on the RSS figure) and the "
                "activations of the pass (the peak minus the RSS after the build). Swap pages in/out "
                "machine-wide during it."
            ),
            split_table(rows),
        ]
        items = largest_configurations(rows)
        if items:
            blocks += [
                Text("Which part sinks a small device, at each model's largest configuration:"),
                dominant_table(items),
                Bullets(dominant_parts(items)),
            ]
    else:
        blocks += [
            Text(
                "Peak resident set of the worker process during each configuration (model weights included; "
                "the kernel's VmHWM, reset per configuration); swap pages in/out machine-wide during it. This "
                "bundle's records predate the split into framework, weights and activations (results schema "
                "3)."
            ),
            Table(
                [
                    "model",
                    "variant",
                    "batch",
                    "input",
                    "peak RSS",
                    "RSS after build",
                    "CUDA peak",
                    "swap in/out pages",
                    "swapped",
                ],
                [
                    _place(r)
                    + [_bytes(r["peak_rss_bytes"]), _bytes(r["model_rss_bytes"]), _bytes(r["cuda_peak_bytes"])]
                    + _swap(r)
                    for _, r in rows.iterrows()
                ],
            ),
        ]
    plot = write_memory_plot(frame, ctx.plot_dir, ctx.plot_title_suffix)
    if plot:
        blocks.append(Figure(plot, "memory peaks"))
        if not (rows["valid"] != False).any():  # noqa: E712 (True/False/None)
            blocks.append(
                Text(
                    "No valid bar to plot: every configuration with a memory peak failed a validity check, "
                    "so the plot shows hollow bars only."
                )
            )
    peaks = rows.groupby("model")["peak_rss_bytes"].max().sort_values(ascending=False)
    blocks.append(
        Text("Largest peak per model: " + "; ".join(f"{m} {format_bytes(v)}" for m, v in peaks.items()) + ".")
    )
    swapped = rows[rows["swapped"] == True]  # noqa: E712 (object column of True/False/None)
    blocks.append(
        Text(
            "No configuration swapped."
            if swapped.empty
            else f"{len(swapped)} configuration(s) swapped; their latency includes paging: "
            + ", ".join(f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])}" for _, r in swapped.iterrows())
            + "."
        )
    )
    return blocks + failures_section(frame)


def failures_section(frame) -> list:
    bad = frame[frame["status"] != "ok"]
    blocks = [Heading(2, "What did not run, and why")]
    if frame.empty:
        return blocks + [Text("The bundle holds no configurations.")]
    if bad.empty:
        return blocks + [Text("Every configuration ran.")]
    rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            r["status"],
            r["reason"],
        ]
        for _, r in bad.iterrows()
    ]
    blocks.append(Table(["model", "variant", "batch", "input", "status", "reason"], rows))
    oom = bad[bad["status"] == "oom"]
    for (model, variant), data in oom.groupby(["model", "variant"], sort=False):
        first = data.sort_values(["batch_size", "input_size"]).iloc[0]
        ran = frame[(frame["model"] == model) & (frame["variant"] == variant) & (frame["status"] == "ok")]
        largest = (
            f"the largest configuration that ran peaked at {_bytes(ran['peak_rss_bytes'].max()) or 'n/a'}"
            if len(ran)
            else "none of its configurations ran"
        )
        blocks.append(
            Text(
                f"{model} [{variant}] ran out of memory at batch {int(first['batch_size'])}, input "
                f"{int(first['input_size'])} {first['input_unit']} ({first['reason']}); {largest}, and larger "
                "configurations were skipped."
            )
        )
    return blocks
