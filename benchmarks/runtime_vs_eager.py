"""ONNX Runtime against eager PyTorch, side by side in one run, through bench_job's own runtime code.

Per zoo model (random weights, the released architecture configs; 224 px images, 128-token sentences):
the wait before the first number (ONNX export, session creation, first inference at batch 1), and the
outputs of ONNX Runtime against eager's on the same inputs (max absolute difference and its ratio to the
output's scale; tolerance 1e-3 for fp32). For ResNet18, MobileNetV2, BERT-base and DistilBERT, the latency
at batch 1 and batch 8 in alternating rounds (eager then ONNX Runtime, then the other way round), each
round's ratio ONNX Runtime / eager paired, and the median of those ratios. Both run with the same intra-op
thread count. For the vision models a third arm runs eager with denormal floats flushed to zero: random-init
weights drive some activations into denormals, which eager's CPU kernels compute slowly.

    python benchmarks/runtime_vs_eager.py [--rounds 5] [--threads 2] [--min-time 0.5] [--models a,b]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch

from bench_job import config as cfg
from bench_job.catalogue import Variant
from bench_job.families import FAMILIES
from bench_job.runtimes import RUNTIMES, RuntimeFailed
from bench_job.runtimes.base import first_output
from bench_job.runtimes.fidelity import output_fidelity

RATIO_MODELS = ["resnet18", "mobilenet_v2", "bert-base-uncased", "distilbert-base-uncased"]
SIZES = {"torchvision": 224, "transformers": 128}


def median_time(run, min_time: float, min_runs: int = 3) -> float:
    timings, started = [], time.perf_counter()
    while len(timings) < min_runs or time.perf_counter() - started < min_time:
        start = time.perf_counter_ns()
        run()
        timings.append((time.perf_counter_ns() - start) / 1e9)
    return statistics.median(timings)


def eager_call(model, inputs, flush_denormal: bool):
    def run():
        torch.set_flush_denormal(flush_denormal)
        try:
            model(**inputs)
        finally:
            torch.set_flush_denormal(False)

    return run


def deploy(entry, model, family, threads: int):
    """(the ONNX Runtime Prepared, first-inference seconds at batch 1, fidelity at batch 1 and 8) or the failure."""
    size = SIZES[entry.family]
    with tempfile.TemporaryDirectory() as workdir:
        prepared = RUNTIMES["onnxruntime"].prepare(
            model,
            family.make_inputs(model, 2, size, 0),
            Variant("fp32-onnxruntime", runtime="onnxruntime"),
            "cpu",
            threads,
            workdir,
        )
    inputs = family.make_inputs(model, 1, size, 1)
    bound = prepared.bind(inputs)
    start = time.perf_counter()
    output = bound()
    first = time.perf_counter() - start
    fidelity = []
    for batch in (1, 8):
        batch_inputs = inputs if batch == 1 else family.make_inputs(model, batch, size, 2)
        out = output if batch == 1 else prepared.bind(batch_inputs)()
        with torch.inference_mode():
            reference = first_output(model(**batch_inputs))
        fidelity.append(output_fidelity(reference, prepared.output(out), "fp32"))
    return prepared, first, fidelity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per arm per round (3 runs at least)")
    parser.add_argument("--models", help="comma-separated zoo models (default: the whole zoo)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    entries = cfg.resolve(None, device="laptop").models
    if args.models:
        entries = [e for e in entries if e.name in args.models.split(",")]
    print(
        f"torch {torch.__version__}, onnxruntime {__import__('onnxruntime').__version__}, {args.threads} intra-op "
        f"threads for both, random weights"
    )
    print(
        f"\n{'model':<26}{'export s':>9}{'session s':>10}{'first s':>9}{'wait s':>8}  max |ORT-eager| (/scale) b1; b8"
    )
    deployed = {}
    for entry in entries:
        family = FAMILIES[entry.family]
        model = family.build(entry, "random", 0).eval()
        try:
            prepared, first, fidelity = deploy(entry, model, family, args.threads)
        except RuntimeFailed as exc:
            print(f"{entry.name:<26}error: {exc}", flush=True)
            continue
        agree = "; ".join(f"{f['output_max_abs_diff']:.1e} ({f['output_rel_diff']:.1e})" for f in fidelity)
        within = all(f["output_rel_diff"] <= f["output_tolerance"] for f in fidelity)
        print(
            f"{entry.name:<26}{prepared.export_s:>9.1f}{prepared.session_s:>10.2f}{first:>9.3f}"
            f"{prepared.export_s + prepared.session_s + first:>8.1f}  {agree} {'within' if within else 'BEYOND'} "
            f"tolerance{' (fixed shape)' if prepared.fixed_shape else ''}",
            flush=True,
        )
        if entry.name in RATIO_MODELS:
            deployed[entry.name] = (entry, model, family, prepared)
    print(f"\nONNX Runtime / eager latency, median of {args.rounds} paired rounds (range over rounds)")
    print(
        f"{'model':<26}{'batch':>6}{'eager ms':>10}{'ORT ms':>9}{'ORT/eager':>11}  range"
        f"{'':>12}eager flush-denormal ms, ORT/that"
    )
    for name, (entry, model, family, prepared) in deployed.items():
        vision = entry.family == "torchvision"
        for batch in (1, 8):
            inputs = family.make_inputs(model, batch, SIZES[entry.family], 3)
            arms = {"eager": eager_call(model, inputs, False), "ort": prepared.bind(inputs)}
            if vision:
                arms["flush"] = eager_call(model, inputs, True)
            for run in arms.values():
                run()  # warm-up
            rounds = []
            with torch.inference_mode():
                for index in range(args.rounds):
                    order = list(arms) if index % 2 == 0 else list(reversed(arms))
                    rounds.append({arm: median_time(arms[arm], args.min_time) for arm in order})
            ratios = [r["ort"] / r["eager"] for r in rounds]
            line = (
                f"{name:<26}{batch:>6}{statistics.median(r['eager'] for r in rounds) * 1e3:>10.1f}"
                f"{statistics.median(r['ort'] for r in rounds) * 1e3:>9.1f}{statistics.median(ratios):>11.2f}  "
                f"{min(ratios):.2f}-{max(ratios):.2f}"
            )
            if vision:
                flush_ratios = [r["ort"] / r["flush"] for r in rounds]
                line += (
                    f"{'':>8}{statistics.median(r['flush'] for r in rounds) * 1e3:.1f}, "
                    f"{statistics.median(flush_ratios):.2f}"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
