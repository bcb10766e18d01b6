"""docker/requirements-oldstack.txt: the job's libraries for JetPack 5's stack (Python 3.8, NVIDIA's torch 2.0/2.1),
written by `python docker/lock_requirements.py --oldstack --python PYTHON3.8` (`make lock-oldstack`).

The direct pins are chosen here by hand (a resolver cannot know what JetPack 5 needs), each with its reason in the
file's header; pip with a real Python 3.8 resolves their closure, and every target the file serves is then checked
to install it from wheels alone (a Jetson must not compile pyarrow)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from typing import Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "requirements-oldstack.txt")

# The newest release PyPI offers to CPython 3.8 unless the reason says otherwise (checked with `pip index versions`
# under Python 3.8.18 against pypi.org alone, 2026-12).
OLDSTACK_PINS: Dict[str, Tuple[str, str]] = {
    "transformers": ("4.46.3", "the last release for Python 3.8; runs on torch 2.0/2.1"),
    "tokenizers": ("0.20.3", "what transformers 4.46.3 accepts (>=0.20,<0.21)"),
    "huggingface_hub": ("0.36.2", "the newest 0.x: transformers 4.46 needs <1.0"),
    "safetensors": ("0.5.3", "the newest for Python 3.8"),
    "datasets": ("3.1.0", "the last release for Python 3.8"),
    "evaluate": ("0.4.6", "the modern pin, which still accepts Python 3.8"),
    "pandas": ("2.0.3", "the last release for Python 3.8"),
    "matplotlib": ("3.7.5", "the last release for Python 3.8"),
    "scipy": ("1.10.1", "the last release for Python 3.8"),
    "onnxruntime": ("1.19.2", "the last with cp38 wheels (aarch64: manylinux_2_27, under JetPack 5's glibc 2.31)"),
    "onnx": ("1.17.0", "the last with cp38 wheels"),
    # 0.2.x declares Python >=3.8 but fails at import there (collections.UserList[...]: TypeError), and torch 2.1's
    # torch.onnx imports onnxscript when it is present, so even its TorchScript exporter broke with 0.2.7.
    "onnxscript": ("0.1.0", "the newest that imports on Python 3.8 (0.2.x raises TypeError there)"),
    "protobuf": ("5.29.6", "the last 5.x, the newest line for Python 3.8 (onnx 1.17 needs >=3.20.2)"),
    "sentencepiece": ("0.2.0", "the last with cp38 wheels"),
    "pillow": ("10.4.0", "the last release for Python 3.8"),
    "psutil": ("7.2.2", "the modern pin (cp36-abi3 wheels)"),
    "PyYAML": ("6.0.3", "the modern pin (cp38 wheels)"),
    "tqdm": ("4.70.1", "the modern pin (pure Python, accepts 3.8)"),
    "mlcommons-loadgen": ("6.0.14", "the modern pin: the newest with cp38 wheels (x86_64; arm64 builds the sdist)"),
}
# No aarch64 wheel on PyPI in any version: `make wheelhouse DEVICE=jetson` builds it from the sdist for the base's
# Python (docker/sdist-wheels.sh), so the wheels-only check of an aarch64 target leaves it out. It has no dependencies.
SDIST_ON_AARCH64 = {"mlcommons-loadgen"}
# Resolved along so that torch's own dependencies (sympy, networkx, jinja2, ...) are pinned too, then left out with
# numpy: the Jetson image keeps its base image's torch/torchvision/numpy, and `make test-oldstack` installs these.
BASE = ["torch==2.1.2", "torchvision==0.16.2", "numpy==1.24.4"]
# numpy's range every pin accepts: onnxruntime 1.19.2 needs >=1.21.6, scipy 1.10.1 <1.27, matplotlib 3.7.5 <2.
NUMPY_RANGE = ("1.21.6", "1.26.4")
# (Python, machine, glibc of the base image, numpy the base image might carry): JetPack 5 is Ubuntu 20.04 (glibc 2.31),
# JetPack 6.0 is Ubuntu 22.04 (glibc 2.35) with Python 3.10; x86_64 3.8 is `make test-oldstack`.
TARGETS = [
    ("3.8", "x86_64", 31, NUMPY_RANGE[0]),
    ("3.8", "aarch64", 31, "1.24.4"),
    ("3.10", "aarch64", 35, NUMPY_RANGE[0]),
    ("3.10", "aarch64", 35, NUMPY_RANGE[1]),
]

HEADER = """\
# JetPack 5's stack (L4T R35: Python 3.8, NVIDIA's torch 2.0/2.1): everything the job needs besides
# torch/torchvision/numpy, which come from the L4T base image and are kept as constraints (make test-oldstack
# installs torch==2.1.2, torchvision==0.16.2 and numpy==1.24.4 from PyPI in their place). The libraries of the
# top-level requirements.txt at the newest releases that still support CPython 3.8 and torch 2.0/2.1, with their
# whole closure as pip resolves it for CPython 3.8 on Linux (docker/lock_requirements.py --oldstack;
# docker/oldstack_lock.py chooses the direct pins). Why each direct pin is what it is:
{reasons}
# numpy is not pinned: every pin here accepts numpy >={low},<1.27 (onnxruntime 1.19.2 needs >=1.21.6, scipy
# 1.10.1 <1.27, matplotlib 3.7.5 <2; checked at {low} and {high}), so the base images' numpy 1.2x stays.
# Checked by pip's dry run to install from wheels alone, pulling in nothing outside this list, on:
{targets}
# (the 3.10 aarch64 rows stand for JetPack 6.0's bases: L4T R36.2/36.3, Python 3.10, torch 2.1).
# On aarch64 every pin but {sdist}, which PyPI has as an sdist only there: `make wheelhouse
# DEVICE=jetson` compiles its wheel for the base's Python (docker/sdist-wheels.sh); a build with network, pip itself.
"""


def _platforms(machine: str, glibc: int) -> List[str]:
    """pip's --platform takes exact tags: every manylinux tag a glibc of that version accepts."""
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc, 16, -1)] + [f"manylinux2014_{machine}"]
    if machine == "x86_64":
        tags += ["manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64"]
    return [arg for tag in tags for arg in ("--platform", tag)]


