"""The worker process: builds one model variant once, then measures its configurations in order.

It runs in its own process so that its peak memory is its own, and so that a kill by the OOM killer or
by the memory watchdog ends one model's sweep rather than the job. It talks to the runner over a pipe:
  ("build",)              building the model
  ("start", key)          about to measure configuration key
  ("record", dict)        a finished configuration (any status)
  ("log", level, text)    a line for the run log
The runner writes every record; the worker writes nothing to disk.
"""

import ctypes
import datetime
import signal
import time
import traceback

from bench_job.accuracy import accuracy_fields, build_model, weights_source
from bench_job.device_state import compare_device_state, read_device_state
from bench_job.errors import UserError, one_line
from bench_job.families import FAMILIES
from bench_job.measure import flops as flops_measure
from bench_job.measure import memory, params
from bench_job.measure.contention import ContentionProbe
from bench_job.measure.energy import energy_fields
from bench_job.measure.latency import CpuTimer, CudaEventTimer, LatencySettings, measure_latency
from bench_job.measure.stats import summarize
from bench_job.plan import is_dominated

_DTYPES = {"fp16": "float16", "bf16": "bfloat16"}


def _die_with_parent():
    """Ask the kernel to kill this worker if the runner dies, so no orphan keeps measuring."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _is_out_of_memory(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text)


def prepare_variant(model, variant, device: str):
    """Move the fp32 model to the device and precision of the variant."""
    import torch

    if variant.precision == "int8":
        # Dynamic quantization converts Linear layers only (weights int8, activations quantized on the fly).
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    model = model.to(device)
    if variant.precision in _DTYPES:
        model = model.to(getattr(torch, _DTYPES[variant.precision]))
    return model


def prepare_inputs(inputs: dict, variant, device: str) -> dict:
    import torch

    out = {}
    for name, tensor in inputs.items():
        tensor = tensor.to(device)
        if tensor.is_floating_point() and variant.precision in _DTYPES:
            tensor = tensor.to(getattr(torch, _DTYPES[variant.precision]))
        out[name] = tensor
    return out


class WorkerContext:
    """A model with its prepared inputs: run_once is one complete (synchronised) inference."""

    def __init__(self, model, inputs, sync):
        self.model, self.inputs, self.sync = model, inputs, sync

    def run_once(self):
        self.model(**self.inputs)
        self.sync()


def measure_point(task: dict, model, family, point, device: str, meter) -> dict:
    """All measurements of one configuration; returns the record's fields."""
    import torch

    variant, settings = task["variant"], task["settings"]
    cuda = device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    fields: dict = {"notes": []}
    sysfs_root = task["power"]["sysfs_root"]
    state_before = read_device_state(sysfs_root)
    swap_before = memory.swap_counters()
    memory.reset_peak_rss()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    limit = family.max_input_size(model)
    if limit is not None and point.input_size > limit:
        raise UserError(f"input size {point.input_size} exceeds this model's maximum of {limit} {family.input_unit}")
    inputs = prepare_inputs(family.make_inputs(model, point.batch_size, point.input_size, task["seed"]), variant, device)
    ctx = WorkerContext(model, inputs, sync)
    with torch.inference_mode():
        # One untimed counting pass: FLOPs and the parameters each module uses when it runs.
        def counting_pass():
            fields["flops"] = flops_measure.count_flops(ctx.run_once)

        fields["params_effective"] = params.count_effective(model, counting_pass)
        if variant.precision == "int8":
            fields["flops"] = None
            fields["notes"].append("FLOPs not counted: the counter cannot see dynamically quantized kernels")
        else:
            fields["macs"] = fields["flops"] // 2
            fields["flop_counter"] = flops_measure.COUNTER_NAME
        timer = CudaEventTimer(torch.cuda) if cuda else CpuTimer()
        contention = ContentionProbe()
        contention.start()
        result = measure_latency(ctx.run_once, timer, LatencySettings(**settings))
        fields["other_cpu_share"] = contention.other_share()
        # The energy window comes after timing, so the sampler thread never runs beside a timed pass.
        if meter is not None:
            power = task["power"]
            fields.update(energy_fields(meter.measure(ctx.run_once, power["min_window_s"], power["min_samples"],
                                                      power["max_window_s"]), point.batch_size))
        else:
            fields["energy_reason"] = task["energy_reason"]
    stats = summarize(result.timings_s, settings["confidence"])
    fields.update(stats)
    fields.update(timings_s=result.timings_s, warmup_s=result.warmup_s, warmup_runs=len(result.warmup_s),
                  stop_reason=result.stop_reason, timer=timer.name,
                  throughput=point.batch_size / stats["latency_mean_s"])
    if result.stop_reason != "ci_target":
        fields["notes"].append(f"CI target not reached ({result.stop_reason.replace('_', ' ')})")
    fields["peak_rss_bytes"] = memory.peak_rss_bytes()
    if cuda:
        fields["cuda_peak_bytes"] = int(torch.cuda.max_memory_allocated())
    swap_in, swap_out = memory.swap_delta(swap_before, memory.swap_counters())
    fields.update(swap_in=swap_in, swap_out=swap_out,
                  swapped=None if swap_in is None else bool(swap_in or swap_out))
    state_after = read_device_state(sysfs_root)
    change = compare_device_state(state_before, state_after)
    fields.update(device_state={"before": state_before, "after": state_after, "change": change},
                  throttled=change["throttled"], throttle_reasons="; ".join(change["throttle_reasons"]) or None,
                  temp_max_c_before=change["temp_max_c_before"], temp_max_c_after=change["temp_max_c_after"])
    return fields


