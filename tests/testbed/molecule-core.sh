#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# A molecule scenario with another ansible-core than .venv's (by default the newest supported):
# `molecule test -s SCENARIO` runs in the controller container of tests/testbed/core-matrix.sh
# (Debian 13, Python 3.13: ansible-core 2.20 and later need Python >= 3.12, which this machine
# lacks), with build/core/MINOR/venv's ansible-core, molecule and testinfra.
# The container drives this machine's podman through its API socket (`podman --remote`, started
# here for the run), so the scenario's test hosts, networks and ports on 127.0.0.1 are the same
# as when molecule runs here. It shares the machine's network (the scenario's checks reach
# 127.0.0.1) and process namespace (the nsenter connection of .config/molecule enters the test
# hosts' namespaces), and sees the working tree at the same path.
# Usage: molecule-core.sh SCENARIO [MINOR]   (MINOR: default the newest requirements-core file)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
scenario=${1:?usage: molecule-core.sh SCENARIO [MINOR]}
minor=${2:-$(find "$top/tests" -maxdepth 1 -name 'requirements-core-*.txt' | sed 's/.*-core-//; s/\.txt$//' | sort -V | tail -1)}
[ -d "$top/molecule/$scenario" ] || { echo "no molecule scenario '$scenario' in molecule/" >&2; exit 2; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$top/tests/testbed/containers.conf}
collections=${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}
[ -f "$collections/ansible_collections/mirrorkit/gentoo/MANIFEST.json" ] \
  || { echo "no installed collection under $collections: run \`make collection\` first" >&2; exit 1; }
venv=$("$top/tests/testbed/core-matrix.sh" --venv "$minor")
[ -x "$venv/bin/molecule" ] || { echo "$venv has no molecule: tests/requirements-core-$minor.txt must pin it" >&2; exit 1; }
core="$top/build/core"

# The podman collection of .venv's Ansible package, which molecule's podman driver and the
# scenarios' upstream hosts use; ansible-core alone carries no collections.
podman_collection=$("$top/.venv/bin/python" -c 'import ansible_collections.containers.podman as p; print(list(p.__path__)[0])')
extra="$core/collections"
if ! diff -rq "$podman_collection" "$extra/ansible_collections/containers/podman" > /dev/null 2>&1; then
  rm -rf "$extra/ansible_collections/containers/podman"
  mkdir -p "$extra/ansible_collections/containers"
  cp -a "$podman_collection" "$extra/ansible_collections/containers/podman"
fi

# This run's podman API socket, gone when the run ends.
socket="$core/podman-$$.sock"
podman system service --time=0 "unix://$socket" &
service=$!
trap 'kill "$service" 2>/dev/null; wait "$service" 2>/dev/null; rm -f "$socket"' EXIT
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { echo "podman system service did not open $socket" >&2; exit 1; }

echo "==> molecule test -s $scenario with ansible-core $(sed -n 's/^ansible-core==//p' "$top/tests/requirements-core-$minor.txt") (Python 3.13, controller container)"
"$top/tests/testbed/core-matrix.sh" --controller "$minor" \
  --network host --pid host --privileged \
  -v "$socket:/run/podman/podman.sock" -e CONTAINER_HOST=unix:///run/podman/podman.sock \
  -e PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" \
  -e ANSIBLE_COLLECTIONS_PATH="$collections:$extra" \
  -e ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}" -e PY_COLORS="${PY_COLORS:-0}" \
  -- molecule test -s "$scenario"
