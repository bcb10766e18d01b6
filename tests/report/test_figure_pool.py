"""report/render/figure_pool.py: figures drawn in forked children come back in the tasks' order, started
before the parent asks for them; a figure's own error is raised as a serial drawing raises it; what the
children do not return (a child killed, children silent past the quiet timeout) is drawn by the parent;
leaving the block stops the children; one figure or one usable CPU draws in the parent alone."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time

import pytest

from bench_job.errors import RemoteTraceback
from bench_job.report.render import figure_pool

PARENT = os.getpid()

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool forks on Linux only")


def figure_pool_draw(tasks, workers=None):
    with figure_pool.Drawing(tasks, workers) as drawing:
        return drawing.results()


def where(tag):
    return tag, os.getpid()


def fails(tag):
    raise ValueError(f"figure {tag} has no data")


def dies_in_a_child(tag):
    if os.getpid() != PARENT:
        os._exit(1)  # as the kernel's OOM killer ends a child: no exception, no result
    return tag, os.getpid()


def test_children_draw_and_the_results_keep_the_tasks_order():
    results = figure_pool_draw([(where, (tag,)) for tag in "abcde"], workers=2)
    assert [tag for tag, _ in results] == list("abcde")
    assert PARENT not in {pid for _, pid in results}


def test_a_figures_own_error_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="figure b has no data") as raised:
        figure_pool_draw([(where, ("a",)), (fails, ("b",)), (where, ("c",))], workers=2)
    cause = raised.value.__cause__
    assert isinstance(cause, RemoteTraceback) and ", in fails\n" in str(cause)
    assert not multiprocessing.active_children()


def test_a_figure_whose_child_died_is_drawn_by_the_parent(caplog):
    with caplog.at_level(logging.WARNING):
        results = figure_pool_draw([(where, ("a",)), (dies_in_a_child, ("b",)), (where, ("c",))], workers=2)
    assert [tag for tag, _ in results] == ["a", "b", "c"]
    assert results[1][1] == PARENT and results[0][1] != PARENT
    assert "1 figure(s) not drawn by the worker processes (they ended first; exit codes " in caplog.text


def sleeps(tag):
    if os.getpid() != PARENT:
        time.sleep(60)  # as a fork stuck under emulation: alive, silent
    return tag, os.getpid()


def test_children_silent_past_the_quiet_timeout_are_killed_and_the_parent_draws_the_rest(monkeypatch, caplog):
    monkeypatch.setattr(figure_pool, "QUIET_TIMEOUT_S", 1.0)
    with caplog.at_level(logging.WARNING):
        results = figure_pool_draw([(sleeps, ("a",)), (sleeps, ("b",))], workers=2)
    assert results == [("a", PARENT), ("b", PARENT)]
    assert "2 figure(s) not drawn by the worker processes (none came back in 1 s; exit codes -9, -9)" in caplog.text
    assert not multiprocessing.active_children()


def test_no_process_to_be_had_draws_in_the_parent(monkeypatch, caplog):
    started = []

    def start(process):
        if started:
            raise OSError(11, "Resource temporarily unavailable")
        started.append(process)
        original(process)

    original = multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    with caplog.at_level(logging.WARNING):
        results = figure_pool_draw([(where, ("a",)), (where, ("b",))], workers=2)
    assert [tag for tag, _ in results] == ["a", "b"] and {pid for _, pid in results} == {PARENT}
    assert "cannot start a process to draw figures ([Errno 11] Resource temporarily unavailable)" in caplog.text
    assert not multiprocessing.active_children()


def test_one_figure_or_one_usable_cpu_draws_in_the_parent(monkeypatch):
    assert figure_pool.workers_for(1) == 0
    monkeypatch.setattr(figure_pool, "usable_cpus", lambda: 1)
    assert figure_pool.workers_for(6) == 0
    assert figure_pool_draw([(where, ("a",)), (where, ("b",))]) == [("a", PARENT), ("b", PARENT)]
    monkeypatch.setattr(figure_pool, "usable_cpus", lambda: 4)
    assert figure_pool.workers_for(6) == 4 and figure_pool.workers_for(3) == 3


def touches(path):
    open(path, "w").close()
    return path


def test_the_children_draw_while_the_parent_works_and_stop_when_it_leaves(tmp_path):
    paths = [str(tmp_path / f"figure-{i}") for i in range(3)]
    with pytest.raises(KeyboardInterrupt):
        with figure_pool.Drawing([(touches, (path,)) for path in paths], workers=2):
            for _ in range(600):  # the parent's own work; results() is never called
                if all(os.path.exists(path) for path in paths):
                    break
                time.sleep(0.05)
            assert all(os.path.exists(path) for path in paths)
            raise KeyboardInterrupt  # the user stops the compare
    assert not multiprocessing.active_children()
