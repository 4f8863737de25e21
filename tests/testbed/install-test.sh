#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The install paths users take without Ansible Galaxy: a requirements.yml naming the built
# tarball (type: file), then one naming a git repository at a commit (type: git, a bare clone of
# this checkout's HEAD), each installed with `ansible-galaxy collection install -r` into an
# empty collections path. The Galaxy server is pointed at a closed port on 127.0.0.1, so the
# install fails if it reaches for Galaxy (the collection must need no other collection).
# Each install must be listed at galaxy.yml's version, document its modules and roles with
# ansible-doc, and resolve the playbook mirrorkit.gentoo.site.
# Usage: install-test.sh [TARBALL]   (default: build/mirrorkit-gentoo-VERSION.tar.gz)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^version: *//p' "$top/galaxy.yml")
tarball=${1:-$top/build/mirrorkit-gentoo-$version.tar.gz}
[ -f "$tarball" ] || { echo "no tarball at $tarball: run \`make collection\` first" >&2; exit 1; }
work="$top/build/install-test"
rm -rf "$work"; mkdir -p "$work"

# What a CI job without Galaxy has: no server to ask, only the collections it installs itself
# (not the ones a Python package ships, which ansible-core would also find on sys.path).
export ANSIBLE_GALAXY_SERVER=http://127.0.0.1:9/ ANSIBLE_GALAXY_SERVER_LIST='' \
       ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
# ansible-galaxy checks the commit out: no advice about a detached HEAD in the log.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=advice.detachedHead GIT_CONFIG_VALUE_0=false

git clone -q --bare "$top" "$work/gentoo.git"
commit=$(git -C "$top" rev-parse HEAD)

check() {
  local kind=$1 path="$work/$1/collections" listed docs
  shift
  mkdir -p "$work/$kind"
  { printf -- '---\ncollections:\n'; printf '%s\n' "$@"; } > "$work/$kind/requirements.yml"
  echo "==> $kind: ansible-galaxy collection install -r $work/$kind/requirements.yml"
  sed 's/^/    /' "$work/$kind/requirements.yml"
  ansible-galaxy collection install -r "$work/$kind/requirements.yml" -p "$path"
  export ANSIBLE_COLLECTIONS_PATH="$path"
  listed=$(ansible-galaxy collection list mirrorkit.gentoo --format json -p "$path" 2>/dev/null | python3 -c '
import json, sys
found = [entry["version"] for where in json.load(sys.stdin).values() for name, entry in where.items() if name == "mirrorkit.gentoo"]
print(" ".join(found))')
  [ "$listed" = "$version" ] || { echo "$kind: ansible-galaxy collection list shows '$listed', expected $version" >&2; return 1; }
  echo "    listed: mirrorkit.gentoo $listed"
  # Every module and role the checkout has must be there and render with ansible-doc.
  for module in "$top"/plugins/modules/*.py; do
    module=$(basename "$module" .py)
    ansible-doc "mirrorkit.gentoo.$module" | grep -q "^> MODULE mirrorkit.gentoo.$module" \
      || { echo "$kind: ansible-doc mirrorkit.gentoo.$module does not render" >&2; return 1; }
  done
  for role in "$top"/roles/*/meta/argument_specs.yml; do
    role=$(basename "$(dirname "$(dirname "$role")")")
    ansible-doc -t role "mirrorkit.gentoo.$role" > /dev/null \
      || { echo "$kind: ansible-doc -t role mirrorkit.gentoo.$role fails" >&2; return 1; }
  done
  docs=$(ansible-doc -l mirrorkit.gentoo | wc -l)
  echo "    ansible-doc: $docs modules, every module and role renders"
  (cd "$work/$kind" && ansible-playbook --syntax-check -i localhost, mirrorkit.gentoo.site)
  echo "    ansible-playbook --syntax-check mirrorkit.gentoo.site: ok"
}

check tarball "  - name: $tarball" "    type: file"
check git "  - name: git+file://$work/gentoo.git" "    type: git" "    version: $commit"
echo "==> both install paths give mirrorkit.gentoo $version, offline"
