"""One LoadGen test of a model variant's deployed runtime: LoadGen's query sample library (QSL) over a pool of the
model's inputs, a system under test (SUT) that runs LoadGen's queries in the runtime, LoadGen's own run, and the logs
it writes, read back.

LoadGen (PyPI mlcommons-loadgen, MLCommons' C++ load generator behind pybind11) issues the queries, times them
and judges the run; nothing here times anything. The SUT answers in LoadGen's threads as MLPerf's Python reference
harnesses do: SingleStream, MultiStream and Offline inline in the issue call (one query at a time, so inline is what
the scenario measures), Server through a queue and one inference thread, which runs whatever has queued as one batch
(up to the SUT's largest batch), since a Poisson arrival must never wait for the issue call of the last one.

A batch of n samples runs as chunks of the largest power of two <= n (and <= the SUT's largest batch): a runtime
whose export is fixed-shape then needs at most log2(largest) + 1 shapes, each prepared and warmed before LoadGen
starts, so no export or JIT compile is ever inside a measured query.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from dataclasses import dataclass, field

from bench_job.errors import UserError
from bench_job.scenarios import loadgen_log
from bench_job.scenarios.accuracy import ACCURACY_LOG

SUMMARY_LOG = "mlperf_log_summary.txt"
DETAIL_LOG = "mlperf_log_detail.txt"
# what the bundle keeps of a test: the summary and detail logs, and an accuracy test's responses (the trace,
# mlperf_log_trace.json, is hundreds of kB per test and says nothing the detail log does not)
KEPT_LOGS = (SUMMARY_LOG, DETAIL_LOG)


def import_loadgen():
    """The mlperf_loadgen module; a UserError naming the package and the pin to install where it cannot be imported
    (the run checks this before anything is measured)."""
    try:
        import mlperf_loadgen
    except ImportError as exc:
        raise UserError(
            "the MLPerf scenarios need LoadGen, which is not installed here: pip install mlcommons-loadgen==6.0.14 "
            f"(`make venv` and the images install it), or run with --scenario sweep ({exc})"
        ) from exc
    return mlperf_loadgen


def chunks(count: int, largest: int) -> list:
    """Sizes of the batches a query of count samples runs as: the largest power of two <= what is left (capped at
    largest, itself rounded down to a power of two)."""
    cap = 1 << (max(1, largest).bit_length() - 1)
    sizes = []
    while count > 0:
        size = min(cap, 1 << (count.bit_length() - 1))
        sizes.append(size)
        count -= size
    return sizes


def batch_shapes(largest: int) -> list:
    """Every batch size chunks() can produce up to largest: the shapes to prepare and warm before a test."""
    cap = 1 << (max(1, largest).bit_length() - 1)
    return [1 << i for i in range(cap.bit_length())]


class SampleLibrary:
    """LoadGen's samples: a pool of inputs (a dict of tensors whose first axis is the sample), and the batch of any
    samples as the model takes them. A single sample is a view of the pool; a batch of several is gathered."""

    def __init__(self, pool: dict):
        self.pool = pool
        self.count = len(next(iter(pool.values())))

    def batch(self, indices: list) -> dict:
        if len(indices) == 1:
            i = indices[0]
            return {name: tensor[i : i + 1] for name, tensor in self.pool.items()}
        import torch

        index = torch.tensor(indices, device=next(iter(self.pool.values())).device)
        return {name: tensor.index_select(0, index) for name, tensor in self.pool.items()}


@dataclass
class SutCounters:
    samples: int = 0
    max_batch: int = 0
    failure: BaseException | None = None  # the first exception a batch raised: the test is an error, not a result


class SystemUnderTest:
    """bind(inputs) -> a callable that runs one batch in the deployed runtime to completion (synchronised) and
    returns its raw output; binds of single samples are kept, so a SingleStream query costs what the sweep's timed
    pass costs. respond(raw output) -> the response data of a one-sample batch (a numpy array), in accuracy mode;
    None: responses carry no data (performance mode)."""

    def __init__(self, lg, library, bind, largest_batch: int, queued: bool, respond=None):
        self.lg, self.library, self.bind, self.respond = lg, library, bind, respond
        self.largest = 1 if respond is not None else largest_batch
        self.counters = SutCounters()
        self._single = {}
        self._queue = queue.Queue() if queued else None
        self._thread = None

    def _run(self, samples: list) -> None:
        done = 0
        for size in chunks(len(samples), self.largest):
            part = samples[done : done + size]
            done += size
            indices = [s.index for s in part]
            data = None
            if self.counters.failure is None:
                try:
                    if self.respond is not None:  # accuracy: each sample once, its own bind
                        data = self.respond(self.bind(self.library.batch(indices))())
                    elif size == 1:
                        run = self._single.get(indices[0])
                        if run is None:
                            run = self._single[indices[0]] = self.bind(self.library.batch(indices))
                        run()
                    else:
                        self.bind(self.library.batch(indices))()
                except Exception as exc:  # answered all the same: LoadGen must end, the row says why
                    self.counters.failure = exc
            self.counters.samples += size
            self.counters.max_batch = max(self.counters.max_batch, size)
            if data is not None:  # LoadGen copies the bytes before QuerySamplesComplete returns
                responses = [self.lg.QuerySampleResponse(part[0].id, data.ctypes.data, data.nbytes)]
            else:
                responses = [self.lg.QuerySampleResponse(s.id, 0, 0) for s in part]
            self.lg.QuerySamplesComplete(responses)

    def issue(self, samples) -> None:
        if self._queue is None:
            self._run(list(samples))
        else:
            for sample in samples:
                self._queue.put(sample)

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.largest:
                try:
                    sample = self._queue.get_nowait()
                except queue.Empty:
                    break
                if sample is None:
                    self._queue.put(None)  # seen again by the outer loop, after this batch
                    break
                batch.append(sample)
            self._run(batch)

    def __enter__(self):
        if self._queue is not None:
            self._thread = threading.Thread(target=self._serve, name="sut-server", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()

    def flush(self) -> None:
        pass  # every query is answered as it runs


@dataclass
class TestOutcome:
    detail: dict  # the detail log's entries (loadgen_log.read_detail)
    logs: dict = field(default_factory=dict)  # log name -> text, KEPT_LOGS
    samples: int = 0  # samples the SUT completed
    max_batch: int = 0  # the largest batch it ran
    errors: list = field(default_factory=list)  # LoadGen's own error entries
    failure: BaseException | None = None  # what a batch raised, if one did


def run_test(lg, settings, library, bind, largest_batch: int, queued: bool, respond=None) -> TestOutcome:
    """One LoadGen test with these TestSettings, in a scratch folder whose logs are read back and removed.
    library: a SampleLibrary, or one that loads its samples a set at a time (load/unload, scenarios/accuracy.py);
    respond: the response data of a sample's output, for an accuracy test."""
    sut_state = SystemUnderTest(lg, library, bind, largest_batch, queued, respond)
    with tempfile.TemporaryDirectory(prefix="bench-job-loadgen-") as outdir:
        log_settings = lg.LogSettings()
        log_settings.log_output.outdir = outdir
        log_settings.log_output.copy_summary_to_stdout = False
        log_settings.enable_trace = False
        sut = lg.ConstructSUT(sut_state.issue, sut_state.flush)
        # a pool stays in memory (loading and unloading are no-ops); a dev set loads a set of samples at a time
        load = getattr(library, "load", lambda _: None)
        unload = getattr(library, "unload", lambda _: None)
        qsl = lg.ConstructQSL(
            library.count, min(library.count, getattr(library, "set_size", library.count)), load, unload
        )
        try:
            with sut_state:
                # LoadGen applies an audit.config it finds (by default in the working folder): name one that is not
                # there, so a stray file never changes a test
                lg.StartTestWithLogSettings(sut, qsl, settings, log_settings, os.path.join(outdir, "audit.config"))
        finally:
            lg.DestroyQSL(qsl)
            lg.DestroySUT(sut)
        logs = {}
        for log in KEPT_LOGS + ((ACCURACY_LOG,) if respond is not None else ()):
            path = os.path.join(outdir, log)
            if os.path.exists(path):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    logs[log] = handle.read()
    detail_text = logs.get(DETAIL_LOG, "")
    counters = sut_state.counters
    return TestOutcome(
        loadgen_log.read_detail(detail_text),
        logs,
        counters.samples,
        counters.max_batch,
        loadgen_log.errors(detail_text),
        counters.failure,
    )
