"""Which Jetson power-monitor rails add up to the board's power, module by module, as NVIDIA documents them.

Both Jetson readers (the INA3221/INA238 sysfs files and tegrastats) see the same rail names and ask
board_total() which of them to add, so both report the same figure on the same board:
- a rail that measures a whole input (VIN of the Thor carrier board; VDD_IN or POM_5V_IN of a module)
  is the total by itself, and the module's other rails are parts of it;
- a module without such a rail (AGX Orin, AGX Xavier) is the sum of its documented supplies, leaving
  out the rails documented as parts of one of them;
- any other set of rails is their plain sum, and the scope says it may double-count.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputRail:
    name: str
    covers: str
    # rails NVIDIA documents as parts of this input on the modules that have it
    parts: frozenset


@dataclass(frozen=True)
class SupplyLayout:
    module: str
    # supplies that do not overlap: their sum is the module's draw
    supplies: tuple
    # (rail, the supply it is a part of)
    parts: tuple


@dataclass(frozen=True)
class BoardTotal:
    """The rails to add up for the board's power, and what that sum covers in words."""

    rails: tuple
    scope: str


# In preference order: the board input covers the module input.
INPUT_RAILS = (
    # Jetson AGX Thor developer kit: an INA238 on the carrier board's input, reported as VIN. NVIDIA's
    # answer in "Question about power monitor with additional load on Jetson Thor"
    # (forums.developer.nvidia.com/t/366461): the INA238 measures the total VIN power, Jetson plus
    # carrier board, while the module's INA3221 keeps its own rails; jetson-stats treats VIN as the
    # total instead of one more rail (rbonghi/jetson_stats pull request 900).
    InputRail("VIN", "whole board input, module and carrier board", frozenset()),
    # Module input of TX1, TX2, TX2 NX, Xavier NX, Orin NX and Orin Nano. Jetson Linux Developer Guide,
    # power monitor tables: Orin NX/Nano (r35/r36, "Jetson Orin Nano Series, Jetson Orin NX Series and
    # Jetson AGX Orin Series", Software-Based Power Consumption Modeling: VDD_IN is the total module
    # power, VDD_CPU_GPU_CV and VDD_SOC are parts of it); Xavier NX (L4T 32 guide, Power Management for
    # Jetson Xavier NX and AGX Xavier, and NVIDIA's forum answer "VDD_IN is the total power of module",
    # forums.developer.nvidia.com/t/200883); TX1/TX2 (L4T 28 guide, Power Management for TX1/TX2
    # Devices: VDD_IN is the main module power input, the GPU/CPU/SOC/DDR/WIFI rails are in the module).
    # Names as the L4T device trees and tegrastats print them (energymon/energymon jetson/JetsonPowerRails.md).
    InputRail(
        "VDD_IN",
        "Jetson module input",
        frozenset(
            {
                "VDD_CPU_GPU_CV",
                "VDD_SOC",  # Xavier NX, Orin NX, Orin Nano
                "VDD_CPU_GPU",  # TX2 NX
                "VDD_SYS_GPU",
                "VDD_SYS_SOC",
                "VDD_4V0_WIFI",
                "VDD_SYS_CPU",
                "VDD_SYS_DDR",  # TX2 (sysfs)
                "VDD_CPU",
                "VDD_GPU",
                "VDD_WIFI",
                "VDD_DDR",  # TX1, and TX2 in L4T 28 tegrastats
            }
        ),
    ),
    # Jetson Nano: "POM_5V_IN measures the overall 5V input to the board, it represents the total power
    # consumption. You don't need to add POM_5V_GPU and POM_5V_CPU to it" (NVIDIA, forum thread
    # "Power consumption monitoring", forums.developer.nvidia.com/t/73608/8; L4T 32.1 guide, Power
    # Management for Jetson Nano Devices, Software-Based Power Consumption Modeling).
    InputRail("POM_5V_IN", "Jetson module input", frozenset({"POM_5V_GPU", "POM_5V_CPU"})),
)

