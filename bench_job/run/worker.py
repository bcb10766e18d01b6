"""The worker process: builds one model variant once, then measures its configurations in order.

It runs in its own process so that its peak memory is its own, and so that a kill by the OOM killer or
by the memory watchdog ends one model's sweep rather than the job. It talks to its supervisor
(run/supervisor.py) over a pipe, sending the messages of run/messages.py; the runner writes every
record, the worker writes nothing to disk.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime
import importlib
import signal
import time
import traceback
from dataclasses import dataclass

from bench_job.errors import UserError, one_line, user_fixable
from bench_job.families import FAMILIES
from bench_job.measure import flops as flops_measure
from bench_job.measure import memory, params
from bench_job.measure.contention import ContentionProbe
from bench_job.measure.energy import energy_fields
from bench_job.measure.latency import timer_for
from bench_job.measure.quiet import Patience, contention_limits
from bench_job.measure.rounds import ConfigTiming, time_interleaved
from bench_job.measure.stats import summarize
from bench_job.run import stack_dump
from bench_job.run.accuracy import accuracy_fields, build_model, weights_source
from bench_job.run.config_state import device_state_fields, read_state
from bench_job.run.loadgen_rows import send_loadgen
from bench_job.run.messages import Build, BuildFailed, Framework, Log, Progress, Record, Start, Started
from bench_job.run.plan import SUSTAINED, SWEEP, OomFront
from bench_job.run.soak import send_soaks
from bench_job.run.task import PowerSettings, WorkerTask
from bench_job.run.variant_inputs import prepare_inputs
from bench_job.runtimes import RUNTIMES, RuntimeFailed
from bench_job.runtimes.calibration import calibration_inputs
from bench_job.runtimes.deployment import Deployment


class WorkerStopped(BaseException):
    """Raised in the worker by a stop that came before any configuration was timed: nothing to keep."""


class StopSignal:
    """SIGTERM or SIGINT in the worker (the supervisor's stop, or Ctrl-C reaching the whole process
    group). Before timing starts there is nothing to keep: the signal raises WorkerStopped and the worker
    ends. While configurations are timed (keeping), it only sets requested: the run in progress finishes,
    no other round starts, and the configurations that have their minimum rounds and runs are recorded
    (the supervisor waits a bounded grace period for them, then kills the worker)."""

    def __init__(self):
        self.signal_name = None
        self.keeping = False

    def __call__(self, signum, _frame):
        self.signal_name = signal.Signals(signum).name
        if not self.keeping:
            raise WorkerStopped(self.signal_name)

    @property
    def requested(self) -> bool:
        return self.signal_name is not None

    def install(self) -> StopSignal:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self)
        return self


def _die_with_parent():
    """Ask the kernel to kill this worker if the runner dies, so no orphan keeps measuring."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _is_out_of_memory(exc: BaseException) -> bool:
    import torch

    # torch.OutOfMemoryError is torch 2.5's alias of torch.cuda.OutOfMemoryError, the only name torch 2.1 has (JetPack
    # 5); asking torch 2.1 for the alias raised inside this failure path and killed the worker without its reason.
    if isinstance(exc, (torch.cuda.OutOfMemoryError, MemoryError)):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text)


def prepare_variant(model, variant, device: str):
    """Move the fp32 model to the device and precision of the variant."""
    import torch

    from evaluation.preprocess import resolve_dtype

    if variant.precision == "int8":
        # Dynamic quantization converts Linear layers only (weights int8, activations quantized on the fly).
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    model = model.to(device)
    dtype = resolve_dtype(variant.precision)
    if dtype not in (None, torch.float32):  # built in fp32
        model = model.to(dtype)
    return model


class BoundContext:
    """A call bound to its inputs (a runtime's Prepared.bind, or the PyTorch model's own): run_once is one
    complete (synchronised) inference and returns its raw output."""

    def __init__(self, bound, sync):
        self.bound, self.sync = bound, sync

    def run_once(self):
        output = self.bound()
        self.sync()
        return output


