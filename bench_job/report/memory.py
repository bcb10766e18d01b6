"""Memory peaks and swap, and what did not run: which configuration ran out of memory at which size,
and why (the runner's recorded reason)."""

from bench_job.report.document import Heading, Table, Text
from bench_job.units import format_bytes


def _bytes(value):
    return "" if value != value or value is None else format_bytes(value)


def memory_section(frame, ctx) -> list:
    rows = frame[frame["peak_rss_bytes"].notna()]
    table_rows = [[r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}",
                   _bytes(r["peak_rss_bytes"]), _bytes(r["model_rss_bytes"]), _bytes(r["cuda_peak_bytes"]),
                   "" if r["swap_in"] != r["swap_in"] else f"{int(r['swap_in'])}/{int(r['swap_out'])}",
                   "yes" if r["swapped"] is True else ""] for _, r in rows.iterrows()]
    blocks = [Heading(2, "Memory"),
              Text("Peak resident set of the worker process during each configuration (model weights included; the "
                   "kernel's VmHWM, reset per configuration); swap pages in/out machine-wide during it.")]
    if table_rows:
        blocks.append(Table(["model", "variant", "batch", "input", "peak RSS", "RSS after build", "CUDA peak",
                             "swap in/out pages", "swapped"], table_rows))
        peaks = rows.groupby("model")["peak_rss_bytes"].max().sort_values(ascending=False)
        blocks.append(Text("Largest peak per model: " + "; ".join(f"{m} {format_bytes(v)}" for m, v in peaks.items())
                           + "."))
        swapped = rows[rows["swapped"] == True]  # noqa: E712 (object column of True/False/None)
        blocks.append(Text("No configuration swapped." if swapped.empty else
                           f"{len(swapped)} configuration(s) swapped; their latency includes paging: "
                           + ", ".join(f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])}"
                                       for _, r in swapped.iterrows()) + "."))
    return blocks + failures_section(frame)


def failures_section(frame) -> list:
    bad = frame[frame["status"] != "ok"]
    blocks = [Heading(2, "What did not run, and why")]
    if frame.empty:
        return blocks + [Text("The bundle holds no configurations.")]
    if bad.empty:
        return blocks + [Text("Every configuration ran.")]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}", r["status"],
             r["reason"]] for _, r in bad.iterrows()]
    blocks.append(Table(["model", "variant", "batch", "input", "status", "reason"], rows))
    oom = bad[bad["status"] == "oom"]
    for (model, variant), data in oom.groupby(["model", "variant"], sort=False):
        first = data.sort_values(["batch_size", "input_size"]).iloc[0]
        ran = frame[(frame["model"] == model) & (frame["variant"] == variant) & (frame["status"] == "ok")]
        largest = (f"the largest configuration that ran peaked at {_bytes(ran['peak_rss_bytes'].max()) or 'n/a'}"
                   if len(ran) else "none of its configurations ran")
        blocks.append(Text(
            f"{model} [{variant}] ran out of memory at batch {int(first['batch_size'])}, input "
            f"{int(first['input_size'])} {first['input_unit']} ({first['reason']}); {largest}, and larger "
            "configurations were skipped."))
    return blocks
