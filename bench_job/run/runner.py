"""Runs the plan: one worker process per model variant, watched for memory and time, records appended
as they arrive, resumable, and stoppable at any moment without losing what was measured."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
import uuid
from dataclasses import dataclass

from tqdm import tqdm

from bench_job.cgroup import oom_kill_count
from bench_job.families import FAMILIES
from bench_job.measure.energy import no_source_reason
from bench_job.measure.contention import ContentionProbe
from bench_job.measure.memory import rss_bytes
from bench_job.measure.quiet import wait_for_quiet
from bench_job.measure.rounds import RoundSettings
from bench_job.run.plan import build_plan, is_dominated
from bench_job.results import ResultStore, make_record
from bench_job.task import AccuracySettings, PowerSettings, WorkerTask
from bench_job.units import format_bytes, parse_duration, parse_size
from bench_job.validity import mark_validity
from bench_job.run.worker import worker_main

log = logging.getLogger("bench_job")

_POLL_S = 0.02   # the memory watchdog's period: short, since a large allocation grows fast
# Below this much room above the framework's own memory, a cap leaves even a small CNN nothing to run in.
_MIN_MODEL_ROOM = 256 * 2**20


@dataclass
class PlanResult:
    measured: int
    interrupted: bool
    signal_name: str | None = None


class StopRequest:
    """Set by SIGINT/SIGTERM; the runner checks it between messages and stops cleanly."""

    def __init__(self):
        self.signal_name = None

    def __call__(self, signum, _frame):
        self.signal_name = signal.Signals(signum).name

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self)

    @property
    def requested(self) -> bool:
        return self.signal_name is not None


class Runner:
    def __init__(self, config, store: ResultStore, accelerator: str, stop: StopRequest, show_progress: bool,
                 peak_gflops: float | None = None, started: float | None = None, default_threads: int | None = None):
        """started: time.monotonic() when the command began; the --budget counts from there.
        default_threads: torch's default intra-op thread count on this machine (env.json), which a worker
        runs with unless the run or the variant sets threads; records the runner writes carry it."""
        self.config = config
        self.peak_gflops = peak_gflops
        self.default_threads = default_threads
        self.store = store
        self.accelerator = accelerator
        self.stop = stop
        self.show_progress = show_progress
        self.run_id = uuid.uuid4().hex[:12]
        run = config.run
        self.memory_cap = parse_size(run["max_worker_memory"]) if run["max_worker_memory"] else None
        started = time.monotonic() if started is None else started
        self.deadline = started + parse_duration(run["budget"]) if run["budget"] else None
        self.framework_rss = None       # a worker's resident memory before any model, once one has said

    # -- the plan -------------------------------------------------------------------------------------
    def run(self) -> PlanResult:
        self._open_power()
        try:
            return self._run_plan()
        finally:
            if self.idle_meter is not None:
                self.idle_meter.close()

    def _open_power(self) -> None:
        """Find the power sources once; the runner keeps a meter only for the idle baseline."""
        power = self.config.data["power"]
        self.idle_meter, self.energy_reason, self.power_specs = None, None, []
        self.power_not_read = {}        # source -> why it was not used, for env.json
        if not power["enabled"]:
            self.energy_reason = "energy measurement disabled (power.enabled: false)"
            return
        from bench_job.power import EnergyMeter, discover_sources

        found, missing = discover_sources(sysfs_root=power["sysfs_root"], external_csv=power["external_csv"],
                                          sampling_hz=power["sampling_hz"], powercap_dir=power["powercap_dir"])
        for name, reason in missing:
            log.debug("power source %s not used: %s", name, reason)
        self.power_not_read = dict(missing)
        if not found:
            self.energy_reason = no_source_reason(missing)
            log.warning("no power source found: energy columns stay empty (see `bench-job probe`)")
            return
        log.info("power sources: %s", ", ".join(f"{s.name} ({s.scope})" for s in found))
        self.idle_meter = EnergyMeter(found, sampling_hz=power["sampling_hz"])
        # the workers open these same sources again from their specs instead of searching a second time
        self.power_specs = [source.spec for source in found]

    def _idle_baseline(self) -> tuple[dict, float | None]:
        """Idle power, re-measured before each model so that drift (heat, background jobs) is followed,
        after waiting (bounded) for the machine to quieten: another program's power in the baseline
        would make every net figure too small. Returns ({source: watts}, other processes' CPU share)."""
        if self.idle_meter is None:
            return {}, None
        measure = self.config.measure
        wait_for_quiet(measure["quiet_wait_s"], measure["max_other_cpu_share"])
        probe = ContentionProbe()
        probe.start()
        idle = self.idle_meter.measure_idle(self.config.data["power"]["idle_seconds"])
        share = probe.other_share()
        log.info("idle power: %s%s", ", ".join(f"{k} {v:.2f} W" if v is not None else f"{k} n/a" for k, v in idle.items()),
                 f" (other processes used {share:.0%} of the CPU meanwhile)" if share is not None else "")
        return {k: v for k, v in idle.items() if v is not None}, share

    def planned_keys(self) -> list[str]:
        return [item.key(p, self.accelerator) for item in build_plan(self.config) for p in item.points]

    def _run_plan(self) -> PlanResult:
        plan = build_plan(self.config)
        done = self.store.done_keys()
        total = sum(len(item.points) for item in plan)
        already = sum(1 for item in plan for p in item.points if item.key(p, self.accelerator) in done)
        if already:
            log.info("resuming: %d of %d configurations already measured", already, total)
        measured = 0
        with tqdm(total=total, initial=already, unit="config", disable=not self.show_progress,
                  dynamic_ncols=True) as bar:
            self.bar = bar
            for index, item in enumerate(plan):
                pending = [p for p in item.points if item.key(p, self.accelerator) not in done]
                if not pending:
                    continue
                remaining = sum(len(i.points) for i in plan[index:])
                measured += self._run_item(item, pending, remaining)
                if self.stop.requested:
                    return PlanResult(measured, True, self.stop.signal_name)
        return PlanResult(measured, False)

    def _time_per_config(self, remaining_configs: int) -> float:
        """The per-configuration timing budget; with --budget, what is left spread over what is left.

        Half of the share goes to timing: building models, warm-up and counting take the rest."""
        cap = float(self.config.measure["max_time_per_config_s"])
        if self.deadline is None:
            return cap
        left = self.deadline - time.monotonic()
        share = max(0.0, left) / max(1, remaining_configs) * 0.5
        if left <= 0:
            log.warning("time budget spent: remaining configurations get their minimum runs only")
        return max(0.05, min(cap, share))

    def _round_settings(self, remaining_configs: int) -> RoundSettings:
        measure = self.config.measure
        return RoundSettings(
            warmup_runs=measure["warmup_runs"], min_runs=measure["min_runs"], max_runs=measure["max_runs"],
            target_ci_rel=measure["target_ci_rel"], confidence=measure["confidence"],
            max_time_s=self._time_per_config(remaining_configs), min_rounds=measure["min_rounds"],
            round_time_s=measure["round_time_s"], max_other_cpu_share=measure["max_other_cpu_share"],
            quiet_wait_s=measure["quiet_wait_s"], patience_s=measure["patience_s"], deadline=self.deadline)

    # -- one model variant ----------------------------------------------------------------------------
    def _run_item(self, item, pending: list, remaining_configs: int) -> int:
        name = f"{item.entry.name} [{item.variant.name}]"
        keys = {p: item.key(p, self.accelerator) for p in pending}
        written = 0
        failed = []
        while pending and not self.stop.requested:
            settings = self._round_settings(remaining_configs)
            idle_w, idle_share = self._idle_baseline()
            power = PowerSettings.from_config(self.config.data["power"], sources=tuple(self.power_specs),
                                              idle_w=idle_w, idle_other_cpu_share=idle_share,
                                              energy_reason=self.energy_reason)
            task = WorkerTask(entry=item.entry, variant=item.variant, points=tuple(pending),
                              keys={p: keys[p] for p in pending},
                              accelerator=self.accelerator, threads=self.config.run["threads"],
                              seed=self.config.run["seed"], timing=settings, power=power,
                              accuracy=AccuracySettings.from_config(self.config.data["accuracy"]),
                              assets=self.config.run["assets"])
            log.info("%s: starting a worker for %d configuration(s)", name, len(pending))
            recorded, end = self._watch_worker(task)
            written += len(recorded)
            pending = [p for p in pending if p not in recorded]
            if end is None or not pending:
                continue
            status, reason, where = end
            if where == "build":
                # Nothing of this model can run: its smallest configuration carries the reason.
                written += self._write(task, pending[0], status, reason)
                rest_status = "skipped" if status == "oom" else status
                rest_reason = "the model did not fit in memory" if status == "oom" else reason
                for point in pending[1:]:
                    written += self._write(task, point, rest_status, rest_reason)
                return written
            written += self._write(task, where, status, reason)
            pending.remove(where)
            if status == "oom":
                failed.append(where)
                for point in [p for p in pending if is_dominated(p, failed)]:
                    written += self._write(task, point, "skipped",
                                           "a smaller configuration of this model ran out of memory")
                    pending.remove(point)
        return written

    def _write(self, task: WorkerTask, point, status: str, reason: str) -> int:
        """The record of a configuration its worker could not measure, with the worker's identity fields."""
        head = task.record_head(point, task.threads_asked or self.default_threads,
                                 FAMILIES[task.entry.family].input_unit)
        self._store(make_record(run_id=self.run_id, **head, status=status, reason=reason))
        return 1

    def _store(self, record: dict) -> None:
        if record["status"] == "ok":
            if record["flops"]:
                record["achieved_gflops"] = record["flops"] / record["latency_median_s"] / 1e9
                if self.peak_gflops:
                    record["peak_fraction"] = record["achieved_gflops"] / self.peak_gflops
            measure = self.config.measure
            mark_validity(record, measure["min_runs"], measure["target_ci_rel"], self.config.data["power"]["min_samples"],
                          measure["max_other_cpu_share"])
        self.store.append(record)
        self.bar.update(1)
        if record["status"] == "ok":
            log.info("%s: median %.2f ms over %d runs, %.1f GFLOPs, peak RSS %s", record["key"],
                     record["latency_median_s"] * 1e3, record["n_runs"], (record["flops"] or 0) / 1e9,
                     format_bytes(record["peak_rss_bytes"]))
        else:
            log.warning("%s: %s (%s)", record["key"], record["status"], record["reason"])

    def _watch_worker(self, task: WorkerTask):
        """Run one worker until it ends. Returns the points it recorded and, when it ended early,
        (status, reason, point or "build") for what it was doing."""
        ctx = multiprocessing.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        process = ctx.Process(target=worker_main, args=(sender, task), name="bench-worker", daemon=True)
        oom_kills_before = oom_kill_count()
        process.start()
        sender.close()
        keys = task.keys
        by_key = {k: p for p, k in keys.items()}
        recorded, current, current_since, phase = set(), None, None, "start"
        killed_for = None
        peak_rss = 0
        timeout = float(self.config.run["config_timeout_s"])
        while True:
            if self.stop.requested:
                self._kill(process)
                return recorded, None
            message = None
            if receiver.poll(_POLL_S):
                try:
                    message = receiver.recv()
                except EOFError:
                    message = ("eof",)
            if message:
                kind = message[0]
                if kind == "build":
                    phase = "build"
                elif kind == "build_failed":
                    process.join()
                    return recorded, (message[1], message[2], "build")
                elif kind == "start":
                    phase, current, current_since = "config", message[1], time.monotonic()
                elif kind == "record":
                    fields = message[1]
                    self._store(make_record(run_id=self.run_id, **fields))
                    recorded.add(by_key[fields["key"]])
                    current = None
                elif kind == "log":
                    log.log(logging.getLevelName(message[1].upper()), message[2])
                elif kind == "framework":
                    self._note_framework(message[1])
                elif kind == "progress":
                    self.bar.set_postfix_str(message[1], refresh=False)
                elif kind == "eof":
                    break
            if not process.is_alive() and not receiver.poll(0):
                break
            rss = rss_bytes(process.pid) or 0
            peak_rss = max(peak_rss, rss)
            if self.memory_cap and rss > self.memory_cap:
                killed_for = ("oom", f"worker resident memory reached {format_bytes(rss)}, over the "
                                     f"--max-worker-memory cap of {format_bytes(self.memory_cap)}"
                                     + (f" (the framework alone took {format_bytes(self.framework_rss)} before "
                                        f"any model)" if self.framework_rss else ""))
                self._kill(process)
                break
            if current and time.monotonic() - current_since > timeout:
                killed_for = ("timeout", f"configuration ran longer than run.config_timeout_s = {timeout:g} s")
                self._kill(process)
                break
        process.join()
        if len(recorded) == len(keys):
            return recorded, None
        where = by_key[current] if current else ("build" if phase in ("start", "build") else None)
        if where is None:
            # Died between configurations: the next one had not started; retry it in a new worker.
            where = next(p for p in task.points if p not in recorded)
        if killed_for:
            return recorded, (*killed_for, where)
        code = process.exitcode
        if code == -signal.SIGKILL:
            grew = oom_kill_count()
            confirmed = grew is not None and oom_kills_before is not None and grew > oom_kills_before
            reason = ("killed by the kernel OOM killer (cgroup oom_kill count grew)" if confirmed else
                      "killed by SIGKILL, most likely the kernel OOM killer")
            return recorded, ("oom", f"{reason}; worker peak RSS seen {format_bytes(peak_rss)}", where)
        how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
        return recorded, ("error", f"worker process died ({how})", where)

    def _note_framework(self, rss: int | None) -> None:
        """Say once when the memory cap leaves the models almost nothing above the framework's own cost."""
        if rss is None:
            return
        first = self.framework_rss is None
        self.framework_rss = max(rss, self.framework_rss or 0)
        if first and self.memory_cap and self.memory_cap - rss < _MIN_MODEL_ROOM:
            log.warning("--max-worker-memory %s leaves %s above what a worker takes before any model (%s: torch and "
                        "its libraries on this machine); most models will be oom. The cap counts the whole worker: "
                        "raise it, e.g. to %s or more", format_bytes(self.memory_cap),
                        format_bytes(max(0, self.memory_cap - rss)), format_bytes(rss),
                        format_bytes(rss + 2 * _MIN_MODEL_ROOM))

    @staticmethod
    def _kill(process) -> None:
        if process.is_alive():
            process.kill()
        process.join()


def resolve_accelerator(requested: str, cuda_available: bool) -> str:
    from bench_job.errors import UserError

    if requested == "auto":
        return "cuda" if cuda_available else "cpu"
    if requested == "cuda" and not cuda_available:
        raise UserError("run.accelerator is cuda but torch sees no CUDA device: use --accelerator cpu, or run "
                        "the Jetson image with the NVIDIA runtime")
    return requested
