"""The report's account of a busy machine: rounds set aside and redone, the waiting, and a matmul peak
measured while others used the CPU; FLOPs extremes named from valid rows only."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.report.render.frame import prepare
from bench_job.report.render.markdown import render
from bench_job.report.sections.context import Context
from bench_job.report.sections.flops import flops_section
from bench_job.report.sections.trust import validity_section
from tests.report.synthetic import CONFIG, ENV, measured

REDO = "2 round(s) redone: other processes used 41-55% of the CPU during them (> 10%)"


def section_text(section, records, env=ENV, tmp_path="."):
    return render(section(prepare(to_frame(records)), Context(CONFIG, env, str(tmp_path))))


def test_redone_rounds_and_the_waiting_are_counted_and_listed(tmp_path):
    records = [
        measured(
            "resnet18", 1, 224, 0.03, rounds=4, rounds_redone=2, redo_reasons=REDO, quiet_wait_s=3.5, runs_set_aside=3
        ),
        measured("resnet18", 2, 224, 0.06, rounds=3, rounds_redone=0, quiet_wait_s=1.0, runs_set_aside=0),
    ]
    text = section_text(validity_section, records, tmp_path=tmp_path)
    assert (
        "Other processes disturbed the timing of 1 configuration(s): 2 round(s) were set aside and redone, and 3 "
        "single run(s) inside kept rounds were set aside"
    ) in text
    assert "the job waited 4.5 s in all for the machine to quieten" in text
    assert f"| resnet18 | fp32 | 1 | 224 px | 4 | 2 | 3 | 40 | {REDO} |" in text


def test_a_quiet_run_says_no_round_was_disturbed(tmp_path):
    records = [measured("resnet18", 1, 224, 0.03, rounds=4, rounds_redone=0, quiet_wait_s=0.0, runs_set_aside=0)]
    assert "No timing round or run was disturbed by other processes: all 4 rounds were kept." in section_text(
        validity_section, records, tmp_path=tmp_path
    )


def test_flops_extremes_come_from_valid_rows_and_a_busy_peak_is_named(tmp_path):
    records = [
        measured("fast", 1, 224, 0.001, invalid="other processes used 60% of the CPU during timing"),
        measured("mid", 1, 224, 0.010),
        measured("slow", 1, 224, 0.100),
    ]
    text = section_text(
        flops_section, records, env=dict(ENV, peak_gflops=100.0, peak_other_cpu_share=0.4), tmp_path=tmp_path
    )
    # 1 GFLOP in 1 ms is the highest rate of all, but that row failed a check
    assert "Highest: mid at batch 1, 224 px (100 GFLOP/s); lowest: slow" in text
    assert "among the valid rows († failed a validity check: not compared)" in text
    assert "| 1.00 † |" in text
    assert (
        "Other processes used 40% of the CPU while it was measured: it is low, and every fraction of it high." in text
    )
