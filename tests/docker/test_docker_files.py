"""Static checks of the container files, cheap enough for the normal suite (no Docker engine needed).

The end-to-end container test is test_docker_e2e.py (marked `docker`, run by `make test-docker`)."""

from __future__ import annotations

import importlib.util
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
            native.setdefault(name.lower().replace("_", "-"), {})[marker.strip()] = version
    # pip's metadata spells some names with _ where requirements.txt has - (mlcommons_loadgen): one project.
    common = _norm(_pins(_read("docker", "requirements-common.txt")))
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


def _section(text, start, end):
    """The pins between the `# start` and `# end` comment lines of a lock."""
    lines = text.splitlines()
    return _pins("\n".join(lines[lines.index(f"# {start}") + 1 : lines.index(f"# {end}")]))


def _norm(pins):
    return {name.replace("_", "-"): version for name, version in pins.items()}


def test_oldstack_lock_pins_every_library_of_the_job_except_what_the_l4t_base_brings():
    """docker/requirements-oldstack.txt (JetPack 5: Python 3.8, torch 2.1) names the same direct libraries as
    requirements.txt, less torch, torchvision and numpy, which the L4T base image (or make test-oldstack) provides."""
    native = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in _read("requirements.txt").splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    text = _read("docker", "requirements-oldstack.txt")
    direct = _norm(_section(text, "direct", "transitive"))
    assert set(direct) == native - {"torch", "torchvision", "numpy"}
    everything = _norm(_pins(text))
    assert not [n for n in everything if n in ("torch", "torchvision", "numpy", "triton") or n.startswith("nvidia-")]
    # the old stack, not the modern lock: the Python 3.8 releases
    assert direct["transformers"].startswith("4.") and direct["pandas"].startswith("2.0.")


