from __future__ import annotations

from bench_job.cli import main

raise SystemExit(main())
