#!/usr/bin/env bash
# Make a local stand-in for python:3.11-slim-bookworm when no image registry is reachable:
# debootstrap a minimal Debian bookworm with Debian's Python 3.11 (python3, venv, pip wheels) and
# `docker load` it as a one-layer image labelled with its real platform (`docker import --platform`
# is ignored by older engines, which then label an arm64 rootfs amd64: a build for linux/arm64 refuses
# such a base, and one without --platform makes an image compose takes for the wrong one).
# Usage: docker/base-image.sh amd64|arm64 [TAG]   (`make base-image DEVICE=laptop|rpi`)
# Cached: does nothing when TAG already exists with the right architecture. The rootfs is built under
# $BASE_ROOTFS_DIR (default /var/tmp/edge-bench-rootfs), never inside the repository.
set -euo pipefail
arch="${1:?usage: $0 amd64|arm64 [tag]}"
tag="${2:-edge-bench/bookworm-python:$arch}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
workdir="${BASE_ROOTFS_DIR:-/var/tmp/edge-bench-rootfs}"

if [ "$(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$tag" 2>/dev/null)" = "linux/$arch" ]; then
    echo "base image $tag exists (linux/$arch): skipping debootstrap"
    exit 0
fi
case "$arch" in
    amd64|arm64) ;;
    *) echo "unknown architecture '$arch': amd64 or arm64" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root: run it as root (sudo make base-image / build-local)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    # A foreign rootfs runs its maintainer scripts through qemu-user via binfmt_misc.
    "$(dirname "$0")/binfmt.sh"
fi

rootfs="$workdir/bookworm-$arch"
image_dir="$workdir/image-$arch"
rm -rf "$rootfs" "$image_dir"
mkdir -p "$workdir" "$image_dir"
start=$(date +%s)
debootstrap --variant=minbase --arch="$arch" \
    --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror"
# Keep the image small and close to the official slim image: no apt lists, no docs, no caches.
chroot "$rootfs" /bin/sh -c 'apt-get clean' || true
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
       "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log
# python:3.11-slim has `python`; Debian has only `python3`.
ln -sf python3 "$rootfs/usr/bin/python"
# `docker save` layout: one layer, an image config naming its platform, a manifest tagging it.
tar --numeric-owner -C "$rootfs" -cf "$image_dir/layer.tar" .
layer_sha=$(sha256sum "$image_dir/layer.tar" | cut -d' ' -f1)
printf '%s' '{"architecture":"'"$arch"'","os":"linux","created":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'",'\
'"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],'\
'"Cmd":["python3"]},"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer_sha"'"]},'\
'"history":[{"created_by":"debootstrap --variant=minbase bookworm ('"$arch"') with Debian'"'"'s python3"}]}' \
    >"$image_dir/config.json"
config_sha=$(sha256sum "$image_dir/config.json" | cut -d' ' -f1)
mv "$image_dir/config.json" "$image_dir/$config_sha.json"
printf '%s' '[{"Config":"'"$config_sha"'.json","RepoTags":["'"$tag"'"],"Layers":["layer.tar"]}]' \
    >"$image_dir/manifest.json"
tar -C "$image_dir" -c manifest.json "$config_sha.json" layer.tar | docker load
rm -rf "$rootfs" "$image_dir"
echo "base image $tag made in $(( $(date +%s) - start )) s: $(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$tag")"
