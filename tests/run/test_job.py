"""The Job alone: a fake runner, environment and peak stand in for torch and the worker processes, so
these tests check the run's own logic (outcome, exit code, bundle naming, assets, the finish) in seconds."""

from __future__ import annotations

import json
import logging
import os
import tarfile

import pytest

from bench_job import config as cfg
from bench_job.bundle import names
from bench_job.bundle.outcome import RunOutcome
from bench_job.bundle.records import make_record
from bench_job.run.assets import prepare_assets
from bench_job.run.job import EXIT_NOTHING_MEASURED, Job, finish
from bench_job.run.plan import build_plan
from bench_job.run.runner import PlanResult, StopRequest

ENV = {"device_kind": "laptop", "cuda_available": False, "torch_threads_default": 2, "hostname": "test-host"}
PEAK = {"peak_gflops": 100.0, "peak_other_cpu_share": 0.0, "peak_quiet_wait_s": 0.0}


@pytest.fixture(autouse=True)
def _restore_logging_and_environ(monkeypatch):
    """The Job sets up the bench_job logger (and stops its propagation) and updates os.environ."""
    logger = logging.getLogger("bench_job")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    monkeypatch.delenv("BENCH_ENTRYPOINT_LOG", raising=False)
    monkeypatch.setenv("BENCH_HOST", "test-host")  # container.host_name reads the real os.environ
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what the Job adds (offline variables) goes away
    yield
    for handler in logger.handlers:
        if handler not in saved[0]:
            handler.close()
    logger.handlers[:], logger.propagate, logger.level = saved[0], saved[1], saved[2]


def config(*sets):
    return cfg.resolve(None, device="laptop", sets=['models=["resnet18"]', "power.enabled=false", *sets])


class FakeRunner:
    """Called as Runner is; records `statuses` (one per planned configuration, in plan order; fewer when
    stopped by `signal_name`) and returns what Runner.run does."""

    made = []

    def __init__(self, statuses, signal_name=None):
        self.statuses, self.signal_name = statuses, signal_name

    def __call__(self, config, store, accelerator, stop, show_progress, peak_gflops, started, default_threads):
        self.config, self.store, self.accelerator = config, store, accelerator
        self.kwargs = dict(show_progress=show_progress, peak_gflops=peak_gflops, default_threads=default_threads)
        return self

    def planned(self):
        return [item.key(p, self.accelerator) for item in build_plan(self.config) for p in item.points]

    def run(self):
        for key, status in zip(self.planned(), self.statuses):
            self.store.append(
                make_record(key=key, model="resnet18", status=status, reason=None if status == "ok" else "because")
            )
        return PlanResult(
            len(self.statuses),
            self.signal_name is not None,
            self.signal_name,
            planned=tuple(self.planned()),
            power_not_read={"rapl": "root only"},
        )


def run_job(tmp_path, runner, conf=None, **kwargs):
    job = Job(
        conf or config(),
        str(tmp_path / "out"),
        interactive=False,
        stop=StopRequest(),
        runner=runner,
        collect_env=kwargs.pop("collect_env", lambda sysfs_root, host_root: dict(ENV)),
        measure_peak=lambda *args: dict(PEAK),
        write_report=kwargs.pop("write_report", lambda *args: None),
        **kwargs,
    )
    return job.run()


def members(bundle: str) -> set:
    with tarfile.open(bundle) as tar:
        return {os.path.basename(m.name) for m in tar.getmembers()}


def test_a_complete_run_exits_0_with_a_bundle_of_every_file_and_no_work_folder(tmp_path):
    runner = FakeRunner(["ok"] * 7)
    outcome = run_job(tmp_path, runner)
    assert outcome.exit_code == 0
    assert outcome.run.complete and outcome.run.planned == 7 and not outcome.run.never_measured
    assert outcome.bundle.startswith(str(tmp_path / "out" / "laptop-test-host-"))
    assert outcome.bundle.endswith(names.TARBALL_SUFFIX) and names.PARTIAL_SUFFIX not in outcome.bundle
    assert {
        names.RESULTS_JSONL,
        names.RESULTS_CSV,
        names.ENV_JSON,
        names.CONFIG_YAML,
        names.RUN_LOG,
        names.OUTCOME_JSON,
    } <= members(outcome.bundle)
    assert os.listdir(tmp_path / "out") == [os.path.basename(outcome.bundle)]  # the work folder is gone
    assert runner.kwargs == dict(show_progress=False, peak_gflops=100.0, default_threads=2)
    assert len(outcome.records) == 7


