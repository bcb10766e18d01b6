"""The Jetson's image follows its L4T release (docker/jetson_base.py, `make jetson-base`, `make build
DEVICE=jetson`, docker/run.sh), checked with real /etc/nv_tegra_release first lines. No Docker engine: the
builds run against a fake `docker` that records its arguments and the build context it was sent."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

import pytest

from tests.docker.l4t_releases import (
    NANO_R32_7_1,
    NANO_R32_7_4,
    ORIN_NX_R36_3_0,
    ORIN_R36_4_3,
    ORIN_R36_4_4,
    ORIN_R39_2_0,
    THOR_R38_2_0,
    TX2_R28_2_1,
    XAVIER_R35_4_1,
    XAVIER_R35_5_0,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "docker", "jetson_base.py")

JP6_BASE = "dustynv/pytorch:2.6-r36.4.0-cu128-24.04"


def _release_file(tmp_path, text, name="nv_tegra_release"):
    path = tmp_path / name
    path.write_text(text if text.endswith("\n") else text + "\n")
    return str(path)


def _decide(tmp_path, text, *args):
    return subprocess.run(
        [sys.executable, SCRIPT, "--release-file", _release_file(tmp_path, text), *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    "line, stack, jetpack, base, pins",
    [
        (NANO_R32_7_1, "jp4-cpu", "JetPack 4.6.1", "python:3.11-slim-bookworm", "docker/requirements-rpi.txt"),
        (NANO_R32_7_4, "jp4-cpu", "JetPack 4.6.4", "python:3.11-slim-bookworm", "docker/requirements-rpi.txt"),
        (
            XAVIER_R35_4_1,
            "jp5",
            "JetPack 5.1.2",
            "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3",
            "docker/requirements-oldstack.txt",
        ),
        (
            XAVIER_R35_5_0,
            "jp5",
            "JetPack 5.1.3",
            "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3",
            "docker/requirements-oldstack.txt",
        ),
        (ORIN_R36_4_3, "jp6", "JetPack 6.2", JP6_BASE, "docker/requirements-jetson.txt"),
        (ORIN_R36_4_4, "jp6", "JetPack 6.2.1", JP6_BASE, "docker/requirements-jetson.txt"),
        (THOR_R38_2_0, "jp7", "JetPack 7.0", "nvcr.io/nvidia/pytorch:25.08-py3", "docker/requirements-jetson.txt"),
        (ORIN_R39_2_0, "jp7", "JetPack 7.2", "nvcr.io/nvidia/pytorch:25.08-py3", "docker/requirements-jetson.txt"),
    ],
)
def test_each_published_release_gets_its_documented_base_on_the_last_line(tmp_path, line, stack, jetpack, base, pins):
    proc = _decide(tmp_path, line)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == base
    assert f"({jetpack})" in lines[0] and stack in lines[1], lines
    fields = _decide(tmp_path, line, "--field", "stack", "--field", "pins", "--field", "base", "--field", "dockerfile")
    assert fields.stdout.split()[:3] == [stack, pins, base]
    for path in (pins, fields.stdout.split()[3]):
        assert os.path.exists(os.path.join(REPO, path)), path


def test_jetpack_4_gets_the_cpu_image_and_says_the_gpu_is_not_used_and_why(tmp_path):
    proc = _decide(tmp_path, NANO_R32_7_1)
    assert "docker/Dockerfile.rpi" in proc.stdout
    assert "the GPU is not used" in proc.stdout and "Python 3.6" in proc.stdout, proc.stdout
    assert _decide(tmp_path, NANO_R32_7_1, "--field", "accelerator").stdout.strip() == "cpu"
    assert _decide(tmp_path, XAVIER_R35_4_1, "--field", "accelerator").stdout.strip() == "cuda"


def test_the_jetpack_6_0_boundary_of_r36_4(tmp_path):
    """jetson-containers' l4t_version_compatible: an R36 host needs a container on its own side of R36.4."""
    assert _decide(tmp_path, ORIN_NX_R36_3_0, "--field", "stack", "--field", "pins").stdout.split() == [
        "jp6.0",
        "docker/requirements-oldstack.txt",
    ]


