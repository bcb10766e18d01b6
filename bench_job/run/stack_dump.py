"""Where a run that seems stuck is: SIGUSR1 prints the stack of every thread of the job and of its live
worker to stderr (Python's faulthandler), and the run goes on.

faulthandler writes from inside the signal handler, so a dump comes even while a thread is stuck in C code
holding the GIL (a model build, a sensor read, a fork). Ask with `kill -USR1 <pid of bench-job>` or, in a
container, where the job is the first process, `docker kill -s USR1 <container>`. The job passes the
signal on to the worker it is waiting for, which dumps its own threads.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys

SIGNAL = signal.SIGUSR1
_worker_pids: set = set()


def install_in_job() -> None:
    # The Python handler first, so that faulthandler (chain=True) dumps and then hands the signal to it.
    signal.signal(SIGNAL, _pass_to_workers)
    faulthandler.register(SIGNAL, file=sys.stderr, all_threads=True, chain=True)


def install_in_worker() -> None:
    faulthandler.register(SIGNAL, file=sys.stderr, all_threads=True)


def worker_started(pid: int) -> None:
    _worker_pids.add(pid)


def worker_ended(pid: int) -> None:
    _worker_pids.discard(pid)


def _pass_to_workers(_signum, _frame) -> None:
    for pid in list(_worker_pids):
        try:
            os.kill(pid, SIGNAL)
        except ProcessLookupError:  # ended between its last message and this signal
            _worker_pids.discard(pid)
