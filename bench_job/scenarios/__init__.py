"""The scenarios a run measures (config `scenarios`, `--scenario`): the sweep (the job's own timing in interleaved
rounds) and MLPerf's four through LoadGen, one module each behind scenarios/base.py's interface. The sustained soak
(measure/sustained.py, config `sustained`) is a scenario of its own beside them, asked for per model."""

from __future__ import annotations

from bench_job.scenarios.multi_stream import MultiStream
from bench_job.scenarios.offline import Offline
from bench_job.scenarios.server import Server
from bench_job.scenarios.single_stream import SingleStream

SWEEP = "sweep"
LOADGEN_SCENARIOS = {s.name: s for s in (SingleStream(), MultiStream(), Offline(), Server())}
SCENARIO_NAMES = (SWEEP,) + tuple(LOADGEN_SCENARIOS)
RULES = ("quick", "mlperf")


def describe_row(row) -> str:
    """One line of an MLPerf scenario's row: LoadGen's verdict, the scenario's figure, and whether it is compliant."""
    figure = LOADGEN_SCENARIOS[row["scenario"]].figure(row)
    compliant = "MLPerf rules" if row.get("mlperf_compliant") else "quick rules, not MLPerf-compliant"
    return f"LoadGen {row['scenario']} {row.get('loadgen_result')}: {figure} ({compliant})"
