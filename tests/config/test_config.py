from __future__ import annotations

import pytest
import yaml

from bench_job import config as cfg
from bench_job.errors import UserError


def write(tmp_path, data, name="c.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def resolve(tmp_path, data=None, **kwargs):
    path = write(tmp_path, data) if data is not None else None
    kwargs.setdefault("device", "laptop")
    return cfg.resolve(path, **kwargs)


def test_defaults_give_the_whole_zoo():
    config = cfg.resolve(None, device="laptop")
    assert [m.name for m in config.models] == [
        "bert-base-uncased",
        "albert-base-v2",
        "distilbert-base-uncased",
        "longformer-base-4096",
        "resnet18",
        "mobilenet_v2",
        "squeezenet1_1",
        "vgg16",
        "mnasnet1_0",
    ]
    assert {m.family for m in config.models} == {"transformers", "torchvision"}


def test_layers_apply_in_order_defaults_profile_user_set(tmp_path):
    # The rpi profile sets threads 4 and smaller vision batches; the user file overrides the batches;
    # --set overrides the user file. cpus=4: a Pi's four cores, whatever this machine has.
    user = {"sweeps": {"vision": {"batch_sizes": [1, 3]}}, "measure": {"min_runs": 12}}
    config = resolve(tmp_path, user, device="rpi", sets=["measure.min_runs=20"], cpus=4)
    assert config.run.threads == 4  # profile
    assert config.data["sweeps"]["vision"]["batch_sizes"] == [1, 3]  # user over profile
    assert config.data["sweeps"]["vision"]["input_sizes"] == [96, 128, 160, 224]  # profile kept
    assert config.measure.min_runs == 20  # --set over user
    assert config.measure.warmup_runs == 2  # defaults


def test_a_profiles_threads_never_exceed_the_cpus_the_process_has(tmp_path):
    # The emulated Pi on a 2-core machine, or a container with `cpus: 2`: the profile's 4 threads
    # would oversubscribe the CPUs, so they are capped and the run log says so.
    config = resolve(tmp_path, device="rpi", cpus=2)
    assert config.run.threads == 2
    assert config.adjustments == ["the rpi profile's run.threads 4 capped at the 2 CPU(s) this process may use"]
    # A count the user asks for is kept as asked (an oversubscription study is theirs to run).
    assert resolve(tmp_path, device="rpi", cpus=2, overrides={"run.threads": 4}).run.threads == 4
    assert resolve(tmp_path, {"run": {"threads": 3}}, device="rpi", cpus=2).run.threads == 3
    assert resolve(tmp_path, device="rpi", cpus=4).adjustments == []


def test_device_from_the_user_file_selects_the_profile(tmp_path):
    config = cfg.resolve(write(tmp_path, {"run": {"device": "jetson"}}))
    assert config.run.device == "jetson" and config.run.accelerator == "cuda"


def test_auto_device_uses_detection():
    config = cfg.resolve(None, device="auto", detect_device=lambda host_root, sysfs_root: "rpi")
    assert config.run.device == "rpi"


def test_the_host_root_goes_from_the_command_line_to_the_config_and_the_device_detection(tmp_path):
    from bench_job.cli import build_parser, load_config

    seen = []
    host = str(tmp_path)  # the host root must be a folder that exists

    def detect(host_root, sysfs_root):
        seen.append((host_root, sysfs_root))
        return "jetson"

    config = cfg.resolve(None, device="auto", detect_device=detect)
    assert seen == [("/", "/sys")] and config.power.host_root == "/"
    args = build_parser().parse_args(["run", "--device", "laptop", "--host-root", host, "--sysfs-root", "/h/sys"])
    config = load_config(args)
    assert (config.power.host_root, config.power.sysfs_root) == (host, "/h/sys")
    assert config.data["power"]["host_root"] == host  # in config.yaml, beside sysfs_root
    overrides = {"power.host_root": host, "power.sysfs_root": "/host/sys"}
    cfg.resolve(None, device="auto", overrides=overrides, detect_device=detect)
    assert seen[-1] == (host, "/host/sys")
    assert build_parser().parse_args(["probe", "--host-root", "/host"]).host_root == "/host"


def test_a_host_root_that_is_not_a_folder_is_refused_naming_the_fix(tmp_path):
    (tmp_path / "file").write_text("")
    for missing in (str(tmp_path / "nonexistent"), str(tmp_path / "file")):
        with pytest.raises(UserError) as info:
            cfg.resolve(None, device="laptop", overrides={"power.host_root": missing})
        message = str(info.value)
        assert message.startswith(f"power.host_root (--host-root) {missing!r} is not a folder: give the folder where")
        assert "\n" not in message


def test_the_real_cli_refuses_a_host_root_that_does_not_exist_in_one_line(cli, tmp_path):
    # --check-args: the config is resolved and checked, nothing runs (the container's fetch step asks this).
    done = cli("run", "--host-root", "/nonexistent", "--check-args", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "power.host_root (--host-root) '/nonexistent' is not a folder" in lines[0], lines
    assert "(/ on the host itself; /host in the images, where compose mounts them)" in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"mesure": {}}, "unknown config key 'mesure'; valid keys here: accuracy, attn_implementation"),
        ({"measure": {"min_run": 3}}, "unknown config key 'measure.min_run'"),
        ({"sweeps": {"vision": {"batch_sizes": [1, 0]}}}, "sweeps.vision.batch_sizes must be"),
        ({"sweeps": {"vision": {"batch_sizes": "big"}}}, "sweeps.vision.batch_sizes must be"),
        ({"models": ["resnet18", "not-a-model"]}, "unknown model 'not-a-model': choose one of bert-base-uncased"),
        ({"models": [{"name": "bert-base-uncased", "input_sizes": [1024]}]}, "exceeds its maximum of 512 tokens"),
        ({"models": [{"name": "resnet18", "input_sizes": [8]}]}, "below the smallest this family takes (32 px)"),
        ({"models": [{"name": "resnet18", "colour": "red"}]}, "unknown key 'colour' in model 'resnet18'"),
        ({"variants": [{"precision": "fp8"}]}, "precision must be one of fp32, fp16, bf16, int8"),
        ({"run": {"accelerator": "cuda"}, "variants": ["int8"]}, "int8 dynamic quantization runs on the CPU only"),
        (
            {"variants": [{"runtime": "tflite"}]},
            "variants: runtime must be one of eager, compile, onnxruntime, tensorrt, got 'tflite'",
        ),
        (
            {"variants": [{"precision": "fp16", "runtime": "onnxruntime"}]},
            "variants: runtime onnxruntime runs precision fp32, int8, not fp16",
        ),
        (
            {"variants": [{"precision": "int8", "runtime": "tensorrt"}]},
            "runtime tensorrt runs precision fp32, fp16, not int8",
        ),
        ({"run": {"max_worker_memory": "lots"}}, "bad memory size 'lots'"),
        ({"weights": "imagenet"}, "weights must be one of random, pretrained"),
        ({"models": ["resnet18", "resnet18"]}, "models lists a name twice"),
        ("run: [unclosed", "is not valid YAML at line 1"),
        ("- a\n- b\n", "must be a YAML mapping"),
    ],
)
def test_bad_configs_are_refused_with_the_fix(tmp_path, data, message):
    with pytest.raises(UserError) as error:
        resolve(tmp_path, data)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unreadable_config(tmp_path):
    with pytest.raises(UserError, match="cannot read config .*missing.yaml"):
        cfg.resolve(str(tmp_path / "missing.yaml"), device="laptop")


