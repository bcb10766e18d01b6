"""The memory section splits each peak into framework, weights and activations, and names the part that
dominates each model's largest configuration."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, measured

MIB = 1024**2


def split(framework, weights, activations, tensors) -> dict:
    return dict(
        framework_rss_bytes=framework * MIB,
        weights_rss_bytes=weights * MIB,
        activations_rss_bytes=activations * MIB,
        weights_bytes=tensors * MIB,
        peak_rss_bytes=(framework + weights + activations) * MIB,
        model_rss_bytes=(framework + weights) * MIB,
    )


def test_the_split_is_tabled_and_the_dominant_part_named(tmp_path):
    records = [
        measured("small", 1, 64, 0.01, **split(900, 14, 20, 13.5)),
        measured("small", 2, 64, 0.02, **split(900, 14, 60, 13.5)),
        measured("wide", 1, 64, 0.05, **split(900, 500, 400, 490)),
        measured("wide", 8, 64, 0.40, **split(900, 500, 3200, 490)),
    ]
    write_run_report(to_frame(records), CONFIG, ENV, str(tmp_path))
    memory = (tmp_path / "report.md").read_text().split("\n## Memory\n")[1].split("\n## ")[0]
    assert "| small | fp32 | 2 | 64 px | 900.0 MiB | 14.0 MiB | 13.5 MiB | 60.0 MiB | 974.0 MiB |" in memory
    # small peaks at batch 2: 900 + 14 + 60 = 974 MiB, the framework 92% of it.
    assert (
        "| small | fp32 | batch 2, 64 px | 974.0 MiB | 900.0 MiB (92%) | 14.0 MiB (1%) | 60.0 MiB (6%) | framework |"
    ) in memory
    # wide peaks at batch 8: 900 + 500 + 3200 = 4600 MiB, the activations 70% of it.
    assert (
        "| wide | fp32 | batch 8, 64 px | 4.5 GiB | 900.0 MiB (20%) | 500.0 MiB (11%) | 3.1 GiB (70%) | activations |"
    ) in memory
    # each finding once, with the models it applies to
    assert (
        "- **framework dominates** the largest configuration of 1 of 2 model(s) (small [fp32]): a smaller model "
        "does not help there, a lighter runtime does"
    ) in memory
    assert (
        "- **activations dominate** the largest configuration of 1 of 2 model(s) (wide [fp32]): a smaller batch "
        "or input helps there"
    ) in memory


def test_a_finding_shared_by_many_models_is_stated_once_with_their_names(tmp_path):
    records = [measured(f"m{i}", 1, 64, 0.01, **split(900, 10 + i, 20, 10)) for i in range(9)]
    write_run_report(to_frame(records), CONFIG, ENV, str(tmp_path))
    memory = (tmp_path / "report.md").read_text().split("\n## Memory\n")[1].split("\n## ")[0]
    assert memory.count("framework dominates") == 1
    assert (
        "**framework dominates** the largest configuration of 9 of 9 model(s) (m0 [fp32], m1 [fp32], m2 [fp32], "
        "m3 [fp32], m4 [fp32], m5 [fp32], m6 [fp32], m7 [fp32], m8 [fp32])"
    ) in memory


def test_bundles_before_the_split_keep_the_old_table_and_say_why(tmp_path):
    write_run_report(to_frame([measured("small", 1, 64, 0.01)]), CONFIG, ENV, str(tmp_path))
    memory = (tmp_path / "report.md").read_text().split("\n## Memory\n")[1].split("\n## ")[0]
    assert "predate the split into framework, weights and activations" in memory
    assert "| small | fp32 | 1 | 64 px | 476.8 MiB | 381.5 MiB |" in memory
