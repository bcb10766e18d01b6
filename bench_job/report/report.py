"""report.md: the lab's questions answered from the run's own records."""

import math

from bench_job.report.markdown import millions, ms, table
from bench_job.units import format_bytes
from bench_job.zoo import ZOO


def _num(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _params_section(frame, entries: dict) -> list[str]:
    rows = []
    for model, data in frame[frame["params"].notna()].groupby("model", sort=False):
        first = data.iloc[0]
        effective = data["params_effective"].dropna()
        eff = _num(effective.iloc[0]) if len(effective) else None
        zoo = ZOO.get(model)
        shared = ""
        if eff and first["params"] and eff > first["params"] * 1.01:
            shared = f"shared layers: each pass uses {eff / first['params']:.1f}x the parameters it stores"
        rows.append([model, first["family"], millions(first["params"]), millions(eff),
                     millions(zoo.reference_params) if zoo else "", zoo.reference_source if zoo else "",
                     shared or entries.get(model, "")])
    text = ["## Parameters", "",
            "*Unique* counts every weight tensor once (`model.parameters()`, the size on disk); *effective* counts "
            "a module's parameters each time it runs in one forward pass (forward hooks), which is what the "
            "arithmetic sees. They differ only where layers are shared: ALBERT runs one encoder layer 12 times. "
            "Counts include the task head (2-way classifier for NLP, 1000-way for vision); the published figure is "
            "the base architecture's.", ""]
    text.append(table(["model", "family", "unique", "effective", "published", "published by", "note"], rows))
    return text


def _latency_section(frame, sweep: str, column: str, title: str) -> list[str]:
    ok = frame[(frame["status"] == "ok") & frame["sweeps"].fillna("").str.contains(sweep)]
    if ok.empty:
        return []
    text = [f"### {title}", "", "Mean ± standard deviation of the forward pass in ms (n timed runs), warm-up excluded.", ""]
    for family, data in ok.groupby("family", sort=False):
        sizes = sorted(data[column].unique())
        rows = []
        for (model, variant), group in data.groupby(["model", "variant"], sort=False):
            cells = {}
            for _, r in group.iterrows():
                std = _num(r["latency_std_s"])
                cells[r[column]] = f"{ms(r['latency_mean_s'])} ± {ms(std)} (n={int(r['n_runs'])})"
            rows.append([model, variant] + [cells.get(s, "") for s in sizes])
        unit = data["input_unit"].iloc[0]
        label = "batch " if sweep == "batch" else f"{unit} "
        text += [f"**{family}**", "", table(["model", "variant"] + [f"{label}{s}" for s in sizes], rows), ""]
    return text


def _flops_section(frame) -> list[str]:
    ok = frame[(frame["status"] == "ok") & frame["flops"].notna()]
    if ok.empty:
        return []
    rows = []
    for _, r in ok.iterrows():
        achieved = r["flops"] / r["latency_median_s"] / 1e9 if r["latency_median_s"] else None
        rows.append([r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}",
                     f"{r['flops'] / 1e9:.3f}", f"{r['macs'] / 1e9:.3f}", ms(r["latency_median_s"]),
                     f"{achieved:.1f}" if achieved else ""])
    return ["## FLOPs and achieved throughput", "",
            "FLOPs from `torch.utils.flop_counter.FlopCounterMode` (2 per multiply-add; transformers counted "
            "with eager attention so the attention matmuls are included). MACs are half: tools such as ptflops "
            "and fvcore, and torchvision's documented GFLOPS, report MACs under the name FLOPs. Achieved GFLOP/s "
            "= FLOPs / median latency.", "",
            table(["model", "variant", "batch", "input", "GFLOPs", "GMACs", "median ms", "achieved GFLOP/s"], rows), ""]


def _memory_section(frame) -> list[str]:
    measured = frame[frame["peak_rss_bytes"].notna()]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), int(r["input_size"]), format_bytes(r["peak_rss_bytes"]),
             format_bytes(_num(r["model_rss_bytes"])), format_bytes(_num(r["cuda_peak_bytes"])),
             "" if _num(r["swap_in"]) is None else f"{int(r['swap_in'])}/{int(r['swap_out'])}",
             "yes" if r["swapped"] is True else ""]
            for _, r in measured.iterrows()]
    text = ["## Memory", "",
            "Peak resident set of the worker process during each configuration (model weights included; the "
            "kernel's VmHWM, reset per configuration); swap pages in/out machine-wide during it.", ""]
    if rows:
        text += [table(["model", "variant", "batch", "input", "peak RSS", "RSS after build", "CUDA peak",
                        "swap in/out pages", "swapped"], rows), ""]
    return text


def _failures_section(frame) -> list[str]:
    bad = frame[frame["status"] != "ok"]
    text = ["## What did not run, and why", ""]
    if bad.empty:
        return text + ["Every configuration ran.", ""]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), int(r["input_size"]), r["status"], r["reason"]]
            for _, r in bad.iterrows()]
    return text + [table(["model", "variant", "batch", "input", "status", "reason"], rows), ""]


def write_report(frame, config_data: dict, env: dict, plots: list, path: str) -> None:
    notes = {m if isinstance(m, str) else m["name"]: (m.get("note", "") if isinstance(m, dict) else "")
             for m in config_data["models"]}
    notes.update(config_data.get("notes") or {})
    ok = frame[frame["status"] == "ok"]
    threads = sorted({int(t) for t in ok["threads"].dropna()}) if not ok.empty else []
    lines = [
        f"# Edge inference benchmark: {env.get('device_kind', '?')} ({env.get('hostname', '?')})", "",
        f"- CPU: {env.get('cpu_model')}, {env.get('cpu_logical_cores')} logical cores; memory "
        f"{format_bytes(env.get('memory_total_bytes'))}; swap {format_bytes(env.get('swap_total_bytes'))}",
        f"- accelerator: {env.get('accelerator', config_data['run']['accelerator'])}; torch {env.get('libraries', {}).get('torch')}; "
        f"intra-op threads used: {', '.join(map(str, threads)) or 'n/a'}",
        f"- weights: {config_data['weights']}; configurations: {len(frame)} "
        f"({(frame['status'] == 'ok').sum()} measured)",
        f"- set-up: inputs synthetic and built before timing; `model.eval()` under `torch.inference_mode()`; "
        f"{config_data['measure']['warmup_runs']} warm-up run(s) discarded; at least {config_data['measure']['min_runs']} "
        f"timed runs, more while the {config_data['measure']['confidence']:.0%} CI half-width exceeds "
        f"{config_data['measure']['target_ci_rel']:.0%} of the mean (up to {config_data['measure']['max_time_per_config_s']} s "
        f"per configuration); batch sweep at a fixed input size, input-size sweep at batch 1.", "",
    ]
    lines += _params_section(frame, notes) + [""]
    lines += ["## Latency", ""]
    lines += _latency_section(frame, "batch", "batch_size", "Latency vs batch size")
    lines += _latency_section(frame, "input", "input_size", "Latency vs input size")
    for plot in plots:
        lines += [f"![{plot}]({plot})", ""]
    lines += _flops_section(frame) + _memory_section(frame) + _failures_section(frame)
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
