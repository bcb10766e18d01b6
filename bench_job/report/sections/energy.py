"""Energy: per inference (gross and idle-subtracted net) and per sample against batch and input size,
the idle baseline, and how it was measured. Without a power source the fields are empty by design
(never estimated) and the section says why."""

from __future__ import annotations

from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text
from bench_job.report.render.frame import in_sweep, measured
from bench_job.report.render.markdown import num
from bench_job.report.render.plots import write_sweep_plots


def has_energy(frame) -> bool:
    return bool(measured(frame)["energy_per_inference_j"].notna().any())


def no_power_reason(frame) -> str:
    if measured(frame).empty:
        return "no configuration was measured"
    reasons = measured(frame)["energy_reason"].dropna().astype(str)
    reasons = reasons[reasons != ""]
    if reasons.empty:
        return "not recorded (this bundle's records predate energy measurement or carry no reason)"
    return "; ".join(reasons.value_counts().index)


def brief_power_reason(frame) -> str:
    """The verdict's pointer to no_power_reason, which the Energy section gives in full: each distinct
    reason's head ("no power source: rapl: ...; hwmon: ..." -> "no power source"), without the per-source
    details that can run to a paragraph."""
    full = no_power_reason(frame)
    if measured(frame).empty:
        return full
    reasons = measured(frame)["energy_reason"].dropna().astype(str)
    heads = [reason.split(": ")[0].strip() for reason in reasons[reasons != ""].value_counts().index]
    if not heads:
        return full
    return "; ".join(dict.fromkeys(heads)) + " (why, source by source: see Energy)"


def _distinct(series) -> str:
    values = series.dropna().astype(str)
    values = values[values != ""]
    return ", ".join(sorted(values.unique())) or "not recorded"


def method_bullets(frame) -> Bullets:
    rows = measured(frame)
    rows = rows[rows["energy_per_inference_j"].notna()]
    hz, samples, idle = rows["sampling_hz"].dropna(), rows["power_samples"].dropna(), rows["idle_power_w"].dropna()
    return Bullets(
        [
            f"power source: {_distinct(rows['power_source'])}; scope: {_distinct(rows['power_scope'])}",
            "sampling rate: "
            + (
                f"{num(hz.median())} Hz (median; {num(hz.min())}-{num(hz.max())})"
                if len(hz)
                else "not recorded (an energy counter needs none)"
            ),
            "power samples per energy window: "
            + (f"{int(samples.min())}-{int(samples.max())}" if len(samples) else "n/a"),
            "idle baseline: "
            + (
                f"{num(idle.median())} W (measured before the sweep; net energy subtracts it)"
                if len(idle)
                else "not measured: only gross energy is meaningful"
            ),
            f"configurations with energy: {len(rows)} of {len(measured(frame))} measured",
        ]
    )


def energy_table(frame, sweep: str) -> list:
    rows = in_sweep(measured(frame), sweep)
    rows = rows[rows["energy_per_inference_j"].notna()]
    if rows.empty:
        return []
    table_rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            num(r["avg_power_w"]),
            num(r["energy_per_inference_j"]),
            num(r["energy_net_per_inference_j"]),
            num(r["energy_per_sample_j"]),
        ]
        for _, r in rows.sort_values(["family", "model", "variant", "batch_size", "input_size"]).iterrows()
    ]
    title = "Energy vs batch size" if sweep == "batch" else "Energy vs input size"
    return [
        Heading(3, title),
        Table(
            [
                "model",
                "variant",
                "batch",
                "input",
                "avg W",
                "J per inference (gross)",
                "J per inference (net of idle)",
                "J per sample",
            ],
            table_rows,
        ),
    ]


def energy_section(frame, ctx) -> list:
    blocks = [Heading(2, "Energy")]
    if not has_energy(frame):
        return blocks + [
            Text(
                f"Energy not measured: {no_power_reason(frame)}. Energy is never estimated from "
                "TDP-style constants, so these fields stay empty."
            )
        ]
    blocks += [
        Text(
            "Energy per inference = average power over a window of repeated forward passes (>= 1 s and >= "
            "10 samples) x time, divided by the passes; net subtracts the idle baseline; per sample divides "
            "by the batch size."
        ),
        method_bullets(frame),
    ]
    blocks += energy_table(frame, "batch") + energy_table(frame, "input")
    plots = write_sweep_plots(frame, ctx.plot_dir, "energy", ctx.colours, ctx.plot_title_suffix)
    blocks += [Figure(p, p.split("/")[-1][:-4].replace("_", " ")) for p in plots]
    return blocks
