"""One `bench-job run`, from a resolved config to a bundle: the assets, the environment, the device's
matmul peak, the runner over the plan, then the finish (outcome.json, table, report, tarball), and the
outcome with the command's exit code.

    outcome = Job(config, out="results").run()
    print(outcome.bundle); sys.exit(outcome.exit_code)

Whatever touches torch or spawns processes (environment collection, the matmul peak, the runner and
its workers) is passed in, defaulting to the real thing, so that the Job's own logic is tested alone."""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import yaml

from bench_job import __version__
from bench_job.bundle import names
from bench_job.bundle.outcome import RunOutcome
from bench_job.bundle.records import ResultStore, latest_records
from bench_job.errors import UserError
from bench_job.host.gpu_use import gpu_unused_reason
from bench_job.measure.quiet import too_busy
from bench_job.run.assets import Checkpoints, prepare_assets
from bench_job.run.plan import build_plan
from bench_job.run.preview import check_budget, describe
from bench_job.run.runner import PlanResult, Runner, StopRequest, resolve_accelerator
from bench_job.run.summary import contention_warning, run_summary
from bench_job.scenarios.harness import import_loadgen
from bench_job.units import format_duration, parse_duration

if TYPE_CHECKING:
    from bench_job.config import MeasureSection

log = logging.getLogger("bench_job")

EXIT_OK = 0
EXIT_NOTHING_MEASURED = 1  # every configuration ended oom, skipped, error or timeout
EXIT_SIGNALS = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, as a shell reports it


@dataclass(frozen=True)
class JobOutcome:
    exit_code: int
    bundle: str  # path of the bundle tarball
    run: RunOutcome  # what outcome.json says
    records: list  # the run's final records, one per measured configuration


def collect_env_isolated(sysfs_root: str, host_root: str) -> dict:
    from bench_job.host.device import collect_env
    from bench_job.run.isolated import run_isolated

    return run_isolated(collect_env, sysfs_root, host_root, what="collecting the environment (env.json)")


def measure_peak_isolated(threads, size: int, seconds: float, accelerator: str, measure: MeasureSection) -> dict:
    from bench_job.measure.peak import measure_peak_quietly
    from bench_job.run.isolated import run_isolated

    return run_isolated(
        measure_peak_quietly, threads, size, seconds, accelerator, measure, what="measuring the matmul peak"
    )


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def config_budget_s(config) -> float | None:
    return parse_duration(config.run.budget) if config.run.budget else None


def exit_code(result: PlanResult, records: list) -> int:
    if result.interrupted:
        return EXIT_SIGNALS["SIGINT"] if result.signal_name == "SIGINT" else EXIT_SIGNALS["SIGTERM"]
    if not any(r["status"] == "ok" for r in records):
        return EXIT_NOTHING_MEASURED
    return EXIT_OK


