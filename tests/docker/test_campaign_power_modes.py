"""A power-mode sweep in a campaign, for real (`make test-docker`): Ansible drives three stand-in Jetsons
through bench_power_modes, and every board gets its own mode and clocks back.

The stand-ins are containers of the laptop device image (bench-job installed, the native runner, as in
test_campaign_e2e), reached as the image's non-root user and made Jetsons by tests/fixtures/jetson/nvpmodel/:
a fake `nvpmodel` and `jetson_clocks` that refuse to change anything unless run as root (so the playbook's
`become` is what makes the sweep work: `su` with the root password here, sudo on a board), a real
/etc/nvpmodel.conf per module (AGX Xavier, Xavier NX: mode names and IDs differ) and a fake cpufreq and
devfreq tree the modes' caps land in. The sweep [MAXN, MODE_15W] over
- xavier-agx (in MODE_30W_ALL): both modes run, two bundles xavier-agx@MAXN and xavier-agx@MODE_15W,
  compared as two devices;
- xavier-nx: its module has neither mode, so the host is refused before anything changes, naming its modes;
- xavier-agx-failing (in MODE_30W_4CORE): the job fails in the sweep's first mode (bad bench_args).
After the campaign every board's status file and clock tree are as before it, and the fakes' log of
changes shows each change and its undoing, in order. A second run resumes: the swept host is skipped.
"""

from __future__ import annotations

import json
import os
import tarfile

import pytest
import yaml

from tests.docker.test_campaign_e2e import (  # noqa: F401 (fixtures)
    CAMPAIGN,
    _campaign,
    _container,
    _host_bundles,
    ansible_playbook,
    device_image,
)
from tests.docker.test_docker_e2e import REPO, TIMINGS, _run, _say, engine  # noqa: F401 (fixtures)

pytestmark = pytest.mark.docker

FIXTURES = os.path.join(REPO, "tests", "fixtures", "jetson", "nvpmodel")
# The stand-ins' root password: `become` through su, as the image has no sudo.
ROOT_PASSWORD = "standin-root"
SWEEP = ["MAXN", "MODE_15W"]
# Per stand-in: its module's conf, the mode it is in before the campaign, and its fake clock tree's shape
# (CPU count, CPU hardware range in kHz, GPU devfreq frequencies in Hz), wide enough for every cap of the conf.
AGX = {"conf": "nvpmodel_agx_xavier.conf", "cpus": 8, "cpu_khz": (115200, 2265600)}
AGX_GPU_HZ = (114750000, 318750000, 520000000, 670000000, 900000000, 1377000000)
BOARDS = {
    "xavier-agx": dict(AGX, original=3, gpu_hz=AGX_GPU_HZ),
    "xavier-nx": {
        "conf": "nvpmodel_xavier_nx.conf",
        "cpus": 6,
        "cpu_khz": (115200, 1907200),
        "gpu_hz": (114750000, 510000000, 803250000, 1109250000),
        "original": 2,
    },
    "xavier-agx-failing": dict(AGX, original=5, gpu_hz=AGX_GPU_HZ),
}
# One model, one configuration per mode: the sweep and the restores are under test, not the measurement.
CONFIG = {
    "models": ["squeezenet1_1"],
    "sweeps": {"vision": {"batch_sizes": [1], "input_size": 32, "input_sizes": [32]}},
    "measure": {"warmup_runs": 1, "min_runs": 3, "max_time_per_config_s": 0.5, "quiet_wait_s": 1, "patience_s": 5},
    "power": {"idle_seconds": 1},
}
GPU = "/fake/sys/devices/17000000.gv11b/devfreq/17000000.gv11b"
# A board's power state: its status file and every file of its fake clock tree.
STATE = 'cat /var/lib/nvpmodel/status; find /fake/sys -type f | sort | while read -r f; do echo "$f" $(cat "$f"); done'


