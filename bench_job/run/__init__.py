"""`bench-job run`: the Job (job.py) that turns a resolved config into a bundle, the Runner (runner.py)
that walks the plan, the supervision of one worker process (supervisor.py), the worker itself
(worker.py) and the messages between them (messages.py)."""

from __future__ import annotations
