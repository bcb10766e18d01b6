"""LoadGen's accuracy test of a model variant in the worker, where it has pretrained weights and its dev set (its rows'
own accuracy was scored by the evaluation): the dev set through LoadGen in accuracy mode (bench_job/scenarios/
accuracy.py), once per variant, in the Offline scenario (every sample in one query: the fastest way through a dev set
of thousands, and the deployed model's accuracy does not depend on the scenario that issues its samples); every
MLPerf scenario row of the variant carries the result, and the first one the accuracy log.

The fp32 reference is eager PyTorch fp32 on the same examples: for the eager fp32 variant its own evaluated
accuracy; behind a deployed runtime the fp32 model the runtime was exported from (the deployment's reference),
evaluated once per worker by the same evaluation; for an eager variant of another precision none is at hand in
its worker (the eager fp32 variant's row holds it), which the row says.
"""

from __future__ import annotations

from bench_job.run.variant_inputs import prepare_inputs
from bench_job.scenarios import accuracy as lg_accuracy


class AccuracySource:
    """What an accuracy test needs from the worker: the dev set's samples and the fp32 reference accuracy."""

    def __init__(self, task, model, family, preprocessing, label_map, deployment, device: str):
        self.task, self.model, self.family, self.preprocessing = task, model, family, preprocessing
        self.label_map, self.deployment, self.device = label_map, deployment, device
        self._reference = None
        self.result = None  # the variant's accuracy fields, once measured

    def applies(self, record: dict) -> bool:
        return record.get("accuracy") is not None

    def library(self) -> lg_accuracy.DevSetLibrary:
        from evaluation.data import load_eval_set
        from evaluation.sampling import stratified_indices

        task, entry = self.task, self.task.entry
        data = load_eval_set(entry.task, assets_dir=task.assets, data_path=entry.data_path)
        rows = stratified_indices(data.labels, task.accuracy.max_examples, task.seed)
        prep = self.preprocessing if self.preprocessing is not None else self.family.preprocessing(entry)
        names = list(self.family.make_inputs(self.model, 1, entry.input_size, task.seed))
        return lg_accuracy.DevSetLibrary(
            data,
            rows,
            self.family.real_input_encoder(prep, self.model),
            names,
            lambda inputs: prepare_inputs(inputs, task.variant, self.device),
            task.scenarios.performance_samples,
        )

    def reference(self, record: dict) -> tuple:
        """(eager fp32 accuracy on the same examples, a note or None)."""
        variant = self.task.variant
        if self.deployment.eager:
            if variant.precision == "fp32":
                return record.get("accuracy"), None
            return None, "no eager fp32 reference in this variant's worker: see the eager fp32 variant's row"
        if self._reference is None:
            self._reference = self._evaluate_reference()
        return self._reference, None

    def _evaluate_reference(self) -> float | None:
        from bench_job.measure.latency import timer_for
        from evaluation import evaluate_model

        task, entry = self.task, self.task.entry
        reference = self.deployment.reference_model()
        prep = self.preprocessing if self.preprocessing is not None else self.family.preprocessing(entry)
        fields = evaluate_model(
            reference,
            entry.task,
            tokenizer_or_transform=prep,
            label_map=self.label_map,
            timer=timer_for("cpu"),
            batch_size=task.accuracy.batch_size,
            max_examples=task.accuracy.max_examples,
            seed=task.seed,
            device="cpu",
            dtype="fp32",
            progress=False,
            assets_dir=task.assets,
            data_path=entry.data_path,
            family=self.family,
        )
        return fields.get("accuracy")


def accuracy_fields(source: AccuracySource, record: dict, run_accuracy_test) -> tuple:
    """(the row's accuracy columns, the accuracy test's logs or None where an earlier row of the variant holds them).
    run_accuracy_test(library, respond) -> the test's TestOutcome; run once per variant."""
    if source.result is not None:
        return source.result, None
    library = source.library()
    outcome = run_accuracy_test(library, lambda raw: lg_accuracy.top1_response(source.deployment.prepared.output(raw)))
    if outcome.failure is not None:
        raise outcome.failure
    predicted = lg_accuracy.predictions(outcome.logs.get(lg_accuracy.ACCURACY_LOG, "[]"))
    accuracy = lg_accuracy.top1_accuracy(predicted, library, record.get("label_map"))
    reference, note = source.reference(record)
    fields = {
        "loadgen_accuracy": accuracy,
        "loadgen_accuracy_samples": len(predicted),
        "fp32_reference_accuracy": reference,
        "meets_mlperf_accuracy": lg_accuracy.meets_target(accuracy, reference),
    }
    if note:
        fields["accuracy_note"] = note
    source.result = fields
    return fields, outcome.logs
