"""The job on a busy machine against the same job on a quiet one, side by side in one run.

A CPU hog (one busy process: one core's worth) switches on and off (2 s on, 2 s off by default) while
the job runs; the same job also runs with the hog stopped. Runs alternate quiet / busy (and, to show
what the waiting and redoing buys, busy with `measure.patience_s=0`, where disturbed rounds are kept as
measured) in ABBA order over several pairs, so that the machine's own drift hits every arm alike.

For ResNet18 and MobileNetV2 at batch 1 (224 px) it prints the median over pairs of the ratio of the
busy job's median latency to the quiet job's, and the share of the busy job's rows that end valid.
Goal (issue 10): ratios within 5% of 1 and at least 80% of rows valid.

    python benchmarks/busy_machine.py [--pairs 4] [--on 2] [--off 2] [--config configs/quick.yaml]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

MODELS = ("resnet18", "mobilenet_v2")
HEADLINE = "b1|s224"   # batch 1 at 224 px: the key suffix of the configuration the goal is about

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
    command = [sys.executable, "-m", "bench_job", "run", "--config", config, "--models", ",".join(MODELS),
               "--out", out, *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench-job failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    bundle = done.stdout.strip().splitlines()[-1]
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("results.jsonl"))
        return [json.loads(line) for line in tar.extractfile(member).read().decode().splitlines()]


def headline_medians(records: list) -> dict:
    return {r["model"]: r["latency_median_s"] for r in records
            if r["status"] == "ok" and r["key"].endswith(HEADLINE)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--on", type=float, default=2.0, help="seconds the hog spins")
    parser.add_argument("--off", type=float, default=2.0, help="seconds the hog sleeps")
    parser.add_argument("--config", default="configs/quick.yaml")
    args = parser.parse_args()
    arms = {"quiet": ([], False), "busy": ([], True), "busy, no redo": (["--set", "measure.patience_s=0"], True)}
    results = {arm: [] for arm in arms}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="busy-machine-") as scratch:
        for pair in range(args.pairs):
            order = list(arms) if pair % 2 == 0 else list(arms)[::-1]
            for arm in order:
                extra, busy = arms[arm]
                hog = subprocess.Popen([sys.executable, "-c", HOG, str(args.on), str(args.off)]) if busy else None
                try:
                    records = run_job(args.config, os.path.join(scratch, f"{arm}-{pair}"), extra)
                finally:
                    if hog:
                        hog.kill()
                        hog.wait()
                results[arm].append(records)
                print(f"pair {pair + 1}/{args.pairs} {arm:<14} " + ", ".join(
                    f"{m} {v * 1e3:.2f} ms" for m, v in headline_medians(records).items()), flush=True)
    print(f"\n{args.pairs} pairs in {time.monotonic() - started:.0f} s; hog {args.on:g} s on / {args.off:g} s off; "
          f"config {args.config}, models {', '.join(MODELS)}")
    print(f"{'arm':<16}{'model':<14}{'median ratio to quiet':>22}  {'range':<13}{'rows valid':>11}")
    verdict = True
    for arm in ("busy", "busy, no redo"):
        rows = [r for records in results[arm] for r in records if r["status"] == "ok"]
        valid = sum(1 for r in rows if r["valid"]) / len(rows) if rows else 0.0
        for model in MODELS:
            ratios = [headline_medians(b)[model] / headline_medians(q)[model]
                      for b, q in zip(results[arm], results["quiet"])]
            ratio = statistics.median(ratios)
            print(f"{arm:<16}{model:<14}{ratio:>22.3f}  {min(ratios):.3f}-{max(ratios):.3f}  {valid:>10.0%}")
            if arm == "busy":
                verdict = verdict and abs(ratio - 1) <= 0.05
        if arm == "busy":
            verdict = verdict and valid >= 0.8
    quiet_rows = [r for records in results["quiet"] for r in records if r["status"] == "ok"]
    print(f"quiet arm: {sum(1 for r in quiet_rows if r['valid']) / len(quiet_rows):.0%} of rows valid")
    print(f"goal (busy within 5% of quiet, >= 80% of rows valid): {'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
