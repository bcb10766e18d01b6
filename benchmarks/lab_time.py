"""The lab as a user runs it: `bench-job run --config configs/lab.yaml` (what `make lab` runs), timed from outside.

Prints the wall time, the rows and the share of them valid, and where the time went: per model, its
configurations, the seconds from its first configuration's start to its last record, the timed runs and
kept rounds, the time spent in timing rounds, warm-up and the first (cold) run, and why each configuration
stopped (stop_reason: ci_target, time_budget, max_runs). Goal (issue 25): the whole lab in at most 15 min
on a 2-core machine with at least 90% of its rows valid. --models runs a subset for a quick look at the
profile; the goal is judged on the whole lab only. A shared machine makes the figure pessimistic: note the
load (uptime) before and after.

    python benchmarks/lab_time.py [--models resnet18,longformer-base-4096] [--keep DIR] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

GOAL_S = 15 * 60
GOAL_VALID = 0.90


def run_lab(config: str, out: str, models: str | None, overrides: list, log_path: str) -> tuple[float, str, int]:
    """Run the real CLI, its console lines copied to log_path with the seconds since start; returns (wall
    seconds, the bundle's path: the last line it prints, exit code)."""
    command = [sys.executable, "-m", "bench_job", "run", "--config", config, "--out", out]
    if models:
        command += ["--models", models]
    for override in overrides:
        command += ["--set", override]
    started = time.monotonic()
    last = ""
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        for line in process.stdout:
            log.write(f"{time.monotonic() - started:8.1f} {line}")
            log.flush()
            if line.strip():
                last = line.strip()
        code = process.wait()
    return time.monotonic() - started, last, code


def read_records(bundle: str) -> list:
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("results.jsonl"))
        return [json.loads(line) for line in tar.extractfile(member).read().decode().splitlines() if line.strip()]


def model_profile(rows: list) -> dict:
    """Where one model's time went, from its records."""
    starts = [datetime.datetime.fromisoformat(r["started_at"]).timestamp() for r in rows if r.get("started_at")]
    ends = [s + (r.get("duration_s") or 0) for s, r in zip(starts, rows)]
    timed = [r for r in rows if r.get("status") == "ok"]
    return {
        "configs": len(rows),
        "span_s": max(ends) - min(starts) if starts else 0.0,
        "runs": sum(r.get("n_runs") or 0 for r in timed),
        "rounds": sum(r.get("rounds") or 0 for r in timed),
        "redone": sum(r.get("rounds_redone") or 0 for r in timed),
        "rounds_s": sum(d["seconds"] for r in timed for d in r.get("rounds_detail") or []),
        "waited_s": sum(r.get("quiet_wait_s") or 0 for r in timed),
        "warmup_s": sum(sum(r.get("warmup_s") or []) for r in timed),
        "first_s": sum(r.get("first_inference_s") or 0 for r in timed),
        "valid": sum(1 for r in rows if r.get("valid")),
        "stops": collections.Counter(r.get("stop_reason") or r.get("status") for r in rows),
    }


def print_profile(records: list) -> None:
    by_model = collections.defaultdict(list)
    for record in records:
        by_model[record["model"]].append(record)
    header = "model                    configs  span_s  runs rounds redone rounds_s waited_s warmup_s first_s valid"
    print(header + "  stop reasons")
    for model, rows in by_model.items():
        p = model_profile(rows)
        stops = ", ".join(f"{reason} {count}" for reason, count in sorted(p["stops"].items()))
        print(
            f"{model:<24} {p['configs']:>7} {p['span_s']:>7.0f} {p['runs']:>5} {p['rounds']:>6} {p['redone']:>6} "
            f"{p['rounds_s']:>8.0f} {p['waited_s']:>8.0f} {p['warmup_s']:>8.0f} {p['first_s']:>7.0f} "
            f"{p['valid']:>3}/{p['configs']:<3} {stops}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/lab.yaml", help="the lab's config (make lab's)")
    parser.add_argument("--models", help="a subset of the lab's models (a quick look: the goal needs them all)")
    parser.add_argument("--set", action="append", default=[], dest="overrides", help="passed to bench-job run")
    parser.add_argument("--keep", help="folder for the bundle and console log (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lab-time-") as scratch:
        out = args.keep or scratch
        os.makedirs(out, exist_ok=True)
        log_path = os.path.join(out, "console.log")
        load_before = os.getloadavg()
        wall_s, bundle, code = run_lab(args.config, out, args.models, args.overrides, log_path)
        load_after = os.getloadavg()
        if not bundle.endswith(".tar.gz"):
            raise SystemExit(f"bench-job ended with {code} and no bundle; its console is in {log_path}: {bundle}")
        records = read_records(bundle)
        print_profile(records)
    valid = sum(1 for r in records if r.get("valid"))
    share = valid / len(records) if records else 0.0
    minutes, seconds = divmod(round(wall_s), 60)
    print(
        f"\n{args.config}{' --models ' + args.models if args.models else ''}: {minutes} min {seconds:02d} s wall, "
        f"{len(records)} rows, {valid} valid ({share:.0%}), exit {code}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs)"
    )
    if args.models or args.overrides:
        print("goal not judged: it is about the whole lab as configured")
        return
    if "PARTIAL" in os.path.basename(bundle):
        print("goal not judged: the run was stopped before every configuration was measured")
        return
    met = wall_s <= GOAL_S and share >= GOAL_VALID
    print(
        f"goal (<= {GOAL_S // 60} min, >= {GOAL_VALID:.0%} valid): {'met' if met else 'NOT met'} "
        f"({'within' if wall_s <= GOAL_S else 'over'} time, {'enough' if share >= GOAL_VALID else 'too few'} valid)"
    )


if __name__ == "__main__":
    main()
