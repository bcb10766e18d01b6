"""What every report section may use besides the table: the run's config, environment and outcome, where
plots go, and the per-model colours shared by every plot."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench_job.bundle.outcome import RunOutcome
from bench_job.report.sections.power_state import plot_title_suffix


@dataclass
class Context:
    config: dict
    env: dict
    out_dir: str  # the report's folder; plots go to out_dir/plots
    colours: dict = field(default_factory=dict)
    outcome: RunOutcome | None = None  # outcome.json: None for bundles that predate it
    real_clock: list = field(default_factory=list)  # real_clock.json's measurements: [] where there is none
    soaks: object = None  # the soak rows (a prepared frame), set apart from the sweep's (frame.sustained_rows)
    series_root: str | None = None  # the bundle's folder, where the soaks' CSVs are (None: out_dir)
    loadgen: object = None  # the MLPerf scenarios' rows (a prepared frame), set apart too (frame.loadgen_rows)

    @property
    def plot_dir(self) -> str:
        return os.path.join(self.out_dir, "plots")

    @property
    def plot_title_suffix(self) -> str:
        """What every plot title ends with: on a Jetson the power state the run started in (' [MAXN,
        jetson_clocks on]'), since a figure read without it cannot be reproduced; '' elsewhere."""
        return plot_title_suffix(self.env)

    def model_notes(self) -> dict:
        """model -> why it is in the study: the entry's `note`, else the config's `notes` mapping."""
        notes = dict(self.config.get("notes") or {})
        for entry in self.config.get("models") or []:
            if isinstance(entry, dict) and entry.get("note"):
                notes[entry["name"]] = entry["note"]
        return notes
