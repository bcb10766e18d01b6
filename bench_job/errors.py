"""Errors the user can cause and fix: the CLI prints their message on one line and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input: an unknown model, a bad size, a broken config, missing weights or data."""

    user_fixable = True


def user_fixable(exc: BaseException) -> bool:
    """Whether exc is bad input the user can fix: the CLI's UserError, or a lower layer's own error that says so
    (the power layer's PowerSetupError, the evaluation layer's EvaluationError) by a `user_fixable` attribute,
    so that no lower layer depends on the CLI's error class nor the CLI on theirs."""
    return getattr(exc, "user_fixable", False) is True


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An unexpected exception as one line for a record or a message: its type and the start of its first line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:limit] if lines else ''}".rstrip(": ")


class RemoteTraceback(Exception):
    """A child process's traceback, chained under the exception it raised there (as concurrent.futures does):
    run/isolated.py's steps and report/render/figure_pool.py's figures."""

    def __str__(self) -> str:
        return self.args[0]
