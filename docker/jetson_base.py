#!/usr/bin/env python3
"""Which image a Jetson gets, decided from the board's own L4T release (/etc/nv_tegra_release).

    python3 docker/jetson_base.py [--release-file FILE]      the decision; the base image on its last line
    python3 docker/jetson_base.py --field NAME [...]         one field of it (see FIELDS), one per line
    python3 docker/jetson_base.py --shell                    every field as `name=value` for the shell's eval
    python3 docker/jetson_base.py --check-image IMAGE        whether the image (its labels, read with `docker
                                                             image inspect`; $DOCKER for another command) was
                                                             built for this host's release group: exit 3 and
                                                             one line when not

`make jetson-base`, `make build DEVICE=jetson`, docker/run.sh and the campaign call it. Exit 2, with one
line naming the file read and the BASE_IMAGE= override, when the release cannot be read or has no row below.

It runs on the Jetson's own python3, which is Python 3.6 on JetPack 4 (L4T R32, Ubuntu 18.04): standard
library only and nothing newer than 3.6 (no dataclasses, no `from __future__ import annotations`). That
is also why it is a script beside the Dockerfiles and not part of bench_job, which needs Python >= 3.8.

Sources cited per row (see also ../shared/JETSON.md, where each was gathered):
  LV   dusty-nv/jetson-containers jetson_containers/l4t_version.py @ dd206bfe: the L4T -> JetPack table, and
       l4t_version_compatible(): a host on R35 runs any R35 container; a host on R36 needs the container on
       the same side of R36.4 as itself; R38/R39 hosts (SBSA CUDA) run any container.
  JV   rbonghi/jetson_stats jtop/core/jetson_variables.py @ f41d5cad: the same L4T -> JetPack table.
  RM   jetson-containers README.md @ fca3a30b: the NGC l4t-pytorch tags, r35.2.1-pth2.0-py3 among them.
  BML  jetson-containers scripts/docker_build_ml.sh @ b846b6d6^: the script that built NGC's l4t-pytorch
       images: r35.2.1 carries torch 2.0.0+nv23.05 on Python 3.8, and TensorRT's Python module.
  DR   jetson-containers README @ dd206bfe, dustynv/pytorch tags: 2.1-r36.2.0, 2.6-r36.4.0-cu128-24.04.
  T1373 dusty-nv/jetson-containers issue 1373 (2025-09): nvcr.io/nvidia/pytorch:25.08-py3 pulled and run
       on an AGX Thor (JetPack 7, L4T R38).
  T8412 triton-inference-server/server issue 8412: Thor takes its wheels from the Jetson AI Lab's sbsa/cu130.
  JP4  NVIDIA forum "PyTorch for Jetson" (t/72048) and BML: the last CUDA torch for JetPack 4 is 1.10, built
       for Python 3.6 (JetPack 4's own); the job needs Python >= 3.8.
"""

# ruff: noqa: I002  (no `from __future__ import annotations`: JetPack 4's Python 3.6 has no such feature)
import argparse
import collections
import os
import re
import shlex
import subprocess
import sys

DEFAULT_RELEASE_FILE = "/etc/nv_tegra_release"

# One image recipe per group of releases. `first`/`last`: the (major, minor) range of L4T releases the row
# covers, both ends included. `pins`: the requirements file the Dockerfile installs beside the base's torch.
# `accelerator`: what the image runs the models on. `index`: the Jetson AI Lab wheel index for onnxruntime-gpu
# ("" = none is known to be hosted for that CUDA: PyPI's onnxruntime, ONNX Runtime on the CPU). `verified`:
# False where the row is inferred from the compatibility rule rather than seen on such a board.
Stack = collections.namedtuple(
    "Stack",
    "name first last jetpack base dockerfile pins python torch accelerator index sources verified",
)

# JetPack 7 (R38, Thor): NGC's SBSA PyTorch container, as run on an AGX Thor (T1373).
JP7 = Stack(
    "jp7",
    (38, 0),
    (38, 99),
    "JetPack 7",
    "nvcr.io/nvidia/pytorch:25.08-py3",
    "docker/Dockerfile.jetson",
    "docker/requirements-jetson.txt",
    "3.12",
    "2.8 (NGC 25.08)",
    "cuda",
    "https://pypi.jetson-ai-lab.io/sbsa/cu130",
    "T1373 (image on AGX Thor), T8412 (index), LV",
    True,
)