@pytest.mark.parametrize("signal_name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stopped_run_is_a_partial_bundle_with_the_signal_exit_code_and_keeps_its_work_folder(
    tmp_path, capsys, signal_name, code
):
    outcome = run_job(tmp_path, FakeRunner(["ok", "ok"], signal_name=signal_name))
    assert outcome.exit_code == code
    assert outcome.bundle.endswith(names.PARTIAL_SUFFIX + names.TARBALL_SUFFIX)
    assert (
        f"stopped by {signal_name}: bundling the 2 configuration(s) measured so far as PARTIAL; run the same "
        "command again to resume" in capsys.readouterr().err
    )
    assert not outcome.run.complete and outcome.run.stopped_by == signal_name
    assert len(outcome.run.never_measured) == 5
    (workdir,) = [d for d in os.listdir(tmp_path / "out") if d.startswith(names.IN_PROGRESS_PREFIX)]
    with open(tmp_path / "out" / workdir / names.ENV_JSON) as handle:
        assert json.load(handle)["power_not_read"] == {"rapl": "root only"}


@pytest.mark.parametrize("signal_name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_after_every_configuration_had_its_minimum_is_named_complete_with_the_signal_exit_code(
    tmp_path, capsys, signal_name, code
):
    """The runner records a stopped configuration once it has its minimum rounds and runs: when every one
    had, the bundle holds them all, so the console says complete (not PARTIAL, nothing to resume) and the
    work folder goes; the exit code still names the signal."""
    outcome = run_job(tmp_path, FakeRunner(["ok"] * 7, signal_name=signal_name))
    err = capsys.readouterr().err
    assert outcome.exit_code == code
    assert outcome.run.complete and outcome.run.stopped_by == signal_name
    assert f"stopped by {signal_name} after every configuration had its minimum rounds and runs" in err
    assert "the bundle is complete (7 configuration(s)" in err and "PARTIAL" not in err
    assert os.listdir(tmp_path / "out") == [os.path.basename(outcome.bundle)]
    assert names.PARTIAL_SUFFIX not in outcome.bundle


def test_a_run_where_nothing_was_measured_exits_1(tmp_path):
    outcome = run_job(tmp_path, FakeRunner(["oom"] + ["skipped"] * 6))
    assert outcome.exit_code == EXIT_NOTHING_MEASURED == 1
    assert outcome.run.complete  # finished, with nothing measured


class ContendedRunner(FakeRunner):
    """Records rows that other processes kept competing with, on two threads."""

    def run(self):
        for key in self.planned():
            self.store.append(
                make_record(
                    key=key,
                    model="resnet18",
                    status="ok",
                    threads=2,
                    valid=False,
                    invalid_reasons="other processes used 48% of the CPU during timing",
                )
            )
        return PlanResult(7, False, None, planned=tuple(self.planned()))


def test_contention_that_persisted_ends_the_console_with_one_warning(tmp_path):
    outcome = run_job(tmp_path, ContendedRunner([]))
    with tarfile.open(outcome.bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(names.RUN_LOG))
        log = tar.extractfile(member).read().decode()
    (warning,) = [line for line in log.splitlines() if "kept competing for the CPU" in line]
    assert "WARNING" in warning and "7 configuration(s)" in warning and "--threads 1" in warning
    assert log.index("Summary:") < log.index(warning)  # at the end, after the summary


class FakeCheckpoints:
    """Published checkpoints of resnet18 only; require fails (missing) unless given present=True."""

    class error(Exception):
        pass

    published = {"resnet18": "weights"}

    def __init__(self, present=False):
        self.present = present
        self.required = []

    def offline_env(self, assets):
        return {"HF_HUB_OFFLINE": "1", "TORCH_HOME": os.path.join(assets, "torch")}

    def require(self, assets, models, tasks, deep):
        self.required.append((models, tasks, deep))
        if not self.present:
            raise self.error("assets folder lacks resnet18's weights: run `bench-job fetch --assets DIR`")


def pretrained(assets, *sets):
    return cfg.resolve(
        None,
        device="laptop",
        sets=['models=[{"name": "resnet18", "weights": "pretrained"}]', f"run.assets={assets}", *sets],
    )


def test_without_assets_the_models_are_the_configs_and_nothing_is_checked():
    conf = config()
    prepared = prepare_assets(conf, checkpoints=object())  # never consulted
    assert prepared.models == conf.models and prepared.models[0] is conf.models[0]
    assert prepared.environ == {} and prepared.warnings == []


