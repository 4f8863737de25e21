#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test sanity on the collection laid out as ansible_collections/mirrorkit/gentoo.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest="$top/build/sanity/ansible_collections/mirrorkit/gentoo"
rm -rf "$dest"; mkdir -p "$dest"
# Copy what git would ship (tracked and not ignored), not the venv or build output.
(cd "$top" && git ls-files -z --cached --others --exclude-standard | \
  xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' | rsync -a --files-from=- ./ "$dest/")
cache="$HOME/.ansible/test/cache/get_pip_24_2.py"
if [ ! -f "$cache" ]; then
  echo "placing a local get-pip stand-in at $cache (the download host is unreachable here)"
  mkdir -p "$(dirname "$cache")"
  cp "$top/tests/testbed/get_pip_shim.py" "$cache"
fi
cd "$dest"
git init -q && git add -A
ansible-test sanity --venv --python 3.11 --color no "$@"
