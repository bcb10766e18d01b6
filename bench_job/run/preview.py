"""What the run will do, said before it does it: the configurations per model and why, an estimated
duration, and the shortest --budget the plan can fit (a shorter one is refused before anything runs).

The figures are rules of thumb stated here, not measurements:
- per model variant, a worker is started (importing torch) and the model built: WORKER_START_S at least;
  with power measurement, the idle baseline (power.idle_seconds) is measured before it;
- per configuration, the timing stops at measure.max_time_per_config_s (the estimate) or, squeezed by a
  budget, at MIN_TIMING_S (the minimum: the runner's own floor is 0.05 s of timing in a 0.1 s share, and
  min_rounds rounds of at least one run each do not fit in less than a tenth of a second per round); with
  power measurement, the energy window adds power.min_window_s, which no budget shrinks;
- per soak (sustained.models), sustained.duration_s on top, or squeezed by a budget MIN_BUDGET_WINDOWS windows;
- per MLPerf scenario, its LoadGen tests (a server's search: server.search_steps of them) of the rules' minimum
  duration each, or squeezed by a budget MIN_BUDGET_TEST_S each under quick rules (mlperf's 600 s never shrink);
- once per run, the matmul peak and environment: FIXED_S.
A configuration whose min_runs take longer than its time budget (a large model on a slow device) runs
over the estimate: the estimate is a floor for such runs, which the console says."""

from __future__ import annotations

from bench_job.errors import UserError
from bench_job.run.loadgen_rows import MIN_BUDGET_TEST_S
from bench_job.run.plan import SUSTAINED, SWEEP
from bench_job.run.soak import MIN_BUDGET_WINDOWS
from bench_job.units import format_duration

WORKER_START_S = 5.0  # importing torch and building the smallest model in a fresh worker, on a fast laptop
MIN_TIMING_S = 0.1  # per round, with measure.min_rounds rounds
FIXED_S = 5.0  # the matmul peak (1 s of timing in a fresh process) and the environment


def _per_item_s(config) -> float:
    return WORKER_START_S + (config.power.idle_seconds if config.power.enabled else 0.0)


def _energy_s(config) -> float:
    return config.power.min_window_s if config.power.enabled else 0.0


def _soaks_s(config, plan: list, least: bool) -> float:
    soaks = sum(1 for item in plan for p in item.points if p.scenario == SUSTAINED)
    section = config.sustained
    return soaks * (MIN_BUDGET_WINDOWS * section.window_s if least else section.duration_s)


def _loadgen_s(config, plan: list, least: bool) -> float:
    section = config.scenarios
    tests = sum(
        section.server_search_steps if p.scenario == "server" else 1
        for item in plan
        for p in item.points
        if p.scenario not in (SWEEP, SUSTAINED)
    )
    squeezed = least and section.rules == "quick"
    return tests * (min(MIN_BUDGET_TEST_S, section.min_duration_s) if squeezed else section.min_duration_s)


def _sweep_configs(plan: list) -> int:
    return sum(1 for item in plan for p in item.points if p.scenario == SWEEP)


def estimated_s(config, plan: list) -> float:
    per_config = config.measure.max_time_per_config_s + _energy_s(config)
    return (
        FIXED_S
        + len(plan) * _per_item_s(config)
        + _sweep_configs(plan) * per_config
        + _soaks_s(config, plan, False)
        + _loadgen_s(config, plan, False)
    )


def minimum_s(config, plan: list) -> float:
    per_config = config.measure.min_rounds * MIN_TIMING_S + _energy_s(config)
    return (
        FIXED_S
        + len(plan) * _per_item_s(config)
        + _sweep_configs(plan) * per_config
        + _soaks_s(config, plan, True)
        + _loadgen_s(config, plan, True)
    )


def check_budget(config, plan: list, budget_s: float | None) -> None:
    """Refuse a --budget the plan cannot fit, naming the minimum."""
    if budget_s is None:
        return
    least = minimum_s(config, plan)
    if budget_s < least:
        configs = sum(len(item.points) for item in plan)
        raise UserError(
            f"--budget {format_duration(budget_s)} cannot fit this plan: {configs} configurations of {len(plan)} "
            f"model variant(s) need at least {format_duration(least)} (worker start, idle baseline, "
            f"{config.measure.min_rounds} rounds and the energy window each"
            + ("; each LoadGen test its minimum" if config.scenarios.loadgen else "")
            + "); give a longer --budget or fewer models, sizes or scenarios"
        )


def _why(entry) -> str:
    batch = ", ".join(str(b) for b in entry.batch_sizes)
    sizes = ", ".join(str(s) for s in entry.input_sizes)
    return f"batch {batch} at input {entry.input_size}, and input {sizes} at batch 1; shared points once"


def _point_text(config, point) -> str:
    text = f"b{point.batch_size}x{point.input_size}"
    if point.scenario == SUSTAINED:
        return f"{text} soaked {config.sustained.duration_s:g} s"
    if point.scenario != SWEEP:
        return f"{text} {point.scenario} (LoadGen, {config.scenarios.rules} rules)"
    return text


def describe(config, plan: list) -> str:
    """The plan as the console prints it before measuring, one line per model variant."""
    configs = sum(len(item.points) for item in plan)
    lines = [
        f"plan: {configs} configurations of {len(plan)} model variant(s), cheapest model first "
        "(each: a batch sweep at a fixed input size plus an input-size sweep at batch 1)"
    ]
    for item in plan:
        points = ", ".join(_point_text(config, p) for p in item.points)
        lines.append(f"  {item.entry.name} [{item.variant.name}]: {len(item.points)} ({points}) - {_why(item.entry)}")
    lines.append(
        f"estimated duration: at least {format_duration(estimated_s(config, plan))} (per configuration "
        f"measure.max_time_per_config_s {config.measure.max_time_per_config_s:g} s"
        + (f" + the energy window {_energy_s(config):g} s" if config.power.enabled else "")
        + f"; per model variant {format_duration(_per_item_s(config))} to start a worker"
        + (" and measure the idle baseline" if config.power.enabled else "")
        + "); models whose measure.min_runs take longer than that run over it"
    )
    return "\n".join(lines)
