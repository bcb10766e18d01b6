"""Draw a report's figures side by side, one process per usable CPU. A figure is matplotlib in one thread
from start to saved PNG (a comparison of a hundred devices spends 5 of its 8 s there, on 2 cores), and its
figures share nothing, so forked children that inherit the merged frame and the imported libraries draw
them in parallel for the cost of a fork each. The parent waits and keeps the results in the tasks' order.

Serial where forking is not the safe choice (no fork on the platform, one usable CPU, one figure) and for
whatever the children did not finish: a pool from which no figure came back for QUIET_TIMEOUT_S (a child
killed, out of memory; a fork stuck under user-mode emulation, as qemu-user can leave one) is stopped and
the parent draws the rest itself, so a figure is late rather than missing. An exception raised by a figure's
own code is raised here, as a serial drawing would raise it."""

from __future__ import annotations

import logging
import multiprocessing
import queue
import sys
import warnings

from bench_job.host.cpus import usable_cpus

log = logging.getLogger(__name__)

# No figure finished for this long: the pool is stopped and the parent draws the rest. A hundred devices'
# ranked bars take 1.5 s on a 2-core x86 laptop and should take well under a minute on a Pi 4.
QUIET_TIMEOUT_S = 300.0

# The tasks of the current draw(): forked children find them here, so neither the frames nor the functions
# are pickled (only a task's index and its result cross the pipe).
_TASKS: list = []


def _draw(index: int):
    function, args = _TASKS[index]
    return function(*args)


def workers_for(count: int) -> int:
    """Processes to draw count figures with: one per usable CPU, none where the parent would draw alone."""
    if count < 2 or sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    workers = min(count, usable_cpus())
    return workers if workers > 1 else 0


def draw(tasks: list, workers: int | None = None) -> list:
    """[function(*args) for function, args in tasks], drawn in forked children where it pays (workers_for),
    results in the tasks' order. Put the costliest tasks first: they start first."""
    global _TASKS
    workers = workers_for(len(tasks)) if workers is None else workers
    results: dict = {}
    if workers > 1:
        _TASKS = list(tasks)
        try:
            results = _parallel(len(tasks), workers)
        finally:
            _TASKS = []
    return [results[i] if i in results else function(*args) for i, (function, args) in enumerate(tasks)]


def _parallel(count: int, workers: int) -> dict:
    """{index: result} of the tasks the children finished."""
    finished: queue.Queue = queue.Queue()
    results = {}
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a process with threads may deadlock the child; the threads here are
        # BLAS's idle pool (which re-initialises itself after a fork) and the pool's own, and the children only
        # draw with Agg. A child that does hang is caught by QUIET_TIMEOUT_S.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        for i in range(count):
            pool.apply_async(
                _draw,
                (i,),
                callback=lambda result, i=i: finished.put((i, result, None)),
                error_callback=lambda error, i=i: finished.put((i, None, error)),
            )
        while len(results) < count:
            try:
                index, result, error = finished.get(timeout=QUIET_TIMEOUT_S)
            except queue.Empty:
                # a child killed (out of memory) loses its task without a word: this wait ends it too
                log.warning(
                    "no figure came back from %d worker processes in %.0f s: drawing the %d left here instead",
                    workers,
                    QUIET_TIMEOUT_S,
                    count - len(results),
                )
                break
            if error is not None:
                raise error
            results[index] = result
    finally:
        pool.terminate()
        pool.join()
    return results
