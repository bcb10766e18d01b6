"""Which device the job is on, from the files each board carries, also inside a container."""

from __future__ import annotations

import os

from bench_job.host.device import board_model, describe_env, detect_device_kind, l4t_line, l4t_release

# A Jetson Nano's line 1 on JetPack 4.6.4, seen in dusty-nv/jetson-containers#456 (JETSON.md section 4).
NANO_JP464 = (
    "# R32 (release), REVISION: 7.4, GCID: 33514132, BOARD: t210ref, EABI: aarch64, DATE: Fri Jun  9 04:25:08 UTC 2023"
)
# An AGX Orin's on JetPack 6.2.1 (lesomnus/tegra-exporter's stats test; JETSON.md section 4), with the lines after it.
ORIN_JP621 = (
    "# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025"
)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode())


def test_pi_model_from_proc_device_tree(tmp_path):
    # The device tree's model string ends in a NUL byte on real boards.
    write(str(tmp_path / "proc/device-tree/model"), "Raspberry Pi 5 Model B Rev 1.0\x00")
    assert board_model(str(tmp_path), str(tmp_path / "sys"), str(tmp_path)) == "Raspberry Pi 5 Model B Rev 1.0"
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys"), str(tmp_path)) == "rpi"


def test_pi_found_through_host_sysfs_when_the_container_masks_firmware(tmp_path):
    # In a container /proc/device-tree is a dangling link (Docker masks /sys/firmware); the host's /sys
    # mounted read-only still has the model.
    os.makedirs(tmp_path / "proc")
    os.symlink("/nonexistent/firmware/devicetree/base", tmp_path / "proc/device-tree")
    write(str(tmp_path / "host/sys/firmware/devicetree/base/model"), "Raspberry Pi 4 Model B Rev 1.5\x00")
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys"), str(tmp_path)) == "laptop"
    assert detect_device_kind(str(tmp_path), str(tmp_path / "host/sys"), str(tmp_path)) == "rpi"


def test_jetson_from_l4t_release_or_model(tmp_path):
    write(str(tmp_path / "a/etc/nv_tegra_release"), "# R36 (release), REVISION: 4.0\n")
    assert detect_device_kind(str(tmp_path / "a"), str(tmp_path / "a/sys"), str(tmp_path / "a")) == "jetson"
    write(str(tmp_path / "b/sys/firmware/devicetree/base/model"), "NVIDIA Jetson Orin Nano Developer Kit\x00")
    assert detect_device_kind(str(tmp_path / "b"), str(tmp_path / "b/sys"), str(tmp_path / "b")) == "jetson"


def test_anything_else_is_a_laptop(tmp_path):
    assert board_model(str(tmp_path), str(tmp_path / "sys"), str(tmp_path)) is None
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys"), str(tmp_path)) == "laptop"


def test_a_jetson_is_seen_through_the_host_root_from_a_debian_image(tmp_path):
    # The JetPack 4 CPU image is plain Debian: only the host's file, mounted under /host, says Jetson.
    write(str(tmp_path / "host/etc/nv_tegra_release"), NANO_JP464 + "\n")
    image = str(tmp_path / "image")
    assert detect_device_kind(str(tmp_path / "host"), str(tmp_path / "host/sys"), image_root=image) == "jetson"
    assert detect_device_kind(image, str(tmp_path / "host/sys"), image_root=image) == "laptop"


def test_an_l4t_images_own_release_file_still_says_jetson_without_the_hosts(tmp_path):
    # A compose file older than the host's mount of nv_tegra_release: /host/etc holds only the hostname.
    write(str(tmp_path / "host/etc/hostname"), "nano\n")
    write(str(tmp_path / "image/etc/nv_tegra_release"), ORIN_JP621 + "\n")
    kind = detect_device_kind(str(tmp_path / "host"), str(tmp_path / "host/sys"), image_root=str(tmp_path / "image"))
    assert kind == "jetson"


def test_the_l4t_release_is_the_hosts_first_then_the_images_saying_whose(tmp_path):
    host, image = str(tmp_path / "host"), str(tmp_path / "image")
    assert l4t_release(host, in_container=True, image_root=image) == (None, None)
    write(image + "/etc/nv_tegra_release", ORIN_JP621 + "\n# KERNEL_VARIANT: oot\n")
    assert l4t_release(host, in_container=True, image_root=image) == (ORIN_JP621, "image")
    write(host + "/etc/nv_tegra_release", NANO_JP464 + "\n")
    assert l4t_release(host, in_container=True, image_root=image) == (NANO_JP464, "host")


