"""Jetson power-monitor sysfs trees laid out as the kernel and NVIDIA's tables document them, one builder per board.

Each rail draws what the tegrastats capture of the same board in tests/power/jetson_captures.py shows
(to the mW where the monitor reports power, to within a mW where it reports mV and mA), so the sysfs
and tegrastats readers can be held to the same total. Layout sources:
- hwmon "ina3221" (JetPack 5/6): kernel Documentation/hwmon/ina3221.rst (inN_label, inN_input mV,
  currN_input mA, in7_label "sum of shunt voltages" paired with curr4) under
  /sys/bus/i2c/drivers/ina3221/<bus-addr>/hwmon/hwmonN.
- iio "ina3221x" (L4T 32 iio:deviceN, L4T 28 iio_device): rail_name_K and in_power{K}_input in mW, as
  NVIDIA's TX2 documentation quotes them ("Rail Name: ../<address>/iio_device/rail_name_<Channel>",
  "Power (mW): ../<address>/iio_device/in_power<Channel>_input").
- hwmon "ina238" (Thor carrier board): kernel Documentation/hwmon/ina238.rst (in1_input mV,
  curr1_input mA, power1_input uW); the driver folder as jetson-stats finds it (rbonghi/jetson_stats
  pull request 900). Bus numbers and addresses where no document gives them only name the folder;
  any name matches the reader's glob.

As a program it writes one board's tree, for trying the CLI by hand:
    python -m tests.power.jetson_boards agx-orin-jp5 /tmp/orin-sys
    python -m bench_job probe --sysfs-root /tmp/orin-sys
"""

from __future__ import annotations

import argparse
import os

from tests.power.helpers import write

INA3221 = "bus/i2c/drivers/ina3221"
INA3221X = "bus/i2c/drivers/ina3221x"
INA238 = "bus/i2c/drivers/ina238"


def hwmon_chip(root, device, hwmon, channels) -> str:
    """An INA3221 hwmon folder: channels are (label, mV, mA) for in1..in3."""
    folder = f"{INA3221}/{device}/hwmon/{hwmon}"
    write(root, f"{folder}/name", "ina3221")
    for number, (label, millivolts, milliamps) in enumerate(channels, start=1):
        write(root, f"{folder}/in{number}_label", label)
        write(root, f"{folder}/in{number}_input", millivolts)
        write(root, f"{folder}/curr{number}_input", milliamps)
    write(root, f"{folder}/in7_label", "sum of shunt voltages")
    write(root, f"{folder}/in7_input", 0)
    write(root, f"{folder}/curr4_input", 0)
    return os.path.join(str(root), folder)


def iio_chip(root, device, folder_name, rails) -> str:
    """An ina3221x iio folder: rails are (rail name, mW) for channels 0..2."""
    folder = f"{INA3221X}/{device}/{folder_name}"
    for number, (name, milliwatts) in enumerate(rails):
        write(root, f"{folder}/rail_name_{number}", name)
        write(root, f"{folder}/in_power{number}_input", milliwatts)
    return os.path.join(str(root), folder)


def agx_orin_jp5(root) -> float:
    """Jetson AGX Orin, JetPack 5/6: NVIDIA's AGX Orin power monitor table (0x40: VDD_GPU_SOC,
    VDD_CPU_CV, VIN_SYS_5V0; 0x41: NC, VDDQ_VDD2_1V8AO, NC) with the catid.io JetPack 5.1 capture's
    draws. Returns the documented total: the three 0x40 supplies, VDDQ being inside VIN_SYS_5V0."""
    hwmon_chip(
        root, "1-0040", "hwmon3", [("VDD_GPU_SOC", 19048, 126), ("VDD_CPU_CV", 19048, 21), ("VIN_SYS_5V0", 4940, 816)]
    )
    hwmon_chip(root, "1-0041", "hwmon4", [("NC", 0, 0), ("VDDQ_VDD2_1V8AO", 4940, 61), ("NC", 0, 0)])
    return 19.048 * 0.126 + 19.048 * 0.021 + 4.940 * 0.816


def orin_nx_jp5(root) -> float:
    """Jetson Orin NX / Orin Nano, JetPack 5/6: one INA3221 at 0x40 with VDD_IN (the module's total),
    VDD_CPU_GPU_CV and VDD_SOC (NVIDIA's Orin NX/Nano power monitor table), the DataDog Orin NX draws."""
    hwmon_chip(
        root, "1-0040", "hwmon1", [("VDD_IN", 5000, 1060), ("VDD_CPU_GPU_CV", 5000, 155), ("VDD_SOC", 5000, 285)]
    )
    return 5.0 * 1.060


