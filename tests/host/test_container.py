"""What env.json says about the container a run happened in, and the host a bundle is named after."""

from __future__ import annotations

import os

from bench_job.host.container import container_facts, container_runtime, file_safe, host_name


def test_host_name_is_the_one_passed_in(monkeypatch):
    assert host_name({"BENCH_HOST": "pi5-lab"}) == "pi5-lab"
    assert host_name({"BENCH_HOST": "  "}) == host_name({})  # empty: this machine's own name
    assert file_safe("lab bench/7") == "lab-bench-7"
    assert file_safe("pi5.local") == "pi5.local"
    assert file_safe("../..") == "host"


def test_outside_a_container_there_are_no_container_facts(tmp_path):
    assert container_runtime(str(tmp_path), {}) is None
    assert container_facts(str(tmp_path), {}) is None


def test_docker_container_facts(tmp_path):
    (tmp_path / ".dockerenv").write_text("")
    os.makedirs(tmp_path / "sys/class/net/lo")
    mountinfo = tmp_path / "mountinfo"
    # proc(5) layout: id parent major:minor root mount-point options ... - fstype source super-options
    mountinfo.write_text(
        "601 600 0:52 / / ro,relatime master:1 - overlay overlay rw\n"
        "610 601 0:21 /class /host/sys/class ro,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
        "611 601 0:21 /devices /host/sys/devices ro,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
        "612 601 8:1 /var/lib/docker/volumes/a/_data /assets ro,relatime - ext4 /dev/vda rw\n"
        "613 601 8:1 /home/me/my\\040results /results rw,relatime - ext4 /dev/vda rw\n"
        "614 601 0:60 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw\n"
    )
    environ = {
        "BENCH_IMAGE": "edge-bench-job:laptop",
        "BENCH_IMAGE_ID": "sha256:abc",
        "BENCH_IMAGE_REVISION": "7f9f909",
        "NVIDIA_VISIBLE_DEVICES": "all",
    }
    facts = container_facts(str(tmp_path), environ, str(mountinfo))
    assert facts["runtime"] == "docker" and facts["gpu_runtime"] == "nvidia"
    assert (facts["image"], facts["image_id"], facts["image_revision"]) == (
        "edge-bench-job:laptop",
        "sha256:abc",
        "7f9f909",
    )
    assert facts["network_interfaces"] == ["lo"]
    assert facts["weights_reason"] is None and facts["fetch_failed"] is None
    assert facts["mounts"] == [
        {"path": "/assets", "read_only": True},
        {"path": "/host/sys/class", "read_only": True},
        {"path": "/host/sys/devices", "read_only": True},
        {"path": "/results", "read_only": False},
    ]
    assert facts["uid"] == os.getuid()
    os.makedirs(tmp_path / "proc/self")
    (tmp_path / "proc/self/status").write_text(
        "Name:\tpython3\nCapInh:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t00000000000000c0\n"
    )
    assert container_facts(str(tmp_path), environ, str(mountinfo))["capabilities_effective"] == "0000000000000000"


def test_podman_and_other_runtimes(tmp_path):
    os.makedirs(tmp_path / "run")
    (tmp_path / "run/.containerenv").write_text("")
    assert container_runtime(str(tmp_path), {}) == "podman"
    assert container_runtime(str(tmp_path / "none"), {"container": "lxc"}) == "lxc"


def test_the_entrypoints_weights_reason_and_failed_fetch_are_recorded(tmp_path):
    (tmp_path / ".dockerenv").write_text("")
    environ = {
        "BENCH_WEIGHTS_REASON": "random weights chosen by the container's entrypoint: the fetch step failed",
        "BENCH_FETCH_FAILED": "FETCH FAILED (exit 1) at 2026-12-02T03:00:00Z: hub unreachable",
    }
    facts = container_facts(str(tmp_path), environ, str(tmp_path / "no-mountinfo"))
    assert facts["weights_reason"] == environ["BENCH_WEIGHTS_REASON"]
    assert facts["fetch_failed"] == environ["BENCH_FETCH_FAILED"]
