"""MLPerf's scenarios through LoadGen against the job's own sweep, side by side in one run of the real job.

Each round is one run of the real CLI (`bench-job run`) measuring, in the same worker and on the same warm model, the
sweep (batch 1, 2, 4, 8 at 224 px) and LoadGen's SingleStream and Offline (quick rules) of ResNet18 and MobileNetV2,
eager fp32 and ONNX Runtime fp32. Per round and configuration it pairs:
- SingleStream p50 (LoadGen's median query latency at batch 1) / the sweep's median at batch 1, 224 px: the goal is
  the median of these paired ratios within 5% of 1;
- what LoadGen's Python SUT costs per query: 1 / LoadGen's QPS with its overhead and without it, against the bare
  loop's time per pass (the sweep's median: back-to-back passes with nothing between them);
- Offline samples/s / the sweep's best batch throughput (batch / median, the best of 1, 2, 4, 8) with the SUT's batch
  (loadgen.max_batch_size 8): the ratio, and the reasons it is below 1 printed beside it (the SUT gathers each batch
  from the sample pool, a copy the sweep's bound inputs never make; LoadGen answers and logs each sample; the Offline
  query runs for its whole minimum duration while the sweep's median takes the best-behaved half of its passes).

    python benchmarks/loadgen_vs_sweep.py [--rounds 3] [--threads 2] [--duration 10] [--models resnet18,mobilenet_v2]
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

import yaml

GOAL = 0.05  # SingleStream p50 within 5% of the sweep's median
RUNTIMES = ("eager", "onnxruntime")


def job_config(models: list, duration: float) -> dict:
    return {
        "models": models,
        "variants": [{"precision": "fp32", "runtime": runtime} for runtime in RUNTIMES],
        "sweeps": {"vision": {"batch_sizes": [1, 2, 4, 8], "input_size": 224, "input_sizes": [224]}},
        "scenarios": ["sweep", "single-stream", "offline"],
        "loadgen": {"quick_min_duration_s": duration, "max_batch_size": 8},
        "accuracy": {"enabled": False},
        "sustained": {"models": []},
    }


def run_round(config_path: str, out: str, threads: int) -> list:
    """One run of the real job; its records."""
    command = [sys.executable, "-m", "bench_job", "run", "--config", config_path, "--out", out, "--device", "laptop"]
    command += ["--threads", str(threads)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the job failed ({result.returncode}): {result.stderr.strip().splitlines()[-1:]}")
    bundle = result.stdout.strip().splitlines()[-1]
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/results.jsonl"))
        return [json.loads(line) for line in tar.extractfile(member).read().decode().splitlines() if line.strip()]


def figures(records: list) -> dict:
    """{(model, runtime): the paired figures of one round}."""
    out = {}
    by_variant = {}
    for r in records:
        if r.get("status") == "ok":
            by_variant.setdefault((r["model"], r["runtime"]), []).append(r)
    for variant, rows in by_variant.items():
        sweep = {r["batch_size"]: r for r in rows if r["scenario"] == "sweep"}
        single = next(r for r in rows if r["scenario"] == "single-stream")
        offline = next(r for r in rows if r["scenario"] == "offline")
        median_b1 = sweep[1]["latency_median_s"]
        best = max(sweep.values(), key=lambda r: r["batch_size"] / r["latency_median_s"])
        out[variant] = {
            "sweep_median_ms": median_b1 * 1e3,
            "ss_p50_ms": single["loadgen_p50_s"] * 1e3,
            "ss_ratio": single["loadgen_p50_s"] / median_b1,
            "ss_verdict": single["loadgen_result"],
            "per_query_with_ms": 1e3 / single["loadgen_qps_with_overhead"],
            "per_query_without_ms": 1e3 / single["loadgen_qps_without_overhead"],
            "offline_sps": offline["loadgen_samples_per_s"],
            "best_sweep_sps": best["batch_size"] / best["latency_median_s"],
            "best_batch": best["batch_size"],
            "offline_ratio": offline["loadgen_samples_per_s"] * best["latency_median_s"] / best["batch_size"],
            "other_cpu": max(single.get("other_cpu_share") or 0, sweep[1].get("other_cpu_share") or 0),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="loadgen.quick_min_duration_s")
    parser.add_argument("--models", default="resnet18,mobilenet_v2")
    args = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "config.yaml")
        with open(path, "w") as handle:
            yaml.safe_dump(job_config(args.models.split(","), args.duration), handle)
        for index in range(args.rounds):
            rounds.append(figures(run_round(path, os.path.join(work, f"round{index}"), args.threads)))
            print(f"round {index + 1} of {args.rounds} done", file=sys.stderr)
    met = True
    print(
        f"{'model':14} {'runtime':12} {'sweep b1':>9} {'SS p50':>8} {'SS/sweep':>9} {'per query w/ | w/o LG':>22} "
        f"{'offline':>9} {'best sweep':>15} {'off/best':>8}  other CPU"
    )
    for variant in rounds[0]:
        per = [r[variant] for r in rounds if variant in r]

        def med(key, per=per):
            return statistics.median(p[key] for p in per)

        ratio = med("ss_ratio")
        met &= abs(ratio - 1) <= GOAL
        print(
            f"{variant[0]:14} {variant[1]:12} {med('sweep_median_ms'):7.2f}ms {med('ss_p50_ms'):6.2f}ms "
            f"{ratio:9.3f} {med('per_query_with_ms'):9.2f} | {med('per_query_without_ms'):6.2f} ms "
            f"{med('offline_sps'):7.1f}/s {med('best_sweep_sps'):7.1f}/s (b{per[0]['best_batch']}) "
            f"{med('offline_ratio'):8.3f}  {max(p['other_cpu'] for p in per):.0%}"
        )
        per_round = ", ".join("%.3f" % p["ss_ratio"] for p in per)
        verdicts = ", ".join(p["ss_verdict"] for p in per)
        print(f"{'':27} SS/sweep per round: {per_round}; SingleStream {verdicts}")
    print(
        f"goal: SingleStream p50 within {GOAL:.0%} of the sweep's median (median of {len(rounds)} paired rounds): "
        + ("met" if met else "NOT met")
    )
    print(
        "Offline below the best sweep throughput: the SUT gathers each batch from the sample pool (a copy), LoadGen "
        "answers and logs every sample, and the query runs its whole duration where the sweep keeps a median"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
