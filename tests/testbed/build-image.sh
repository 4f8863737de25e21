#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Build a Debian test-host image with systemd from debootstrap and import it into podman.
# Usage: build-image.sh SUITE [EXTRA_PACKAGES]
#   SUITE: bookworm (Debian 12) or trixie (Debian 13)
# The image is tagged localhost/mirrorkit-debian:SUITE and labelled with a hash of its
# recipe; it is rebuilt only when that recipe (this script, suite, packages) changes.
set -euo pipefail
suite=${1:?usage: build-image.sh SUITE}
# The Debian archive: DEBIAN_MIRROR, else the first one the machine's own apt sources name (not
# the security archive), else debootstrap's built-in default.
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -v -- '-security' | head -1 || true)}
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 !~ /-security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
include="systemd,systemd-sysv,python3,dbus,iproute2,ca-certificates,sudo"
image="localhost/mirrorkit-debian:${suite}"
recipe=$( { cat "$0"; echo "$suite $include"; } | sha256sum | cut -c1-16)

have=$(podman image inspect --format '{{ index .Labels "org.mirrorkit.recipe" }}' "$image" 2>/dev/null || true)
if [ "$have" = "$recipe" ]; then
  echo "==> image $image is up to date (recipe $recipe)"
  exit 0
fi

start=$(date +%s)
echo "==> building $image from debootstrap ($suite, recipe $recipe); this takes about a minute"
work=$(mktemp -d /var/tmp/mirrorkit-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include="$include" "$suite" "$work/rootfs" ${mirror:+"$mirror"} > "$work/debootstrap.log" 2>&1 || {
  echo "debootstrap failed; last lines of its log:" >&2; tail -20 "$work/debootstrap.log" >&2; exit 1; }
# A test host boots to multi-user with no console getty and answers `systemctl is-system-running`.
chroot "$work/rootfs" systemctl mask getty@tty1.service console-getty.service \
  systemd-remount-fs.service sys-kernel-config.mount > /dev/null 2>&1 || true
rm -f "$work/rootfs/etc/machine-id"; touch "$work/rootfs/etc/machine-id"
echo "$suite" > "$work/rootfs/etc/mirrorkit-test-host"
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar -C "$work/rootfs" -c . | podman import \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL org.mirrorkit.recipe=$recipe" - "$image" > /dev/null
echo "==> built $image in $(( $(date +%s) - start )) s"
