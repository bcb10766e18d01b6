"""The run report's MLPerf scenarios (LoadGen) section on rows made from real LoadGen logs (tests/report/
loadgen_records.py): the four scenarios' figures as MLPerf publishes them, LoadGen's verdict with the requirement it
found unmet, quick rows never called compliant, a server search with no QPS that held, SingleStream's p50 beside the
sweep's median, the verdict's lines, and bundles without LoadGen rows (old schemas among them) reporting as before."""

from __future__ import annotations

import pandas as pd
import pytest

from bench_job.bundle.records import VERSION_8_COLUMNS, to_frame
from bench_job.report.render import markdown
from bench_job.report.render.document import Bullets, Table
from bench_job.report.render.frame import loadgen_rows, prepare, sweep_rows
from bench_job.report.run_report import build_report
from bench_job.report.sections.context import Context
from bench_job.report.sections.mlperf import (
    HEADERS,
    checks_cell,
    compliance,
    mlperf_section,
    mlperf_verdicts,
    short_reasons,
)
from tests.report.loadgen_records import CONTENDED, failed_loadgen_record, loadgen_record
from tests.report.synthetic import CONFIG, ENV, measured

SWEEP = [measured("resnet18", 1, 224, 0.002, sweeps="batch+input"), measured("resnet18", 2, 224, 0.0037)]
DERIVED = "derived: server.latency_bound_ms not set, so 5 x the warm batch-1 latency (2.1 ms)"
SEARCH = "5.2 QPS: bound missed, p99 31 ms, INVALID; 2.6 QPS: bound missed, p99 29 ms, INVALID"


def four_scenarios(rules: str = "quick") -> list:
    return [
        loadgen_record("single-stream", rules=rules),
        loadgen_record(
            "multi-stream",
            rules=rules,
            valid=False,
            invalid_reasons=f"LoadGen judged the run INVALID (early stopping NOT met); {CONTENDED}",
        ),
        loadgen_record("offline", rules=rules, energy_per_sample_j=0.0412, avg_power_w=19.5),
        loadgen_record(
            "server",
            rules=rules,
            server_target_qps=None,
            server_latency_bound_s=0.0105,
            server_latency_bound_source=DERIVED,
            server_search=SEARCH,
        ),
    ]


def report(tmp_path, records: list, name: str = "out"):
    blocks = build_report(to_frame(records), CONFIG, ENV, str(tmp_path / name))
    return blocks, markdown.render(blocks)


def section_of(records: list):
    """The section alone (no plots drawn): its blocks and its text, the rows set apart as build_report sets them."""
    frame = prepare(to_frame(records))
    ctx = Context(CONFIG, ENV, "unused", loadgen=loadgen_rows(frame))
    blocks = mlperf_section(sweep_rows(frame), ctx)
    return blocks, markdown.render(blocks)


