"""Logging to the console and to the run's log file, which goes into the bundle."""

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
