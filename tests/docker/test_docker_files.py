"""Static checks of the container files, cheap enough for the normal suite (no Docker engine needed).

The end-to-end container test is test_docker_e2e.py (marked `docker`, run by `make test-docker`)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCKER = os.path.join(REPO, "docker")
BENCH_SERVICES = ("laptop", "rpi", "jetson")


def _read(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return handle.read()


def _pins(text):
    return {
        line.split("==")[0].lower(): line.split("==")[1].split()[0]
        for line in text.splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }


def _compose():
    return yaml.safe_load(_read("compose.yaml"))


def test_every_requirement_is_pinned():
    for name in os.listdir(DOCKER):
        if name.startswith("requirements-") and name.endswith(".txt"):
            for line in _read("docker", name).splitlines():
                line = line.split("#")[0].strip()
                if line:
                    assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.+]*", line), (
                        f"{name}: {line!r} is not pinned"
                    )


def test_docker_pins_match_the_native_requirements():
    """The images run the same library versions as `make bench`; torch per architecture too."""
    native = {}
    for line in _read("requirements.txt").splitlines():
        line = line.strip()
        if "==" in line and not line.startswith("#"):
            spec, _, marker = line.partition(";")
            name, version = spec.strip().split("==")
            native.setdefault(name.lower(), {})[marker.strip()] = version
    common = _pins(_read("docker", "requirements-common.txt"))
    for name, by_marker in native.items():
        if name in ("torch", "torchvision", "pytest"):
            continue
        assert common.get(name) == next(iter(by_marker.values())), (
            f"{name}: docker pins {common.get(name)}, native {by_marker}"
        )
    laptop = _pins(_read("docker", "requirements-laptop.txt"))
    rpi = _pins(_read("docker", "requirements-rpi.txt"))
    for name in ("torch", "torchvision"):
        assert laptop[name] == native[name]['platform_machine == "x86_64"']
        assert rpi[name] == native[name]['platform_machine == "aarch64"']


def test_jetson_requirements_are_common_without_numpy():
    common = _pins(_read("docker", "requirements-common.txt"))
    jetson = _pins(_read("docker", "requirements-jetson.txt"))
    assert "numpy" in common and "numpy" not in jetson
    assert jetson == {k: v for k, v in common.items() if k != "numpy"}
    assert not {"torch", "torchvision"} & set(common)


def test_dockerfiles_take_a_base_image_and_label_device_and_version():
    for device in BENCH_SERVICES:
        text = _read("docker", f"Dockerfile.{device}")
        assert re.search(r"^ARG BASE_IMAGE=\S+", text, re.M), device
        assert re.search(r"^FROM \$\{BASE_IMAGE\}", text, re.M), device
        assert f'io.edge-bench.device="{device}"' in text
        assert 'org.opencontainers.image.version="${VERSION}"' in text
        assert 'ENTRYPOINT ["/usr/local/bin/edge-bench-entrypoint"]' in text
        assert re.search(r"^USER 10001:10001$", text, re.M), (
            f"{device}: the image's default user is not the non-root one"
        )
        assert "HF_HOME=/assets/hf" in text and "TORCH_HOME=/assets/torch" in text
    assert "ARG BASE_IMAGE=python:3.11-slim-bookworm" in _read("docker", "Dockerfile.laptop")
    assert "ARG BASE_IMAGE=python:3.11-slim-bookworm" in _read("docker", "Dockerfile.rpi")
    laptop = _read("docker", "Dockerfile.laptop")
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in laptop


def test_dockerignore_lets_in_only_what_the_builds_copy():
    lines = [
        entry.strip() for entry in _read(".dockerignore").splitlines() if entry.strip() and not entry.startswith("#")
    ]
    assert lines[0] == "*"
    for needed in (
        "!pyproject.toml",
        "!README.md",
        "!bench_job/",
        "!evaluation/",
        "!configs/",
        "!docker/entrypoint.sh",
        "!docker/requirements-*.txt",
    ):
        assert needed in lines
    for device in BENCH_SERVICES:
        for source in re.findall(r"^COPY (?!--from)(.+) \S+$", _read("docker", f"Dockerfile.{device}"), re.M):
            for path in source.split():
                top = path.split("/")[0].rstrip("*")
                assert any(entry.startswith("!" + top) for entry in lines), (
                    f"Dockerfile.{device} copies {path}, which .dockerignore drops"
                )


def test_compose_laptop_is_the_default_and_the_others_are_profiles():
    services = _compose()["services"]
    assert "profiles" not in services["laptop"]
    assert services["rpi"]["profiles"] == ["rpi"]
    assert services["jetson"]["profiles"] == ["jetson"]
    assert services["jetson"]["runtime"] == "nvidia"
    assert services["laptop"]["depends_on"]["fetch"]["condition"] == "service_completed_successfully"


def test_compose_benchmark_services_are_hardened():
    services = _compose()["services"]
    for name in BENCH_SERVICES:
        service = services[name]
        assert service["network_mode"] == "none", name
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert not service.get("privileged"), name
        # Only what the entrypoint needs to become the results folder's owner, spent before the job starts.
        assert service["cap_add"] == ["SETUID", "SETGID"] and service["user"] == "0:0", name
        assert any(t.startswith("/tmp:") for t in service["tmpfs"]), name
        mounts = {m["target"]: m for m in service["volumes"]}
        for target in ("/host/sys/class", "/host/sys/devices"):
            assert mounts[target]["read_only"] is True, (name, target)
        assert mounts["/assets"]["read_only"] is True, name
        assert mounts["/results"]["source"].startswith("${RESULTS_DIR:-./results}"), name
        # A results folder Docker made would be root's: a missing one is refused instead.
        assert mounts["/results"]["bind"] == {"create_host_path": False}, name
        assert mounts["/host/etc/hostname"]["read_only"] is True, name
        assert {"BENCH_HOST", "BENCH_IMAGE_ID"} <= set(service["environment"]), name
    # The whole /sys would bring its cgroup submounts in writable; only submount-free trees go in.
    for name in BENCH_SERVICES:
        assert all(m["source"] != "/sys" for m in services[name]["volumes"])
    assert "/dev/vcio:/dev/vcio" in services["rpi"]["devices"]
    assert any(m["target"].endswith("/vcgencmd") for m in services["rpi"]["volumes"])
    assert any(m["target"].endswith("/tegrastats") for m in services["jetson"]["volumes"])
    assert "network_mode" not in services["fetch"], "fetch is the one step with network"


def test_makefile_fragment_names_every_target():
    text = _read("docker", "docker.mk")
    for target in (
        "build",
        "build-local",
        "base-image",
        "run",
        "fetch",
        "wheelhouse",
        "test-docker",
        "clean-images",
        "clean-assets",
        "help-docker",
    ):
        assert re.search(rf"^{re.escape(target)}:", text, re.M), target


def _make(*args):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_make_clean_touches_no_image_and_no_volume():
    """The assets volume holds downloaded weights and dev sets: only `make clean-assets` removes it."""
    assert "clean-" not in re.search(r"^clean:.*$", _read("Makefile"), re.M).group(0)
    assert not re.search(r"^clean:", _read("docker", "docker.mk"), re.M)
    dry = _make("-n", "clean", "DOCKER=docker-must-not-run")
    assert dry.returncode == 0 and "docker" not in dry.stdout, dry.stdout
    assert "volume rm" in _make("-n", "clean-assets").stdout
    assert "volume" not in _make("-n", "clean-images").stdout.replace("assets volume", "")


def test_one_source_of_truth_for_each_base_image():
    """The Dockerfiles' ARG defaults; compose and make only pass BASE_IMAGE on when it is set."""
    compose = _compose()["services"]
    for name in BENCH_SERVICES:
        assert compose[name]["build"]["args"] == ["BASE_IMAGE"], name
    for text in (_read("compose.yaml"), _read("docker", "docker.mk")):
        assert "dustynv" not in text and "python:3.11" not in text
    dry = _make("-n", "build", "DEVICE=laptop")
    assert "--build-arg BASE_IMAGE=python:3.11-slim-bookworm" in dry.stdout, dry.stdout