def test_assets_missing_a_checkpoint_with_accuracy_optional_turn_to_random_weights_with_the_note(tmp_path):
    conf = pretrained(tmp_path, "accuracy.optional=true")
    prepared = prepare_assets(conf, FakeCheckpoints())
    (model,) = prepared.models
    assert model.weights == "random"
    assert model.weights_note == (
        "pretrained weights unavailable (assets folder lacks resnet18's weights: run "
        "`bench-job fetch --assets DIR`); measured with random weights"
    )
    assert conf.models[0].weights == "pretrained" and conf.models[0].weights_note is None  # not mutated
    (warning,) = prepared.warnings
    assert warning.endswith(": the run goes on with random weights for resnet18 (accuracy.optional); their rows say so")
    assert prepared.environ["HF_HUB_OFFLINE"] == "1"


def test_assets_missing_a_checkpoint_without_accuracy_optional_stop_with_the_one_line_error(tmp_path):
    checkpoints = FakeCheckpoints()
    with pytest.raises(FakeCheckpoints.error) as info:
        prepare_assets(pretrained(tmp_path, "accuracy.optional=false"), checkpoints)
    assert "\n" not in str(info.value) and "bench-job fetch --assets DIR" in str(info.value)
    assert checkpoints.required == [(["resnet18"], ["imagenette"], False)]


def test_complete_assets_keep_the_models_and_a_missing_folder_names_fetch(tmp_path):
    conf = pretrained(tmp_path)
    prepared = prepare_assets(conf, FakeCheckpoints(present=True))
    assert prepared.models == conf.models and prepared.warnings == []
    with pytest.raises(Exception, match=r"does not exist: run `bench-job fetch --assets .*/nowhere` first"):
        prepare_assets(pretrained(tmp_path / "nowhere"), FakeCheckpoints())


def test_the_job_measures_the_replaced_models_and_works_offline(tmp_path):
    runner = FakeRunner(["ok"] * 7)
    run_job(tmp_path, runner, conf=pretrained(tmp_path, "accuracy.optional=true"), checkpoints=FakeCheckpoints())
    assert runner.config.models[0].weights == "random"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_finish_writes_the_bundle_with_the_records_when_the_report_writer_fails(tmp_path, caplog):
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / names.RESULTS_JSONL).write_text(json.dumps(make_record(key="k", status="ok")) + "\n")
    outcome = RunOutcome(
        complete=False,
        stopped_by="SIGTERM",
        planned=2,
        never_measured=("j",),
        started_at="",
        finished_at="",
        elapsed_s=1.0,
        budget_s=None,
    )

    def broken_report(*args):
        raise RuntimeError("the plotting library broke")

    with caplog.at_level("ERROR", logger="bench_job"):
        bundle = finish(str(workdir), str(tmp_path), "laptop-host", {}, {}, outcome, write_report=broken_report)
    assert bundle.endswith(names.PARTIAL_SUFFIX + names.TARBALL_SUFFIX)
    assert {names.RESULTS_JSONL, names.OUTCOME_JSON, names.RESULTS_CSV} <= members(bundle)
    assert any(
        "writing the report failed; the bundle still holds results.jsonl" in r.getMessage() for r in caplog.records
    )


def test_the_plan_is_printed_before_measuring_with_why_and_an_estimate(tmp_path, capsys):
    """Two sizes per sweep are three configurations: the batch sweep's b1 and b2 at the fixed size, and
    the input sweep's smaller size at batch 1 (the fixed size at batch 1 is shared)."""
    conf = config("sweeps.vision.batch_sizes=[1,2]", "sweeps.vision.input_sizes=[128,224]")
    run_job(tmp_path, FakeRunner(["ok"] * 3), conf=conf)
    text = capsys.readouterr().err
    assert "plan: 3 configurations of 1 model variant(s)" in text
    assert (
        "resnet18 [fp32]: 3 (b1x128, b1x224, b2x224) - batch 1, 2 at input 224, and input 128, 224 at batch 1" in text
    )
    assert "estimated duration: at least" in text
    assert text.index("plan: 3 configurations") < text.index("measuring the device's matmul peak")


def test_a_budget_the_plan_cannot_fit_is_refused_before_anything_runs(tmp_path):
    from bench_job.errors import UserError

    runner = FakeRunner(["ok"] * 7)
    with pytest.raises(UserError, match=r"--budget 5\.0 s cannot fit this plan: 7 configurations .* at least"):
        run_job(tmp_path, runner, conf=config("run.budget=5s"))
    assert not os.path.exists(tmp_path / "out") and not hasattr(runner, "store")


