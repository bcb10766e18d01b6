"""Runs the plan: one worker process per model variant (supervised by run/supervisor.py), records
appended as they arrive, resumable, and stoppable at any moment without losing what was measured.

The runner owns the plan loop (what is left, the --budget spread over it, the task of each worker) and
the record policy (derived metrics, validity, the records of configurations a worker could not
measure); power discovery and the idle baseline are run/idle_power.py's."""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass, field

from tqdm import tqdm

from bench_job.bundle.member_texts import keep_member_texts
from bench_job.bundle.records import ResultStore, make_record
from bench_job.families import FAMILIES
from bench_job.host.cool_down import CoolDown
from bench_job.measure.peak import derived_metrics
from bench_job.measure.rounds import RoundSettings
from bench_job.measure.validity import mark_validity_as_configured
from bench_job.run.heartbeat import Heartbeat
from bench_job.run.idle_power import IdlePower
from bench_job.run.plan import OomFront, build_plan
from bench_job.run.real_clock_watch import RealClockWatch
from bench_job.run.supervisor import BUILD, Supervisor
from bench_job.run.task import PowerSettings, WorkerTask
from bench_job.run.worker import worker_main
from bench_job.scenarios import describe_row as describe_loadgen_row
from bench_job.units import format_bytes, parse_duration, parse_size

log = logging.getLogger("bench_job")