def test_the_root_itself_is_the_hosts_outside_a_container_and_the_images_inside(tmp_path):
    root = str(tmp_path)
    write(root + "/etc/nv_tegra_release", NANO_JP464 + "\n")
    assert l4t_release(root, in_container=False, image_root=root) == (NANO_JP464, "host")
    assert l4t_release(root, in_container=True, image_root=root) == (NANO_JP464, "image")


def test_the_probe_says_whose_release_file_it_read():
    env = {"host_root": "/host", "l4t_release": NANO_JP464}
    assert l4t_line(dict(env, l4t_release_source="host")) == f"{NANO_JP464} (the host's, under /host)"
    assert "the IMAGE's /etc/nv_tegra_release" in l4t_line(dict(env, l4t_release_source="image"))
    assert l4t_line({"host_root": "/", "l4t_release": None}).startswith("none (no etc/nv_tegra_release under")


def test_the_model_is_the_hosts_first_then_its_sysfs_then_the_jobs_own_proc(tmp_path):
    host, sysfs, image = str(tmp_path / "host"), str(tmp_path / "host/sys"), str(tmp_path / "image")
    assert board_model(host, sysfs, image) is None
    write(image + "/proc/device-tree/model", "NVIDIA Jetson Nano Developer Kit\x00")
    assert board_model(host, sysfs, image) == "NVIDIA Jetson Nano Developer Kit"
    write(sysfs + "/firmware/devicetree/base/model", "NVIDIA Jetson TX2 Developer Kit\x00")
    assert board_model(host, sysfs, image) == "NVIDIA Jetson TX2 Developer Kit"
    write(host + "/proc/device-tree/model", "NVIDIA Jetson Xavier NX Developer Kit\x00")
    assert board_model(host, sysfs, image) == "NVIDIA Jetson Xavier NX Developer Kit"


def test_the_probe_opens_with_why_the_gpu_is_not_used(tmp_path):
    env = {
        "device_kind": "jetson",
        "board_model": None,
        "host_root": "/host",
        "l4t_release": NANO_JP464,
        "l4t_release_source": "host",
        "hostname": "nano",
        "platform": "Linux",
        "python": "3.11.2",
        "cpu_model": "ARMv8 Processor rev 1 (v8l)",
        "cpu_logical_cores": 4,
        "cpu_physical_cores": 4,
        "cpu_affinity": 4,
        "memory_total_bytes": 4 * 1024**3,
        "memory_available_bytes": 3 * 1024**3,
        "swap_total_bytes": 0,
        "swap_used_bytes": 0,
        "torch_threads_default": 4,
        "torch_interop_threads": 4,
        "cuda_available": False,
        "cuda_device": None,
        "torch_cuda_build": None,
        "libraries": {"torch": "2.9.1"},
    }
    assert not describe_env(env)[0].startswith("GPU not used")
    lines = describe_env(dict(env, gpu_unused_reason="JetPack 4 (L4T R32.7.4): ..."))
    assert lines[0] == "GPU not used: JetPack 4 (L4T R32.7.4): ..."
    assert f"L4T release: {NANO_JP464} (the host's, under /host)" in lines


def test_env_json_records_the_hosts_files_versions_module_and_power_state(tmp_path):
    from bench_job.host.device import collect_env
    from tests.host.test_host_files import agx_orin_host

    host = agx_orin_host(tmp_path / "host")
    write(host + "/etc/nvpmodel.conf", "< POWER_MODEL ID=2 NAME=MODE_30W >\n< PM_CONFIG DEFAULT=2 >\n")
    env = collect_env(str(tmp_path / "host/sys"), host)
    assert env["host_files"]["etc/nv_tegra_release"] == "host" and env["l4t_release_source"] == "host"
    assert env["versions"]["l4t"] == {"version": "36.4.4", "source": "host"}
    assert env["versions"]["jetpack"] == {"version": "6.2.1", "source": "host"}
    assert env["module"]["name"] == "Jetson AGX Orin 64GB" and env["module"]["memory_bytes"] == 64335836 * 1024
    assert env["torch_build"] in ("CPU", f"CUDA {env['torch_cuda_build']}")
    assert isinstance(env["onnxruntime_providers"], list)
    # The power state the run starts in, read through the same host root (pmode:0002 in the host's status).
    assert env["power_state"]["jetson_power_mode"] == "MODE_30W"
