"""Deployment runtimes side by side: what preparing each cost (export or compile, session or engine) and
its cold start, its outputs against eager PyTorch, latency against batch size per runtime (one plot per
model family), the speed-up of each runtime over eager, and the framework overhead at batch 1 (median
latency minus FLOPs / the device's measured matmul peak: the time the arithmetic alone cannot explain).

FLOPs and parameters are the PyTorch model's for every runtime. A run with eager rows only gets no section.
Where ONNX Runtime's int8 is not faster than its fp32 on the device, the section says so once, with the CPU's
int8 instructions (env.json) and the format the rows were quantized in.
"""

from __future__ import annotations

import os

import matplotlib.pyplot as plt

from bench_job.report.render.document import Figure, Heading, Table, Text
from bench_job.report.render.frame import in_sweep, measured
from bench_job.report.render.markdown import missing, ms
from bench_job.report.render.plots import PLOT_GROUPS, invalid_legend_handle, log2_axis, log_y, points, save

_LINES = {"eager": "-", "compile": ":", "onnxruntime": "--", "tensorrt": "-."}


def _text(value) -> str:
    return "" if missing(value) else str(value)


def _seconds(value) -> str:
    return "" if missing(value) else f"{value:.2f}"


def _costs_table(ok) -> Table:
    """One row per model variant: its preparation, its cold start at its first configuration, its fidelity."""
    rows = []
    for (model, variant), data in ok.groupby(["model", "variant"], sort=True):
        first = data.sort_values(["batch_size", "input_size"]).iloc[0]
        worst = data["output_rel_diff"].max()
        agreement = data["top1_agreement"].max() if "top1_agreement" in data else None
        rows.append(
            [
                model,
                variant,
                first["runtime"],
                _seconds(first["export_s"]),
                _seconds(first["session_s"]),
                ms(first["first_inference_s"]),
                "yes" if first["fixed_shape"] is True else "",
                ("" if missing(worst) else f"{worst:.1e} (tolerance {first['output_tolerance']:g})")
                + ("" if missing(agreement) else f"; top-1 as eager on {agreement:.1%} of the dev set"),
                _text(first["quantization"]),
                _text(first["calibration"]),
            ]
        )
    return Table(
        [
            "model",
            "variant",
            "runtime",
            "export / compile s",
            "session / engine s",
            "first inference ms",
            "fixed shape",
            "max output diff / scale",
            "quantization",
            "calibration",
        ],
        rows,
    )


def speedups(ok):
    """Per non-eager row of the batch sweep: eager's median at the same model, batch, input size, threads
    and precision (fp32 eager where that precision has no eager row) over the runtime's."""
    eager = ok[ok["runtime"] == "eager"]
    out = []
    for _, row in in_sweep(ok[ok["runtime"] != "eager"], "batch").iterrows():
        same = eager[
            (eager["model"] == row["model"])
            & (eager["batch_size"] == row["batch_size"])
            & (eager["input_size"] == row["input_size"])
            & (eager["threads"] == row["threads"])
        ]
        base = same[same["precision"] == row["precision"]]
        base = base if not base.empty else same[same["precision"] == "fp32"]
        if not base.empty:
            reference = base.iloc[0]
            out.append((row, reference, reference["latency_median_s"] / row["latency_median_s"]))
    return out


def _speedup_table(ok) -> Table | Text:
    rows = [
        [
            row["model"],
            row["variant"],
            int(row["batch_size"]),
            reference["variant"],
            ms(reference["latency_median_s"]),
            ms(row["latency_median_s"]),
            f"{ratio:.2f}x" + (" †" if False in (row["valid"], reference["valid"]) else ""),
        ]
        for row, reference, ratio in speedups(ok)
    ]
    if not rows:
        return Text("No runtime has an eager row at the same model, batch, input size and threads to compare with.")
    return Table(["model", "variant", "batch", "against", "eager ms", "runtime ms", "speed-up"], rows)


def int8_not_faster(ok) -> list:
    """(int8 row, fp32 row) of ONNX Runtime in the batch sweep, at the same model, batch, input size and
    threads, where int8's median latency is not below fp32's."""
    ort = in_sweep(ok[ok["runtime"] == "onnxruntime"], "batch")
    fp32 = ort[ort["precision"] == "fp32"]
    out = []
    for _, row in ort[ort["precision"] == "int8"].iterrows():
        same = fp32[
            (fp32["model"] == row["model"])
            & (fp32["batch_size"] == row["batch_size"])
            & (fp32["input_size"] == row["input_size"])
            & (fp32["threads"] == row["threads"])
        ]
        if not same.empty and row["latency_median_s"] >= same.iloc[0]["latency_median_s"]:
            out.append((row, same.iloc[0]))
    return out


def _int8_note(ok, env: dict) -> list:
    """One paragraph where int8 did not beat fp32 in ONNX Runtime: where, and why (instructions, format)."""
    slower = int8_not_faster(ok)
    if not slower:
        return []
    where = ", ".join(
        f"{row['model']} at batch {int(row['batch_size'])} "
        f"({row['latency_median_s'] / fp32['latency_median_s']:.2f}x the fp32 latency)"
        for row, fp32 in slower
    )
    formats = sorted({_text(row["quantization"]) for row, _ in slower} - {""})
    instructions = env.get("cpu_int8_instructions")
    known = ", ".join(instructions) if instructions else "not recorded (a run from before env.json had them)"
    return [
        Text(
            f"int8 was not faster than fp32 in ONNX Runtime on this device: {where}. The CPU's int8 "
            f"instructions: {known}. The format used: {'; '.join(formats) or 'not recorded'}. int8 pays where "
            "the CPU sums byte products in 32 bits in one instruction (x86 VNNI or AMX, ARM's dot product or "
            "i8mm) and the layers are large enough to win back the quantize and dequantize steps around "
            "them; without those instructions, or on small batch-1 layers, int8 can cost more than it saves "
            '(ONNX Runtime\'s quantization FAQ: "it is not rare to get worse performance on old devices").'
        )
    ]