@dataclass
class PlanResult:
    """What running the plan did. planned: the key of every configuration of the plan, measured or not;
    power_not_read: power sources that exist but could not be read (source -> why), for env.json."""

    measured: int
    interrupted: bool
    signal_name: str | None = None
    planned: tuple = ()
    power_not_read: dict = field(default_factory=dict)
    cool_down: dict = field(default_factory=dict)  # host.cool_down.CoolDown.summary(), for env.json


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
    def __init__(
        self,
        config,
        store: ResultStore,
        accelerator: str,
        stop: StopRequest,
        show_progress: bool,
        peak_gflops: float | None = None,
        started: float | None = None,
        default_threads: int | None = None,
        worker=worker_main,
    ):
        """started: time.monotonic() when the command began; the --budget counts from there.
        default_threads: torch's default intra-op thread count on this machine (env.json), which a worker
        runs with unless the run or the variant sets threads; records the runner writes carry it.
        worker: the worker process's entry point."""
        self.config = config
        self.peak_gflops = peak_gflops
        self.default_threads = default_threads
        self.store = store
        self.accelerator = accelerator
        self.stop = stop
        self.show_progress = show_progress
        self.run_id = uuid.uuid4().hex[:12]
        run = config.run
        started = time.monotonic() if started is None else started
        self.deadline = started + parse_duration(run.budget) if run.budget else None
        self.supervisor = Supervisor(
            stop,
            parse_size(run.max_worker_memory) if run.max_worker_memory else None,
            float(run.config_timeout_s),
            float(run.build_timeout_s),
            target=worker,
        )
        self.power = IdlePower(config.power, config.measure)
        self.clock = RealClockWatch(config.real_clock, config.power.sysfs_root, store)
        self.cool_down = CoolDown(config.thermal, config.power.sysfs_root)
        self.bar = None
        self.heartbeat = None

    @property
    def framework_rss(self) -> int | None:
        return self.supervisor.watchdog.framework_rss

    def _note_framework(self, rss: int | None) -> None:
        self.supervisor.watchdog.note_framework(rss)

    # -- the plan -------------------------------------------------------------------------------------
    def run(self) -> PlanResult:
        self.cool_down.start()  # the reference temperature, before any model heats the board
        self.power.open()
        try:
            self.clock.measure()
            result = self._run_plan()
        finally:
            self.power.close()
        result.planned = tuple(self.planned_keys())
        result.power_not_read = dict(self.power.not_read)
        result.cool_down = self.cool_down.summary()
        return result

    def planned_keys(self) -> list[str]:
        return [item.key(p, self.accelerator) for item in build_plan(self.config) for p in item.points]

    def _run_plan(self) -> PlanResult:
        plan = build_plan(self.config)
        done = self.store.done_keys()
        total = sum(len(item.points) for item in plan)
        already = sum(1 for item in plan for p in item.points if item.key(p, self.accelerator) in done)
        if already:
            log.info("resuming: %d of %d configurations already measured", already, total)
        # No progress bar (stderr is not a terminal): a line at least every 30 s instead.
        self.heartbeat = None if self.show_progress else Heartbeat(total, already).start()
        try:
            return self._loop(plan, done, total, already)
        finally:
            if self.heartbeat is not None:
                self.heartbeat.stop()

    def _loop(self, plan: list, done: set, total: int, already: int) -> PlanResult:
        measured = 0
        with tqdm(
            total=total, initial=already, unit="config", disable=not self.show_progress, dynamic_ncols=True
        ) as bar:
            self.bar = bar
            for index, item in enumerate(plan):
                pending = [p for p in item.points if item.key(p, self.accelerator) not in done]
                if not pending:
                    continue
                remaining = sum(len(i.points) for i in plan[index:])
                measured += self._run_item(item, pending, remaining)
                self.clock.measure(f"{item.entry.name} [{item.variant.name}]")
                if self.stop.requested:
                    return PlanResult(measured, True, self.stop.signal_name)
        return PlanResult(measured, False)

    def _time_per_config(self, remaining_configs: int) -> float:
        """The per-configuration timing budget; with --budget, what is left spread over what is left.

        Half of the share goes to timing: building models, warm-up and counting take the rest."""
        cap = float(self.config.measure.max_time_per_config_s)
        if self.deadline is None:
            return cap
        left = self.deadline - time.monotonic()
        share = max(0.0, left) / max(1, remaining_configs) * 0.5
        if left <= 0:
            log.warning("time budget spent: remaining configurations get their minimum runs only")
        return max(0.05, min(cap, share))

    def _round_settings(self, remaining_configs: int) -> RoundSettings:
        return RoundSettings(self.config.measure, self._time_per_config(remaining_configs), self.deadline)

    def _task(self, item, pending: list, keys: dict, remaining_configs: int) -> WorkerTask:
        """What the next worker of item measures: the pending points, with timing settings fitted to the
        budget left and the idle baseline measured now, once the board has cooled from the model before."""
        settings = self._round_settings(remaining_configs)
        name = f"{item.entry.name} [{item.variant.name}]"
        cool_down = self.cool_down.wait(name, lambda text: self._show_waiting(name, text))
        if self.heartbeat is not None:
            self.heartbeat.measuring(name)
        idle_w, idle_share = self.power.baseline()
        power = PowerSettings(
            self.config.power,
            sources=tuple(self.power.specs),
            idle_w=idle_w,
            idle_other_cpu_share=idle_share,
            energy_reason=self.power.energy_reason,
        )
        return WorkerTask(
            entry=item.entry,
            variant=item.variant,
            points=tuple(pending),
            keys={p: keys[p] for p in pending},
            accelerator=self.accelerator,
            threads=self.config.run.threads,
            seed=self.config.run.seed,
            timing=settings,
            power=power,
            accuracy=self.config.accuracy,
            cool_down=cool_down,
            assets=self.config.run.assets,
            sustained=self.config.sustained,
            scenarios=self.config.scenarios,
        )

    # -- one model variant ----------------------------------------------------------------------------
    def _run_item(self, item, pending: list, remaining_configs: int) -> int:
        name = f"{item.entry.name} [{item.variant.name}]"
        keys = {p: item.key(p, self.accelerator) for p in pending}
        written = 0
        oom = OomFront()
        if self.heartbeat is not None:
            self.heartbeat.measuring(name)
        while pending and not self.stop.requested:
            task = self._task(item, pending, keys, remaining_configs)
            log.info("%s: starting a worker for %d configuration(s)", name, len(pending))
            recorded, end = self.supervisor.run(task, self._record_from_worker, self._show_progress)
            written += len(recorded)
            pending = [p for p in pending if p not in recorded]
            if end is None or not pending:
                continue
            if end.where == BUILD:
                # Nothing of this model can run: its smallest configuration carries the reason.
                written += self._write(task, pending[0], end.status, end.reason)
                rest_status = "skipped" if end.status == "oom" else end.status
                rest_reason = OomFront.BUILD_SKIP_REASON if end.status == "oom" else end.reason
                for point in pending[1:]:
                    written += self._write(task, point, rest_status, rest_reason)
                return written
            written += self._write(task, end.where, end.status, end.reason)
            pending.remove(end.where)
            if end.status == "oom":
                oom.ran_out(end.where)
                for point in [p for p in pending if oom.dominates(p)]:
                    written += self._write(task, point, "skipped", OomFront.SKIP_REASON)
                    pending.remove(point)
        return written

    # -- records --------------------------------------------------------------------------------------
    def _record_from_worker(self, fields: dict) -> None:
        # a soak's time series, a LoadGen test's logs: written beside results.jsonl, as the members the row names
        fields = keep_member_texts(fields, os.path.dirname(os.path.abspath(self.store.path)))
        self._store(make_record(run_id=self.run_id, **fields))

    def _show_progress(self, text: str) -> None:
        self.bar.set_postfix_str(text, refresh=False)

    def _show_waiting(self, name: str, text: str) -> None:
        """A wait before name (the cool-down): the bar's postfix, or the heartbeat's line where no bar shows."""
        self.bar.set_postfix_str(text)
        if self.heartbeat is not None:
            self.heartbeat.measuring(f"{name}, {text}")

    def _write(self, task: WorkerTask, point, status: str, reason: str) -> int:
        """The record of a configuration its worker could not measure, with the worker's identity fields."""
        head = task.record_head(
            point, task.threads_asked or self.default_threads, FAMILIES[task.entry.family].input_unit
        )
        self._store(make_record(run_id=self.run_id, **head, status=status, reason=reason))
        return 1

    def _store(self, record: dict) -> None:
        if record["status"] == "ok":
            record.update(derived_metrics(record["flops"], record["latency_median_s"], self.peak_gflops))
            mark_validity_as_configured(record, self.config.measure, self.config.power)
        self.store.append(record)
        self.bar.update(1)
        if self.heartbeat is not None:
            self.heartbeat.recorded()
        if record["status"] == "ok" and record.get("loadgen_result") is not None:
            log.info("%s: %s", record["key"], describe_loadgen_row(record))
        elif record["status"] == "ok":
            log.info(
                "%s: median %.2f ms over %d runs, %.1f GFLOPs, peak RSS %s",
                record["key"],
                record["latency_median_s"] * 1e3,
                record["n_runs"],
                (record["flops"] or 0) / 1e9,
                format_bytes(record["peak_rss_bytes"]),
            )
        else:
            log.warning("%s: %s (%s)", record["key"], record["status"], record["reason"])


def resolve_accelerator(requested: str, cuda_available: bool) -> str:
    from bench_job.errors import UserError

    if requested == "auto":
        return "cuda" if cuda_available else "cpu"
    if requested == "cuda" and not cuda_available:
        raise UserError(
            "run.accelerator is cuda but torch sees no CUDA device: use --accelerator cpu, or run "
            "the Jetson image with the NVIDIA runtime"
        )
    return requested
