"""The supervision of one worker process: spawn it with its task, read its messages (run/messages.py)
from the pipe, watch its resident memory against --max-worker-memory and its current configuration
against run.config_timeout_s, stop it when the run is asked to stop, and say how it ended: the
configurations it recorded and, when it ended early, what it was doing and why (a WorkerEnd)."""

from __future__ import annotations

import dataclasses
import logging
import signal
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

from bench_job.host.cgroup import oom_kill_count
from bench_job.measure.memory import rss_bytes
from bench_job.run import messages, stack_dump
from bench_job.run.isolated import START_ATTEMPTS, START_TIMEOUT_S, start_child
from bench_job.run.task import WorkerTask
from bench_job.run.worker import worker_main
from bench_job.units import format_bytes

log = logging.getLogger("bench_job")

POLL_S = 0.02  # the memory watchdog's period: short, since a large allocation grows fast
# Below this much room above the framework's own memory, a cap leaves even a small CNN nothing to run in.
MIN_MODEL_ROOM = 256 * 2**20
BUILD = "build"  # WorkerEnd.where of a worker that ended before its first configuration
# A stopped worker finishes the run in progress and sends the records of the configurations it has the
# minimum of (run/worker.py): it gets this long for that, on top of measure.quiet_wait_s (it may be
# waiting for quiet when the stop comes), before it is killed.
STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class WorkerEnd:
    """How a worker ended early: status (oom | timeout | error | skipped), reason, and where: the
    configuration (plan.Point) it was measuring, or BUILD when no configuration can run."""

    status: str
    reason: str
    where: object


class MemoryWatchdog:
    """The --max-worker-memory cap (None: none) and what a worker takes before any model, which the
    kill reason names."""

    def __init__(self, cap: int | None):
        self.cap = cap
        self.framework_rss: int | None = None  # a worker's resident memory before any model, once one has said

    def note_framework(self, rss: int | None) -> None:
        """Say once when the memory cap leaves the models almost nothing above the framework's own cost."""
        if rss is None:
            return
        first = self.framework_rss is None
        self.framework_rss = max(rss, self.framework_rss or 0)
        if first and self.cap and self.cap - rss < MIN_MODEL_ROOM:
            log.warning(
                "--max-worker-memory %s leaves %s above what a worker takes before any model (%s: torch and "
                "its libraries on this machine); most models will be oom. The cap counts the whole worker: "
                "raise it, e.g. to %s or more",
                format_bytes(self.cap),
                format_bytes(max(0, self.cap - rss)),
                format_bytes(rss),
                format_bytes(rss + 2 * MIN_MODEL_ROOM),
            )

    def over(self, rss: int) -> str | None:
        """Why a worker at rss bytes is killed, or None while it is within the cap."""
        if not self.cap or rss <= self.cap:
            return None
        return (
            f"worker resident memory reached {format_bytes(rss)}, over the --max-worker-memory cap of "
            f"{format_bytes(self.cap)}"
            + (
                f" (the framework alone took {format_bytes(self.framework_rss)} before any model)"
                if self.framework_rss
                else ""
            )
        )


