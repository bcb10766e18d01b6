"""Which static int8 format ONNX Runtime runs fastest on a CPU, chosen from the CPU's int8 instructions.

ONNX Runtime's CPU kernels (MLAS) multiply int8 tensors with whatever the CPU offers, and which signedness of
activations (A) and weights (W) they take natively differs by instruction set:

- x86 multiplies unsigned by signed bytes: VPMADDUBSW (AVX2, AVX-512 without VNNI; products summed into 16 bits,
  which can saturate), VPDPBUSD (AVX512-VNNI and AVX-VNNI; 32-bit sums, no saturation) and AMX's tile product
  (MLAS dispatches its U8S8 kernel there). U8S8 (uint8 activations, int8 weights) is the fast path; signed
  activations run a slower one, except with AVX-VNNI-INT8 (VPDPBSSD, signed x signed), where MLAS has an S8S8
  kernel. Measured on the project's AMD EPYC VM (its /proc/cpuinfo lists avx2, avx512_vnni, avx_vnni; ORT 1.27,
  2 threads, batch 1, 224 px): the issue's check, S8S8 QDQ 1.25x (ResNet18) and 1.28x (MobileNetV2) the fp32
  latency, U8S8 QDQ 0.98x and 1.05x; benchmarks/int8_formats.py on a busy machine (medians of 9 paired rounds),
  S8S8 QDQ 1.03x and 0.94x, U8S8 QDQ 0.34x and 0.82x, U8S8 QOperator 0.33x and 0.70x, S8S8 QOperator 5.2x and
  5.9x.
- ARM64 takes both signednesses in one kernel family; SDOT (dot product, `asimddp`) and SMMLA (`i8mm`) make
  int8 pay; without them (a Raspberry Pi 4's Cortex-A72) the NEON kernel widens bytes to 16-bit products.

ONNX Runtime's quantization documentation (https://onnxruntime.ai/docs/performance/model-optimizations/
quantization.html, "Data type selection" and the FAQ) says: "S8S8 with QDQ is the default setting and balances
performance and accuracy"; "On x86-64 machines with AVX2 and AVX512 extensions, ONNX Runtime uses the
VPMADDUBSW instruction for U8S8 for performance. This instruction might suffer from saturation issues ... you
can either try reduce_range or the U8U8 format"; "There is no such issue on other CPU architectures (x64 with
VNNI and ARM)"; "Reduce-range will quantize the weights to 7 bits. It is designed for the U8S8 format on AVX2 and
AVX512 (non-VNNI) machines ... This is not needed on machines supporting VNNI"; "On AVX2 and AVX512 machines,
you will generally need to enable reduce-range as well if per-channel is enabled"; "S8S8 with QOperator will be
slow on x86-64 CPUs"; "x86-64 with VNNI ... and ARM with dot-product instructions can get better performance in
general". The dispatch by instruction set is MLAS's platform.cpp (onnxruntime/core/mlas/lib/platform.cpp).

The format is always QDQ here: QOperator measured the same as QDQ for U8S8 on x86 within the noise (the issue's
check: 0.97x against 0.98x the fp32 latency on ResNet18; the benchmark above: 0.33x against 0.34x, 0.70x against
0.82x with a noise band of +-0.6 on a loaded machine), is the slow one for S8S8 on x86, and QDQ is what the
documentation recommends.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

_X86 = ("x86_64", "amd64", "i386", "i686", "x86")
_VNNI = ("avx512_vnni", "avx_vnni")


@dataclass(frozen=True)
class Int8Format:
    activation_type: str  # "int8" or "uint8"
    weight_type: str  # "int8" or "uint8"
    quant_format: str  # "QDQ" or "QOperator"
    reduce_range: bool  # weights quantized to 7 bits
    per_channel: bool
    reason: str  # why this format on this CPU, from its int8 instructions
    int8_expected_to_pay: bool  # False where the CPU has no fast int8 dot product (int8 may not beat fp32)

    @property
    def name(self) -> str:
        """e.g. "U8S8 QDQ"."""
        letter = {"int8": "S8", "uint8": "U8"}
        return f"{letter[self.activation_type]}{letter[self.weight_type]} {self.quant_format}"

    def describe(self) -> str:
        """The format for the row's quantization column."""
        weights = f"{self.weight_type} weights{' per channel' if self.per_channel else ''}"
        if self.reduce_range:
            weights += " in 7 bits (reduce_range)"
        return f"{self.activation_type} activations, {weights}"