STACKS = (
    # JetPack 4 (R32): NVIDIA's CUDA torch stops at 1.10 for Python 3.6 (JP4); the job needs Python >= 3.8, so
    # the arm64 CPU image (the Raspberry Pi's recipe: Debian, PyPI's CPU torch) with the board's power sensors.
    Stack(
        "jp4-cpu",
        (32, 0),
        (32, 99),
        "JetPack 4",
        "python:3.11-slim-bookworm",
        "docker/Dockerfile.rpi",
        "docker/requirements-rpi.txt",
        "3.11",
        "2.9.1",
        "cpu",
        "",
        "LV, JV (R32.7.x = JetPack 4.6.x, Python 3.6); JP4",
        True,
    ),
    # JetPack 5 (R35): NVIDIA's own L4T PyTorch image; LV: an R35 host runs any R35 container.
    Stack(
        "jp5",
        (35, 0),
        (35, 99),
        "JetPack 5",
        "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3",
        "docker/Dockerfile.jetson",
        "docker/requirements-oldstack.txt",
        "3.8",
        "2.0.0+nv23.05",
        "cuda",
        "",
        "RM (tag), BML (Python 3.8, torch 2.0.0+nv23.05, TensorRT inside), LV (R35 compatibility)",
        True,
    ),
    # JetPack 6.0 (R36.2, R36.3): LV: a host below R36.4 needs a container below R36.4.
    Stack(
        "jp6.0",
        (36, 0),
        (36, 3),
        "JetPack 6.0",
        "dustynv/pytorch:2.1-r36.2.0",
        "docker/Dockerfile.jetson",
        "docker/requirements-oldstack.txt",
        "3.10",
        "2.1",
        "cuda",
        "",
        "DR (tag), LV (R36.2 = JetPack 6.0 DP, Python 3.10; the R36.4 boundary)",
        True,
    ),
    # JetPack 6.1 and 6.2 (R36.4, R36.5): Python 3.12 and torch 2.6, the job's current pins.
    Stack(
        "jp6",
        (36, 4),
        (36, 99),
        "JetPack 6.1/6.2",
        "dustynv/pytorch:2.6-r36.4.0-cu128-24.04",
        "docker/Dockerfile.jetson",
        "docker/requirements-jetson.txt",
        "3.12",
        "2.6",
        "cuda",
        "https://pypi.jetson-ai-lab.io/jp6/cu128",
        "DR (tag), LV (R36.4.x = JetPack 6.1/6.2)",
        True,
    ),
    JP7,
    # JetPack 7.2 (R39, Orin and Thor): the same image, not seen on a board with it; LV's rule that R38/R39 hosts
    # run any container (CUDA 13 through SBSA) is what puts it here.
    JP7._replace(
        first=(39, 0),
        last=(39, 99),
        jetpack="JetPack 7.2",
        sources="LV (R39 = JetPack 7.2; R38/R39 compatibility)",
        verified=False,
    ),
)

# JetPack per exact release (LV, JV); a release of a known row but missing here is named "JetPack N.x".
JETPACK = {
    (32, 7, 1): "4.6.1",
    (32, 7, 2): "4.6.2",
    (32, 7, 3): "4.6.3",
    (32, 7, 4): "4.6.4",
    (32, 7, 5): "4.6.5",
    (32, 7, 6): "4.6.6",
    (35, 1, 0): "5.0.2",
    (35, 2, 1): "5.1",
    (35, 3, 1): "5.1.1",
    (35, 4, 1): "5.1.2",
    (35, 5, 0): "5.1.3",
    (35, 6, 0): "5.1.4",
    (35, 6, 1): "5.1.5",
    (35, 6, 2): "5.1.5",
    (35, 6, 4): "5.1.6",
    (36, 2, 0): "6.0 DP",
    (36, 3, 0): "6.0",
    (36, 4, 0): "6.1",
    (36, 4, 2): "6.1 (rev1)",
    (36, 4, 3): "6.2",
    (36, 4, 4): "6.2.1",
    (36, 4, 7): "6.2.1",
    (38, 2, 0): "7.0",
    (38, 2, 2): "7.0",
    (38, 4, 0): "7.1",
}

FIELDS = ("stack", "release", "jetpack", "base", "dockerfile", "pins", "python", "accelerator", "index")

# Line 1 of the file: `# R36 (release), REVISION: 4.4, GCID: ..., BOARD: generic, ...`. bench_job/host/gpu_use.py
# parses the same line inside the image; this script cannot import the package (host Python 3.6, no bench_job).
_LINE = re.compile(r"^#\s*R(\d+)\s*\(\w+\),\s*REVISION:\s*(\d+)\.(\d+)")


class Refusal(Exception):
    """A decision that cannot be made: its one-line message says why and what to do."""


def parse_release(text):
    """(major, minor, patch) from the file's first line; None when it is not an L4T release line."""
    match = _LINE.match(text.splitlines()[0] if text.strip() else "")
    return tuple(int(part) for part in match.groups()) if match else None


