"""Errors a user can cause and fix in the accuracy layer.

They subclass the core's UserError so that the CLI prints them on one line and exits 2, like every
other mistake a user can correct.
"""

from bench_job.errors import UserError

FETCH_HINT = "run `bench-job fetch --assets DIR` (with network) and pass the same --assets DIR to the run"


class AssetsError(UserError):
    """Pretrained weights or dev data are missing from, or corrupt in, the assets directory."""

    def __init__(self, problem: str):
        super().__init__(f"{problem}: {FETCH_HINT}")


class EvaluationDataError(UserError):
    """A user-supplied dev set (ImageFolder or save_to_disk folder) cannot be used as given."""
