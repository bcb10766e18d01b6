"""bench-job: the command line. Every user error ends in one line on stderr and exit code 2."""

import argparse
import datetime
import json
import logging
import os
import shutil
import sys
import time

import yaml

from bench_job import __version__
from bench_job.errors import UserError, one_line, user_fixable
from bench_job.results import latest_records
from bench_job.run.summary import run_summary
from bench_job.units import format_duration

log = logging.getLogger("bench_job")
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, not argparse's usage block: the fix is named and --help is one step away.
        raise UserError(f"{message} (see `{self.prog} --help`)")


def _add_run_options(parser):
    parser.add_argument("--config", help="YAML config (e.g. configs/quick.yaml); defaults apply where it is silent")
    parser.add_argument("--device", choices=None, help="laptop | rpi | jetson | auto: the device profile (sweep ranges)")
    parser.add_argument("--models", help="comma-separated model names, replacing the config's list")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="override any config key, e.g. --set sweeps.vision.batch_sizes=[1,2]; repeatable")
    parser.add_argument("--out", default="results", help="folder for the bundle (default: results)")
    parser.add_argument("--threads", type=int, help="torch intra-op threads per worker")
    parser.add_argument("--max-worker-memory", metavar="SIZE",
                        help="cap a worker's resident memory, e.g. 1GiB: larger configurations become `oom`")
    parser.add_argument("--accelerator", help="cpu | cuda | auto")
    parser.add_argument("--assets", metavar="DIR",
                        help="folder filled by `bench-job fetch`: pretrained weights and dev data, read offline")
    parser.add_argument("--budget", metavar="DURATION",
                        help="total time budget, e.g. 30m: repetitions per configuration shrink to fit")
    _add_sensor_options(parser)
    parser.add_argument("--verbose", action="store_true", help="debug lines on the console too")


