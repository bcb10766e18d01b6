"""Synthetic vs real inputs: does benchmarking on fixed synthetic sizes mislead?

The dev-set evaluation times the model on real batches (real sentences padded per batch to their own
longest, real images at the weights' preprocessing size). Each is set beside the synthetic
configuration closest to it: the same batch size and the nearest input size measured.
"""

from bench_job.report.document import Heading, Table, Text
from bench_job.report.frame import measured
from bench_job.report.markdown import ms, num


def real_vs_synthetic(frame) -> list:
    """Rows: model, variant, real batch, real input size, real ms, nearest synthetic config, its ms, ratio."""
    ok = measured(frame)
    rows = []
    scored = ok[ok["real_latency_per_batch_s"].notna()]
    for (model, variant), group in scored.groupby(["model", "variant"], sort=False):
        real = group.iloc[0]
        real_size = real["real_mean_seq_len"] if real["real_mean_seq_len"] == real["real_mean_seq_len"] \
            else real["real_image_side"]
        same_batch = group[group["batch_size"] == real["real_batch_size"]]
        if same_batch.empty or real_size != real_size:
            rows.append([model, variant, int(real["real_batch_size"]), num(real_size), ms(real["real_latency_per_batch_s"]),
                         "no synthetic row at this batch size", "", ""])
            continue
        nearest = same_batch.iloc[(same_batch["input_size"] - real_size).abs().argsort().iloc[0]]
        ratio = real["real_latency_per_batch_s"] / nearest["latency_median_s"]
        rows.append([model, variant, int(real["real_batch_size"]), num(real_size), ms(real["real_latency_per_batch_s"]),
                     f"batch {int(nearest['batch_size'])}, {int(nearest['input_size'])} {nearest['input_unit']}",
                     ms(nearest["latency_median_s"]), f"{ratio:.2f}"])
    return rows


def real_inputs_section(frame) -> list:
    rows = real_vs_synthetic(frame)
    if not rows:
        return []
    return [Heading(3, "Synthetic vs real inputs"),
            Text("Median latency per batch on the dev set (real sentence lengths with dynamic padding; real images "
                 "at the weights' preprocessing size) against the synthetic configuration nearest to it. A ratio "
                 "far from 1 means the synthetic sweep misrepresents this model on real data (NLP: real sentences "
                 "are often much shorter than the fixed synthetic length)."),
            Table(["model", "variant", "real batch", "real input size (mean)", "real ms/batch",
                   "nearest synthetic", "synthetic ms", "real / synthetic"], rows)]
