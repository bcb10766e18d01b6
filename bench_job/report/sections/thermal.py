"""The board's heat in the report: the header's line on the cool-down between models (env.json's cool_down), and the
verdict's entries for models that started hot (the cool-down ran out first) and for a Raspberry Pi whose firmware
had throttled since boot before the run started (env.json's power_state: the device state read at the start)."""

from __future__ import annotations

from bench_job.report.render.frame import measured, model_variant_label
from bench_job.units import format_duration


def _model_variants(rows):
    """One row per model variant (every row of a model carries its model's cool-down)."""
    return rows.drop_duplicates(["model", "variant"])


def cool_down_line(frame, ctx) -> str | None:
    """'cool-down between models: ...' for the header; None for a bundle written before the cool-down existed."""
    summary = ctx.env.get("cool_down")
    if not summary:
        return None
    if summary.get("reason"):
        return f"cool-down between models: none ({summary['reason']})"
    if summary.get("cool_to_c") is not None:
        target = f"{summary['target_c']:.1f} C (thermal.cool_to_c)"
    else:
        margin, start = summary["cool_margin_c"], summary["start_c"]
        target = f"{summary['target_c']:.1f} C (within {margin:g} C of {start:.1f} C at the start)"
    line = (
        f"cool-down between models: each waited, at most {summary['max_wait_s']:g} s, for the hottest thermal zone to "
        f"reach {target}"
    )
    models = _model_variants(measured(frame))
    waited = models[models["cool_down_s"] > 0]
    if not waited.empty:
        line += (
            f"; {len(waited)} of {len(models)} model variant(s) waited, "
            f"{format_duration(float(waited['cool_down_s'].sum()))} in all"
        )
    hot = int((models["started_hot"] == True).sum())  # noqa: E712 (True/False/None)
    if hot:
        line += f"; {hot} started hot (see the verdict)"
    return line


def started_hot(frame):
    """(label, detail) where measured rows started hot: their model's cool-down ran out with the board above its
    target, so their figures may be the hot board's; None otherwise."""
    ok = measured(frame)
    hot = ok[ok["started_hot"] == True]  # noqa: E712 (True/False/None)
    if hot.empty:
        return None
    label = model_variant_label(ok)
    names = ", ".join(label(r["model"], r["variant"]) for _, r in _model_variants(hot).iterrows())
    return (
        f"{len(hot)} configuration(s) started hot",
        f"the cool-down before {names} ran out (thermal.max_wait_s) with the board above its target (each row's "
        "notes give the temperature): their figures may be a hot, throttling board's. Cool the board (a heatsink, a "
        "fan) or raise thermal.max_wait_s, and run again.",
    )


def throttled_before_run(env: dict):
    """(label, detail) where the Raspberry Pi firmware's since-boot throttle bits (vcgencmd get_throttled, bits
    16-19) were already set when the run started; None otherwise (other devices, or bundles without the snapshot)."""
    flags = (env.get("power_state") or {}).get("rpi_throttled") or {}
    since_boot = flags.get("since_boot") or []
    if not since_boot:
        return None
    return (
        "the board was throttling before the run",
        f"the board has been throttling ({', '.join(since_boot)} since boot) before this job measured anything "
        f"(vcgencmd get_throttled reported {flags.get('raw')} at the run's start). Those bits stay set until a "
        "reboot, so throttling of the same kind during a row shows only where it was still on when the row ended. "
        "Reboot (the bits clear), cool the board or "
        "give it a better supply, and run again.",
    )
