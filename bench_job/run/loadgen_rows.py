"""MLPerf's scenarios in the worker: each asked scenario's LoadGen test (a server's search of them) of the variant's
deployed runtime, run after the sweep on the model the worker already built and warmed, and the row it makes.

The sample library is a pool of the model's synthetic inputs at its default size (loadgen.performance_samples of
them, seeded like the sweep's); the system under test runs LoadGen's queries through the same Deployment the sweep
timed (scenarios/harness.py). Energy comes from the worker's EnergyMeter over the whole test, divided by the samples
it ran; other processes' CPU share over the test is judged as a sweep row's timing is.
"""

from __future__ import annotations

import datetime
import statistics
import time
import traceback

from bench_job.bundle.member_texts import MEMBER_TEXTS_FIELD, safe_name
from bench_job.errors import one_line
from bench_job.measure.contention import ContentionProbe
from bench_job.measure.energy import energy_fields
from bench_job.run.config_state import device_state_fields
from bench_job.run.loadgen_accuracy import AccuracySource, accuracy_fields
from bench_job.run.messages import Log, Progress, Record, Start
from bench_job.run.variant_inputs import prepare_inputs
from bench_job.scenarios import LOADGEN_SCENARIOS, loadgen_log
from bench_job.scenarios import server as server_search
from bench_job.scenarios.base import ms
from bench_job.scenarios.harness import SampleLibrary, batch_shapes, import_loadgen, run_test
from bench_job.scenarios.settings import describe, test_settings

LOADGEN_DIR = "loadgen"  # the bundle folder of every test's logs, one subfolder per row
# a test shorter than this is too short to mean anything, whatever --budget leaves
MIN_BUDGET_TEST_S = 2.0


def test_duration(section, tests: int, deadline: float | None, now: float) -> tuple:
    """(a test's minimum duration, a note or None): quick's duration, shortened so that `tests` tests fit what --budget
    leaves (MIN_BUDGET_TEST_S at least); mlperf's 600 s are never shortened (the rules would no longer be MLPerf's)."""
    asked = section.min_duration_s
    if section.rules == "mlperf" or deadline is None or (deadline - now) >= asked * tests:
        return asked, None
    cut = max((deadline - now) / tests, MIN_BUDGET_TEST_S)
    return cut, f"LoadGen's minimum duration cut to {cut:.3g} of {asked:g} s by --budget"


class Bindings:
    """bind(inputs) -> run(): the deployed runtime bound to one batch, run to completion (synchronised), and the warm
    latency at each batch size the SUT can form."""

    def __init__(self, deployment, sync, timer, warmup_runs: int):
        self.deployment, self.sync, self.timer, self.warmup_runs = deployment, sync, timer, warmup_runs

    def bind(self, inputs: dict):
        import torch

        run = self.deployment.prepare(inputs).bind(inputs)

        def run_once():
            # LoadGen calls the SUT from its own threads (and the server's from one of ours), where the worker's
            # inference mode, a thread-local setting, is off: without it eager PyTorch would record autograd graphs
            with torch.inference_mode():
                output = run()
                self.sync()
            return output

        return run_once

    def warm_latency_s(self, library: SampleLibrary, batch: int) -> float:
        """The median of warmup_runs timed runs of a batch (after one untimed: a new shape may build or compile)."""
        run = self.bind(library.batch(list(range(batch))))
        run()
        return statistics.median(self.timer.time(run) for _ in range(max(1, self.warmup_runs)))


def sample_pool(task, model, family, input_size: int, device: str, count: int) -> SampleLibrary:
    return SampleLibrary(prepare_inputs(family.make_inputs(model, count, input_size, task.seed), task.variant, device))


def _members(key: str, logs_by_folder: dict) -> dict:
    """{member path: text} of the logs, under loadgen/<safe key>/<folder>/."""
    base = f"{LOADGEN_DIR}/{safe_name(key)}"
    return {
        "/".join(p for p in (base, folder, name) if p): text
        for folder, logs in logs_by_folder.items()
        for name, text in logs.items()
    }


def accuracy_test(lg, section, bindings):
    """run_accuracy_test(library, respond) for loadgen_accuracy: LoadGen's Offline scenario in accuracy mode."""
    offline = LOADGEN_SCENARIOS["offline"]

    def run_accuracy_test(library, respond):
        settings = test_settings(lg, offline, section.rules, section.min_duration_s, section.quick_min_query_count)
        settings.mode = lg.TestMode.AccuracyOnly
        return run_test(lg, settings, library, bindings.bind, 1, queued=False, respond=respond)

    return run_accuracy_test


