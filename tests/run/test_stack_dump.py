"""SIGUSR1 to a running job prints where every thread of the job is and, passed on by the supervisor,
where its worker is, and the run goes on: how a run that seems stuck shows where it is stuck."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from bench_job.run import messages, stack_dump
from tests.run.supervised_task import SupervisedTask

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def dozing_worker(conn, task):
    """A worker that says it is timing k0, sleeps in a function named for the dump to show, then records k0."""
    stack_dump.install_in_worker()
    conn.send(messages.Start("k0"))
    _dozing_until_the_dump_is_asked(conn)
    conn.send(messages.Record({"key": "k0", "status": "ok"}))


def _dozing_until_the_dump_is_asked(conn):
    conn.send(messages.Progress("dozing"))  # the job asks for the dump once it has read this
    time.sleep(3)


def task():
    return SupervisedTask(("p0",), {"p0": "k0"})


JOB = textwrap.dedent(
    """
    import os, signal
    from bench_job.run import stack_dump
    from bench_job.run.supervisor import Supervisor
    from tests.run.test_stack_dump import dozing_worker, task

    stack_dump.install_in_job()

    class Running:
        requested = False

    def on_progress(_text):
        os.kill(os.getpid(), signal.SIGUSR1)  # what `kill -USR1 <job>` does, once the worker is timing

    records = []
    supervisor = Supervisor(Running(), None, 600.0, 600.0, target=dozing_worker)
    recorded, end = supervisor.run(task(), records.append, on_progress)
    print("recorded", sorted(recorded), end, records)
    """
)


def test_sigusr1_dumps_the_job_and_its_worker_and_the_run_goes_on():
    proc = subprocess.run(
        [sys.executable, "-c", JOB], cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "recorded ['p0'] None [{'key': 'k0', 'status': 'ok'}]", proc.stdout
    # The job's own threads, caught in the handler's caller, then the worker's, caught asleep.
    assert "in on_progress" in proc.stderr, proc.stderr
    assert "in _dozing_until_the_dump_is_asked" in proc.stderr, proc.stderr
    assert proc.stderr.count("most recent call first") >= 2, proc.stderr


def test_a_worker_that_has_ended_is_not_signalled():
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    stack_dump.worker_started(finished.pid)
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        stack_dump._pass_to_workers(signal.SIGUSR1, None)  # no ProcessLookupError: the pid is forgotten
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert finished.pid not in stack_dump._worker_pids
