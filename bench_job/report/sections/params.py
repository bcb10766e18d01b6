"""Parameter counts: unique against effective, and what sharing means for ALBERT."""

from __future__ import annotations

from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import catalogue_value
from bench_job.report.render.markdown import millions


def params_section(frame, ctx) -> list:
    rows, unrecorded = [], []
    for model, data in frame[frame["params"].notna()].groupby("model", sort=False):
        unique = data["params"].iloc[0]
        effective = data["params_effective"].dropna()
        eff = effective.iloc[0] if len(effective) else None
        published = catalogue_value(data, "published_params")
        if catalogue_value(data, "in_zoo") is None:
            unrecorded.append(model)
        shared = ""
        if eff and eff > unique * 1.01:
            shared = (
                f"shared layers: each forward pass uses {eff / unique:.1f}x the parameters it stores "
                f"({millions(eff - unique)} reused)"
            )
        rows.append(
            [
                model,
                data["family"].iloc[0],
                millions(unique),
                millions(eff),
                millions(published) if published is not None else "",
                catalogue_value(data, "published_params_source") or "",
                shared,
            ]
        )
    if not rows:
        return [Heading(2, "Parameters"), Text("No parameter counts were recorded: no model was built and counted.")]
    return [
        Heading(2, "Parameters"),
        Text(
            "*Unique* counts every weight tensor once (`model.parameters()`, the size on disk); *effective* "
            "counts a module's parameters each time it runs in one forward pass (forward hooks), which is what "
            "the arithmetic sees. They differ only where layers are shared: ALBERT stores one encoder layer and "
            "runs it 12 times, so it is small on disk and in memory but costs as much compute per token as a "
            "model with 12 distinct layers; memory follows the unique count, FLOPs and latency the effective "
            "one. Counts include the task head (2-way classifier for NLP, 1000-way for vision); the published "
            "figure is the base architecture's."
        ),
        Table(["model", "family", "unique", "effective", "published", "published by", "sharing"], rows),
    ] + (
        [
            Text(
                f"Published counts are not in this bundle for {', '.join(unrecorded)} (it was written before records "
                "carried them), so none are shown for them."
            )
        ]
        if unrecorded
        else []
    )
