#!/usr/bin/env bash
# Run one step of `make test` / `make demo`: say what it is, run it, say how long it took.
# Usage: step.sh "what this step does" command [args...]
set -uo pipefail
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
exit $rc
