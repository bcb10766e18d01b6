"""The verdict box at the top of report.md and report.html: every reason to distrust a bundle, or one
line saying it is clean."""

from __future__ import annotations

import html
import json

import yaml

from bench_job.bundle import names
from bench_job.bundle.outcome import RunOutcome
from bench_job.bundle.records import to_frame
from bench_job.measure.validity import reason_groups
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, failed, measured

ENERGY = dict(
    energy_per_inference_j=0.1,
    avg_power_w=10.0,
    power_source="rapl",
    power_samples=50,
    sampling_hz=100.0,
    energy_reason=None,
)


def outcome(**fields) -> RunOutcome:
    values = dict(
        complete=True,
        stopped_by=None,
        planned=2,
        never_measured=(),
        started_at="",
        finished_at="",
        elapsed_s=250.0,
        budget_s=600.0,
    )
    return RunOutcome(**dict(values, **fields))


def report_lines(tmp_path, records, run_outcome=None, config=CONFIG) -> list:
    write_run_report(to_frame(records), config, ENV, str(tmp_path), run_outcome)
    return (tmp_path / "report.md").read_text().splitlines()


def test_a_clean_run_says_so_in_one_line(tmp_path):
    records = [measured("tiny", b, 64, 0.002 * b, **ENERGY) for b in (1, 2)]
    lines = report_lines(tmp_path, records, outcome())
    assert lines[2] == (
        "> **Verdict: clean. All 2 configurations were measured and passed the validity checks, "
        "with the weights asked for and energy measured; the run finished in 4 min 10 s, within its "
        "budget of 10 min.**"
    )
    assert not lines[3].startswith(">")  # one line, no list of problems
    assert (
        "- run: complete, 2 of 2 planned configurations recorded; 4 min 10 s elapsed against a budget of 10 min, "
        "within it" in lines
    )
    page = (tmp_path / "report.html").read_text()
    assert '<div class="verdict verdict-clean"><p><strong>Verdict: clean.' in page


def test_a_partial_run_says_partial_and_lists_what_was_never_measured(tmp_path):
    never = ("tiny|fp32|cpu|b4|s64", "tiny|fp32|cpu|b8|s64")
    records = [measured("tiny", b, 64, 0.002 * b, **ENERGY) for b in (1, 2)]
    lines = report_lines(
        tmp_path, records, outcome(complete=False, stopped_by="SIGINT", planned=4, never_measured=never, budget_s=None)
    )
    assert lines[2] == "> **Verdict: PARTIAL run.**"
    assert lines[4] == (
        "> - **PARTIAL run**: stopped by SIGINT; 2 of 4 planned configurations were never measured: "
        "`tiny|fp32|cpu|b4|s64`, `tiny|fp32|cpu|b8|s64`. Run the same command again to resume and "
        "finish it."
    )
    assert (
        "- run: PARTIAL (stopped by SIGINT), 2 of 4 planned configurations recorded; 4 min 10 s elapsed, no "
        "budget set" in lines
    )
    page = (tmp_path / "report.html").read_text()
    assert '<div class="verdict verdict-warn"><p><strong>Verdict: PARTIAL run.</strong></p>' in page
    assert "<code>tiny|fp32|cpu|b4|s64</code>" in page


def test_a_budget_overrun_is_stated_with_its_size(tmp_path):
    records = [measured("tiny", 1, 64, 0.002, **ENERGY)]
    lines = report_lines(tmp_path, records, outcome(planned=1, elapsed_s=2000.0, budget_s=1800.0))
    assert lines[2] == "> **Verdict: over budget by 3 min 20 s.**"
    assert "> - **over budget by 3 min 20 s**: the run took 33 min 20 s against a budget of 30 min" in lines
    assert (
        "- run: complete, 1 of 1 planned configurations recorded; 33 min 20 s elapsed against a budget of 30 min: "
        "3 min 20 s over it" in lines
    )


