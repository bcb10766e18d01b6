"""Accuracy against efficiency: per family, accuracy on real dev data against latency, energy, parameters
and FLOPs at the common configuration, with the Pareto front drawn and its models named."""

import os

import pandas as pd

from bench_job.report.document import Figure, Heading, Table, Text
from bench_job.report.frame import common_config, measured
from bench_job.report.markdown import millions, ms, num
from bench_job.report.pareto import pareto_mask
from bench_job.report.plots import log_axis, plt, save
from bench_job.report.real_inputs import real_inputs_section

# (column, axis label, scale to display units, short name)
COSTS = [
    ("latency_median_s", "median latency, batch 1 (ms)", 1e3, "latency"),
    ("energy_per_inference_j", "energy per inference, batch 1 (J)", 1.0, "energy"),
    ("params", "unique parameters (millions)", 1e-6, "parameters"),
    ("flops", "FLOPs per forward pass, batch 1 (GFLOPs)", 1e-9, "FLOPs"),
]
ACCURACY_COLUMNS = ["accuracy", "accuracy_top5", "accuracy_10way", "accuracy_metric", "eval_dataset",
                    "eval_examples", "weights_source", "label_map_warning"]


def accuracy_table(frame) -> pd.DataFrame:
    """One row per model and variant: its accuracy (first recorded: accuracy belongs to the weights and
    variant, not to a batch size) joined to its efficiency at the common configuration."""
    ok = measured(frame)
    scored = ok[ok["accuracy"].notna()]
    if scored.empty:
        return scored
    acc = scored.groupby(["model", "variant"], sort=False)[ACCURACY_COLUMNS].first().reset_index()
    cost = common_config(frame)[["model", "variant", "family"] + [c for c, *_ in COSTS]]
    return acc.merge(cost, on=["model", "variant"], how="left")


def with_fronts(table: pd.DataFrame) -> pd.DataFrame:
    """Adds pareto_<cost> flags, computed within each family (vision and NLP accuracies are different tasks)."""
    table = table.copy()
    for column, *_ in COSTS:
        table[f"pareto_{column}"] = False
        for _, group in table.groupby("family"):
            table.loc[group.index, f"pareto_{column}"] = pareto_mask(group[column], group["accuracy"])
    return table


def draw_front(ax, data, column: str, scale: float, colour_of, front_colour="black", front_label="Pareto front",
               annotate=True) -> None:
    """Scatter of accuracy (%) against one cost, the front as a step line through its models."""
    data = data[data[column].notna() & data["accuracy"].notna()]
    for _, r in data.iterrows():
        ax.scatter(r[column] * scale, r["accuracy"] * 100, color=colour_of(r), s=40, zorder=3)
        if annotate:
            ax.annotate(r["model"], (r[column] * scale, r["accuracy"] * 100), fontsize=7, xytext=(4, 3),
                        textcoords="offset points")
    front = data[pareto_mask(data[column], data["accuracy"])].sort_values(column)
    if len(front):
        ax.step(front[column] * scale, front["accuracy"] * 100, where="post", color=front_colour, linewidth=1.2,
                linestyle="--", label=front_label, zorder=2)


def front_plot(table, family: str, colours: dict, path: str) -> None:
    data = table[table["family"] == family]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for ax, (column, label, scale, _short) in zip(axes.flat, COSTS):
        if data[column].notna().any():
            draw_front(ax, data, column, scale, lambda r: colours.get(r["model"], "grey"))
            log_axis(ax, "x")
            ax.margins(x=0.15, y=0.1)  # room for the model names beside the outermost points
            ax.legend(fontsize=7, loc="best")
        else:
            ax.text(0.5, 0.5, "not measured on this device", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel(label)
        ax.set_ylabel("accuracy (%)")
        ax.grid(True, which="both", alpha=0.3)
    dataset = ", ".join(sorted(data["eval_dataset"].dropna().astype(str).unique())) or "dev data"
    fig.suptitle(f"{family}: accuracy ({dataset}) vs efficiency; dashed: Pareto front", fontsize=10)
    save(fig, path)


def empty_reason(frame) -> str:
    if measured(frame).empty:
        return "no accuracy: no configuration was measured"
    weights = set(frame["weights"].dropna().astype(str))
    if weights and weights <= {"random"}:
        return ("no accuracy: the models ran with random weights (`weights: random`), whose predictions are "
                "chance, so accuracy was not measured; run with `weights: pretrained` and the fetched dev data")
    return ("no accuracy recorded although some weights were pretrained: the dev-set evaluation did not run "
            "(dev data not fetched, or evaluation off)")


def accuracy_section(frame, ctx) -> list:
    blocks = [Heading(2, "Accuracy vs efficiency")]
    table = accuracy_table(frame)
    if table.empty:
        return blocks + [Text(empty_reason(frame) + ".")]
    table = with_fronts(table)
    blocks.append(Text("Accuracy on real dev data (vision: 1000-way top-1 on the subset, and 10-way restricted to "
                       "the subset's classes; NLP: SST-2 validation) against the cost of one forward pass at batch 1 "
                       "and the family's fixed input size. Pareto-optimal: no other model of the family is at least "
                       "as accurate and cheaper."))
    os.makedirs(ctx.plot_dir, exist_ok=True)
    for family in sorted(table["family"].dropna().unique()):
        name = f"accuracy_vs_efficiency_{family}.png"
        front_plot(table, family, ctx.colours, os.path.join(ctx.plot_dir, name))
        blocks.append(Figure(f"plots/{name}", f"{family}: accuracy vs latency, energy, parameters and FLOPs"))
        data = table[table["family"] == family]
        names = {short: ", ".join(data[data[f"pareto_{c}"]]["model"]) or "none"
                 for c, _, _, short in COSTS if data[c].notna().any()}
        blocks.append(Text(f"**{family}** Pareto-optimal: " + "; ".join(f"vs {k}: {v}" for k, v in names.items())
                           + "."))
    rows = []
    for _, r in table.iterrows():
        fronts = [short for c, _, _, short in COSTS if r[f"pareto_{c}"]]
        rows.append([r["model"], r["variant"], r["family"], num(r["accuracy"] * 100, 4),
                     num(r["accuracy_10way"] * 100, 4) if r["accuracy_10way"] == r["accuracy_10way"] else "",
                     r["eval_dataset"], "" if r["eval_examples"] != r["eval_examples"] else int(r["eval_examples"]),
                     ms(r["latency_median_s"]), num(r["energy_per_inference_j"]), millions(r["params"]),
                     num(r["flops"] / 1e9), ", ".join(fronts) or "-",
                     r["label_map_warning"] if isinstance(r["label_map_warning"], str) else ""])
    blocks.append(Table(["model", "variant", "family", "accuracy %", "10-way %", "dataset", "examples",
                         "median ms (b1)", "J/inference (b1)", "params", "GFLOPs (b1)", "Pareto-optimal vs",
                         "warning"], rows))
    return blocks + real_inputs_section(frame)
