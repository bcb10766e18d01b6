"""Fake Jetson, Nano, laptop and RK3588 sysfs and host trees in the real formats, shared by the device-state
tests. Sources of each value:

- AGX Orin's modes (0 MAXN, 1 MODE_15W, 2 MODE_30W, 3 MODE_50W) and each mode's caps (MODE_15W: cores 0-3
  online, CPU 729600-1113600 kHz, GPU MAX_FREQ 420750000, EMC MAX_FREQ 2133000000; MAXN: EMC MAX_FREQ 0, no cap):
  rbonghi/jetson_stats tests/nvpmodel @ f41d5cad, show_verbose_orin (nvpmodel's own verbose parse of the conf).
- AGX Orin's frequency tables (GPU 114750000 ... 1300500000 Hz in steps of 102 MHz, CPU up to 2201600 kHz): the
  tables public AGX Orin power-mode studies list; the MAXN EMC cap 3199000000 Hz in
  /sys/kernel/nvpmodel_clk_cap/emc: the R36 capture in /work/shared/JETSON.md §6.
- Orin R36's GPU devfreq 17000000.gpu, the Nano's 57000000.gpu: JETSON.md §6; the VIC's devfreq 15340000.vic:
  public jetson_clocks wrappers (/sys/devices/platform/13e40000.host1x/15340000.vic/devfreq/15340000.vic).
- Nano (t210): MAXN and 5W as its /etc/nvpmodel/nvpmodel_t210_jetson-nano.conf defines them (the same values as
  jetson_stats show_verbose_nano): CPU up to 1479000 kHz, GPU 76800000 ... 921600000 Hz; nvpmodel's EMC cap file
  /sys/kernel/nvpmodel_emc_cap/emc_iso_cap (the path in show_verbose_nano), 0 in MAXN.
- /var/lib/nvpmodel/status `pmode:0000 fmode:quiet` and the conf's `< POWER_MODEL ID=0 NAME=MAXN >` lines:
  JETSON.md §5.
- RK3588's Mali GPU devfreq fb000000.gpu: a GPU that is not a Jetson's (mainline rk3588.dtsi, gpu@fb000000).
"""

from __future__ import annotations

from tests.power.helpers import write

ORIN_CONF = """\
# nvpmodel.conf of the AGX Orin (POWER_MODEL sections as nvpmodel parses them, jetson_stats tests/nvpmodel)
< POWER_MODEL ID=0 NAME=MAXN >
CPU_ONLINE CORE_0 1
GPU MAX_FREQ -1
EMC MAX_FREQ 0

< POWER_MODEL ID=1 NAME=MODE_15W >
CPU_ONLINE CORE_4 0
CPU_A78_0 MAX_FREQ 1113600
GPU MAX_FREQ 420750000
EMC MAX_FREQ 2133000000

< POWER_MODEL ID=2 NAME=MODE_30W >
< POWER_MODEL ID=3 NAME=MODE_50W >

< PM_CONFIG DEFAULT=2 >
"""

NANO_CONF = """\
# MAXN is the NONE power model to release all constraints
< POWER_MODEL ID=0 NAME=MAXN >
CPU_ONLINE CORE_0 1
CPU_ONLINE CORE_1 1
CPU_ONLINE CORE_2 1
CPU_ONLINE CORE_3 1
CPU_A57 MIN_FREQ  0
CPU_A57 MAX_FREQ -1
GPU_POWER_CONTROL_ENABLE GPU_PWR_CNTL_EN on
GPU MIN_FREQ  0
GPU MAX_FREQ -1
GPU_POWER_CONTROL_DISABLE GPU_PWR_CNTL_DIS auto
EMC MAX_FREQ 0

< POWER_MODEL ID=1 NAME=5W >
CPU_ONLINE CORE_0 1
CPU_ONLINE CORE_1 1
CPU_ONLINE CORE_2 0
CPU_ONLINE CORE_3 0
CPU_A57 MIN_FREQ  0
CPU_A57 MAX_FREQ 918000
GPU_POWER_CONTROL_ENABLE GPU_PWR_CNTL_EN on
GPU MIN_FREQ 0
GPU MAX_FREQ 640000000
GPU_POWER_CONTROL_DISABLE GPU_PWR_CNTL_DIS auto
EMC MAX_FREQ 1600000000
"""

ORIN_GPU_HZ = [114750000 + 102000000 * step for step in range(12)] + [1300500000]
NANO_GPU_HZ = [76800000 * step for step in range(1, 13)]


