"""Records of MLPerf scenario rows for report tests: each made from a real LoadGen 6.0 detail log
(tests/fixtures/loadgen/<scenario>.detail.txt, a real run of each scenario) through the scenario's own row_fields,
verdict and reasons, as the worker makes them (run/loadgen_rows.py), so a test states only the rules, the server's
bound and search, and what it is about."""

from __future__ import annotations

import os

from bench_job.bundle.records import make_record
from bench_job.scenarios import LOADGEN_SCENARIOS, loadgen_log

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "loadgen")
QUICK_SETTINGS = "rules quick, min duration 2 s, min queries 100, 64 performance samples"
CONTENDED = "other processes used 40% of the CPU during timing"  # the job's own check, as a sweep row's
MLPERF_SETTINGS = "rules mlperf, min duration 600 s, min queries 100, 64 performance samples"


def detail(scenario: str) -> dict:
    with open(os.path.join(FIXTURES, f"{scenario}.detail.txt")) as handle:
        return loadgen_log.read_detail(handle.read())


def loadgen_record(scenario: str, model: str = "resnet18", rules: str = "quick", **fields) -> dict:
    """An ok row of `scenario` for model [fp32, eager] at 224 px, its figures those of the fixture's log."""
    logged = detail(scenario)
    batch = 1 if scenario == "single-stream" else 8
    key = f"{model}|fp32|cpu|b{batch}|s224|{scenario}"
    values = dict(
        key=key,
        model=model,
        family="torchvision",
        variant="fp32",
        precision="fp32",
        runtime="eager",
        scenario=scenario,
        accelerator="cpu",
        threads=2,
        batch_size=batch,
        input_size=224,
        input_unit="px",
        sweeps="",
        weights="random",
        status="ok",
        valid=True,
        scenario_rules=rules,
        mlperf_compliant=rules == "mlperf",
        loadgen_settings=QUICK_SETTINGS if rules == "quick" else MLPERF_SETTINGS,
        loadgen_mode="performance",
        loadgen_result=loadgen_log.verdict(logged),
        loadgen_reasons=loadgen_log.reasons(logged),
        loadgen_log=f"loadgen/{key.replace('|', '_')}",
        loadgen_samples=logged["generated_samples_per_query"] * logged["result_query_count"],
        energy_reason="no power source: rapl: no readable zone",
    )
    values.update(LOADGEN_SCENARIOS[scenario].row_fields(logged))
    values.update(fields)
    return make_record(**values)


def failed_loadgen_record(scenario: str, model: str = "resnet18", reason: str = "LoadGen is not installed") -> dict:
    key = f"{model}|fp32|cpu|b1|s224|{scenario}"
    return make_record(
        key=key,
        model=model,
        family="torchvision",
        variant="fp32",
        precision="fp32",
        runtime="eager",
        scenario=scenario,
        accelerator="cpu",
        threads=2,
        batch_size=1,
        input_size=224,
        input_unit="px",
        sweeps="",
        status="error",
        reason=reason,
    )