@dataclass
class PreparedConfig:
    """A configuration past its first pass (counted, warmed up, its memory peak taken), waiting for its
    timing rounds and its energy window."""

    point: object
    record: dict  # the record so far: identity and the first pass's fields
    timing: ConfigTiming
    state_before: dict
    swap_before: dict
    started: float


def weights_bytes(model) -> int:
    """Bytes of the parameters and buffers themselves: a check on what building the model added to RSS."""
    return sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])


def prepare_config(
    task: WorkerTask, model, family, point, device: str, timer, record: dict, notes: list, deployment: Deployment
) -> PreparedConfig:
    """The first pass over one configuration, in plan order (smallest first, so a configuration that
    does not fit fails before larger ones are tried): its inputs, the first (cold) run in the variant's
    runtime and its fidelity to eager PyTorch, the untimed counting pass (FLOPs and parameters always of
    the PyTorch model), the warm-up runs, and its peak memory (every later run of it repeats the same pass)."""
    import torch

    variant = task.variant
    cuda = device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    fields = {"notes": list(notes)}
    state_before = read_state(task)
    swap_before = memory.swap_counters()
    started = time.time()
    memory.reset_peak_rss()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    limit = family.max_input_size(model)
    if limit is not None and point.input_size > limit:
        raise UserError(f"input size {point.input_size} exceeds this model's maximum of {limit} {family.input_unit}")
    inputs = prepare_inputs(family.make_inputs(model, point.batch_size, point.input_size, task.seed), variant, device)
    reference_inputs = deployment.model_inputs(inputs)
    eager = BoundContext(lambda: model(**reference_inputs), sync)
    ctx = BoundContext(deployment.prepare(inputs).bind(inputs), sync)
    first = []
    fields["first_inference_s"] = timer.time(lambda: first.append(ctx.run_once()))

    # One untimed counting pass of the PyTorch model: FLOPs, the parameters each module uses when it runs,
    # and the output a runtime other than eager is checked against (the counters leave it as it is).
    reference = []

    def counting_pass():
        fields["flops"] = flops_measure.count_flops(lambda: reference.append(eager.run_once()))

    fields["params_effective"] = params.count_effective(model, counting_pass)
    fields.update(deployment.fields(inputs, first.pop(), reference.pop()))
    fields["notes"] += deployment.prepared.notes
    if variant.precision == "int8" and deployment.eager:
        fields["flops"] = None
        fields["notes"].append("FLOPs not counted: the counter cannot see dynamically quantized kernels")
    else:
        fields["macs"] = fields["flops"] // 2
        fields["flop_counter"] = flops_measure.counter_name()
    warmup = [timer.time(ctx.run_once) for _ in range(task.timing.measure.warmup_runs)]
    peak = memory.peak_rss_bytes()
    fields.update(
        warmup_s=warmup,
        warmup_runs=len(warmup),
        timer=timer.name,
        peak_rss_bytes=peak,
        activations_rss_bytes=peak - record["model_rss_bytes"]
        if peak is not None and record.get("model_rss_bytes") is not None
        else None,
    )
    if cuda:
        fields["cuda_peak_bytes"] = int(torch.cuda.max_memory_allocated())
    return PreparedConfig(
        point, dict(record, **fields), ConfigTiming(record["key"], ctx.run_once), state_before, swap_before, started
    )


def energy_window(power: PowerSettings, timing: ConfigTiming, meter, patience, batch_size: int) -> dict:
    """The configuration's energy window, after its timing so the sampler never runs beside a timed
    pass. Other processes' work lands in a whole-device reading, so a disturbed window is redone after
    waiting for quiet while the patience allows; the kept window's share goes into the record."""
    if meter is None:
        return {"energy_reason": power.energy_reason}
    while True:
        probe = ContentionProbe()
        probe.start()
        started = time.monotonic()
        result = meter.measure(
            timing.run_once, power.section.min_window_s, power.section.min_samples, power.section.max_window_s
        )
        share = probe.other_share()
        if not (patience.disturbed(share) and patience.available):
            return dict(
                energy_fields(result, batch_size),
                energy_other_cpu_share=share,
                idle_other_cpu_share=power.idle_other_cpu_share,
            )
        patience.spend(time.monotonic() - started)
        patience.wait()


