"""The results bundle's layout: what `bench-job run` and `bench-job compare` write and the readers open."""

from __future__ import annotations
