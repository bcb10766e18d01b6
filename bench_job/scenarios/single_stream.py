"""SingleStream: one sample per query, the next issued when the last completes (a camera feeding one frame at a
time). MLPerf publishes its 90th-percentile latency and LoadGen's early-stopping estimate of it."""

from __future__ import annotations

from bench_job.scenarios import loadgen_log
from bench_job.scenarios.base import Scenario, ms


class SingleStream(Scenario):
    name = "single-stream"
    loadgen_name = "SingleStream"
    headline = "p90 latency (early-stopping estimate)"

    def sut_batch(self, section) -> int:
        return 1

    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        settings.single_stream_expected_latency_ns = max(1, int(batch_latency_s * 1e9))

    def figure(self, row) -> str:
        return f"p90 {ms(row.get('loadgen_p90_s'))} (early-stopping estimate {ms(row.get('loadgen_early_stop_p90_s'))})"

    def row_fields(self, detail: dict) -> dict:
        return dict(
            super().row_fields(detail),
            loadgen_early_stop_p90_s=loadgen_log.seconds(detail, "early_stopping_latency_ss"),
            loadgen_early_stop_p99_s=loadgen_log.seconds(detail, "early_stopping_latency_ms"),
        )
