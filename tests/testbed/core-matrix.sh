#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test sanity (on the built tarball, tests/testbed/sanity.sh) and the unit tests on
# every supported ansible-core release, each in a virtual environment of its own, then a table.
# Usage: core-matrix.sh [MINOR...]      (default: every tests/requirements-core-MINOR.txt)
#        core-matrix.sh --venv MINOR    (only make sure MINOR's venv exists; prints its path)
#        core-matrix.sh --run MINOR CMD  (run CMD where MINOR runs: here or in the container)
#        core-matrix.sh --controller MINOR [PODMAN-RUN-OPTION...] -- CMD
#                                         (run CMD in the controller container, with options)
# The venv of MINOR is build/core/MINOR/venv, rebuilt when its requirements file changes.
# Releases that run on this machine's Python 3.11 run here; newer ones (ansible-core 2.20 and
# later need Python >= 3.12) run in a controller container made from the Debian 13 test-host
# image (Python 3.13), with the working tree mounted at the same path, so that the venvs and
# paths are the same inside and out. PyPI is reached from there through the machine's own CA
# bundle; the ansible-test venvs and pip's cache live under build/core and are reused.
# With MIRRORKIT_TEST_TIMES set (`make test`), each version's sanity and units is a line of
# the timing table (core-matrix/2.21.5-py3.13-sanity, core-matrix/2.21.5-py3.13-units).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
core="$top/build/core"
controller_image=localhost/mirrorkit-controller:trixie
export CONTAINERS_CONF=${CONTAINERS_CONF:-$top/tests/testbed/containers.conf}

requirements() { echo "$top/tests/requirements-core-$1.txt"; }
# The Python each release runs on: the host's for 2.19, the controller container's after.
python_of() { case $1 in 2.19) echo 3.11 ;; *) echo 3.13 ;; esac; }
in_container() { [ "$(python_of "$1")" != 3.11 ]; }

# The controller image: the trixie test host plus venv, git (ansible-test), shellcheck (for the
# test of that name), xmllint (a unit test), rsync (verify.yml and the scenarios' checks run it
# on the controller) and podman as the client of this machine's podman
# (tests/testbed/molecule-core.sh). Rebuilt when this recipe or the base changes.
controller_image() {
  local base=localhost/mirrorkit-debian:trixie packages="python3-venv git shellcheck libxml2-utils rsync podman"
  local recipe have name
  recipe=$( { podman image inspect --format '{{.Id}}' "$base"; echo "$packages"; } | sha256sum | cut -c1-16)
  have=$(podman image inspect --format '{{ index .Labels "org.mirrorkit.recipe" }}' "$controller_image" 2>/dev/null || true)
  [ "$have" = "$recipe" ] && return 0
  echo "==> building $controller_image ($packages on $base)"
  name=mirrorkit-controller-build-$$
  podman run --name "$name" "$base" sh -c "apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages > /dev/null && \
    rm -rf /var/lib/apt/lists/*"
  podman commit -q --change "LABEL org.mirrorkit.recipe=$recipe" "$name" "$controller_image" > /dev/null
  podman rm -f "$name" > /dev/null
}

# Run a command in the controller container (or here, for the host's Python); the array
# controller_options adds options to its `podman run`.
controller_options=()
run_for() {
  local minor=$1; shift
  if ! in_container "$minor"; then "$@"; return; fi
  local home; home="$core/home-py$(python_of "$minor")"
  mkdir -p "$home" "$core/pip-cache"
  # The machine's trust store, so that pip reaches PyPI through whatever the machine trusts;
  # ansible-test keeps only PATH, HOME and the locale, so pip's settings go in a file.
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\ncache-dir = %s\n' "$core/pip-cache" > "$core/pip.conf"
  podman run --rm -v "$top:$top" -w "$top" \
    -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    -v "$core/pip.conf:/etc/pip.conf:ro" -e HOME="$home" -e PYTHONDONTWRITEBYTECODE=1 \
    "${controller_options[@]}" "$controller_image" "$@"
}

