"""Accuracy as an `evaluate` metric module that ships with the project, so that it loads with no network.

evaluate.load("accuracy") fetches its script from the Hub; a local path to this file does not.
evaluate scans this file's imports to check dependencies: keep them one per line.
"""

from __future__ import annotations

import datasets
import evaluate

_DESCRIPTION = "Accuracy: the fraction of predictions equal to their reference, (TP + TN) / N."

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of int): predicted labels.
    references (list of int): ground-truth labels.
    normalize (bool): return the fraction (default) or the count of correct predictions.
Returns:
    accuracy (float or int)
"""

_CITATION = ""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Accuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Value("int64"),
                    "references": datasets.Value("int64"),
                }
            ),
        )

    def _compute(self, predictions, references, normalize=True):
        if len(predictions) != len(references):
            raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
        correct = sum(int(p) == int(r) for p, r in zip(predictions, references))
        if not normalize:
            return {"accuracy": correct}
        return {"accuracy": correct / len(references) if references else float("nan")}
