"""A function run in a spawned child process, with a bound on how long the job waits for it.

collect_env and the matmul peak import torch: in a child, the job itself stays small. A child that never
answers (an import hung, a deadlock under emulation) would hold the job for ever: past the bound it is
killed and the job stops with one line saying which step hung.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import traceback
from typing import Callable

from bench_job.errors import RemoteTraceback, UserError

log = logging.getLogger("bench_job")

# Importing torch and measuring take seconds, a minute or two on a small board or under emulation: a child
# still silent after half an hour is stuck.
TIMEOUT_S = 1800.0
EXIT_GRACE_S = 5.0
STARTED = "started"  # the child's first message: it runs Python
# A child's first message comes once Python has started and unpickled its task: seconds on a Pi. One silent this
# long never reached Python: under qemu's user-mode emulation (the arm64 images tested on x86) a fork from the
# multi-threaded job now and then leaves the child stuck before its exec, with no CPU time, for ever (seen in
# make test-docker: the forked child still had the job's command line, its two threads in futex waits). It is
# killed and started again, START_ATTEMPTS times in all. The supervisor's workers follow the same rule.
START_TIMEOUT_S = 180.0
START_ATTEMPTS = 2
POLL_S = 0.05  # how often a child's silence is checked


def start_child(
    target, args: tuple, name: str, who: str, start_timeout_s: float, poll_s: float, stopping: Callable[[], bool]
):
    """target(sender, *args) in a spawned child: (process, receiver) of the first start that says something,
    dies (its end is told from its exit code) or meets stopping() within start_timeout_s, START_ATTEMPTS
    starts at most; None when every one stayed silent (each killed). who: the child, for the warning."""
    for attempt in range(START_ATTEMPTS):
        ctx = multiprocessing.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        process = ctx.Process(target=target, args=(sender, *args), name=name, daemon=True)
        process.start()
        sender.close()
        deadline = time.monotonic() + start_timeout_s
        while time.monotonic() < deadline:
            if stopping() or receiver.poll(poll_s) or not process.is_alive():
                return process, receiver
        process.kill()
        process.join()
        log.warning(
            "%s (pid %d) said nothing in %g s after its start: its process never reached Python (a fork stuck "
            "before its exec, seen under emulation); killed%s",
            who,
            process.pid,
            start_timeout_s,
            ", started again" if attempt + 1 < START_ATTEMPTS else "",
        )
    return None


def _answer(conn, fn, args) -> None:
    conn.send(STARTED)
    try:
        answer = (True, fn(*args), None)
    except BaseException as exc:  # noqa: BLE001 (handed to the caller, who raises it)
        answer = (False, exc, traceback.format_exc())
    conn.send(answer)


def run_isolated(fn, *args, what: str, timeout_s: float = TIMEOUT_S, start_timeout_s: float = START_TIMEOUT_S):
    """fn(*args) in a spawned child: its result, or the exception it raised. what: the step, for the error
    of a child that did not answer within timeout_s. A child silent start_timeout_s after its start never
    reached Python (START_TIMEOUT_S says why): it is killed and started again, once."""
    started = start_child(
        _answer, (fn, args), f"bench-{fn.__name__}", f"{what}: its process", start_timeout_s, POLL_S, lambda: False
    )
    if started is None:
        raise UserError(f"{what}: its process did not start ({START_ATTEMPTS} tries, {start_timeout_s:g} s each)")
    process, receiver = started
    try:
        receiver.recv()  # STARTED
        if not receiver.poll(timeout_s):
            raise UserError(
                f"{what} did not finish within {timeout_s:g} s: its process (pid {process.pid}) is stuck; run "
                "`bench-job probe` to check the machine, and send SIGUSR1 to a stuck run to see where it is"
            )
        ok, value, remote = receiver.recv()
        process.join(EXIT_GRACE_S)  # it has answered: it ends by itself
    except EOFError:
        process.join(EXIT_GRACE_S)
        raise RuntimeError(f"{what}: its process died (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise value from RemoteTraceback(remote)
    return value
