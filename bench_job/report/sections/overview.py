"""The report's head: the device, the set-up and the run (finished or not, time against the budget), then
which models were measured and why."""

from __future__ import annotations

from bench_job.report.render.document import Bullets, Heading, Table, Text
from bench_job.report.render.frame import catalogue_value
from bench_job.report.sections.power_state import power_state_line
from bench_job.report.sections.real_clock import real_clock_line
from bench_job.report.sections.thermal import cool_down_line
from bench_job.report.sections.weights import model_weights, weights_line
from bench_job.units import format_bytes, format_duration


def run_line(outcome) -> str:
    """Complete or PARTIAL, how many planned configurations have a record, time used against the budget."""
    if outcome is None:
        return "run: whether it finished and its time are not recorded (no outcome.json in the bundle)"
    if outcome.complete:
        state = "complete"
    else:
        state = f"PARTIAL (stopped by {outcome.stopped_by})" if outcome.stopped_by else "PARTIAL"
    recorded = outcome.planned - len(outcome.never_measured)
    line = (
        f"run: {state}, {recorded} of {outcome.planned} planned configurations recorded; "
        f"{format_duration(outcome.elapsed_s)} elapsed"
    )
    if outcome.budget_s is None:
        return line + ", no budget set"
    over = outcome.over_budget_s
    return line + (
        f" against a budget of {format_duration(outcome.budget_s)}"
        + (f": {format_duration(over)} over it" if over else ", within it")
    )


def header(frame, ctx) -> list:
    """The facts under the title (the verdict comes first; see verdict.py)."""
    env, config = ctx.env, ctx.config
    measure = config.get("measure") or {}
    ok = frame[frame["status"] == "ok"]
    threads = sorted({int(t) for t in ok["threads"].dropna()})
    peak = env.get("peak_gflops")

    def known(value, fmt=str):
        return "unknown" if value is None else fmt(value)

    items = [
        f"CPU: {known(env.get('cpu_model'))}, {known(env.get('cpu_logical_cores'))} logical cores; memory "
        f"{known(env.get('memory_total_bytes'), format_bytes)}; "
        f"swap {known(env.get('swap_total_bytes'), format_bytes)}",
        versions_line(env),
        f"accelerator: {known(env.get('accelerator', (config.get('run') or {}).get('accelerator')))}; torch "
        f"{known((env.get('libraries') or {}).get('torch'))}; intra-op threads used: "
        f"{', '.join(map(str, threads)) or 'n/a'}",
        power_state_line(frame, ctx),
        real_clock_line(ctx),
        *filter(None, [cool_down_line(frame, ctx)]),
        f"device matmul peak: {f'{peak:.1f} GFLOP/s (fp32, measured before the sweep)' if peak else 'not measured'}",
        f"{weights_line(model_weights(frame, config), env)}; configurations: {len(frame)} ({len(ok)} measured)",
        run_line(ctx.outcome),
    ]
    if measure:
        items.append(
            f"set-up: inputs synthetic and built before timing; `model.eval()` under `torch.inference_mode()`; "
            f"{measure.get('warmup_runs')} warm-up run(s) discarded; "
            + timing_rule(measure)
            + "; batch sweep at a fixed input size, input-size sweep at batch 1."
        )
    return [Bullets(items)]


# The versions a Jetson's numbers depend on, in the order the line names them (env.json's `versions` keys).
_JETSON_STACK = (
    ("l4t", "L4T R"),
    ("jetpack", "JetPack "),
    ("cuda", "CUDA "),
    ("cudnn", "cuDNN "),
    ("tensorrt", "TensorRT "),
)


def _version_text(env: dict, name: str, label: str, in_container: bool) -> str:
    """ "CUDA 12.6 (image) on a host with CUDA 12.2": the version, whose it is where that matters (inside a
    container, or derived), and the host's own where it differs from the image's."""
    entry = (env.get("versions") or {}).get(name) or {}
    version, source = entry.get("version"), entry.get("source") or ""
    if not version:
        return f"{label.strip()} none found"
    text = f"{label}{version}"
    if source.startswith("derived") or (in_container and source):
        text += f" ({source})"
    host = entry.get("host_version")
    if host and host != version and not host.startswith(version + "."):  # 12.6 and 12.6.68 are one release
        text += f" on a host with {label}{host}"
    return text


