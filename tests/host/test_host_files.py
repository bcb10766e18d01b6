"""Every host file read through --host-root, and whose each was (env.json's host_files), from a host root tree
in tmp_path: the host's through a mount, the image's own root inside a container, absent where missing."""

from __future__ import annotations

import os

from bench_job.host.device import host_facts
from bench_job.host.host_files import HOST_FILES, host_file, memory_total_bytes
from tests.host.jetson_host_captures import DEVICE_TREES, DPKG_STATUS_JP621, MEMINFO_AGX_ORIN_64GB, ORIN_JP621_FILE

NVPMODEL_STATUS = "pmode:0002 fmode:quiet\n"  # JETSON.md section 5
NVPMODEL_CONF = "< POWER_MODEL ID=0 NAME=MAXN >\nCPU_ONLINE CORE_0 1\n< PM_CONFIG DEFAULT=2 >\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode())


def agx_orin_host(root) -> str:
    """The files compose mounts under /host on an AGX Orin 64GB running JetPack 6.2.1."""
    model, compatible = DEVICE_TREES["agx-orin-64gb"]
    files = {
        "etc/nv_tegra_release": ORIN_JP621_FILE,
        "etc/nvpmodel.conf": NVPMODEL_CONF,
        "var/lib/nvpmodel/status": NVPMODEL_STATUS,
        "proc/device-tree/model": model,
        "proc/device-tree/compatible": compatible,
        "etc/hostname": "orin\n",
        "var/lib/dpkg/status": DPKG_STATUS_JP621,
        "proc/meminfo": MEMINFO_AGX_ORIN_64GB,
    }
    for relative, text in files.items():
        write(os.path.join(root, relative), text)
    return str(root)


def test_in_a_container_every_file_under_the_host_mount_is_the_hosts(tmp_path):
    host = agx_orin_host(tmp_path / "host")
    facts = host_facts(str(tmp_path / "host/sys"), host, in_container=True, image_root=str(tmp_path / "image"))
    assert facts["host_files"] == {relative: "host" for relative in HOST_FILES}
    assert list(facts["host_files"]) == list(HOST_FILES)
    assert facts["module"] == {
        "name": "Jetson AGX Orin 64GB",
        "part_number": "p3701-0005",
        "memory_bytes": 64335836 * 1024,
        "compatible": ["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"],
        "source": "host",
    }
    assert facts["release"] == (ORIN_JP621_FILE.splitlines()[0], "host")
    stack, source = facts["packages"]
    assert source == "host" and stack["tensorrt"] == "10.3.0.30"


def test_in_a_container_the_jobs_own_root_is_the_images(tmp_path):
    # The image's own /etc/nv_tegra_release and dpkg database (an l4t-jetpack base carries both).
    image = agx_orin_host(tmp_path / "image")
    facts = host_facts(str(tmp_path / "sys"), image, in_container=True, image_root=image)
    assert set(facts["host_files"].values()) == {"image"}
    assert facts["module"]["source"] == "image" and facts["packages"][1] == "image"


def test_outside_a_container_the_root_is_the_hosts(tmp_path):
    root = agx_orin_host(tmp_path)
    facts = host_facts(str(tmp_path / "sys"), root, in_container=False, image_root=root)
    assert set(facts["host_files"].values()) == {"host"}


def test_the_release_falls_back_on_the_images_and_says_so(tmp_path):
    # An older compose file: the host's /etc holds only the hostname; the L4T image has its own release file.
    write(str(tmp_path / "host/etc/hostname"), "orin\n")
    write(str(tmp_path / "image/etc/nv_tegra_release"), ORIN_JP621_FILE)
    facts = host_facts(str(tmp_path / "host/sys"), str(tmp_path / "host"), True, str(tmp_path / "image"))
    assert facts["host_files"]["etc/nv_tegra_release"] == "image"
    assert facts["host_files"]["etc/hostname"] == "host"


def test_missing_empty_or_odd_files_are_absent_and_nothing_raises(tmp_path):
    host = tmp_path / "host"
    os.makedirs(host / "var/lib/dpkg/status")  # a folder where Docker made one for a missing file
    write(str(host / "etc/nvpmodel.conf"), "")  # HOST_NVPMODEL_CONF=/dev/null: empty
    write(str(host / "proc/device-tree/compatible"), "\x00")
    with open(host / "proc/device-tree/model", "wb") as handle:
        handle.write(b"\xff\xfe NVIDIA \x00")  # bytes that are not UTF-8
    facts = host_facts(str(tmp_path / "nosys"), str(host), True, str(tmp_path / "image"))
    for relative in ("var/lib/dpkg/status", "etc/nvpmodel.conf", "proc/device-tree/compatible", "etc/hostname"):
        assert facts["host_files"][relative] == "absent", relative
    assert facts["host_files"]["proc/device-tree/model"] == "host"
    module = facts["module"]
    assert module["compatible"] == [] and module["part_number"] is None
    assert module["name"] == "\ufffd\ufffd NVIDIA"  # the model, as far as it reads
    assert facts["release"] == (None, None) and facts["packages"][0]["cuda"] is None


def test_the_device_tree_comes_from_the_hosts_sysfs_when_the_host_root_has_none(tmp_path):
    model, compatible = DEVICE_TREES["orin-nano"]
    write(str(tmp_path / "host/sys/firmware/devicetree/base/model"), model)
    write(str(tmp_path / "host/sys/firmware/devicetree/base/compatible"), compatible)
    facts = host_facts(str(tmp_path / "host/sys"), str(tmp_path / "host"), True, str(tmp_path / "image"))
    assert facts["module"]["name"] == "Jetson Orin Nano (developer kit)"
    assert facts["host_files"]["proc/device-tree/compatible"] == "host"


def test_memory_total_from_meminfo():
    assert memory_total_bytes(MEMINFO_AGX_ORIN_64GB) == 64335836 * 1024
    assert memory_total_bytes("MemTotal: lots\n") is None and memory_total_bytes(None) is None


def test_a_host_file_is_read_whole(tmp_path):
    write(str(tmp_path / "etc/nv_tegra_release"), ORIN_JP621_FILE)
    assert host_file("etc/nv_tegra_release", str(tmp_path), False) == (ORIN_JP621_FILE, "host")
    assert host_file("etc/missing", str(tmp_path), False) == (None, "absent")
