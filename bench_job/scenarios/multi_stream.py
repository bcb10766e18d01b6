"""MultiStream: queries of 8 samples (MLPerf's fixed samples_per_query), the next issued when the last completes (eight
cameras read together). MLPerf publishes the 99th-percentile latency of a query, its slowest sample's; the SUT runs
the eight as one batch."""

from __future__ import annotations

from bench_job.scenarios import loadgen_log
from bench_job.scenarios.base import Scenario, ms

SAMPLES_PER_QUERY = 8  # mlperf.conf: *.MultiStream.samples_per_query = 8


class MultiStream(Scenario):
    name = "multi-stream"
    loadgen_name = "MultiStream"
    headline = "p99 latency of an 8-sample query"

    def sut_batch(self, section) -> int:
        return SAMPLES_PER_QUERY

    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        settings.multi_stream_expected_latency_ns = max(1, int(batch_latency_s * 1e9))

    def figure(self, row) -> str:
        return f"p99 {ms(row.get('loadgen_p99_s'))} per 8-sample query"

    def row_fields(self, detail: dict) -> dict:
        # a query's latency is its slowest sample's: the per-query percentiles are MultiStream's figures
        return dict(
            super().row_fields(detail),
            loadgen_p50_s=loadgen_log.percentile_s(detail, 50, per_query=True),
            loadgen_p90_s=loadgen_log.percentile_s(detail, 90, per_query=True),
            loadgen_p99_s=loadgen_log.percentile_s(detail, 99, per_query=True),
            loadgen_early_stop_p99_s=loadgen_log.seconds(detail, "early_stopping_latency_ms"),
        )