def test_failures_random_weights_and_missing_energy_are_each_named(tmp_path):
    note = "pretrained weights unavailable (assets in /a are missing or corrupt: x); measured with random weights"
    records = [
        measured("tiny", 1, 64, 0.002, notes=note),
        measured("tiny", 2, 64, 0.004, notes=note),
        failed("tiny", 4, 64, "oom", "killed by the kernel OOM killer"),
        failed("tiny", 8, 64, "skipped", "a smaller configuration ran out of memory"),
        failed("tiny", 16, 64, "error", "RuntimeError: boom"),
    ]
    lines = report_lines(tmp_path, records, outcome(planned=5), dict(CONFIG, weights="pretrained", models=["tiny"]))
    assert lines[2] == (
        "> **Verdict: 3 configuration(s) did not run; random weights where pretrained were asked; no energy figures.**"
    )
    assert "> - **3 configuration(s) did not run**: 1 oom, 1 error, 1 skipped (see What did not run, and why)" in lines
    assert (
        "> - **random weights where pretrained were asked**: tiny: assets in /a are missing or corrupt: x; their "
        "accuracy was not measured"
    ) in lines
    # the power-source explanation in full once, in the Energy section; the verdict points to it
    assert "> - **no energy figures**: no power source (why, source by source: see Energy)" in lines
    assert "\n".join(lines).count("rapl: no readable zone") == 1
    assert "Energy not measured: no power source: rapl: no readable zone." in "\n".join(lines).split("## Energy")[1]


def test_invalid_reasons_are_grouped_with_the_range_of_their_figures():
    reasons = [
        "95% CI half-width 23.0% of the mean (> 5%); other processes used 70% of the CPU during timing",
        "other processes used 45% of the CPU during timing",
        "other processes used 45% of the CPU during timing; the device throttled",
        "95% CI half-width 8.5% of the mean (> 5%)",
    ]
    assert reason_groups(reasons) == [
        ("other processes used 45-70% of the CPU during timing", 3),
        ("95% CI half-width 8.5-23.0% of the mean (> 5%)", 2),
        ("the device throttled", 1),
    ]


def test_a_run_where_every_configuration_went_oom_still_gets_a_report_that_says_so(tmp_path):
    records = [
        failed("resnet18", 1, 224, "oom", "killed by the kernel OOM killer (RSS 1.0 GiB)"),
        failed("resnet18", 2, 224, "skipped", "a smaller configuration ran out of memory"),
    ]
    lines = report_lines(tmp_path, records, outcome(), dict(CONFIG, models=["resnet18"]))
    assert lines[2] == "> **Verdict: nothing was measured; 2 configuration(s) did not run.**"
    assert "> - **nothing was measured**: none of the 2 recorded configurations produced figures" in lines
    assert "> - **2 configuration(s) did not run**: 1 oom, 1 skipped (see What did not run, and why)" in lines
    assert "No configuration recorded a memory peak." in lines


def test_a_swapped_label_map_opens_the_verdict_and_reaches_validity_and_discussion(tmp_path):
    reason = "label map looks swapped: 13% accuracy as scored, 87% with the two outputs exchanged"
    swapped = dict(
        accuracy=0.13,
        accuracy_swapped=0.87,
        label_map_swapped=True,
        weights="pretrained",
        eval_dataset="sst2 dev set from ./mine (400 examples)",
        eval_examples=400,
        invalid=reason,
        **ENERGY,
    )
    records = [measured("mine", b, 16, 0.002 * b, family="transformers", **swapped) for b in (1, 2)]
    records.append(measured("other", 1, 16, 0.003, family="transformers", weights="pretrained", **ENERGY))
    lines = report_lines(tmp_path, records, outcome(planned=3), dict(CONFIG, weights="pretrained"))
    assert lines[2] == (
        "> **Verdict: label map looks swapped for mine: accuracy wrong; 2 of 3 measured configurations "
        "failed a validity check.**"
    )
    assert lines[4] == (
        "> - **label map looks swapped for mine: accuracy wrong**: mine on sst2 dev set from "
        "./mine (400 examples): 13% accuracy as scored, 87% with the two outputs exchanged. These rows "
        "are marked not valid and kept off every Pareto front; fix the checkpoint's label map "
        "(`label_map` in the model's config entry, or the checkpoint's id2label) and run again."
    )
    assert (
        f"> - **2 of 3 measured configurations failed a validity check**: reasons (configurations): {reason} (2)."
        in " ".join(lines)
    )
    report = "\n".join(lines)
    assert f"| mine | fp32 | 1 | 16 tokens | {reason} |" in report.split("## Validity")[1]
    assert "2 of 3 measured configuration(s) failed a validity check" in report.split("## Discussion")[1]