def cpufreq(sys_root, cpus, min_khz, max_khz, cur_khz, governor="schedutil"):
    for cpu in cpus:
        folder = f"devices/system/cpu/cpu{cpu}/cpufreq"
        write(sys_root, f"{folder}/scaling_governor", governor)
        write(sys_root, f"{folder}/scaling_min_freq", min_khz)
        write(sys_root, f"{folder}/scaling_max_freq", max_khz)
        write(sys_root, f"{folder}/scaling_cur_freq", cur_khz)


def devfreq(sys_root, device, min_hz, max_hz, cur_hz, available):
    folder = f"class/devfreq/{device}"
    write(sys_root, f"{folder}/min_freq", min_hz)
    write(sys_root, f"{folder}/max_freq", max_hz)
    write(sys_root, f"{folder}/cur_freq", cur_hz)
    write(sys_root, f"{folder}/available_frequencies", " ".join(map(str, available)))


def nvpmodel_files(host_root, mode_id, conf=ORIN_CONF):
    write(host_root, "var/lib/nvpmodel/status", f"pmode:{mode_id:04d} fmode:quiet")
    write(host_root, "etc/nvpmodel.conf", conf)


def orin_maxn_jetson_clocks(root):
    """AGX Orin on R36 in MAXN with jetson_clocks run: every clock's minimum at its maximum."""
    sys_root = root / "sys"
    write(sys_root, "devices/system/cpu/online", "0-11")
    write(sys_root, "devices/system/cpu/present", "0-11")
    cpufreq(sys_root, range(12), 2201600, 2201600, 2201600)
    devfreq(sys_root, "17000000.gpu", 1300500000, 1300500000, 1300500000, ORIN_GPU_HZ)
    devfreq(sys_root, "15340000.vic", 115200000, 729600000, 115200000, [115200000, 729600000])
    write(sys_root, "kernel/nvpmodel_clk_cap/emc", 3199000000)
    nvpmodel_files(root / "host", 0)
    return str(sys_root), str(root / "host")


def orin_mode_15w(root):
    """The same board after `nvpmodel -m 1`: cores 4-11 offline, every cap lowered, jetson_clocks undone."""
    sys_root = root / "sys"
    write(sys_root, "devices/system/cpu/online", "0-3")
    write(sys_root, "devices/system/cpu/present", "0-11")
    cpufreq(sys_root, range(4), 729600, 1113600, 1113600)
    devfreq(sys_root, "17000000.gpu", 114750000, 420750000, 420750000, ORIN_GPU_HZ)
    write(sys_root, "kernel/nvpmodel_clk_cap/emc", 2133000000)
    nvpmodel_files(root / "host", 1)
    return str(sys_root), str(root / "host")


def nano_maxn(root):
    """A Jetson Nano (R32) in MAXN without jetson_clocks; its cpuN/online files instead of the online list."""
    sys_root = root / "sys"
    cpufreq(sys_root, range(4), 102000, 1479000, 1479000)
    for cpu in range(1, 4):  # cpu0 has no online file: it cannot go offline
        write(sys_root, f"devices/system/cpu/cpu{cpu}/online", 1)
    devfreq(sys_root, "57000000.gpu", 76800000, 921600000, 76800000, NANO_GPU_HZ)
    write(sys_root, "kernel/nvpmodel_emc_cap/emc_iso_cap", 0)
    nvpmodel_files(root / "host", 0, NANO_CONF)
    return str(sys_root), str(root / "host")


def laptop(root):
    """An x86 laptop: intel_pstate cpufreq, no devfreq, no nvpmodel."""
    sys_root = root / "sys"
    write(sys_root, "devices/system/cpu/online", "0-7")
    write(sys_root, "devices/system/cpu/present", "0-7")
    cpufreq(sys_root, range(8), 400000, 4700000, 1200000, governor="powersave")
    return str(sys_root), str(root / "host")


def rk3588(root):
    """An RK3588 board: a Mali GPU under devfreq held at one frequency, which is not jetson_clocks."""
    sys_root = root / "sys"
    write(sys_root, "devices/system/cpu/online", "0-7")
    cpufreq(sys_root, range(8), 2256000, 2256000, 2256000, governor="performance")
    devfreq(sys_root, "fb000000.gpu", 1000000000, 1000000000, 1000000000, [300000000, 1000000000])
    return str(sys_root), str(root / "host")
