"""Errors the user can cause and fix: the CLI prints their message on one line and exits 2."""


class UserError(Exception):
    """Bad input: an unknown model, a bad size, a broken config, missing weights or data."""
