#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: galaxy-importer.sh VENV TARBALL
# Runs galaxy-importer, what Galaxy runs on every upload, on the built tarball (settings:
# tests/testbed/galaxy/galaxy-importer.cfg) with the tools of VENV first on PATH (the importer
# calls ansible-doc and ansible-lint). Fails on any error or warning; prints its summary line.
set -euo pipefail
venv=$(cd "$1" && pwd); tarball=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
log="$work/importer.log"
# The importer writes importer_result.json into the current directory.
rc=0
(cd "$work" && PATH="$venv/bin:$PATH" GALAXY_IMPORTER_CONFIG="$here/galaxy/galaxy-importer.cfg" \
  "$venv/bin/python" -m galaxy_importer.main "$tarball") >"$log" 2>&1 || rc=$?
version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))')
warnings=$(grep -c -E '^(WARNING|ERROR)' "$log" || true)
if [ "$rc" -ne 0 ] || [ "$warnings" -ne 0 ] || ! grep -q '^Importer processing completed successfully' "$log"; then
  grep -E -v '^(Loading|Linting|Finding|Getting|Importing)' "$log" >&2 || true
  echo "galaxy-importer $version: $(basename "$tarball"): FAILED (exit $rc, $warnings warning/error line(s))" >&2
  exit 1
fi
echo "galaxy-importer $version: $(basename "$tarball"): $(tail -n 1 "$log"), 0 warnings, 0 errors" \
  "($(grep -c '^Loading ' "$log") content items loaded, ansible-lint and ansible-doc run)"
