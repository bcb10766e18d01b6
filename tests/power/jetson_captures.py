"""Real tegrastats lines from Jetson boards, each with where it was published, and the board total
NVIDIA's rail layout gives for it (bench_job/power/jetson_rails.py cites the layouts).

Each entry: (board, line, expected rails added, expected watts).
"""

# DataDog/datadog-agent, pkg/collector/corechecks/nvidia/jetson/jetson_test.go (the agent's Jetson
# check tests, one captured line per board)
from __future__ import annotations

DATADOG = "DataDog/datadog-agent pkg/collector/corechecks/nvidia/jetson/jetson_test.go"

NANO = (  # DATADOG nanoSample: Jetson Nano, JetPack 4
    "RAM 534/3964MB (lfb 98x4MB) SWAP 5/1982MB (cached 1MB) IRAM 0/252kB(lfb 252kB) CPU [16%@204,9%@204,0%@204,"
    "0%@204] EMC_FREQ 0%@204 GR3D_FREQ 0%@76 APE 25 PLL@34C CPU@36.5C PMIC@100C GPU@36C AO@39.5C thermal@36.25C "
    "POM_5V_IN 1022/1022 POM_5V_GPU 0/0 POM_5V_CPU 204/204"
)
TX1 = (  # DATADOG tx1Sample: Jetson TX1
    "RAM 1179/3983MB (lfb 120x4MB) IRAM 0/252kB(lfb 252kB) CPU [1%@102,4%@102,0%@102,0%@102] EMC_FREQ 7%@408 "
    "GR3D_FREQ 0%@76 APE 25 AO@42.5C CPU@37.5C GPU@39C PLL@37C Tdiode@42.75C PMIC@100C Tboard@42C thermal@38.5C "
    "VDD_IN 2532/2698 VDD_CPU 76/178 VDD_GPU 19/19"
)
TX2_L4T32 = (  # DATADOG tx2Sample: Jetson TX2, JetPack 4, the sysfs rail names
    "RAM 2344/7852MB (lfb 1154x4MB) SWAP 0/3926MB (cached 0MB) CPU [1%@345,off,off,1%@345,0%@345,2%@345] "
    "EMC_FREQ 4%@1600 GR3D_FREQ 0%@624 APE 150 PLL@37.5C MCPU@37.5C PMIC@100C Tboard@32C GPU@35C BCPU@37.5C "
    "thermal@36.5C Tdiode@34.25C VDD_SYS_GPU 152/152 VDD_SYS_SOC 687/687 VDD_4V0_WIFI 0/0 VDD_IN 3056/3056 "
    "VDD_SYS_CPU 152/152 VDD_SYS_DDR 883/883"
)
TX2_L4T28 = (  # the 2020 version of the same DataDog file, tx2Sample: the short names of the L4T 28 tegrastats
    "RAM 1345/7829MB (lfb 1290x4MB) SWAP 0/512MB (cached 0MB) CPU [2%@345,off,off,off,off,off] EMC_FREQ 13%@40 "
    "GR3D_FREQ 0%@114 APE 150 BCPU@35C MCPU@35C GPU@41C PLL@35C AO@35.5C Tboard@35C Tdiode@36C PMIC@100C "
    "thermal@35.5C VDD_IN 2003/2658 VDD_CPU 320/518 VDD_GPU 400/735 VDD_SOC 400/415 VDD_WIFI 0/0 VDD_DDR 240/348"
)
AGX_XAVIER = (  # DATADOG agXSample: Jetson AGX Xavier, JetPack 4
    "RAM 721/31927MB (lfb 7291x4MB) SWAP 0/15963MB (cached 0MB) CPU [2%@1190,0%@1190,0%@1190,0%@1190,off,off,off,"
    "off] EMC_FREQ 0%@665 GR3D_FREQ 0%@318 APE 150 MTS fg 0% bg 0% AO@37.5C GPU@37.5C Tdiode@40C PMIC@100C "
    "AUX@36C CPU@37.5C thermal@36.9C Tboard@37C GPU 0/0 CPU 311/311 SOC 932/932 CV 0/0 VDDRQ 621/621 SYS5V 1482/1482"
)
XAVIER_NX = (  # DATADOG xavierNxSample: Jetson Xavier NX, JetPack 4
    "RAM 4412/7772MB (lfb 237x4MB) SWAP 139/3886MB (cached 2MB) CPU [9%@1190,6%@1190,6%@1190,5%@1190,4%@1190,"
    "8%@1267] EMC_FREQ 10%@1600 GR3D_FREQ 62%@306 APE 150 MTS fg 0% bg 0% AO@41.5C GPU@43C PMIC@100C AUX@41.5C "
    "CPU@43.5C thermal@42.55C VDD_IN 4067/4067 VDD_CPU_GPU_CV 738/738 VDD_SOC 1353/1353"
)
ORIN_NX = (  # DATADOG voltageUnitSample: an Orin NX (8 cores, 4 off; CV0..2 zones), JetPack 5, mW units
    "RAM 6334/15388MB (lfb 1770x4MB) SWAP 491/7694MB (cached 0MB) CPU [6%@729,9%@729,5%@729,16%@729,off,off,off,"
    "off] EMC_FREQ 0%@2133 GR3D_FREQ 0%@611 VIC_FREQ 729 APE 174 CV0@45.812C CPU@47.937C SOC2@46.093C "
    "SOC0@46.968C CV1@46.406C GPU@45.875C tj@48.875C SOC1@48.875C CV2@45.75C VDD_IN 5299mW/5299mW "
    "VDD_CPU_GPU_CV 773mW/773mW VDD_SOC 1424mW/1424mW"
)
# catid/blog2022, content/posts/orin_opt.md ("AI on Jetson Orin", catid.io, 2023-04-24): `sudo tegrastats`
# on a Jetson AGX Orin 64GB with JetPack 5.1, which lists the 0x41 monitor's NC channels and VDDQ.
AGX_ORIN_JP5 = (
    "04-24-2023 00:01:24 RAM 1282/62795MB (lfb 15152x4MB) SWAP 0/31398MB (cached 0MB) CPU [0%@729,0%@729,0%@729,"
    "0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729] EMC_FREQ 0%@2133 GR3D_FREQ 0%@0 "
    "GR3D2_FREQ 0%@0 VIC_FREQ 729 APE 174 CV0@-256C CPU@42.593C Tboard@32C SOC2@39.343C Tdiode@33.25C "
    "SOC0@39.375C CV1@-256C GPU@-256C tj@42.593C SOC1@40.468C CV2@-256C VDD_GPU_SOC 2399mW/2399mW "
    "VDD_CPU_CV 400mW/400mW VIN_SYS_5V0 4032mW/4032mW NC 0mW/0mW VDDQ_VDD2_1V8AO 301mW/301mW NC 0mW/0mW"
)
AGX_ORIN_JP6 = (  # DATADOG r36Sample: Jetson AGX Orin, JetPack 6 (L4T 36), no VDDQ field, runs of spaces
    "RAM 29114/30697MB (lfb 3x4MB)    SWAP 4915/15348MB (cached 1MB) CPU [3%@729,4%@729,0%@729,1%@729,0%@2201,"
    "100%@2201,1%@2201,0%@2201,100%@2201,0%@2201,0%@2201,0%@2201] EMC_FREQ 1%@2133 GR3D_FREQ 0%@[305,305] NVENC      "
    "off  NVDEC    off NVJPG off NVJPG1    off         VIC        off          OFA           off          NVDLA0    off"
    "       NVDLA1     off          PVA0_FREQ off         APE           174        cpu@53.062C soc2@48.25C "
    "soc0@48.843C  gpu@47.812C tj@53.062C soc1@48.968C    VDD_GPU_SOC 3205mW/3205mW VDD_CPU_CV 4405mW/4405mW "
    "VIN_SYS_5V0 4767mW/4767mW"
)
# rbonghi/jetson_stats, jtop/tests/test_06_tegra_parse.py, TEGRASTATS_ORIN_JP7: "Real tegrastats line from a
# Jetson AGX Orin Developer Kit running JetPack 7.2 (L4T R39.2)", three values per rail.
AGX_ORIN_JP7 = (
    "07-25-2026 09:08:28 RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201,10%@2201,4%@2201,14%@2201,30%@2201,18%@2201,"
    "10%@2201,10%@2201,33%@2201,7%@2201,5%@2201,27%@2201] EMC_FREQ 3%@3199 GR3D_FREQ 12%@[1300,1300] NVENC0 off "
    "NVDEC0 off NVJPG0 off NVJPG1 off VIC off OFA off NVDLA0 off NVDLA1 off PVA0_FREQ off APE 174 "
    "cpu@52.968C/52.968C soc2@48.406C/48.406C soc0@49.531C/49.531C gpu@47.625C/47.625C "
    "VDD_GPU_SOC 5139mW/5139mW/5139mW VDD_CPU_CV 3268mW/3268mW/3268mW VIN_SYS_5V0 5500mW/5500mW/5500mW"
)
# lesomnus/tegra-exporter, stats/parse_test.go: Jetson AGX Thor, L4T R38.4 (two values per rail) and
# R39.2 (three values per rail). The module's INA3221 rails only; NVIDIA documents no containment among
# them that could be found, so their sum carries the may-double-count scope.
THOR_R38 = (
    "05-17-2026 10:00:32 RAM 4208/125773MB (lfb 31x4MB) SWAP 0/2048MB (cached 0MB) CPU [1%@972,0%@972,0%@972,"
    "0%@972,1%@972,0%@972,1%@972,1%@972,0%@972,0%@972,3%@972,0%@972,0%@972,1%@972] EMC_FREQ 0%@665 "
    "GR3D_FREQ @[0,0,0] NVENC0_FREQ @0 NVENC1_FREQ @0 NVDEC0_FREQ @0 NVDEC1_FREQ @0 NVJPG0_FREQ @0 VIC off "
    "OFA_FREQ @0 PVA0_FREQ off APE 300 cpu@34.468C tj@34.5C soc012@33.781C soc345@34.5C VDD_GPU 0mW/0mW "
    "VDD_CPU_SOC_MSS 4165mW/4165mW VIN_SYS_5V0 4126mW/4126mW"
)
THOR_R39 = (
    "07-23-2026 15:29:26 RAM 9101/125811MB (lfb 19x4MB) SWAP 0/2048MB (cached 0MB) CPU [39%@2160,20%@2160,"
    "16%@1944,15%@1944,17%@972,15%@972,19%@2214,22%@2214,13%@2430,20%@2430,26%@972,19%@972,15%@1836,22%@1836] "
    "EMC_FREQ 7%@3200 GR3D_FREQ @[314,314,314] NVENC0_FREQ @1556 NVENC1_FREQ @1556 NVDEC0_FREQ @1556 "
    "NVDEC1_FREQ @1556 NVJPG0_FREQ @1556 VIC 59%@423 OFA_FREQ @1556 PVA0_FREQ off APE 300 cpu@34.843C/34.843C "
    "tj@35.906C/35.906C soc012@34.437C/34.437C gpu@35.906C/35.906C soc345@34.406C/34.406C "
    "VDD_GPU 4925mW/4925mW/4925mW VDD_CPU_SOC_MSS 8710mW/8710mW/8710mW VIN_SYS_5V0 6767mW/6767mW/6767mW"
)

# (board, line, rails added, watts)
CAPTURES = [
    ("nano", NANO, ("POM_5V_IN",), 1.022),
    ("tx1", TX1, ("VDD_IN",), 2.532),
    ("tx2-l4t32", TX2_L4T32, ("VDD_IN",), 3.056),
    ("tx2-l4t28", TX2_L4T28, ("VDD_IN",), 2.003),
    ("agx-xavier", AGX_XAVIER, ("GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V"), 0.311 + 0.932 + 0.621 + 1.482),
    ("xavier-nx", XAVIER_NX, ("VDD_IN",), 4.067),
    ("orin-nx", ORIN_NX, ("VDD_IN",), 5.299),
    ("agx-orin-jp5", AGX_ORIN_JP5, ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"), 2.399 + 0.400 + 4.032),
    ("agx-orin-jp6", AGX_ORIN_JP6, ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"), 3.205 + 4.405 + 4.767),
    ("agx-orin-jp7", AGX_ORIN_JP7, ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"), 5.139 + 3.268 + 5.500),
    ("thor-r38", THOR_R38, ("VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"), 0.0 + 4.165 + 4.126),
    ("thor-r39", THOR_R39, ("VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"), 4.925 + 8.710 + 6.767),
]