# Make sure build/core/MINOR/venv holds what tests/requirements-core-MINOR.txt pins.
ensure_venv() {
  local minor=$1 req venv key
  req=$(requirements "$minor"); venv="$core/$minor/venv"
  [ -f "$req" ] || { echo "no $req: ansible-core $minor is not in the matrix" >&2; return 1; }
  key=$(sha256sum < "$req" | cut -c1-16)
  if [ "$(cat "$venv/.installed" 2>/dev/null)" = "$key" ]; then return 0; fi
  echo "==> creating $venv (Python $(python_of "$minor"), $(basename "$req"))"
  in_container "$minor" && controller_image
  rm -rf "$venv"; mkdir -p "$core/$minor"
  run_for "$minor" sh -c "python$(python_of "$minor") -m venv '$venv' && \
    '$venv/bin/pip' install -q --disable-pip-version-check -r '$req'"
  echo "$key" > "$venv/.installed"
}

# One step: under step.sh when `make test` collects the times, plain otherwise.
step() {
  local name=$1 what=$2; shift 2
  "$top/tests/testbed/step.sh" --name "core-matrix/$name" "$what" "$@"
}

test_one() {
  local minor=$1 venv="$core/$1/venv" py version sanity=FAILED units=FAILED
  py=$(python_of "$minor")
  version=$(sed -n 's/^ansible-core==//p' "$(requirements "$minor")")
  in_container "$minor" && controller_image
  # sanity.sh installs the tarball with the venv's ansible-galaxy and runs its ansible-test.
  if step "$version-py$py-sanity" "ansible-core $version (Python $py): ansible-test sanity on the tarball" \
      "$0" --run "$minor" env PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" SANITY_DIR="$core/$minor/sanity" \
      SANITY_PYTHON="$py" "$top/tests/testbed/sanity.sh"; then sanity=ok; fi
  if step "$version-py$py-units" "ansible-core $version (Python $py): pytest tests/unit" \
      "$0" --run "$minor" env PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" \
      "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$top/tests/unit"; then units=ok; fi
  printf '%s\t%s\t%s\t%s\n' "$version" "$py" "$sanity" "$units" >> "$core/matrix.tsv"
}

# step.sh runs a program, not a function: the steps come back through --run.
if [ "${1:-}" = --run ]; then
  shift; run_for "$@"; exit
fi
if [ "${1:-}" = --controller ]; then
  minor=$2; shift 2
  in_container "$minor" || { echo "ansible-core $minor runs on this machine, not in the controller container" >&2; exit 2; }
  controller_image
  while [ $# -gt 0 ] && [ "$1" != -- ]; do controller_options+=("$1"); shift; done
  [ "${1:-}" = -- ] || { echo "core-matrix.sh --controller: no -- before the command" >&2; exit 2; }
  shift; run_for "$minor" "$@"; exit
fi
if [ "${1:-}" = --venv ]; then
  ensure_venv "$2" >&2
  echo "$core/$2/venv"
  exit 0
fi

if [ $# -gt 0 ]; then minors=("$@"); else
  minors=()
  for req in "$top"/tests/requirements-core-*.txt; do
    req=${req##*/requirements-core-}; minors+=("${req%.txt}")
  done
fi
mkdir -p "$core"; : > "$core/matrix.tsv"
for minor in "${minors[@]}"; do
  if ! ensure_venv "$minor"; then
    printf '%s\t%s\t%s\t%s\n' "$minor (no venv)" "$(python_of "$minor")" FAILED FAILED >> "$core/matrix.tsv"
    continue
  fi
  test_one "$minor"
done

printf '\n\033[1m==> ansible-core matrix (sanity on the built tarball, unit tests on the tree)\033[0m\n'
{ printf 'ansible-core\tpython\tsanity\tunits\n'; cat "$core/matrix.tsv"; } | column -t -s $'\t'
! grep -q FAILED "$core/matrix.tsv"