def has_minimum(timing: ConfigTiming, measure) -> bool:
    """Whether a configuration has its minimum rounds and runs: what a stopped run still records."""
    return len(timing.kept) >= measure.min_rounds and len(timing.timings_s) >= measure.min_runs


def finish_config(task: WorkerTask, prepared: PreparedConfig, meter, patience, stopped_by: str | None = None) -> dict:
    """The record of a timed configuration: pooled statistics of its kept rounds, its energy window,
    swap and device state over its whole measurement. stopped_by: the signal that stopped the run (the
    timing as measured so far; no energy window)."""
    settings = task.timing
    record, timing, point = prepared.record, prepared.timing, prepared.point
    if stopped_by:
        if timing.stop_reason is None:
            timing.stop_reason = "stopped"
        fields = {"energy_reason": f"not measured: the run was stopped by {stopped_by} before its energy window"}
    else:
        fields = energy_window(task.power, timing, meter, patience, point.batch_size)
    stats = summarize(timing.timings_s, settings.measure.confidence)
    fields.update(stats)
    redone = timing.redo_summary(*contention_limits(settings.measure))
    fields.update(
        timings_s=timing.timings_s,
        stop_reason=timing.stop_reason,
        rounds=len(timing.kept),
        rounds_redone=len(timing.set_aside),
        redo_reasons=redone,
        quiet_wait_s=timing.waited_s,
        runs_set_aside=timing.runs_set_aside,
        rounds_disturbed=timing.rounds_disturbed,
        rounds_detail=[r.as_record() for r in timing.rounds],
        other_cpu_share=timing.other_cpu_share,
        throughput=point.batch_size / stats["latency_median_s"],
    )
    notes = record["notes"]
    if timing.stop_reason == "stopped":
        notes.append(f"timing cut short: the run was stopped by {stopped_by}")
    elif timing.stop_reason != "ci_target":
        notes.append(f"CI target not reached ({timing.stop_reason.replace('_', ' ')})")
    swap_in, swap_out = memory.swap_delta(prepared.swap_before, memory.swap_counters())
    fields.update(swap_in=swap_in, swap_out=swap_out, swapped=None if swap_in is None else bool(swap_in or swap_out))
    fields.update(device_state_fields(task, prepared.state_before))
    return dict(
        record, **fields, notes="; ".join(notes) or None, status="ok", duration_s=time.time() - prepared.started
    )


def open_meter(power: PowerSettings):
    """(the worker's EnergyMeter over the sources the runner discovered, with the runner's idle baseline,
    None), or (None, why there is none). Never raises: a power failure costs energy, not the worker."""
    if power.energy_reason:  # the runner found no source, or energy is switched off
        return None, power.energy_reason
    try:
        from bench_job.power import EnergyMeter, open_sources

        sources, unopened = open_sources(power.sources)
        if sources:
            return EnergyMeter(
                sources, sampling_hz=power.section.sampling_hz, idle_w=power.idle_w, unopened=unopened
            ), None
        reasons = "; ".join(f"{name}: {reason}" for name, _, reason in unopened)
        return None, f"no power source could be opened in the worker: {reasons}"
    except Exception as exc:
        return None, f"the power sources could not be opened in the worker: {one_line(exc)}"


def worker_main(conn, task: WorkerTask) -> None:
    """Entry point of the worker process: measures task.points of one model variant, sending each record."""
    conn.send(Started())
    _die_with_parent()
    stack_dump.install_in_worker()
    stop = StopSignal().install()
    try:
        _measure_variant(conn, task, stop)
    except WorkerStopped:
        pass  # stopped before anything was timed: nothing to send