class Supervisor:
    """Runs workers one at a time. stop: the run's StopRequest (read, never set); timeout_s: the longest a
    configuration may run; build_timeout_s: the longest a worker may go outside a configuration (starting,
    building its model, between two configurations), so that a worker stuck anywhere ends as a timeout
    rather than holding the run; target: the worker's entry point (a test may pass its own)."""

    def __init__(
        self,
        stop,
        memory_cap: int | None,
        timeout_s: float,
        build_timeout_s: float,
        target: Callable = worker_main,
        poll_s: float = POLL_S,
        stop_grace_s: float = STOP_GRACE_S,
        start_timeout_s: float = START_TIMEOUT_S,
    ):
        self.stop = stop
        self.watchdog = MemoryWatchdog(memory_cap)
        self.timeout_s = timeout_s
        self.build_timeout_s = build_timeout_s
        self.target = target
        self.poll_s = poll_s
        self.stop_grace_s = stop_grace_s
        self.start_timeout_s = start_timeout_s

    def run(
        self, task: WorkerTask, on_record: Callable[[dict], None], on_progress: Callable[[str], None]
    ) -> tuple[set, WorkerEnd | None]:
        """Run one worker on task until it ends. on_record(fields) gets each record's fields as they come,
        on_progress(text) what the worker is doing. Returns the points it recorded and, when it ended
        early, its WorkerEnd (None as well when the run was asked to stop)."""
        with tempfile.TemporaryDirectory(prefix="bench-job-worker-") as scratch:
            return self._run(dataclasses.replace(task, scratch=scratch), on_record, on_progress)

    def _run(self, task: WorkerTask, on_record, on_progress) -> tuple[set, WorkerEnd | None]:
        oom_kills_before = oom_kill_count()
        started = start_child(
            self.target,
            (task,),
            "bench-worker",
            "the worker",
            self.start_timeout_s,
            self.poll_s,
            lambda: self.stop.requested,
        )
        if started is None:
            silent = f"silent {self.start_timeout_s:g} s after each of {START_ATTEMPTS} starts"
            return set(), WorkerEnd("error", f"the worker process did not start: {silent}", BUILD)
        process, receiver = started
        stack_dump.worker_started(process.pid)
        try:
            return self._follow(process, receiver, task, on_record, on_progress, oom_kills_before)
        finally:
            stack_dump.worker_ended(process.pid)

    def _follow(
        self, process, receiver, task: WorkerTask, on_record, on_progress, oom_kills_before
    ) -> tuple[set, WorkerEnd | None]:
        by_key = {k: p for p, k in task.keys.items()}
        recorded, current, current_since, building = set(), None, None, True
        outside_since = time.monotonic()  # out of any configuration since: the start, or the last record
        killed_for = None
        peak_rss = 0

        def record(message) -> None:
            on_record(message.fields)
            recorded.add(by_key[message.fields["key"]])

        while True:
            if self.stop.requested:
                grace = self.stop_grace_s + task.timing.measure.quiet_wait_s
                self._drain_stopped(process, receiver, record, grace)
                return recorded, None
            if receiver.poll(self.poll_s):
                try:
                    message = receiver.recv()
                except EOFError:
                    break
                if isinstance(message, messages.BuildFailed):
                    _end(process, self.stop_grace_s)
                    return recorded, WorkerEnd(message.status, message.reason, BUILD)
                if isinstance(message, messages.Start):
                    building, current, current_since = False, message.key, time.monotonic()
                elif isinstance(message, messages.Record):
                    record(message)
                    current, outside_since = None, time.monotonic()
                elif isinstance(message, messages.Log):
                    log.log(logging.getLevelName(message.level.upper()), message.text)
                elif isinstance(message, messages.Framework):
                    self.watchdog.note_framework(message.rss_bytes)
                elif isinstance(message, messages.Progress):
                    on_progress(message.text)
                # messages.Build: still building, as from the start
            if not process.is_alive() and not receiver.poll(0):
                break
            rss = rss_bytes(process.pid) or 0
            peak_rss = max(peak_rss, rss)
            over = self.watchdog.over(rss)
            if over:
                killed_for = ("oom", over)
                _kill(process)
                break
            if current and time.monotonic() - current_since > self.timeout_s:
                killed_for = ("timeout", f"configuration ran longer than run.config_timeout_s = {self.timeout_s:g} s")
                _kill(process)
                break
            if not current:
                outside = time.monotonic() - outside_since
                if len(recorded) == len(task.keys) and outside > self.stop_grace_s:
                    _kill(process)  # everything is recorded, and the worker is stuck on its way out
                    break
                if outside > self.build_timeout_s:
                    doing = "building its model" if building else "between two configurations"
                    killed_for = (
                        "timeout",
                        f"the worker spent longer than run.build_timeout_s = {self.build_timeout_s:g} s {doing}",
                    )
                    _kill(process)
                    break
        if not _end(process, self.stop_grace_s) and not killed_for:
            killed_for = ("error", f"the worker closed its pipe but had not exited {self.stop_grace_s:g} s later")
        if len(recorded) == len(task.keys) or (self.stop.requested and not killed_for):
            return recorded, None  # a worker that ended on the run's own stop (Ctrl-C reaches it too)
        where = by_key[current] if current else (BUILD if building else None)
        if where is None:
            # Died between configurations: the next one had not started; retry it in a new worker.
            where = next(p for p in task.points if p not in recorded)
        if killed_for:
            return recorded, WorkerEnd(*killed_for, where)
        return recorded, WorkerEnd(*_death(process.exitcode, oom_kills_before, peak_rss), where)

    def _drain_stopped(self, process, receiver, record: Callable, grace_s: float) -> None:
        """The run is stopping: ask the worker to stop (SIGTERM; it finishes the run in progress and sends
        the records of the configurations that have their minimum), take those records for grace_s at
        most, then kill it."""
        if process.is_alive():
            process.terminate()
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if receiver.poll(self.poll_s):
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break
                except Exception:  # a message torn by the stop itself: what came before it is kept
                    break
                if isinstance(message, messages.Record):
                    record(message)
                elif isinstance(message, messages.Log):
                    log.log(logging.getLevelName(message.level.upper()), message.text)
            elif not process.is_alive():
                break
        _kill(process)


def _death(code: int | None, oom_kills_before: int | None, peak_rss: int) -> tuple[str, str]:
    """(status, reason) of a worker that died by itself, from its exit code."""
    if code == -signal.SIGKILL:
        grew = oom_kill_count()
        confirmed = grew is not None and oom_kills_before is not None and grew > oom_kills_before
        reason = (
            "killed by the kernel OOM killer (cgroup oom_kill count grew)"
            if confirmed
            else "killed by SIGKILL, most likely the kernel OOM killer"
        )
        return "oom", f"{reason}; worker peak RSS seen {format_bytes(peak_rss)}"
    how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
    return "error", f"worker process died ({how})"


def _kill(process) -> None:
    if process.is_alive():
        process.kill()
    process.join()


def _end(process, grace_s: float) -> bool:
    """Wait grace_s at most for a worker that is ending by itself; kill it past that. True if it ended."""
    process.join(grace_s)
    ended = not process.is_alive()
    _kill(process)
    return ended
