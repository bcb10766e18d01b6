"""Offline: every sample in one query, the SUT free to batch them (a folder of photos). MLPerf publishes samples per
second; the SUT runs the query in batches of loadgen.max_batch_size."""

from __future__ import annotations

from bench_job.scenarios.base import Scenario

# LoadGen issues about offline_expected_qps x min_duration x 1.1 samples in its one query (loadgen.cc): a SUT faster
# than expected ends before the minimum duration and the test is INVALID. Expecting half again the warm batch
# throughput leaves room for a test that runs faster than the warm-up did, at the cost of a test up to 1.65x longer.
EXPECTED_MARGIN = 1.5


class Offline(Scenario):
    name = "offline"
    loadgen_name = "Offline"
    headline = "samples/s"

    def sut_batch(self, section) -> int:
        return section.max_batch_size

    def expect(self, settings, batch_latency_s: float, batch: int) -> None:
        settings.offline_expected_qps = max(1.0, EXPECTED_MARGIN * batch / batch_latency_s)

    def figure(self, row) -> str:
        rate = row.get("loadgen_samples_per_s")
        return "-" if rate is None or rate != rate else f"{rate:.4g} samples/s"

    def row_fields(self, detail: dict) -> dict:
        return dict(super().row_fields(detail), loadgen_samples_per_s=detail.get("result_samples_per_second"))
