"""What the compared bundles share and what they do not: models that only some devices ran, and records of
older results schema versions, with the columns they lack. The comparison merges on what is shared
(configurations match on model, variant, batch and input size; a rank counts the devices that measured
it), and this section says what that left out, so a missing device or an empty column is never read as
a result."""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import COLUMNS
from bench_job.report.render.document import Heading, Table, Text

# Names listed in a cell before the rest are only counted: a class of 100 devices must not make one
# table row a page long.
MAX_NAMES = 8


def names(items) -> str:
    items = sorted(items)
    shown = ", ".join(items[:MAX_NAMES])
    return shown + (f" and {len(items) - MAX_NAMES} more" if len(items) > MAX_NAMES else "")


def model_coverage(merged: pd.DataFrame, devices: dict) -> list:
    everyone = set(devices)
    ran = merged.groupby(["model", "variant"], sort=True)["device"].agg(set)
    partial = [(model, variant, on) for (model, variant), on in ran.items() if on != everyone]
    if not partial:
        return [Text(f"Every device ran the same {len(ran)} model variant(s).")]
    rows = [[model, variant, f"{len(on)} of {len(everyone)}", names(everyone - on)] for model, variant, on in partial]
    return [
        Text(
            f"{len(ran) - len(partial)} of {len(ran)} model variant(s) ran on every device; the others are "
            "compared among the devices that ran them:"
        ),
        Table(["model", "variant", "devices", "not run on"], rows),
    ]


def schema_coverage(merged: pd.DataFrame) -> list:
    versions = pd.to_numeric(merged["schema_version"], errors="coerce")
    known = sorted(int(v) for v in versions.dropna().unique())
    if len(known) < 2:
        return []
    newest = merged[versions == known[-1]]
    rows = []
    for version in known[:-1]:
        older = merged[versions == version]
        # Columns the newest records fill and these leave empty everywhere: the reader keeps them empty, never
        # guessed, and the report's figures that need them come from the newer bundles only.
        lacking = [c for c in COLUMNS if c in merged and newest[c].notna().any() and older[c].isna().all()]
        rows.append([version, names(set(older["device"])), ", ".join(lacking) or "none"])
    return [
        Text(
            f"Bundles of {len(known)} results schema versions are merged ({', '.join(map(str, known))}): "
            f"rows of older versions lack columns that version {known[-1]} records, left empty rather "
            "than guessed. The leaderboard and ratios use the median latency, which every version records."
        ),
        Table(["schema version", "devices", f"columns empty there, filled by version {known[-1]}"], rows),
    ]


def coverage_section(merged: pd.DataFrame, devices: dict) -> list:
    return [Heading(2, "What the bundles share")] + model_coverage(merged, devices) + schema_coverage(merged)