class Job:
    """config: the resolved config; out: the folder for the bundle; verbose: debug lines on the console.
    started / started_at: when the command began (time.monotonic(), ISO UTC), for the --budget and the
    outcome; by default when the Job is made. interactive: a progress bar and short console lines (default:
    stderr is a terminal). stop: the StopRequest the runner heeds (default: a new one, installed for
    SIGINT and SIGTERM). runner: makes the Runner, called as Runner is; collect_env(sysfs_root, host_root) and
    measure_peak(threads, size, seconds, accelerator, measure section) return env.json's
    facts; write_report(frame, config_data, env, folder, outcome) writes the report; checkpoints: see
    run/assets.py."""

    def __init__(
        self,
        config,
        out: str,
        verbose: bool = False,
        started: float | None = None,
        started_at: str | None = None,
        interactive: bool | None = None,
        stop: StopRequest | None = None,
        runner: Callable = Runner,
        collect_env: Callable = collect_env_isolated,
        measure_peak: Callable = measure_peak_isolated,
        write_report: Callable | None = None,
        checkpoints: Checkpoints | None = None,
    ):
        self.config, self.out, self.verbose = config, out, verbose
        self.started = time.monotonic() if started is None else started
        self.started_at = started_at or utc_now()
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self.stop = stop
        self.make_runner, self.collect_env, self.measure_peak = runner, collect_env, measure_peak
        self.write_report = write_report
        self.checkpoints = checkpoints

    def run(self) -> JobOutcome:
        from bench_job.host.container import container_facts, file_safe, host_name
        from bench_job.run.logs import copy_entrypoint_log, setup_logging

        config = self.config
        # Before anything runs (assets, torch, the work folder): a --budget the plan cannot fit is refused.
        check_budget(config, build_plan(config), config_budget_s(config))
        if config.scenarios.loadgen:
            import_loadgen()  # a missing LoadGen is refused before anything is measured, not per row
        device = config.run.device
        host = file_safe(host_name())
        assets = prepare_assets(config, self.checkpoints)
        os.environ.update(assets.environ)
        config = config.with_models(assets.models)
        env = self.collect_env(config.power.sysfs_root, config.power.host_root)
        # The profile the run used is the device it stands for (an emulated Pi is measured as a Pi); what
        # the hardware looks like stays beside it.
        env.update(detected_device_kind=env["device_kind"], device_kind=device, container=container_facts())
        accelerator = resolve_accelerator(config.run.accelerator, env["cuda_available"])
        # A Jetson's CPU run says why at once, in env.json and first in the report's verdict: its figures are
        # the CPU's, not the board's GPU's (the JetPack 4 image has no CUDA torch at all).
        env["gpu_unused_reason"] = gpu_unused_reason(env, accelerator, config.run.accelerator)
        try:
            os.makedirs(self.out, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"cannot create the output folder {self.out}: {exc.strerror}; pass a writable --out"
            ) from None
        workdir = os.path.join(self.out, f"{names.IN_PROGRESS_PREFIX}{device}-{host}-{config.fingerprint()}")
        os.makedirs(workdir, exist_ok=True)
        setup_logging(os.path.join(workdir, names.RUN_LOG), self.interactive, self.verbose)
        copy_entrypoint_log(os.environ.get("BENCH_ENTRYPOINT_LOG"))
        log.info(
            "bench-job %s: device profile %s, %d model(s), work folder %s",
            __version__,
            device,
            len(config.models),
            workdir,
        )
        if env["gpu_unused_reason"]:
            log.warning("GPU not used: %s", env["gpu_unused_reason"])
        for adjustment in config.adjustments:
            log.warning(adjustment)
        for warning in assets.warnings:
            log.warning(warning)
        log.info(describe(config, build_plan(config)))
        first_part = _read_env(workdir)
        if first_part.get("peak_gflops"):
            # A resumed run keeps the peak its first part measured: the rows already recorded were computed
            # against it, and a second measurement (on a busier machine) would make the two halves disagree.
            env.update({k: v for k, v in first_part.items() if k.startswith("peak_")})
            log.info(
                "resuming: keeping the matmul peak the first part measured, %.1f GFLOP/s, so that every row's "
                "fraction of it is against one peak (not measured again)",
                env["peak_gflops"],
            )
        else:
            self._measure_peak(config, env, accelerator)
        stop = self.stop
        if stop is None:
            stop = StopRequest()
            stop.install()
        env.update(accelerator=accelerator, bench_job_version=__version__, config_fingerprint=config.fingerprint())
        with open(os.path.join(workdir, names.CONFIG_YAML), "w") as handle:
            yaml.safe_dump(config.data, handle, sort_keys=False)
        _write_env(workdir, env)  # now, so that a run killed mid-way leaves its environment beside its records
        store = ResultStore(os.path.join(workdir, names.RESULTS_JSONL))
        runner = self.make_runner(
            config,
            store,
            accelerator,
            stop,
            show_progress=self.interactive,
            peak_gflops=env["peak_gflops"],
            started=self.started,
            default_threads=env["torch_threads_default"],
        )
        result = runner.run()
        # Which power sources exist but could not be read (RAPL's root-only energy_uj for a non-root job),
        # known once the runner has looked.
        env["power_not_read"] = result.power_not_read
        env["cool_down"] = result.cool_down  # the starting temperature each model cooled towards, or why none did
        _write_env(workdir, env)
        outcome = self._outcome(config, result, store)
        if result.interrupted:
            log.warning(stop_message(result.signal_name, outcome))
        if outcome.over_budget_s:
            log.warning(
                "the run took %s, %s over its --budget of %s: repetitions never go below measure.min_runs "
                "and min_rounds",
                format_duration(outcome.elapsed_s),
                format_duration(outcome.over_budget_s),
                format_duration(outcome.budget_s),
            )
        records = latest_records(store.read())
        log.info(run_summary(records, outcome))
        advice = contention_warning(records)
        if advice:
            log.warning(advice)
        bundle = finish(workdir, self.out, f"{device}-{host}", config.data, env, outcome, self.write_report)
        # a stop after every configuration had its minimum leaves nothing to resume: the work folder goes too
        if not result.interrupted or outcome.complete:
            shutil.rmtree(workdir)
            for stale in superseded_partials(self.out, f"{device}-{host}-", config.fingerprint()):
                os.remove(stale)
                log.info("removed %s: superseded by %s, which holds all it held", stale, bundle)
        code = exit_code(result, records)
        if code == EXIT_NOTHING_MEASURED:
            log.error("nothing was measured: every configuration ended oom, skipped, error or timeout (see the report)")
        return JobOutcome(code, bundle, outcome, records)

    def _measure_peak(self, config, env: dict, accelerator: str) -> None:
        log.info("measuring the device's matmul peak (a few seconds)")
        env.update(
            self.measure_peak(
                config.run.threads, 4096 if accelerator == "cuda" else 1024, 1.0, accelerator, config.measure
            )
        )
        log.info("matmul peak of this device: %.1f GFLOP/s (fp32, %s)", env["peak_gflops"], accelerator)
        busy = env["peak_other_cpu_share"]
        if too_busy(config.measure, busy):
            log.warning(
                "other processes used %.0f%% of the CPU while the matmul peak was measured: it is low, and "
                "each row's fraction of it (peak_fraction) high",
                busy * 100,
            )

    def _outcome(self, config, result: PlanResult, store: ResultStore) -> RunOutcome:
        """What the run as a whole did, for outcome.json, the console summary and the report's verdict."""
        planned = result.planned
        done = store.done_keys()
        return RunOutcome(
            complete=all(k in done for k in planned),
            stopped_by=result.signal_name,
            planned=len(planned),
            never_measured=tuple(k for k in planned if k not in done),
            started_at=self.started_at,
            finished_at=utc_now(),
            elapsed_s=time.monotonic() - self.started,
            budget_s=config_budget_s(config),
        )


