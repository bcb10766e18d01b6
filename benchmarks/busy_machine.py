"""The job on a busy machine against the same job on a quiet one, side by side in one run.

A CPU hog (one busy process: one core's worth) switches on and off (2 s on, 2 s off by default) while
the job runs; the same job also runs with the hog stopped. Arms: quiet; quiet again (the control: how
far two quiet runs of one machine differ); busy; and busy with `measure.patience_s=0`, where disturbed
rounds are kept as measured (what the waiting and redoing buys). They run in ABBA order over several
sets, so that the machine's own drift hits every arm alike.

For ResNet18 and MobileNetV2 at batch 1 (224 px) it prints, per arm, the median over sets of the ratio
of that arm's median latency to the quiet arm's, and the same for the shape of the sweep inside one job
(batch 2 over batch 1, 224 px over 128 px: what interleaved rounds protect), and the share of rows that
end valid. Goal (issue 10): busy within 5% of quiet and at least 80% of busy rows valid. On a shared
VM two quiet runs can differ by more than that; the control arm says by how much.

    python benchmarks/busy_machine.py [--sets 6] [--on 2] [--off 2] [--config configs/quick.yaml]
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

from bench_job.measure.validity import reason_groups

MODELS = ("resnet18", "mobilenet_v2")
HEADLINE = "b1|s224"  # batch 1 at 224 px: the key suffix of the configuration the goal is about
# The shape of a sweep inside one job: (name, numerator key suffix, denominator key suffix).
SHAPES = [("b2/b1", "b2|s224", "b1|s224"), ("224/128 px", "b1|s224", "b1|s128")]

HOG = """
import sys, time
on, off = float(sys.argv[1]), float(sys.argv[2])
while True:
    started = time.monotonic()
    while time.monotonic() - started < on:
        pass
    time.sleep(off)
"""


def run_job(config: str, out: str, extra: list) -> list:
    """Run bench-job for real; returns the records of its bundle."""
    command = [
        sys.executable,
        "-m",
        "bench_job",
        "run",
        "--config",
        config,
        "--models",
        ",".join(MODELS),
        "--out",
        out,
        *extra,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench-job failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    bundle = done.stdout.strip().splitlines()[-1]
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("results.jsonl"))
        return [json.loads(line) for line in tar.extractfile(member).read().decode().splitlines()]


def medians(records: list, suffix: str = HEADLINE) -> dict:
    return {r["model"]: r["latency_median_s"] for r in records if r["status"] == "ok" and r["key"].endswith(suffix)}


def shape(records: list, model: str, numerator: str, denominator: str) -> float:
    return medians(records, numerator)[model] / medians(records, denominator)[model]


def ratio_line(arm: str, what: str, ratios: list) -> str:
    ratio = statistics.median(ratios)
    return f"{arm:<16}{what:<26}{ratio:>8.3f}  {min(ratios):.3f}-{max(ratios):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=6, help="rounds of every arm, in ABBA order")
    parser.add_argument("--on", type=float, default=2.0, help="seconds the hog spins")
    parser.add_argument("--off", type=float, default=2.0, help="seconds the hog sleeps")
    parser.add_argument("--config", default="configs/quick.yaml")
    args = parser.parse_args()
    arms = {
        "quiet": ([], False),
        "quiet again": ([], False),
        "busy": ([], True),
        "busy, no redo": (["--set", "measure.patience_s=0"], True),
    }
    results = {arm: [] for arm in arms}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="busy-machine-") as scratch:
        for index in range(args.sets):
            for arm in list(arms) if index % 2 == 0 else list(arms)[::-1]:
                extra, busy = arms[arm]
                hog = subprocess.Popen([sys.executable, "-c", HOG, str(args.on), str(args.off)]) if busy else None
                try:
                    records = run_job(args.config, os.path.join(scratch, f"{arm}-{index}"), extra)
                finally:
                    if hog:
                        hog.kill()
                        hog.wait()
                results[arm].append(records)
                print(
                    f"set {index + 1}/{args.sets} {arm:<14} "
                    + ", ".join(f"{m} {v * 1e3:.2f} ms" for m, v in medians(records).items()),
                    flush=True,
                )
    print(
        f"\n{args.sets} sets in {time.monotonic() - started:.0f} s; hog {args.on:g} s on / {args.off:g} s off; "
        f"config {args.config}, models {', '.join(MODELS)}"
    )
    print(f"{'arm':<16}{'ratio to quiet, of':<26}{'median':>8}  range over sets")
    goal_met = True
    for arm in ("quiet again", "busy", "busy, no redo"):
        for model in MODELS:
            ratios = [medians(a)[model] / medians(q)[model] for a, q in zip(results[arm], results["quiet"])]
            print(ratio_line(arm, f"{model} b1 median", ratios))
            if arm == "busy":
                goal_met = goal_met and abs(statistics.median(ratios) - 1) <= 0.05
            for name, numerator, denominator in SHAPES:
                ratios = [
                    shape(a, model, numerator, denominator) / shape(q, model, numerator, denominator)
                    for a, q in zip(results[arm], results["quiet"])
                ]
                print(ratio_line(arm, f"{model} {name}", ratios))
    print(f"\n{'arm':<16}rows valid")
    for arm in arms:
        rows = [r for records in results[arm] for r in records if r["status"] == "ok"]
        valid = sum(1 for r in rows if r["valid"]) / len(rows)
        reasons = reason_groups(r["invalid_reasons"] for r in rows if r["invalid_reasons"])
        print(
            f"{arm:<16}{valid:.0%} of {len(rows)}; set aside: {sum(r['rounds_redone'] for r in rows)} rounds, "
            f"{sum(r['runs_set_aside'] for r in rows)} runs; not valid: "
            + ("; ".join(f"{reason} ({count})" for reason, count in reasons) or "none")
        )
        if arm == "busy":
            goal_met = goal_met and valid >= 0.8
    print(f"goal (busy b1 medians within 5% of quiet, >= 80% of busy rows valid): {'met' if goal_met else 'NOT met'}")


if __name__ == "__main__":
    main()