def test_the_cli_refuses_a_budget_too_short_for_the_quick_config_before_importing_torch(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bench_job.cli import main\n"
        "code = main(['run', '--config', 'configs/quick.yaml', '--budget', '5s', '--out', sys.argv[1]])\n"
        "print(code, sorted(m for m in ('torch', 'torchvision', 'transformers') if m in sys.modules))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = str(tmp_path / "out")
    done = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True, timeout=120, cwd=root)
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert (
        line.startswith("bench-job: error: --budget 5.0 s cannot fit this plan: 26 configurations")
        and "at least" in line
    )
    assert not os.path.exists(out)


def test_a_resumed_run_keeps_the_first_parts_peak_and_removes_the_stale_partial(tmp_path, capsys):
    """The first part measured 70.4 GFLOP/s and was stopped: its PARTIAL bundle is written. The second
    part would measure 42.1 on a busier machine: it keeps 70.4 and says so, and once its complete bundle is
    written the PARTIAL one (all of which it holds) is removed, with the console naming it."""
    peaks = iter([70.4, 42.1])
    measured = []

    def measure_peak(*args):
        measured.append(1)
        return dict(PEAK, peak_gflops=next(peaks))

    def job(runner):
        return Job(
            config(),
            str(tmp_path / "out"),
            interactive=False,
            stop=StopRequest(),
            runner=runner,
            collect_env=lambda sysfs_root, host_root: dict(ENV),
            measure_peak=measure_peak,
            write_report=lambda *args: None,
        ).run()

    first = job(FakeRunner(["ok", "ok"], signal_name="SIGINT"))
    assert first.bundle.endswith(names.PARTIAL_SUFFIX + names.TARBALL_SUFFIX)
    capsys.readouterr()
    runner = FakeRunner(["ok"] * 7)
    second = job(runner)
    err = capsys.readouterr().err
    assert measured == [1] and runner.kwargs["peak_gflops"] == 70.4
    assert "resuming: keeping the matmul peak the first part measured, 70.4 GFLOP/s" in err
    assert second.run.complete
    assert os.listdir(tmp_path / "out") == [os.path.basename(second.bundle)]
    assert f"removed {first.bundle}: superseded by {second.bundle}" in err


def test_a_complete_run_leaves_partials_of_other_configs_alone(tmp_path):
    first = run_job(tmp_path, FakeRunner(["ok"], signal_name="SIGTERM"), conf=config("measure.min_runs=5"))
    second = run_job(tmp_path, FakeRunner(["ok"] * 7))
    assert sorted(os.listdir(tmp_path / "out")) == sorted(
        [os.path.basename(first.bundle), os.path.basename(second.bundle)]
        + [d for d in os.listdir(tmp_path / "out") if d.startswith(names.IN_PROGRESS_PREFIX)]
    )
    assert os.path.exists(first.bundle)


def test_a_jetson_cpu_run_says_why_the_gpu_was_not_used_at_once_and_in_env_json(tmp_path, capsys):
    """JetPack 4's CPU image on a Nano (the host's release line, JETSON.md section 4: many public docs)."""
    line = "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 2022"
    nano = dict(ENV, device_kind="jetson", l4t_release=line, l4t_release_source="host", torch_cuda_build=None)
    seen = []

    def collect_env(sysfs_root, host_root):
        seen.append((sysfs_root, host_root))
        return dict(nano)

    conf = cfg.resolve(
        None,
        device="jetson",
        sets=['models=["resnet18"]', "power.enabled=false", "run.accelerator=cpu", f"power.host_root={tmp_path}"],
    )
    planned = sum(len(item.points) for item in build_plan(conf))
    outcome = run_job(tmp_path, FakeRunner(["ok"] * planned), conf=conf, collect_env=collect_env)
    assert seen == [("/sys", str(tmp_path))]
    lines = capsys.readouterr().err.splitlines()
    start = next(i for i, text in enumerate(lines) if "device profile jetson" in text)
    assert "GPU not used: JetPack 4 (L4T R32.7.1): NVIDIA's CUDA builds of torch for JetPack 4" in lines[start + 1]
    with tarfile.open(outcome.bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(names.ENV_JSON))
        env = json.load(tar.extractfile(member))
    assert env["gpu_unused_reason"].startswith("JetPack 4 (L4T R32.7.1): ") and env["accelerator"] == "cpu"
    # A laptop's CPU run is not news: the field is there, empty.
    outcome = run_job(tmp_path / "laptop", FakeRunner(["ok"] * 7))
    with tarfile.open(outcome.bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(names.ENV_JSON))
        assert json.load(tar.extractfile(member))["gpu_unused_reason"] is None
