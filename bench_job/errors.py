"""Errors the user can cause and fix: the CLI prints their message on one line and exits 2."""


class UserError(Exception):
    """Bad input: an unknown model, a bad size, a broken config, missing weights or data."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An unexpected exception as one line for a record or a message: its type and the start of its first line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:limit] if lines else ''}".rstrip(": ")
