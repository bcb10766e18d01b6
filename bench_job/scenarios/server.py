"""Server: single-sample queries arriving as a Poisson process at a target QPS, each to be answered within a latency
bound at the 99th percentile (a service many clients call). MLPerf publishes the highest target QPS that stays VALID;
finding it takes several LoadGen tests, so this module holds the bounded search as well as the scenario's settings.

The search bisects between 0 and the warm model's throughput at the SUT's largest batch (no server answers faster
than its offline rate): server.search_steps tests, each a real LoadGen test at one target QPS. A step holds when
LoadGen finds the latency constraint met (result_perf_constraints_met: the p99 within the bound over the test's
queries); the row keeps the highest step that held, with LoadGen's own verdict on it (a short quick test can hold the
bound and still be INVALID for too few queries for early stopping, and the row says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench_job.scenarios import loadgen_log
from bench_job.scenarios.base import Scenario, ms

# With no server.latency_bound_ms, the bound is this many times the warm batch-1 latency: room for a query to wait
# behind one batch and run in the next, as MLPerf's bounds leave (ResNet-50's 15 ms Server bound is several times
# its single-sample latency on the systems submitted). Stated in every row that uses it.
DERIVED_BOUND_FACTOR = 5


@dataclass(frozen=True)
class Bound:
    seconds: float
    source: str  # how it was set, for the row


def latency_bound(section, batch1_latency_s: float) -> Bound:
    """server.latency_bound_ms when set, else DERIVED_BOUND_FACTOR x the warm batch-1 latency, saying so."""
    if section.server_latency_bound_ms is not None:
        return Bound(section.server_latency_bound_ms / 1000.0, "server.latency_bound_ms")
    seconds = DERIVED_BOUND_FACTOR * batch1_latency_s
    return Bound(
        seconds,
        f"derived: server.latency_bound_ms not set, so {DERIVED_BOUND_FACTOR} x the warm batch-1 latency "
        f"({ms(batch1_latency_s)})",
    )


@dataclass(frozen=True)
class Step:
    target_qps: float
    detail: dict  # the step's LoadGen detail log

    @property
    def held(self) -> bool:
        return bool(self.detail.get("result_perf_constraints_met"))

    def describe(self) -> str:
        p99 = loadgen_log.percentile_s(self.detail, 99)
        latency = f", p99 {ms(p99)}" if p99 is not None else ""
        verdict = loadgen_log.verdict(self.detail) or "no result"
        return f"{self.target_qps:.4g} QPS: bound {'held' if self.held else 'missed'}{latency}, {verdict}"


def search(run_at, ceiling_qps: float, steps: int, stop=lambda: False) -> list:
    """Bisect the target QPS in (0, ceiling_qps] over `steps` LoadGen tests (run_at(qps) -> the test's detail log);
    every Step, in order. stop() true ends the search after the step in progress (the run was asked to stop)."""
    low, high, done = 0.0, ceiling_qps, []
    for _ in range(steps):
        if done and stop():
            break
        qps = (low + high) / 2
        step = Step(qps, run_at(qps))
        done.append(step)
        if step.held:
            low = qps
        else:
            high = qps
    return done


def kept(steps: list):
    """The highest step that held the bound, or None."""
    held = [s for s in steps if s.held]
    return max(held, key=lambda s: s.target_qps) if held else None


class Server(Scenario):
    name = "server"
    loadgen_name = "Server"
    headline = "QPS at the latency bound"

    def sut_batch(self, section) -> int:
        return section.max_batch_size

    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        pass  # the target QPS is the search's, set per step (settings.server_target_qps)

    def figure(self, row) -> str:
        qps, bound = row.get("server_target_qps"), row.get("server_latency_bound_s")
        within = f" within p99 {ms(bound)}" if bound is not None and bound == bound else ""
        return ("no target QPS held" if qps is None or qps != qps else f"{qps:.4g} QPS") + within

    def row_fields(self, detail: dict) -> dict:
        return dict(super().row_fields(detail), loadgen_samples_per_s=detail.get("result_completed_samples_per_sec"))