def test_oldstack_lock_is_what_its_script_pins_with_each_reason_in_the_header():
    spec = importlib.util.spec_from_file_location("oldstack_lock", os.path.join(DOCKER, "oldstack_lock.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = _read("docker", "requirements-oldstack.txt")
    chosen = {name.lower().replace("_", "-"): version for name, (version, _) in module.OLDSTACK_PINS.items()}
    assert _norm(_section(text, "direct", "transitive")) == chosen, "re-run make lock-oldstack"
    for name, (version, why) in module.OLDSTACK_PINS.items():
        assert f"#   {name}=={version}: {why}" in text, (
            f"{name}: the header lacks its reason; re-run make lock-oldstack"
        )


def test_loadgen_is_one_version_everywhere_and_built_from_its_sdist_where_pypi_has_no_wheel():
    """Every device runs the same MLPerf LoadGen: the native venv, the images' locks and JetPack 5's old stack pin
    one version; the aarch64 wheel make wheelhouse compiles is for the very libraries oldstack_lock exempts."""
    locks = ["requirements.txt"] + [
        os.path.join("docker", f"requirements-{name}.txt") for name in ("common", "jetson", "oldstack")
    ]
    versions = {lock: _norm(_pins(_read(*lock.split(os.sep)))).get("mlcommons-loadgen") for lock in locks}
    assert len(set(versions.values())) == 1 and None not in versions.values(), versions
    spec = importlib.util.spec_from_file_location("oldstack_lock", os.path.join(DOCKER, "oldstack_lock.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sdist_only = re.search(r"^SDIST_ONLY_aarch64 := (.*)$", _read("docker", "docker.mk"), re.M).group(1).split()
    assert set(sdist_only) == module.SDIST_ON_AARCH64 == {"mlcommons-loadgen"}


def test_each_image_imports_loadgen_and_prints_its_version_at_build():
    check = "import importlib.metadata as m, mlperf_loadgen; print('MLPerf LoadGen', m.version('mlcommons-loadgen'))"
    for device in ("laptop", "rpi", "jetson"):
        assert check in _read("docker", f"Dockerfile.{device}"), device


def test_the_pi_build_and_runtime_stages_share_one_toolchain_layer():
    """g++ and Python.h serve torch.compile at run time and LoadGen's sdist at build time (no aarch64 wheel on
    PyPI): one apt layer, the first stage, which make wheelhouse also uses to compile LoadGen's wheel."""
    text = _read("docker", "Dockerfile.rpi")
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", text, re.M)
    assert stages == [("${BASE_IMAGE}", "toolchain"), ("toolchain", "build"), ("toolchain", "")], stages
    toolchain = text[text.index("AS toolchain") : text.index("AS build")]
    assert text.count("apt-get install") == 1 and "apt-get install" in toolchain and "g++" in toolchain


def test_dockerfiles_take_a_base_image_and_label_device_and_version():
    for device in BENCH_SERVICES:
        text = _read("docker", f"Dockerfile.{device}")
        assert re.search(r"^ARG BASE_IMAGE=\S+", text, re.M), device
        assert re.search(r"^FROM \$\{BASE_IMAGE\}", text, re.M), device
        # The rpi recipe also builds JetPack 4's Jetson image: its device is a build argument, rpi by default.
        assert f'io.edge-bench.device="{device}"' in text or (
            f"ARG DEVICE={device}\n" in text and 'io.edge-bench.device="${DEVICE}"' in text
        ), device
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
    # The one step with network, on Docker's default bridge: no network of the project's to leave behind.
    assert services["fetch"]["network_mode"] == "bridge"
    # It checks the benchmark's options (after `--`) before downloading anything.
    assert services["fetch"]["command"] == "fetch ${FETCH_ARGS:-} -- ${BENCH_ARGS:-}"
    # ... where a --config under /results (a campaign's) resolves as in the benchmark's container.
    results = [m for m in services["fetch"]["volumes"] if isinstance(m, dict) and m["target"] == "/results"]
    assert results and results[0]["read_only"] is True, services["fetch"]["volumes"]


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
        "test-docker-prepare",
        "jetson-base",
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
    assert 'base="python:3.11-slim-bookworm"' in dry.stdout and "--build-arg BASE_IMAGE=$base" in dry.stdout, dry.stdout


def test_build_sends_only_the_devices_own_files():
    """The build context is a tar of this device's files: no other device's wheelhouse (GBs)."""
    for device in ("laptop", "rpi"):
        tar = re.search(r'files="([^"]*)"', _make("-n", "build", f"DEVICE={device}").stdout).group(1)
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


def _wheelhouse_with_fake_pip(tmp_path, index):
    """`make wheelhouse DEVICE=laptop` with pip replaced by a recorder (the probe runs the real python)."""
    fake, log = tmp_path / "python", tmp_path / "pip.log"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = -m ]; then echo "$*" >> {log}; exit 0; fi\nexec python3 "$@"\n')
    fake.chmod(0o755)
    proc = _make(
        "wheelhouse",
        "DEVICE=laptop",
        f"WHEELHOUSE_DIR={tmp_path / 'wheels'}",
        f"DOCKER_PYTHON={fake}",
        f"WHEELHOUSE_TORCH_INDEX={index}",
    )
    assert proc.returncode == 0, proc.stderr
    return proc, log.read_text().splitlines()


def test_an_unreachable_torch_index_is_probed_once_and_pypi_serves_torch_saying_so(tmp_path):
    """`sudo make build-local DEVICE=laptop` where download.pytorch.org cannot be reached: one probe, then
    PyPI's torch, with the index, the variable that skips the probe and the size it costs named."""
    index = "http://127.0.0.1:9/whl/cpu"  # the discard port: connection refused at once
    proc, pips = _wheelhouse_with_fake_pip(tmp_path, index)
    warning = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1, proc.stderr
    assert f"the torch index {index} cannot be reached (" in warning[0]
    assert "WHEELHOUSE_TORCH_INDEX=pypi" in warning[0] and "about 7 GB" in warning[0], warning[0]
    assert "torch from pip's own index (PyPI)" in proc.stdout
    torch_download = [line for line in pips if "requirements-laptop.txt" in line]
    assert len(torch_download) == 1 and "--index-url" not in torch_download[0], pips


def test_a_reachable_torch_index_serves_torch(tmp_path):
    import http.server
    import threading

    (tmp_path / "idx" / "torch").mkdir(parents=True)
    (tmp_path / "idx" / "torch" / "index.html").write_text("<html></html>")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path / "idx"))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = f"http://127.0.0.1:{server.server_address[1]}"
        proc, pips = _wheelhouse_with_fake_pip(tmp_path, index)
    finally:
        server.shutdown()
    assert "warning:" not in proc.stderr, proc.stderr
    torch_download = [line for line in pips if "requirements-laptop.txt" in line]
    assert f"--index-url {index}" in torch_download[0], pips


def test_the_readmes_name_the_fallback_variable_beside_build_local():
    for readme in ("README.md", os.path.join("docker", "README.md")):
        lines = _read(readme).splitlines()
        commands = [n for n, line in enumerate(lines) if line.startswith("sudo make build-local DEVICE=laptop")]
        assert commands, readme
        for number in commands:
            assert "WHEELHOUSE_TORCH_INDEX=pypi" in "\n".join(lines[number : number + 2]), (readme, lines[number])


def _fake_bin(tmp_path, name, script):
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n" + script)
    (folder / name).chmod(0o755)
    return str(folder)


def _entrypoint(tmp_path, *args, **env):
    """docker/entrypoint.sh with a stand-in bench-job that records its calls and refuses `--budget abc`."""
    calls = tmp_path / "calls"
    folder = _fake_bin(
        tmp_path,
        "bench-job",
        f'echo "$* | reason=${{BENCH_WEIGHTS_REASON:-}} | fetch=${{BENCH_FETCH_FAILED:-}}" >> {calls}\n'
        'case "$*" in *"--budget abc"*) echo "bench-job: error: bad duration \'abc\'" >&2; exit 2;; esac\n'
        '[ "$1" = fetch ] && { echo "error: cannot reach huggingface.co" >&2; exit 1; }\nexit 0\n',
    )
    for name in ("assets", "results"):
        (tmp_path / name).mkdir(exist_ok=True)
    defaults = dict(
        ASSETS_DIR=str(tmp_path / "assets"),
        RESULTS_DIR=str(tmp_path / "results"),
        HOST_SYSFS=str(tmp_path / "no-sys"),
        HOST_ROOT=str(tmp_path / "no-host"),
        BENCH_ENTRYPOINT_LOG=str(tmp_path / "entrypoint.log"),
        DEVICE="laptop",
    )
    environ = {k: v for k, v in os.environ.items() if k != "BENCH_ACCELERATOR"}  # the image's, set per test
    proc = subprocess.run(
        ["sh", os.path.join(DOCKER, "entrypoint.sh"), *args],
        env=dict(environ, PATH=folder + os.pathsep + os.environ["PATH"], **dict(defaults, **env)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc, calls.read_text().splitlines() if calls.exists() else []


def test_the_fetch_step_checks_the_benchmarks_options_before_fetching(tmp_path):
    """compose's fetch step gets `-- BENCH_ARGS`: a mistake is one line at once, not after the downloads."""
    proc, calls = _entrypoint(tmp_path, "fetch", "--models", "x", "--", "--budget", "abc", FETCH_REQUIRED="0")
    assert [c.split(" |")[0] for c in calls] == [
        "run --check-args --device laptop --config /opt/edge-bench/configs/quick.yaml --budget abc"
    ]
    assert "bench-job: error: bad duration 'abc'" in proc.stderr and "nothing fetched" in proc.stderr
    # As compose's step it succeeds, so that the benchmark starts and exits 2 itself (compose would say 1).
    assert proc.returncode == 0, proc.stderr
    # `make fetch` (FETCH_REQUIRED=1): the check's own status.
    proc, _ = _entrypoint(tmp_path, "fetch", "--", "--budget", "abc", FETCH_REQUIRED="1")
    assert proc.returncode == 2, proc.stderr


def test_good_options_are_checked_then_the_fetch_gets_only_its_own(tmp_path):
    proc, calls = _entrypoint(tmp_path, "fetch", "--models", "x", "--", "--models", "resnet18", FETCH_REQUIRED="0")
    assert [c.split(" |")[0] for c in calls] == [
        "run --check-args --device laptop --config /opt/edge-bench/configs/quick.yaml --models resnet18",
        f"fetch --config /opt/edge-bench/configs/quick.yaml --assets {tmp_path / 'assets'} --models x",
    ]
    assert proc.returncode == 0 and "FETCH FAILED (exit 1)" in proc.stderr
    assert "cannot reach huggingface.co" in (tmp_path / "assets" / "fetch-failed.txt").read_text()


def test_random_weights_the_entrypoint_chose_carry_its_reason_and_the_failed_fetch(tmp_path):
    (tmp_path / "assets").mkdir()
    note = "FETCH FAILED (exit 1) at 2026-12-02T03:00:00Z: error: cannot reach huggingface.co"
    (tmp_path / "assets" / "fetch-failed.txt").write_text(note + "\n")
    proc, calls = _entrypoint(tmp_path, "run", "--models", "resnet18")
    assert proc.returncode == 0, proc.stderr
    args, reason, fetch = calls[0].split(" | ")
    assert args.startswith("run --set weights=random "), args
    assert reason == (
        f"reason=chosen by the container's entrypoint, not asked: the last fetch step failed and "
        f"{tmp_path / 'assets'} holds no fetch (see the verdict)"
    )
    assert fetch == f"fetch={note}"
    # Weights the user chose are as asked: no reason of the entrypoint's.
    _, calls = _entrypoint(tmp_path, "run", "--set", "weights=random")
    assert calls[-1].split(" | ")[1] == "reason="


def test_the_images_accelerator_is_the_runs_unless_one_is_given(tmp_path):
    """The JetPack 4 image is a CPU image (BENCH_ACCELERATOR=cpu): the Jetson profile's cuda must not apply."""
    _, calls = _entrypoint(tmp_path, "run", "--models", "resnet18", BENCH_ACCELERATOR="cpu")
    assert calls[0].split(" |")[0].split().count("--accelerator") == 1
    assert " --accelerator cpu " in calls[0], calls[0]
    _, calls = _entrypoint(tmp_path, "run", "--accelerator", "cuda", BENCH_ACCELERATOR="cpu")
    assert "--accelerator cpu" not in calls[-1] and "--accelerator cuda" in calls[-1], calls[-1]
    _, calls = _entrypoint(tmp_path, "run", "--accelerator=auto", BENCH_ACCELERATOR="cpu")
    assert "--accelerator cpu" not in calls[-1] and "--accelerator=auto" in calls[-1], calls[-1]
    # An image that sets none leaves the profile's (laptop: auto; jetson: cuda).
    _, calls = _entrypoint(tmp_path, "run")
    assert "--accelerator" not in calls[-1], calls[-1]
    # The fetch step checks the run's options as the run will get them.
    _, calls = _entrypoint(tmp_path, "fetch", "--", "--models", "resnet18", FETCH_REQUIRED="0", BENCH_ACCELERATOR="cpu")
    check = next(c for c in calls if c.startswith("run --check-args"))
    assert check.startswith("run --check-args --accelerator cpu --device laptop "), check


def test_the_hosts_root_is_passed_when_its_etc_is_mounted(tmp_path):
    host = tmp_path / "host"
    _, calls = _entrypoint(tmp_path, "run", HOST_ROOT=str(host))
    assert "--host-root" not in calls[-1], calls[-1]  # nothing mounted: the job reads its own /
    (host / "etc").mkdir(parents=True)
    for command in ("run", "probe"):
        _, calls = _entrypoint(tmp_path, command, HOST_ROOT=str(host))
        assert f"--host-root {host} " in calls[-1] and calls[-1].startswith(command), calls[-1]
    _, calls = _entrypoint(tmp_path, "probe", "--host-root=/elsewhere", HOST_ROOT=str(host))
    assert calls[-1].split(" |")[0] == "probe --host-root=/elsewhere"


def test_compose_jetson_takes_its_accelerator_from_the_image_and_reads_the_hosts_l4t_release():
    jetson = _compose()["services"]["jetson"]
    assert jetson["command"] == "run ${BENCH_ARGS:-}"
    assert "JETSON_ACCELERATOR" not in _read("compose.yaml")
    mounts = {m["target"]: m for m in jetson["volumes"] if isinstance(m, dict)}
    release = mounts["/host/etc/nv_tegra_release"]
    assert release["source"] == "/etc/nv_tegra_release" and release["read_only"] is True
    # Docker would otherwise make an empty folder on a host without the file and mount that.
    assert release["bind"] == {"create_host_path": False}


def test_compose_jetson_mounts_every_host_file_the_job_reads_read_only_under_host():
    from bench_job.host.host_files import HOST_FILES

    jetson = _compose()["services"]["jetson"]
    mounts = {m["target"]: m for m in jetson["volumes"] if isinstance(m, dict)}
    # Each file of env.json's host_files lies under a mount at /host (proc/meminfo excepted: the kernel's own,
    # the same in the container).
    for relative in HOST_FILES:
        if relative != "proc/meminfo":
            assert any(("/host/" + relative).startswith(target) for target in mounts if target.startswith("/host/")), (
                relative
            )
    for target in ("/host/etc/nvpmodel.conf", "/host/var/lib/nvpmodel", "/host/var/lib/dpkg/status"):
        assert mounts[target]["read_only"] is True, target
    # Docker masks /sys/firmware in containers: the host's device tree is mounted where --host-root finds it.
    tree = mounts["/host/proc/device-tree"]
    assert tree["source"] == "/sys/firmware/devicetree/base" and tree["read_only"] is True
    # A missing file must never become a folder Docker made on the host (nvpmodel writes status as a file):
    # files are refused when missing (nvpmodel.conf can be pointed at /dev/null), folders may be created.
    for target in ("/host/etc/nvpmodel.conf", "/host/var/lib/dpkg/status", "/host/proc/device-tree"):
        assert mounts[target]["bind"] == {"create_host_path": False}, target
    assert mounts["/host/etc/nvpmodel.conf"]["source"] == "${HOST_NVPMODEL_CONF:-/etc/nvpmodel.conf}"
    assert mounts["/host/var/lib/nvpmodel"]["source"] == "/var/lib/nvpmodel"
    assert mounts["/host/var/lib/nvpmodel"]["bind"] == {"create_host_path": True}


def _fake_docker(tmp_path, fetch_status=0, job_status=0):
    """A `docker` that knows one image and answers `compose run` with the given statuses."""
    return _fake_bin(
        tmp_path,
        "docker",
        f'echo "$*" >> {tmp_path / "docker.log"}\n'
        'case "$*" in\n'
        '  "image inspect"*) echo sha256:fake;;\n'
        f'  *"run --rm fetch"*) exit {fetch_status};;\n'
        f'  *"run --rm --no-deps"*) exit {job_status};;\n'
        "esac\n",
    )


@pytest.mark.parametrize("job_status", [0, 1, 2])
def test_run_sh_exits_with_the_benchmarks_status_and_make_run_says_it(tmp_path, job_status):
    """docker/run.sh is the command to script against; `make run` exits 2 (make's own) on any failure and
    shows the benchmark's status in its output."""
    folder = _fake_docker(tmp_path, job_status=job_status)
    env = dict(os.environ, PATH=folder + os.pathsep + os.environ["PATH"], RESULTS_DIR=str(tmp_path / "results"))
    proc = subprocess.run(
        [os.path.join(DOCKER, "run.sh"), "laptop"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == job_status, proc.stderr
    assert f"run.sh: the benchmark exited with {job_status}" in proc.stderr
    calls = (tmp_path / "docker.log").read_text().splitlines()
    compose = [c for c in calls if c.startswith("compose")]
    assert [c.split(" run ")[1] for c in compose] == ["--rm fetch", "--rm --no-deps laptop"], calls
    made = subprocess.run(
        ["make", "--no-print-directory", "run", f"RESULTS_DIR={tmp_path / 'results'}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == (0 if job_status == 0 else 2), made.stderr
    assert f"run.sh: the benchmark exited with {job_status}" in made.stderr


def test_run_sh_refuses_an_unknown_device_and_stops_when_the_fetch_step_fails(tmp_path):
    env = dict(os.environ, PATH=_fake_docker(tmp_path, fetch_status=3) + os.pathsep + os.environ["PATH"])
    env["RESULTS_DIR"] = str(tmp_path / "results")
    run = [os.path.join(DOCKER, "run.sh")]
    proc = subprocess.run(run + ["phone"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown device 'phone'" in proc.stderr
    proc = subprocess.run(run + ["laptop"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and "the fetch step exited with 3: no benchmark run" in proc.stderr
