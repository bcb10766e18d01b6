#!/usr/bin/env bash
# Let this x86_64 host run arm64 binaries (Raspberry Pi images) through qemu-user-static.
# Idempotent; needs root, qemu-user-static and binfmt-support.
set -euo pipefail
if [ "$(uname -m)" = "aarch64" ]; then exit 0; fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64
fi
grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 || { echo "qemu-aarch64 binfmt handler is not enabled" >&2; exit 1; }
grep -q 'flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
    || echo "warning: the qemu-aarch64 handler lacks the F flag; containers may not find the interpreter" >&2
