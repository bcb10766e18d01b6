"""The header's line of the versions that change this device's numbers, from env.json's versions (and from
bundles written before it existed)."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.overview import versions_line
from tests.report.synthetic import CONFIG, ENV, measured

# An AGX Orin 64GB on JetPack 6.2.1 running a JetPack 6 image whose torch is a CUDA 12.6 build, on a host whose
# own CUDA is older (env.json as collect_env writes it).
ORIN_IN_A_CONTAINER = {
    "device_kind": "jetson",
    "hostname": "orin",
    "container": {"runtime": "docker"},
    "versions": {
        "l4t": {"version": "36.4.4", "source": "host"},
        "jetpack": {"version": "6.2.1", "source": "derived from L4T 36.4.4"},
        "cuda": {"version": "12.6", "source": "image", "host_version": "12.2.140"},
        "cudnn": {"version": "9.3.0", "source": "image", "host_version": "9.3.0.75"},
        "tensorrt": {"version": "10.3.0.30", "source": "host"},
        "onnxruntime": {"version": "1.23.0", "source": "image"},
        "torch": {"version": "2.8.0", "source": "image"},
    },
    "onnxruntime_providers": ["CUDAExecutionProvider", "CPUExecutionProvider"],
    "torch_build": "CUDA 12.6",
    "module": {"name": "Jetson AGX Orin 64GB", "memory_bytes": 64 * 1024**3, "compatible": [], "source": "host"},
}


def test_a_jetson_in_a_container_names_each_version_and_whose_it_is():
    assert versions_line(ORIN_IN_A_CONTAINER) == (
        "software: L4T R36.4.4 (host); JetPack 6.2.1 (derived from L4T 36.4.4); "
        "CUDA 12.6 (image) on a host with CUDA 12.2.140; cuDNN 9.3.0 (image); TensorRT 10.3.0.30 (host); "
        "ONNX Runtime 1.23.0 (image) with CUDAExecutionProvider, CPUExecutionProvider; "
        "torch 2.8.0 (image), a CUDA 12.6 build; module Jetson AGX Orin 64GB with 64.0 GiB of memory"
    )


def test_outside_a_container_no_source_is_named_but_a_derived_one():
    env = dict(ORIN_IN_A_CONTAINER, container=None)
    env["versions"] = dict(env["versions"], tensorrt={"version": None, "source": None})
    line = versions_line(env)
    assert "L4T R36.4.4; JetPack 6.2.1 (derived from L4T 36.4.4); CUDA 12.6 on a host with CUDA 12.2.140" in line
    assert "TensorRT none found" in line and "(image)" not in line


def test_a_laptop_names_the_torch_build_and_onnx_runtime_only():
    env = {
        "device_kind": "laptop",
        "versions": {
            "onnxruntime": {"version": "1.27.0", "source": "host"},
            "torch": {"version": "2.14.1", "source": "host"},
        },
        "onnxruntime_providers": ["CPUExecutionProvider"],
        "torch_build": "CPU",
    }
    assert versions_line(env) == ("software: ONNX Runtime 1.27.0 with CPUExecutionProvider; torch 2.14.1, a CPU build")


def test_an_old_bundle_says_what_it_recorded():
    old = {"device_kind": "jetson", "libraries": {"torch": "2.0.0"}, "torch_cuda_build": "11.4", "l4t_release": "# R35"}
    assert versions_line(old) == (
        "software: torch 2.0.0, a CUDA 11.4 build; L4T: # R35 (this bundle predates the record of the other versions)"
    )
    assert versions_line({}) == (
        "software: torch unknown, build unknown (this bundle predates the record of the other versions)"
    )


def test_the_line_is_in_the_reports_header(tmp_path):
    env = dict(ENV, **ORIN_IN_A_CONTAINER)
    write_run_report(to_frame([measured("tiny", 1, 64, 0.002)]), dict(CONFIG, models=["tiny"]), env, str(tmp_path))
    assert f"- {versions_line(ORIN_IN_A_CONTAINER)}" in (tmp_path / "report.md").read_text().splitlines()
