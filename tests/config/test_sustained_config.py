"""The sustained section: its defaults, the quick config's short soak, the soak planned last in its model's work
with a key of its own, and every bad value refused in one line that names the fix."""

from __future__ import annotations

import os

import pytest
import yaml

from bench_job import config as cfg
from bench_job.errors import UserError
from bench_job.run.plan import SUSTAINED, build_plan

QUICK = os.path.join(os.path.dirname(__file__), "..", "..", "configs", "quick.yaml")


def resolve(tmp_path, data, device="laptop"):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return cfg.resolve(str(path), device=device)


@pytest.mark.parametrize("device", ["laptop", "rpi", "jetson"])
def test_device_profiles_soak_nothing_by_default_for_five_minutes_when_asked(device):
    section = cfg.resolve(None, device=device).sustained
    assert (section.models, section.duration_s, section.window_s, section.batch_size, section.input_size) == (
        [],
        300,
        1.0,
        1,
        None,
    )


def test_the_quick_config_soaks_one_cheap_model_briefly():
    config = cfg.resolve(QUICK, device="laptop")
    assert config.sustained.models == ["squeezenet1_1"] and config.sustained.duration_s == 20


def test_a_soak_is_planned_after_its_models_sweep_with_its_own_key(tmp_path):
    config = resolve(
        tmp_path,
        {"models": ["resnet18", "squeezenet1_1"], "sustained": {"models": ["resnet18"], "input_size": 160}},
    )
    plan = {item.entry.name: item for item in build_plan(config)}
    resnet = plan["resnet18"]
    assert [p.scenario for p in resnet.points] == ["sweep"] * (len(resnet.points) - 1) + [SUSTAINED]
    assert resnet.key(resnet.points[-1], "cpu") == "resnet18|fp32|cpu|b1|s160|sustained"
    assert resnet.key(resnet.points[0], "cpu") == "resnet18|fp32|cpu|b1|s128"  # sweep keys unchanged
    assert all(p.scenario == "sweep" for p in plan["squeezenet1_1"].points)
    keys = [item.key(p, "cpu") for item in plan.values() for p in item.points]
    assert len(keys) == len(set(keys))


def test_without_an_input_size_the_soak_runs_at_the_sweeps_size(tmp_path):
    config = resolve(tmp_path, {"models": ["resnet18"], "sustained": {"models": ["resnet18"], "batch_size": 2}})
    (item,) = build_plan(config)
    assert (item.points[-1].batch_size, item.points[-1].input_size) == (2, 224)


def test_a_soaked_model_the_run_leaves_out_is_not_soaked_and_the_run_log_says_so(tmp_path):
    # configs/quick.yaml soaks squeezenet1_1; `--models resnet18` narrows the run to another model
    config = resolve(tmp_path, {"models": ["resnet18"], "sustained": {"models": ["squeezenet1_1", "resnet18"]}})
    assert config.sustained.models == ["resnet18"]
    assert "sustained.models: squeezenet1_1 not among this run's models (resnet18), so not soaked" in "\n".join(
        config.adjustments
    )
    (item,) = build_plan(config)
    assert [p.scenario for p in item.points][-1] == "sustained"


@pytest.mark.parametrize(
    "sustained,message",
    [
        ({"models": "resnet18"}, "sustained.models must be a list of model names"),
        ({"duration_s": 0}, "sustained.duration_s must be a positive number of seconds, got 0"),
        ({"window_s": "1s"}, "sustained.window_s must be a number, got '1s'"),
        ({"duration_s": 5, "window_s": 10}, "sustained.window_s (10) must be at most sustained.duration_s (5)"),
        ({"duration_s": 900}, "sustained.duration_s (900) must be at least 60 s under run.config_timeout_s (900)"),
        ({"batch_size": 0}, "sustained.batch_size must be at least 1"),
        ({"input_size": -3}, "sustained.input_size must be at least 1"),
        ({"seconds": 3}, "unknown config key 'sustained.seconds'"),
    ],
)
def test_bad_sustained_values_are_refused_in_one_line(tmp_path, sustained, message):
    with pytest.raises(UserError) as error:
        resolve(tmp_path, {"models": ["resnet18"], "sustained": sustained})
    assert message in str(error.value) and "\n" not in str(error.value)