@pytest.mark.parametrize(
    "text, says",
    [
        (TX2_R28_2_1, "L4T R28.2.1 (read from"),
        ("Ubuntu 22.04.4 LTS", "does not start with an L4T release line"),
        ("", "does not start with an L4T release line"),
    ],
)
def test_an_unknown_or_unreadable_release_stops_with_one_line_naming_the_file_and_the_override(tmp_path, text, says):
    proc = _decide(tmp_path, text)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert says in proc.stderr and "nv_tegra_release" in proc.stderr and "BASE_IMAGE=" in proc.stderr


def test_a_missing_file_stops_with_one_line_too(tmp_path):
    proc = subprocess.run(
        [sys.executable, SCRIPT, "--release-file", str(tmp_path / "absent")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "cannot read the L4T release from" in proc.stderr and "BASE_IMAGE=" in proc.stderr


def test_the_script_stays_within_python_3_6_for_jetpack_4_hosts():
    """JetPack 4's python3 is 3.6 (Ubuntu 18.04): the grammar is checked here, and the real interpreter runs it
    where this machine has one (pyenv)."""
    with open(SCRIPT) as handle:
        ast.parse(handle.read(), feature_version=(3, 6))
    candidates = ("/root/.pyenv/versions/3.6.15/bin/python3.6", shutil.which("python3.6"))
    python36 = next(
        (p for p in candidates if p and subprocess.run([p, "-V"], capture_output=True).returncode == 0), None
    )
    if python36 is None:
        pytest.skip("no Python 3.6 on this machine: only the grammar was checked")
    proc = subprocess.run([python36, SCRIPT, "--release-file", "/nonexistent"], capture_output=True, text=True)
    assert proc.returncode == 2 and "cannot read the L4T release" in proc.stderr, proc.stderr


def _make(*args, env=None):
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=env
    )


def test_make_jetson_base_prints_the_decision_with_the_base_last(tmp_path):
    made = _make("jetson-base", f"NV_TEGRA_RELEASE={_release_file(tmp_path, XAVIER_R35_5_0)}")
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[-1] == "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3"
    made = _make("jetson-base", f"NV_TEGRA_RELEASE={_release_file(tmp_path, TX2_R28_2_1, 'r28')}")
    assert made.returncode == 2
    assert made.stderr.splitlines()[0].startswith("error: L4T R28.2.1"), made.stderr


def test_the_jetson_dockerfiles_default_base_is_the_tables_jetpack_6_row(tmp_path):
    """Two places name it (the Dockerfile's ARG, for a plain `docker build`, and the table): they agree."""
    with open(os.path.join(REPO, "docker", "Dockerfile.jetson")) as handle:
        assert f"ARG BASE_IMAGE={JP6_BASE}\n" in handle.read()
    assert _decide(tmp_path, ORIN_R36_4_4, "--field", "base").stdout.strip() == JP6_BASE


def _fake_docker(tmp_path, labels="jp6 R36.4.4"):
    """`docker build` lists the context it was sent and its arguments; `image inspect` answers as an image
    labelled with the given stack and release would."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "docker").write_text(
        "#!/bin/sh\n"
        f'log="{tmp_path}/docker.log"\n'
        'case "$1 $2" in\n'
        '  "build "*) echo "$*" >> "$log"; tar -t >> "$log";;\n'
        '  "image inspect") case "$*" in\n'
        f'    *jetson-stack*) echo "{labels}";; *Size*) echo 1;; *) echo sha256:fake;; esac;;\n'
        '  "image prune") ;;\n'
        '  *) echo "$*" >> "$log";;\n'
        "esac\n"
    )
    (folder / "docker").chmod(0o755)
    return dict(os.environ, PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")


def _build(tmp_path, line, *args):
    env = _fake_docker(tmp_path)
    # BINFMT_AARCH64: any existing path stands for arm64 emulation on this x86_64 host.
    made = _make(
        "build",
        "DEVICE=jetson",
        f"NV_TEGRA_RELEASE={_release_file(tmp_path, line)}",
        "BINFMT_AARCH64=/",
        *args,
        env=env,
    )
    log = tmp_path / "docker.log"
    logged = log.read_text() if log.exists() else ""
    log.unlink(missing_ok=True)
    return made, logged


def test_make_build_jetson_takes_base_recipe_and_lock_from_the_release(tmp_path):
    made, log = _build(tmp_path, XAVIER_R35_4_1)
    assert made.returncode == 0, made.stderr
    command = log.splitlines()[0]
    assert "-f docker/Dockerfile.jetson" in command
    assert "--build-arg BASE_IMAGE=nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3" in command
    assert "--build-arg PINS=oldstack" in command and "--build-arg JETSON_INDEX_URL= " in command, command
    assert "--label io.edge-bench.jetson-stack=jp5 --label io.edge-bench.l4t=R35.4.1" in command
    sent = log.splitlines()[1:]
    assert "docker/requirements-oldstack.txt" in sent and "docker/requirements-jetson.txt" in sent
    assert not any(name.startswith("docker/wheelhouse/rpi") for name in sent)


def test_make_build_jetson_on_jetpack_4_builds_the_arm64_cpu_recipe_as_the_jetson_image(tmp_path):
    made, log = _build(tmp_path, NANO_R32_7_4)
    assert made.returncode == 0, made.stderr
    command = log.splitlines()[0]
    assert "-f docker/Dockerfile.rpi" in command and "--build-arg DEVICE=jetson" in command
    assert "--build-arg BASE_IMAGE=python:3.11-slim-bookworm" in command and "-t edge-bench-job:jetson" in command
    assert "--label io.edge-bench.jetson-stack=jp4-cpu" in command
    sent = log.splitlines()[1:]
    assert "docker/Dockerfile.rpi" in sent and "docker/requirements-rpi.txt" in sent
    assert not any(name.startswith("docker/wheelhouse/jetson") for name in sent)


def test_make_build_jetson_refuses_an_unknown_release_unless_base_image_is_given(tmp_path):
    made, log = _build(tmp_path, TX2_R28_2_1)
    assert made.returncode == 2 and log == ""
    assert made.stderr.splitlines()[0].startswith("error: L4T R28.2.1") and "BASE_IMAGE=" in made.stderr
    made, log = _build(tmp_path, TX2_R28_2_1, "BASE_IMAGE=my/l4t-pytorch:r28")
    assert made.returncode == 0, made.stderr
    command = log.splitlines()[0]
    assert "--build-arg BASE_IMAGE=my/l4t-pytorch:r28" in command and "--build-arg PINS=auto" in command
    assert "--label io.edge-bench.jetson-stack=custom" in command


def test_a_given_base_image_replaces_only_the_tables_base(tmp_path):
    made, log = _build(tmp_path, ORIN_R36_4_4, "BASE_IMAGE=local/stand-in:arm64", "JETSON_INDEX_URL=")
    assert made.returncode == 0, made.stderr
    command = log.splitlines()[0]
    assert "--build-arg BASE_IMAGE=local/stand-in:arm64" in command and "--build-arg PINS=jetson" in command
    assert "--build-arg JETSON_INDEX_URL= " in command and "jetson-stack=jp6 " in command


def test_the_jetson_build_on_x86_without_emulation_stops_at_once_with_one_line(tmp_path):
    if os.uname().machine == "aarch64":
        pytest.skip("an arm64 host builds the Jetson image natively")
    made = _make("build", "DEVICE=jetson", "BINFMT_AARCH64=/nonexistent", "DOCKER=docker-must-not-run")
    assert made.returncode == 2 and made.stdout == ""
    assert len(made.stderr.strip().splitlines()) == 1 and "builds on the Jetson itself" in made.stderr


def _run_sh(tmp_path, labels, line):
    env = _fake_docker(tmp_path, labels)
    env.update(RESULTS_DIR=str(tmp_path / "results"), NV_TEGRA_RELEASE=_release_file(tmp_path, line, "host-release"))
    return subprocess.run(
        [os.path.join(REPO, "docker", "run.sh"), "jetson"], env=env, capture_output=True, text=True, timeout=60
    )


def test_run_refuses_an_image_built_for_another_release_than_the_hosts(tmp_path):
    proc = _run_sh(tmp_path, "jp5 R35.4.1", ORIN_R36_4_4)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "built for L4T R35.4.1" in proc.stderr and "runs L4T R36.4.4" in proc.stderr
    assert "make build DEVICE=jetson" in proc.stderr
    log = tmp_path / "docker.log"
    assert not log.exists() or "compose" not in log.read_text()


def test_run_accepts_an_image_of_the_hosts_own_group_of_releases(tmp_path):
    proc = _run_sh(tmp_path, "jp6 R36.4.3", ORIN_R36_4_4)
    assert "built for L4T" not in proc.stderr, proc.stderr
    assert "run.sh: the benchmark exited with 0" in proc.stderr, proc.stderr
