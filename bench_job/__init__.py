"""Edge inference benchmark: what a model costs on a Raspberry Pi, a Jetson or a laptop."""

__version__ = "0.1.0"
