"""bench-job: the command line, which parses and dispatches: `run` is run/job.py's Job, `fetch`
run/assets.py's. Every user error ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench_job import __version__
from bench_job.errors import UserError, user_fixable

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, not argparse's usage block: the fix is named and --help is one step away.
        raise UserError(f"{message} (see `{self.prog} --help`)")


# flag, metavar, help: the options of `run` that take a value; each is a config layer above the YAML
_RUN_OPTIONS = (
    ("--config", None, "YAML config (e.g. configs/quick.yaml); defaults apply where it is silent"),
    ("--device", None, "laptop | rpi | jetson | auto: the device profile (sweep ranges)"),
    ("--models", None, "comma-separated model names, replacing the config's list"),
    (
        "--scenario",
        None,
        "comma-separated: sweep, single-stream, multi-stream, offline, server (MLPerf's, through LoadGen), "
        "replacing the config's scenarios",
    ),
    ("--max-worker-memory", "SIZE", "cap a worker's resident memory, e.g. 1GiB: larger configurations become `oom`"),
    ("--accelerator", None, "cpu | cuda | auto"),
    ("--assets", "DIR", "folder filled by `bench-job fetch`: pretrained weights and dev data, read offline"),
    ("--budget", "DURATION", "total time budget, e.g. 30m: repetitions per configuration shrink to fit"),
)
_SENSOR_OPTIONS = (
    ("--sysfs-root", "DIR", "read power sensors, cpufreq and thermal zones under DIR instead of /sys"),
    ("--powercap-dir", "DIR", "RAPL powercap tree, where Docker masks /sys/devices/virtual/powercap"),
    ("--external-csv", "FILE", "an external power meter's log: rows of unix_seconds,watts"),
    (
        "--host-root",
        "DIR",
        "read the host's files (etc/nv_tegra_release, etc/nvpmodel.conf, var/lib/nvpmodel/status, "
        "var/lib/dpkg/status, etc/hostname, proc/device-tree) under DIR instead of /",
    ),
)
_SENSOR_KEYS = ("sysfs_root", "powercap_dir", "external_csv", "host_root")
_SET_HELP = "override any config key, e.g. --set sweeps.vision.batch_sizes=[1,2]; repeatable"


def _add_options(parser, options) -> None:
    for flag, metavar, text in options:
        parser.add_argument(flag, metavar=metavar, help=text)


def _add_run_options(parser):
    _add_options(parser, _RUN_OPTIONS)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help=_SET_HELP)
    parser.add_argument("--out", default="results", help="folder for the bundle (default: results)")
    parser.add_argument("--threads", type=int, help="torch intra-op threads per worker")
    _add_options(parser, _SENSOR_OPTIONS)
    parser.add_argument("--verbose", action="store_true", help="debug lines on the console too")
    parser.add_argument("--check-args", action="store_true", help="check the options and the config; run nothing")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="bench-job",
        description="Edge inference benchmark: parameters, FLOPs, latency, "
        "memory, power and accuracy of a model zoo on this device.",
    )
    parser.add_argument("--version", action="version", version=f"bench-job {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_run_options(sub.add_parser("run", help="benchmark the configured models and write a results bundle"))
    fetch = sub.add_parser("fetch", help="download pretrained weights and dev data into an assets folder")
    fetch.add_argument("--assets", required=True, metavar="DIR", help="the assets folder (created if missing)")
    fetch.add_argument("--config", help="YAML config whose models to fetch for (default: the whole zoo)")
    fetch.add_argument("--models", help="comma-separated model names, replacing the config's list")
    fetch.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    fetch.add_argument("--device", help=argparse.SUPPRESS)
    probe = sub.add_parser("probe", help="print what the job sees: CPU, memory, libraries, threads")
    probe.add_argument("--json", action="store_true", help="machine-readable output")
    _add_options(probe, _SENSOR_OPTIONS)
    from bench_job.report.command import add_report_parser
    from bench_job.report.comparison.command import add_compare_parser

    add_report_parser(sub)
    add_compare_parser(sub)
    return parser


# the options that override a config key, named as the section's keys
_OVERRIDES = {"run": ("threads", "max_worker_memory", "accelerator", "budget", "assets"), "power": _SENSOR_KEYS}


def load_config(args):
    from bench_job import config as cfg

    sets = list(args.sets)
    # `--models ""` (an unset shell variable) asks for no model and is refused, never the whole zoo.
    if args.models is not None:
        sets.append(cfg.models_layer(args.config, args.models))
    if getattr(args, "scenario", None) is not None:  # `fetch` has no --scenario
        sets.append(cfg.scenarios_layer(args.scenario))
    given = [(f"{section}.{key}", getattr(args, key, None)) for section, keys in _OVERRIDES.items() for key in keys]
    overrides = {key: value for key, value in given if value is not None}
    return cfg.resolve(args.config, device=args.device, sets=sets, overrides=overrides)


def cmd_run(args) -> int:
    from bench_job.run import stack_dump
    from bench_job.run.job import Job, utc_now

    stack_dump.install_in_job()
    started, started_at = time.monotonic(), utc_now()  # the --budget counts from the command's start
    config = load_config(args)
    if args.check_args:  # the container's fetch step asks this first (docker/entrypoint.sh)
        print(f"bench-job run: arguments ok ({len(config.models)} model(s))")
        return 0
    outcome = Job(config, args.out, verbose=args.verbose, started=started, started_at=started_at).run()
    print(outcome.bundle)
    return outcome.exit_code


def cmd_fetch(args) -> int:
    from bench_job.run.assets import fetch_assets

    return fetch_assets(load_config(args), args.assets)


def cmd_probe(args) -> int:
    from bench_job.host.device import probe

    print(
        probe(
            args.sysfs_root or "/sys",
            args.external_csv,
            args.powercap_dir,
            as_json=args.json,
            host_root=args.host_root or "/",
        )
    )
    return 0


def _lazy(module: str, name: str):  # a command implemented elsewhere, imported only when it runs
    return lambda args: getattr(importlib.import_module(module), name)(args)


COMMANDS = {
    "run": cmd_run,
    "probe": cmd_probe,
    "fetch": cmd_fetch,
    "report": _lazy("bench_job.report.command", "cmd_report"),
    "compare": _lazy("bench_job.report.comparison.command", "cmd_compare"),
}


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
