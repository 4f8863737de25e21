#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Part of `make test`: run `make demo`'s script under names and ports of its own, check that the
# URLs it prints answer from this machine (HTTP listing, rsync module), then remove it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export DEMO_NAME=demosmoke DEMO_HTTP_PORT=38180 DEMO_RSYNC_PORT=38873
log="$top/build/demosmoke.log"
mkdir -p "$top/build"
trap '"$top/tests/testbed/demo.sh" down > /dev/null' EXIT
if ! "$top/tests/testbed/demo.sh" up > "$log" 2>&1; then
  echo "demo.sh up failed; the end of its output ($log):" >&2; tail -40 "$log" >&2; exit 1
fi
fail() { echo "demo smoke: $*" >&2; tail -20 "$log" >&2; exit 1; }
grep -q "HTTP listing:  http://127.0.0.1:$DEMO_HTTP_PORT/releases/" "$log" || fail "no HTTP URL printed"
grep -q "rsync module:  rsync rsync://127.0.0.1:$DEMO_RSYNC_PORT/gentoo/" "$log" || fail "no rsync URL printed"
grep -q "Status page:   http://127.0.0.1:$DEMO_HTTP_PORT/status/" "$log" || fail "no status page URL printed"
grep -q "Tear it all down:     make demo-down" "$log" || fail "no tear-down command printed"
listing=$(curl -fsS "http://127.0.0.1:$DEMO_HTTP_PORT/releases/") || fail "the HTTP listing does not answer"
grep -q 'href="amd64/"' <<< "$listing" || fail "the releases/ listing has no amd64/: $listing"
status=$(curl -fsS "http://127.0.0.1:$DEMO_HTTP_PORT/status/status.json") || fail "the status page does not answer"
grep -q '"result": "success"' <<< "$status" || fail "the status page does not show the demo's sync: $status"
modules=$(rsync --list-only "rsync://127.0.0.1:$DEMO_RSYNC_PORT/gentoo/") || fail "the rsync module does not answer"
grep -q ' distfiles$' <<< "$modules" || fail "the rsync module lists no distfiles/: $modules"
grep -q "mirrorkit.gentoo.verify" "$log" || fail "verify.yml did not run"
echo "demo smoke: the demo came up, its HTTP listing, status page and rsync module answer on 127.0.0.1, and it was removed"
