"""A function in a child process: its answer, its exception, or, when it hangs, one line and the child gone."""

from __future__ import annotations

import os
import time

import pytest

from bench_job.errors import UserError
from bench_job.run.isolated import RemoteTraceback, run_isolated


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
