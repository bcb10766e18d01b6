"""Draw a report's figures side by side, one process per usable CPU. A figure is matplotlib in one thread
from start to saved PNG (a comparison of a hundred devices spent 5 of its 7 s there, on 2 cores), and its
figures share nothing, so forked children that inherit the merged frame and the imported libraries draw
them in parallel for the cost of a fork each, while the parent goes on with its own work; the results come
back in the tasks' order.

Serial where forking is not the safe choice (no fork on the platform, one usable CPU, one figure), and for
whatever the children did not send back: a child that dies (out of memory) closes its pipe, children from
which no figure came for QUIET_TIMEOUT_S (a fork stuck under user-mode emulation, as qemu-user can leave
one) are killed, and the parent draws the rest itself, so a figure is late rather than missing. An exception
raised by a figure's own code is raised here, as a serial drawing would raise it, with the child's traceback
as its cause.

Not multiprocessing.Pool: it starts three helper threads in the parent, its terminate() joins its children
without a bound, and a child killed mid-task leaves its task unanswered until a timeout. Here every child
owns one pipe, its end of file says it is gone, and every wait has a bound."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import sys
import traceback
import warnings

from bench_job.errors import RemoteTraceback
from bench_job.host.cpus import usable_cpus

log = logging.getLogger(__name__)

# No figure finished for this long: the children are stopped and the parent draws the rest. A hundred devices'
# ranked bars take 1.5 s on a 2-core x86_64 VM: 300 s leaves room for a board a hundred times slower.
QUIET_TIMEOUT_S = 300.0
# A child that has sent its last figure has only to exit
EXIT_TIMEOUT_S = 5.0


def workers_for(count: int) -> int:
    """Processes to draw count figures with: one per usable CPU, none where the parent would draw alone."""
    if count < 2 or sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    workers = min(count, usable_cpus())
    return workers if workers > 1 else 0


def _portable(error: BaseException) -> tuple:
    """(the error, or a RuntimeError naming it where it cannot cross a pipe; its traceback's text)"""
    text = traceback.format_exc()
    try:
        pickle.dumps(error)
    except Exception:
        error = RuntimeError(f"{type(error).__name__}: {error}")
    return error, text


def _serve(tasks: list, taken, sender) -> None:
    """A child: take the next undrawn task until none is left, send back (index, result, error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the children
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        if index >= len(tasks):
            break
        function, args = tasks[index]
        try:
            sender.send((index, function(*args), None))
        except Exception as error:
            sender.send((index, None, _portable(error)))
    sender.close()


class Drawing:
    """Figures being drawn: the children start on entering, the caller goes on with its own work (a report's
    tables), and results() waits for them: [function(*args) for function, args in tasks], in the tasks' order.
    Put the costliest tasks first: they start first. Leaving the block stops the children, finished or not.
    The children inherit the tasks (frames, functions) through the fork: only results cross the pipes."""

    def __init__(self, tasks: list, workers: int | None = None):
        self.tasks = list(tasks)
        self.workers = workers_for(len(self.tasks)) if workers is None else workers
        self.children: list = []  # (process, the pipe's end the parent reads it on)

    def __enter__(self):
        if self.workers > 1:
            context = multiprocessing.get_context("fork")
            taken = context.Value("i", 0)  # the next task's index, shared by the children
            with warnings.catch_warnings():
                # Python 3.12+ warns that forking a process with threads may deadlock the child; the threads
                # here are BLAS's idle pool, which re-initialises itself after a fork, and the children only draw
                # with Agg. A child that does hang is caught by QUIET_TIMEOUT_S.
                warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
                try:
                    for _ in range(self.workers):
                        receiver, sender = context.Pipe(duplex=False)
                        child = context.Process(target=_serve, args=(self.tasks, taken, sender), daemon=True)
                        child.start()
                        sender.close()  # the child's alone, so its end of file reaches the receiver
                        self.children.append((child, receiver))
                except OSError as error:  # no process to be had (EAGAIN, ENOMEM): the parent draws them all
                    log.warning("cannot start a process to draw figures (%s): drawing them here instead", error)
                    self._stop()
        return self

    def results(self) -> list:
        done = self._collect() if self.children else {}
        return [done[i] if i in done else function(*args) for i, (function, args) in enumerate(self.tasks)]

    def _collect(self) -> dict:
        """{index: result} of the tasks the children finished; a task whose child died is left out."""
        done = {}
        receivers = [receiver for _, receiver in self.children]
        quiet = False
        while receivers and len(done) < len(self.tasks):
            ready = multiprocessing.connection.wait(receivers, timeout=QUIET_TIMEOUT_S)
            quiet = not ready
            if quiet:
                break
            for receiver in ready:
                try:
                    index, result, error = receiver.recv()
                except EOFError:  # the child is gone: its share done, or killed (out of memory)
                    receivers.remove(receiver)
                    continue
                if error is not None:
                    raise error[0] from RemoteTraceback(error[1])
                done[index] = result
        missing = len(self.tasks) - len(done)
        codes = self._stop(finished=not missing)
        if missing:
            log.warning(
                "%d figure(s) not drawn by the worker processes (%s; exit codes %s): drawing them here instead",
                missing,
                f"none came back in {QUIET_TIMEOUT_S:.0f} s" if quiet else "they ended first",
                ", ".join(str(code) for code in codes),
            )
        return done

    def _stop(self, finished: bool = False) -> list:
        """The children's exit codes. finished: every figure came back, so the children are on their way out;
        else they are killed."""
        codes = []
        for child, receiver in self.children:
            if finished:
                child.join(EXIT_TIMEOUT_S)
            if child.is_alive():
                child.kill()
                child.join(EXIT_TIMEOUT_S)
            receiver.close()
            codes.append(child.exitcode)
        self.children = []
        return codes

    def __exit__(self, *exc) -> None:
        self._stop()
