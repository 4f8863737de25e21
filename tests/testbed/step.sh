#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run one step of `make test` / `make demo`: say what it is, run it, say how long it took.
# Usage: step.sh [--name NAME] "what this step does" command [args...]
# With --name and MIRRORKIT_TEST_TIMES set (`make test` sets it), the step also appends
# "NAME<TAB>seconds<TAB>ok|FAILED" to that file: tests/testbed/timing_table.py prints them.
set -uo pipefail
name=
if [ "${1:-}" = --name ]; then name=$2; shift 2; fi
what=$1; shift
start=$(date +%s)
printf '\n\033[1m==> %s\033[0m\n' "$what"
"$@"
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 0 ]; then
  printf '\033[1m<== %s: done in %d s\033[0m\n' "$what" "$took"
else
  printf '\033[1;31m<== %s: FAILED (exit %d) after %d s\033[0m\n' "$what" "$rc" "$took" >&2
fi
if [ -n "$name" ] && [ -n "${MIRRORKIT_TEST_TIMES:-}" ]; then
  # One short line per write: lanes running side by side append without mixing lines.
  printf '%s\t%d\t%s\n' "$name" "$took" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" >> "$MIRRORKIT_TEST_TIMES"
fi
exit $rc
