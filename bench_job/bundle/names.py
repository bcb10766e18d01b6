"""The file names of a results bundle, declared once: the run writes them, compare writes some of them,
the bundle reader and the report open them. A bundle is a tarball (TARBALL_SUFFIX) holding one top
folder with these files; changing a name here changes the bundle layout, which readers of older bundles
rely on."""

from __future__ import annotations

RESULTS_JSONL = "results.jsonl"  # one record per line, appended as configurations finish
RESULTS_CSV = "results.csv"  # the records as a table (results.to_frame)
ENV_JSON = "env.json"  # the machine, its libraries, the matmul peak, the power sources not read
CONFIG_YAML = "config.yaml"  # the resolved config the run measured
RUN_LOG = "run.log"  # the run's log, debug lines included
OUTCOME_JSON = "outcome.json"  # run_outcome.RunOutcome: finished or stopped, never measured, time
REAL_CLOCK_JSON = "real_clock.json"  # the CPU clock measured per core type at the start and after each model
DEVICES_JSON = "devices.json"  # compare's devices and baseline
SUSTAINED_DIR = "sustained"  # one CSV per soak: its time series (bundle/series.py names each)
REPORT_MD = "report.md"
REPORT_HTML = "report.html"

TARBALL_SUFFIX = ".tar.gz"  # the bundle itself
PARTIAL_SUFFIX = "-PARTIAL"  # ends the name of a bundle whose run did not finish
IN_PROGRESS_PREFIX = "in-progress-"  # the work folder of a run, next to the bundles, kept to resume
