"""real_clock.json: the run's real-clock measurements (host/clock_check.check_real_clock), a list in the
order taken: the run's start, then one after each model. A resumed run appends to its first part's list."""

from __future__ import annotations

import json
import os

from bench_job.bundle.names import REAL_CLOCK_JSON
from bench_job.errors import UserError


def read_real_clock(folder: str) -> list:
    """The measurements in folder's real_clock.json; [] where there is none (bundles that predate it).
    A file that is not a JSON list is refused with a one-line error."""
    path = os.path.join(folder, REAL_CLOCK_JSON)
    if not os.path.exists(path):
        return []
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UserError(f"{path} is not a list of measurements")
    return data


def append_real_clock(folder: str, measurement: dict) -> None:
    """Add one measurement to folder's real_clock.json; written whole to a temporary file and renamed, so a
    killed run leaves the previous list, never half of one."""
    measurements = read_real_clock(folder) + [measurement]
    path = os.path.join(folder, REAL_CLOCK_JSON)
    with open(path + ".partial", "w") as handle:
        json.dump(measurements, handle, indent=1)
    os.replace(path + ".partial", path)