def _measure_variant(conn, task: WorkerTask, stop: StopSignal) -> None:
    import torch

    entry, variant = task.entry, task.variant
    device = task.accelerator
    threads = task.threads_asked
    runtime = RUNTIMES[variant.runtime]
    if threads:
        torch.set_num_threads(threads)
    family = FAMILIES[entry.family]
    importlib.import_module(family.library)  # the framework's cost is counted before any model exists
    base = {
        "weights_source": weights_source(entry, task.assets),
        "framework_rss_bytes": memory.rss_bytes(),
        **task.cool_down.record_fields(),
    }
    conn.send(Framework(base["framework_rss_bytes"]))
    conn.send(Build())
    meter, energy_reason = open_meter(task.power)
    # from here on the task's reason is the worker's own: a source may have failed to open here
    task = dataclasses.replace(task, power=dataclasses.replace(task.power, energy_reason=energy_reason))
    try:
        unavailable = runtime.unavailable(device)
        if unavailable:
            conn.send(BuildFailed("skipped", unavailable))
            return
        try:
            model, preprocessing, label_map = build_model(entry, family, task.seed, task.assets)
            model = model.eval()
            unique = params.count_unique(model)
            if not runtime.exports_fp32:  # an export starts from the fp32 model and sets its precision itself
                model = prepare_variant(model, variant, device)
            deployment = open_deployment(task, model, family, preprocessing, device)
            # for a runtime other than eager: its session or engine beside the PyTorch model kept for the
            # FLOP count and the fidelity reference
            model_rss = memory.rss_bytes()
            base.update(
                params=unique,
                model_rss_bytes=model_rss,
                weights_bytes=weights_bytes(model),
                weights_rss_bytes=model_rss - base["framework_rss_bytes"]
                if None not in (model_rss, base["framework_rss_bytes"])
                else None,
            )
            accuracy = accuracy_fields(
                task,
                deployment.accuracy_model(),
                family,
                preprocessing,
                label_map,
                device,
                meter,
                reference=deployment.reference_model(),
            )
        except Exception as exc:  # a model that cannot be built fails all its configurations alike
            status = "oom" if _is_out_of_memory(exc) else "error"
            reason = str(exc) if user_fixable(exc) or isinstance(exc, RuntimeFailed) else one_line(exc)
            conn.send(BuildFailed(status, reason))
            return
        notes = [note for note in (entry.weights_note, task.cool_down.note()) if note]
        if "accuracy_error" in accuracy:
            notes.append(f"accuracy not measured: {accuracy.pop('accuracy_error')}")
        with torch.inference_mode():
            measure_points(
                conn,
                task,
                model,
                family,
                device,
                meter,
                dict(base, **accuracy),
                notes,
                deployment,
                stop,
                checkpoint=(preprocessing, label_map),
            )
    finally:
        if meter is not None:
            meter.close()


def open_deployment(task: WorkerTask, model, family, preprocessing, device: str) -> Deployment:
    """The model variant in its runtime, prepared once before any configuration (an export or a compile,
    a session or an engine) on inputs of batch 2 at the model's fixed input size: a batch of 1 would let
    an exporter fix the batch axis at 1. Raises RuntimeFailed when it cannot be prepared."""
    entry, variant = task.entry, task.variant
    runtime = RUNTIMES[variant.runtime]
    if runtime.name == "eager":
        return Deployment("eager", model, variant, device, task.threads_asked, task.scratch)

    def inputs(batch_size: int, input_size: int) -> dict:
        made = family.make_inputs(model, batch_size, input_size, task.seed)  # on the CPU, fp32: what an export takes
        return made if runtime.exports_fp32 else prepare_inputs(made, variant, device)

    def shapes(batch_size: int, input_size: int) -> dict:
        return {name: tuple(t.shape) for name, t in inputs(batch_size, input_size).items()}

    sizes, batches = [p.input_size for p in task.points], [p.batch_size for p in task.points]
    if any(p.scenario not in (SWEEP, SUSTAINED) for p in task.points):
        batches.append(1)  # an MLPerf scenario's SUT runs batches from 1 up to its point's (scenarios/harness.py)
    shape_range = (shapes(min(batches), min(sizes)), shapes(max(batches), max(sizes)))
    example = inputs(2, entry.input_size)
    calibration, note = None, None
    if variant.precision == "int8" and any(t.is_floating_point() for t in example.values()):
        calibration, note = calibration_inputs(entry, family, model, preprocessing, task.assets, task.seed)
    deployment = Deployment(
        variant.runtime, model, variant, device, task.threads_asked, task.scratch, shape_range, calibration, note
    )
    deployment.prepare(example)
    return deployment


