"""report/render/figure_pool.py: figures drawn in forked children come back in the tasks' order; a figure's
own error is raised as a serial drawing raises it; what the children do not return (a child killed) is drawn
by the parent after the quiet timeout; one figure or one usable CPU draws in the parent alone."""

from __future__ import annotations

import logging
import os
import sys

import pytest

from bench_job.report.render import figure_pool

PARENT = os.getpid()

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool forks on Linux only")


def where(tag):
    return tag, os.getpid()


def fails(tag):
    raise ValueError(f"figure {tag} has no data")


def dies_in_a_child(tag):
    if os.getpid() != PARENT:
        os._exit(1)  # as the kernel's OOM killer ends a child: no exception, no result
    return tag, os.getpid()


def test_children_draw_and_the_results_keep_the_tasks_order():
    results = figure_pool.draw([(where, (tag,)) for tag in "abcde"], workers=2)
    assert [tag for tag, _ in results] == list("abcde")
    assert PARENT not in {pid for _, pid in results}


def test_a_figures_own_error_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="figure b has no data"):
        figure_pool.draw([(where, ("a",)), (fails, ("b",)), (where, ("c",))], workers=2)


def test_a_figure_whose_child_died_is_drawn_by_the_parent_after_the_quiet_timeout(monkeypatch, caplog):
    monkeypatch.setattr(figure_pool, "QUIET_TIMEOUT_S", 2.0)
    with caplog.at_level(logging.WARNING):
        results = figure_pool.draw([(where, ("a",)), (dies_in_a_child, ("b",)), (where, ("c",))], workers=2)
    assert [tag for tag, _ in results] == ["a", "b", "c"]
    assert results[1][1] == PARENT and results[0][1] != PARENT
    assert "drawing the 1 left here instead" in caplog.text


def test_one_figure_or_one_usable_cpu_draws_in_the_parent(monkeypatch):
    assert figure_pool.workers_for(1) == 0
    monkeypatch.setattr(figure_pool, "usable_cpus", lambda: 1)
    assert figure_pool.workers_for(6) == 0
    assert figure_pool.draw([(where, ("a",)), (where, ("b",))]) == [("a", PARENT), ("b", PARENT)]
    monkeypatch.setattr(figure_pool, "usable_cpus", lambda: 4)
    assert figure_pool.workers_for(6) == 4 and figure_pool.workers_for(3) == 3
