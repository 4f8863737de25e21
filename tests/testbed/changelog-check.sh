#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: changelog-check.sh VENV INSTALLED_COLLECTION
# antsibull-changelog lint on the fragments and changelogs/changelog.yaml of the working tree,
# then CHANGELOG.md of the installed collection regenerated from its changelog.yaml (in a
# copy): the shipped release notes are what the changelog records.
set -euo pipefail
venv=$(cd "$1" && pwd); installed=$(cd "$2" && pwd)
cd "$(dirname "$0")/../.."
"$venv/bin/antsibull-changelog" lint
"$venv/bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
copy="$work/ansible_collections/mirrorkit/gentoo"
mkdir -p "$copy" && cp -a "$installed/." "$copy/"
# generate reads the collection's plugins with ansible-doc (the venv's) to list new ones.
(cd "$copy" && PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$work" "$venv/bin/antsibull-changelog" generate --is-collection \
  --collection-namespace mirrorkit --collection-name gentoo --no-collection-flatmap)
if ! cmp -s "$installed/CHANGELOG.md" "$copy/CHANGELOG.md"; then
  diff -u "$installed/CHANGELOG.md" "$copy/CHANGELOG.md" >&2 || true
  echo "CHANGELOG.md differs from changelogs/changelog.yaml: run antsibull-changelog generate" >&2
  exit 1
fi
echo "changelog: fragments and changelog.yaml lint clean, CHANGELOG.md matches changelog.yaml"