def stop_message(signal_name: str, outcome: RunOutcome) -> str:
    """The console's line for a run stopped by a signal: PARTIAL and resumable while configurations were
    never measured; complete where every configuration already had its minimum rounds and runs (those cut
    short say so in their notes), though the exit code still names the signal."""
    if outcome.complete:
        return (
            f"stopped by {signal_name} after every configuration had its minimum rounds and runs: the bundle is "
            f"complete ({outcome.planned} configuration(s); rows whose timing was cut short say so in their notes), "
            "nothing to resume"
        )
    return (
        f"stopped by {signal_name}: bundling the {outcome.planned - len(outcome.never_measured)} configuration(s) "
        "measured so far as PARTIAL; run the same command again to resume"
    )


def _read_env(workdir: str) -> dict:
    """env.json of a work folder a stopped run left (empty when there is none)."""
    try:
        with open(os.path.join(workdir, names.ENV_JSON)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def superseded_partials(out: str, prefix: str, fingerprint: str) -> list:
    """The PARTIAL bundles in out of this device, host and config (env.json's config_fingerprint): a run
    that completed after resuming holds every record they hold."""
    import tarfile

    stale = []
    ending = names.PARTIAL_SUFFIX + names.TARBALL_SUFFIX
    for name in sorted(os.listdir(out)):
        if not (name.startswith(prefix) and name.endswith(ending)):
            continue
        path = os.path.join(out, name)
        try:
            with tarfile.open(path) as tar:
                member = next(m for m in tar.getmembers() if os.path.basename(m.name) == names.ENV_JSON)
                env = json.load(tar.extractfile(member))
        except (OSError, ValueError, StopIteration, tarfile.TarError):
            continue  # not one this run can vouch for: left alone
        if env.get("config_fingerprint") == fingerprint:
            stale.append(path)
    return stale


def _write_env(workdir: str, env: dict) -> None:
    with open(os.path.join(workdir, names.ENV_JSON), "w") as handle:
        json.dump(env, handle, indent=2)


def finish(
    workdir: str,
    out: str,
    name: str,
    config_data: dict,
    env: dict,
    outcome: RunOutcome,
    write_report: Callable | None = None,
) -> str:
    """Write outcome.json, the table, plots and report next to the records, then the bundle, named
    PARTIAL when the run did not finish. A failure to report is logged and the bundle still carries
    the raw records. write_report: report.report.write_run_report unless given."""
    from bench_job.bundle.outcome import write_outcome
    from bench_job.bundle.records import read_records, to_frame
    from bench_job.bundle.write import write_bundle

    if write_report is None:
        from bench_job.report.run_report import write_run_report as write_report
    write_outcome(workdir, outcome)
    try:
        results = os.path.join(workdir, names.RESULTS_JSONL)
        records = read_records(results) if os.path.exists(results) else []
        frame = to_frame(records)
        frame.to_csv(os.path.join(workdir, names.RESULTS_CSV), index=False)
        write_report(frame, config_data, env, workdir, outcome)  # report.md, report.html, plots/
    except Exception:
        log.exception("writing the report failed; the bundle still holds %s", names.RESULTS_JSONL)
    for handler in log.handlers:
        handler.flush()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return write_bundle(workdir, out, f"{name}-{stamp}" + ("" if outcome.complete else names.PARTIAL_SUFFIX))