def _make_jetson(board: dict) -> str:
    """The root shell script that turns a stand-in into a Jetson in the board's original mode."""
    low, high = board["cpu_khz"]
    lines = [
        "set -e",
        f"echo root:{ROOT_PASSWORD} | chpasswd",
        "install -m 755 /tmp/fixtures/nvpmodel /usr/sbin/nvpmodel",
        "install -m 755 /tmp/fixtures/jetson_clocks /usr/bin/jetson_clocks",
        f"install -m 644 /tmp/fixtures/{board['conf']} /etc/nvpmodel.conf",
    ]
    for cpu in range(board["cpus"]):
        folder = f"/fake/sys/devices/system/cpu/cpu{cpu}"
        lines += [f"mkdir -p {folder}/cpufreq", f"echo 1 > {folder}/online"]
        for name, value in (("cpuinfo_min_freq", low), ("cpuinfo_max_freq", high)):
            lines.append(f"echo {value} > {folder}/cpufreq/{name}")
        lines += [f"echo {low} > {folder}/cpufreq/scaling_min_freq", f"echo {high} > {folder}/cpufreq/scaling_max_freq"]
    gpu_hz = board["gpu_hz"]
    lines += [
        f"mkdir -p {GPU} /fake/sys/class/devfreq /var/lib/nvpmodel",
        f"echo {' '.join(map(str, gpu_hz))} > {GPU}/available_frequencies",
        f"echo {gpu_hz[0]} > {GPU}/min_freq",
        f"echo {gpu_hz[-1]} > {GPU}/max_freq",
        f"ln -s ../../devices/17000000.gv11b/devfreq/17000000.gv11b /fake/sys/class/devfreq/{os.path.basename(GPU)}",
        # The board's own mode, set the way it was, and a clean log of changes for the campaign's.
        f"nvpmodel -m {board['original']}",
        "rm /var/lib/nvpmodel/calls.log",
    ]
    return "\n".join(lines)


def _state(name: str) -> str:
    """The board's power state: its status file and every file of its fake clock tree."""
    return _run(["docker", "exec", _container(name), "sh", "-c", STATE]).stdout


def _changes(name: str) -> list:
    """What the fake nvpmodel and jetson_clocks changed on the board, in order."""
    found = _run(["docker", "exec", _container(name), "cat", "/var/lib/nvpmodel/calls.log"], check=False)
    return found.stdout.splitlines()


@pytest.fixture(scope="module")
def jetsons(engine, device_image):  # noqa: F811 (the fixtures imported above)
    for name, board in BOARDS.items():
        container = _container(name)
        _run(["docker", "rm", "-f", container], check=False)
        _run(["docker", "run", "-d", "--name", container, "--entrypoint", "sleep", device_image, "infinity"])
        _run(["docker", "cp", f"{FIXTURES}/.", f"{container}:/tmp/fixtures"])
        _run(["docker", "exec", "-u", "0", container, "sh", "-c", _make_jetson(board)])
    yield {name: _state(name) for name in BOARDS}
    for name in BOARDS:
        _run(["docker", "rm", "-f", _container(name)], check=False)


def _inventory(path) -> str:
    standin = {
        "ansible_connection": "community.docker.docker",
        "ansible_become_method": "su",
        "ansible_become_password": ROOT_PASSWORD,
        "bench_runner": "native",
        "bench_job_command": "/opt/venv/bin/bench-job",
    }
    hosts = {name: dict(standin, ansible_host=_container(name)) for name in BOARDS}
    # The jetson profile asks for CUDA: the stand-ins run on the CPU. --budget abc is refused by the job.
    hosts["xavier-agx-failing"]["bench_args"] = "--accelerator cpu --threads 1 --budget abc"
    jetson_vars = {
        "bench_power_modes": SWEEP,
        "bench_jetson_clocks": True,
        "bench_sysfs_root": "/fake/sys",
        "bench_settle_s": 1,
        "bench_args": "--accelerator cpu --threads 1",
        "bench_poll_s": 2,
    }
    path.write_text(yaml.safe_dump({"jetson": {"hosts": hosts, "vars": jetson_vars}}))
    return str(path)


