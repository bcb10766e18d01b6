"""A deployed model that looks like the PyTorch model to evaluation.evaluate_model, so that a runtime's
accuracy on the dev set is measured by the same code as eager's: called with the preprocessed batch
(images positionally, token tensors by name), it returns the runtime's logits. Inputs the export does
not take (token_type_ids, all zeros for single sentences) are left out."""

from __future__ import annotations

from bench_job.runtimes.base import RuntimeFailed


class DeployedModel:
    def __init__(self, deployment, input_names: list):
        self.deployment = deployment
        self.input_names = list(input_names)
        self.config = getattr(deployment.model, "config", None)  # label names and position limits

    def eval(self):
        return self

    def __call__(self, *args, **kwargs):
        inputs = dict(zip(self.input_names, args))
        inputs.update({name: value for name, value in kwargs.items() if name in self.input_names})
        prepared = self.deployment.prepared
        if not prepared.accepts(inputs):
            raise RuntimeFailed(
                f"the {self.deployment.runtime.name} export is fixed-shape: the dev set's batches do not fit it"
            )
        return prepared.output(prepared.bind(inputs)())
