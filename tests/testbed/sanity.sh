#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test sanity on what users get: the built tarball, installed the way ansible-galaxy
# installs it, at build/sanity/ansible_collections/mirrorkit/gentoo (ansible-test needs that
# layout). No ignore file is shipped (build_ignore drops tests/), so the installed tree must
# pass on its own.
# Usage: sanity.sh [TARBALL] [-- ansible-test sanity options]
#        sanity.sh --tree [-- options]
#   TARBALL defaults to build/mirrorkit-gentoo-VERSION.tar.gz (`make collection` builds it).
#   --tree: the checkout's files instead (what git tracks), with the tests that apply to the
#   Python the tarball leaves out (tests/, molecule/): compile, pep8, pylint.
#   SANITY_DIR (default build/sanity) and SANITY_PYTHON (default 3.11) select where and with
#   which Python; tests/testbed/core-matrix.sh runs this with other ansible-core releases.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^version: *//p' "$top/galaxy.yml")
tarball="$top/build/mirrorkit-gentoo-$version.tar.gz" tests=()
if [ "${1:-}" = --tree ]; then tarball=; shift; tests=(--test compile --test pep8 --test pylint)
elif [ $# -gt 0 ] && [ "$1" != -- ]; then tarball=$1; shift; fi
[ "${1:-}" = -- ] && shift
base=${SANITY_DIR:-$top/build/sanity}
dest="$base/ansible_collections/mirrorkit/gentoo"
rm -rf "$base"; mkdir -p "$dest"
if [ -z "$tarball" ]; then
  # What git tracks (and would track), not the venvs or build output.
  (cd "$top" && git ls-files -z --cached --others --exclude-standard | \
    xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' | rsync -a --files-from=- ./ "$dest/")
  echo "ansible-test sanity (${tests[*]}) on the checkout at $dest ($(ansible --version | head -1))"
else
  [ -f "$tarball" ] || { echo "no tarball at $tarball: run \`make collection\` first" >&2; exit 1; }
  ansible-galaxy collection install --force --no-deps -p "$base" "$tarball" > /dev/null
  [ -f "$dest/MANIFEST.json" ] || { echo "the tarball did not install at $dest" >&2; exit 1; }
  echo "ansible-test sanity on $(basename "$tarball") as installed at $dest ($(ansible --version | head -1))"
fi
# The pip release ansible-test bootstraps into its venvs (24.2 for 2.19, 25.2 for 2.21).
pip_version=$("$(dirname "$(command -v ansible-test)")/python" -c '
import sys, types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))["pip"])' "${SANITY_PYTHON:-3.11}")
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -f "$cache" ]; then
  echo "placing a local get-pip stand-in at $cache (the download host is unreachable here)"
  mkdir -p "$(dirname "$cache")"
  cp "$top/tests/testbed/get_pip_shim.py" "$cache"
fi
cd "$dest"
# A repository of its own, so that ansible-test checks exactly the installed files and leaves
# out what it writes itself (tests/output: it lists untracked files that git does not ignore).
git init -q && echo /tests/output/ > .git/info/exclude && git add -A
ansible-test sanity --venv --python "${SANITY_PYTHON:-3.11}" --color no ${tests[@]+"${tests[@]}"} "$@"
