"""The campaign playbook for real (`make test-docker`): Ansible from PyPI drives three local hosts and the
controller compares what came back.

The hosts are containers reached through Ansible's community.docker connection (it comes with the
`ansible` package of campaign/requirements.txt), started from:
- the laptop device image (twice): bench-job installed, no Docker inside, so they use the playbook's
  native runner, as a Pi without Docker would;
- the bare base image, without bench-job: the host made to fail on purpose, at its check.
A fourth host is this machine itself (Ansible's local connection) with the default docker runner: source
shipped, image found, sensors probed and the job run through `make run` and compose, as on a device.
The campaign must end failed naming the broken host, with the others' bundles fetched and compared, and a
second run must resume: hosts with a bundle skipped, nothing measured twice.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
import time

import pytest
import yaml

from tests.docker.test_docker_e2e import REPO, TIMINGS, _build, _run, _say, engine  # noqa: F401

pytestmark = pytest.mark.docker

TOOLS = os.environ.get("EDGE_BENCH_CAMPAIGN_TOOLS", "/var/tmp/edge-bench-campaign-tools")
REQUIREMENTS = os.path.join(REPO, "campaign", "requirements.txt")
CAMPAIGN = "ci-campaign"
ASSETS_VOLUME = "edge-bench-campaign-test-assets"
# One model, three configurations: enough for a comparison, little enough for CI.
CONFIG = {
    "models": ["squeezenet1_1"],
    "sweeps": {"vision": {"batch_sizes": [1, 2], "input_size": 64, "input_sizes": [32, 64]}},
    # The hosts share this machine's cores and disturb one another: wait little for quiet.
    "measure": {"warmup_runs": 1, "min_runs": 3, "max_time_per_config_s": 0.5, "quiet_wait_s": 1, "patience_s": 5},
    "power": {"idle_seconds": 1},
}
# The local Debian base image `make base-image DEVICE=laptop` makes: Python, no bench-job (the failing host).
BARE_BASE = "edge-bench/bookworm-python:amd64"
STANDINS = {"standin-a": "edge-bench-job:laptop", "standin-b": "edge-bench-job:laptop", "broken": BARE_BASE}


@pytest.fixture(scope="module")
def ansible_playbook():
    """ansible-playbook from campaign/requirements.txt, in a venv of its own (cached between runs)."""
    stamp = os.path.join(TOOLS, "requirements.txt")
    wanted = open(REQUIREMENTS).read()
    if not (os.path.exists(stamp) and open(stamp).read() == wanted):
        started = time.monotonic()
        _run([sys.executable, "-m", "venv", "--clear", TOOLS], timeout=300)
        _run([os.path.join(TOOLS, "bin", "pip"), "install", "--quiet", "-r", REQUIREMENTS], timeout=1200)
        with open(stamp, "w") as handle:
            handle.write(wanted)
        TIMINGS["install ansible"] = time.monotonic() - started
    return os.path.join(TOOLS, "bin", "ansible-playbook")


def _container(name: str) -> str:
    return f"edge-bench-campaign-{name}"


@pytest.fixture(scope="module")
def device_image(engine):  # noqa: F811 (the fixture imported above)
    """edge-bench-job:laptop, built only when missing: this test is about the playbook, and any build of the
    device image is a device to it (test_docker_e2e builds and checks the image of this revision)."""
    image = "edge-bench-job:laptop"
    found = _run(
        ["docker", "image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.revision"}}', image],
        check=False,
    )
    if found.returncode != 0:
        _build(engine, "laptop")
        found = _run(
            ["docker", "image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.revision"}}', image]
        )
    _say(f"campaign hosts run {image} of revision {found.stdout.strip()}")
    return image


@pytest.fixture(scope="module")
def standins(engine, device_image):  # noqa: F811 (the fixture imported above)
    _run(["bash", "docker/base-image.sh", "amd64", BARE_BASE], timeout=1200)  # cached when present
    for name, image in STANDINS.items():
        _run(["docker", "rm", "-f", _container(name)], check=False)
        _run(["docker", "run", "-d", "--name", _container(name), "--entrypoint", "sleep", image, "infinity"])
    yield list(STANDINS)
    for name in STANDINS:
        _run(["docker", "rm", "-f", _container(name)], check=False)
    # The dockerhost's `make run` leaves its compose containers (fetch, laptop) holding the volume, which
    # Docker will not remove while any container uses it.
    users = _run(["docker", "ps", "-a", "-q", "--filter", f"volume={ASSETS_VOLUME}"], check=False).stdout.split()
    if users:
        _run(["docker", "rm", "-f", *users], check=False)
    _run(["docker", "volume", "rm", "-f", ASSETS_VOLUME], check=False)


def _inventory(path, workdir) -> str:
    native = {
        "ansible_connection": "community.docker.docker",
        "bench_runner": "native",
        "bench_job_command": "/opt/venv/bin/bench-job",
    }
    hosts = {name: dict(native, ansible_host=_container(name)) for name in STANDINS}
    # This machine through the device image, as `make run` does it on a device; its own assets volume
    # and work folder so the test leaves nothing in the user's.
    hosts["dockerhost"] = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "bench_workdir": str(workdir),
        "bench_environment": {"ASSETS_VOLUME": ASSETS_VOLUME},
    }
    inventory = {"laptop": {"hosts": hosts}, "all": {"vars": {"bench_poll_s": 2, "bench_args": "--threads 1"}}}
    path.write_text(yaml.safe_dump(inventory))
    return str(path)


def _campaign(playbook, inventory, config, results):
    started = time.monotonic()
    proc = _run(
        [
            playbook,
            "-i",
            inventory,
            "campaign/campaign.yml",
            "-e",
            f"campaign={CAMPAIGN}",
            "-e",
            f"campaign_config={config}",
            "-e",
            f"results_root={results}",
            "-e",
            f"controller_python={sys.executable}",
        ],
        env={"ANSIBLE_CONFIG": os.path.join(REPO, "campaign", "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"},
        timeout=1800,
        check=False,
    )
    return proc, time.monotonic() - started


def _host_bundles(folder) -> list:
    return sorted(f for f in os.listdir(folder) if f.endswith(".tar.gz")) if os.path.isdir(folder) else []


def test_campaign_compares_the_hosts_that_ran_names_the_one_that_failed_and_resumes(
    ansible_playbook, standins, tmp_path
):
    config = tmp_path / "campaign.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    results = tmp_path / "results"
    inventory = _inventory(tmp_path / "fleet.yml", tmp_path / "dockerhost")
    proc, seconds = _campaign(ansible_playbook, inventory, config, results)
    TIMINGS["campaign, 4 hosts"] = seconds
    log = proc.stdout[-8000:] + proc.stderr[-3000:]
    _say(f"campaign of 4 hosts (one failing): {seconds:.0f} s")
    assert proc.returncode != 0, "a host failed: the campaign must end failed\n" + log
    assert "1 host(s) have no bundle: broken" in proc.stdout, log

    campaign = results / CAMPAIGN
    ran = ["dockerhost", "standin-a", "standin-b"]
    for host in ran:
        (bundle,) = _host_bundles(campaign / host)
        assert (campaign / host / "run.log").is_file() and (campaign / host / "probe.txt").is_file(), host
        assert not (campaign / host / "failed.log").exists(), host
        with tarfile.open(campaign / host / bundle) as tar:
            top = tar.getnames()[0].split("/")[0]
            rows = [json.loads(line) for line in tar.extractfile(f"{top}/results.jsonl").read().decode().splitlines()]
        assert len(rows) == 3 and all(r["status"] == "ok" for r in rows), (host, rows)
    failed = (campaign / "broken" / "failed.log").read_text()
    assert "failed at: Check the host runs bench-job" in failed and "is not on this host" in failed, failed
    assert not _host_bundles(campaign / "broken")

    summary = (campaign / "campaign.txt").read_text()
    assert "compared: dockerhost, standin-a, standin-b" in summary and "failed: broken" in summary, summary
    (compared,) = [f for f in os.listdir(campaign) if f.startswith("compare-3-devices-") and f.endswith(".tar.gz")]
    with tarfile.open(campaign / compared) as tar:
        top = tar.getnames()[0].split("/")[0]
        devices = json.loads(tar.extractfile(f"{top}/devices.json").read())
        report = tar.extractfile(f"{top}/report.md").read().decode()
    assert sorted(devices["devices"]) == ran
    assert "## Leaderboard" in report

    # Resumed: the three hosts with a bundle are skipped, the broken one fails again, the compare reruns.
    mtimes = {host: os.path.getmtime(campaign / host / _host_bundles(campaign / host)[0]) for host in ran}
    again, seconds = _campaign(ansible_playbook, inventory, config, results)
    TIMINGS["campaign resumed"] = seconds
    assert again.returncode != 0 and "1 host(s) have no bundle: broken" in again.stdout, again.stdout[-6000:]
    for host in ran:
        assert f"{host}: already has" in again.stdout, again.stdout[-6000:]
        assert os.path.getmtime(campaign / host / _host_bundles(campaign / host)[0]) == mtimes[host]
    _say(f"campaign resumed (3 hosts skipped, 1 failing again): {seconds:.0f} s")