@pytest.mark.skipif(os.uname().machine == "aarch64", reason="an arm64 host may build the Jetson image")
def test_jetson_build_on_another_architecture_stops_at_once_with_one_line():
    proc = _make("build", "DEVICE=jetson", "DOCKER=docker-must-not-run")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "builds on the Jetson itself" in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_build_sends_only_the_devices_own_files():
    """The build context is a tar of this device's files: no other device's wheelhouse (GBs)."""
    for device in ("laptop", "rpi"):
        tar = next(
            line for line in _make("-n", "build", f"DEVICE={device}").stdout.splitlines() if line.startswith("tar ")
        )
        wheelhouse = [w for w in tar.split() if w.startswith("docker/wheelhouse/")]
        assert "docker/wheelhouse/README.md" in wheelhouse
        assert all(w in ("docker/wheelhouse/README.md", f"docker/wheelhouse/{device}") for w in wheelhouse), tar
        assert f"docker/Dockerfile.{device}" in tar.split() and f"docker/requirements-{device}.txt" in tar.split()


def test_make_help_states_no_lab_duration_of_its_own():
    """The lab's duration is a measurement, stated once (README.md): `make help` points there rather than
    carrying a second figure that drifts (it once said about 30 minutes where the README measured 15 min 24 s)."""
    help_text = _make("help").stdout
    lab_line = next(line for line in help_text.splitlines() if line.startswith("make lab "))
    assert "README.md" in lab_line and not re.search(r"\d+\s*(min|minutes|s)\b", lab_line), lab_line
    assert re.search(
        r"`make lab` runs the full lab sweep \(`configs/lab.yaml`: \d+ configurations in \d+ min", _read("README.md")
    )