def test_power_mode_sweep_runs_each_mode_refuses_a_missing_one_and_restores_every_board(
    ansible_playbook,  # noqa: F811 (the fixture imported above)
    jetsons,
    tmp_path,
):
    # Without root, the fake refuses as nvpmodel does: the campaign needs its `become`.
    refused = _run(["docker", "exec", _container("xavier-agx"), "nvpmodel", "-m", "0"], check=False)
    assert refused.returncode == 1 and "must be run as root" in refused.stderr, refused

    config = tmp_path / "campaign.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    results = tmp_path / "results"
    inventory = _inventory(tmp_path / "fleet.yml")
    proc, seconds = _campaign(ansible_playbook, inventory, config, results)
    TIMINGS["campaign, power-mode sweep"] = seconds
    _say(f"campaign of 3 stand-in Jetsons over 2 power modes: {seconds:.0f} s")
    log = proc.stdout[-8000:] + proc.stderr[-3000:]
    assert proc.returncode != 0, "two hosts failed: the campaign must end failed\n" + log
    assert "2 host(s) have no bundle: xavier-agx-failing, xavier-nx" in proc.stdout, log

    # Every board is back in its own mode with its own clocks, whatever happened to it.
    for name in BOARDS:
        assert _state(name) == jetsons[name], name
    agx_changes = ["nvpmodel -m 0", "jetson_clocks", "nvpmodel -m 2", "jetson_clocks", "nvpmodel -m 3"]
    assert _changes("xavier-agx") == ["jetson_clocks --store", *agx_changes, "jetson_clocks --restore"], log
    failing_changes = ["nvpmodel -m 0", "jetson_clocks", "nvpmodel -m 5", "jetson_clocks --restore"]
    assert _changes("xavier-agx-failing") == ["jetson_clocks --store", *failing_changes], log
    assert _changes("xavier-nx") == [], "the module lacking a mode must be refused before any change"

    campaign = results / CAMPAIGN
    refusal = (campaign / "xavier-nx" / "failed.log").read_text()
    assert "xavier-nx has no power mode MAXN, MODE_15W (bench_power_modes)" in refusal, refusal
    assert "MODE_15W_2CORE (ID 0)" in refusal and "MODE_MLPERF_V1_MAXQ (ID 6)" in refusal, refusal
    failed = (campaign / "xavier-agx-failing" / "failed.log").read_text()
    assert "failed at: Run the benchmark (output in run.log)" in failed and "bad duration 'abc'" in failed, failed
    assert not any(path.name.startswith(("xavier-nx@", "xavier-agx-failing@")) for path in campaign.iterdir())

    labels = [f"xavier-agx@{mode}" for mode in SWEEP]
    for label in labels:
        (bundle,) = _host_bundles(campaign / label)
        assert (campaign / label / "run.log").is_file() and (campaign / label / "probe.txt").is_file(), label
        with tarfile.open(campaign / label / bundle) as tar:
            top = tar.getnames()[0].split("/")[0]
            rows = [json.loads(line) for line in tar.extractfile(f"{top}/results.jsonl").read().decode().splitlines()]
        assert len(rows) == 1 and rows[0]["status"] == "ok", (label, rows)
    summary = (campaign / "campaign.txt").read_text()
    assert f"compared: {', '.join(labels)}" in summary and "failed: xavier-agx-failing, xavier-nx" in summary
    (compared,) = [f for f in os.listdir(campaign) if f.startswith("compare-2-devices-") and f.endswith(".tar.gz")]
    with tarfile.open(campaign / compared) as tar:
        top = tar.getnames()[0].split("/")[0]
        devices = json.loads(tar.extractfile(f"{top}/devices.json").read())
    assert sorted(devices["devices"]) == labels

    # Resumed: the swept host has a bundle per mode and is skipped, its board left alone.
    again, seconds = _campaign(ansible_playbook, inventory, config, results)
    TIMINGS["power-mode campaign resumed"] = seconds
    assert "xavier-agx: already has" in again.stdout, again.stdout[-6000:]
    assert _changes("xavier-agx")[-1] == "jetson_clocks --restore" and len(_changes("xavier-agx")) == 7
    _say(f"power-mode campaign resumed (swept host skipped, 2 failing again): {seconds:.0f} s")
