"""Offline: every sample in one query, the SUT free to batch them (a folder of photos). MLPerf publishes samples per
second; the SUT runs the query in batches of loadgen.max_batch_size."""

from __future__ import annotations

from bench_job.scenarios.base import Scenario

# LoadGen issues offline_expected_qps x min_duration x 1.1 samples (loadgen.cc): an estimate a little under the
# warm batch throughput keeps the test near its minimum duration without falling short of it
EXPECTED_SHARE = 0.9


class Offline(Scenario):
    name = "offline"
    loadgen_name = "Offline"
    headline = "samples/s"

    def sut_batch(self, section) -> int:
        return section.max_batch_size

    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        settings.offline_expected_qps = max(1.0, EXPECTED_SHARE * batch / batch_latency_s)

    def figure(self, row) -> str:
        rate = row.get("loadgen_samples_per_s")
        return "-" if rate is None or rate != rate else f"{rate:.4g} samples/s"

    def row_fields(self, detail: dict) -> dict:
        return dict(super().row_fields(detail), loadgen_samples_per_s=detail.get("result_samples_per_second"))
