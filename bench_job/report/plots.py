"""Latency sweep plots. One colour per model across every plot, log scales where sizes double."""

import os

import matplotlib

matplotlib.use("Agg")  # no display in containers and CI
import matplotlib.pyplot as plt  # noqa: E402


def model_colours(models) -> dict:
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(sorted(set(models)))}


# (file stem, title, family filter, models excluded): NLP also without Longformer, whose padding to
# 512 tokens dwarfs the others, as the lab plotted it.
PLOT_GROUPS = [
    ("vision", "Vision models", "torchvision", ()),
    ("nlp", "NLP models", "transformers", ()),
    ("nlp_no_longformer", "NLP models without Longformer", "transformers", ("longformer-base-4096",)),
]


def _sweep_rows(frame, sweep: str, family: str, excluded):
    rows = frame[(frame["status"] == "ok") & (frame["family"] == family)
                 & frame["sweeps"].fillna("").str.contains(sweep) & ~frame["model"].isin(excluded)]
    return rows


def latency_plot(frame, sweep: str, group: tuple, colours: dict, path: str) -> bool:
    """Median latency (ms, error bars = CI of the mean) against batch size or input size; False if no data."""
    stem, title, family, excluded = group
    rows = _sweep_rows(frame, sweep, family, excluded)
    if rows.empty:
        return False
    x_col = "batch_size" if sweep == "batch" else "input_size"
    unit = rows["input_unit"].iloc[0]
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for (model, variant), data in rows.groupby(["model", "variant"]):
        data = data.sort_values(x_col)
        mean_ms = data["latency_mean_s"] * 1e3
        err = [(data["latency_mean_s"] - data["latency_ci_low_s"]).fillna(0) * 1e3,
               (data["latency_ci_high_s"] - data["latency_mean_s"]).fillna(0) * 1e3]
        label = model if rows["variant"].nunique() == 1 else f"{model} [{variant}]"
        ax.errorbar(data[x_col], mean_ms, yerr=err, marker="o", capsize=3, label=label, color=colours[model],
                    linestyle="-" if variant == rows["variant"].iloc[0] else "--")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sorted(rows[x_col].unique()))
    ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.set_xlabel("batch size (samples)" if sweep == "batch" else f"input size ({'image side, px' if unit == 'px' else 'sequence length, tokens'})")
    ax.set_ylabel("latency per forward pass (ms, mean ± 95% CI)")
    fixed = "batch size 1" if sweep == "input" else f"input size {rows['input_size'].mode().iloc[0]} {unit}"
    ax.set_title(f"{title}: latency vs {'batch size' if sweep == 'batch' else 'input size'} ({fixed})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write_latency_plots(frame, plot_dir: str) -> list[str]:
    """All sweep plots that have data; returns their paths relative to the bundle root."""
    os.makedirs(plot_dir, exist_ok=True)
    colours = model_colours(frame["model"])
    written = []
    for sweep in ("batch", "input"):
        for group in PLOT_GROUPS:
            name = f"latency_vs_{'batch' if sweep == 'batch' else 'input'}_size_{group[0]}.png"
            if latency_plot(frame, sweep, group, colours, os.path.join(plot_dir, name)):
                written.append(os.path.join("plots", name))
    return written
