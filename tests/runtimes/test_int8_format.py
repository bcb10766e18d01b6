"""The CPU's int8 instructions read from /proc/cpuinfo, and the static int8 format chosen from them (real
excerpts in cpuinfo_excerpts.py, each with where it comes from)."""

from __future__ import annotations

import pytest

from bench_job.host.device import cpu_int8_instructions
from bench_job.runtimes.int8_format import choose_int8_format
from tests.runtimes import cpuinfo_excerpts as cpu


def test_instructions_of_each_cpu():
    assert cpu_int8_instructions(cpu.EPYC_AVX512_VNNI) == ["sse4_1", "avx2", "avx512bw", "avx512_vnni", "avx_vnni"]
    assert cpu_int8_instructions(cpu.XEON_CASCADE_LAKE) == ["sse4_1", "avx2", "avx512bw", "avx512_vnni"]
    assert cpu_int8_instructions(cpu.XEON_CASCADE_LAKE_NO_VNNI) == ["sse4_1", "avx2", "avx512bw"]
    assert cpu_int8_instructions(cpu.PI4) == ["asimd"]
    assert cpu_int8_instructions(cpu.PI5) == ["asimd", "asimddp"]
    assert cpu_int8_instructions(cpu.PI4_32BIT) == ["neon"]


def test_no_cpuinfo_means_no_instructions_known():
    assert cpu_int8_instructions(None) == [] and cpu_int8_instructions("processor\t: 0\n") == []


def test_only_the_first_flags_line_is_read():
    two = cpu.PI5 + "\n" + cpu.PI4
    assert cpu_int8_instructions(two) == ["asimd", "asimddp"]


def _format(excerpt, machine):
    fmt = choose_int8_format(cpu_int8_instructions(excerpt), machine)
    return fmt.name, fmt.reduce_range, fmt.per_channel, fmt.int8_expected_to_pay


@pytest.mark.parametrize(
    "excerpt, machine, expected",
    [
        # x86 VNNI: VPDPBUSD is unsigned x signed into 32 bits: U8S8, no saturation, no reduce_range
        (cpu.EPYC_AVX512_VNNI, "x86_64", ("U8S8 QDQ", False, True, True)),
        (cpu.XEON_CASCADE_LAKE, "x86_64", ("U8S8 QDQ", False, True, True)),
        # AVX2 / AVX-512 without VNNI: VPMADDUBSW's 16-bit sums saturate: U8S8 with 7-bit weights
        (cpu.XEON_CASCADE_LAKE_NO_VNNI, "x86_64", ("U8S8 QDQ", True, True, False)),
        # ARM: S8S8 QDQ, ONNX Runtime's default; int8 pays with the dot product (Pi 5), not without (Pi 4)
        (cpu.PI5, "aarch64", ("S8S8 QDQ", False, True, True)),
        (cpu.PI4, "aarch64", ("S8S8 QDQ", False, True, False)),
        (cpu.PI4_32BIT, "armv7l", ("S8S8 QDQ", False, True, False)),
    ],
)
def test_format_per_cpu(excerpt, machine, expected):
    assert _format(excerpt, machine) == expected


def test_the_reason_names_the_instructions_it_rests_on():
    assert "avx512_vnni" in choose_int8_format(cpu_int8_instructions(cpu.XEON_CASCADE_LAKE), "x86_64").reason
    assert "without VNNI" in choose_int8_format(cpu_int8_instructions(cpu.XEON_CASCADE_LAKE_NO_VNNI), "x86_64").reason
    assert "asimddp" in choose_int8_format(cpu_int8_instructions(cpu.PI5), "aarch64").reason
    pi4 = choose_int8_format(cpu_int8_instructions(cpu.PI4), "aarch64").reason
    assert "without the dot product" in pi4 and "not expected to beat fp32" in pi4


def test_rarer_instructions_and_unknown_cpus():
    # AVX-VNNI-INT8 multiplies signed by signed bytes (ONNX Runtime has an S8S8 kernel for it); AMX is U8S8
    assert choose_int8_format(["avx2", "avx_vnni", "avx_vnni_int8"], "x86_64").name == "S8S8 QDQ"
    amx = choose_int8_format(["avx2", "avx512bw", "amx_int8"], "x86_64")
    assert (amx.name, amx.reduce_range) == ("U8S8 QDQ", False) and "amx_int8" in amx.reason
    assert choose_int8_format(["asimd", "asimddp", "i8mm"], "aarch64").name == "S8S8 QDQ"
    # no /proc/cpuinfo: x86 takes the format that is safe on every x86 path; others ONNX Runtime's default
    unknown_x86 = choose_int8_format([], "AMD64")
    assert (unknown_x86.name, unknown_x86.reduce_range) == ("U8S8 QDQ", True)
    assert choose_int8_format([], "arm64").name == "S8S8 QDQ"
    assert choose_int8_format([], "riscv64").name == "S8S8 QDQ"


def test_the_description_for_the_quantization_column():
    fmt = choose_int8_format(["avx2"], "x86_64")
    assert fmt.describe() == "uint8 activations, int8 weights per channel in 7 bits (reduce_range)"
