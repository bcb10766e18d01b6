"""Accuracy against efficiency: per family, accuracy on real dev data against latency, energy, parameters
and FLOPs at the common configuration, with the Pareto front drawn and its models named. A model whose
timing failed a validity check is drawn hollow against latency and energy and kept off those fronts; a
model whose label map looks swapped has an accuracy known to be wrong, so it is drawn hollow, labelled so,
and kept off every front."""

from __future__ import annotations

import os

import pandas as pd

from bench_job.report.render.document import Figure, Heading, Table, Text
from bench_job.report.render.frame import common_config, measured, model_variant_label
from bench_job.report.render.markdown import millions, ms, num
from bench_job.report.render.plots import INVALID_LABEL, invalid_legend_handle, log_axis, plt, save
from bench_job.report.sections.pareto import pareto_mask
from bench_job.report.sections.real_inputs import real_inputs_section
from bench_job.report.sections.weights import model_weights, unavailable_reasons

# (column, axis label, scale to display units, short name)
COSTS = [
    ("latency_median_s", "median latency, batch 1 (ms)", 1e3, "latency"),
    ("energy_per_inference_j", "energy per inference, batch 1 (J)", 1.0, "energy"),
    ("params", "unique parameters (millions)", 1e-6, "parameters"),
    ("flops", "FLOPs per forward pass, batch 1 (GFLOPs)", 1e-9, "FLOPs"),
]
# The costs a validity check judges (timed); parameters and FLOPs are counted, so a noisy timing leaves
# them standing.
MEASURED_COSTS = ("latency_median_s", "energy_per_inference_j")
OFF_FRONT_LABEL = f"{INVALID_LABEL} (kept off the front)"
ACCURACY_COLUMNS = [
    "accuracy",
    "accuracy_top5",
    "accuracy_10way",
    "accuracy_metric",
    "eval_dataset",
    "eval_examples",
    "weights_source",
    "label_map_warning",
    "accuracy_swapped",
    "label_map_swapped",
]
# What the catalogue says the checkpoint scored (absent from bundles written before it was recorded).
PUBLISHED_COLUMNS = ["published_accuracy", "published_accuracy_source"]
SWAPPED_MARK = "‡"


def accuracy_table(frame) -> pd.DataFrame:
    """One row per model and variant: its accuracy (first recorded: accuracy belongs to the weights and
    variant, not to a batch size) joined to its efficiency at the common configuration."""
    ok = measured(frame)
    scored = ok[ok["accuracy"].notna()]
    if scored.empty:
        return scored
    columns = ACCURACY_COLUMNS + [c for c in PUBLISHED_COLUMNS if c in scored]
    acc = scored.groupby(["model", "variant"], sort=False)[columns].first().reset_index()
    for column in PUBLISHED_COLUMNS:
        if column not in acc:
            acc[column] = None
    cost = common_config(frame)[["model", "variant", "family", "valid"] + [c for c, *_ in COSTS]]
    return acc.merge(cost, on=["model", "variant"], how="left")


def wrong_accuracy(data: pd.DataFrame) -> pd.Series:
    """Rows whose accuracy is known to be wrong: their label map looks swapped."""
    return data["label_map_swapped"] == True  # noqa: E712 (True/False/None)


def doubtful(data: pd.DataFrame, column: str) -> pd.Series:
    """Rows that cannot stand on the front of this cost: a wrong accuracy (any cost), or a timed cost that failed
    a validity check."""
    if column not in MEASURED_COSTS:
        return wrong_accuracy(data)
    return wrong_accuracy(data) | (data["valid"] == False)  # noqa: E712


def front_mask(data: pd.DataFrame, column: str) -> pd.Series:
    """Pareto-optimal rows of one cost, doubtful rows left out (they can neither stand on the front nor push
    a trusted model off it)."""
    return pareto_mask(data[column].where(~doubtful(data, column)), data["accuracy"])


def with_fronts(table: pd.DataFrame) -> pd.DataFrame:
    """Adds pareto_<cost> flags, computed within each family (vision and NLP accuracies are different tasks)."""
    table = table.copy()
    for column, *_ in COSTS:
        table[f"pareto_{column}"] = False
        for _, group in table.groupby("family"):
            table.loc[group.index, f"pareto_{column}"] = front_mask(group, column)
    return table


