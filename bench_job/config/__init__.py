"""Layered configuration (layers.py): packaged defaults -> device profile -> user YAML -> --set overrides."""

from bench_job.config.layers import *  # noqa: F401,F403