def check_target(python: str, target: Tuple[str, str, int, str], lock: Dict[str, str]) -> None:
    """pip's dry run of the lock on another Python and machine, from wheels only; raises on anything it lacks."""
    version, machine, glibc, numpy = target
    if machine == "aarch64":
        lock = {name: pinned for name, pinned in lock.items() if name not in SDIST_ON_AARCH64}
    with tempfile.TemporaryDirectory() as tmp:
        requirements = os.path.join(tmp, "requirements.txt")
        with open(requirements, "w") as handle:
            handle.writelines(f"{name}=={pinned}\n" for name, pinned in lock.items())
        report = os.path.join(tmp, "report.json")
        subprocess.run(
            [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--target",
             os.path.join(tmp, "t"), "--only-binary=:all:", "--implementation", "cp", "--python-version", version,
             *_platforms(machine, glibc), "--report", report, "-r", requirements, f"numpy=={numpy}"],
            check=True,
        )  # fmt: skip
        with open(report) as handle:
            got = {_key(i["metadata"]["name"]): i["metadata"]["version"] for i in json.load(handle)["install"]}
    got.pop("numpy")
    if got != lock:
        raise SystemExit(f"oldstack lock on Python {version} {machine}: pip chose {got}, the lock says {lock}")


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


def lock_oldstack(
    python: str, modern_pins: List[str], resolve: Callable, write: Callable, upgrade: bool = False
) -> int:
    found = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2] == (3, 8))"], capture_output=True)
    if found.stdout.strip() != b"True":
        raise SystemExit(f"--oldstack resolves with a Python 3.8 (markers differ on newer ones): {python} is not")
    # Every library the modern job uses gets an old pin, so neither list can gain one the other lacks.
    modern = {_key(pin.split("==")[0]) for pin in modern_pins} - {"numpy"}
    if modern != {_key(name) for name in OLDSTACK_PINS}:
        raise SystemExit(f"requirements.txt and OLDSTACK_PINS name different libraries: {sorted(modern)}")
    pins = [f"{name}=={version}" for name, (version, _) in OLDSTACK_PINS.items()] + BASE
    rows = resolve(python, pins, keep=None if upgrade else OUT)
    rows = [(name, version) for name, version in rows if _key(name) != "numpy"]
    reasons = "\n".join(f"#   {name}=={version}: {why}" for name, (version, why) in OLDSTACK_PINS.items())
    targets = "\n".join(f"#   CPython {v} {m}, glibc 2.{g}, numpy {n}" for v, m, g, n in TARGETS)
    sdist = ", ".join(sorted(SDIST_ON_AARCH64))
    header = HEADER.format(reasons=reasons, low=NUMPY_RANGE[0], high=NUMPY_RANGE[1], targets=targets, sdist=sdist)
    write(OUT, header, {name.lower() for name in OLDSTACK_PINS}, rows)
    lock = {_key(name): version for name, version in rows}
    for target in TARGETS:
        check_target(python, target, lock)
    print(f"pinned {len(rows)} packages ({len(OLDSTACK_PINS)} direct), checked on {len(TARGETS)} targets")
    return 0
