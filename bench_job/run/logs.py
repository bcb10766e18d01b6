"""Logging to the console and to the run's log file, which goes into the bundle."""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

_FORMAT = "%(asctime)s %(levelname)s %(message)s"


class _TqdmHandler(logging.StreamHandler):
    """Writes above the progress bar instead of through it."""

    def emit(self, record):
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:
            self.handleError(record)


def setup_logging(log_file: str | None, interactive: bool, verbose: bool = False) -> logging.Logger:
    logger = logging.getLogger("bench_job")
    logger.handlers.clear()
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    console = _TqdmHandler() if interactive else logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(levelname)s %(message)s" if interactive else _FORMAT))
    logger.addHandler(console)
    if log_file:
        handler = logging.FileHandler(log_file)
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    return logger


def copy_entrypoint_log(path: str | None) -> None:
    """Put what the container's entrypoint said before the job started (NO ASSETS, FETCH FAILED, the
    user it runs as) into the run log, which travels in the bundle; the console already showed it.
    Lines read `warning: text` or `info: text`."""
    if not path:
        return
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return
    logger = logging.getLogger("bench_job")
    for line in lines:
        level, _, text = line.partition(": ")
        record = logger.makeRecord(
            logger.name,
            logging.WARNING if level == "warning" else logging.INFO,
            __file__,
            0,
            "entrypoint: %s",
            (text,),
            None,
        )
        # to the file only: the console printed these lines itself
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler) and record.levelno >= handler.level:
                handler.handle(record)