def draw_front(
    ax,
    data,
    column: str,
    scale: float,
    colour_of,
    front_colour="black",
    front_label="Pareto front",
    annotate=True,
    mark_invalid=False,
) -> None:
    """Scatter of accuracy (%) against one cost, the front as a step line through its models. Rows whose accuracy
    is wrong are drawn hollow, labelled so and kept off the front; mark_invalid: so are rows whose timed cost
    failed a validity check."""
    data = data[data[column].notna() & data["accuracy"].notna()]
    label = model_variant_label(data)  # one point per model x runtime x precision: each variant named
    wrong = wrong_accuracy(data)
    hollow = doubtful(data, column) if mark_invalid else wrong
    for index, r in data.iterrows():
        style = (
            dict(facecolors="white", edgecolors=[colour_of(r)], linewidths=1.5)
            if hollow[index]
            else dict(color=colour_of(r))
        )
        ax.scatter(r[column] * scale, r["accuracy"] * 100, s=40, zorder=3, **style)
        if annotate:
            ax.annotate(
                label(r["model"], r["variant"]) + (" (label map swapped: accuracy wrong)" if wrong[index] else ""),
                (r[column] * scale, r["accuracy"] * 100),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
    trusted = data[~hollow]
    front = trusted[pareto_mask(trusted[column], trusted["accuracy"])].sort_values(column)
    if len(front):
        ax.step(
            front[column] * scale,
            front["accuracy"] * 100,
            where="post",
            color=front_colour,
            linewidth=1.2,
            linestyle="--",
            label=front_label,
            zorder=2,
        )


def front_plot(table, family: str, colours: dict, path: str, title_suffix: str = "") -> None:
    data = table[table["family"] == family]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for ax, (column, label, scale, _short) in zip(axes.flat, COSTS):
        if data[column].notna().any():
            draw_front(ax, data, column, scale, lambda r: colours.get(r["model"], "grey"), mark_invalid=True)
            log_axis(ax, "x")
            ax.margins(x=0.15, y=0.1)  # room for the model names beside the outermost points
            handles, _ = ax.get_legend_handles_labels()
            if doubtful(data[data[column].notna()], column).any():
                handles.append(invalid_legend_handle(OFF_FRONT_LABEL))
            ax.legend(handles=handles, fontsize=7, loc="best")
        else:
            ax.text(0.5, 0.5, "not measured on this device", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel(label)
        ax.set_ylabel("accuracy (%)")
        ax.grid(True, which="both", alpha=0.3)
    dataset = ", ".join(sorted(data["eval_dataset"].dropna().astype(str).unique())) or "dev data"
    fig.suptitle(f"{family}: accuracy ({dataset}) vs efficiency; dashed: Pareto front{title_suffix}", fontsize=10)
    save(fig, path)


def downgraded_text(uses: list) -> str:
    """Why some models have no accuracy although pretrained weights were asked (the records' reason)."""
    names = ", ".join(u.model for u in uses if u.downgraded)
    return (
        f"pretrained weights were asked but unavailable ({unavailable_reasons(uses)}), so {names} ran with "
        "random weights, whose predictions are chance, and accuracy was not measured; fetch the assets "
        "(`bench-job fetch --assets DIR`) and run again with `--assets DIR`"
    )


def empty_reason(frame, uses: list) -> str:
    if any(u.downgraded for u in uses):
        return "no accuracy: " + downgraded_text(uses)
    if measured(frame).empty:
        return "no accuracy: no configuration was measured"
    weights = set(frame["weights"].dropna().astype(str))
    if weights and weights <= {"random"}:
        return (
            "no accuracy: the models ran with random weights (`weights: random`), whose predictions are "
            "chance, so accuracy was not measured; run with `weights: pretrained` and the fetched dev data"
        )
    return (
        "no accuracy recorded although some weights were pretrained: the dev-set evaluation did not run "
        "(dev data not fetched, or evaluation off)"
    )


def _published(value) -> str:
    value = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(value) else f" (published {num(value * 100, 4)})"


def accuracy_section(frame, ctx) -> list:
    blocks = [Heading(2, "Accuracy vs efficiency")]
    uses = model_weights(frame, ctx.config)
    table = accuracy_table(frame)
    if table.empty:
        return blocks + [Text(empty_reason(frame, uses) + ".")]
    table = with_fronts(table)
    blocks.append(
        Text(
            "Accuracy on real dev data (vision: 1000-way top-1 on the subset, and 10-way restricted to "
            "the subset's classes; NLP: two-class sentiment, SST-2 style; the dataset column names where "
            "each dev set came from and its size) against the cost of one forward pass at batch 1 "
            "and the family's fixed input size. Pareto-optimal: no other model of the family is at least "
            "as accurate and cheaper. A model whose timing at that configuration failed a validity check "
            "is drawn hollow against latency and energy and kept off those two fronts (its parameters and "
            "FLOPs are counted, not timed, so it stays on theirs). A model whose label map looks swapped "
            f"({SWAPPED_MARK}) has an accuracy known to be wrong: it is drawn hollow and kept off every "
            "front."
        )
    )
    os.makedirs(ctx.plot_dir, exist_ok=True)
    for family in sorted(table["family"].dropna().unique()):
        name = f"accuracy_vs_efficiency_{family}.png"
        front_plot(table, family, ctx.colours, os.path.join(ctx.plot_dir, name), ctx.plot_title_suffix)
        blocks.append(Figure(f"plots/{name}", f"{family}: accuracy vs latency, energy, parameters and FLOPs"))
        data = table[table["family"] == family]
        names = {
            short: ", ".join(data[data[f"pareto_{c}"]]["model"]) or "none"
            for c, _, _, short in COSTS
            if data[c].notna().any()
        }
        wrong = wrong_accuracy(data)
        off = ", ".join(data[(data["valid"] == False) & ~wrong]["model"])  # noqa: E712
        blocks.append(
            Text(
                f"**{family}** Pareto-optimal: "
                + "; ".join(f"vs {k}: {v}" for k, v in names.items())
                + "."
                + (f" Kept off the latency and energy fronts (failed a validity check): {off}." if off else "")
                + (
                    f" Kept off every front (label map looks swapped: accuracy wrong): "
                    f"{', '.join(data[wrong]['model'])}."
                    if wrong.any()
                    else ""
                )
            )
        )
    rows = []
    for _, r in table.iterrows():
        fronts = [short for c, _, _, short in COSTS if r[f"pareto_{c}"]]
        rows.append(
            [
                r["model"],
                r["variant"],
                r["family"],
                num(r["accuracy"] * 100, 4)
                + (f" {SWAPPED_MARK}" if r["label_map_swapped"] == True else "")  # noqa: E712
                + _published(r["published_accuracy"]),
                num(r["accuracy_10way"] * 100, 4) if r["accuracy_10way"] == r["accuracy_10way"] else "",
                r["eval_dataset"],
                "" if r["eval_examples"] != r["eval_examples"] else int(r["eval_examples"]),
                ms(r["latency_median_s"]) + (" †" if r["valid"] == False else ""),  # noqa: E712
                num(r["energy_per_inference_j"]),
                millions(r["params"]),
                num(r["flops"] / 1e9),
                ", ".join(fronts) or "-",
                r["label_map_warning"] if isinstance(r["label_map_warning"], str) else "",
            ]
        )
    blocks.append(
        Table(
            [
                "model",
                "variant",
                "family",
                "accuracy %",
                "10-way %",
                "dataset",
                "examples",
                "median ms (b1)",
                "J/inference (b1)",
                "params",
                "GFLOPs (b1)",
                "Pareto-optimal vs",
                "warning",
            ],
            rows,
        )
    )
    published = table[pd.to_numeric(table["published_accuracy"], errors="coerce").notna()]
    if len(published):
        sources = "; ".join(
            sorted({f"{r['model']}: {r['published_accuracy_source']}" for _, r in published.iterrows()})
        )
        blocks.append(
            Text(
                "published: what the checkpoint's authors report on the whole dev set ("
                + sources
                + "). A subset scores within its sampling error of it; a larger gap points at the "
                "preprocessing, the label map or the data, not the model."
            )
        )
    wrong, label = table[wrong_accuracy(table)], model_variant_label(table)
    if len(wrong):
        blocks.append(
            Text(
                f"{SWAPPED_MARK} label map looks swapped, so the accuracy as scored is wrong: "
                + "; ".join(
                    f"{label(r['model'], r['variant'])}: {r['accuracy']:.1%} as scored, "
                    f"{r['accuracy_swapped']:.1%} with the two "
                    "outputs exchanged"
                    for _, r in wrong.iterrows()
                )
                + ". Such rows count as not valid and stand on no "
                "front; fix the checkpoint's label map (`label_map` in the model's config entry, or the checkpoint's "
                "id2label) and run again."
            )
        )
    if any(u.downgraded for u in uses):
        blocks.append(Text("Not scored: " + downgraded_text(uses) + "."))
    return blocks + real_inputs_section(frame)
