"""What the run as a whole did, written into the bundle as outcome.json beside the records: whether it
finished or was stopped, which planned configurations were never measured, and the time it took against
its --budget. The report's verdict reads it; bundles from before it existed have none (read as None)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from bench_job.bundle.names import OUTCOME_JSON

OUTCOME_FILE = OUTCOME_JSON
OUTCOME_VERSION = 1


@dataclass(frozen=True)
class RunOutcome:
    complete: bool  # every planned configuration has a record
    stopped_by: str | None  # "SIGINT" / "SIGTERM" when a signal cut the run short
    planned: int  # configurations in the plan
    never_measured: tuple  # keys of planned configurations without a record
    started_at: str  # ISO 8601, UTC
    finished_at: str
    elapsed_s: float  # wall time of the whole run, set-up included
    budget_s: float | None  # run.budget in seconds, None without one

    @property
    def over_budget_s(self) -> float | None:
        """Seconds past the budget (0 within it); None without a budget."""
        if self.budget_s is None:
            return None
        return max(0.0, self.elapsed_s - self.budget_s)


def write_outcome(folder: str, outcome: RunOutcome) -> str:
    path = os.path.join(folder, OUTCOME_FILE)
    data = dict(
        asdict(outcome),
        never_measured=list(outcome.never_measured),
        outcome_version=OUTCOME_VERSION,
        over_budget_s=outcome.over_budget_s,
    )
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2)
    return path


class OutcomeError(ValueError):
    pass


def read_outcome(folder: str) -> RunOutcome | None:
    """The outcome of the bundle unpacked in folder; None where the bundle predates outcome.json.
    A damaged file (bundles are untrusted input) raises OutcomeError with one line."""
    path = os.path.join(folder, OUTCOME_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            data = json.load(handle)
        budget = data.get("budget_s")
        return RunOutcome(
            complete=bool(data["complete"]),
            stopped_by=data.get("stopped_by"),
            planned=int(data["planned"]),
            never_measured=tuple(map(str, data.get("never_measured") or ())),
            started_at=str(data.get("started_at") or ""),
            finished_at=str(data.get("finished_at") or ""),
            elapsed_s=float(data["elapsed_s"]),
            budget_s=None if budget is None else float(budget),
        )
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        raise OutcomeError(f"{OUTCOME_FILE} in the bundle is damaged (not the outcome of a bench-job run)") from None