def test_contention_that_persisted_is_named_with_what_helps(tmp_path):
    records = [
        measured("resnet18", 1, 224, 0.963, invalid="other processes used 48% of the CPU during timing"),
        measured(
            "resnet18",
            2,
            224,
            0.076,
            invalid="2 of 3 kept rounds disturbed by other processes (no quiet within measure.patience_s: the least "
            "disturbed rounds were kept)",
        ),
        measured("resnet18", 4, 224, 0.2, invalid="95% CI half-width 8.0% of the median (> 5%)"),
    ]
    lines = report_lines(tmp_path, records, outcome(planned=3))
    assert "contention persisted for 2 configuration(s)" in lines[2]
    (advice,) = [line for line in lines if line.startswith("> - **contention persisted")]
    assert "--threads 1 (they ran on 2 threads" in advice
    assert "run again when the machine is quiet" in advice and "`make lab`" in advice


def _jetson_bundle(folder, env, records) -> str:
    """A bundle folder as `bench-job run` leaves it: records, env.json and config.yaml."""
    folder.mkdir()
    (folder / names.RESULTS_JSONL).write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / names.ENV_JSON).write_text(json.dumps(env))
    (folder / names.CONFIG_YAML).write_text(yaml.safe_dump(CONFIG))
    return str(folder)


# What the Job writes on a Jetson Nano with JetPack 4.6.1 running the CPU image (bench_job/host/gpu_use.py); the
# release line is a real one (JETSON.md section 4: "many public docs").
NANO_REASON = (
    "JetPack 4 (L4T R32.7.1): NVIDIA's CUDA builds of torch for JetPack 4 exist only for Python 3.6 (torch 1.10 at "
    "most) and this job needs Python 3.8 or newer, so this image runs PyPI's CPU build of torch: inference on the "
    "CPU, power from the board's sensors"
)
NANO_ENV = dict(
    ENV,
    device_kind="jetson",
    detected_device_kind="jetson",
    accelerator="cpu",
    l4t_release="# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, "
    "DATE: Sat Feb 19 17:05:08 UTC 2022",
    l4t_release_source="host",
    host_root="/host",
    torch_cuda_build=None,
    gpu_unused_reason=NANO_REASON,
)


def test_a_jetson_cpu_bundle_opens_its_verdict_with_why_the_gpu_was_not_used(tmp_path):
    from bench_job.cli import main

    # A clean run, and one with a problem (no energy): the reason comes first either way, above the headline.
    for name, records in (
        ("clean", [measured("tiny", b, 64, 0.002 * b, **ENERGY) for b in (1, 2)]),
        ("no-energy", [measured("tiny", 1, 64, 0.002)]),
    ):
        bundle = _jetson_bundle(tmp_path / name, NANO_ENV, records)
        assert main(["report", bundle]) == 0
        lines = (tmp_path / name / "report.md").read_text().splitlines()
        assert lines[2] == f"> **GPU not used**: {NANO_REASON}."
        assert lines[3] == ">" and lines[4].startswith("> **Verdict: ")
        page = (tmp_path / name / "report.html").read_text()
        assert '<div class="verdict verdict-' in page
        box = page.split('<div class="verdict verdict-', 1)[1]
        reason = html.escape(NANO_REASON)
        assert box.split(">", 1)[1].startswith(f"<p><strong>GPU not used</strong>: {reason}.</p><p><strong>")


def test_a_bundle_without_the_reason_has_no_such_line(tmp_path):
    # Bundles written before env.json had gpu_unused_reason, and every run whose GPU ran or that has none.
    from bench_job.cli import main

    env = {k: v for k, v in NANO_ENV.items() if k != "gpu_unused_reason"}
    bundle = _jetson_bundle(tmp_path / "old", env, [measured("tiny", 1, 64, 0.002, **ENERGY)])
    assert main(["report", bundle]) == 0
    text = (tmp_path / "old" / "report.md").read_text()
    assert "GPU not used" not in text and text.splitlines()[2].startswith("> **Verdict: ")
