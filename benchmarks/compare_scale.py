"""How long `bench-job compare` takes for a class: 2, 10 and 100 bundles, each a copy of one real bundle
labelled as another device (env.json's device_kind cycles laptop, rpi, jetson; hostname group000...), packed
as `bench-job run` packs them (report/bundle.py's member order: data first; --old-order packs them by name,
as bundles written before that order were). Each count is timed as the user runs it (a fresh `python -m
bench_job compare` process: start-up, reading, merge, report and plots), alternating run by run with its
reference so both see the same machine:

- 100 bundles (every count above 2) against unpacking the same tarballs with `tar -xzf`, one after the
  other: the floor any reader pays. Goal: compare within 2x of it.
- 2 bundles against the start-up of `bench-job report`: a fresh interpreter that builds the CLI's parser
  and imports the report command's modules (`bench_job.report.run_report`, hence pandas and matplotlib), i.e.
  all a report pays before it opens its bundle. Not `bench-job report --help`: that builds the parser
  only, and since compare's module no longer imports pandas at parse time it measures argparse, not the
  libraries any report or comparison must load to draw. Goal: compare within 2x of it.

    python benchmarks/compare_scale.py [--bundle results/laptop-....tar.gz] [--counts 2,10,100] [--repeats 3] \
        [--old-order]

Without --bundle, a tiny real run (squeezenet1_1 and resnet18, two batch sizes, two input sizes) makes one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

# This checkout's bench_job, for the import below and for every process timed (not an installed copy).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))

from bench_job.bundle.write import member_order  # noqa: E402

KINDS = ("laptop", "rpi", "jetson")
GOAL = 2.0
# What `bench-job report` runs before it opens a bundle: the CLI's parser, then cmd_report's import.
REPORT_STARTUP = "from bench_job.cli import build_parser; build_parser(); import bench_job.report.run_report"
TINY_RUN = [
    "--models",
    "squeezenet1_1,resnet18",
    "--set",
    "sweeps.vision.batch_sizes=[1,2]",
    "--set",
    "sweeps.vision.input_size=64",
    "--set",
    "sweeps.vision.input_sizes=[32,64]",
    "--set",
    "measure.max_time_per_config_s=0.3",
    "--threads",
    "1",
]


def make_bundle(scratch: str) -> str:
    out = os.path.join(scratch, "source-run")
    proc = subprocess.run(
        [sys.executable, "-m", "bench_job", "run", "--device", "laptop", "--out", out, *TINY_RUN],
        capture_output=True,
        text=True,
        env=dict(ENV, HF_HUB_OFFLINE="1"),
    )
    if proc.returncode != 0:
        sys.exit(f"the tiny run that makes a bundle failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip().splitlines()[-1]


def unpack(bundle: str, into: str) -> str:
    with tarfile.open(bundle) as tar:
        tar.extractall(into, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (top,) = os.listdir(into)
    return os.path.join(into, top)


def copies(root: str, count: int, folder: str, old_order: bool = False) -> list:
    """count tarballs of the bundle at root, each one another device's, packed in the writer's member order
    (or by name: old_order)."""
    env = json.load(open(os.path.join(root, "env.json")))
    os.makedirs(folder)
    entries = sorted(os.listdir(root)) if old_order else member_order(os.listdir(root))
    paths = []
    for i in range(count):
        name = f"{KINDS[i % 3]}-group{i:03d}-copy"
        path = os.path.join(folder, f"{name}.tar.gz")
        env_path = os.path.join(folder, "env.json")
        with open(env_path, "w") as handle:
            json.dump(dict(env, device_kind=KINDS[i % 3], hostname=f"group{i:03d}"), handle)
        with tarfile.open(path, "w:gz") as tar:
            for entry in entries:
                tar.add(env_path if entry == "env.json" else os.path.join(root, entry), arcname=f"{name}/{entry}")
        os.remove(env_path)
        paths.append(path)
    return paths


def timed(cmd, **kwargs) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kwargs)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} ... failed:\n{proc.stderr[-2000:]}")
    return seconds


def alternating(commands: dict, repeats: int) -> dict:
    """{name: [seconds per run]}: the commands run in turn, repeats rounds, so a busy moment of the machine
    slows each of them rather than one. A command may be a function returning the list to run (fresh
    output folders)."""
    seconds = {name: [] for name in commands}
    for _ in range(repeats):
        for name, cmd in commands.items():
            seconds[name].append(timed(cmd() if callable(cmd) else cmd))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", help="a real bundle (.tar.gz); default: make one with a tiny run")
    parser.add_argument("--counts", default="2,10,100")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--old-order",
        action="store_true",
        help="pack the copies by member name, as bundles written before the data-first order were",
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    with tempfile.TemporaryDirectory(prefix="compare-scale-") as scratch:
        bundle = args.bundle or make_bundle(scratch)
        root = unpack(bundle, os.path.join(scratch, "source"))
        rows = sum(1 for line in open(os.path.join(root, "results.jsonl")) if line.strip())
        print(
            f"bundle {os.path.basename(bundle)}: {rows} records; copies packed "
            f"{'by name (old order)' if args.old_order else 'data first (writer order)'}; "
            f"{args.repeats} alternating runs per count; medians"
        )
        print(
            f"{'bundles':>8} {'compare (s)':>12} {'min (s)':>8} {'reference':>24} {'ref (s)':>8} {'ratio':>6} "
            f"{'goal':>6}"
        )
        verdicts = []
        for count in counts:
            paths = copies(root, count, os.path.join(scratch, f"copies-{count}"), args.old_order)
            runs = iter(range(10**6))

            def compare(count=count, paths=paths, runs=runs):
                return [
                    sys.executable,
                    "-m",
                    "bench_job",
                    "compare",
                    *paths,
                    "--out",
                    os.path.join(scratch, f"out-{count}-{next(runs)}"),
                ]

            if count <= 2:
                reference = "report start-up"
                ref_cmd = [sys.executable, "-c", REPORT_STARTUP]
            else:
                reference = f"tar -xzf of the {count}"

                def ref_cmd(count=count, paths=paths, runs=runs):
                    target = os.path.join(scratch, f"untar-{count}-{next(runs)}")
                    os.makedirs(target)
                    return ["sh", "-c", 'for f in "$@"; do tar -xzf "$f" -C "$0"; done', target, *paths]

            seconds = alternating({"compare": compare, "reference": ref_cmd}, args.repeats)
            took, ref = statistics.median(seconds["compare"]), statistics.median(seconds["reference"])
            ratio = took / ref
            goal = count == 2 or count >= 100
            print(
                f"{count:>8} {took:>12.2f} {min(seconds['compare']):>8.2f} {reference:>24} {ref:>8.2f} "
                f"{ratio:>5.1f}x {(f'<={GOAL:g}x' if goal else '-'):>6}"
            )
            if goal:
                verdicts.append(
                    f"{count} bundles: {ratio:.1f}x {reference} "
                    f"({'within' if ratio <= GOAL else 'over'} the {GOAL:g}x goal)"
                )
        print("; ".join(verdicts))


if __name__ == "__main__":
    main()
