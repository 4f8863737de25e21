#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# `make bench`: measure the mirror against its alternatives and write docs/performance.md with a
# PNG chart per section (tests/bench/bench.py runs the sections of tests/bench/sections/; this
# wrapper prepares the tools and always removes the bench hosts, whatever happens).
#   tests/bench/run.sh                 every section (about an hour on a busy 2-core machine)
#   tests/bench/run.sh --only http     one section (repeatable: --only sync --only load)
#   tests/bench/run.sh --smoke         a tiny version of every section on local servers, seconds;
#                                      writes build/bench/smoke/, fails if the harness is broken
# Sections: http rsync sync provisioning bandwidth load overload fleet
# (section fleet: BENCH_FLEET_CASES="6,1+3@5" measures only those cases, BENCH_FLEET_MINUTES=30
# starts none after 30 minutes; see tests/bench/sections/fleet.py).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$top/tests/testbed/containers.conf}
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}
venv=$top/.venv
py=$venv/bin/python
[ -x "$py" ] || { echo "no project venv at $venv: run 'make venv' first" >&2; exit 2; }
export PATH=$venv/bin:$PATH

# A private copy of the installed collection: other jobs may rebuild build/collections while
# the bench runs for up to an hour.
src=$ANSIBLE_COLLECTIONS_PATH/ansible_collections/mirrorkit/gentoo
if [ ! -f "$src/MANIFEST.json" ]; then
  echo "no installed collection at $src: run 'make collection' first" >&2
  exit 2
fi
rm -rf "$top/build/bench/collections"
mkdir -p "$top/build/bench/collections/ansible_collections/mirrorkit"
cp -a "$src" "$top/build/bench/collections/ansible_collections/mirrorkit/gentoo"
ANSIBLE_COLLECTIONS_PATH=$top/build/bench/collections:$ANSIBLE_COLLECTIONS_PATH
export ANSIBLE_COLLECTIONS_PATH

# matplotlib for the charts, pinned in tests/bench/requirements.txt.
want=$(sed -n 's/^matplotlib==//p' "$top/tests/bench/requirements.txt")
have=$("$py" -c 'import matplotlib; print(matplotlib.__version__)' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "==> installing matplotlib $want into the project venv (tests/bench/requirements.txt)"
  "$venv/bin/pip" install -q -r "$top/tests/bench/requirements.txt"
fi

# wrk and iperf3 on this machine are needed by --smoke only (full runs install them in the hosts).
if [[ " $* " == *" --smoke "* ]]; then
  missing=()
  for tool in wrk iperf3 rsync curl; do command -v "$tool" > /dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "missing on this machine: ${missing[*]}; install them: apt-get install -y ${missing[*]}" >&2
      exit 2
    fi
    echo "==> installing ${missing[*]} (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
  fi
fi

# A full run provisions over SSH too (section provisioning): OpenSSH's client on this machine.
if [[ " $* " != *" --smoke "* ]] && ! command -v ssh-keygen > /dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing on this machine: ssh, ssh-keygen; install them: apt-get install -y openssh-client" >&2
    exit 2
  fi
  echo "==> installing openssh-client (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client > /dev/null
fi

# The bench hosts are removed whatever happens (bench.py removes them too; this covers a kill).
cleanup() {
  local names
  local pattern='^bench-'
  # A smoke run owns only its one host; a full run owns every bench-* host.
  [[ " $* " == *" --smoke "* ]] && pattern='^bench-smoke$'
  names=$(podman ps -a --format '{{.Names}}' 2>/dev/null | grep -E "$pattern" || true)
  if [ -n "$names" ] && [[ " $* " != *" --keep "* ]]; then
    # shellcheck disable=SC2086
    podman rm -f -t 5 $names > /dev/null 2>&1 || true
  fi
  if [[ " $* " != *" --keep "* && " $* " != *" --smoke "* ]]; then
    podman network rm mirrorkit-bench > /dev/null 2>&1 || true
  fi
}
trap 'cleanup "$@"' EXIT
trap 'exit 130' INT TERM

"$py" "$top/tests/bench/bench.py" "$@"