def _add_sensor_options(parser):
    parser.add_argument("--sysfs-root", metavar="DIR",
                        help="read power sensors, cpufreq and thermal zones under DIR instead of /sys")
    parser.add_argument("--powercap-dir", metavar="DIR",
                        help="RAPL powercap tree, where Docker masks /sys/devices/virtual/powercap")
    parser.add_argument("--external-csv", metavar="FILE",
                        help="an external power meter's log: rows of unix_seconds,watts")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bench-job", description="Edge inference benchmark: parameters, FLOPs, latency, "
                     "memory, power and accuracy of a model zoo on this device.")
    parser.add_argument("--version", action="version", version=f"bench-job {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="benchmark the configured models and write a results bundle")
    _add_run_options(run)
    fetch = sub.add_parser("fetch", help="download pretrained weights and dev data into an assets folder")
    fetch.add_argument("--assets", required=True, metavar="DIR", help="the assets folder (created if missing)")
    fetch.add_argument("--config", help="YAML config whose models to fetch for (default: the whole zoo)")
    fetch.add_argument("--models", help="comma-separated model names, replacing the config's list")
    fetch.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    fetch.add_argument("--device", help=argparse.SUPPRESS)
    probe = sub.add_parser("probe", help="print what the job sees: CPU, memory, libraries, threads")
    probe.add_argument("--json", action="store_true", help="machine-readable output")
    _add_sensor_options(probe)
    from bench_job.compare import add_compare_parser
    from bench_job.report.command import add_report_parser

    add_report_parser(sub)
    add_compare_parser(sub)
    return parser


def _overrides(args) -> dict:
    out = {}
    if getattr(args, "threads", None) is not None:
        out["run.threads"] = args.threads
    if getattr(args, "max_worker_memory", None) is not None:
        out["run.max_worker_memory"] = args.max_worker_memory
    if getattr(args, "accelerator", None) is not None:
        out["run.accelerator"] = args.accelerator
    if getattr(args, "budget", None) is not None:
        out["run.budget"] = args.budget
    if getattr(args, "assets", None) is not None:
        out["run.assets"] = args.assets
    for option, key in (("sysfs_root", "power.sysfs_root"), ("powercap_dir", "power.powercap_dir"),
                        ("external_csv", "power.external_csv")):
        if getattr(args, option, None) is not None:
            out[key] = getattr(args, option)
    return out


def _select_models(config_models: list, names: str) -> list:
    """--models keeps the config's entry for a name it lists (its source, sweeps) and takes others as given."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise UserError("--models needs at least one model name, e.g. --models resnet18,bert-base-uncased")
    by_name = {(m if isinstance(m, str) else m.get("name")): m for m in config_models}
    return [by_name.get(name, name) for name in wanted]


def load_config(args):
    from bench_job import config as cfg

    sets = list(args.sets)
    # `--models ""` (an unset shell variable) is a request for no model, refused by _select_models,
    # not an absent option that would silently run the whole zoo.
    if args.models is not None:
        base = cfg.read_config_file(args.config) if args.config else {}
        models = _select_models(base.get("models") or cfg.load_defaults()["models"], args.models)
        sets.append("models=" + json.dumps(models))
    return cfg.resolve(args.config, device=args.device, sets=sets, overrides=_overrides(args))


EXIT_NOTHING_MEASURED = 1


def cmd_run(args) -> int:
    from bench_job.container import container_facts, file_safe, host_name
    from bench_job.device import collect_env, run_isolated
    from bench_job.logs import copy_entrypoint_log, setup_logging
    from bench_job.measure.peak import measure_peak_quietly
    from bench_job.results import ResultStore
    from bench_job.run.runner import Runner, StopRequest, resolve_accelerator

    started = time.monotonic()
    started_at = _utc_now()
    config = load_config(args)
    device = config.run["device"]
    host = file_safe(host_name())
    asset_warnings = prepare_assets(config)
    env = run_isolated(collect_env, config.data["power"]["sysfs_root"])
    # The profile the run used is the device it stands for (an emulated Pi is measured as a Pi); what
    # the hardware looks like stays beside it.
    env.update(detected_device_kind=env["device_kind"], device_kind=device, container=container_facts())
    accelerator = resolve_accelerator(config.run["accelerator"], env["cuda_available"])
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {args.out}: {exc.strerror}; pass a writable --out") from None
    workdir = os.path.join(args.out, f"in-progress-{device}-{host}-{config.fingerprint()}")
    os.makedirs(workdir, exist_ok=True)
    interactive = sys.stderr.isatty()
    setup_logging(os.path.join(workdir, "run.log"), interactive, args.verbose)
    copy_entrypoint_log(os.environ.get("BENCH_ENTRYPOINT_LOG"))
    log.info("bench-job %s: device profile %s, %d model(s), work folder %s", __version__, device,
             len(config.models), workdir)
    for adjustment in config.adjustments:
        log.warning(adjustment)
    for warning in asset_warnings:
        log.warning(warning)
    log.info("measuring the device's matmul peak (a few seconds)")
    measure = config.measure
    env.update(run_isolated(measure_peak_quietly, config.run["threads"], 4096 if accelerator == "cuda" else 1024,
                            1.0, accelerator, measure["quiet_wait_s"], measure["max_other_cpu_share"]))
    log.info("matmul peak of this device: %.1f GFLOP/s (fp32, %s)", env["peak_gflops"], accelerator)
    busy = env["peak_other_cpu_share"]
    if busy is not None and busy > measure["max_other_cpu_share"]:
        log.warning("other processes used %.0f%% of the CPU while the matmul peak was measured: it is low, and "
                    "each row's fraction of it (peak_fraction) high", busy * 100)
    stop = StopRequest()
    stop.install()
    env.update(accelerator=accelerator, bench_job_version=__version__, config_fingerprint=config.fingerprint())

    def write_env() -> None:
        with open(os.path.join(workdir, "env.json"), "w") as handle:
            json.dump(env, handle, indent=2)

    with open(os.path.join(workdir, "config.yaml"), "w") as handle:
        yaml.safe_dump(config.data, handle, sort_keys=False)
    write_env()  # now, so that a run killed mid-way leaves its environment beside its records
    store = ResultStore(os.path.join(workdir, "results.jsonl"))
    runner = Runner(config, store, accelerator, stop, show_progress=interactive, peak_gflops=env["peak_gflops"],
                    started=started, default_threads=env["torch_threads_default"])
    result = runner.run()
    # Which power sources exist but could not be read (RAPL's root-only energy_uj for a non-root job),
    # known once the runner has looked.
    env["power_not_read"] = runner.power_not_read
    write_env()
    outcome = _outcome(runner, store, result, started, started_at)
    if result.interrupted:
        log.warning("stopped by %s: bundling the %d configuration(s) measured so far as PARTIAL; run the same "
                    "command again to resume", result.signal_name, outcome.planned - len(outcome.never_measured))
    if outcome.over_budget_s:
        log.warning("the run took %s, %s over its --budget of %s: repetitions never go below measure.min_runs "
                    "and min_rounds", format_duration(outcome.elapsed_s), format_duration(outcome.over_budget_s),
                    format_duration(outcome.budget_s))
    records = latest_records(store.read())
    log.info(run_summary(records, outcome))
    bundle = finish(workdir, args.out, f"{device}-{host}", config.data, env, outcome)
    if not result.interrupted:
        shutil.rmtree(workdir)
    print(bundle)
    if result.interrupted:
        return 130 if result.signal_name == "SIGINT" else 143
    if not any(r["status"] == "ok" for r in records):
        log.error("nothing was measured: every configuration ended oom, skipped, error or timeout (see the report)")
        return EXIT_NOTHING_MEASURED
    return 0


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _outcome(runner, store, result, started: float, started_at: str):
    """What the run as a whole did, for outcome.json, the console summary and the report's verdict."""
    from bench_job.run_outcome import RunOutcome

    planned = runner.planned_keys()
    done = store.done_keys()
    budget = config_budget_s(runner.config)
    return RunOutcome(complete=all(k in done for k in planned), stopped_by=result.signal_name,
                      planned=len(planned), never_measured=tuple(k for k in planned if k not in done),
                      started_at=started_at, finished_at=_utc_now(), elapsed_s=time.monotonic() - started,
                      budget_s=budget)


def config_budget_s(config) -> float | None:
    from bench_job.units import parse_duration

    return parse_duration(config.run["budget"]) if config.run["budget"] else None


def _zoo_checkpoint_models(config, pretrained_only: bool = True) -> list:
    """Zoo models whose published checkpoint the assets folder holds (or should)."""
    from evaluation import PRETRAINED

    return [m for m in config.models if m.name in PRETRAINED and not m.source
            and (m.weights == "pretrained" or not pretrained_only)]


def prepare_assets(config) -> list[str]:
    """With --assets: work offline from it, and check it holds what the pretrained models need.

    Missing or corrupt assets stop the run with the fix named, or, with accuracy.optional, turn the
    affected models to random weights (efficiency figures stay valid) and say so in every row. Returns
    the warnings to log once the run log exists."""
    from evaluation import AssetsError, offline_env, require

    assets = config.run["assets"]
    if assets:
        if not os.path.isdir(assets):
            raise UserError(f"assets folder {assets} does not exist: run `bench-job fetch --assets {assets}` first")
        os.environ.update(offline_env(os.path.abspath(assets)))
    needing = _zoo_checkpoint_models(config)
    if not needing or not assets:
        return []
    try:
        require(assets, [m.name for m in needing], sorted({m.task for m in needing if m.task}), deep=False)
    except AssetsError as exc:
        if not config.data["accuracy"]["optional"]:
            raise
        for model in needing:
            model.weights = "random"
            model.weights_note = f"pretrained weights unavailable ({exc}); measured with random weights"
        return [f"{exc}: the run goes on with random weights for {', '.join(m.name for m in needing)} "
                f"(accuracy.optional); their rows say so"]
    return []


def cmd_fetch(args) -> int:
    from evaluation import DATASETS, fetch

    config = load_config(args)
    models = _zoo_checkpoint_models(config, pretrained_only=False)
    tasks = sorted({m.task for m in config.models if m.task in DATASETS})
    if not models and not tasks:
        raise UserError("nothing to fetch: none of the configured models has a published checkpoint "
                        "(zoo models do; bring your own with source: FOLDER)")
    try:
        outcome = fetch(args.assets, [m.name for m in models], tasks, progress=sys.stderr.isatty())
    except Exception as exc:  # network and hub failures: what was fetched is kept, a re-run resumes
        if user_fixable(exc):
            raise
        raise UserError(f"fetch into {args.assets} stopped ({one_line(exc, 200)}); "
                        f"check the network and run the same command again: completed items are kept") from None
    for item, what in outcome.items():
        print(f"{what}: {item}")
    print(os.path.abspath(args.assets))
    return 0


def finish(workdir: str, out: str, name: str, config_data: dict, env: dict, outcome) -> str:
    """Write outcome.json, the table, plots and report next to the records, then the bundle, named
    PARTIAL when the run did not finish. A failure to report is logged and the bundle still carries
    the raw records."""
    from bench_job.report.bundle import write_bundle
    from bench_job.report.report import write_run_report
    from bench_job.results import read_records, to_frame
    from bench_job.run_outcome import write_outcome

    write_outcome(workdir, outcome)
    try:
        records = read_records(os.path.join(workdir, "results.jsonl")) \
            if os.path.exists(os.path.join(workdir, "results.jsonl")) else []
        frame = to_frame(records)
        frame.to_csv(os.path.join(workdir, "results.csv"), index=False)
        write_run_report(frame, config_data, env, workdir, outcome)  # report.md, report.html, plots/
    except Exception:
        log.exception("writing the report failed; the bundle still holds results.jsonl")
    for handler in log.handlers:
        handler.flush()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return write_bundle(workdir, out, f"{name}-{stamp}" + ("" if outcome.complete else "-PARTIAL"))


def cmd_probe(args) -> int:
    from bench_job.device import collect_env, describe_env
    from bench_job.device_state import read_device_state
    from bench_job.power.probe import probe_power

    sysfs_root = args.sysfs_root or "/sys"
    env = collect_env(sysfs_root)
    power = probe_power(sysfs_root, args.external_csv, seconds=1.0, powercap_dir=args.powercap_dir)
    state = read_device_state(sysfs_root)
    if args.json:
        print(json.dumps(dict(env, power=power, device_state=state), indent=2, default=str))
    else:
        print("\n".join(describe_env(env) + power + [f"device state: {json.dumps(state, default=str)}"]))
    return 0


def cmd_report(args) -> int:
    from bench_job.report.command import cmd_report as run_report

    return run_report(args)


def cmd_compare(args) -> int:
    from bench_job.compare import cmd_compare as run_compare

    return run_compare(args)


COMMANDS = {"run": cmd_run, "probe": cmd_probe, "fetch": cmd_fetch, "report": cmd_report, "compare": cmd_compare}


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("bench-job: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if not user_fixable(exc):
            raise
        print(f"bench-job: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