# The TX1 and TX2 developer kits' carrier boards carry their own INA3221s (I2C 0x42, 0x43). VDD_MUX is
# the carrier board's input, in parallel with the module's VDD_IN, not inside it (L4T 28 guide, Power
# Management for TX1/TX2 Devices: "main carrier board power input" and its supplies; energymon
# jetson/JetsonPowerRails.md, citing forums.developer.nvidia.com/t/201037). The module figure leaves
# them out, as tegrastats, which prints only the module's rails, does.
CARRIER_BOARD_RAILS = frozenset(
    {
        "VDD_MUX",
        "VDD_5V_IO_SYS",
        "VDD_5V0_IO_SYS",
        "VDD_3V3_SYS",
        "VDD_3V3_IO",
        "VDD_3V3_IO_SLP",
        "VDD_1V8_IO",
        "VDD_M2_IN",
        "VDD_3V3_SYS_M2",
    }
)

SUPPLY_LAYOUTS = (
    # Jetson AGX Orin: no VDD_IN. Jetson Linux Developer Guide (r35/r36, "Jetson Orin Nano Series, Jetson
    # Orin NX Series and Jetson AGX Orin Series", Software-Based Power Consumption Modeling, power monitor
    # table for the AGX Orin series): VDD_GPU_SOC, VDD_CPU_CV and VIN_SYS_5V0 on the INA3221 at 0x40,
    # NC / VDDQ_VDD2_1V8AO / NC at 0x41, and "VDDQ_VDD2_1V8AO power is also included in VIN_SYS_5V0 power".
    SupplyLayout(
        "Jetson AGX Orin", ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"), (("VDDQ_VDD2_1V8AO", "VIN_SYS_5V0"),)
    ),
    # Jetson AGX Xavier: no input rail. Jetson AGX Xavier Series Product Design Guide (DG-09840-001 v2.5,
    # section 5.6.2 Power Monitor, figure 5-14): the GPU, CPU, SOC, CV and DDRQ supplies are each taken
    # from SYS_VIN_HV through their own sense resistor and SYS5V is the SYS_VIN_MV input, so none
    # contains another. Labels GPU, CPU, SOC (0x40) and CV, VDDRQ, SYS5V (0x41) as in the L4T device
    # tree and tegrastats.
    SupplyLayout("Jetson AGX Xavier", ("GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V"), ()),
)


def is_rail(label: str) -> bool:
    """False for channels that measure no rail: "NC" (no connection, in NVIDIA's tables) and the
    INA3221's "sum of shunt voltages" channel (kernel hwmon ina3221 ABI, in7_label)."""
    return label.split()[:1] != ["NC"] and "sum of shunt" not in label.lower()


def board_total(names) -> BoardTotal:
    """Which of the rails present (names, "NC" already left out) to add, and the scope of the sum."""
    present = list(dict.fromkeys(names))
    for rail in INPUT_RAILS:
        if rail.name in present:
            return BoardTotal((rail.name,), _input_scope(rail, [n for n in present if n != rail.name]))
    for layout in SUPPLY_LAYOUTS:
        if all(supply in present for supply in layout.supplies):
            return BoardTotal(layout.supplies, _layout_scope(layout, present))
    return BoardTotal(
        tuple(present),
        f"sum of the listed rails {', '.join(present)}: no documented Jetson "
        "layout matches them, so a rail inside another may double-count",
    )


def _input_scope(rail, others) -> str:
    notes = [f"{rail.covers} ({rail.name} rail)"]
    outside = [n for n in others if n in CARRIER_BOARD_RAILS]
    unlisted = [n for n in others if n not in CARRIER_BOARD_RAILS and rail.parts and n not in rail.parts]
    inside = [n for n in others if n not in outside and n not in unlisted]
    if inside:
        notes.append(f"{', '.join(inside)} inside it, not added again")
    if outside:
        notes.append(f"carrier-board rails {', '.join(outside)} are outside the module, not included")
    if unlisted:
        notes.append(f"{', '.join(unlisted)} not in NVIDIA's layout for this module, not included")
    return "; ".join(notes)


def _layout_scope(layout, present) -> str:
    notes = [f"{layout.module} module: {' + '.join(layout.supplies)} (it has no input rail)"]
    notes += [f"{part} is inside {container}, not added again" for part, container in layout.parts if part in present]
    known = set(layout.supplies) | {part for part, _ in layout.parts}
    unlisted = [n for n in present if n not in known]
    if unlisted:
        notes.append(f"{', '.join(unlisted)} not in NVIDIA's layout for this module, not included")
    return "; ".join(notes)