def read_release(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as exc:
        raise Refusal(
            "cannot read the L4T release from {} ({}): on a Jetson, check the file; elsewhere pass "
            "NV_TEGRA_RELEASE=FILE, or BASE_IMAGE=<an L4T PyTorch image> to choose the base yourself".format(
                path, exc.strerror or exc
            )
        ) from None
    release = parse_release(text)
    if release is None:
        first = text.splitlines()[0] if text.strip() else "(empty)"
        raise Refusal(
            "{} does not start with an L4T release line (`# R36 (release), REVISION: 4.4, ...`), it starts "
            "with {!r}: pass BASE_IMAGE=<the L4T PyTorch image for this board> to choose the base yourself".format(
                path, first[:80]
            )
        )
    return release


def release_name(release):
    return "R{}.{}.{}".format(*release)


def stack_for(release, path):
    for stack in STACKS:
        if stack.first <= release[:2] <= stack.last:
            return stack
    raise Refusal(
        "L4T {} (read from {}) has no known base image (known: R32, R35, R36, R38, R39): pass "
        "BASE_IMAGE=<an L4T PyTorch image built for this release> to choose the base yourself".format(
            release_name(release), path
        )
    )


def jetpack_name(release, stack):
    exact = JETPACK.get(release)
    return "JetPack " + exact if exact else stack.jetpack


def fields(release, stack):
    return {
        "stack": stack.name,
        "release": release_name(release),
        "jetpack": jetpack_name(release, stack),
        "base": stack.base,
        "dockerfile": stack.dockerfile,
        "pins": stack.pins,
        "python": stack.python,
        "accelerator": stack.accelerator,
        "index": stack.index,
    }


def describe(release, stack, path):
    gpu = (
        "GPU image: CUDA torch {} from the base image, Python {}".format(stack.torch, stack.python)
        if stack.accelerator == "cuda"
        else "CPU image: PyPI's CPU torch {} on Debian (Python {}), the board's power sensors mounted; the GPU "
        "is not used: NVIDIA's CUDA torch for JetPack 4 exists only for Python 3.6 (torch <= 1.10)".format(
            stack.torch, stack.python
        )
    )
    return [
        "L4T {} ({}) read from {}".format(release_name(release), jetpack_name(release, stack), path),
        "image: {} ({})".format(stack.name, gpu),
        "recipe: {} with {}".format(stack.dockerfile, stack.pins),
        "onnxruntime-gpu index: {}".format(stack.index or "none known for this CUDA: ONNX Runtime runs on the CPU"),
        "sources: {}{}".format(
            stack.sources, "" if stack.verified else " (inferred from the compatibility rule, not seen on a board)"
        ),
        stack.base,
    ]


IMAGE_LABELS = '{{index .Config.Labels "io.edge-bench.jetson-stack"}} {{index .Config.Labels "io.edge-bench.l4t"}}'


def image_labels(image):
    """(stack, release) the image was built for, from its labels; "" for a label it lacks."""
    command = os.environ.get("DOCKER", "docker").split() + ["image", "inspect", "-f", IMAGE_LABELS, image]
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if proc.returncode != 0:
        raise Refusal("no image {}: build it first (make build DEVICE=jetson)".format(image))
    # docker prints `<no value>` for a missing label
    words = proc.stdout.replace("<no value>", "-").split() + ["-", "-"]
    return tuple("" if word == "-" else word for word in words[:2])


def check_image(image, release, stack, image_stack, image_release):
    """None when the image's stack is this host's; else the one-line refusal."""
    if image_stack == stack.name:
        return None
    return (
        "the image {} was built for L4T {} ({}); this Jetson runs L4T {} ({}), which needs the {} image on {}: "
        "rebuild it here with `make build DEVICE=jetson`".format(
            image,
            image_release or "?",
            image_stack,
            release_name(release),
            jetpack_name(release, stack),
            stack.name,
            stack.base,
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release-file", default=DEFAULT_RELEASE_FILE, help="default: " + DEFAULT_RELEASE_FILE)
    parser.add_argument("--field", action="append", choices=FIELDS, help="print these fields, one per line")
    parser.add_argument("--shell", action="store_true", help="every field as a shell assignment, for eval")
    parser.add_argument("--check-image", metavar="IMAGE", help="refuse an image built for another release group")
    args = parser.parse_args(argv)
    try:
        built_for = image_labels(args.check_image) if args.check_image else None
        # An image without the label (built before it existed) or on a base of the user's own for an unknown
        # release (`custom`): nothing says which release it is for, so it is let through.
        if built_for is not None and built_for[0] in ("", "custom"):
            return 0
        release = read_release(args.release_file)
        stack = stack_for(release, args.release_file)
    except Refusal as refusal:
        print("error: " + str(refusal), file=sys.stderr)
        return 2
    if built_for is not None:
        refusal = check_image(args.check_image, release, stack, *built_for)
        if refusal:
            print("error: " + refusal, file=sys.stderr)
            return 3
        return 0
    values = fields(release, stack)
    if args.shell:
        print(" ".join("{}={}".format(name, shlex.quote(values[name])) for name in FIELDS))
        return 0
    lines = [values[name] for name in args.field] if args.field else describe(release, stack, args.release_file)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