def is_x86(machine: str) -> bool:
    return machine.lower() in _X86


def choose_int8_format(instructions, machine: str) -> Int8Format:
    """The static int8 format for a CPU with these int8 instructions (bench_job.host.device.cpu_int8_instructions) and
    this platform.machine(). Per channel always (the job's weights-per-channel as before)."""
    have = set(instructions or ())
    listed = ", ".join(instructions) if instructions else "no int8 instructions known (no /proc/cpuinfo flags)"
    if is_x86(machine):
        if "avx_vnni_int8" in have:
            return Int8Format(
                "int8",
                "int8",
                "QDQ",
                False,
                True,
                f"x86 with AVX-VNNI-INT8 ({listed}): VPDPBSSD multiplies signed bytes, ONNX Runtime "
                "has an S8S8 kernel for it; S8S8 QDQ is its documented default",
                True,
            )
        vnni = [name for name in ("amx_int8",) + _VNNI if name in have]
        if vnni:
            return Int8Format(
                "uint8",
                "int8",
                "QDQ",
                False,
                True,
                f"x86 with {' and '.join(vnni)} ({listed}): VPDPBUSD/AMX multiply unsigned by signed "
                "bytes into 32-bit sums, so U8S8 is ONNX Runtime's fast x86 kernel (S8S8 takes a "
                "slower path) and nothing saturates (no reduce_range)",
                True,
            )
        if not instructions:
            return Int8Format(
                "uint8",
                "int8",
                "QDQ",
                True,
                True,
                f"x86, {listed}: U8S8 with 7-bit weights (reduce_range), fast and free of "
                "saturation on every x86 int8 path of ONNX Runtime",
                False,
            )
        if "avx2" in have or "avx512bw" in have:
            simd = "AVX2" + ("/AVX-512" if "avx512bw" in have else "")
            return Int8Format(
                "uint8",
                "int8",
                "QDQ",
                True,
                True,
                f"x86 {simd} without VNNI ({listed}): VPMADDUBSW multiplies unsigned by signed bytes "
                "into 16-bit sums that can saturate, so U8S8 with 7-bit weights (reduce_range), as "
                "ONNX Runtime's documentation advises",
                False,
            )
        return Int8Format(
            "uint8",
            "int8",
            "QDQ",
            True,
            True,
            f"x86 without AVX2 ({listed}): U8S8 with reduce_range, ONNX Runtime's x86 path; no fast "
            "int8 product on this CPU",
            False,
        )
    arm = machine.lower().startswith(("aarch64", "arm"))
    if arm and ("i8mm" in have or "asimddp" in have):
        found = " and ".join(n for n in ("asimddp", "i8mm") if n in have)
        return Int8Format(
            "int8",
            "int8",
            "QDQ",
            False,
            True,
            f"ARM with {found} ({listed}): SDOT/SMMLA multiply signed bytes into 32-bit sums; S8S8 "
            "QDQ is ONNX Runtime's documented default on ARM64",
            True,
        )
    if arm and instructions:
        return Int8Format(
            "int8",
            "int8",
            "QDQ",
            False,
            True,
            f"ARM without the dot product (asimddp) or i8mm ({listed}): ONNX Runtime's NEON kernel "
            "widens bytes to 16-bit products, so int8 is not expected to beat fp32; S8S8 QDQ, the "
            "documented default",
            False,
        )
    return Int8Format(
        "int8",
        "int8",
        "QDQ",
        False,
        True,
        f"{machine or 'unknown'} CPU ({listed}): ONNX Runtime's documented default, S8S8 QDQ",
        True,
    )


def this_cpu_format() -> tuple[Int8Format, list]:
    """(the format for the CPU this process runs on, its int8 instructions)."""
    from bench_job.host.device import _read, cpu_int8_instructions

    instructions = cpu_int8_instructions(_read("/proc/cpuinfo"))
    return choose_int8_format(instructions, platform.machine()), instructions
