"""A function run in a spawned child process, with a bound on how long the job waits for it.

collect_env and the matmul peak import torch: in a child, the job itself stays small. A child that never
answers (an import hung, a deadlock under emulation) would hold the job for ever: past the bound it is
killed and the job stops with one line saying which step hung.
"""

from __future__ import annotations

import multiprocessing
import traceback

from bench_job.errors import UserError

# Importing torch and measuring take seconds, a minute or two on a small board or under emulation: a child
# still silent after half an hour is stuck.
TIMEOUT_S = 1800.0
EXIT_GRACE_S = 5.0


class RemoteTraceback(Exception):
    """The child's traceback, chained under the exception it raised (as concurrent.futures does)."""

    def __str__(self) -> str:
        return self.args[0]


def _answer(conn, fn, args) -> None:
    try:
        answer = (True, fn(*args), None)
    except BaseException as exc:  # noqa: BLE001 (handed to the caller, who raises it)
        answer = (False, exc, traceback.format_exc())
    conn.send(answer)


def run_isolated(fn, *args, what: str, timeout_s: float = TIMEOUT_S):
    """fn(*args) in a spawned child: its result, or the exception it raised. what: the step, for the error
    of a child that did not answer within timeout_s."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_answer, args=(sender, fn, args), name=f"bench-{fn.__name__}", daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise UserError(
                f"{what} did not finish within {timeout_s:g} s: its process (pid {process.pid}) is stuck; "
                "run `bench-job probe` to check the machine, and send SIGUSR1 to a stuck run to see where it is"
            )
        ok, value, remote = receiver.recv()
    except EOFError:
        process.join(EXIT_GRACE_S)
        raise RuntimeError(f"{what}: its process died (exit code {process.exitcode})") from None
    finally:
        process.join(EXIT_GRACE_S)
        if process.is_alive():
            process.kill()
            process.join()
    if not ok:
        raise value from RemoteTraceback(remote)
    return value
