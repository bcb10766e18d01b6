"""Which device the job is on, from the files each board carries, also inside a container."""

from __future__ import annotations

import os

from bench_job.host.device import board_model, detect_device_kind


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode())


def test_pi_model_from_proc_device_tree(tmp_path):
    # The device tree's model string ends in a NUL byte on real boards.
    write(str(tmp_path / "proc/device-tree/model"), "Raspberry Pi 5 Model B Rev 1.0\x00")
    assert board_model(str(tmp_path), str(tmp_path / "sys")) == "Raspberry Pi 5 Model B Rev 1.0"
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys")) == "rpi"


def test_pi_found_through_host_sysfs_when_the_container_masks_firmware(tmp_path):
    # In a container /proc/device-tree is a dangling link (Docker masks /sys/firmware); the host's /sys
    # mounted read-only still has the model.
    os.makedirs(tmp_path / "proc")
    os.symlink("/nonexistent/firmware/devicetree/base", tmp_path / "proc/device-tree")
    write(str(tmp_path / "host/sys/firmware/devicetree/base/model"), "Raspberry Pi 4 Model B Rev 1.5\x00")
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys")) == "laptop"
    assert detect_device_kind(str(tmp_path), str(tmp_path / "host/sys")) == "rpi"


def test_jetson_from_l4t_release_or_model(tmp_path):
    write(str(tmp_path / "a/etc/nv_tegra_release"), "# R36 (release), REVISION: 4.0\n")
    assert detect_device_kind(str(tmp_path / "a"), str(tmp_path / "a/sys")) == "jetson"
    write(str(tmp_path / "b/sys/firmware/devicetree/base/model"), "NVIDIA Jetson Orin Nano Developer Kit\x00")
    assert detect_device_kind(str(tmp_path / "b"), str(tmp_path / "b/sys")) == "jetson"


def test_anything_else_is_a_laptop(tmp_path):
    assert board_model(str(tmp_path), str(tmp_path / "sys")) is None
    assert detect_device_kind(str(tmp_path), str(tmp_path / "sys")) == "laptop"
