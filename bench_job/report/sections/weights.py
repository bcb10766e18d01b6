"""Which weights each model was asked to run with (the resolved config) against those it ran with (the
records), and why they differ: with missing or corrupt assets and `accuracy.optional`, a run goes on with
random weights and each record's notes say why. The header, the verdict and the accuracy section all read
this one account, so they cannot disagree with the models table."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What the run writes into a record's notes when it falls back to random weights (cli.prepare_assets).
UNAVAILABLE = re.compile(r"pretrained weights unavailable \((.*)\); measured with random weights")


@dataclass(frozen=True)
class ModelWeights:
    model: str
    asked: str | None  # None where the bundle has no config.yaml to say
    used: str  # the records' weights column ("" where not recorded)
    why: str | None  # the reason recorded in the notes when pretrained weights were unavailable

    @property
    def downgraded(self) -> bool:
        """Pretrained weights asked, random ones used."""
        return self.asked == "pretrained" and self.used == "random"


def asked_weights(config: dict) -> dict:
    """model -> the weights its config entry asks for (the entry's `weights:`, else the top-level one)."""
    default = config.get("weights")
    asked = {}
    for entry in config.get("models") or []:
        if isinstance(entry, dict) and entry.get("name"):
            asked[entry["name"]] = entry.get("weights", default)
        elif isinstance(entry, str):
            asked[entry] = default
    return asked


def model_weights(frame, config: dict) -> list:
    """One ModelWeights per model of the records, in their order."""
    asked = asked_weights(config)
    out = []
    for model, rows in frame.groupby("model", sort=False):
        used = next((str(w) for w in rows["weights"] if isinstance(w, str) and w), "")
        reasons = [
            match.group(1)
            for note in rows["notes"]
            if isinstance(note, str)
            for match in [UNAVAILABLE.search(note)]
            if match
        ]
        out.append(ModelWeights(model, asked.get(model, config.get("weights")), used, reasons[0] if reasons else None))
    return out


def by_value(pairs) -> str:
    """'pretrained' when every model has the same value, else 'pretrained for a, b; random for c'."""
    groups = {}
    for model, value in pairs:
        groups.setdefault(value or "not recorded", []).append(model)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{value} for {', '.join(models)}" for value, models in groups.items())


def container_weights(env: dict) -> tuple:
    """(why the container's entrypoint chose the weights, the failed fetch's note), each None where env.json's
    `container` entry records none: the entrypoint passes them (BENCH_WEIGHTS_REASON, BENCH_FETCH_FAILED)
    when it asks for random weights itself because the assets volume holds no fetch, and whenever the last
    fetch step failed. The config then says `weights: random`, which nobody asked for."""
    container = (env or {}).get("container") or {}
    return container.get("weights_reason") or None, container.get("fetch_failed") or None


def weights_line(uses: list, env: dict = None) -> str:
    """The header's account: what was asked, what was used, and a pointer to why where they differ. Weights
    the container's entrypoint chose (env.json) are not `as asked`: the line gives its reason instead."""
    if not uses:
        return "weights: no configuration recorded"
    used = by_value((u.model, u.used) for u in uses)
    if all(u.asked is None for u in uses):
        return f"weights: {used}"
    if all(u.asked == u.used for u in uses):
        chosen_by, _ = container_weights(env)
        return f"weights: {used} ({chosen_by})" if chosen_by else f"weights: {used} (as asked)"
    line = f"weights: asked {by_value((u.model, u.asked) for u in uses)}; used {used}"
    return line + (" (pretrained weights unavailable: see the verdict)" if any(u.downgraded for u in uses) else "")


def unavailable_reasons(uses: list) -> str:
    """The distinct recorded reasons of the downgraded models, or a plain statement that none was recorded."""
    reasons = list(dict.fromkeys(u.why for u in uses if u.downgraded and u.why))
    return "; ".join(reasons) or "no reason recorded in the notes"


def fetch_problem(env: dict):
    """The verdict's entry for a failed fetch step (env.json's container.fetch_failed), with what it cost:
    random weights chosen by the entrypoint, or the assets an earlier fetch left. None when none failed."""
    chosen_by, failed = container_weights(env)
    if not failed:
        return None
    if chosen_by:
        cost = (
            "the container therefore ran with random weights nobody asked for and accuracy was not measured; "
            "latency, FLOPs, memory and energy are unaffected"
        )
    else:
        cost = "the run read the assets an earlier fetch left in the volume, which may be older than this run"
    return (
        "the fetch step failed",
        f"{failed.rstrip('.')}; {cost}. Fix what the fetch's error names (it needs the network) "
        "with `make fetch`, then run again.",
    )
