"""Real first lines of /etc/nv_tegra_release, each with where it was published (../shared/JETSON.md section 4
gathers them): the fast tests of the image decision and the stand-in Jetson images' release files use them."""

from __future__ import annotations

NANO_R32_7_1 = (  # Jetson Nano, JetPack 4.6.1: NVIDIA's and many public setup notes
    "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022"
)
NANO_R32_7_4 = (  # Jetson Nano, JetPack 4.6.4: dusty-nv/jetson-containers issue 456
    "# R32 (release), REVISION: 7.4, GCID: 33514132, BOARD: t210ref, EABI: aarch64, DATE: Fri Jun  9 04:25:08 UTC 2023"
)
XAVIER_R35_4_1 = (  # AGX Xavier / Xavier NX, JetPack 5.1.2: tier4/ota-client's test_parse_nv_tegra_release
    "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023"
)
XAVIER_R35_5_0 = (  # JetPack 5.1.3: the same tier4/ota-client test, and an Orin NX project's README
    "# R35 (release), REVISION: 5.0, GCID: 35550185, BOARD: t186ref, EABI: aarch64, DATE: Tue Feb 20 04:46:31 UTC 2024"
)
ORIN_R36_4_3 = (  # Orin, JetPack 6.2: as a Go project's Jetson-detection test quotes it (no DATE field there)
    "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64"
)
ORIN_NX_R36_3_0 = (  # Orin NX, JetPack 6.0: an AMOV Orin setup note's console session (`head -n 1`)
    "# R36 (release), REVISION: 3.0, GCID: 36191598, BOARD: generic, EABI: aarch64, DATE: Mon May  6 17:34:21 UTC 2024"
)
ORIN_R36_4_4 = (  # AGX Orin, JetPack 6.2.1: lesomnus/tegra-exporter's stats test (with its second line)
    "# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025"
    "\n# KERNEL_VARIANT: oot\n"
)
THOR_R38_2_0 = (  # AGX Thor, JetPack 7.0: rbonghi/jetson_stats issues 711 and 772 (the file has an INSTALL_TYPE line)
    "# R38 (release), REVISION: 2.0, GCID: 41844464, BOARD: generic, EABI: aarch64, DATE: Fri Aug 22 00:55:42 UTC 2025"
    "\nINSTALL_TYPE=\n"
)
ORIN_R39_2_0 = (  # AGX Orin, JetPack 7.2, its 12-hour date: rbonghi/jetson_stats issue 864
    "# R39 (release), REVISION: 2.0, GCID: 45755727, BOARD: generic, EABI: aarch64, "
    "DATE: Mon Jun  1 09:28:48 PM UTC 2026"
)
TX2_R28_2_1 = (  # TX2, JetPack 3.3 (Ubuntu 16.04, Python 3.5): a DJI Manifold 2 console session, and the comment
    # of jetson_stats' old jetson_variables script, copied into many install scripts
    "# R28 (release), REVISION: 2.1, GCID: 11272647, BOARD: t186ref, EABI: aarch64, DATE: Thu May 17 07:29:06 UTC 2018"
)
