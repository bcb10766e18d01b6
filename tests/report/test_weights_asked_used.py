"""Pretrained weights asked, random ones used (assets missing, accuracy.optional): the header, the models
table, the accuracy section and the verdict say the same thing, with the recorded reason."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, measured

WHY = "assets in /a are missing or corrupt: resnet18 weights absent"
NOTE = f"pretrained weights unavailable ({WHY}); measured with random weights"


def test_header_table_and_accuracy_agree_when_pretrained_weights_were_unavailable(tmp_path):
    config = dict(CONFIG, weights="pretrained", models=["resnet18", {"name": "tiny", "weights": "random"}])
    records = [
        measured("resnet18", b, 64, 0.01 * b, notes=f"{NOTE}; CI target not reached (time budget)") for b in (1, 2)
    ] + [measured("tiny", 1, 64, 0.002)]
    write_run_report(to_frame(records), config, ENV, str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert (
        "weights: asked pretrained for resnet18; random for tiny; used random "
        "(pretrained weights unavailable: see the verdict)"
    ) in report
    assert "| resnet18 | fp32 | torchvision | random |" in report
    accuracy = report.split("## Accuracy vs efficiency")[1].split("\n## ")[0]
    assert f"pretrained weights were asked but unavailable ({WHY}), so resnet18 ran with random weights" in accuracy
    assert "run with `weights: pretrained`" not in accuracy
    assert (
        f"> - **random weights where pretrained were asked**: resnet18: {WHY}; their accuracy was not measured"
        in report.splitlines()
    )


def test_weights_used_as_asked_say_so(tmp_path):
    write_run_report(to_frame([measured("tiny", 1, 64, 0.002)]), dict(CONFIG, models=["tiny"]), ENV, str(tmp_path))
    assert "weights: random (as asked)" in (tmp_path / "report.md").read_text()
