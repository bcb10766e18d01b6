"""Errors a user can cause and fix in the accuracy layer.

They are this layer's own: the accuracy layer knows nothing of the command line. Their `user_fixable`
mark tells the CLI to print them on one line and exit 2, like every other mistake a user can correct.
"""

from __future__ import annotations

FETCH_HINT = "run `bench-job fetch --assets DIR` (with network) and pass the same --assets DIR to the run"


class EvaluationError(ValueError):
    """Bad input to the accuracy layer: a checkpoint, tokenizer, task or dev set the user must fix."""

    user_fixable = True  # see bench_job.errors.user_fixable


class AssetsError(EvaluationError):
    """Pretrained weights or dev data are missing from, or corrupt in, the assets directory."""

    def __init__(self, problem: str):
        super().__init__(f"{problem}: {FETCH_HINT}")


class EvaluationDataError(EvaluationError):
    """A user-supplied dev set (ImageFolder or save_to_disk folder) cannot be used as given."""
