"""The report's published parameter counts and model notes come from the bundle's records, not from the
zoo of the bench-job that reads it; a bundle written before records carried them still reports, saying so."""

from __future__ import annotations

from bench_job.bundle.records import make_record, to_frame
from bench_job.report.run_report import write_run_report


def record(model, size=1, **fields):
    return make_record(
        key=f"{model}|fp32|cpu|b{size}|s64",
        model=model,
        family="torchvision",
        variant="fp32",
        precision="fp32",
        accelerator="cpu",
        threads=4,
        batch_size=size,
        input_size=64,
        input_unit="px",
        sweeps="batch",
        weights="random",
        status="ok",
        params=5e6,
        params_effective=5e6,
        latency_median_s=0.01,
        n_runs=20,
        **fields,
    )


def report(tmp_path, records) -> str:
    write_run_report(to_frame(records), {"models": sorted({r["model"] for r in records})}, {}, str(tmp_path))
    return (tmp_path / "report.md").read_text()


def test_published_counts_and_notes_are_read_from_the_records(tmp_path):
    # resnet18's figures here differ from this zoo's (11.7M): the report must show the bundle's
    text = report(
        tmp_path,
        [
            record(
                "resnet18",
                in_zoo=True,
                published_params=12_340_000,
                published_params_source="the bundle's zoo",
                model_note="a note the run recorded",
            ),
            record("my-net", in_zoo=False),
        ],
    )
    params_row = next(line for line in text.splitlines() if line.startswith("| resnet18 | torchvision | 5.00M"))
    assert "12.34M" in params_row and "the bundle's zoo" in params_row
    assert "a note the run recorded" in text
    assert "| my-net | fp32 | torchvision | random | outside the zoo (named in the config) |" in text
    assert "not in this bundle" not in text and "does not record" not in text


def test_a_bundle_without_the_catalogue_columns_reports_without_them_and_says_so(tmp_path):
    old = [dict(record("resnet18"), schema_version=2) for _ in range(1)]
    for field in ("in_zoo", "published_params", "published_params_source", "model_note"):
        del old[0][field]
    text = report(tmp_path, old)
    params_row = next(line for line in text.splitlines() if line.startswith("| resnet18 | torchvision | 5.00M"))
    assert "11.69M" not in params_row and "torchvision ResNet18_Weights" not in params_row
    assert "Published counts are not in this bundle for resnet18" in text
    assert "does not record what the model zoo says of resnet18" in text
