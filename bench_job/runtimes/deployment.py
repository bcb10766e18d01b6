"""One model variant in its runtime, for the worker: prepared once (a dynamic export serves every
configuration), prepared again for a configuration of another shape when the export is fixed-shape, and
the record fields each configuration gets from it (preparation costs, fidelity to eager PyTorch)."""

from __future__ import annotations

from bench_job.runtimes import RUNTIMES
from bench_job.runtimes.adapter import DeployedModel
from bench_job.runtimes.base import first_output
from bench_job.runtimes.fidelity import output_fidelity


class Deployment:
    """model: what the runtime prepares from and what its outputs are checked against (the fp32 CPU model
    for an export, the eager variant's model otherwise); workdir: the folder for the runtime's files, the
    caller's to make and remove (the supervisor's, for a worker: see run/task.py's scratch)."""

    def __init__(
        self,
        runtime_name: str,
        model,
        variant,
        device: str,
        threads: int | None,
        workdir: str,
        shape_range: tuple | None = None,
        calibration: list | None = None,
        calibration_note: str | None = None,
    ):
        self.runtime = RUNTIMES[runtime_name]
        self.model, self.variant, self.device, self.threads = model, variant, device, threads
        self.shape_range, self.calibration, self.calibration_note = shape_range, calibration, calibration_note
        self.workdir = workdir
        self.prepared = None
        self.input_names: list = []

    @property
    def eager(self) -> bool:
        return self.runtime.name == "eager"

    def model_inputs(self, inputs: dict) -> dict:
        """The variant's inputs as the PyTorch model takes them: on its device, float tensors in its float
        type. An export starts from the fp32 CPU model while the runtime's inputs follow the variant (fp16 on
        a GPU for TensorRT), so the export, the fidelity reference and the FLOP count all need this."""
        from evaluation.preprocess import to_model

        return to_model(self.model, (), inputs)[1]

    def prepare(self, inputs: dict):
        """The Prepared that runs inputs: the one already made when it accepts them, else a new one."""
        if self.prepared is None or not self.prepared.accepts(inputs):
            self.input_names = list(inputs)
            self.prepared = self.runtime.prepare(
                self.model,
                self.model_inputs(inputs),
                self.variant,
                self.device,
                self.threads,
                self.workdir,
                self.shape_range,
                self.calibration,
            )
        return self.prepared

    def fields(self, inputs: dict, output, reference) -> dict:
        """Record fields of one configuration whose first run returned output: the runtime's preparation costs
        and, for a runtime other than eager, its outputs against reference, eager PyTorch's raw output on the
        same inputs (model_inputs of them)."""
        prepared = self.prepare(inputs)
        fields = dict(
            prepared.fields,
            export_s=prepared.export_s,
            session_s=prepared.session_s,
            fixed_shape=prepared.fixed_shape if not self.eager else None,
        )
        if self.calibration_note:
            fields["calibration"] = self.calibration_note
        if not self.eager:
            fields.update(output_fidelity(first_output(reference), prepared.output(output), self.variant.precision))
        return fields

    def accuracy_model(self):
        """What the accuracy step runs: the eager model itself, or the runtime behind an adapter."""
        return self.model if self.eager else DeployedModel(self, self.input_names)

    def reference_model(self):
        """What the accuracy step compares the deployed model's top-1 with: eager PyTorch, None for eager itself."""
        return None if self.eager else self.model
