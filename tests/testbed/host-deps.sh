#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Make sure the machine has what the test bench runs: podman (with runc), debootstrap to build
# the test-host images, the clients the tests use from the outside (rsync, curl, xmllint), and
# the shell linter ansible-test sanity runs (without it that sanity test is skipped), the real
# browser of the browser tests (tests/browser/: chromium, its driver, and certutil to trust a test
# CA), and promtool (Debian's prometheus package) that checks and unit-tests the alert rules.
set -euo pipefail
need=()
for pair in podman:podman runc:runc debootstrap:debootstrap rsync:rsync curl:curl \
            xmllint:libxml2-utils wget:wget lftp:lftp wrk:wrk iperf3:iperf3 tc:iproute2 nsenter:util-linux \
            shellcheck:shellcheck \
            chromium:chromium chromedriver:chromium-driver certutil:libnss3-tools promtool:prometheus; do
  command -v "${pair%%:*}" > /dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "host tools present: podman runc debootstrap rsync curl wget lftp xmllint wrk iperf3 tc nsenter shellcheck chromium chromedriver certutil promtool"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing host packages: ${need[*]}" >&2
  echo "install them as root:  apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing host packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" > /dev/null
