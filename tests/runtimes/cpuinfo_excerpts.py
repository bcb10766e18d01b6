"""Real /proc/cpuinfo excerpts (the line that names the CPU and its flags / Features line) for the int8 format
tests. Where each comes from:

- EPYC_AVX512_VNNI: this project's 2-core development VM (an AMD EPYC under a hypervisor), read from its
  /proc/cpuinfo on 2026-05 by the engineer writing these tests. Note it lists avx512_vnni and avx_vnni.
- XEON_CASCADE_LAKE: an Intel Xeon Gold 6230R (Cascade Lake, AVX512-VNNI, no AVX-VNNI, no AMX) on a Dell
  PowerEdge R740, as published in a public GitHub repository's test of a hardware-info parser (Linux 4.18, RHEL 8).
- XEON_CASCADE_LAKE_NO_VNNI: the same line with avx512_vnni removed: a Skylake-SP-like AVX-512 CPU without VNNI
  (Skylake-SP's real flags differ only in lacking avx512_vnni).
- PI4: a Raspberry Pi 4 Model B (BCM2711, Cortex-A72, CPU part 0xd08), 64-bit Raspberry Pi OS; the Features line
  as the issue gives it and as real Pi 4 dumps published on GitHub show it (no asimddp, no i8mm).
- PI5: a Raspberry Pi 5 (BCM2712, Cortex-A76, CPU part 0xd0b); the Features line as the issue gives it (asimddp,
  no i8mm: the A76 is Armv8.2).
- PI4_32BIT: a Raspberry Pi 4 on 32-bit Raspberry Pi OS (armv7l): 32-bit ARM Features names, NEON only.
"""

from __future__ import annotations

EPYC_AVX512_VNNI = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 clzero xsaveerptr arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm avx512_vp2intersect
"""

XEON_CASCADE_LAKE = """processor\t: 0
model name\t: Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt aes xsave osxsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single intel_ppin tpr_shadow vnmi flexpriority ept vpid fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm cqm mpx rdt_a avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local dtherm ida arat pln pts hwp hwp_act_window hwp_epp pku ospke avx512_vnni md_clear flush_l1d arch_capabilities
"""

XEON_CASCADE_LAKE_NO_VNNI = XEON_CASCADE_LAKE.replace(" avx512_vnni", "")

PI4 = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x0
CPU part\t: 0xd08
CPU revision\t: 3
"""

PI5 = """processor\t: 0
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
CPU architecture: 8
CPU part\t: 0xd0b
"""

PI4_32BIT = """processor\t: 0
model name\t: ARMv7 Processor rev 3 (v7l)
BogoMIPS\t: 108.00
Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32
CPU implementer\t: 0x41
CPU architecture: 7
CPU part\t: 0xd08
"""
