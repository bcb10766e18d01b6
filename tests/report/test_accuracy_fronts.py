"""A model whose timing failed a validity check is drawn hollow on the accuracy-vs-efficiency scatter and
kept off the latency and energy fronts; its parameters and FLOPs, counted rather than timed, keep their
place."""

from __future__ import annotations

from matplotlib.colors import to_rgba

from bench_job.bundle.records import to_frame
from bench_job.report.render.frame import prepare
from bench_job.report.render.plots import plt
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.accuracy import accuracy_table, draw_front, with_fronts
from tests.report.synthetic import CONFIG, ENV, measured

# model -> (median latency s, accuracy, params, failed validity); "fast" would dominate both others on
# latency, and be the cheapest in parameters, were its timing trusted.
MODELS = {"slow": (0.020, 0.70, 5e6, False), "mid": (0.010, 0.50, 3e6, False), "fast": (0.005, 0.90, 1e6, True)}


def records():
    return [
        measured(
            m,
            1,
            64,
            latency,
            accuracy=acc,
            params=params,
            eval_dataset="frgfm/imagenette",
            weights="pretrained",
            invalid="other processes used 70% of the CPU during timing" if bad else None,
        )
        for m, (latency, acc, params, bad) in MODELS.items()
    ]


def test_an_invalid_model_is_kept_off_the_latency_front_but_not_off_the_parameters_one():
    table = with_fronts(accuracy_table(prepare(to_frame(records())))).set_index("model")
    assert set(table.index[table["pareto_latency_median_s"]]) == {"slow", "mid"}
    assert set(table.index[table["pareto_params"]]) == {"fast"}


def test_the_invalid_model_is_hollow_and_the_front_does_not_pass_through_it():
    table = accuracy_table(prepare(to_frame(records())))
    fig, ax = plt.subplots()
    draw_front(ax, table, "latency_median_s", 1e3, lambda r: "tab:blue", mark_invalid=True)
    faces = {tuple(c.get_offsets()[0]): to_rgba(c.get_facecolors()[0]) for c in ax.collections}
    assert faces[(5.0, 90.0)] == to_rgba("white")
    assert faces[(10.0, 50.0)] != to_rgba("white") and faces[(20.0, 70.0)] != to_rgba("white")
    (step,) = ax.lines
    assert list(zip(step.get_xdata(), step.get_ydata())) == [(10.0, 50.0), (20.0, 70.0)]
    plt.close(fig)


def test_the_section_names_the_model_kept_off_and_marks_its_latency(tmp_path):
    write_run_report(to_frame(records()), dict(CONFIG, weights="pretrained"), ENV, str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert (
        "**torchvision** Pareto-optimal: vs latency: slow, mid; vs parameters: fast; vs FLOPs: fast. "
        "Kept off the latency and energy fronts (failed a validity check): fast."
    ) in report
    assert "| fast | fp32 | torchvision | 90 |  | frgfm/imagenette |  | 5.00 † |" in report


# "swapped" is the fastest and smallest model: with its accuracy trusted it would stand on every front, as the
# 13% point of a checkpoint with a swapped label map did.
SWAPPED_REASON = "label map looks swapped: 13% accuracy as scored, 87% with the two outputs exchanged"


def records_with_a_swapped_label_map():
    trusted = [
        measured(m, 1, 64, latency, accuracy=acc, params=params, eval_dataset="frgfm/imagenette", weights="pretrained")
        for m, (latency, acc, params, _) in MODELS.items()
        if m != "fast"
    ]
    return trusted + [
        measured(
            "swapped",
            1,
            64,
            0.002,
            accuracy=0.13,
            accuracy_swapped=0.87,
            label_map_swapped=True,
            params=0.5e6,
            flops=0.5e9,
            eval_dataset="sst2 dev set from ./mine (400 examples)",
            eval_examples=400,
            weights="pretrained",
            invalid=SWAPPED_REASON,
        )
    ]


def test_a_model_with_a_swapped_label_map_stands_on_no_front():
    table = with_fronts(accuracy_table(prepare(to_frame(records_with_a_swapped_label_map())))).set_index("model")
    fronts = {cost: set(table.index[table[f"pareto_{cost}"]]) for cost in ("latency_median_s", "params", "flops")}
    # every model counts 1 GFLOP but "swapped": "slow", the more accurate, is the FLOPs front alone
    assert fronts == {"latency_median_s": {"slow", "mid"}, "params": {"slow", "mid"}, "flops": {"slow"}}


def test_the_swapped_model_is_hollow_and_labelled_on_every_panel_even_where_validity_is_not_drawn():
    table = accuracy_table(prepare(to_frame(records_with_a_swapped_label_map())))
    for mark_invalid in (True, False):  # the compare report draws its fronts without validity marks
        fig, ax = plt.subplots()
        draw_front(ax, table, "params", 1e-6, lambda r: "tab:blue", mark_invalid=mark_invalid)
        faces = {tuple(c.get_offsets()[0]): to_rgba(c.get_facecolors()[0]) for c in ax.collections}
        assert faces[(0.5, 13.0)] == to_rgba("white")
        (step,) = ax.lines
        assert (0.5, 13.0) not in list(zip(step.get_xdata(), step.get_ydata()))
        assert "swapped (label map swapped: accuracy wrong)" in [t.get_text() for t in ax.texts]
        plt.close(fig)


def test_the_section_marks_the_wrong_accuracy_and_says_why_it_is_off_every_front(tmp_path):
    write_run_report(
        to_frame(records_with_a_swapped_label_map()), dict(CONFIG, weights="pretrained"), ENV, str(tmp_path)
    )
    report = (tmp_path / "report.md").read_text()
    assert (
        "**torchvision** Pareto-optimal: vs latency: slow, mid; vs parameters: slow, mid; vs FLOPs: slow. "
        "Kept off every front (label map looks swapped: accuracy wrong): swapped."
    ) in report
    assert (
        "| swapped | fp32 | torchvision | 13 ‡ |  | sst2 dev set from ./mine (400 examples) | 400 | 2.00 † |" in report
    )
    assert (
        "‡ label map looks swapped, so the accuracy as scored is wrong: swapped: 13.0% as scored, 87.0% "
        "with the two outputs exchanged."
    ) in report


def test_the_accuracy_table_shows_the_published_figure_beside_the_measured_one(tmp_path):
    rows = records()
    for row in rows:
        row.update(
            published_accuracy=0.8 if row["model"] == "slow" else None,
            published_accuracy_source="the model card" if row["model"] == "slow" else None,
        )
    table = accuracy_table(prepare(to_frame(rows))).set_index("model")
    assert table.loc["slow", "published_accuracy"] == 0.8 and table["published_accuracy"].isna().sum() == 2
    out = tmp_path / "bundle"
    out.mkdir()
    write_run_report(to_frame(rows), CONFIG, ENV, str(out))
    text = (out / "report.md").read_text()
    assert "| slow | fp32 | torchvision | 70 (published 80) |" in text
    assert "slow: the model card" in text