def open_meter(task: dict):
    """The worker's EnergyMeter over the sources the runner discovered, with the runner's idle baseline,
    or None with task["energy_reason"] saying why. Never raises: a power failure costs energy, not the worker."""
    if task["energy_reason"]:  # the runner found no source, or energy is switched off
        return None
    power = task["power"]
    try:
        from bench_job.power import EnergyMeter, open_sources

        sources, unopened = open_sources(power["sources"])
        if sources:
            return EnergyMeter(sources, sampling_hz=power["sampling_hz"], idle_w=power["idle_w"], unopened=unopened)
        reasons = "; ".join(f"{name}: {reason}" for name, _, reason in unopened)
        task["energy_reason"] = f"no power source could be opened in the worker: {reasons}"
    except Exception as exc:
        task["energy_reason"] = f"the power sources could not be opened in the worker: {one_line(exc)}"
    return None


def worker_main(conn, task: dict) -> None:
    """Entry point of the worker process. task: entry, variant, points, accelerator, threads, seed, settings."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides when to stop
    import torch

    entry, variant = task["entry"], task["variant"]
    device = task["accelerator"]
    threads = variant.threads or task["threads"]
    if threads:
        torch.set_num_threads(threads)
    family = FAMILIES[entry.family]
    base = {"model": entry.name, "family": entry.family, "variant": variant.name, "precision": variant.precision,
            "accelerator": device, "threads": torch.get_num_threads(), "input_unit": family.input_unit,
            "weights": entry.weights, "weights_source": weights_source(entry, task["assets"])}
    conn.send(("build",))
    meter = open_meter(task)
    try:
        try:
            model, preprocessing, label_map = build_model(entry, family, task["seed"], task["assets"])
            model = model.eval()
            unique = params.count_unique(model)
            model = prepare_variant(model, variant, device)
            accuracy = accuracy_fields(task, model, family, preprocessing, label_map, device, meter)
        except Exception as exc:  # a model that cannot be built fails all its configurations alike
            status = "oom" if _is_out_of_memory(exc) else "error"
            reason = str(exc) if isinstance(exc, UserError) else one_line(exc)
            conn.send(("build_failed", status, reason))
            return
        model_rss = memory.rss_bytes()
        notes = [entry.weights_note] if entry.weights_note else []
        if "accuracy_error" in accuracy:
            notes.append(f"accuracy not measured: {accuracy.pop('accuracy_error')}")
        measure_points(conn, task, model, family, device, meter, dict(base, **accuracy), unique, model_rss, notes)
    finally:
        if meter is not None:
            meter.close()


def measure_points(conn, task, model, family, device, meter, base, unique, model_rss, notes) -> None:
    import torch

    failed = []
    for point in task["points"]:
        key = task["keys"][point]
        record = dict(base, key=key, batch_size=point.batch_size, input_size=point.input_size,
                      sweeps="+".join(point.sweeps), params=unique, model_rss_bytes=model_rss)
        if is_dominated(point, failed):
            conn.send(("record", dict(record, status="skipped",
                                      reason="a smaller configuration of this model ran out of memory")))
            continue
        conn.send(("start", key))
        started = time.time()
        record["started_at"] = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat()
        try:
            fields = measure_point(task, model, family, point, device, meter)
            fields["notes"] = "; ".join(notes + fields["notes"]) or None
            record.update(fields, status="ok")
        except Exception as exc:
            if _is_out_of_memory(exc):
                failed.append(point)
                record.update(status="oom", reason=one_line(exc))
                if device == "cuda":
                    torch.cuda.empty_cache()
            else:
                reason = str(exc) if isinstance(exc, UserError) else one_line(exc)
                record.update(status="error", reason=reason)
                conn.send(("log", "debug", traceback.format_exc()))
        record["duration_s"] = time.time() - started
        conn.send(("record", record))
