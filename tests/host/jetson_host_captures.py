"""Real-format host files of Jetson boards, each with its source (V: as published; I: the format is real,
the value inferred), for the tests of the host's files, versions and module.

nv_tegra_release lines: /work/shared/JETSON.md section 4, which cites where each was seen.
Device trees: the `model` and `compatible` properties, NUL-terminated strings as the kernel exposes them
under /proc/device-tree (/sys/firmware/devicetree/base):
- Nano (L4T R32.7.6, a developer kit): compatible as `cat /proc/device-tree/compatible` printed it in
  janesser/kirkstone-jetson-nano README.md (V); model as in torvalds/linux
  arch/arm64/boot/dts/nvidia/tegra210-p3450-0000.dts (V).
- Xavier NX (eMMC module p3668-0001 on the p3509-0000 carrier): torvalds/linux
  arch/arm64/boot/dts/nvidia/tegra194-p3509-0000+p3668-0001.dts @ ebd072ea (V).
- Orin Nano developer kit (p3767-0005 on p3768-0000): torvalds/linux
  arch/arm64/boot/dts/nvidia/tegra234-p3768-0000+p3767-0005.dts @ 3663e2c4 (V).
- AGX Orin 64GB developer kit: the three-string shape and model of torvalds/linux
  arch/arm64/boot/dts/nvidia/tegra234-p3737-0000+p3701-0000.dts @ 09614acd, with the 64GB module's
  "nvidia,p3737-0000+p3701-0005" that NVIDIA/jetson-gpio lib/python/Jetson/GPIO/gpio_pin_data.py @ 4a534e47
  lists among the AGX Orin boards (V strings, I combination).
dpkg status: the format of dpkg's /var/lib/dpkg/status (deb-control(5) stanzas: Package, Status, ..., Version,
Description with continuation lines). Versions: nvidia-l4t-core 36.4.4-20250616085344 (V, rbonghi/jetson_stats
PR 706); CUDA 12.6.68, cuDNN 9.3.0.75 and TensorRT 10.3.0.30 on R36.4.x (V, rbonghi/jetson_stats issue 603,
`jetson_release` on an Orin NX), their Debian revisions and "+cuda12.5" tag (I); nvidia-jetpack 6.2.1's build
tag (I). JetPack 4: nvidia-jetpack 4.5.1-b17 (V, jetsonhacks/jetsonUtilities issue 11, `apt show`),
cuda-cudart-10-2 10.2.300-1 (V, Qengineering/Jetson-Nano-Ubuntu-20-image issue 54, `dpkg -l`).
/proc/meminfo: proc(5)'s format; the AGX Orin 64GB total is I.
"""

from __future__ import annotations

NANO_JP461 = (
    "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022"
)
XAVIER_JP512 = (
    "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023"
)
ORIN_JP621 = (
    "# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025"
)
ORIN_JP621_FILE = ORIN_JP621 + "\n# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n"
THOR_JP70 = (
    "# R38 (release), REVISION: 2.0, GCID: 41844464, BOARD: generic, EABI: aarch64, DATE: Fri Aug 22 00:55:42 UTC 2025"
)
# 12-hour date (rbonghi/jetson_stats issue 864).
ORIN_JP72 = (
    "# R39 (release), REVISION: 2.0, GCID: 45755727, BOARD: generic, EABI: aarch64, "
    "DATE: Mon Jun  1 09:28:48 PM UTC 2026"
)

