"""Edge inference benchmark: what a model costs on a Raspberry Pi, a Jetson or a laptop."""

from __future__ import annotations

__version__ = "0.1.0"