def xavier_nx_jp4(root) -> float:
    """Jetson Xavier NX, JetPack 4: ina3221x on I2C bus 7 at 0x40, VDD_IN / VDD_CPU_GPU_CV / VDD_SOC
    (energymon jetson/JetsonPowerRails.md, from the L4T device tree), the DataDog Xavier NX draws."""
    iio_chip(root, "7-0040", "iio:device0", [("VDD_IN", 4067), ("VDD_CPU_GPU_CV", 738), ("VDD_SOC", 1353)])
    return 4.067


def nano_jp4(root) -> float:
    """Jetson Nano, JetPack 4: ina3221x on I2C bus 6 at 0x40, POM_5V_IN / POM_5V_GPU / POM_5V_CPU
    (energymon jetson/JetsonPowerRails.md), the DataDog Nano draws."""
    iio_chip(root, "6-0040", "iio:device0", [("POM_5V_IN", 1022), ("POM_5V_GPU", 0), ("POM_5V_CPU", 204)])
    return 1.022


def agx_xavier_jp4(root) -> float:
    """Jetson AGX Xavier, JetPack 4: ina3221x at 1-0040 (GPU, CPU, SOC) and 1-0041 (CV, VDDRQ, SYS5V)
    (energymon jetson/JetsonPowerRails.md), the DataDog AGX Xavier draws; no input rail, so the six add."""
    iio_chip(root, "1-0040", "iio:device0", [("GPU", 0), ("CPU", 311), ("SOC", 932)])
    iio_chip(root, "1-0041", "iio:device1", [("CV", 0), ("VDDRQ", 621), ("SYS5V", 1482)])
    return 0.311 + 0.932 + 0.621 + 1.482


def tx2_l4t28(root) -> float:
    """Jetson TX2, L4T 28 (JetPack 3): ina3221x at 0-0040 (VDD_SYS_GPU, VDD_SYS_SOC, VDD_4V0_WIFI) and
    0-0041 (VDD_IN, VDD_SYS_CPU, VDD_SYS_DDR) in folders named iio_device (NVIDIA's TX2 address and
    channel table, energymon jetson/JetsonPowerRails.md), the DataDog TX2 draws."""
    iio_chip(root, "0-0040", "iio_device", [("VDD_SYS_GPU", 152), ("VDD_SYS_SOC", 687), ("VDD_4V0_WIFI", 0)])
    iio_chip(root, "0-0041", "iio_device", [("VDD_IN", 3056), ("VDD_SYS_CPU", 152), ("VDD_SYS_DDR", 883)])
    return 3.056


def thor_devkit(root) -> float:
    """Jetson AGX Thor developer kit: the module's INA3221 (VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0, the
    names its tegrastats prints, with the R39.2 capture's draws) and the carrier board's INA238 on the
    system input, VIN. No published INA238 reading was found: its 23 W is only chosen above the module
    rails' 20.4 W, as the input that feeds them must be. Returns VIN, the documented total."""
    hwmon_chip(
        root,
        "2-0040",
        "hwmon2",
        [("VDD_GPU", 19700, 250), ("VDD_CPU_SOC_MSS", 19700, 442), ("VIN_SYS_5V0", 4990, 1356)],
    )
    folder = f"{INA238}/2-0044/hwmon/hwmon5"
    write(root, f"{folder}/name", "ina238")
    write(root, f"{folder}/in1_input", 19680)
    write(root, f"{folder}/curr1_input", 1170)
    write(root, f"{folder}/power1_input", 23_025_600)
    return 23.0256


BOARDS = {
    "agx-orin-jp5": agx_orin_jp5,
    "orin-nx-jp5": orin_nx_jp5,
    "xavier-nx-jp4": xavier_nx_jp4,
    "nano-jp4": nano_jp4,
    "agx-xavier-jp4": agx_xavier_jp4,
    "tx2-l4t28": tx2_l4t28,
    "thor-devkit": thor_devkit,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("board", choices=sorted(BOARDS))
    parser.add_argument("sysfs_root")
    args = parser.parse_args(argv)
    total = BOARDS[args.board](args.sysfs_root)
    print(f"{args.board} tree written under {args.sysfs_root}; documented board total {total:.3f} W")


if __name__ == "__main__":
    main()
