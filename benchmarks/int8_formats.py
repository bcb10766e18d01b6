"""Static int8 formats of ONNX Runtime against fp32 and against the job's own int8, paired in one run.

Per model (ResNet18, MobileNetV2; random weights; 224 px; batch 1; the same intra-op threads everywhere): fp32
ONNX Runtime, a second fp32 session of the same model (the null pair: its spread is the noise band), each static
int8 format ONNX Runtime offers on the CPU (S8S8 and U8S8, QDQ and QOperator, U8S8 with and without 7-bit weights
(reduce_range)), all quantized by the job's own quantize() with the job's synthetic calibration, and the job's own
int8 variant (RUNTIMES["onnxruntime"].prepare with int8, the format chosen for this CPU). Rounds alternate the
order of the arms (rotated, and reversed every other round); each round's latency of an arm over fp32's in the
same round is its ratio; the table prints the median ratio and its range over rounds, and each format's outputs
against eager PyTorch's (relative to the output's scale, as the job's fidelity check). The verdict: whether the
job's int8 is no slower than the fastest int8 format, within the noise band (the null pair's largest deviation
from 1 over rounds).

    python benchmarks/int8_formats.py [--rounds 7] [--threads 2] [--min-time 0.5] [--models resnet18,mobilenet_v2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import torch

from bench_job import config as cfg
from bench_job.config import Variant
from bench_job.families import FAMILIES
from bench_job.runtimes import RUNTIMES
from bench_job.runtimes.base import first_output
from bench_job.runtimes.calibration import synthetic_calibration
from bench_job.runtimes.fidelity import output_fidelity
from bench_job.runtimes.int8_format import Int8Format, this_cpu_format
from bench_job.runtimes.onnx_export import export_onnx
from bench_job.runtimes.onnxruntime_runtime import quantize

SIZE = 224
# (label, activation, weight, format, reduce_range): every static int8 format ONNX Runtime's CPU provider runs.
FORMATS = [
    ("S8S8 QDQ", "int8", "int8", "QDQ", False),
    ("S8S8 QOperator", "int8", "int8", "QOperator", False),
    ("U8S8 QDQ", "uint8", "int8", "QDQ", False),
    ("U8S8 QDQ reduce_range", "uint8", "int8", "QDQ", True),
    ("U8S8 QOperator", "uint8", "int8", "QOperator", False),
    ("U8S8 QOperator reduce_range", "uint8", "int8", "QOperator", True),
]


def median_time(run, min_time: float, min_runs: int = 3) -> float:
    timings, started = [], time.perf_counter()
    while len(timings) < min_runs or time.perf_counter() - started < min_time:
        start = time.perf_counter_ns()
        run()
        timings.append((time.perf_counter_ns() - start) / 1e9)
    return statistics.median(timings)


def session(path: str, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def arms_for(entry, model, family, threads: int, workdir: str) -> tuple[dict, dict, str]:
    """({arm: run()}, {arm: output rel diff against eager}, the job's quantization text)."""
    example = family.make_inputs(model, 2, SIZE, 0)
    calibration = synthetic_calibration(family, model, SIZE, 0)
    inputs = family.make_inputs(model, 1, SIZE, 1)
    with torch.inference_mode():
        reference = first_output(model(**inputs))
    feed = {name: t.numpy() for name, t in inputs.items()}
    arms, fidelity = {}, {}
    ort = RUNTIMES["onnxruntime"]
    for label, precision in (("fp32", "fp32"), ("job int8", "int8")):
        os.makedirs(os.path.join(workdir, precision))
        prepared = ort.prepare(
            model,
            example,
            Variant(f"{precision}-onnxruntime", precision, runtime="onnxruntime"),
            "cpu",
            threads,
            os.path.join(workdir, precision),
            calibration=calibration,
        )
        arms[label] = prepared.bind(inputs)
        fidelity[label] = output_fidelity(reference, prepared.output(arms[label]()), precision)["output_rel_diff"]
        if precision == "int8":
            job_text = prepared.fields["quantization"]
    os.makedirs(os.path.join(workdir, "formats"))
    exported = export_onnx(model, example, os.path.join(workdir, "formats"))
    sessions = {"fp32 again": session(os.path.join(workdir, "fp32", "model.onnx"), threads)}
    for label, activation, weight, fmt, reduce_range in FORMATS:
        where = os.path.join(workdir, label.replace(" ", "_"))
        os.makedirs(where)
        path, _ = quantize(
            exported.path,
            example,
            calibration,
            where,
            Int8Format(activation, weight, fmt, reduce_range, True, "benchmark arm", True),
        )
        sessions[label] = session(path, threads)
    for label, sess in sessions.items():
        arms[label] = (lambda s: lambda: s.run(None, feed))(sess)
        out = torch.from_numpy(arms[label]()[0]).float()
        fidelity[label] = output_fidelity(reference, out, "fp32" if label == "fp32 again" else "int8")[
            "output_rel_diff"
        ]
    return arms, fidelity, job_text


def paired_rounds(arms: dict, rounds: int, min_time: float) -> list:
    for run in arms.values():
        run()  # warm-up
    names, out = list(arms), []
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        order = order if index % 2 == 0 else list(reversed(order))
        out.append({arm: median_time(arms[arm], min_time) for arm in order})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per arm per round (3 runs at least)")
    parser.add_argument("--models", default="resnet18,mobilenet_v2")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    chosen, instructions = this_cpu_format()
    print(
        f"torch {torch.__version__}, onnxruntime {__import__('onnxruntime').__version__}, {args.threads} intra-op "
        f"threads, batch 1, {SIZE} px, random weights, {args.rounds} rounds of >= {args.min_time} s per arm"
    )
    print(f"CPU int8 instructions: {', '.join(instructions) or 'none known'}")
    print(f"job's choice: {chosen.name} ({chosen.describe()}): {chosen.reason}")
    entries = {e.name: e for e in cfg.resolve(None, device="laptop").models}
    for name in args.models.split(","):
        entry = entries[name]
        family = FAMILIES[entry.family]
        model = family.build(entry, "random", 0).eval()
        with tempfile.TemporaryDirectory() as workdir:
            arms, fidelity, job_text = arms_for(entry, model, family, args.threads, workdir)
            with torch.inference_mode():
                rounds = paired_rounds(arms, args.rounds, args.min_time)
        print(f"\n{name}: the job's int8 row says: {job_text}")
        print(f"{'arm':<30}{'ms':>8}{'/ fp32':>8}  range over rounds   output diff / scale vs eager")
        ratios = {}
        for arm in arms:
            per_round = [r[arm] / r["fp32"] for r in rounds]
            ratios[arm] = per_round
            print(
                f"{arm:<30}{statistics.median(r[arm] for r in rounds) * 1e3:>8.2f}{statistics.median(per_round):>8.2f}"
                f"  {min(per_round):.2f}-{max(per_round):.2f}{'':>10}{fidelity[arm]:.1e}",
                flush=True,
            )
        same = next(
            (
                label
                for label, activation, weight, fmt, reduce_range in FORMATS
                if (activation, weight, fmt, reduce_range)
                == (chosen.activation_type, chosen.weight_type, chosen.quant_format, chosen.reduce_range)
            ),
            None,
        )
        if same:
            print(
                f"the job's format is the arm {same}: job int8 / {same} (a second null pair): "
                f"{statistics.median(r['job int8'] / r[same] for r in rounds):.3f}"
            )
        noise = max(abs(r - 1) for r in ratios["fp32 again"])
        fastest = min((label for label, *_ in FORMATS), key=lambda label: statistics.median(ratios[label]))
        job_vs = statistics.median(r["job int8"] / r[fastest] for r in rounds)
        verdict = "no slower than" if job_vs <= 1 + noise else "SLOWER than"
        print(
            f"fastest int8 format: {fastest}; job int8 / {fastest}: {job_vs:.3f} (median of paired rounds); noise "
            f"band (fp32 again / fp32, largest deviation): +-{noise:.3f}: the job's int8 is {verdict} the fastest "
            f"format; job int8 / fp32: {statistics.median(ratios['job int8']):.2f}"
        )


if __name__ == "__main__":
    main()
