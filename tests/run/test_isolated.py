"""A function in a child process: its answer, its exception, or, when it hangs, one line and the child gone."""

from __future__ import annotations

import os
import time

import pytest

from bench_job.errors import RemoteTraceback, UserError
from bench_job.run.isolated import run_isolated


def add(a, b):
    return a + b


def refuse(name):
    raise UserError(f"no sensor named {name}")


def hang():
    while True:
        time.sleep(0.01)


def test_the_childs_answer_comes_back():
    assert run_isolated(add, 2, 3, what="adding") == 5


def test_the_childs_exception_is_raised_with_its_traceback():
    with pytest.raises(UserError, match="no sensor named ina3221") as raised:
        run_isolated(refuse, "ina3221", what="reading")
    assert isinstance(raised.value.__cause__, RemoteTraceback)
    assert "in refuse" in str(raised.value.__cause__)


def test_a_child_that_never_answers_is_killed_and_named_in_one_line():
    started = time.monotonic()
    with pytest.raises(UserError) as raised:
        run_isolated(hang, what="measuring the matmul peak", timeout_s=2.0)
    message = str(raised.value)
    assert message.startswith("measuring the matmul peak did not finish within 2 s: its process (pid ")
    pid = int(message.split("(pid ")[1].split(")")[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    assert time.monotonic() - started < 60


def answer_unless_flagged(conn, fn, args):
    """_answer, but the first time (its flag file absent) silent before anything: a child stuck before Python
    runs its function, as a fork stuck before its exec under emulation."""
    from bench_job.run import isolated

    if not os.path.exists(args[0]):
        open(args[0], "w").close()
        hang()
    isolated._answer(conn, fn, args)


def answered(flag):
    return "answered"


def test_a_child_silent_after_its_start_is_started_again(tmp_path, monkeypatch):
    from bench_job.run import isolated

    monkeypatch.setattr(isolated, "_answer", answer_unless_flagged)
    flag = str(tmp_path / "started-once")
    assert run_isolated(answered, flag, what="reading", start_timeout_s=3.0) == "answered"
    assert os.path.exists(flag)  # the first start was the silent one


def test_a_child_silent_after_every_start_is_one_line(tmp_path, monkeypatch):
    from bench_job.run import isolated

    monkeypatch.setattr(isolated, "_answer", answer_unless_flagged)
    monkeypatch.setattr(isolated, "START_ATTEMPTS", 1)
    with pytest.raises(UserError, match=r"^reading: its process did not start \(1 tries, 2 s each\)$"):
        run_isolated(answered, str(tmp_path / "never"), what="reading", start_timeout_s=2.0)