@pytest.mark.parametrize(
    "assignment,message",
    [
        ("measure.min_runs", "bad --set"),
        ("=3", "bad --set"),
        ("measure.nope=3", "unknown config key 'measure.nope'"),
        ("measure.min_runs=[1", "not valid YAML"),
    ],
)
def test_bad_set(assignment, message):
    with pytest.raises(UserError, match=message.replace("[", r"\[")):
        cfg.resolve(None, device="laptop", sets=[assignment])


def test_torchvision_names_and_local_checkpoints_resolve(tmp_path, tiny_bert_dir):
    config = resolve(tmp_path, {"models": ["efficientnet_b0", {"name": "mine", "source": tiny_bert_dir}]})
    assert [(m.name, m.family, m.architecture) for m in config.models] == [
        ("efficientnet_b0", "torchvision", "efficientnet_b0"),
        ("mine", "transformers", tiny_bert_dir),
    ]


def test_variants_per_model_and_names(tmp_path):
    config = resolve(
        tmp_path,
        {
            "models": [
                {
                    "name": "resnet18",
                    "variants": [{"precision": "fp32"}, {"precision": "int8"}, {"precision": "fp32", "threads": 1}],
                }
            ]
        },
    )
    assert [v.name for v in config.models[0].variants] == ["fp32", "int8", "fp32-t1"]


def test_the_runtime_is_part_of_the_variant_and_its_default_name(tmp_path):
    config = resolve(
        tmp_path,
        {
            "models": [
                {
                    "name": "resnet18",
                    "variants": [
                        {"precision": "fp32"},
                        {"runtime": "onnxruntime"},
                        {"precision": "int8", "runtime": "onnxruntime", "threads": 1},
                        {"runtime": "compile"},
                        {"name": "trt", "precision": "fp16", "runtime": "tensorrt"},
                    ],
                }
            ]
        },
    )
    variants = config.models[0].variants
    assert [(v.name, v.runtime) for v in variants] == [
        ("fp32", "eager"),
        ("fp32-onnxruntime", "onnxruntime"),
        ("int8-onnxruntime-t1", "onnxruntime"),
        ("fp32-compile", "compile"),
        ("trt", "tensorrt"),
    ]


def test_tensorrt_on_the_cpu_is_accepted_so_one_config_serves_every_device(tmp_path):
    # the worker records its rows as skipped with the reason (tests/integration/test_runtimes_e2e.py)
    config = resolve(tmp_path, {"run": {"accelerator": "cpu"}, "variants": [{"runtime": "tensorrt"}]})
    assert config.models[0].variants[0].runtime == "tensorrt"