def _failure(conn, exc: BaseException, device: str) -> dict:
    """status and reason of a configuration that raised; an out-of-memory error is a result (oom)."""
    if _is_out_of_memory(exc):
        if device == "cuda":
            import torch

            torch.cuda.empty_cache()
        return {"status": "oom", "reason": one_line(exc)}
    conn.send(Log("debug", traceback.format_exc()))
    return {"status": "error", "reason": str(exc) if user_fixable(exc) else one_line(exc)}


def measure_points(
    conn, task, model, family, device, meter, base, notes, deployment, stop=None, checkpoint=(None, None)
) -> None:
    """First pass over every configuration (smallest first), then their timing in interleaved rounds,
    then each one's energy window and record. A configuration that fails is recorded at once.

    stop: the worker's StopSignal. Once it is requested, the run in progress finishes, and only the
    configurations with their minimum rounds and runs are recorded (as measured so far, no energy window);
    the others are left unrecorded, so the run lists them as never measured.
    checkpoint: (preprocessing, label_map) of the weights, for LoadGen's accuracy test on the dev set."""
    import torch

    stop = stop or StopSignal()
    stop.keeping = True  # from here on a stop keeps what was measured
    settings = task.timing
    timer = timer_for(device)
    oom, prepared = OomFront(), []
    for point in task.points:
        if stop.requested:
            return  # no configuration has been timed yet
        record = dict(base, **task.record_head(point, torch.get_num_threads(), family.input_unit))
        if oom.dominates(point):
            conn.send(Record(dict(record, status="skipped", reason=OomFront.SKIP_REASON)))
            continue
        conn.send(Start(record["key"]))
        started = time.time()
        record["started_at"] = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat()
        try:
            prepared.append(prepare_config(task, model, family, point, device, timer, record, notes, deployment))
        except Exception as exc:
            outcome = _failure(conn, exc, device)
            if outcome["status"] == "oom":
                oom.ran_out(point)
            conn.send(Record(dict(record, **outcome, notes="; ".join(notes) or None, duration_s=time.time() - started)))
    # after the sweep, on the warm model: MLPerf's scenarios through LoadGen, then the soaks
    soaks = [p for p in prepared if p.point.scenario == SUSTAINED]
    loadgen = [p for p in prepared if p.point.scenario not in (SWEEP, SUSTAINED)]
    prepared = [p for p in prepared if p.point.scenario == SWEEP]
    patience = Patience.from_measure(settings.measure, settings.deadline)

    def on_round(key, index):
        conn.send(Start(key))
        conn.send(Progress(f"{task.entry.name}: round {index + 1}"))

    time_interleaved(
        [p.timing for p in prepared],
        timer,
        settings,
        patience,
        on_round=on_round,
        stop=lambda: stop.requested,
        threads=torch.get_num_threads(),
    )
    send_records(conn, task, prepared, meter, patience, device, stop)
    send_loadgen(conn, task, loadgen, deployment, model, family, device, meter, timer, stop, *checkpoint)
    send_soaks(conn, task, soaks, meter, timer, stop)


def send_records(conn, task, prepared: list, meter, patience, device: str, stop) -> None:
    """Each timed configuration's record, after its energy window; once the run is stopped, only those
    with their minimum rounds and runs, without an energy window."""
    for config in prepared:
        if stop.requested and not has_minimum(config.timing, task.timing.measure):
            continue
        conn.send(Start(config.record["key"]))
        try:
            record = finish_config(task, config, meter, patience, stop.signal_name)
        except Exception as exc:
            record = dict(
                config.record,
                **_failure(conn, exc, device),
                notes="; ".join(config.record["notes"]) or None,
                duration_s=time.time() - config.started,
            )
        conn.send(Record(record))
