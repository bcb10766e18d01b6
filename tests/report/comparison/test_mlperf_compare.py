"""compare's MLPerf scenarios (LoadGen) view: one table per scenario with a column per device, each cell the figure
MLPerf publishes with LoadGen's verdict, quick rows never called compliant, every row in mlperf.csv; and nothing of it
where no device ran an MLPerf scenario. Rows are made from real LoadGen logs (tests/report/loadgen_records.py)."""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import to_frame
from bench_job.report.comparison.mlperf import CSV_COLUMNS, CSV_NAME, mlperf_comparison
from bench_job.report.render import markdown
from bench_job.report.render.document import Heading, Table
from bench_job.report.render.frame import loadgen_rows, prepare
from tests.report.loadgen_records import CONTENDED, failed_loadgen_record, loadgen_record


def device_rows(device: str, records: list) -> pd.DataFrame:
    return prepare(to_frame(records)).copy().assign(device=device)  # copy: one block, not a fragmented frame


def merged() -> pd.DataFrame:
    """A laptop that ran all four scenarios under MLPerf's rules, a Pi that ran two under quick rules (one disturbed by
    other processes, one failed)."""
    laptop = [
        loadgen_record("single-stream", rules="mlperf"),
        loadgen_record("multi-stream", rules="mlperf"),
        loadgen_record("offline", rules="mlperf", energy_per_sample_j=0.0412),
        loadgen_record(
            "server", rules="mlperf", server_target_qps=97.25, server_latency_bound_s=0.015, server_search="..."
        ),
    ]
    pi = [
        loadgen_record(
            "single-stream",
            loadgen_p90_s=0.0412,
            loadgen_early_stop_p90_s=0.0433,
            valid=False,
            invalid_reasons=CONTENDED,
        ),
        failed_loadgen_record("offline", reason="worker ran out of memory"),
    ]
    return pd.concat([device_rows("laptop", laptop), device_rows("pi5", pi)], ignore_index=True)


def test_each_scenario_is_a_table_with_a_column_per_device(tmp_path):
    blocks = mlperf_comparison(loadgen_rows(merged()), {"laptop": {}, "pi5": {}}, str(tmp_path))
    tables = {
        heading.text: table
        for heading, table in zip(blocks, blocks[1:])
        if isinstance(heading, Heading) and isinstance(table, Table)
    }
    assert list(tables) == [
        "SingleStream: p90 latency (early-stopping estimate)",
        "MultiStream: p99 latency of an 8-sample query",
        "Offline: samples/s",
        "Server: QPS at the latency bound",
    ]
    assert all(t.headers == ["model", "laptop", "pi5"] for t in tables.values())
    assert tables["SingleStream: p90 latency (early-stopping estimate)"].rows == [
        [
            "resnet18 [fp32, eager]",
            "p90 2.14 ms (early-stopping estimate 2.15 ms), VALID",
            "p90 41.2 ms (early-stopping estimate 43.3 ms), VALID (!)",
        ]
    ]
    assert (
        tables["MultiStream: p99 latency of an 8-sample query"]
        .rows[0][1]
        .startswith("p99 18.1 ms per 8-sample query, INVALID: early stopping NOT met")
    )
    assert tables["Offline: samples/s"].rows == [
        ["resnet18 [fp32, eager]", "472.9 samples/s, VALID, 0.0412 J/sample", "error: worker ran out of memory"]
    ]
    assert tables["Server: QPS at the latency bound"].rows[0][1:] == [
        "97.25 QPS within p99 15 ms, INVALID: early stopping NOT met (392 queries processed, at least 67 more needed)",
        "",
    ]


def test_quick_rows_are_never_called_compliant_and_the_csv_holds_every_row(tmp_path):
    blocks = mlperf_comparison(loadgen_rows(merged()), {"laptop": {}, "pi5": {}}, str(tmp_path))
    text = markdown.render(blocks)
    assert "Rules: laptop: MLPerf rules; pi5: not MLPerf-compliant (quick rules)." in text
    assert "indicative only and not comparable with published MLPerf results" in text
    assert "(!) marks a test the job's checks flagged" in text
    written = pd.read_csv(tmp_path / CSV_NAME)
    assert list(written.columns) == CSV_COLUMNS
    assert len(written) == 6
    pi = written[written["device"] == "pi5"].set_index("scenario")
    assert pi.loc["single-stream", "scenario_rules"] == "quick" and not pi.loc["single-stream", "mlperf_compliant"]
    assert pi.loc["offline", "status"] == "error"
    assert (tmp_path / CSV_NAME).read_text().splitlines()[1].split(",")[5:9] == ["cpu", "2", "8", "224"]


def test_a_quick_row_claiming_compliance_is_not_called_compliant(tmp_path):
    claimed = device_rows("pi5", [loadgen_record("single-stream", mlperf_compliant=True)])
    text = markdown.render(mlperf_comparison(loadgen_rows(claimed), {"pi5": {}}, str(tmp_path)))
    assert "pi5: not MLPerf-compliant (quick rules)" in text


def test_no_loadgen_rows_no_section_and_no_csv(tmp_path):
    sweep_only = merged().assign(scenario="sweep")
    assert mlperf_comparison(loadgen_rows(sweep_only), {"laptop": {}, "pi5": {}}, str(tmp_path)) == []
    assert not (tmp_path / CSV_NAME).exists()