def sections(text: str) -> dict:
    """heading -> text of each level-2 section of a rendered report."""
    return {part.split("\n", 1)[0]: part for part in text.split("\n## ")[1:]}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The report of a quick run of the four scenarios beside the sweep, made once for the tests that read it."""
    return report(tmp_path_factory.mktemp("mlperf"), SWEEP + four_scenarios())


def test_the_section_tables_the_four_scenarios_as_mlperf_publishes_them(quick):
    blocks, text = quick
    table = next(b for b in blocks if isinstance(b, Table) and b.headers == HEADERS)
    assert "### resnet18 [fp32, eager]: input 224 px, cpu, 2 thread(s)" in text
    not_compliant = "not MLPerf-compliant: quick rules (min duration 2 s, min queries 100, 64 performance samples)"
    assert table.rows == [
        [
            "SingleStream",
            "p90 2.14 ms (early-stopping estimate 2.15 ms)",
            "p50 2.11 ms, p90 2.14 ms, p99 2.25 ms; p99 early-stopping estimate 4.45 ms",
            "469.2 (470.5)",
            "",
            "VALID",
            "passed",
            not_compliant,
            "`loadgen/resnet18_fp32_cpu_b1_s224_single-stream`",
        ],
        [
            "MultiStream",
            "p99 18.1 ms per 8-sample query",
            "p50 16.95 ms, p90 17.17 ms, p99 18.08 ms per query",
            "",
            "",
            "INVALID: early stopping NOT met (119 queries processed, at least 662 needed)",
            CONTENDED,
            not_compliant,
            "`loadgen/resnet18_fp32_cpu_b8_s224_multi-stream`",
        ],
        [
            "Offline",
            "472.9 samples/s",
            "1100 samples in one query",
            "",
            "0.0412 at 19.5 W",
            "VALID",
            "passed",
            not_compliant,
            "`loadgen/resnet18_fp32_cpu_b8_s224_offline`",
        ],
        [
            "Server",
            "no target QPS held within p99 10.5 ms",
            f"p50 2.37 ms, p90 4.63 ms, p99 6.72 ms; bound p99 10.50 ms ({DERIVED})",
            "",
            "",
            "INVALID: early stopping NOT met (392 queries processed, at least 67 more needed)",
            "passed",
            not_compliant,
            "`loadgen/resnet18_fp32_cpu_b8_s224_server`",
        ],
    ]
    search = next(b for b in blocks if isinstance(b, Bullets) and "Server search" in b.items[0])
    assert search.items == [f"Server search: {SEARCH}"]


def test_quick_rules_are_said_and_never_called_compliant(quick, tmp_path):
    _, text = quick
    section = sections(text)["MLPerf scenarios (LoadGen)"]
    assert "indicative only, not comparable with published MLPerf results" in section
    assert "MLPerf rules" not in section
    # even a quick row that claims compliance (a hand-edited or faulty record) is not called compliant
    _, claimed = section_of([loadgen_record("single-stream", mlperf_compliant=True)])
    assert "MLPerf rules" not in claimed and "not MLPerf-compliant: quick rules" in claimed


def test_mlperf_rules_are_called_so():
    _, section = section_of(four_scenarios("mlperf"))
    assert "ran LoadGen's own minimums (600 s and its query counts)" in section
    assert "not MLPerf-compliant" not in section and "not comparable with published MLPerf results" not in section
    assert section.count("MLPerf rules (LoadGen's own minimums)") == 4


def test_single_stream_p50_is_set_beside_the_sweeps_median(quick):
    blocks, _ = quick
    paired = next(b for b in blocks if isinstance(b, Table) and "LoadGen / sweep" in b.headers)
    # LoadGen's p50 2.112 ms over the sweep's median 2.000 ms at batch 1, 224 px
    assert paired.rows == [["resnet18 [fp32, eager]", "batch 1, 224 px, cpu, 2 thread(s)", "2.11", "2.00", "1.06x"]]


def test_no_sweep_row_of_the_configuration_means_no_pairing():
    other_threads = [measured("resnet18", 1, 224, 0.002, threads=1)]
    blocks, _ = section_of(other_threads + four_scenarios())
    assert not any(isinstance(b, Table) and "LoadGen / sweep" in b.headers for b in blocks)


def test_energy_missing_says_why(quick):
    _, text = section_of([loadgen_record("single-stream")])
    assert "No energy per sample: no power source (why, source by source: see Energy)." in text
    _, with_energy = quick
    assert "No energy per sample" not in with_energy  # the offline row has it


def test_the_verdict_names_invalid_tests_and_tests_that_did_not_run(quick):
    _, text = quick
    verdict = text.split("\n## ")[0]
    assert (
        "**2 of 4 LoadGen tests not VALID**: resnet18 [fp32] multi-stream: INVALID: early stopping NOT met" in verdict
    )
    records = four_scenarios() + [failed_loadgen_record("single-stream", model="squeezenet1_1")]
    lines = mlperf_verdicts(loadgen_rows(prepare(to_frame(records))))
    assert lines[-1] == (
        "1 MLPerf scenario test(s) did not run",
        "squeezenet1_1 [fp32] single-stream: error: LoadGen is not installed",
    )
    _, section = section_of(records)
    assert "| SingleStream | error: LoadGen is not installed |" in section


def test_loadgen_rows_leave_the_sweep_sections_as_they_were(quick, tmp_path):
    _, text = quick
    _, plain = report(tmp_path, SWEEP, "plain")
    with_rows, without = sections(text), sections(plain)
    assert set(with_rows) - set(without) == {"MLPerf scenarios (LoadGen)"}
    assert {h: t for h, t in with_rows.items() if h != "MLPerf scenarios (LoadGen)"} == without
    # where Runtimes would be (no runtime rows here: right after FLOPs), before Sustained performance and Accuracy
    order = list(with_rows)
    assert order[order.index("FLOPs and achieved throughput") + 1] == "MLPerf scenarios (LoadGen)"
    assert order.index("MLPerf scenarios (LoadGen)") + 1 == order.index("Accuracy vs efficiency")


def test_old_bundles_have_no_section(tmp_path):
    # schema 6: no scenario column filled; schema 7: the columns of schema 8 absent from its CSV altogether
    old = prepare(to_frame([measured("resnet18", 1, 224, 0.002, scenario=None)]))
    assert loadgen_rows(old).empty and len(sweep_rows(old)) == 1
    seven = to_frame(SWEEP).drop(columns=list(VERSION_8_COLUMNS))
    assert "MLPerf scenarios" not in report_of(seven, tmp_path / "seven")


def report_of(frame: pd.DataFrame, out) -> str:
    return markdown.render(build_report(frame, CONFIG, ENV, str(out)))


def test_short_reasons_keep_what_was_not_met():
    assert short_reasons("min duration met; early stopping NOT met; early stopping: odd text") == (
        "early stopping NOT met (odd text)"
    )
    assert short_reasons("min duration met; min queries NOT met; early stopping met") == "min queries NOT met"
    assert short_reasons("min duration met; early stopping met; SUT name mismatch") == "SUT name mismatch"
    assert short_reasons("min duration met") == "min duration met"  # names nothing unmet: the whole line
    assert compliance({"scenario_rules": None, "mlperf_compliant": None}) == "not MLPerf-compliant: unrecorded rules"
    # a row invalid for LoadGen's verdict alone passed the job's own checks
    assert checks_cell({"valid": False, "invalid_reasons": "LoadGen judged the run INVALID (min queries NOT met)"}) == (
        "passed"
    )
    assert checks_cell({"valid": None}) == ""