def test_fingerprint_follows_what_is_measured(tmp_path):
    a = resolve(tmp_path, {"measure": {"min_runs": 10}})
    b = resolve(tmp_path, {"measure": {"min_runs": 11}})
    c = resolve(tmp_path, {"measure": {"min_runs": 10}, "notes": {"resnet18": "why"}})
    assert a.fingerprint() != b.fingerprint() and a.fingerprint() == c.fingerprint()


WHOLE_NUMBER_KEYS = [
    "run.threads",
    "run.seed",
    "measure.warmup_runs",
    "measure.min_runs",
    "measure.max_runs",
    "power.min_samples",
    "accuracy.max_examples",
    "accuracy.batch_size",
    "sweeps.vision.input_size",
    "sweeps.nlp.input_size",
]
NUMBER_KEYS = [
    "run.config_timeout_s",
    "measure.target_ci_rel",
    "measure.confidence",
    "measure.max_time_per_config_s",
    "power.sampling_hz",
    "power.idle_seconds",
    "power.min_window_s",
    "power.max_window_s",
]


@pytest.mark.parametrize("key", WHOLE_NUMBER_KEYS)
@pytest.mark.parametrize("text,shown", [("abc", "'abc'"), ("true", "True"), ("2.5", "2.5"), ("'3'", "'3'")])
def test_what_is_not_a_whole_number_is_named_so(key, text, shown):
    with pytest.raises(UserError) as error:
        cfg.resolve(None, device="laptop", sets=[f"{key}={text}"])
    assert str(error.value) == f"{key} must be a whole number (an integer), got {shown}"


@pytest.mark.parametrize("key", NUMBER_KEYS)
@pytest.mark.parametrize("text,shown", [("abc", "'abc'"), ("true", "True"), ("[1]", "[1]")])
def test_what_is_not_a_number_is_named_so(key, text, shown):
    with pytest.raises(UserError) as error:
        cfg.resolve(None, device="laptop", sets=[f"{key}={text}"])
    assert str(error.value) == f"{key} must be a number, got {shown}"


@pytest.mark.parametrize(
    "assignment,message",
    [
        (
            "sweeps.vision.batch_sizes=[1, abc]",
            "every entry of sweeps.vision.batch_sizes must be a whole number (an integer), got 'abc'",
        ),
        (
            "variants=[{precision: fp32, threads: two}]",
            "variants: threads must be a whole number (an integer), got 'two'",
        ),
        ("measure.warmup_runs=0", "measure.warmup_runs must be at least 1 (the first run is always slow), got 0"),
        ("measure.min_runs=1", "measure.min_runs must be at least 2 for a standard deviation, got 1"),
        ("run.seed=-1", "run.seed must be at least 0 (numpy's generators take no negative seed), got -1"),
        ("measure.confidence=1.5", "measure.confidence must be at least 0.5 and below 1, got 1.5"),
        ("measure.target_ci_rel=0", "measure.target_ci_rel must be a fraction between 0 and 1, got 0"),
        ("power.sampling_hz=-5", "power.sampling_hz must be a positive number, got -5"),
    ],
)
def test_numbers_out_of_range_name_the_range(assignment, message):
    with pytest.raises(UserError) as error:
        cfg.resolve(None, device="laptop", sets=[assignment])
    assert str(error.value) == message


def test_whole_numbers_pass_where_numbers_are_expected():
    config = cfg.resolve(
        None, device="laptop", sets=["measure.max_time_per_config_s=3", "run.seed=0", "measure.confidence=0.9"]
    )
    assert config.measure.max_time_per_config_s == 3 and config.measure.confidence == 0.9


def test_published_accuracy_only_where_the_catalogue_checkpoint_is_the_one_evaluated(tmp_path):
    models = {
        m.name: m
        for m in resolve(
            tmp_path,
            {
                "models": [
                    "bert-base-uncased",
                    "resnet18",
                    {"name": "distilbert-base-uncased", "pretrained": "someone/other-sst2"},
                ]
            },
        ).models
    }
    assert models["bert-base-uncased"].published_accuracy == 0.9243
    assert "eval_results_sst-2.txt" in models["bert-base-uncased"].published_accuracy_source
    # torchvision's published acc@1 is on the whole of ImageNet, not on the subset scored here: none.
    assert models["resnet18"].published_accuracy is None
    assert models["distilbert-base-uncased"].published_accuracy is None


def test_a_misspelt_model_fails_before_torch_is_imported():
    """The config is checked before anything heavy: torchvision's model names are read from its source,
    not by importing it (which imports torch, 5-10 s on a small machine)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bench_job.cli import main\n"
        "code = main(['run', '--models', 'resnett18', '--out', sys.argv[1]])\n"
        "print(code, sorted(m for m in ('torch', 'torchvision', 'transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, "unused-out"], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    assert "unknown model 'resnett18' (did you mean resnet18?)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_torchvision_names_read_from_source_match_its_registry():
    torchvision = pytest.importorskip("torchvision")
    from bench_job.families.torchvision_family import registered_names_in_source

    assert registered_names_in_source() == sorted(torchvision.models.list_models(module=torchvision.models))
