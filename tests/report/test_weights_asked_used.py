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


FETCH_NOTE = "FETCH FAILED (exit 1) at 2026-12-02T03:00:00Z: cannot reach huggingface.co"
CHOSEN = "chosen by the container's entrypoint, not asked: the last fetch step failed and /assets holds no fetch"


def _container_report(tmp_path, container: dict) -> str:
    env = dict(ENV, container=dict({"runtime": "docker"}, **container))
    write_run_report(to_frame([measured("tiny", 1, 64, 0.002)]), dict(CONFIG, models=["tiny"]), env, str(tmp_path))
    return (tmp_path / "report.md").read_text()


def test_random_weights_the_entrypoint_chose_after_a_failed_fetch_are_not_as_asked(tmp_path):
    """The entrypoint adds `--set weights=random` when the assets volume holds no fetch: the config says
    random, but nobody asked; the header gives the entrypoint's reason and the verdict names the failed fetch."""
    report = _container_report(tmp_path, {"weights_reason": CHOSEN, "fetch_failed": FETCH_NOTE})
    assert f"weights: random ({CHOSEN})" in report
    assert "(as asked)" not in report
    assert "> **Verdict: the fetch step failed;" in report
    assert f"> - **the fetch step failed**: {FETCH_NOTE}; the container therefore ran with random weights" in report
    assert "Verdict: clean" not in report


def test_a_failed_fetch_with_an_earlier_fetchs_assets_is_still_in_the_verdict(tmp_path):
    report = _container_report(tmp_path, {"fetch_failed": FETCH_NOTE})
    assert "weights: random (as asked)" in report
    assert f"> - **the fetch step failed**: {FETCH_NOTE}; the run read the assets an earlier fetch left" in report


def test_a_container_run_without_a_failed_fetch_keeps_its_verdict(tmp_path):
    report = _container_report(tmp_path, {"weights_reason": None, "fetch_failed": None})
    assert "weights: random (as asked)" in report and "fetch step failed" not in report