def _overhead_blocks(ok, peak) -> list:
    if not peak:
        return [Text("The device's matmul peak was not measured, so the framework overhead is not computed.")]
    rows = []
    batch1 = in_sweep(ok, "batch")
    for _, r in (
        batch1[(batch1["batch_size"] == 1) & batch1["flops"].notna()].sort_values(["model", "variant"]).iterrows()
    ):
        arithmetic = r["flops"] / (peak * 1e9)
        overhead = r["latency_median_s"] - arithmetic
        rows.append(
            [
                r["model"],
                r["variant"],
                ms(r["latency_median_s"]),
                ms(arithmetic),
                ms(overhead),
                f"{overhead / r['latency_median_s']:.0%}" + (" †" if r["valid"] is False else ""),
            ]
        )
    if not rows:
        return [Text("No batch-1 row with FLOPs was measured.")]
    table = Table(["model", "variant", "median ms", "FLOPs / peak ms", "overhead ms", "overhead share"], rows)
    if any(row[4].startswith("-") for row in rows):
        return [
            table,
            Text(
                "A negative overhead is a runtime faster than torch's matmul peak allows: its kernels beat "
                "the matmul that measured the peak, or the peak was measured low (see the FLOPs section)."
            ),
        ]
    return [table]


def runtime_plots(ok, plot_dir: str, colours: dict, title_suffix: str = "") -> list:
    """Latency against batch size, a line per model and runtime (line style by runtime), per family."""
    os.makedirs(plot_dir, exist_ok=True)
    written = []
    rows = in_sweep(ok, "batch")
    for stem, title, family, excluded in PLOT_GROUPS:
        data = rows[(rows["family"] == family) & ~rows["model"].isin(excluded)]
        if excluded or data.empty or data["runtime"].nunique() < 2:
            continue
        fig, ax = plt.subplots(figsize=(8.5, 4.8))
        for (model, variant), line in data.groupby(["model", "variant"], sort=True):
            line = line.sort_values("batch_size")
            x, y = line["batch_size"].to_numpy(), (line["latency_median_s"] * 1e3).to_numpy()
            ax.plot(x, y, _LINES.get(line["runtime"].iloc[0], "-"), color=colours[model], label=f"{model} [{variant}]")
            points(ax, x, y, colours[model], (line["valid"] == False).to_numpy())  # noqa: E712
        log2_axis(ax, data["batch_size"].unique())
        log_y(ax)
        ax.set_xlabel("batch size (samples)")
        ax.set_ylabel("latency per forward pass (ms, median)")
        ax.set_title(
            f"{title}: latency vs batch size per runtime (input size "
            f"{int(data['input_size'].mode().iloc[0])} {data['input_unit'].iloc[0]}){title_suffix}",
            fontsize=10,
        )
        ax.grid(True, which="both", alpha=0.3)
        handles, _ = ax.get_legend_handles_labels()
        if (data["valid"] == False).any():  # noqa: E712
            handles.append(invalid_legend_handle())
        ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        name = f"latency_vs_batch_size_runtimes_{stem}.png"
        save(fig, os.path.join(plot_dir, name))
        written.append((os.path.join(os.path.basename(plot_dir), name), title))
    return written


def runtime_section(frame, ctx) -> list:
    ok = measured(frame)
    if ok.empty or set(ok["runtime"]) == {"eager"}:
        return []
    blocks = [
        Heading(2, "Deployment runtimes"),
        Text(
            "Each runtime runs the same synthetic inputs under the same timing rounds, validity checks, energy "
            "window and memory columns as eager PyTorch. FLOPs and parameters are the PyTorch model's in every "
            "row. Export / compile is the time to turn the model into the runtime's form (torch.onnx export, "
            "quantization, or torch.compile's first call), session / engine the time to load it; the first "
            "inference is the first run of the model variant's first configuration (the cold start); the "
            "median is the steady state. Outputs are compared with eager PyTorch's on the same inputs, relative "
            "to the output's scale: a row beyond the tolerance of its precision is not valid."
        ),
        Heading(3, "What preparing each runtime cost, and its outputs"),
        _costs_table(ok),
    ]
    skipped = frame[(frame["status"].isin(["skipped", "error"])) & (frame["runtime"] != "eager")]
    for (model, variant, status), data in skipped.groupby(["model", "variant", "status"], sort=True):
        blocks.append(Text(f"{model} [{variant}]: {status}, {data['reason'].iloc[0]}"))
    blocks += [
        Heading(3, "Speed-up over eager PyTorch (batch sweep)"),
        _speedup_table(ok),
        *_int8_note(ok, ctx.env),
        Heading(3, "Framework overhead at batch 1"),
        Text(
            "Median latency minus FLOPs / the device's fp32 matmul peak: what the arithmetic at the device's "
            "best rate cannot explain (framework dispatch, memory traffic, small layers). At small batches "
            'this, not the arithmetic, sets the latency (Fernandez et al., "The Framework Tax", EMNLP 2023).'
        ),
        *_overhead_blocks(ok, ctx.env.get("peak_gflops")),
    ]
    for path, title in runtime_plots(ok, ctx.plot_dir, ctx.colours, ctx.plot_title_suffix):
        blocks.append(
            Figure(
                path,
                f"{title}: latency vs batch size, one line per model and runtime "
                f"(solid eager, dotted compile, dashed ONNX Runtime, dash-dot TensorRT)",
            )
        )
    return blocks
