"""Synthetic vs real inputs: does benchmarking on fixed synthetic sizes mislead?

The dev-set evaluation times the model on real batches (real sentences padded per batch to their own
longest, real images at the weights' preprocessing size) and, where the device has a power source,
measures their energy in a window like the sweep's. Each is set beside the synthetic configuration
closest to it: the same batch size and the nearest input size measured.
"""

from __future__ import annotations

from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.render.markdown import missing, ms, num

LATENCY_HEADERS = [
    "model",
    "variant",
    "real batch",
    "real input size (mean)",
    "real ms/batch",
    "nearest synthetic",
    "synthetic ms",
    "real / synthetic",
]
ENERGY_HEADERS = ["real J/batch", "synthetic J/inference", "real / synthetic energy"]


def _ratio(a, b) -> str:
    return "" if missing(a) or missing(b) or not b else f"{a / b:.2f}"


def real_vs_synthetic(frame, with_energy: bool = False) -> list:
    """Rows: model, variant, real batch, real input size, real ms, nearest synthetic config, its ms, ratio;
    with_energy adds real J per batch, the synthetic configuration's J per inference and their ratio."""
    ok = measured(frame)
    rows = []
    scored = ok[ok["real_latency_per_batch_s"].notna()]
    for (model, variant), group in scored.groupby(["model", "variant"], sort=False):
        real = group.iloc[0]
        real_size = real["real_image_side"] if missing(real["real_mean_seq_len"]) else real["real_mean_seq_len"]
        same_batch = group[group["batch_size"] == real["real_batch_size"]]
        head = [model, variant, int(real["real_batch_size"]), num(real_size), ms(real["real_latency_per_batch_s"])]
        if same_batch.empty or missing(real_size):
            row = head + ["no synthetic row at this batch size", "", ""]
            rows.append(row + [num(real["real_energy_per_batch_j"]), "", ""] if with_energy else row)
            continue
        nearest = same_batch.iloc[(same_batch["input_size"] - real_size).abs().argsort().iloc[0]]
        row = head + [
            f"batch {int(nearest['batch_size'])}, {int(nearest['input_size'])} {nearest['input_unit']}",
            ms(nearest["latency_median_s"]),
            _ratio(real["real_latency_per_batch_s"], nearest["latency_median_s"]),
        ]
        if with_energy:
            row += [
                num(real["real_energy_per_batch_j"]),
                num(nearest["energy_per_inference_j"]),
                _ratio(real["real_energy_per_batch_j"], nearest["energy_per_inference_j"]),
            ]
        rows.append(row)
    return rows


def real_inputs_section(frame) -> list:
    with_energy = bool(measured(frame)["real_energy_per_batch_j"].notna().any())
    rows = real_vs_synthetic(frame, with_energy)
    if not rows:
        return []
    text = (
        "Median latency per batch on the dev set (real sentence lengths with dynamic padding; real images "
        "at the weights' preprocessing size) against the synthetic configuration nearest to it. A ratio "
        "far from 1 means the synthetic sweep misrepresents this model on real data (NLP: real sentences "
        "are often much shorter than the fixed synthetic length)."
    )
    if with_energy:
        text += (
            " Energy on real inputs is gross energy per batch over a window of at least the sweep's minimum "
            "length, cycling through real batches spread over the dev set (encoded beforehand, "
            "so preprocessing is outside the window)."
        )
    return [
        Heading(3, "Synthetic vs real inputs"),
        Text(text),
        Table(LATENCY_HEADERS + (ENERGY_HEADERS if with_energy else []), rows),
    ]
