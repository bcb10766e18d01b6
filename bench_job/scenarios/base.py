"""The interface of an MLPerf scenario run through LoadGen: one module per scenario (single_stream, multi_stream,
offline, server), each saying how LoadGen is set up for it and which of the log's figures make its row.

A scenario does not time anything itself: LoadGen issues the queries and measures them (bench_job/scenarios/
harness.py runs one LoadGen test of the variant's deployed runtime). The sweep is not one of these: it is the job's
own timing in interleaved rounds (measure/rounds.py), and the sustained soak is measure/sustained.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from bench_job.scenarios import loadgen_log


def ms(seconds) -> str:
    """A latency to 3 significant figures, in ms below a second and in s from one ('1.6 s', never '1.6e+03 ms');
    '-' where there is none."""
    if seconds is None or seconds != seconds:
        return "-"
    return f"{seconds:.3g} s" if seconds >= 1 else f"{seconds * 1000:.3g} ms"


class Scenario(ABC):
    name: str  # the config's name: single-stream, multi-stream, offline, server
    loadgen_name: str  # LoadGen's TestScenario member: SingleStream, MultiStream, Offline, Server
    headline: str  # what MLPerf publishes for it, for the report's table header

    @abstractmethod
    def sut_batch(self, section) -> int:
        """The largest batch the system under test runs: the configuration's batch size in its row."""

    @abstractmethod
    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        """Set LoadGen's expected latency or QPS from the warm model's latency at the SUT's batch: LoadGen sizes
        its query count and schedule from it (MLPerf's user.conf does the same)."""

    @abstractmethod
    def figure(self, row) -> str:
        """The scenario's headline figure of a row (a record or a report frame's row), e.g. 'p90 1.08 ms'."""

    def row_fields(self, detail: dict) -> dict:
        """The row's figures from LoadGen's detail log; every scenario has its percentiles and QPS."""
        return {
            "loadgen_p50_s": loadgen_log.percentile_s(detail, 50),
            "loadgen_p90_s": loadgen_log.percentile_s(detail, 90),
            "loadgen_p99_s": loadgen_log.percentile_s(detail, 99),
            "loadgen_queries": detail.get("result_query_count"),
            "loadgen_qps_with_overhead": detail.get("result_qps_with_loadgen_overhead"),
            "loadgen_qps_without_overhead": detail.get("result_qps_without_loadgen_overhead"),
        }