# (model, compatible) as the files hold them.
DEVICE_TREES = {
    "nano": (
        "NVIDIA Jetson Nano Developer Kit\x00",
        "nvidia,p3449-0000-b00+p3448-0000-b00\x00nvidia,jetson-nano\x00nvidia,tegra210\x00",
    ),
    "xavier-nx": (
        "NVIDIA Jetson Xavier NX Developer Kit (eMMC)\x00",
        "nvidia,p3509-0000+p3668-0001\x00nvidia,tegra194\x00",
    ),
    "orin-nano": (
        "NVIDIA Jetson Orin Nano Developer Kit\x00",
        "nvidia,p3768-0000+p3767-0005\x00nvidia,p3767-0005\x00nvidia,tegra234\x00",
    ),
    "agx-orin-64gb": (
        "NVIDIA Jetson AGX Orin Developer Kit\x00",
        "nvidia,p3737-0000+p3701-0005\x00nvidia,p3701-0005\x00nvidia,tegra234\x00",
    ),
}

DPKG_STATUS_JP621 = """\
Package: nvidia-l4t-core
Status: install ok installed
Priority: standard
Section: base
Installed-Size: 5770
Maintainer: NVIDIA Corporation
Architecture: arm64
Version: 36.4.4-20250616085344
Pre-Depends: libc6
Description: NVIDIA Core Package
 NVIDIA Core Package for Jetson.

Package: nvidia-jetpack
Status: install ok installed
Priority: standard
Section: metapackages
Installed-Size: 194
Maintainer: NVIDIA Corporation
Architecture: arm64
Version: 6.2.1+b38
Depends: nvidia-jetpack-runtime (= 6.2.1+b38), nvidia-jetpack-dev (= 6.2.1+b38)
Description: NVIDIA Jetpack Meta Package
Homepage: http://developer.nvidia.com/jetson

Package: cuda-cudart-12-6
Status: install ok installed
Priority: optional
Section: devel
Installed-Size: 1024
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Version: 12.6.68-1
Description: CUDA Runtime native Libraries
 CUDA Runtime native Libraries

Package: cuda-runtime-12-6
Status: install ok installed
Priority: optional
Section: multiverse/devel
Installed-Size: 8
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Version: 12.6.11-1
Depends: cuda-libraries-12-6 (>= 12.6.11)
Description: CUDA Runtime 12.6 meta-package

Package: libcudnn9-cuda-12
Status: install ok installed
Priority: optional
Section: multiverse/libs
Installed-Size: 1048576
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Source: cudnn
Version: 9.3.0.75-1
Description: cuDNN runtime libraries for CUDA 12.6
 cuDNN runtime libraries containing primary API components and operation
 (a continuation line that is not a field: Version: 0.0)

Package: libcudnn8
Status: deinstall ok config-files
Priority: optional
Section: multiverse/libs
Installed-Size: 1048576
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Version: 8.6.0.166-1+cuda11.4
Description: cuDNN runtime libraries (removed, its configuration kept)

Package: libnvinfer10
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 2000000
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Source: tensorrt
Version: 10.3.0.30-1+cuda12.5
Description: TensorRT runtime libraries

Package: tensorrt
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 8
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Version: 10.3.0.30-1+cuda12.5
Depends: libnvinfer10 (= 10.3.0.30-1+cuda12.5)
Description: Meta package for TensorRT
"""

DPKG_STATUS_JP451 = """\
Package: nvidia-jetpack
Status: install ok installed
Priority: standard
Section: metapackages
Installed-Size: 199
Maintainer: NVIDIA Corporation
Architecture: arm64
Version: 4.5.1-b17
Depends: nvidia-cuda (= 4.5.1-b17), nvidia-opencv (= 4.5.1-b17), nvidia-cudnn8 (= 4.5.1-b17)
Description: NVIDIA Jetpack Meta Package
Homepage: http://developer.nvidia.com/jetson

Package: cuda-cudart-10-2
Status: install ok installed
Priority: optional
Section: devel
Installed-Size: 512
Maintainer: cudatools <cudatools@nvidia.com>
Architecture: arm64
Version: 10.2.300-1
Description: CUDA Runtime native Libraries
"""

MEMINFO_AGX_ORIN_64GB = "MemTotal:       64335836 kB\nMemFree:        60123456 kB\nMemAvailable:   61234567 kB\n"