def loadgen_record(task, prepared, bindings, library, meter, stop, conn, accuracy=None, clock=time.monotonic) -> dict:
    """The row of one MLPerf scenario (prepared.point.scenario) for a prepared configuration."""
    lg = import_loadgen()
    section, point = task.scenarios, prepared.point
    scenario = LOADGEN_SCENARIOS[point.scenario]
    key = prepared.record["key"]
    tests = section.server_search_steps if scenario.name == "server" else 1
    duration, cut = test_duration(section, tests, task.timing.deadline, clock())
    largest = scenario.sut_batch(section)
    latency = {b: bindings.warm_latency_s(library, b) for b in batch_shapes(largest)}
    settings = test_settings(lg, scenario, section.rules, duration, section.quick_min_query_count)
    scenario.expect(settings, latency[max(latency)], max(latency))
    fields = {"notes": list(prepared.record["notes"]) + ([cut] if cut else [])}
    probe = ContentionProbe()
    probe.start()
    started = time.time()

    def run_once(step_label: str):
        conn.send(Start(key))  # each test is a configuration to the supervisor's timeout
        conn.send(Progress(f"{task.entry.name}: LoadGen {scenario.name}{step_label}"))
        outcome = []

        def test():
            outcome.append(run_test(lg, settings, library, bindings.bind, largest, queued=scenario.name == "server"))

        window = None
        if meter is None:
            test()
        else:
            window = meter.measure_call(test)
        result = outcome[0]
        if result.failure is not None:
            raise result.failure
        return result, window

    if scenario.name == "server":
        bound = server_search.latency_bound(section, latency[1])
        settings.server_target_latency_ns = max(1, int(bound.seconds * 1e9))
        runs = {}

        def run_at(qps: float) -> dict:
            settings.server_target_qps = qps
            runs[qps] = run_once(f" at {qps:.4g} QPS (step {len(runs) + 1} of {tests})")
            return runs[qps][0].detail

        top = max(latency)  # no server answers faster than its throughput at its largest batch
        ceiling = top / latency[top]
        steps = server_search.search(run_at, ceiling, tests, stop=lambda: stop.requested)
        best = server_search.kept(steps)
        chosen = best or steps[-1]
        result, window = runs[chosen.target_qps]
        settings.server_target_qps = chosen.target_qps
        fields.update(
            server_target_qps=best.target_qps if best else None,
            server_latency_bound_s=bound.seconds,
            server_latency_bound_source=bound.source,
            server_search="; ".join(s.describe() for s in steps),
        )
        if len(steps) < tests:
            fields["notes"].append(f"search stopped after {len(steps)} of {tests} steps: the run was stopped")
        if best is None:
            fields["notes"].append(f"no target QPS held the {ms(bound.seconds)} bound in {len(steps)} steps")
        logs = {f"step-{i + 1}": runs[s.target_qps][0].logs for i, s in enumerate(steps)}
        log_folder = f"step-{steps.index(chosen) + 1}"
    else:
        result, window = run_once("")
        logs, log_folder = {"": result.logs}, ""
    detail = result.detail
    if result.errors:
        fields["notes"].append("LoadGen logged errors: " + "; ".join(result.errors))
    fields.update(scenario.row_fields(detail))
    fields.update(
        loadgen_version=loadgen_log.version(detail),
        scenario_rules=section.rules,
        mlperf_compliant=section.rules == "mlperf",
        loadgen_settings=describe(settings, scenario, section.rules, library.count),
        loadgen_mode="performance",
        loadgen_result=loadgen_log.verdict(detail),
        loadgen_reasons=loadgen_log.reasons(detail),
        loadgen_samples=result.samples,
        samples_per_query=detail.get("generated_samples_per_query"),
        sut_max_batch=result.max_batch,
        loadgen_log="/".join(p for p in (LOADGEN_DIR, safe_name(key), log_folder) if p),
        other_cpu_share=probe.other_share(),
        energy_reason=task.power.energy_reason,
    )
    if section.rules == "quick":
        fields["notes"].append("not MLPerf-compliant: quick rules (" + fields["loadgen_settings"] + ")")
    if window is not None and result.samples:
        energy = energy_fields(window, result.samples)
        energy.pop("energy_per_inference_j", None)  # the window is the whole test: only per sample means anything
        energy.pop("energy_net_per_inference_j", None)
        fields.update(energy)
    if accuracy is not None and accuracy.applies(prepared.record):
        conn.send(Progress(f"{task.entry.name}: LoadGen accuracy test on the dev set"))
        measured, accuracy_logs = accuracy_fields(accuracy, prepared.record, accuracy_test(lg, section, bindings))
        note = measured.pop("accuracy_note", None)
        fields.update(measured, loadgen_mode="performance and accuracy")
        fields["notes"] += [note] if note else []
        if accuracy_logs is not None:
            logs["accuracy"] = accuracy_logs
        else:
            fields["notes"].append(
                "LoadGen accuracy test run once per variant: its log is with the variant's first row"
            )
    fields[MEMBER_TEXTS_FIELD] = _members(key, logs)
    fields.update(device_state_fields(task, prepared.state_before))
    notes = fields.pop("notes")
    return dict(
        prepared.record,
        **fields,
        notes="; ".join(notes) or None,
        status="ok",
        started_at=datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
        duration_s=time.time() - prepared.started,
    )


def send_loadgen(
    conn, task, prepared: list, deployment, model, family, device: str, meter, timer, stop, preprocessing, label_map
) -> None:
    """Each MLPerf scenario's row, after the sweep's records and before the soaks. A test that fails is an error row.
    preprocessing, label_map: the checkpoint's, for the accuracy test on the dev set."""
    if not prepared:
        return
    import torch

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    bindings = Bindings(deployment, sync, timer, task.timing.measure.warmup_runs)
    accuracy = AccuracySource(task, model, family, preprocessing, label_map, deployment, device)
    pools = {}
    for config in prepared:
        if stop.requested:
            return
        conn.send(Start(config.record["key"]))
        try:
            size = config.point.input_size
            if size not in pools:
                pools[size] = sample_pool(task, model, family, size, device, task.scenarios.performance_samples)
            record = loadgen_record(task, config, bindings, pools[size], meter, stop, conn, accuracy)
        except Exception as exc:
            conn.send(Log("debug", traceback.format_exc()))
            notes = "; ".join(config.record["notes"]) or None
            record = dict(config.record, status="error", reason=one_line(exc), notes=notes)
        conn.send(Record(record))