def versions_line(env: dict) -> str:
    """The software versions that change this device's numbers, on one line (env.json's `versions`, written
    since schema 6): on a Jetson L4T, JetPack, CUDA, cuDNN, TensorRT, ONNX Runtime and its providers, the
    torch build, the module and its memory; elsewhere the torch build and ONNX Runtime. Inside a container
    each says whether it is the host's or the image's. Older bundles say what they recorded."""
    jetson = (env.get("detected_device_kind") or env.get("device_kind")) == "jetson"
    if "versions" not in env:
        torch = (env.get("libraries") or {}).get("torch") or "unknown"
        build = f"a CUDA {env['torch_cuda_build']} build" if env.get("torch_cuda_build") else "a CPU build"
        build = build if "torch_cuda_build" in env else "build unknown"
        release = f"; L4T: {env['l4t_release']}" if jetson and env.get("l4t_release") else ""
        return f"software: torch {torch}, {build}{release} (this bundle predates the record of the other versions)"
    in_container = bool(env.get("container"))
    parts = [_version_text(env, name, label, in_container) for name, label in _JETSON_STACK] if jetson else []
    providers = ", ".join(env.get("onnxruntime_providers") or []) or "no providers"
    parts.append(_version_text(env, "onnxruntime", "ONNX Runtime ", in_container) + f" with {providers}")
    parts.append(
        _version_text(env, "torch", "torch ", in_container) + f", a {env.get('torch_build') or 'unknown'} build"
    )
    if (env["versions"].get("loadgen") or {}).get("version"):  # bundles since schema 8 that had it installed
        parts.append(_version_text(env, "loadgen", "MLPerf LoadGen ", in_container))
    module = env.get("module") or {}
    if jetson:
        memory = format_bytes(module.get("memory_bytes")) or "unknown"
        parts.append(f"module {module.get('name') or 'unknown'} with {memory} of memory")
    return "software: " + "; ".join(parts)


def other_share_limit(config: dict) -> float | None:
    """measure.max_other_cpu_share as the bundle's config.yaml records it: the share of the CPU other
    processes could take before a measurement was set aside. None where the bundle records none (no
    config.yaml, or one written before the key existed): the report then judges nothing against it."""
    return (config.get("measure") or {}).get("max_other_cpu_share")


def run_delay_limit(config: dict) -> float | None:
    """measure.max_run_delay as the bundle's config.yaml records it: the fraction of a run our threads
    could wait for a CPU before the run was set aside. None where the bundle records none (written before
    the key existed, when the limit was a constant of the code): the report then names no figure."""
    return (config.get("measure") or {}).get("max_run_delay")


def timing_rule(measure: dict) -> str:
    """How the runs were scheduled and when timing stopped, as the bundle's config says."""
    if "min_rounds" not in measure:  # bundles from before interleaved rounds
        return (
            f"at least {measure.get('min_runs')} timed runs, more while the {measure.get('confidence', 0.95):.0%} CI "
            f"half-width exceeded {measure.get('target_ci_rel', 0.05):.0%} of the mean (up to "
            f"{measure.get('max_time_per_config_s')} s per configuration)"
        )
    return (
        f"a model's configurations timed in interleaved rounds of {measure['round_time_s']:g} s (up the sweep, "
        f"then back), at least {measure['min_rounds']} rounds and {measure.get('min_runs')} runs each, more while "
        f"the {measure.get('confidence', 0.95):.0%} CI of the median was wider than "
        f"±{measure.get('target_ci_rel', 0.05):.0%} (up to {measure.get('max_time_per_config_s')} s per "
        f"configuration); a round during which other processes used over {measure['max_other_cpu_share']:.0%} of "
        f"the CPU was set aside and redone after waiting for quiet (at most {measure['patience_s']:g} s per model)"
        + (
            f", and a run whose threads waited for a CPU over {measure['max_run_delay']:.0%} of its time was set "
            "aside; once the patience was spent, the least disturbed rounds were kept"
            if measure.get("max_run_delay") is not None
            else ""
        )
    )


def models_section(frame, ctx) -> list:
    notes = ctx.model_notes()
    rows, unrecorded = [], []
    for (model, variant), data in frame.groupby(["model", "variant"], sort=False):
        first = data.iloc[0]
        in_zoo = catalogue_value(data, "in_zoo")
        note = catalogue_value(data, "model_note")
        if in_zoo is None:
            unrecorded.append(model)
            why = notes.get(model) or ""
        else:
            why = notes.get(model) or note or ("" if in_zoo else "outside the zoo (named in the config)")
        rows.append(
            [
                model,
                variant,
                first["family"],
                first.get("weights") or "",
                why,
                f"{(data['status'] == 'ok').sum()}/{len(data)}",
            ]
        )
    blocks = [
        Heading(2, "Models and why"),
        Text(
            "Each model with the reason it is in the study (the config's `note` per model or its `notes` "
            "mapping; the zoo's notes otherwise, as the run recorded them), and how many of its "
            "configurations were measured."
        ),
        Table(["model", "variant", "family", "weights", "why", "measured"], rows),
    ]
    if unrecorded:
        blocks.append(
            Text(
                f"This bundle does not record what the model zoo says of {', '.join(dict.fromkeys(unrecorded))} "
                "(it was written before records carried the zoo's notes): only the config's notes are shown."
            )
        )
    return blocks
