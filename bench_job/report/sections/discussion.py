"""The discussion: claims computed from the data, each with its numbers. Rank correlations between size,
work, latency, energy and memory across models; how latency scales with batch and input size (log-log
exponents, against the FLOPs' own exponent, R² for every fit); whether latency tracks energy; what broke
the pattern. Every finding uses the valid rows only: with too few of them it says so and how many there
are, instead of a number; the rows that failed a validity check are listed under what broke the pattern.
The correlations come with scatter plots of latency against parameters and against FLOPs (size_plots)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text
from bench_job.report.render.frame import common_config, in_sweep, measured
from bench_job.report.render.markdown import num
from bench_job.report.sections.latency import outliers
from bench_job.report.sections.size_plots import write_latency_scatters

# Quantities compared across models at the common configuration, with their display names.
QUANTITIES = {
    "params": "parameters (unique)",
    "params_effective": "parameters (effective)",
    "flops": "FLOPs",
    "latency_median_s": "latency (median)",
    "energy_per_inference_j": "energy per inference",
    "peak_rss_bytes": "peak memory (RSS)",
}
MIN_MODELS = 3  # a rank correlation over fewer points says nothing
MIN_SIZES = 2  # a scaling fit needs two sizes (and with exactly two, R² is 1 by construction)
PATTERN_FACTOR = 3.0  # achieved GFLOP/s this far from the models' median breaks "latency follows FLOPs"


def failed_validity(rows) -> pd.Series:
    return rows["valid"] == False  # noqa: E712 (True/False/None; None: a bundle from before the check)


def trusted(rows) -> pd.DataFrame:
    """The rows a finding may use: those that did not fail a validity check."""
    return rows[~failed_validity(rows)]


def not_enough(valid: int, total: int, what: str, needed: str) -> str:
    return f"not enough valid measurements: {valid} valid of {total} {what} ({needed} needed)"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def correlation_inputs(frame) -> pd.DataFrame:
    """The valid common-configuration rows, only the quantities that vary and are measured for enough models.
    The common configuration is chosen before the invalid rows are dropped, so a model whose batch-1 row
    failed is left out rather than compared at another batch size."""
    rows = trusted(common_config(frame))
    columns = [c for c in QUANTITIES if rows[c].notna().sum() >= MIN_MODELS and rows[c].nunique() > 1]
    return rows[["model", "variant"] + columns]


def correlations(frame) -> pd.DataFrame:
    """Spearman rank correlation matrix (pandas) across models at the common configuration."""
    data = correlation_inputs(frame)
    return data.drop(columns=["model", "variant"]).corr(method="spearman", min_periods=MIN_MODELS)


def pair_claims(frame) -> list:
    """One line per pair: rho (scipy), its permutation p-value and the number of models."""
    data = correlation_inputs(frame)
    columns = [c for c in data.columns if c in QUANTITIES]
    claims = []
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            pair = data[[a, b]].dropna()
            # a quantity the same for every model has no ranks to correlate (scipy: nan and a warning)
            if len(pair) < MIN_MODELS or pair[a].nunique() < 2 or pair[b].nunique() < 2:
                continue
            rho = stats.spearmanr(pair[a], pair[b]).statistic
            claims.append((a, b, float(rho), rank_p_value(pair[a], pair[b]), len(pair)))
    return claims


def rank_p_value(x, y, max_exact: int = 8, resamples: int = 9999) -> float:
    """Two-sided p-value of Spearman's rho by permutation: exact over every pairing for up to 8 models,
    else Monte Carlo. scipy's spearmanr p uses a t approximation that is wrong for so few points: it
    gives p = 0 for a perfect rank order of 3 models, where 2 of the 6 orderings are as extreme (p = 1/3)."""
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    n = len(rx)
    if n <= max_exact:
        orders = np.array(list(itertools.permutations(range(n))))
    else:
        orders = np.random.default_rng(0).permuted(np.tile(np.arange(n), (resamples, 1)), axis=1)
    # Spearman's rho is Pearson's r of the ranks; centred ranks make it one matrix product.
    cx, cy = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((cx**2).sum() * (cy**2).sum())
    if denominator == 0:
        return float("nan")
    observed = abs(cx @ cy) / denominator
    permuted = np.abs(cy[orders] @ cx) / denominator
    extreme = int((permuted >= observed - 1e-12).sum())
    return extreme / len(orders) if n <= max_exact else (extreme + 1) / (resamples + 1)


def _strength(rho: float) -> str:
    size = abs(rho)
    word = "strong" if size >= 0.7 else "moderate" if size >= 0.4 else "weak"
    return f"{word} {'positive' if rho > 0 else 'negative'}" if size >= 0.1 else "no"


def scaling_fits(frame, sweep: str) -> pd.DataFrame:
    """Per model and variant, over its valid points: the exponent k in latency ∝ size^k (least squares on
    log-log), the same for FLOPs, and R² of the latency fit (exactly 1 with two points). A model with fewer
    than two valid sizes gets NaN exponents and its counts, so the report can say why there is no fit."""
    column = "batch_size" if sweep == "batch" else "input_size"
    rows = in_sweep(measured(frame), sweep)
    out = []
    for (model, variant), data in rows.groupby(["model", "variant"], sort=False):
        if data[column].nunique() < 2:
            continue  # a sweep of one size: nothing to fit, valid or not
        valid = trusted(data)
        valid = valid[valid["latency_median_s"] > 0].sort_values(column)
        row = {
            "model": model,
            "variant": variant,
            "family": data["family"].iloc[0],
            "unit": data["input_unit"].iloc[0],
            "points": len(data),
            "valid_points": len(valid),
            "invalid": int(failed_validity(data).sum()),
            "from": float("nan"),
            "to": float("nan"),
            "k_latency": float("nan"),
            "r2": float("nan"),
            "k_flops": float("nan"),
        }
        if valid[column].nunique() >= MIN_SIZES:
            x = np.log(valid[column].to_numpy(float))
            fit = stats.linregress(x, np.log(valid["latency_median_s"].to_numpy(float)))
            flops = valid["flops"]
            row.update(
                {
                    "from": valid[column].iloc[0],
                    "to": valid[column].iloc[-1],
                    "k_latency": fit.slope,
                    "r2": fit.rvalue**2,
                    "k_flops": (
                        stats.linregress(x, np.log(flops.to_numpy(float))).slope
                        if flops.notna().all() and (flops > 0).all()
                        else float("nan")
                    ),
                }
            )
        out.append(row)
    return pd.DataFrame(out)


def r_squared(fit) -> str:
    """R² of a fit; with two points a line passes through both, so 1 is no evidence and says so."""
    return f"{fit['r2']:.3f}" + (" (2 points)" if fit["valid_points"] == 2 else "")


def _scaling_blocks(frame) -> list:
    blocks = []
    for sweep, what in (("batch", "batch size"), ("input", "input size")):
        all_fits = scaling_fits(frame, sweep)
        if all_fits.empty:
            continue
        heading = Heading(3, f"How latency scales with {what}")
        fits = all_fits[all_fits["k_latency"].notna()]
        unfit = all_fits[all_fits["k_latency"].isna()]
        if fits.empty:
            missing_fit = not_enough(
                int(all_fits["valid_points"].sum()),
                int(all_fits["points"].sum()),
                f"points of the {what} sweep",
                f"{MIN_SIZES} valid sizes of one model",
            )
            blocks += [heading, Text(sentence(missing_fit) + ", so no exponent is fitted.")]
            continue
        rows = [
            [
                r["model"],
                r["variant"],
                f"{int(r['from'])}-{int(r['to'])}" + ("" if sweep == "batch" else f" {r['unit']}"),
                int(r["valid_points"]),
                f"{r['k_latency']:.2f}",
                r_squared(r),
                "" if r["k_flops"] != r["k_flops"] else f"{r['k_flops']:.2f}",
                f"{r['invalid']} of {r['points']}" if r["invalid"] else "",
            ]
            for _, r in fits.iterrows()
        ]
        blocks += [
            heading,
            Text(
                f"Fitted exponent k in latency ∝ ({what})^k on log-log axes (least squares over the sweep's "
                "valid points), next to the same exponent for FLOPs: k below the FLOPs exponent means larger "
                "work runs more efficiently (better parallelism, fixed overheads amortised); above it, the "
                "device is saturating (caches, memory bandwidth). R² is the share of the log-latency variance "
                "the line explains; through two points a line is exact, so R² = 1 there is no evidence."
            ),
            Table(
                ["model", "variant", "range", "points", "k (latency)", "R²", "k (FLOPs)", "left out (failed validity)"],
                rows,
            ),
        ]
        items = [
            f"{family}: median k over {len(group)} model(s) {group['k_latency'].median():.2f} (FLOPs: "
            f"{group['k_flops'].median():.2f})"
            for family, group in fits.groupby("family", sort=False)
        ]
        below = fits[fits["k_latency"] < fits["k_flops"] - 0.1]
        above = fits[fits["k_latency"] > fits["k_flops"] + 0.1]
        flat = fits[fits["k_flops"].abs() < 0.1]
        if sweep == "input" and len(flat):
            items.append(
                "FLOPs do not grow with the input over this range, so the inputs are padded to a fixed length "
                "(Longformer pads to its 512-token attention window): "
                + ", ".join(f"{r['model']} (latency k {r['k_latency']:.2f})" for _, r in flat.iterrows())
            )
        if len(below):
            items.append(
                "grows slower than its FLOPs: "
                + ", ".join(f"{r['model']} ({r['k_latency']:.2f} vs {r['k_flops']:.2f})" for _, r in below.iterrows())
            )
        if len(above):
            items.append(
                "grows faster than its FLOPs: "
                + ", ".join(f"{r['model']} ({r['k_latency']:.2f} vs {r['k_flops']:.2f})" for _, r in above.iterrows())
            )
        items += [
            f"no fit for {r['model']}: "
            + not_enough(int(r["valid_points"]), int(r["points"]), "points", f"{MIN_SIZES} valid sizes")
            for _, r in unfit.iterrows()
        ]
        blocks.append(Bullets(items))
    return blocks


def scatter_blocks(frame, plot_dir: str, title_suffix: str = "") -> list:
    """Latency against parameters and against FLOPs, each model at the common configuration: what the rank
    correlations summarise, drawn (the rows that failed a validity check hollow, left out of the numbers)."""
    plots = write_latency_scatters(frame, plot_dir, title_suffix)
    if not plots:
        return [
            Text(
                "No scatter of latency against parameters or FLOPs: no model has both figures at the common "
                "configuration."
            )
        ]
    blocks = [
        Text(
            "Latency against parameters and against FLOPs, one point per model at the common configuration "
            "(log-log; colour and marker: the family; error bars: the 95% CI's lower and upper ends, often "
            "far from symmetric; hollow: failed a validity check, left out of the correlations)."
        )
    ]
    if not len(trusted(scatter_rows_any(frame))):
        blocks.append(
            Text(
                "No valid point to plot: every model's row at the common configuration failed a validity "
                "check, so the plots show hollow points only."
            )
        )
    return blocks + [Figure(path, caption) for path, caption in plots]


def scatter_rows_any(frame) -> pd.DataFrame:
    rows = common_config(frame)
    return rows[rows["latency_median_s"].notna()] if len(rows) else rows


def _correlation_blocks(frame, plot_dir: str, title_suffix: str = "") -> list:
    data = correlation_inputs(frame)
    opening = [Heading(3, "What predicts latency and energy across models")] + scatter_blocks(
        frame, plot_dir, title_suffix
    )
    common = common_config(frame)
    if len(data) < MIN_MODELS:
        return opening + [
            Text(
                sentence(
                    not_enough(
                        len(data), len(common), "models measured at the common configuration", f"at least {MIN_MODELS}"
                    )
                )
                + ", so no rank correlation is given."
            )
        ]
    if len(data.columns) < 4:
        return opening + [
            Text(
                "Fewer than two quantities vary across the models measured at the common "
                "configuration, so there is nothing to correlate."
            )
        ]
    matrix = correlations(frame)
    names = [QUANTITIES[c] for c in matrix.columns]
    rows = [[QUANTITIES[a]] + [num(matrix.loc[a, b], 2) for b in matrix.columns] for a in matrix.index]
    claims = [
        f"{QUANTITIES[a]} and {QUANTITIES[b]}: ρ = {rho:.2f} ({_strength(rho)}, p = {p:.2g}, {n} models)"
        for a, b, rho, p, n in pair_claims(frame)
    ]
    left_out = len(common) - len(data)
    return opening + [
        Text(
            f"Spearman rank correlations across {len(data)} model(s) at batch 1 and each family's fixed input "
            "size (ranks, so one huge model cannot dominate as it would a Pearson coefficient)"
            + (f"; {left_out} model(s) whose row there failed a validity check left out." if left_out else ".")
        ),
        Table([""] + names, rows),
        Bullets(claims),
    ]


def _energy_blocks(frame) -> list:
    ok = measured(frame)
    with_energy = ok[ok["energy_per_inference_j"].notna() & ok["latency_median_s"].notna()]
    rows = trusted(with_energy)
    heading = Heading(3, "Does latency track energy?")
    if with_energy.empty:
        return [heading, Text("Cannot tell on this device: no power source, so no energy was measured.")]
    if len(rows) < MIN_MODELS:
        return [
            heading,
            Text(
                sentence(
                    not_enough(len(rows), len(with_energy), "configurations with energy", f"at least {MIN_MODELS}")
                )
                + ", so no correlation is given."
            ),
        ]
    same = [
        what
        for column, what in (("latency_median_s", "median latency"), ("energy_per_inference_j", "energy per inference"))
        if rows[column].nunique() < 2
    ]
    if same:
        return [
            heading,
            Text(
                f"Cannot tell: {' and '.join(same)} {'is' if len(same) == 1 else 'are'} the same for all {len(rows)} "
                "valid configurations, so there are no ranks to correlate."
            ),
        ]
    rho = stats.spearmanr(rows["latency_median_s"], rows["energy_per_inference_j"]).statistic
    p = rank_p_value(rows["latency_median_s"], rows["energy_per_inference_j"])
    power = rows["avg_power_w"].dropna()
    spread = (
        f"average power stays within {num(power.min())}-{num(power.max())} W (coefficient of variation "
        f"{power.std() / power.mean():.0%}), so energy is close to latency x a constant power"
        if len(power) > 1 and power.mean() > 0
        else "average power not recorded"
    )
    return [
        heading,
        Bullets(
            [
                f"over {len(rows)} valid configurations, median latency and energy per inference: "
                f"ρ = {rho:.2f} (p = {p:.2g})",
                spread,
            ]
        ),
    ]


def _breaks(frame) -> list:
    items = []
    ok = measured(frame)
    for flag, what in (
        ("swapped", "swapped (latency includes paging)"),
        ("throttled", "throttled"),
        ("power_state_changed", "saw the power state change while measured"),
    ):
        hit = ok[ok[flag] == True]  # noqa: E712
        if len(hit):
            items.append(
                f"{len(hit)} configuration(s) {what}: "
                + ", ".join(f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])}" for _, r in hit.iterrows())
            )
    for status in ("oom", "error", "timeout"):
        hit = frame[frame["status"] == status]
        if len(hit):
            items.append(
                f"{len(hit)} configuration(s) ended `{status}`: "
                + ", ".join(
                    f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])} ({r['reason']})"
                    for _, r in hit.iterrows()
                )
            )
    tails = outliers(frame)
    if len(tails):
        items.append(
            f"{len(tails)} configuration(s) have long latency tails (see Outliers): "
            + ", ".join(
                f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])} (max/median {r['max_ratio']:.2f})"
                for _, r in tails.iterrows()
            )
        )
    invalid = ok[failed_validity(ok)]
    if len(invalid):
        items.append(
            f"{len(invalid)} of {len(ok)} measured configuration(s) failed a validity check (see Validity) "
            "and are left out of every finding above: "
            + ", ".join(f"{r['model']} b{int(r['batch_size'])}/{int(r['input_size'])}" for _, r in invalid.iterrows())
        )
    common = trusted(common_config(frame))
    rate = (common["flops"] / common["latency_median_s"] / 1e9).dropna()
    if len(rate) >= MIN_MODELS:
        median = rate.median()
        for index in rate.index:
            ratio = rate[index] / median
            if ratio > PATTERN_FACTOR or ratio < 1 / PATTERN_FACTOR:
                r = common.loc[index]
                items.append(
                    f"{r['model']} runs at {num(rate[index])} GFLOP/s at batch 1, {ratio:.2f}x the models' "
                    f"median ({num(median)}): its latency is {'lower' if ratio > 1 else 'higher'} than its "
                    "FLOPs predict"
                )
    return [
        Heading(3, "What broke the pattern"),
        Bullets(items)
        if items
        else Text(
            "Nothing: no swapping, throttling, power-state change, failures, long tails or invalid rows, "
            "and every "
            f"model's achieved GFLOP/s is within {PATTERN_FACTOR:g}x of the median."
        ),
    ]


def basis(frame) -> str:
    ok = measured(frame)
    if ok["valid"].isna().all():
        return (
            "Every statement below is computed from this bundle's records; their validity was not recorded "
            "(the bundle predates the check), so every measured configuration is used."
        )
    valid = len(trusted(ok))
    return (
        f"Every statement below is computed from this bundle's valid records only: {valid} of {len(ok)} "
        "measured configurations passed the validity checks"
        + (". The others are listed under What broke the pattern." if valid < len(ok) else ".")
    )


def discussion_section(frame, ctx) -> list:
    if measured(frame).empty:
        return [Heading(2, "Discussion"), Text("Nothing was measured, so there is nothing to discuss.")]
    return (
        [Heading(2, "Discussion"), Text(basis(frame))]
        + _correlation_blocks(frame, ctx.plot_dir, ctx.plot_title_suffix)
        + _scaling_blocks(frame)
        + _energy_blocks(frame)
        + _breaks(frame)
    )
